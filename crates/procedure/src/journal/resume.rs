//! Resuming from a journal: its records read back into a [`Resumption`], after checking that
//! the procedure and the cluster are the ones it was written for.

use std::path::Path;
use std::time::Duration;

use crate::action::kind::Milestone;
use crate::cluster::NodeId;
use crate::observation::Observation;
use crate::operation::Operation;
use crate::roles::Roles;
use crate::setup::Setup;

use crate::journal::error::JournalError;
use crate::journal::record::{Record, records};

/// What a resumed engine needs to know from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumption {
    /// Roles as bound by the first run, if it got as far as a step.
    pub roles: Option<Roles>,
    /// The step to continue with: the last one that began.
    pub next_step: usize,
    /// Engine state when that step began.
    pub apply_started: bool,
    /// See above.
    pub resumed: bool,
    /// See above.
    pub restart_pending: bool,
    /// Operations of that step that completed (`step`, `task`, operation).
    pub completed_operations: Vec<(usize, usize, Operation)>,
    /// An operation whose intent was written but not its outcome, with the boot counts then.
    pub unfinished: Option<(usize, usize, Operation, Vec<u32>)>,
    /// The run already finished, with this ending.
    pub finished: Option<String>,
    /// Time of the last record, ms.
    pub last_at: Duration,
    /// The seed of the first run, on the simulator.
    pub seed: Option<u64>,
    /// The scenario of the first run.
    pub scenario: Option<String>,
    /// Every record, in order.
    pub records: Vec<Record>,
}

impl Resumption {
    /// Reads a journal's text (`path` names it in errors) and checks it against the
    /// procedure and cluster of this run. Pure: [`Journal::resume`] reads and locks the file.
    pub fn parse(path: &Path, text: &str, setup: &Setup, cluster_identity: &str) -> Result<Resumption, JournalError> {
        let records = records(path, text, setup.procedure.steps.len(), setup.cluster.nodes.len())?;
        Resumption::from_records(path, setup, cluster_identity, records)
    }

    fn from_records(
        path: &Path,
        setup: &Setup,
        cluster_identity: &str,
        records: Vec<Record>,
    ) -> Result<Resumption, JournalError> {
        let mismatch = |reason: String| JournalError::Mismatch { path: path.display().to_string(), reason };
        let Some(Record::RunStarted { procedure_hash, cluster_identity: journal_cluster, seed, scenario, .. }) =
            records.first()
        else {
            return Err(mismatch("it does not begin with a run-started record".to_owned()));
        };
        if procedure_hash != &setup.procedure.content_hash {
            return Err(mismatch(format!(
                "the procedure file changed since the run began (journal {procedure_hash}, now {})",
                setup.procedure.content_hash
            )));
        }
        if journal_cluster != cluster_identity {
            // A scenario names its cluster: a resume without it resolves another one.
            let hint = match scenario {
                Some(scenario) => format!("; the run used --scenario {scenario}: add --scenario FILE to resume it"),
                None => String::new(),
            };
            return Err(mismatch(format!(
                "it was written for cluster {journal_cluster:?}, and this is {cluster_identity:?}{hint}"
            )));
        }
        let node = |name: &str| -> Result<NodeId, JournalError> {
            setup
                .cluster
                .node_by_name(name)
                .ok_or_else(|| mismatch(format!("it names node {name:?}, which the cluster lacks")))
        };
        let mut resumption = Resumption {
            roles: None,
            next_step: 0,
            apply_started: false,
            resumed: false,
            restart_pending: false,
            completed_operations: Vec::new(),
            unfinished: None,
            finished: None,
            last_at: Duration::ZERO,
            seed: *seed,
            scenario: scenario.clone(),
            records: Vec::new(),
        };
        let mut intents: Vec<(u64, usize, usize, Operation, Vec<u32>)> = Vec::new();
        for record in &records {
            match record {
                Record::RunStarted { .. }
                | Record::Confirmation { .. }
                | Record::RegistryDrift { .. }
                | Record::Probed { .. } => {}
                Record::Resumed { at_ms } => resumption.last_at = Duration::from_millis(*at_ms),
                Record::StepStarted { step, id, at_ms, active, standbys, apply_started, resumed, restart_pending } => {
                    if setup.procedure.steps.get(*step).map(|s| &s.id) != Some(id) {
                        return Err(mismatch(format!("step {step} is {id:?} in the journal")));
                    }
                    if *step != resumption.next_step {
                        resumption.completed_operations.clear();
                    }
                    resumption.next_step = *step;
                    resumption.roles = Some(Roles {
                        active: node(active)?,
                        standbys: standbys.iter().map(|s| node(s)).collect::<Result<_, _>>()?,
                    });
                    resumption.apply_started = *apply_started;
                    resumption.resumed = *resumed;
                    resumption.restart_pending = *restart_pending;
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
                Record::Intent { op, step, task, operation, boots, at_ms } => {
                    let operation = operation.to_operation(setup).map_err(mismatch)?;
                    intents.push((*op, *step, *task, operation, boots.clone()));
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
                Record::Outcome { op, result, at_ms } => {
                    resumption.last_at = Duration::from_millis(*at_ms);
                    if let Some(position) = intents.iter().position(|(o, ..)| o == op) {
                        let (_, step, task, operation, _) = intents.remove(position);
                        if result == "ok" && step == resumption.next_step {
                            resumption.completed_operations.push((step, task, operation));
                        }
                    }
                }
                Record::Finished { ending, at_ms } => {
                    resumption.finished = Some(ending.clone());
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
            }
        }
        if let Some(roles) = &resumption.roles {
            let mut nodes: Vec<NodeId> = std::iter::once(roles.active).chain(roles.standbys.iter().copied()).collect();
            nodes.sort();
            let before = nodes.len();
            nodes.dedup();
            if nodes.len() != before || nodes.len() != setup.cluster.nodes.len() {
                return Err(mismatch(
                    "its roles do not name every node of the cluster exactly once (one active, the rest standby)"
                        .to_owned(),
                ));
            }
        }
        if let Some((_, step, task, operation, boots)) = intents.pop() {
            resumption.unfinished = Some((step, task, operation, boots));
        }
        resumption.records = records;
        Ok(resumption)
    }

    /// Checks the observed cluster against the journal: a cluster that contradicts it (a
    /// node it does not know, a suspension the journal cannot explain) is refused.
    pub fn check_against(&self, path: &Path, setup: &Setup, observation: &Observation) -> Result<(), JournalError> {
        let mismatch = |reason: String| JournalError::Mismatch { path: path.display().to_string(), reason };
        if observation.nodes.len() != setup.cluster.nodes.len() {
            return Err(mismatch("the cluster has a different number of nodes".to_owned()));
        }
        let suspended = observation.cluster_suspended();
        let suspend_step = setup.procedure.steps.iter().position(|s| s.action.is(Milestone::SuspendsCluster));
        if suspended && suspend_step.is_none_or(|step| self.next_step < step) {
            return Err(mismatch("the cluster is suspended, but the journal never got to suspending it".to_owned()));
        }
        for (id, module) in setup.procedure.module_ids() {
            let installed = module
                .components
                .iter()
                .any(|c| observation.nodes.iter().any(|n| n.component(c.component) == c.version));
            let install_step =
                setup.procedure.steps.iter().position(|s| {
                    s.action.is(Milestone::InstallsModule) && s.action.module().unwrap_or_default() == id
                });
            if installed && install_step.is_some_and(|step| self.next_step < step) {
                let what = if setup.procedure.modules.len() == 1 { "the module".to_owned() } else { module.id.clone() };
                return Err(mismatch(format!(
                    "{what} is already installed on a node, but the journal never got to installing it"
                )));
            }
        }
        Ok(())
    }
}
