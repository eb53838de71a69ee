//! Ground-truth events of a cluster, in time order: what the simulator did and why. The
//! invariants judge a run on these (and on the final observation), and traces render them
//! for people with a stable text layout, one line per event.

use std::fmt::Write as _;
use std::time::Duration;

use crate::cluster::{ComponentId, FinalAction, GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use crate::duration::clock;
pub use crate::fault::Fault;
pub use crate::observation::{Actor, DownCause, InstallerFailure, Interruption};
use crate::operation::Refusal;
use crate::operation::RestartAnswer;
use crate::registry_id::{DataId, SlotId};
use crate::setup::Setup;

/// One event at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When, since the start of the run.
    pub at: Duration,
    /// What.
    pub kind: EventKind,
}

/// A monitor's recovery action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recovery {
    /// Reactivate the target resource.
    Restart,
    /// Fail the group over to another node.
    Failover,
    /// Take the final action.
    FinalAction(FinalAction),
}

/// A registry value that a restore overwrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    /// The value.
    pub slot: SlotId,
    /// The data it had (lost).
    pub lost: Option<DataId>,
    /// The data the image put back.
    pub restored: Option<DataId>,
    /// Whether the lost data had been written by the module installer.
    pub installer_write: bool,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The engine started a step (index into the procedure's steps).
    StepStarted { step: u16 },
    /// A fault was injected.
    FaultInjected { fault: Fault },
    /// The cluster refused an operation.
    OperationRefused { node: NodeId, operation: &'static str, reason: Refusal },
    /// Suspending began on a node.
    ClusterSuspending { node: NodeId },
    /// The cluster service on a node is suspended.
    ClusterSuspended { node: NodeId },
    /// Resuming began on a node.
    ClusterResuming { node: NodeId },
    /// The cluster service on a node runs again.
    ClusterResumed { node: NodeId },
    /// The cluster service started on a node.
    ClusterServiceStarted { node: NodeId },
    /// The cluster service stopped on a node.
    ClusterServiceStopped { node: NodeId },
    /// A node went down.
    NodeDown { node: NodeId, cause: DownCause, cluster_suspended: bool },
    /// A node finished booting.
    NodeBooted { node: NodeId },
    /// A node stopped answering.
    NodeUnreachable { node: NodeId },
    /// A node answers again.
    NodeReachable { node: NodeId },
    /// A service stopped; which watchers were active on it at that moment.
    ServiceStopped {
        node: NodeId,
        service: ServiceId,
        by: Actor,
        watch_active: bool,
        monitor_active: Option<MonitorId>,
    },
    /// A service started.
    ServiceStarted {
        node: NodeId,
        service: ServiceId,
        by: Actor,
        watch_active: bool,
        monitor_active: Option<MonitorId>,
    },
    /// A service failed to start.
    ServiceStartFailed { node: NodeId, service: ServiceId },
    /// The Task Manager watch of a service changed.
    WatchSet { node: NodeId, service: ServiceId, monitoring: bool },
    /// A monitor was suspended on a node.
    MonitorSuspended { node: NodeId, monitor: MonitorId },
    /// A monitor was resumed on a node.
    MonitorResumed { node: NodeId, monitor: MonitorId },
    /// A monitor detected an error.
    MonitorError { node: NodeId, monitor: MonitorId, false_alarm: bool },
    /// A monitor's recovery action.
    MonitorRecovery { node: NodeId, monitor: MonitorId, action: Recovery },
    /// A resource came online.
    ResourceOnline { node: NodeId, resource: ResourceId },
    /// A resource went offline: deactivated in order, or dropped by a crash.
    ResourceOffline { node: NodeId, resource: ResourceId, orderly: bool },
    /// A resource failed to come online.
    ResourceFailed { node: NodeId, resource: ResourceId },
    /// A group began starting on a node.
    GroupStarting { group: GroupId, node: NodeId },
    /// A group is online on a node.
    GroupOnline { group: GroupId, node: NodeId },
    /// A group began stopping on a node.
    GroupStopping { group: GroupId, node: NodeId },
    /// A group is offline (it was on `node`).
    GroupOffline { group: GroupId, node: NodeId },
    /// A group move could not bring the group online on `node`.
    GroupMoveFailed { group: GroupId, node: NodeId },
    /// Registry sync captured the owner's keys into its image.
    RegistryCaptured { resource: ResourceId, node: NodeId, changed: u16 },
    /// Registry sync restored its image onto a node as the resource came online.
    RegistryRestored { resource: ResourceId, node: NodeId, overwritten: Vec<Overwrite> },
    /// A registry value was written by the installer.
    RegistryWritten { node: NodeId, slot: SlotId, data: DataId },
    /// The module archive was extracted.
    ModuleUnzipped { node: NodeId, on_mirror: bool },
    /// The registry keys were exported.
    RegistryBackedUp { node: NodeId },
    /// An export was imported into the node's registry; `changed` values differed.
    RegistryImported { node: NodeId, changed: u16 },
    /// An installer started.
    InstallerStarted { node: NodeId, from_mirror: bool },
    /// An installer asked for a restart and got an answer.
    InstallerPrompt { node: NodeId, answer: RestartAnswer },
    /// An installer replaced a component's files.
    ComponentUpdated { node: NodeId, component: ComponentId },
    /// An installer finished.
    InstallerFinished { node: NodeId, restart_requested: bool, files_only: bool },
    /// An installer failed.
    InstallerFailed { node: NodeId, reason: InstallerFailure },
    /// An installer was interrupted.
    InstallerInterrupted { node: NodeId, cause: Interruption },
    /// The cluster-safe reboot of every node began (`clpstdn -r`).
    ClusterRebootStarted { via: NodeId },
    /// The run stopped here; what follows happens with nobody acting on the cluster.
    RunStopped,
    /// A recovery was planned from the cluster as it is now (`round` from 1) and begins.
    RecoveryStarted { round: u8, steps: u16 },
    /// The recovery began one of its steps, titled with why it is there.
    RecoveryStep { step: u16, title: std::sync::Arc<str> },
    /// The recovery's engine stopped before its last step: why.
    RecoveryStopped { reason: std::sync::Arc<str> },
    /// The recovery ended: the cluster serves, or what it still lacks.
    RecoveryEnded { serving: bool, detail: std::sync::Arc<str> },
}

impl EventKind {
    /// The node the event happened on, for the trace's node column.
    pub fn node(&self) -> Option<NodeId> {
        use EventKind::*;
        match *self {
            StepStarted { .. }
            | FaultInjected { .. }
            | RunStopped
            | RecoveryStarted { .. }
            | RecoveryStep { .. }
            | RecoveryStopped { .. }
            | RecoveryEnded { .. } => None,
            OperationRefused { node, .. }
            | ClusterSuspending { node }
            | ClusterSuspended { node }
            | ClusterResuming { node }
            | ClusterResumed { node }
            | ClusterServiceStarted { node }
            | ClusterServiceStopped { node }
            | NodeDown { node, .. }
            | NodeBooted { node }
            | NodeUnreachable { node }
            | NodeReachable { node }
            | ServiceStopped { node, .. }
            | ServiceStarted { node, .. }
            | ServiceStartFailed { node, .. }
            | WatchSet { node, .. }
            | MonitorSuspended { node, .. }
            | MonitorResumed { node, .. }
            | MonitorError { node, .. }
            | MonitorRecovery { node, .. }
            | ResourceOnline { node, .. }
            | ResourceOffline { node, .. }
            | ResourceFailed { node, .. }
            | GroupStarting { node, .. }
            | GroupOnline { node, .. }
            | GroupStopping { node, .. }
            | GroupOffline { node, .. }
            | GroupMoveFailed { node, .. }
            | RegistryCaptured { node, .. }
            | RegistryRestored { node, .. }
            | RegistryWritten { node, .. }
            | ModuleUnzipped { node, .. }
            | RegistryBackedUp { node }
            | RegistryImported { node, .. }
            | InstallerStarted { node, .. }
            | InstallerPrompt { node, .. }
            | ComponentUpdated { node, .. }
            | InstallerFinished { node, .. }
            | InstallerFailed { node, .. }
            | InstallerInterrupted { node, .. } => Some(node),
            ClusterRebootStarted { via } => Some(via),
        }
    }
}

/// Renders events for people; names come from the setup.
#[derive(Debug, Clone, Copy)]
pub struct Renderer<'a> {
    setup: &'a Setup,
}

impl<'a> Renderer<'a> {
    /// A renderer over `setup`'s names.
    pub fn new(setup: &'a Setup) -> Renderer<'a> {
        Renderer { setup }
    }

    fn data(&self, data: Option<DataId>) -> String {
        match data {
            Some(data) => format!("{:?}", self.setup.data_text(data)),
            None => "(absent)".to_owned(),
        }
    }

    /// A whole trace: one line per event, `hh:mm:ss  node  what`.
    pub fn trace(&self, events: &[Event]) -> String {
        let mut out = String::new();
        for event in events {
            let _ = writeln!(out, "{}", self.line(event));
        }
        out
    }

    /// The trace without the routine detail — services and resources started and stopped
    /// with their group, watch changes, restores that changed nothing — so that the story
    /// of a run fits on a screen.
    pub fn story(&self, events: &[Event]) -> String {
        let mut out = String::new();
        for event in events.iter().filter(|e| !is_routine(&e.kind)) {
            let _ = writeln!(out, "{}", self.line(event));
        }
        out
    }

    /// One event as a line.
    pub fn line(&self, event: &Event) -> String {
        line(self.setup, event, &self.describe(&event.kind))
    }

    /// What an event says, without time and node.
    pub fn describe(&self, kind: &EventKind) -> String {
        use EventKind::*;
        match kind {
            StepStarted { step } => {
                let step = &self.setup.procedure.steps[usize::from(*step)];
                format!("== step {} ({})", step.label(), step.action.keyword())
            }
            FaultInjected { fault } => format!("!! fault: {}", self.fault(fault)),
            RunStopped => "== the run stopped; from here on nobody acts on the cluster".to_owned(),
            RecoveryStarted { round, steps } => {
                format!("== recovery {round}: {steps} step(s) planned from the cluster as it is now")
            }
            RecoveryStep { step, title } => format!("== recovery step {}: {title}", step + 1),
            RecoveryStopped { reason } => format!("== the recovery stopped: {reason}"),
            RecoveryEnded { serving: true, .. } => "== the recovery ended: the cluster serves".to_owned(),
            RecoveryEnded { serving: false, detail } => format!("== the recovery ended short of serving: {detail}"),
            OperationRefused { operation, reason, .. } => format!("{operation} refused: {reason}"),
            ClusterSuspending { .. } => "cluster suspending".to_owned(),
            ClusterSuspended { .. } => "cluster suspended".to_owned(),
            ClusterResuming { .. } => "cluster resuming".to_owned(),
            ClusterResumed { .. } => "cluster resumed".to_owned(),
            ClusterServiceStarted { .. } => "cluster service started".to_owned(),
            ClusterServiceStopped { .. } => "cluster service stopped".to_owned(),
            NodeDown { cause, cluster_suspended, .. } => {
                let cause = match cause {
                    DownCause::Reboot => "reboot",
                    DownCause::InstallerPrompt => "reboot accepted at the installer's prompt",
                    DownCause::ClusterReboot => "cluster-safe reboot",
                    DownCause::Crash => "crash",
                    DownCause::NetworkPartition => "isolated by a heartbeat loss: emergency shutdown",
                    DownCause::FinalAction => "monitor final action",
                };
                let suspended = if *cluster_suspended { " while the cluster is suspended" } else { "" };
                format!("node down ({cause}){suspended}")
            }
            NodeBooted { .. } => "node booted".to_owned(),
            NodeUnreachable { .. } => "node unreachable".to_owned(),
            NodeReachable { .. } => "node reachable again".to_owned(),
            ServiceStopped { service, by, watch_active, monitor_active, .. } => {
                format!(
                    "service {:?} stopped by {}{}",
                    self.setup.service_name(*service),
                    actor(*by),
                    self.watchers(*watch_active, *monitor_active)
                )
            }
            ServiceStarted { service, by, watch_active, monitor_active, .. } => {
                format!(
                    "service {:?} started by {}{}",
                    self.setup.service_name(*service),
                    actor(*by),
                    self.watchers(*watch_active, *monitor_active)
                )
            }
            ServiceStartFailed { service, .. } => {
                format!("service {:?} failed to start", self.setup.service_name(*service))
            }
            WatchSet { service, monitoring, .. } => format!(
                "watch of {:?} set to {}",
                self.setup.service_name(*service),
                if *monitoring { "Monitoring" } else { "Not monitoring" }
            ),
            MonitorSuspended { monitor, .. } => {
                format!("monitor {} suspended", self.setup.monitor_name(*monitor))
            }
            MonitorResumed { monitor, .. } => format!("monitor {} resumed", self.setup.monitor_name(*monitor)),
            MonitorError { monitor, false_alarm, .. } => {
                format!(
                    "monitor {} detected an error{}",
                    self.setup.monitor_name(*monitor),
                    if *false_alarm { " (false alarm)" } else { "" }
                )
            }
            MonitorRecovery { monitor, action, .. } => {
                let action = match action {
                    Recovery::Restart => "reactivates its target".to_owned(),
                    Recovery::Failover => "fails the group over".to_owned(),
                    Recovery::FinalAction(final_action) => {
                        format!("takes its final action: {final_action:?}")
                    }
                };
                format!("monitor {} {action}", self.setup.monitor_name(*monitor))
            }
            ResourceOnline { resource, .. } => {
                format!("resource {} online", self.setup.resource_name(*resource))
            }
            ResourceOffline { resource, .. } => {
                format!("resource {} offline", self.setup.resource_name(*resource))
            }
            ResourceFailed { resource, .. } => {
                format!("resource {} failed to start", self.setup.resource_name(*resource))
            }
            GroupStarting { group, .. } => format!("group {} starting", self.setup.group_name(*group)),
            GroupOnline { group, .. } => format!("group {} online", self.setup.group_name(*group)),
            GroupStopping { group, .. } => format!("group {} stopping", self.setup.group_name(*group)),
            GroupOffline { group, .. } => format!("group {} offline", self.setup.group_name(*group)),
            GroupMoveFailed { group, .. } => {
                format!("group {} failed to start here; moving it back", self.setup.group_name(*group))
            }
            RegistryCaptured { resource, changed, .. } => {
                format!(
                    "registry sync {} captured the keys ({changed} value(s) changed)",
                    self.setup.resource_name(*resource)
                )
            }
            RegistryRestored { resource, overwritten, .. } => {
                let mut text = format!("registry sync {} restored its image", self.setup.resource_name(*resource));
                if overwritten.is_empty() {
                    text.push_str(" (no value changed)");
                }
                for overwrite in overwritten {
                    let _ = write!(
                        text,
                        "; {} lost {}{}, restored {}",
                        self.setup.slot_name(overwrite.slot),
                        self.data(overwrite.lost),
                        if overwrite.installer_write { " written by the installer" } else { "" },
                        self.data(overwrite.restored)
                    );
                }
                text
            }
            RegistryWritten { slot, data, .. } => {
                format!("installer wrote {} = {}", self.setup.slot_name(*slot), self.data(Some(*data)))
            }
            ModuleUnzipped { on_mirror, .. } => {
                format!("module unzipped{}", if *on_mirror { " onto the mirror drive" } else { "" })
            }
            RegistryBackedUp { .. } => "registry keys exported".to_owned(),
            RegistryImported { changed, .. } => format!("registry export imported ({changed} value(s) changed)"),
            InstallerStarted { from_mirror, .. } => {
                format!("installer started{}", if *from_mirror { " from the mirror drive" } else { "" })
            }
            InstallerPrompt { answer, .. } => format!(
                "installer asks for a restart; answered {}",
                match answer {
                    RestartAnswer::Decline => "No (restart pending)",
                    RestartAnswer::Restart => "Yes",
                }
            ),
            ComponentUpdated { component, .. } => {
                let name = &self.setup.cluster.components[component.index()].name;
                format!("{name} updated to {}", self.setup.module_version(*component).unwrap_or("?"))
            }
            InstallerFinished { restart_requested, files_only, .. } => format!(
                "installer finished{}{}",
                if *files_only { " (files only: no database here)" } else { "" },
                if *restart_requested { "; a restart is pending" } else { "" }
            ),
            InstallerFailed { reason, .. } => match reason {
                InstallerFailure::ModuleNotFound => {
                    "installer failed: the module's files cannot be read here".to_owned()
                }
                InstallerFailure::Fault => "installer failed midway".to_owned(),
                InstallerFailure::ServiceInUse { service } => {
                    format!(
                        "installer failed: {:?} is running and holds files it replaces",
                        self.setup.service_name(*service)
                    )
                }
                InstallerFailure::ServiceDidNotStart { service } => {
                    format!("installer failed: {:?} did not start again", self.setup.service_name(*service))
                }
            },
            InstallerInterrupted { cause, .. } => match cause {
                Interruption::ServiceRestarted { service, by } => {
                    format!(
                        "installer interrupted: {} restarted {:?} under it",
                        actor(*by),
                        self.setup.service_name(*service)
                    )
                }
                Interruption::GroupLeft { group } => {
                    format!("installer interrupted: group {} left the node", self.setup.group_name(*group))
                }
                Interruption::NodeDown { cause: DownCause::Crash } => {
                    "installer interrupted: the node crashed".to_owned()
                }
                Interruption::NodeDown { .. } => "installer interrupted: the node went down".to_owned(),
            },
            ClusterRebootStarted { .. } => "cluster-safe reboot of every node (clpstdn -r)".to_owned(),
        }
    }

    fn watchers(&self, watch_active: bool, monitor_active: Option<MonitorId>) -> String {
        match (watch_active, monitor_active) {
            (false, None) => String::new(),
            (true, None) => " [watched: Task Manager]".to_owned(),
            (false, Some(monitor)) => format!(" [watched: monitor {}]", self.setup.monitor_name(monitor)),
            (true, Some(monitor)) => format!(" [watched: Task Manager, monitor {}]", self.setup.monitor_name(monitor)),
        }
    }

    /// A fault in words.
    pub fn fault(&self, fault: &Fault) -> String {
        fault.describe(self.setup)
    }
}

/// An event's line, `hh:mm:ss  node  what`, with `what` already in words (in any language).
pub fn line(setup: &Setup, event: &Event, what: &str) -> String {
    let node = event.kind.node().map_or("-", |node| setup.node_name(node));
    format!("{:<12} {:<10} {what}", clock(event.at), node)
}

/// Events a story leaves out (routine detail: see [`Renderer::story`]).
pub fn is_routine(kind: &EventKind) -> bool {
    match kind {
        EventKind::ServiceStopped { by, watch_active, monitor_active, .. }
        | EventKind::ServiceStarted { by, watch_active, monitor_active, .. } => {
            matches!(by, Actor::Cluster | Actor::Shutdown) && !*watch_active && monitor_active.is_none()
        }
        EventKind::ResourceOnline { .. } | EventKind::ResourceOffline { orderly: true, .. } => true,
        EventKind::WatchSet { .. } | EventKind::ClusterSuspending { .. } | EventKind::ClusterResuming { .. } => true,
        EventKind::RegistryRestored { overwritten, .. } => overwritten.is_empty(),
        _ => false,
    }
}

/// Who acted, in the words of the trace.
pub(crate) fn actor(actor: Actor) -> &'static str {
    match actor {
        Actor::Operator => "the operator",
        Actor::Installer => "the installer",
        Actor::Cluster => "the cluster",
        Actor::Watch => "the Task Manager watch",
        Actor::Monitor => "a monitor's recovery",
        Actor::Shutdown => "the shutdown",
        Actor::Fault => "a fault (it died)",
    }
}
