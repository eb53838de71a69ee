//! Operations: what the engine asks a cluster to do, as data, and why a cluster may refuse
//! one.

use std::fmt;
use std::sync::Arc;

use crate::cluster::{GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use crate::module::ModuleId;

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
    /// Copy a module's archive to a folder of a node and extract it.
    UnzipModule { node: NodeId, folder: Arc<str>, module: ModuleId },
    /// Export the registry keys the module changes into a file (`reg export`).
    BackupRegistry { node: NodeId, file: Arc<str> },
    /// Import a .reg export into the node's registry (`reg import`): the values it holds
    /// overwrite the node's, the others stay.
    ImportRegistry { node: NodeId, file: Arc<str> },
    /// Run a module's installer from the folder; the answer is given to its restart prompt.
    InstallModule { node: NodeId, folder: Arc<str>, module: ModuleId, restart_answer: RestartAnswer },
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
            | Operation::ImportRegistry { node, .. }
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
            Operation::ImportRegistry { .. } => "import-registry",
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

/// How the installer's restart prompt is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartAnswer {
    /// Decline; the engine reboots the cluster safely after resume-cluster.
    Decline,
    /// Restart the node at once (unsafe while the cluster is suspended).
    Restart,
}
