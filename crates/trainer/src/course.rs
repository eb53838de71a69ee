//! A course: what every training session of one server shares — the cluster and procedure,
//! the seed, the instructor's faults, and the reference run the trainee is compared with.
//!
//! The reference is the procedure run by the engine, guarded, on a fault-free simulator with
//! the same seed: the operations it issued, in order, each with its step. The checklist ticks
//! a step when the trainee has issued all of its operations; a staged fault strikes before the
//! trainee's first operation of its step (or of a later one); and the debrief names the first
//! reference operation the trainee had not done when the first invariant broke.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use procedure::backend::Operation;
use procedure::cluster::NodeId;
use procedure::diagnostic::FileError;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig, Roles};
use procedure::plan::{Plan, StepStatus};
use procedure::procedure::{Action, RestartAnswer};
use procedure::setup::Setup;
use sim_cluster::scenario::Scenario;
use sim_cluster::sim::Builder;
use sim_cluster::staged::StagedFault;

use procedure::action::CheckServices;
use procedure::action::kind::Kind as _;

use super::act::Act;
use super::names::Names;

/// Why a scenario file gives no course.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// The file is malformed or invalid.
    #[error(transparent)]
    File(#[from] Box<FileError>),
    /// The scenario scripts operations of its own.
    #[error(
        "{}: this scenario scripts its own operations ([[step]]); a training scenario gives only faults, as [[fault]] with before-step",
        .0.display()
    )]
    ScriptsOperations(PathBuf),
}

impl From<FileError> for CourseError {
    fn from(error: FileError) -> CourseError {
        CourseError::File(Box::new(error))
    }
}

/// One operation of the reference run.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The step it belongs to (index into the procedure's steps).
    pub step: usize,
    /// The operation.
    pub operation: Operation,
    /// Its [`key`].
    pub key: String,
}

/// See the module documentation.
#[derive(Debug)]
pub struct Course {
    /// What the sessions rehearse: the scenario's title, or the procedure's.
    pub title: String,
    /// The cluster and the procedure.
    pub setup: Arc<Setup>,
    /// The simulator's seed.
    pub seed: u64,
    /// The instructor's faults, each before a step.
    pub staged: Vec<StagedFault>,
    /// The reference run's operations, in order.
    pub reference: Vec<Reference>,
    /// The folder the procedure unzips the module into.
    pub folder: String,
    /// The registry export file the procedure's first backup writes.
    pub backup_file: String,
    /// Per step: whether it runs for this module, never does (and why), or only if
    /// something happens, as `plan` says.
    pub plan: Vec<(StepStatus, Option<String>)>,
    /// The nodes' and services' names as the page writes them.
    pub names: Names,
    /// The roles as the run starts (the group's first node is the active one).
    pub roles: Roles,
    /// Per step: the reference run did operations in it.
    pub operated: Vec<bool>,
    /// How long the reference run took on the cluster: the time the score allows.
    pub reference_time: std::time::Duration,
    /// The scenario file's name, when the course comes from one.
    pub scenario_file: Option<String>,
    /// The course is taught in a classroom (`train --classroom`): trainees may give a name.
    pub classroom: bool,
}

impl Course {
    /// A course on `setup` with the instructor's `staged` faults.
    pub fn new(title: String, setup: Arc<Setup>, seed: u64, staged: Vec<StagedFault>) -> Course {
        let mut backend = Builder::new(Arc::clone(&setup)).seed(seed).build();
        let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
        // No journal: driving cannot fail; a reference that stops early is still the best
        // the procedure offers.
        let _ = drive(&mut engine, &mut backend, None, &mut Unattended);
        let reference_time = procedure::backend::Backend::now(&backend);
        let reference: Vec<Reference> = engine
            .record()
            .steps
            .iter()
            .flat_map(|record| {
                record.nodes.iter().flat_map(move |span| {
                    span.operations.iter().map(move |(_, operation)| Reference {
                        step: record.step,
                        operation: operation.clone(),
                        key: key(operation),
                    })
                })
            })
            .collect();
        let first = |of: fn(&Action) -> Option<&str>| {
            setup.procedure.steps.iter().find_map(|s| of(&s.action)).map(str::to_owned)
        };
        let folder = first(|action| action.working_folder())
            .unwrap_or_else(|| format!("C:\\Temp\\{}", setup.procedure.modules[0].id));
        let backup_file = first(|action| action.registry_export()).unwrap_or_else(|| format!("{folder}\\registry.reg"));
        let plan =
            Plan::new(&setup.cluster, &setup.procedure).steps.into_iter().map(|s| (s.status, s.reason)).collect();
        let names = Names::new(&setup);
        let roles = Roles::initial(&setup.cluster);
        let mut operated = vec![false; setup.procedure.steps.len()];
        for done in &reference {
            operated[done.step] = true;
        }
        Course {
            title,
            setup,
            seed,
            staged,
            reference,
            folder,
            backup_file,
            plan,
            names,
            roles,
            operated,
            reference_time,
            scenario_file: None,
            classroom: false,
        }
    }

    /// The course of a scenario file: its cluster, procedure, seed and staged faults. A
    /// scenario that scripts operations of its own (`[[step]]`) is no course: the trainee
    /// does the operating.
    pub fn from_scenario(path: &Path) -> Result<Course, CourseError> {
        let scenario = Scenario::load(path)?;
        if !scenario.is_engine_run() {
            return Err(CourseError::ScriptsOperations(path.to_owned()));
        }
        let mut course = Course::new(scenario.title, scenario.setup, scenario.seed, scenario.staged);
        course.scenario_file = path.file_name().map(|name| name.to_string_lossy().into_owned());
        Ok(course)
    }

    /// What a trainee who follows the procedure clicks: the Services panels open of the
    /// servers whose services the procedure checks (a check is seen there), then the
    /// reference run's operations, each followed by "wait until this finishes", then
    /// "finished".
    pub fn correct_acts(&self) -> Vec<Act> {
        let mut acts = Vec::new();
        let mut looked = Vec::new();
        for step in self.setup.procedure.steps.iter().filter(|step| step.action.keyword() == CheckServices::KEYWORD) {
            for node in self.roles.nodes(step.role) {
                if !looked.contains(&node) {
                    looked.push(node);
                    acts.push(Act::OpenServices { node: self.setup.node_name(node).to_owned() });
                }
            }
        }
        for reference in &self.reference {
            if let Some(act) = Act::from_operation(&self.setup, &reference.operation) {
                acts.push(act);
                acts.push(Act::WaitUntilDone);
            }
        }
        acts.push(Act::Finish);
        acts
    }

    /// The first step at or after `step` that has operations in the reference.
    fn operated_step_from(&self, step: usize) -> Option<usize> {
        (step..self.operated.len()).find(|&s| self.operated[s])
    }

    /// Whether a staged fault before `step` strikes before an operation that counts for
    /// `operation_step` (as [`Course::step_of`] says: exporting the registry of the active
    /// server for step 2 is no operation of step 7, which exports it again): the operation
    /// belongs to that step, or to a later one.
    pub fn strikes_before(&self, step: usize, operation_step: Option<usize>) -> bool {
        let Some(first) = self.operated_step_from(step) else { return false };
        operation_step.is_some_and(|s| s >= first)
    }

    /// The step whose reference operations include `key`, the earliest not yet `done`.
    pub fn step_of(&self, key: &str, done: &[bool]) -> Option<usize> {
        self.reference.iter().find(|r| r.key == key && !done.get(r.step).copied().unwrap_or(false)).map(|r| r.step)
    }
}

/// What makes two operations the same move of the trainee: the operation with the folder,
/// the file, the prompt's answer and the node a cluster-wide operation went through left out (unzipping into another local folder is no
/// mistake; the answer is given at the prompt, not with the operation).
pub fn key(operation: &Operation) -> String {
    let normalized = match operation {
        Operation::UnzipModule { node, module, .. } => {
            Operation::UnzipModule { node: *node, folder: Arc::from(""), module: *module }
        }
        Operation::BackupRegistry { node, .. } => Operation::BackupRegistry { node: *node, file: Arc::from("") },
        Operation::InstallModule { node, module, .. } => Operation::InstallModule {
            node: *node,
            folder: Arc::from(""),
            module: *module,
            restart_answer: RestartAnswer::Decline,
        },
        // Cluster-wide operations are the same whichever node the manager reached.
        Operation::SuspendCluster { .. } => Operation::SuspendCluster { via: NodeId(0) },
        Operation::ResumeCluster { .. } => Operation::ResumeCluster { via: NodeId(0) },
        Operation::RebootCluster { .. } => Operation::RebootCluster { via: NodeId(0) },
        Operation::MoveGroup { group, to, .. } => Operation::MoveGroup { via: NodeId(0), group: *group, to: *to },
        Operation::StopResource { resource, .. } => Operation::StopResource { via: NodeId(0), resource: *resource },
        other => other.clone(),
    };
    format!("{normalized:?}")
}
