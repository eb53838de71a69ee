//! The boundary between the engine and a cluster: operations as data, observations as data,
//! and the [`Backend`] trait that the simulator and the real backend implement.
//!
//! Operations return as soon as they are issued; slow ones (suspend, resume, group moves,
//! installs, reboots) leave Pending states that the engine polls with [`Backend::observe`]
//! and [`Backend::wait`] until its postcondition holds or a timeout passes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{ComponentId, GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use crate::event::{Event, InstallerFailure, Interruption};
use crate::setup::DataId;
use crate::shared::Shared;

/// Something the engine asks a cluster to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Suspend the cluster (`clpcl --suspend`), issued on `via`.
    SuspendCluster { via: NodeId },
    /// Resume the cluster (`clpcl --resume`), issued on `via`.
    ResumeCluster { via: NodeId },
    /// Start the cluster service on a node (`clpcl -s -h`).
    StartClusterService { node: NodeId },
    /// Stop the cluster service on a node (`clpcl -t -h`).
    StopClusterService { node: NodeId },
    /// Suspend a monitor resource on a node (`clpmonctrl -s -h -m`).
    SuspendMonitor { node: NodeId, monitor: MonitorId },
    /// Resume a monitor resource on a node (`clpmonctrl -r -h -m`).
    ResumeMonitor { node: NodeId, monitor: MonitorId },
    /// Task Manager: set a service's watch to Not monitoring.
    StopWatch { node: NodeId, service: ServiceId },
    /// Task Manager: set a service's watch back to Monitoring.
    StartWatch { node: NodeId, service: ServiceId },
    /// Stop a Windows service (`sc stop`).
    StopService { node: NodeId, service: ServiceId },
    /// Start a Windows service (`sc start`).
    StartService { node: NodeId, service: ServiceId },
    /// Stop a group resource and the resources that depend on it (`clprsc -t`).
    StopResource { via: NodeId, resource: ResourceId },
    /// Start a group resource, and the stopped resources it depends on, on a node.
    StartResource { node: NodeId, resource: ResourceId },
    /// Move a group to a node, or by failover policy when `to` is `None` (`clpgrp -m`).
    MoveGroup { via: NodeId, group: GroupId, to: Option<NodeId> },
    /// Copy the module archive to a folder of a node and extract it.
    UnzipModule { node: NodeId, folder: Arc<str> },
    /// Export the registry keys the module changes into a file (`reg export`).
    BackupRegistry { node: NodeId, file: Arc<str> },
    /// Run the module installer from the folder; the answer is given to its restart prompt.
    InstallModule { node: NodeId, folder: Arc<str>, restart_answer: RestartAnswer },
    /// Reboot one node the plain way (the OS restart, as at the installer's prompt).
    RebootNode { node: NodeId },
    /// Reboot every node the cluster-safe way (`clpstdn -r`), issued on `via`.
    RebootCluster { via: NodeId },
}

impl Operation {
    /// The node the operation is issued on.
    pub fn node(&self) -> NodeId {
        match *self {
            Operation::SuspendCluster { via }
            | Operation::ResumeCluster { via }
            | Operation::StopResource { via, .. }
            | Operation::MoveGroup { via, .. }
            | Operation::RebootCluster { via } => via,
            Operation::StartClusterService { node }
            | Operation::StopClusterService { node }
            | Operation::SuspendMonitor { node, .. }
            | Operation::ResumeMonitor { node, .. }
            | Operation::StopWatch { node, .. }
            | Operation::StartWatch { node, .. }
            | Operation::StopService { node, .. }
            | Operation::StartService { node, .. }
            | Operation::StartResource { node, .. }
            | Operation::UnzipModule { node, .. }
            | Operation::BackupRegistry { node, .. }
            | Operation::InstallModule { node, .. }
            | Operation::RebootNode { node } => node,
        }
    }

    /// A short verb for journals and progress lines.
    pub fn verb(&self) -> &'static str {
        match self {
            Operation::SuspendCluster { .. } => "suspend-cluster",
            Operation::ResumeCluster { .. } => "resume-cluster",
            Operation::StartClusterService { .. } => "start-cluster-service",
            Operation::StopClusterService { .. } => "stop-cluster-service",
            Operation::SuspendMonitor { .. } => "suspend-monitor",
            Operation::ResumeMonitor { .. } => "resume-monitor",
            Operation::StopWatch { .. } => "stop-watch",
            Operation::StartWatch { .. } => "start-watch",
            Operation::StopService { .. } => "stop-service",
            Operation::StartService { .. } => "start-service",
            Operation::StopResource { .. } => "stop-resource",
            Operation::StartResource { .. } => "start-resource",
            Operation::MoveGroup { .. } => "move-group",
            Operation::UnzipModule { .. } => "unzip-module",
            Operation::BackupRegistry { .. } => "backup-registry",
            Operation::InstallModule { .. } => "install-module",
            Operation::RebootNode { .. } => "reboot-node",
            Operation::RebootCluster { .. } => "reboot-cluster",
        }
    }

    /// Whether doing it twice differs from doing it once; a resumed run never repeats a
    /// completed operation of this kind.
    pub fn is_idempotent(&self) -> bool {
        !matches!(
            self,
            Operation::InstallModule { .. }
                | Operation::MoveGroup { .. }
                | Operation::RebootNode { .. }
                | Operation::RebootCluster { .. }
                | Operation::StopResource { .. }
                | Operation::StartResource { .. }
        )
    }
}

/// Why a backend could not carry an operation out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The node does not answer.
    #[error("node {} is unreachable", .node.0)]
    Unreachable {
        /// The node.
        node: NodeId,
    },
    /// The cluster refused the operation in its current state.
    #[error("refused: {reason}")]
    Refused {
        /// The node that refused.
        node: NodeId,
        /// Why.
        reason: Refusal,
    },
    /// The operation ran and failed.
    #[error("failed: {message}")]
    Failed {
        /// The node where it failed.
        node: NodeId,
        /// What the command printed.
        message: String,
    },
}

/// Why a cluster refuses an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Group operations are refused while the cluster is suspended.
    ClusterSuspended,
    /// The cluster service is not running on the node.
    ClusterNotRunning,
    /// The node is down.
    NodeDown,
    /// An installer is already running on the node.
    InstallerRunning,
    /// The drive of the folder cannot be read on this node.
    DriveNotAccessible,
    /// The service is not watched on this node (Task Manager does not list it).
    NotWatched,
    /// The target node cannot take the group.
    TargetUnavailable,
    /// Another operation on the same object has not finished.
    Busy,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::ClusterSuspended => "the cluster is suspended",
            Refusal::ClusterNotRunning => "the cluster service is not running on the node",
            Refusal::NodeDown => "the node is down",
            Refusal::InstallerRunning => "an installer is already running on the node",
            Refusal::DriveNotAccessible => "the drive is not accessible on the node",
            Refusal::NotWatched => "the service is not watched on the node",
            Refusal::TargetUnavailable => "the destination node cannot take the group",
            Refusal::Busy => "another operation on it has not finished",
        })
    }
}

/// Whether two Windows paths name the same folder or file (Windows ignores case).
pub fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('\\').eq_ignore_ascii_case(b.trim_end_matches('\\'))
}

/// Everything clpstat, sc query, reg export and the installer's log show, at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Observation {
    /// Time since the start of the run (virtual on the simulator).
    pub at: Duration,
    /// Per node, by `NodeId`; shared between copies of a simulated run until written.
    pub nodes: Vec<Shared<NodeState>>,
    /// Per group, by `GroupId`.
    pub groups: Vec<GroupState>,
    /// Per resource, by `ResourceId`; shared between copies of a simulated run until written.
    pub resources: Shared<Vec<ResourceState>>,
    /// The folder the module was unzipped into on the mirror drive, if it was.
    pub mirror_unzipped: Option<Arc<str>>,
}

/// One node as observed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeState {
    /// Whether the node answers; when it does not, the rest of this is the last known state.
    pub reachable: bool,
    /// Power state.
    pub power: Power,
    /// The cluster service on this node.
    pub cluster: ClusterService,
    /// Windows services, by `ServiceId`.
    pub services: Vec<ServiceStatus>,
    /// The Task Manager watch, by `ServiceId`.
    pub watches: Vec<Watch>,
    /// Monitor resources on this node, by `MonitorId`.
    pub monitors: Vec<MonitorStatus>,
    /// Installed version of each component, by `ComponentId`.
    pub components: Vec<Arc<str>>,
    /// Registry data, by `SlotId`; `None` where the value does not exist.
    pub registry: Vec<Option<DataId>>,
    /// The local folder the module was unzipped into, if any (compare with [`same_path`]).
    pub unzipped: Option<Arc<str>>,
    /// The registry export files on this node.
    pub registry_backups: Vec<Arc<str>>,
    /// The module installer on this node.
    pub installer: Installer,
    /// How many times the node has booted (Windows' last boot time, as a counter).
    pub boots: u32,
}

impl NodeState {
    /// The installed version of a component.
    pub fn component(&self, component: ComponentId) -> &str {
        &self.components[component.index()]
    }
}

/// Power state of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Power {
    /// Running.
    Up,
    /// Off or crashed.
    Down,
    /// Starting the OS.
    Booting,
}

/// The cluster service on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterService {
    /// Not running.
    Stopped,
    /// Running: monitors watch, groups fail over, registry sync captures.
    Running,
    /// Being suspended.
    Suspending,
    /// Suspended: monitors and registry capture frozen, group operations refused.
    Suspended,
    /// Being resumed.
    Resuming,
}

/// A Windows service's state, as `sc query` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceStatus {
    /// STOPPED.
    Stopped,
    /// START_PENDING.
    StartPending,
    /// STOP_PENDING.
    StopPending,
    /// RUNNING.
    Running,
}

/// The Task Manager watch of a service on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Watch {
    /// Not listed: the service is not watched on this node.
    Absent,
    /// "Monitoring".
    Monitoring,
    /// "Not monitoring".
    NotMonitoring,
}

/// A monitor resource on one node, as `clpstat -m` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonitorStatus {
    /// Watching, no error.
    Normal,
    /// It detected an error.
    Error,
    /// Suspended with clpmonctrl.
    Suspended,
    /// Not watching here: its target is not online on this node, or the cluster is stopped.
    Offline,
}

/// The module installer on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Installer {
    /// Never started.
    Idle,
    /// Running.
    Running,
    /// Finished without error; whether it asked for a restart.
    Finished {
        /// It asked for a restart.
        restart_requested: bool,
    },
    /// Failed, and why.
    Failed(InstallerFailure),
    /// Cut short by something outside it, and what.
    Interrupted(Interruption),
}

/// A failover group as observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupState {
    /// Its status.
    pub status: GroupStatus,
    /// The node it is online (or pending) on.
    pub owner: Option<NodeId>,
}

/// A group's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupStatus {
    /// Every resource online.
    Online,
    /// Every resource offline.
    Offline,
    /// Starting.
    OnlinePending,
    /// Stopping.
    OfflinePending,
    /// Some resource failed to start.
    OnlineFailure,
}

/// A group resource as observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceState {
    /// Its status.
    pub status: ResourceStatus,
    /// The node it is on, while not offline.
    pub node: Option<NodeId>,
}

/// A resource's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceStatus {
    /// Online.
    Online,
    /// Offline.
    Offline,
    /// Starting.
    OnlinePending,
    /// Stopping.
    OfflinePending,
    /// Failed to start.
    OnlineFailure,
}

impl Observation {
    /// Whether any node's cluster service is suspended (or being suspended or resumed).
    pub fn cluster_suspended(&self) -> bool {
        self.nodes.iter().any(|node| {
            node.power == Power::Up
                && matches!(
                    node.cluster,
                    ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming
                )
        })
    }

    /// Whether every node that is up runs the cluster service, none suspended.
    pub fn cluster_running(&self) -> bool {
        self.nodes.iter().all(|node| node.power == Power::Up && node.cluster == ClusterService::Running)
    }

    /// Whether a group is online on `node` with every resource online there.
    pub fn group_online_on(&self, group: GroupId, resources: &[ResourceId], node: NodeId) -> bool {
        let state = self.groups[group.index()];
        state.status == GroupStatus::Online
            && state.owner == Some(node)
            && resources.iter().all(|r| {
                let resource = self.resources[r.index()];
                resource.status == ResourceStatus::Online && resource.node == Some(node)
            })
    }

    /// Whether an installer runs anywhere.
    pub fn installer_running(&self) -> Option<NodeId> {
        self.nodes.iter().position(|node| node.installer == Installer::Running).map(|i| NodeId(i as u8))
    }
}

/// A cluster the engine can act on: the simulator, or real nodes.
pub trait Backend {
    /// The current state. Unreachable nodes are marked, not an error; an error means
    /// nothing could be observed at all.
    fn observe(&mut self) -> Result<&Observation, BackendError>;

    /// Issues an operation; slow ones complete later.
    fn execute(&mut self, operation: &Operation) -> Result<(), BackendError>;

    /// Lets `length` of time pass (the simulator runs everything due in it in virtual time;
    /// a real backend sleeps).
    fn wait(&mut self, length: Duration);

    /// Time since the start of the run.
    fn now(&self) -> Duration;

    /// Notes that a step starts, so that traces and alert logs show where events belong.
    fn mark_step(&mut self, step: usize);

    /// Ground-truth events so far, where the backend knows them (the simulator does).
    fn events(&self) -> &[Event] {
        &[]
    }
}

/// How the installer's restart prompt is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartAnswer {
    /// Decline; the engine reboots the cluster safely after resume-cluster.
    Decline,
    /// Restart the node at once (unsafe while the cluster is suspended).
    Restart,
}
