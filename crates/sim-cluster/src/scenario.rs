//! Scenario files: a cluster, a module (from a procedure file), a seed, and a schedule of
//! operations and faults played directly on the simulator — no engine, no guards — with the
//! events the run must (and must not) show.
//!
//! ```toml
//! version = 1
//! title = "What this scenario shows"
//! cluster = "cluster/ssc-two-node.toml"          # relative to the scenario file
//! procedure = "../procedures/ssc0307-0006.toml"   # the module comes from here
//! seed = 1
//!
//! [[step]]
//! do = "suspend-cluster"      # an operation ...
//! node = "ssc-node1"
//!
//! [[step]]
//! fault = "crash"             # ... or a fault
//! node = "ssc-node1"
//! then = "5m"                 # let 5 minutes pass; the default lets the cluster settle
//!
//! [expect]
//! events = ["registry sync regsync restored"]   # text that must appear in the trace
//! absent = ["installer interrupted"]             # text that must not
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend, Operation};
use procedure::cluster::{Cluster, GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use procedure::diagnostic::{FileError, FileErrorKind, SourceFile};
use procedure::event::Renderer;
use procedure::fault::{Fault, FaultKind, Targets};
use procedure::module::ModuleId;
use procedure::procedure::RestartAnswer;
use procedure::setup::Setup;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toml::Spanned;

use crate::sim::{AFTERMATH, Builder, Sim};
use crate::staged::{StagedFault, StagedSim};
use procedure::driver::{Unattended, drive};
use procedure::engine::{Ending, Engine, EngineConfig};
use procedure::invariant::{Violation, judge};

/// The longest `then` a scenario step may give: a year.
const MAX_THEN: Duration = Duration::from_secs(366 * 24 * 3600);

/// How long a scenario step waits for the cluster to settle when it gives no `then`.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(4 * 3600);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ScenarioFile {
    #[schemars(schema_with = "procedure::file_schema::version")]
    version: Spanned<u32>,
    title: String,
    #[schemars(with = "String")]
    cluster: Spanned<String>,
    #[schemars(with = "String")]
    procedure: Spanned<String>,
    #[serde(default)]
    seed: u64,
    /// Whether the engine runs with its guards (default) or as written.
    #[serde(default = "guards_on")]
    guards: bool,
    #[serde(default)]
    step: Vec<StepFile>,
    #[serde(default)]
    fault: Vec<StagedFaultFile>,
    #[serde(default)]
    expect: Option<ExpectFile>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StagedFaultFile {
    #[schemars(with = "String")]
    before_step: Spanned<String>,
    #[schemars(schema_with = "fault_kind")]
    fault: Spanned<String>,
    #[schemars(with = "Option<String>")]
    node: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    service: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    group: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    monitor: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    resource: Option<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StepFile {
    #[serde(rename = "do")]
    #[schemars(with = "Option<String>")]
    operation: Option<Spanned<String>>,
    // Said explicitly (an absent Option is None anyway) so that the schema does not require it.
    #[serde(default)]
    #[schemars(schema_with = "fault_kind")]
    fault: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    node: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    to: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    service: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    group: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    resource: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    monitor: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    folder: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    answer: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    then: Option<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ExpectFile {
    #[serde(default)]
    events: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    ending: Option<String>,
    #[serde(default)]
    violations: Option<Vec<String>>,
}

/// What one step of a schedule plays on the simulator.
#[derive(Debug, Clone)]
pub enum Play {
    /// Operations issued together (a whole-node Task Manager stop expands to several).
    Operations(Vec<Operation>),
    /// A fault injected.
    Inject(Fault),
}

/// A step of the schedule.
#[derive(Debug, Clone)]
pub struct ScheduledStep {
    /// What to do.
    pub action: Play,
    /// How long to let pass afterwards; `None` lets the cluster settle.
    pub then: Option<Duration>,
    /// Line in the scenario file.
    pub line: usize,
}

fn guards_on() -> bool {
    true
}

/// The JSON Schema of scenario files.
pub fn schema() -> Schema {
    procedure::file_schema::of::<ScenarioFile>(procedure::safe_text::FileKind::Scenario)
}

/// A `fault`: the name of a fault kind.
fn fault_kind(_: &mut SchemaGenerator) -> Schema {
    procedure::file_schema::one_of(FaultKind::ALL.iter().map(|kind| kind.name()))
}

/// A loaded scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// What it shows.
    pub title: String,
    /// The resolved cluster and module.
    pub setup: Arc<Setup>,
    /// The procedure file it names, joined to the scenario's directory.
    pub procedure_path: PathBuf,
    /// The simulator's seed.
    pub seed: u64,
    /// Whether an engine run has its guards on (`guards = false`: as written).
    pub guards: bool,
    /// The schedule.
    pub steps: Vec<ScheduledStep>,
    /// Text every run's trace must contain.
    pub expect_events: Vec<String>,
    /// Text no run's trace may contain.
    pub expect_absent: Vec<String>,
    /// Faults staged before steps of the procedure: the scenario is run by the engine.
    pub staged: Vec<StagedFault>,
    /// How an engine run must end: `completed`, `stopped`, or `refused: <invariant>`.
    pub expect_ending: Option<String>,
    /// The invariant ids an engine run must violate (none when empty).
    pub expect_violations: Option<Vec<String>>,
}

impl Scenario {
    /// Whether it has an `[expect]` table: events, absent events, an ending or violations.
    pub fn expects_anything(&self) -> bool {
        !self.expect_events.is_empty()
            || !self.expect_absent.is_empty()
            || self.expect_ending.is_some()
            || self.expect_violations.is_some()
    }
}

/// What playing a scenario produced.
#[derive(Debug, Clone)]
pub struct Played {
    /// The simulator afterwards.
    pub sim: Sim,
    /// Operations the cluster refused, as `line: message`.
    pub refusals: Vec<String>,
}

impl Scenario {
    /// Loads a scenario file and the cluster and procedure files it names.
    pub fn load(path: &Path) -> Result<Scenario, FileError> {
        let source = SourceFile::read(path)?;
        let file: ScenarioFile = procedure::safe_text::from_toml(&source, procedure::safe_text::FileKind::Scenario)?;
        let err =
            |kind, message: String, span: Range<usize>, label: &str| source.error(kind, message, Some(span), label);
        if *file.version.get_ref() != 1 {
            return Err(err(
                FileErrorKind::UnsupportedVersion,
                format!("unsupported scenario version {}", file.version.get_ref()),
                file.version.span(),
                "this build reads version 1",
            ));
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let cluster = procedure::cluster::load(&SourceFile::read(&base.join(file.cluster.get_ref()))?)?;
        let procedure_path = base.join(file.procedure.get_ref());
        let procedure = procedure::procedure::load(&SourceFile::read(&procedure_path)?, &cluster)?;
        let setup = Arc::new(Setup::new(cluster, procedure));
        let mut steps = Vec::new();
        for step in &file.step {
            steps.push(resolve_step(&source, &setup, step)?);
        }
        let mut staged = Vec::new();
        for fault in &file.fault {
            let step =
                setup.procedure.steps.iter().position(|s| &s.id == fault.before_step.get_ref()).ok_or_else(|| {
                    err(
                        FileErrorKind::UnknownName,
                        format!("the procedure has no step `{}`", fault.before_step.get_ref()),
                        fault.before_step.span(),
                        "unknown step",
                    )
                })?;
            let fields = FaultFields {
                node: fault.node.as_ref(),
                service: fault.service.as_ref(),
                group: fault.group.as_ref(),
                monitor: fault.monitor.as_ref(),
                resource: fault.resource.as_ref(),
            };
            staged
                .push(StagedFault { before_step: step, fault: resolve_fault(&source, &setup, &fault.fault, &fields)? });
        }
        let expect = file.expect.unwrap_or(ExpectFile {
            events: Vec::new(),
            absent: Vec::new(),
            ending: None,
            violations: None,
        });
        Ok(Scenario {
            title: file.title,
            setup,
            procedure_path,
            seed: file.seed,
            guards: file.guards,
            steps,
            expect_events: expect.events,
            expect_absent: expect.absent,
            staged,
            expect_ending: expect.ending,
            expect_violations: expect.violations,
        })
    }

    /// Plays the schedule on a fresh simulator.
    pub fn play(&self) -> Played {
        let mut sim = Builder::new(Arc::clone(&self.setup)).seed(self.seed).build();
        let mut refusals = Vec::new();
        for step in &self.steps {
            match &step.action {
                Play::Operations(operations) => {
                    for operation in operations {
                        if let Err(error) = sim.execute(operation) {
                            refusals.push(format!("line {}: {} {error}", step.line, operation.verb()));
                        }
                    }
                }
                Play::Inject(fault) => sim.inject(*fault),
            }
            match step.then {
                Some(length) => sim.advance(length),
                None => sim.settle(SETTLE_LIMIT),
            }
        }
        Played { sim, refusals }
    }

    /// The trace of a played scenario as text.
    pub fn render(&self, played: &Played) -> String {
        Renderer::new(&self.setup).trace(played.sim.trace())
    }
}

/// Resolves the names a scenario step or fault gives, with errors that point at them.
struct Names<'a> {
    source: &'a SourceFile,
    cluster: &'a Cluster,
    /// Where a missing field is reported: the step's `do` or `fault`.
    anchor: Range<usize>,
}

impl Names<'_> {
    fn error(&self, kind: FileErrorKind, message: String, span: Range<usize>) -> FileError {
        self.source.error(kind, message, Some(span), "here")
    }

    fn need<'f>(&self, field: Option<&'f Spanned<String>>, name: &str) -> Result<&'f Spanned<String>, FileError> {
        field.ok_or_else(|| self.error(FileErrorKind::Argument, format!("this needs `{name}`"), self.anchor.clone()))
    }

    fn lookup<T>(
        &self,
        field: Option<&Spanned<String>>,
        what: &str,
        find: impl Fn(&str) -> Option<T>,
    ) -> Result<T, FileError> {
        let value = self.need(field, what)?;
        find(value.get_ref()).ok_or_else(|| {
            self.error(FileErrorKind::UnknownName, format!("unknown {what} `{}`", value.get_ref()), value.span())
        })
    }

    fn node(&self, field: Option<&Spanned<String>>) -> Result<NodeId, FileError> {
        self.lookup(field, "node", |name| self.cluster.node_by_name(name))
    }

    fn service(&self, field: Option<&Spanned<String>>) -> Result<ServiceId, FileError> {
        self.lookup(field, "service", |name| self.cluster.service_by_name(name))
    }

    fn resource(&self, field: Option<&Spanned<String>>) -> Result<ResourceId, FileError> {
        self.lookup(field, "resource", |name| self.cluster.resource_by_name(name))
    }

    fn monitor(&self, field: Option<&Spanned<String>>) -> Result<MonitorId, FileError> {
        self.lookup(field, "monitor", |name| self.cluster.monitor_by_name(name))
    }

    /// The named group, or the first one when none is named.
    fn group(&self, field: Option<&Spanned<String>>) -> Result<GroupId, FileError> {
        match field {
            None => Ok(GroupId(0)),
            Some(_) => self.lookup(field, "group", |name| self.cluster.group_by_name(name)),
        }
    }
}

fn resolve_step(source: &SourceFile, setup: &Setup, step: &StepFile) -> Result<ScheduledStep, FileError> {
    let cluster = &setup.cluster;
    let span_of = |field: &Option<Spanned<String>>| field.as_ref().map(Spanned::span);
    let anchor = span_of(&step.operation).or(span_of(&step.fault)).unwrap_or(0..0);
    let line = source.text()[..anchor.start].matches('\n').count() + 1;
    let names = Names { source, cluster, anchor };
    let error = |kind, message: String, span: Range<usize>| names.error(kind, message, span);
    let group = || names.group(step.group.as_ref());
    let resource = || names.resource(step.resource.as_ref());
    let monitor = || names.monitor(step.monitor.as_ref());
    let folder = || -> Result<Arc<str>, FileError> {
        Ok(Arc::from(names.need(step.folder.as_ref(), "folder")?.get_ref().as_str()))
    };
    let then = match &step.then {
        None => None,
        Some(text) => Some(
            procedure::duration::parse(text.get_ref())
                .and_then(|then| {
                    // Far beyond any scenario, and far from overflowing the simulator's clock.
                    if then <= MAX_THEN { Ok(then) } else { Err(format!("`{}` is longer than a year", text.get_ref())) }
                })
                .map_err(|message| error(FileErrorKind::InvalidValue, message, text.span()))?,
        ),
    };
    let action = match (&step.operation, &step.fault) {
        (Some(operation), None) => {
            let single = |operation: Operation| Ok::<_, FileError>(Play::Operations(vec![operation]));
            match operation.get_ref().as_str() {
                "suspend-cluster" => single(Operation::SuspendCluster { via: names.node(step.node.as_ref())? })?,
                "resume-cluster" => single(Operation::ResumeCluster { via: names.node(step.node.as_ref())? })?,
                "start-cluster-service" => {
                    single(Operation::StartClusterService { node: names.node(step.node.as_ref())? })?
                }
                "stop-cluster-service" => {
                    single(Operation::StopClusterService { node: names.node(step.node.as_ref())? })?
                }
                "suspend-monitor" => {
                    single(Operation::SuspendMonitor { node: names.node(step.node.as_ref())?, monitor: monitor()? })?
                }
                "resume-monitor" => {
                    single(Operation::ResumeMonitor { node: names.node(step.node.as_ref())?, monitor: monitor()? })?
                }
                "stop-watch" | "start-watch" => {
                    let on = names.node(step.node.as_ref())?;
                    let services: Vec<ServiceId> = match &step.service {
                        Some(name) => vec![names.service(Some(name))?],
                        None => (0..cluster.services.len() as u16)
                            .map(ServiceId)
                            .filter(|s| cluster.services[s.index()].watched)
                            .collect(),
                    };
                    let start = operation.get_ref() == "start-watch";
                    Play::Operations(
                        services
                            .into_iter()
                            .map(|service| {
                                if start {
                                    Operation::StartWatch { node: on, service }
                                } else {
                                    Operation::StopWatch { node: on, service }
                                }
                            })
                            .collect(),
                    )
                }
                "stop-service" => single(Operation::StopService {
                    node: names.node(step.node.as_ref())?,
                    service: names.service(step.service.as_ref())?,
                })?,
                "start-service" => single(Operation::StartService {
                    node: names.node(step.node.as_ref())?,
                    service: names.service(step.service.as_ref())?,
                })?,
                "stop-resource" => {
                    single(Operation::StopResource { via: names.node(step.node.as_ref())?, resource: resource()? })?
                }
                "start-resource" => {
                    single(Operation::StartResource { node: names.node(step.node.as_ref())?, resource: resource()? })?
                }
                "move-group" => {
                    let to = match &step.to {
                        Some(_) => Some(names.node(step.to.as_ref())?),
                        None => None,
                    };
                    single(Operation::MoveGroup { via: names.node(step.node.as_ref())?, group: group()?, to })?
                }
                "unzip-module" => single(Operation::UnzipModule {
                    node: names.node(step.node.as_ref())?,
                    folder: folder()?,
                    module: ModuleId(0),
                })?,
                "backup-registry" => {
                    let file = Arc::from(format!("{}\\registry-backup.reg", folder()?).as_str());
                    single(Operation::BackupRegistry { node: names.node(step.node.as_ref())?, file })?
                }
                "install-module" => {
                    let restart_answer = match step.answer.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
                        None | Some(("decline", _)) => RestartAnswer::Decline,
                        Some(("restart", _)) => RestartAnswer::Restart,
                        Some((other, span)) => {
                            return Err(error(
                                FileErrorKind::UnknownKeyword,
                                format!("unknown answer `{other}`"),
                                span,
                            ));
                        }
                    };
                    single(Operation::InstallModule {
                        node: names.node(step.node.as_ref())?,
                        folder: folder()?,
                        module: ModuleId(0),
                        restart_answer,
                    })?
                }
                "reboot-node" => single(Operation::RebootNode { node: names.node(step.node.as_ref())? })?,
                "reboot-cluster" => single(Operation::RebootCluster { via: names.node(step.node.as_ref())? })?,
                "wait" => Play::Operations(Vec::new()),
                other => {
                    return Err(error(
                        FileErrorKind::UnknownKeyword,
                        format!("unknown operation `{other}`"),
                        operation.span(),
                    ));
                }
            }
        }
        (None, Some(fault)) => {
            let fields = FaultFields {
                node: step.node.as_ref(),
                service: step.service.as_ref(),
                group: step.group.as_ref(),
                monitor: step.monitor.as_ref(),
                resource: step.resource.as_ref(),
            };
            Play::Inject(resolve_fault(source, setup, fault, &fields)?)
        }
        _ => {
            return Err(error(
                FileErrorKind::Argument,
                "a scenario step has exactly one of `do` and `fault`".to_owned(),
                names.anchor.clone(),
            ));
        }
    };
    Ok(ScheduledStep { action, then, line })
}

/// The fields a fault may name.
struct FaultFields<'a> {
    node: Option<&'a Spanned<String>>,
    service: Option<&'a Spanned<String>>,
    group: Option<&'a Spanned<String>>,
    monitor: Option<&'a Spanned<String>>,
    resource: Option<&'a Spanned<String>>,
}

fn resolve_fault(
    source: &SourceFile,
    setup: &Setup,
    kind: &Spanned<String>,
    fields: &FaultFields<'_>,
) -> Result<Fault, FileError> {
    let names = Names { source, cluster: &setup.cluster, anchor: kind.span() };
    let Some(found) = FaultKind::parse(kind.get_ref()) else {
        let message = format!("unknown fault `{}`", kind.get_ref());
        return Err(names
            .error(FileErrorKind::UnknownKeyword, message, kind.span())
            .with_help(format!("faults: {}", FaultKind::names())));
    };
    found.build(&mut FieldTargets { names: &names, fields })
}

/// A fault's targets from a scenario's fields, each error at its place in the file.
struct FieldTargets<'a> {
    names: &'a Names<'a>,
    fields: &'a FaultFields<'a>,
}

impl Targets for FieldTargets<'_> {
    type Error = FileError;

    fn node(&mut self) -> Result<NodeId, FileError> {
        self.names.node(self.fields.node)
    }

    fn service(&mut self) -> Result<ServiceId, FileError> {
        self.names.service(self.fields.service)
    }

    fn monitor(&mut self) -> Result<MonitorId, FileError> {
        self.names.monitor(self.fields.monitor)
    }

    fn group(&mut self) -> Result<GroupId, FileError> {
        self.names.group(self.fields.group)
    }

    fn resource(&mut self) -> Result<ResourceId, FileError> {
        self.names.resource(self.fields.resource)
    }
}

/// A scenario run by the engine: the procedure, with the scenario's staged faults.
#[derive(Debug, Clone)]
pub struct EngineRun {
    /// The simulator afterwards.
    pub backend: StagedSim,
    /// The engine afterwards.
    pub engine: Engine,
    /// Every invariant violated.
    pub violations: Vec<Violation>,
}

impl EngineRun {
    /// `completed`, `stopped`, or `refused: <invariant>`.
    pub fn ending_text(&self) -> String {
        match self.engine.ending() {
            Some(Ending::Refused(refusal)) => format!("refused: {}", refusal.invariant.id()),
            ending => ending.unwrap_or(&Ending::Completed).word().to_owned(),
        }
    }
}

impl Scenario {
    /// Whether the engine runs this scenario (it schedules no operations of its own).
    pub fn is_engine_run(&self) -> bool {
        self.steps.is_empty()
    }

    /// Runs the scenario's procedure with the engine, injecting the staged faults.
    pub fn run_engine(&self) -> EngineRun {
        let sim = Builder::new(Arc::clone(&self.setup)).seed(self.seed).build();
        let initial = sim.observation().clone();
        let mut backend = StagedSim::new(sim, self.staged.clone());
        let mut engine = Engine::new(Arc::clone(&self.setup), EngineConfig::standard().with_guards(self.guards));
        drive(&mut engine, &mut backend, None, &mut Unattended).expect("no journal, so nothing to fail");
        if !matches!(engine.ending(), Some(Ending::Completed)) {
            backend.sim.after_stop(AFTERMATH);
        }
        let judge_final = self.staged.is_empty() || matches!(engine.ending(), Some(Ending::Completed));
        let violations =
            judge(&self.setup, &initial, backend.events(), backend.sim.observation(), engine.roles(), judge_final);
        EngineRun { backend, engine, violations }
    }
}
