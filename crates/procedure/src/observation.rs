//! Observations: everything clpstat, sc query, reg export and the installer's log show of a
//! cluster at one moment, as data.

use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{ComponentId, GroupId, NodeId, ResourceId, ServiceId};
use crate::module::ModuleId;
use crate::registry_id::DataId;
use crate::shared::Shared;

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
    /// The folder each module was unzipped into on the mirror drive, if it was.
    pub mirror_unzipped: Unzipped,
}

/// Where each module was unzipped, by `ModuleId`. Copies of a run share the list until one
/// unzips (no allocation to copy); a procedure of one module has a list of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Unzipped(Option<Arc<[Option<Arc<str>>]>>);

impl Unzipped {
    /// The folder `module` was unzipped into, if it was.
    pub fn get(&self, module: ModuleId) -> Option<&str> {
        self.0.as_ref()?.get(module.index())?.as_deref()
    }

    /// `module` is now unzipped into `folder` (or nowhere).
    pub fn set(&mut self, module: ModuleId, folder: Option<Arc<str>>) {
        let mut folders: Vec<Option<Arc<str>>> = self.0.as_deref().map(<[_]>::to_vec).unwrap_or_default();
        if folders.len() <= module.index() {
            folders.resize(module.index() + 1, None);
        }
        folders[module.index()] = folder;
        self.0 = Some(folders.into());
    }

    /// Every module unzipped somewhere, with its folder.
    pub fn iter(&self) -> impl Iterator<Item = (ModuleId, &str)> {
        self.0
            .iter()
            .flat_map(|folders| folders.iter().enumerate())
            .filter_map(|(i, folder)| folder.as_deref().map(|folder| (ModuleId(i as u8), folder)))
    }
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
    /// The local folder each module was unzipped into, if any (compare with [`same_path`]).
    pub unzipped: Unzipped,
    /// The registry export files on this node.
    pub registry_backups: Vec<Arc<str>>,
    /// The module installer on this node: the last one started here.
    pub installer: Installer,
    /// The module of the last installer started here (the first before any).
    pub installer_module: ModuleId,
    /// How many times the node has booted (Windows' last boot time, as a counter).
    pub boots: u32,
}

impl NodeState {
    /// The installer as `module`'s step sees it: another module's installer reads as idle.
    pub fn installer_of(&self, module: ModuleId) -> Installer {
        if self.installer_module == module { self.installer } else { Installer::Idle }
    }

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

/// What interrupted an installer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interruption {
    /// Something restarted a service the installer had stopped.
    ServiceRestarted {
        /// The service.
        service: ServiceId,
        /// Who restarted it.
        by: Actor,
    },
    /// The group left the node (failover, stop) while the installer ran there.
    GroupLeft {
        /// The group.
        group: GroupId,
    },
    /// The node went down.
    NodeDown {
        /// Why.
        cause: DownCause,
    },
}

/// Why an installer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstallerFailure {
    /// The module's files are not in the folder, or its drive cannot be read here.
    ModuleNotFound,
    /// The installer failed on its own (injected fault).
    Fault,
    /// A service that must be stopped first was running.
    ServiceInUse {
        /// The service.
        service: ServiceId,
    },
    /// A service it restarts did not start.
    ServiceDidNotStart {
        /// The service.
        service: ServiceId,
    },
}

/// Who did something to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A person or the engine, through a console or command.
    Operator,
    /// The module installer.
    Installer,
    /// The cluster, starting or stopping a group resource.
    Cluster,
    /// The Task Manager service watch.
    Watch,
    /// A monitor resource's recovery action.
    Monitor,
    /// The node going down.
    Shutdown,
    /// An injected fault (the service died).
    Fault,
}

impl DownCause {
    /// Whether an injected fault took the node down (nothing deactivated in order).
    pub fn is_fault(self) -> bool {
        matches!(self, DownCause::Crash | DownCause::NetworkPartition)
    }
}

/// Why a node went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DownCause {
    /// A plain OS restart.
    Reboot,
    /// A restart accepted at the installer's prompt.
    InstallerPrompt,
    /// The cluster-safe reboot of every node (`clpstdn -r`).
    ClusterReboot,
    /// A crash (injected fault).
    Crash,
    /// Isolated by a heartbeat loss, the node shut itself down (network partition
    /// resolution; injected fault).
    NetworkPartition,
    /// A monitor's final action.
    FinalAction,
}
