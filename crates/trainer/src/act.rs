//! What a trainee can do, as the page's forms send it (`do=stop-service&node=...`) and as an
//! action log stores it: names, never ids, so that a log reads as what was clicked.

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Operation, Power};
use procedure::cluster::{NodeId, ServiceId};
use procedure::procedure::RestartAnswer;
use procedure::setup::Setup;
use serde::{Deserialize, Serialize};
use sim_cluster::sim::Sim;

/// The longest single wait a trainee can ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(3600);

/// One action of the trainee. Every field is text, as a form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Act {
    /// Cluster Manager, Service menu: Suspend Cluster.
    SuspendCluster,
    /// Cluster Manager, Service menu: Resume Cluster.
    ResumeCluster,
    /// Cluster Manager: move a group to a server.
    MoveGroup {
        /// The group.
        group: String,
        /// The server.
        to: String,
    },
    /// Cluster Manager: stop the cluster service on a server (its groups move away).
    StopClusterService {
        /// The node.
        node: String,
    },
    /// Cluster Manager: start the cluster service on a server.
    StartClusterService {
        /// The node.
        node: String,
    },
    /// Cluster Manager: stop one group resource (and those that depend on it).
    StopResource {
        /// The resource.
        resource: String,
    },
    /// Cluster Manager: start one group resource (and those it needs), where its group runs.
    StartResource {
        /// The resource.
        resource: String,
    },
    /// Task Manager: Stop Monitoring of a service on a node.
    StopMonitoring {
        /// The node.
        node: String,
        /// The service.
        service: String,
    },
    /// Task Manager: Start Monitoring.
    StartMonitoring {
        /// The node.
        node: String,
        /// The service.
        service: String,
    },
    /// Services panel: Stop.
    StopService {
        /// The node.
        node: String,
        /// The service.
        service: String,
    },
    /// Services panel: Start.
    StartService {
        /// The node.
        node: String,
        /// The service.
        service: String,
    },
    /// Explorer: Extract All into a folder.
    Unzip {
        /// The node.
        node: String,
        /// The folder.
        folder: String,
    },
    /// Export the registry keys into a file.
    BackupRegistry {
        /// The node.
        node: String,
        /// The file.
        file: String,
    },
    /// Run the module's installer from a folder.
    RunInstaller {
        /// The node.
        node: String,
        /// The folder.
        folder: String,
    },
    /// Answer the installer's "restart now?".
    AnswerPrompt {
        /// The node.
        node: String,
        /// `yes` or `no`.
        answer: String,
    },
    /// Restart Windows on a node.
    Reboot {
        /// The node.
        node: String,
    },
    /// Open a server's Services panel: what the trainee sees there counts as checked.
    OpenServices {
        /// The node.
        node: String,
    },
    /// Close a server's Services panel.
    CloseServices {
        /// The node.
        node: String,
    },
    /// Ask what to do next (it costs points).
    Hint,
    /// Acknowledge the alerts and the monitors' last errors (they leave the screen).
    ClearAlerts,
    /// Let time pass.
    Wait {
        /// Seconds, 1 to 3600.
        seconds: String,
    },
    /// Let time pass until nothing is in progress (at most an hour).
    WaitUntilDone,
    /// The trainee says the procedure is done: the final invariants are judged.
    Finish,
    /// The trainee stops: the final invariants are not reached.
    GiveUp,
    /// Stop the procedure and bring the cluster back to serving instead (recovery practice).
    StopAndRecover,
    /// Ask for the recovery plan (it costs points, as a hint does).
    RecoveryPlan,
    /// Bring a server back, as a recovery plan asks first: power it on, or make it answer
    /// again.
    BringBack {
        /// The node.
        node: String,
    },
    /// A fault the instructor injects (the server takes it only from the instructor's
    /// page; it is in the log so that the log replays the session).
    Inject(super::inject::Injection),
}

/// An action with its names resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// An operation on the cluster.
    Operation(Operation),
    /// The prompt's answer on a node.
    Answer(NodeId, RestartAnswer),
    /// A look or a click that changes only the screen.
    Screen(Screen),
    /// A wait.
    Wait(Duration),
    /// Wait until quiet.
    WaitUntilDone,
    /// The end.
    Finish,
    /// The end, given up.
    GiveUp,
    /// Recovery practice.
    Practice(Practise),
    /// The instructor's fault, at once or before a step (index).
    Inject(procedure::event::Fault, Option<usize>),
}

/// What the trainee does in recovery practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Practise {
    /// Stop the procedure and recover.
    Stop,
    /// Ask for the plan.
    Plan,
    /// Bring the node back.
    BringBack(NodeId),
}

/// What changes only the trainee's screen, not the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// A node's Services panel opened.
    OpenServices(NodeId),
    /// ... or closed.
    CloseServices(NodeId),
    /// The hint asked for.
    Hint,
    /// The alerts acknowledged.
    ClearAlerts,
}

impl Act {
    /// Resolves names against the simulated cluster; an error says which name is unknown.
    pub fn resolve(&self, sim: &Sim) -> Result<Resolved, String> {
        let cluster = &sim.setup().cluster;
        let node = |name: &str| cluster.node_by_name(name).ok_or_else(|| format!("no server {name:?}"));
        let service = |name: &str| cluster.service_by_name(name).ok_or_else(|| format!("no service {name:?}"));
        let resource_id = |name: &str| cluster.resource_by_name(name).ok_or_else(|| format!("no resource {name:?}"));
        let folder = |text: &str| -> Result<Arc<str>, String> {
            let text = text.trim();
            if text.is_empty() || text.len() > 260 || text.chars().any(char::is_control) {
                return Err(format!("{text:?} is not a folder"));
            }
            Ok(Arc::from(text))
        };
        Ok(Resolved::Operation(match self {
            Act::SuspendCluster => Operation::SuspendCluster { via: manager_node(sim) },
            Act::ResumeCluster => Operation::ResumeCluster { via: manager_node(sim) },
            Act::MoveGroup { group, to } => Operation::MoveGroup {
                via: manager_node(sim),
                group: cluster.group_by_name(group).ok_or_else(|| format!("no group {group:?}"))?,
                to: Some(node(to)?),
            },
            Act::StopClusterService { node: n } => Operation::StopClusterService { node: node(n)? },
            Act::StartClusterService { node: n } => Operation::StartClusterService { node: node(n)? },
            Act::StopResource { resource } => {
                Operation::StopResource { via: manager_node(sim), resource: resource_id(resource)? }
            }
            Act::StartResource { resource } => {
                let resource = resource_id(resource)?;
                // Where its group runs; a group that runs nowhere starts where the manager is.
                let group = cluster.resources[resource.index()].group;
                let node = sim.observation().groups[group.index()].owner.unwrap_or_else(|| manager_node(sim));
                Operation::StartResource { node, resource }
            }
            Act::StopMonitoring { node: n, service: s } => {
                Operation::StopWatch { node: node(n)?, service: service(s)? }
            }
            Act::StartMonitoring { node: n, service: s } => {
                Operation::StartWatch { node: node(n)?, service: service(s)? }
            }
            Act::StopService { node: n, service: s } => Operation::StopService { node: node(n)?, service: service(s)? },
            Act::StartService { node: n, service: s } => {
                Operation::StartService { node: node(n)?, service: service(s)? }
            }
            Act::Unzip { node: n, folder: f } => {
                let module = sim.setup().procedure.module_in_folder(f);
                Operation::UnzipModule { node: node(n)?, folder: folder(f)?, module }
            }
            Act::BackupRegistry { node: n, file } => Operation::BackupRegistry { node: node(n)?, file: folder(file)? },
            Act::RunInstaller { node: n, folder: f } => Operation::InstallModule {
                node: node(n)?,
                folder: folder(f)?,
                module: sim.setup().procedure.module_in_folder(f),
                // The simulator of a training session leaves the prompt to the trainee.
                restart_answer: RestartAnswer::Decline,
            },
            Act::Reboot { node: n } => Operation::RebootNode { node: node(n)? },
            Act::AnswerPrompt { node: n, answer } => {
                let answer = match answer.as_str() {
                    "yes" => RestartAnswer::Restart,
                    "no" => RestartAnswer::Decline,
                    other => return Err(format!("answer {other:?} is neither yes nor no")),
                };
                return Ok(Resolved::Answer(node(n)?, answer));
            }
            Act::Wait { seconds } => {
                let seconds: u64 =
                    seconds.trim().parse().map_err(|_| format!("{seconds:?} is not a number of seconds"))?;
                let length = Duration::from_secs(seconds);
                if length.is_zero() || length > MAX_WAIT {
                    return Err(format!("a wait is 1 to {} seconds", MAX_WAIT.as_secs()));
                }
                return Ok(Resolved::Wait(length));
            }
            Act::WaitUntilDone => return Ok(Resolved::WaitUntilDone),
            Act::OpenServices { node: n } => return Ok(Resolved::Screen(Screen::OpenServices(node(n)?))),
            Act::CloseServices { node: n } => return Ok(Resolved::Screen(Screen::CloseServices(node(n)?))),
            Act::Hint => return Ok(Resolved::Screen(Screen::Hint)),
            Act::ClearAlerts => return Ok(Resolved::Screen(Screen::ClearAlerts)),
            Act::Finish => return Ok(Resolved::Finish),
            Act::GiveUp => return Ok(Resolved::GiveUp),
            Act::StopAndRecover => return Ok(Resolved::Practice(Practise::Stop)),
            Act::RecoveryPlan => return Ok(Resolved::Practice(Practise::Plan)),
            Act::BringBack { node: n } => return Ok(Resolved::Practice(Practise::BringBack(node(n)?))),
            Act::Inject(asked) => {
                let (fault, step) = super::inject::build(sim.setup(), asked)?;
                return Ok(Resolved::Inject(fault, step));
            }
        }))
    }
}

impl Act {
    /// The action that issues `operation`, the way a trainee would click it; `None` for an
    /// operation the trainer's screens do not offer (a cluster-safe reboot, a monitor
    /// operation).
    pub fn from_operation(setup: &Setup, operation: &Operation) -> Option<Act> {
        let node = |n: NodeId| setup.node_name(n).to_owned();
        let service = |s: ServiceId| setup.service_name(s).to_owned();
        Some(match operation {
            Operation::SuspendCluster { .. } => Act::SuspendCluster,
            Operation::ResumeCluster { .. } => Act::ResumeCluster,
            Operation::MoveGroup { group, to: Some(to), .. } => {
                Act::MoveGroup { group: setup.group_name(*group).to_owned(), to: node(*to) }
            }
            Operation::StopWatch { node: n, service: s } => {
                Act::StopMonitoring { node: node(*n), service: service(*s) }
            }
            Operation::StartWatch { node: n, service: s } => {
                Act::StartMonitoring { node: node(*n), service: service(*s) }
            }
            Operation::StopService { node: n, service: s } => Act::StopService { node: node(*n), service: service(*s) },
            Operation::StartService { node: n, service: s } => {
                Act::StartService { node: node(*n), service: service(*s) }
            }
            Operation::UnzipModule { node: n, folder, .. } => Act::Unzip { node: node(*n), folder: folder.to_string() },
            Operation::BackupRegistry { node: n, file } => {
                Act::BackupRegistry { node: node(*n), file: file.to_string() }
            }
            Operation::InstallModule { node: n, folder, .. } => {
                Act::RunInstaller { node: node(*n), folder: folder.to_string() }
            }
            Operation::RebootNode { node: n } => Act::Reboot { node: node(*n) },
            Operation::StopClusterService { node: n } => Act::StopClusterService { node: node(*n) },
            Operation::StartClusterService { node: n } => Act::StartClusterService { node: node(*n) },
            Operation::StopResource { resource, .. } => {
                Act::StopResource { resource: setup.resource_name(*resource).to_owned() }
            }
            Operation::StartResource { resource, .. } => {
                Act::StartResource { resource: setup.resource_name(*resource).to_owned() }
            }
            _ => return None,
        })
    }
}

/// The node the Cluster Manager reaches: the one that holds the first group (the manager's
/// floating address follows it), or else the first node that is up.
pub fn manager_node(sim: &Sim) -> NodeId {
    let observation = sim.observation();
    let up = |node: NodeId| observation.nodes[node.index()].power == Power::Up;
    observation
        .groups
        .first()
        .and_then(|group| group.owner)
        .filter(|&owner| up(owner))
        .or_else(|| (0..observation.nodes.len()).map(|n| NodeId(n as u8)).find(|&n| up(n)))
        .unwrap_or(NodeId(0))
}
