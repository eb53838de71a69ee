//! [`RealBackend`]: the engine's [`Backend`] on real nodes, made of the command builders,
//! the parsers and one [`Transport`] per node.
//!
//! Observing runs, on every node, `clpstat --long` (plain `clpstat` where `--long` is
//! refused), one `sc.exe query` listing every
//! service, and `reg query` of the keys that registry sync covers and the module writes.
//! Acting runs the one command an [`Operation`] maps to and reads its result; slow changes
//! (suspend, moves, service starts) show up in later observations, which the engine polls.
//!
//! What no command shows is tracked from the backend's own successful commands and marked
//! `Inferred:` where it is set: the Task Manager watch, installed component versions, the
//! unzipped folder, registry exports, the installer's outcome and the boot counter.

mod execute;
pub(crate) mod observe;
mod probe;
mod rest_api;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use procedure::backend::{
    Backend, BackendError, ClusterService, GroupState, GroupStatus, Installer, MonitorStatus, NodeState, Observation,
    Operation, Power, ResourceState, ResourceStatus, ServiceStatus, Watch,
};
use procedure::cluster::NodeId;
use procedure::event::{Event, EventKind};
use procedure::module::ModuleId;
use procedure::observation::Unzipped;
use procedure::setup::Setup;
use procedure::shared::Shared;
use remote::archive::Manifest;
use remote::argv::Argv;
use remote::output::Output;
use remote::transport::{Transport, TransportError};

use crate::clock::{Clock, SystemClock};
use crate::drift::DriftDetector;

/// The archive of `module` (its id `id`): named by id in the connection file's
/// `[module.archives]`, or, for the first module, its `[module] archive`. Pre-flight and the
/// unzip step take it alike.
pub fn archive_of<'a>(
    archive: Option<&'a std::path::Path>,
    archives: &'a BTreeMap<String, PathBuf>,
    module: ModuleId,
    id: &str,
) -> Option<&'a std::path::Path> {
    archives.get(id).map(PathBuf::as_path).or(archive.filter(|_| module == ModuleId(0)))
}

/// How long commands may take, and the commands a site declares.
#[derive(Debug, Clone)]
pub struct Config {
    /// Any single command other than the installer.
    pub command_timeout: Duration,
    /// The installer.
    pub install_timeout: Duration,
    /// Copying one file to a node.
    pub copy_timeout: Duration,
    /// Service key names (`sc.exe` takes these) by the display names the cluster
    /// description uses; a service not listed has a key name equal to its display name.
    pub service_keys: BTreeMap<String, String>,
    /// The installer's silent command: a program inside the module folder and its arguments.
    pub installer: Option<InstallerCommand>,
    /// The module archive on this machine: the first module's (the only one's, usually).
    pub archive: Option<PathBuf>,
    /// The archives of a procedure's modules by module id, where it applies several (the
    /// first module's may be here too, and is then taken from here).
    pub archives: BTreeMap<String, PathBuf>,
    /// Where the first module's archive is extracted on this machine, once; another module's
    /// is extracted beside it, in `module-<id>`.
    pub staging: PathBuf,
    /// The commands that set a service's Task Manager watch, when the site has them.
    pub watch: Option<WatchCommands>,
    /// Whether `clpstat --long` (wide names) is used instead of `clpstat`.
    pub clpstat_long: bool,
}

/// The installer's silent command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallerCommand {
    /// The program, relative to the folder the module was extracted into.
    pub program: String,
    /// Its arguments, verbatim.
    pub args: Vec<String>,
}

/// Commands that stop and start the Task Manager watch of one service; an element that is
/// exactly `{service}` is replaced by the service's key name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchCommands {
    /// Sets the watch to Not monitoring.
    pub stop: Vec<String>,
    /// Sets it back to Monitoring.
    pub start: Vec<String>,
    /// Lists every watched service as `NAME : Monitoring` or `NAME : Not monitoring`, one
    /// per line; without it the backend tracks the watch from its own commands.
    pub list: Option<Vec<String>>,
}

/// One node and the way to reach it.
pub struct NodeLink {
    /// Its host name, as in the cluster description.
    pub name: String,
    /// How to reach it.
    pub transport: Box<dyn Transport>,
}

impl std::fmt::Debug for NodeLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} via {}", self.name, self.transport.describe())
    }
}

/// One command as run, for the overhead figures and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    /// The node's name.
    pub node: String,
    /// The command, as shown to people.
    pub command: String,
    /// How long it took, transport included.
    pub took: Duration,
    /// Its exit code, or the transport error.
    pub outcome: Result<Option<i32>, String>,
    /// What it printed (standard output, then standard error), decoded; empty for a copy and
    /// a REST exchange.
    pub output: String,
    /// The step the engine had last started when it ran (its index in the procedure); `None`
    /// before the first step (the pre-flight checks, the first observation).
    pub step: Option<usize>,
}

/// The backend on real nodes.
#[derive(Debug)]
pub struct RealBackend {
    setup: Arc<Setup>,
    config: Config,
    links: Vec<NodeLink>,
    observation: Observation,
    clock: Box<dyn Clock>,
    /// Inferred: the watch state, as the backend's own commands left it.
    watches: Vec<Vec<Watch>>,
    /// By module: the manifest of its archive, once extracted.
    manifests: Vec<Option<Manifest>>,
    drift: DriftDetector,
    commands: Vec<CommandRecord>,
    /// The step last started, which each command is recorded under.
    step: Option<usize>,
    /// Registry data seen on nodes that the setup does not know (ids past the setup's).
    foreign_data: Vec<Arc<str>>,
    /// Observed events: what changed between two observations, or what a command ended.
    events: Vec<Event>,
    /// The cluster's REST API, when it is used instead of its command lines.
    rest: Option<crate::rest::RestClient>,
    /// Per node, why its transport last failed to reach it; cleared when a command runs
    /// there. What [`RealBackend::describe_error`] says of an unreachable node.
    why_unreachable: Vec<Option<TransportError>>,
    /// Per node, whether it refused `clpstat --long` and is asked with plain `clpstat`.
    plain_clpstat: Vec<bool>,
    /// What [`RealBackend::probe`] found, once run.
    capabilities: Option<crate::capabilities::Capabilities>,
}

impl RealBackend {
    /// A backend for the cluster of `setup`, reaching each node through its link (in the
    /// cluster description's node order).
    pub fn new(setup: Arc<Setup>, config: Config, links: Vec<NodeLink>) -> Result<RealBackend, String> {
        for (i, node) in setup.cluster.nodes.iter().enumerate() {
            match links.get(i) {
                Some(link) if link.name.eq_ignore_ascii_case(&node.name) => {}
                _ => return Err(format!("no connection is given for node {} (in cluster order)", node.name)),
            }
        }
        if links.len() != setup.cluster.nodes.len() {
            return Err("the connection names more nodes than the cluster has".to_owned());
        }
        let cluster = &setup.cluster;
        let versions: Vec<Arc<str>> = cluster.components.iter().map(|c| Arc::from(c.version.as_str())).collect();
        // Inferred: no command reads the watch; services the cluster description marks as
        // watched start out Monitoring.
        let watch_row: Vec<Watch> =
            cluster.services.iter().map(|s| if s.watched { Watch::Monitoring } else { Watch::Absent }).collect();
        let node = NodeState {
            reachable: false,
            power: Power::Up,
            cluster: ClusterService::Stopped,
            services: vec![ServiceStatus::Stopped; cluster.services.len()],
            watches: watch_row.clone(),
            monitors: vec![MonitorStatus::Offline; cluster.monitors.len()],
            components: versions,
            registry: setup.registry.iter().map(|slot| slot.baseline).collect(),
            unzipped: Unzipped::default(),
            registry_backups: Vec::new(),
            installer: Installer::Idle,
            installer_module: ModuleId(0),
            boots: 1,
        };
        let observation = Observation {
            at: Duration::ZERO,
            nodes: vec![Shared::new(node); cluster.nodes.len()],
            groups: vec![GroupState { status: GroupStatus::Offline, owner: None }; cluster.groups.len()],
            resources: vec![ResourceState { status: ResourceStatus::Offline, node: None }; cluster.resources.len()]
                .into(),
            mirror_unzipped: Unzipped::default(),
        };
        Ok(RealBackend {
            why_unreachable: vec![None; cluster.nodes.len()],
            plain_clpstat: vec![false; cluster.nodes.len()],
            drift: DriftDetector::default(),
            watches: vec![watch_row; cluster.nodes.len()],
            setup,
            config,
            links,
            observation,
            clock: Box::new(SystemClock::default()),
            manifests: Vec::new(),
            commands: Vec::new(),
            step: None,
            foreign_data: Vec::new(),
            events: Vec::new(),
            rest: None,
            capabilities: None,
        })
    }

    /// Replaces the wall clock (a simulated cluster's nodes keep virtual time).
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) {
        self.clock = clock;
    }

    /// Every command run so far, with its duration.
    pub fn commands(&self) -> &[CommandRecord] {
        &self.commands
    }

    /// The registry drift found so far.
    pub fn drift(&self) -> &DriftDetector {
        &self.drift
    }

    /// The manifests of the extracted modules' archives, by module, once extracted.
    pub fn manifests(&self) -> impl Iterator<Item = (ModuleId, &Manifest)> {
        self.manifests.iter().enumerate().filter_map(|(i, m)| m.as_ref().map(|m| (ModuleId(i as u8), m)))
    }

    /// Takes in an operation that an earlier process of this backend completed, as a journal
    /// recorded it: what no command shows is tracked from it as if this backend had run it
    /// (the installer's outcome and the module's versions after an install, the unzipped
    /// folder, a registry export, the Task Manager watch). Other operations show in the next
    /// observation and change nothing here.
    ///
    /// Inferred, as where the backend's own commands set them: an install recorded as done
    /// left the module's versions in place (no restart asked: the journal keeps no exit code).
    pub fn recall(&mut self, operation: &Operation) {
        let setup = Arc::clone(&self.setup);
        match *operation {
            Operation::InstallModule { node, module, .. } => {
                let state = self.observation.nodes[node.index()].make_mut();
                state.installer = Installer::Finished { restart_requested: false };
                state.installer_module = module;
                for component in &setup.procedure.module(module).components {
                    state.components[component.component.index()] = component.version.as_str().into();
                }
            }
            Operation::UnzipModule { node, ref folder, module } => {
                self.observation.nodes[node.index()].make_mut().unzipped.set(module, Some(Arc::clone(folder)));
            }
            Operation::BackupRegistry { node, ref file } => {
                let backups = &mut self.observation.nodes[node.index()].make_mut().registry_backups;
                if !backups.iter().any(|known| procedure::backend::same_path(known, file)) {
                    backups.push(Arc::clone(file));
                }
            }
            Operation::StopWatch { node, service } | Operation::StartWatch { node, service } => {
                let watch = if matches!(operation, Operation::StopWatch { .. }) {
                    Watch::NotMonitoring
                } else {
                    Watch::Monitoring
                };
                self.watches[node.index()][service.index()] = watch;
                self.observation.nodes[node.index()].make_mut().watches[service.index()] = watch;
            }
            _ => {}
        }
    }

    /// Runs one command on a node (for pre-flight checks), recorded like the others.
    pub fn run_command(&mut self, node: NodeId, argv: &Argv) -> Result<Output, BackendError> {
        self.run_on(node, argv, self.config.command_timeout)
    }

    /// The settings it was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A backend error as one line that names the node, for people; for a node that does
    /// not answer, why: refused, the key, the host key, or the timeout that ran out, with its
    /// length.
    pub fn describe_error(&self, error: &BackendError) -> String {
        match error {
            BackendError::Unreachable { node } => {
                let via = self.links[node.index()].transport.describe();
                match &self.why_unreachable[node.index()] {
                    Some(why) => {
                        format!("{} does not answer via {via}: {}", self.node_name(*node), why.why_unreachable())
                    }
                    None => format!("{} does not answer via {via}", self.node_name(*node)),
                }
            }
            BackendError::Refused { node, reason } => format!("{} refused: {reason}", self.node_name(*node)),
            BackendError::Failed { message, .. } => message.clone(),
        }
    }

    fn node_name(&self, node: NodeId) -> &str {
        &self.links[node.index()].name
    }

    /// Runs `argv` on a node with `timeout`, recording it. Transport failures become
    /// `Unreachable` (the node does not answer) or `Failed` naming the node and command.
    fn run_on(&mut self, node: NodeId, argv: &Argv, timeout: Duration) -> Result<Output, BackendError> {
        self.run_raw(node, argv, timeout).map_err(|error| self.transport_error(node, argv, error))
    }

    /// Runs `argv` on a node, recording it, and returns the transport's own error.
    fn run_raw(&mut self, node: NodeId, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let started = Instant::now();
        let result = self.links[node.index()].transport.run(argv, timeout);
        if result.is_ok() {
            self.why_unreachable[node.index()] = None;
        }
        self.commands.push(CommandRecord {
            node: self.node_name(node).to_owned(),
            command: argv.to_string(),
            took: started.elapsed(),
            outcome: result.as_ref().map(|output| output.code).map_err(ToString::to_string),
            output: result.as_ref().map(Output::text).unwrap_or_default(),
            step: self.step,
        });
        result
    }

    fn transport_error(&mut self, node: NodeId, argv: &Argv, error: TransportError) -> BackendError {
        match error {
            TransportError::Unreachable { .. }
            | TransportError::Timeout { .. }
            | TransportError::ConnectTimeout { .. } => {
                self.why_unreachable[node.index()] = Some(error);
                BackendError::Unreachable { node }
            }
            other => BackendError::Failed {
                node,
                message: format!(
                    "{}: `{argv}` via {}: {other}",
                    self.node_name(node),
                    self.links[node.index()].transport.describe()
                ),
            },
        }
    }

    /// A `Failed` error naming the node.
    fn failed(&self, node: NodeId, message: impl std::fmt::Display) -> BackendError {
        BackendError::Failed { node, message: format!("{}: {message}", self.node_name(node)) }
    }

    /// The service key name `sc.exe` takes for a service of the cluster description.
    fn service_key(&self, service: procedure::cluster::ServiceId) -> &str {
        let name = &self.setup.cluster.services[service.index()].name;
        self.config.service_keys.get(name).map_or(name.as_str(), String::as_str)
    }
}

impl Backend for RealBackend {
    fn observe(&mut self) -> Result<&Observation, BackendError> {
        self.observe_all()?;
        Ok(&self.observation)
    }

    fn execute(&mut self, operation: &Operation) -> Result<(), BackendError> {
        self.execute_operation(operation)
    }

    fn wait(&mut self, length: Duration) {
        self.clock.sleep(length);
    }

    fn now(&self) -> Duration {
        self.clock.now()
    }

    fn mark_step(&mut self, step: usize) {
        self.step = Some(step);
        let at = self.clock.now();
        self.events.push(Event { at, kind: EventKind::StepStarted { step: step as u16 } });
    }

    /// Observed events, not ground truth: installers starting and ending (seen by the
    /// command that runs them), and the cluster suspending, resuming and groups starting and
    /// coming online as successive observations show them, stamped with the observation's
    /// time. The invariants judge these as they judge the simulator's.
    fn events(&self) -> &[Event] {
        &self.events
    }
}

#[cfg(test)]
mod tests;
