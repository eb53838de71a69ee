//! The invariants every run is judged by, with their stable ids, and the [`Judge`] that
//! evaluates them on a cluster's ground-truth events and final state.
//!
//! Safety invariants must hold at every moment; the judge finds their violations in the
//! event stream as it is fed. Final invariants hold when a procedure ends; the judge checks
//! them on the final observation. Faults are not the procedure's doing: a crash that drops a
//! resource is not "stopping" it, so only orderly deactivations and operator reboots count.

use std::sync::Arc;
use std::time::Duration;

use crate::cluster::{NodeId, ResourceId, ResourceKind};
use crate::event::{Actor, DownCause, Event, EventKind, Interruption};
use crate::observation::{ClusterService, MonitorStatus, Observation, Power, ServiceStatus, Watch};
use crate::roles::Roles;
use crate::setup::Setup;
use crate::shared::Flags;

/// An invariant, by its stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    /// A node was rebooted or shut down while the cluster was suspended.
    RebootWhileSuspended,
    /// A registry-sync resource was offline between the first install and the resume.
    RegistrySyncStoppedDuringApply,
    /// A monitor or watch was active on a service while the installer stopped or restarted it.
    MonitoringDuringApply,
    /// A group changed owner or restarted between the first install and the resume.
    FailoverDuringApply,
    /// An installer was cut short.
    InstallerInterrupted,
    /// A restore overwrote a value the installer had written.
    RegistryRolledBack,
    /// The module was unzipped to or installed from the mirror drive.
    ModuleOnMirrorDrive,
    /// Some node lacks some component at the module's version.
    PartialUpdate,
    /// An installer asked for a restart and no safe reboot followed the resume.
    PendingRestartSkipped,
    /// The cluster is not back as it was: running, monitored, the group online on the
    /// original active node with every resource and service up.
    ClusterNotRestored,
    /// The group was not brought online on every standby and back after the update.
    FailoverNotVerified,
}

impl Invariant {
    /// Every invariant, safety first.
    pub const ALL: [Invariant; 11] = [
        Invariant::RebootWhileSuspended,
        Invariant::RegistrySyncStoppedDuringApply,
        Invariant::MonitoringDuringApply,
        Invariant::FailoverDuringApply,
        Invariant::InstallerInterrupted,
        Invariant::RegistryRolledBack,
        Invariant::ModuleOnMirrorDrive,
        Invariant::PartialUpdate,
        Invariant::PendingRestartSkipped,
        Invariant::ClusterNotRestored,
        Invariant::FailoverNotVerified,
    ];

    /// The stable id users and CI match on.
    pub fn id(self) -> &'static str {
        match self {
            Invariant::RebootWhileSuspended => "reboot-while-suspended",
            Invariant::RegistrySyncStoppedDuringApply => "registry-sync-stopped-during-apply",
            Invariant::MonitoringDuringApply => "monitoring-during-apply",
            Invariant::FailoverDuringApply => "failover-during-apply",
            Invariant::InstallerInterrupted => "installer-interrupted",
            Invariant::RegistryRolledBack => "registry-rolled-back",
            Invariant::ModuleOnMirrorDrive => "module-on-mirror-drive",
            Invariant::PartialUpdate => "partial-update",
            Invariant::PendingRestartSkipped => "pending-restart-skipped",
            Invariant::ClusterNotRestored => "cluster-not-restored",
            Invariant::FailoverNotVerified => "failover-not-verified",
        }
    }

    /// The invariant with this id.
    pub fn from_id(id: &str) -> Option<Invariant> {
        Invariant::ALL.into_iter().find(|invariant| invariant.id() == id)
    }

    /// Whether it must hold at every moment (rather than at the end).
    pub fn is_safety(self) -> bool {
        !matches!(
            self,
            Invariant::PartialUpdate
                | Invariant::PendingRestartSkipped
                | Invariant::ClusterNotRestored
                | Invariant::FailoverNotVerified
        )
    }

    /// Whether a recovery can put it right: what it protects is a state (the values the
    /// module writes, the module on every node, a serving cluster) that recovery restores.
    /// The others are about what happened (a reboot while suspended, an installer cut short,
    /// monitoring or a failover during the apply, the mirror drive, a skipped restart, a
    /// failover never tried): no later act undoes them.
    pub fn undone_by_recovery(self) -> bool {
        matches!(self, Invariant::RegistryRolledBack | Invariant::PartialUpdate | Invariant::ClusterNotRestored)
    }

    /// One sentence saying what it protects.
    pub fn description(self) -> &'static str {
        match self {
            Invariant::RebootWhileSuspended => "no node is rebooted or shut down while the cluster is suspended",
            Invariant::RegistrySyncStoppedDuringApply => {
                "no registry-sync resource is offline between the first install and the resume"
            }
            Invariant::MonitoringDuringApply => {
                "no monitor or service watch is active on a service while the installer stops or restarts it"
            }
            Invariant::FailoverDuringApply => {
                "no group changes owner or restarts between the first install and the resume"
            }
            Invariant::InstallerInterrupted => "no installer is cut short",
            Invariant::RegistryRolledBack => "no registry restore overwrites a value the installer wrote",
            Invariant::ModuleOnMirrorDrive => "the module is never unzipped to or installed from the mirror drive",
            Invariant::PartialUpdate => "every node has every component at the module's version",
            Invariant::PendingRestartSkipped => "a restart the installer asked for is done safely after the resume",
            Invariant::ClusterNotRestored => {
                "the cluster runs, everything is monitored, and the group is back online on the active node"
            }
            Invariant::FailoverNotVerified => "after the update the group went online on every standby and back",
        }
    }
}

/// A broken invariant, with where and when, and the events that prove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which invariant.
    pub invariant: Invariant,
    /// When (virtual time on the simulator).
    pub at: Duration,
    /// The step running then, if any.
    pub step: Option<usize>,
    /// The node concerned, if one.
    pub node: Option<NodeId>,
    /// Indices into the event list that show it.
    pub evidence: Vec<usize>,
    /// What happened, for people.
    pub detail: String,
    /// Broken, then put right by the recovery that followed the run (`check`'s `recovered`).
    pub recovered: bool,
}

/// The index of an event that is judged and then dropped: it can be no evidence.
const FORGOTTEN: usize = usize::MAX;

/// Evaluates the invariants over a stream of events and a final state.
#[derive(Debug, Clone)]
pub struct Judge {
    /// Fixed at the start, shared by every copy of the run.
    initial_owner: Arc<[Option<NodeId>]>,
    /// Per resource: online (tracked through events).
    resource_online: Flags,
    /// Per node: the cluster service is suspended (or suspending/resuming).
    suspended: Flags,
    fed: usize,
    step: Option<usize>,
    /// The apply window: opened by the first installer start, closed at the first moment
    /// after it when no node is suspended and no installer runs.
    window_open: bool,
    window_closed: bool,
    /// Per node: an installer runs.
    installing: Flags,
    restart_pending: bool,
    /// Index of the last finished installer.
    last_install_finished: Option<usize>,
    /// After the last install: nodes the group came online on, in order.
    online_after_update: Vec<NodeId>,
    /// Per group: a crash dropped it, and it has not started since. Its next start is the
    /// cluster recovering from the fault, not the procedure moving it.
    dropped_by_crash: Flags,
    /// The resource whose monitor just raised a false alarm (an injected fault): its
    /// recovery (restart, failover) is the fault's doing, until the resource is online again.
    false_alarm_target: Option<ResourceId>,
    /// A recovery runs after the procedure: its steps are no steps of the procedure.
    in_recovery: bool,
    violations: Vec<Violation>,
}

impl Judge {
    /// A judge for a run that starts in state `initial`.
    pub fn new(setup: &Setup, initial: &Observation) -> Judge {
        let resource_online =
            initial.resources.iter().map(|r| r.status == crate::observation::ResourceStatus::Online).collect();
        let suspended = initial
            .nodes
            .iter()
            .map(|node| {
                matches!(
                    node.cluster,
                    ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming
                )
            })
            .collect();
        Judge {
            initial_owner: initial.groups.iter().map(|g| g.owner).collect(),
            resource_online,
            suspended,
            fed: 0,
            installing: Flags::new(initial.nodes.len()),
            step: None,
            window_open: false,
            window_closed: false,
            restart_pending: false,
            last_install_finished: None,
            online_after_update: Vec::new(),
            dropped_by_crash: Flags::new(setup.cluster.groups.len()),
            false_alarm_target: None,
            in_recovery: false,
            violations: Vec::new(),
        }
    }

    /// The violations found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether a safety invariant has been broken.
    pub fn safety_broken(&self) -> bool {
        self.violations.iter().any(|v| v.invariant.is_safety())
    }

    fn in_window(&self) -> bool {
        self.window_open && !self.window_closed
    }

    fn violate(&mut self, invariant: Invariant, event: &Event, index: usize, detail: String) {
        // One violation per invariant and node is enough to tell the story.
        let node = event.kind.node();
        if self.violations.iter().any(|v| v.invariant == invariant && v.node == node) {
            return;
        }
        self.violations.push(Violation {
            invariant,
            at: event.at,
            step: self.step,
            node,
            evidence: if index == FORGOTTEN { Vec::new() } else { vec![index] },
            detail: if self.in_recovery { format!("during the recovery: {detail}") } else { detail },
            recovered: false,
        });
    }

    /// Feeds what decides the judge's future verdicts into `state`: the apply window, who
    /// is suspended or installing, what is online, which invariants are already broken.
    pub fn fingerprint<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash as _;
        self.resource_online.hash(state);
        self.suspended.hash(state);
        self.step.hash(state);
        self.window_open.hash(state);
        self.window_closed.hash(state);
        self.installing.hash(state);
        self.restart_pending.hash(state);
        self.last_install_finished.is_some().hash(state);
        self.online_after_update.hash(state);
        self.dropped_by_crash.hash(state);
        self.false_alarm_target.hash(state);
        self.in_recovery.hash(state);
        for violation in &self.violations {
            (violation.invariant, violation.node).hash(state);
        }
    }

    /// The same judge with no violation yet: what it finds from here on is what follows
    /// alone (the trainer judges a trainee's recovery so, apart from what came before it,
    /// as one violation per invariant and node would hide a second one).
    pub fn afresh(&self) -> Judge {
        let mut judge = self.clone();
        judge.violations.clear();
        judge
    }

    /// A recovery begins after the procedure: what breaks from here on is the recovery's
    /// doing (its violations say so), and an install it makes opens an apply window of its
    /// own once the procedure's has closed.
    pub fn begin_recovery(&mut self) {
        self.in_recovery = true;
        self.step = None;
        if self.window_closed {
            self.window_open = false;
            self.window_closed = false;
        }
    }

    /// The recovery brought the cluster back to serving: every violation of an invariant
    /// that recovery undoes ([`Invariant::undone_by_recovery`]) is marked recovered.
    pub fn recovered(&mut self) {
        for violation in &mut self.violations {
            if violation.invariant.undone_by_recovery() {
                violation.recovered = true;
            }
        }
    }

    /// The recovery ended short of serving: `invariant` is broken at `at` for that reason.
    pub fn fell_short(&mut self, invariant: Invariant, at: Duration, node: Option<NodeId>, detail: String) {
        if self.violations.iter().any(|v| v.invariant == invariant && v.node == node) {
            return;
        }
        let detail = format!("after the recovery: {detail}");
        self.violations.push(Violation {
            invariant,
            at,
            step: None,
            node,
            evidence: Vec::new(),
            detail,
            recovered: false,
        });
    }

    /// Reads `events`, which follow the events read so far, and forgets them: for a search
    /// that drops each event once judged. Violations then carry no evidence.
    pub fn feed_and_forget(&mut self, setup: &Setup, events: &[Event]) {
        for event in events {
            self.event(setup, event, FORGOTTEN);
        }
    }

    /// Reads the events not yet read (`events` is the whole list so far).
    pub fn feed(&mut self, setup: &Setup, events: &[Event]) {
        while self.fed < events.len() {
            let index = self.fed;
            self.fed += 1;
            self.event(setup, &events[index], index);
        }
    }

    fn event(&mut self, setup: &Setup, event: &Event, index: usize) {
        self.judge_event(setup, event, index);
        match event.kind {
            EventKind::InstallerStarted { node, .. } => self.installing.set(node.index(), true),
            EventKind::InstallerFinished { node, .. }
            | EventKind::InstallerFailed { node, .. }
            | EventKind::InstallerInterrupted { node, .. } => self.installing.set(node.index(), false),
            _ => {}
        }
        if self.window_open && !self.window_closed && self.suspended.none() && self.installing.none() {
            self.window_closed = true;
        }
    }

    fn judge_event(&mut self, setup: &Setup, event: &Event, index: usize) {
        match &event.kind {
            EventKind::StepStarted { step } if !self.in_recovery => self.step = Some(usize::from(*step)),
            EventKind::ClusterSuspending { node } | EventKind::ClusterSuspended { node } => {
                self.suspended.set(node.index(), true);
            }
            EventKind::ClusterResuming { .. } => {}
            EventKind::ClusterResumed { node } => self.suspended.set(node.index(), false),
            EventKind::ClusterServiceStarted { node } | EventKind::ClusterServiceStopped { node } => {
                self.suspended.set(node.index(), false);
            }
            EventKind::NodeDown { node, cause, cluster_suspended } => {
                self.suspended.set(node.index(), false);
                let deliberate =
                    matches!(cause, DownCause::Reboot | DownCause::InstallerPrompt | DownCause::ClusterReboot);
                if deliberate && *cluster_suspended {
                    let name = setup.node_name(*node).to_owned();
                    self.violate(
                        Invariant::RebootWhileSuspended,
                        event,
                        index,
                        format!("{name} went down for a reboot while the cluster was suspended"),
                    );
                }
            }
            EventKind::ResourceOnline { resource, .. } => {
                self.resource_online.set(resource.index(), true);
                if self.false_alarm_target == Some(*resource) {
                    self.false_alarm_target = None;
                }
            }
            EventKind::MonitorError { monitor, false_alarm, .. } => {
                self.false_alarm_target = false_alarm.then(|| setup.cluster.monitors[monitor.index()].target);
            }
            EventKind::ResourceOffline { resource, node, orderly } => {
                self.resource_online.set(resource.index(), false);
                if !*orderly {
                    self.dropped_by_crash.set(setup.cluster.resources[resource.index()].group.index(), true);
                }
                let group = setup.cluster.resources[resource.index()].group;
                let by_false_alarm = self
                    .false_alarm_target
                    .is_some_and(|target| setup.cluster.resources[target.index()].group == group);
                let registry_sync =
                    matches!(setup.cluster.resources[resource.index()].kind, ResourceKind::RegistrySync { .. });
                if *orderly && self.in_window() && registry_sync && !by_false_alarm {
                    let detail = format!(
                        "registry-sync resource {} went offline on {} during the apply",
                        setup.resource_name(*resource),
                        setup.node_name(*node)
                    );
                    self.violate(Invariant::RegistrySyncStoppedDuringApply, event, index, detail);
                }
            }
            EventKind::ServiceStopped { node, service, by: Actor::Installer, watch_active, monitor_active }
            | EventKind::ServiceStarted { node, service, by: Actor::Installer, watch_active, monitor_active }
                if *watch_active || monitor_active.is_some() =>
            {
                let watcher = match monitor_active {
                    Some(monitor) => format!("monitor {}", setup.monitor_name(*monitor)),
                    None => "the Task Manager watch".to_owned(),
                };
                let detail = format!(
                    "{watcher} was watching {:?} on {} when the installer stopped or started it",
                    setup.service_name(*service),
                    setup.node_name(*node)
                );
                self.violate(Invariant::MonitoringDuringApply, event, index, detail);
            }
            EventKind::GroupStarting { group, node } | EventKind::GroupStopping { group, node } => {
                // A group that a crash dropped starts again where the cluster can: that is the
                // fault's consequence (judged by what it restores), not a move by the procedure.
                let recovering =
                    matches!(event.kind, EventKind::GroupStarting { .. }) && self.dropped_by_crash.take(group.index());
                let by_false_alarm = self
                    .false_alarm_target
                    .is_some_and(|target| setup.cluster.resources[target.index()].group == *group);
                if self.in_window() && !recovering && !by_false_alarm {
                    let detail = format!(
                        "group {} started or stopped on {} during the apply",
                        setup.group_name(*group),
                        setup.node_name(*node)
                    );
                    self.violate(Invariant::FailoverDuringApply, event, index, detail);
                }
            }
            EventKind::GroupOnline { group, node } if group.index() == 0 && self.last_install_finished.is_some() => {
                self.online_after_update.push(*node);
            }
            EventKind::InstallerStarted { node, from_mirror } => {
                if !self.window_open {
                    self.window_open = true;
                    // A registry-sync resource already offline when the apply begins counts.
                    let mut offline =
                        setup.cluster.registry_sync_resources().filter(|r| !self.resource_online.get(r.index()));
                    if let Some(resource) = offline.next() {
                        let detail = format!(
                            "registry-sync resource {} was offline when the first install began",
                            setup.resource_name(resource)
                        );
                        self.violate(Invariant::RegistrySyncStoppedDuringApply, event, index, detail);
                    }
                }
                if *from_mirror {
                    let detail = format!("{} ran the installer from the mirror drive", setup.node_name(*node));
                    self.violate(Invariant::ModuleOnMirrorDrive, event, index, detail);
                }
            }
            EventKind::ModuleUnzipped { node, on_mirror: true } => {
                let detail = format!("{} unzipped the module onto the mirror drive", setup.node_name(*node));
                self.violate(Invariant::ModuleOnMirrorDrive, event, index, detail);
            }
            // A crash cuts an installer short whatever the procedure does: the fault's doing,
            // judged by what the stop leads to (a rollback, a reboot while suspended).
            EventKind::InstallerInterrupted { cause: Interruption::NodeDown { cause }, .. } if cause.is_fault() => {}
            EventKind::InstallerInterrupted { node, .. } => {
                let detail = format!("the installer on {} was cut short", setup.node_name(*node));
                self.violate(Invariant::InstallerInterrupted, event, index, detail);
            }
            EventKind::InstallerFinished { restart_requested, .. } => {
                self.last_install_finished = Some(index);
                self.online_after_update.clear();
                if *restart_requested {
                    self.restart_pending = true;
                }
            }
            EventKind::ClusterRebootStarted { .. } if self.suspended.none() => {
                self.restart_pending = false;
            }
            EventKind::RegistryRestored { node, resource, overwritten } => {
                if let Some(lost) = overwritten.iter().find(|o| o.installer_write) {
                    let detail = format!(
                        "registry sync {} restored {} on {} over the installer's {}",
                        setup.resource_name(*resource),
                        setup.slot_name(lost.slot),
                        setup.node_name(*node),
                        lost.lost.map_or("(absent)".to_owned(), |d| format!("{:?}", setup.data_text(d)))
                    );
                    self.violate(Invariant::RegistryRolledBack, event, index, detail);
                }
            }
            _ => {}
        }
    }

    /// Judges the final invariants on the state where the procedure ended.
    pub fn finish(&mut self, setup: &Setup, last: &Observation, active: NodeId, standbys: &[NodeId]) {
        let at = last.at;
        let add = |violations: &mut Vec<Violation>, invariant: Invariant, node: Option<NodeId>, detail: String| {
            violations.push(Violation {
                invariant,
                at,
                step: None,
                node,
                evidence: Vec::new(),
                detail,
                recovered: false,
            });
        };
        // Judged per module: each is whole on every node, or the node misses it. Where the
        // procedure applies several, the detail names the module.
        let several = setup.procedure.modules.len() > 1;
        for module in &setup.procedure.modules {
            for component in &module.components {
                for (n, node) in last.nodes.iter().enumerate() {
                    let installed = node.component(component.component);
                    if installed != component.version {
                        let name = &setup.cluster.components[component.component.index()].name;
                        let mut detail = format!(
                            "{} has {name} {installed}, not {}",
                            setup.node_name(NodeId(n as u8)),
                            component.version
                        );
                        if several {
                            detail.push_str(&format!(" (module {})", module.id));
                        }
                        add(&mut self.violations, Invariant::PartialUpdate, Some(NodeId(n as u8)), detail);
                    }
                }
            }
        }
        if self.restart_pending {
            add(
                &mut self.violations,
                Invariant::PendingRestartSkipped,
                None,
                "an installer asked for a restart and no cluster-safe reboot followed the resume".to_owned(),
            );
        }
        if let Some(detail) = not_restored(setup, last, &self.initial_owner) {
            add(&mut self.violations, Invariant::ClusterNotRestored, None, detail);
        }
        let verified = self.last_install_finished.is_some() && {
            let mut position = 0;
            let mut ok = true;
            for &standby in standbys {
                match self.online_after_update[position..].iter().position(|&n| n == standby) {
                    Some(found) => position += found + 1,
                    None => ok = false,
                }
            }
            ok && self.online_after_update[position..].contains(&active)
        };
        if !verified {
            add(
                &mut self.violations,
                Invariant::FailoverNotVerified,
                None,
                "after the update the group did not go online on every standby and back on the active node".to_owned(),
            );
        }
    }
}

/// Why the cluster is not as it was, if it is not.
fn not_restored(setup: &Setup, last: &Observation, initial_owner: &[Option<NodeId>]) -> Option<String> {
    let cluster = &setup.cluster;
    for (n, node) in last.nodes.iter().enumerate() {
        let name = setup.node_name(NodeId(n as u8));
        if node.power != Power::Up {
            return Some(format!("{name} is not up"));
        }
        if node.cluster != ClusterService::Running {
            return Some(format!("the cluster service on {name} is {:?}, not running", node.cluster));
        }
        if let Some(m) = node.monitors.iter().position(|m| *m == MonitorStatus::Suspended) {
            return Some(format!("monitor {} is suspended on {name}", cluster.monitors[m].name));
        }
        if let Some(s) = node.watches.iter().position(|w| *w == Watch::NotMonitoring) {
            return Some(format!("the watch of {:?} on {name} reads Not monitoring", cluster.services[s].name));
        }
    }
    for (g, group) in cluster.groups.iter().enumerate() {
        let Some(owner) = initial_owner.get(g).copied().flatten() else { continue };
        let owner_name = setup.node_name(owner);
        if !last.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, owner) {
            return Some(format!("group {} is not online on {owner_name} with every resource online", group.name));
        }
        for resource in &group.resources {
            if let ResourceKind::Service { services } = &cluster.resources[resource.index()].kind {
                for service in services {
                    if last.nodes[owner.index()].services[service.index()] != ServiceStatus::Running {
                        return Some(format!(
                            "service {:?} is not running on {owner_name}",
                            cluster.services[service.index()].name
                        ));
                    }
                    if cluster.services[service.index()].watched
                        && last.nodes[owner.index()].watches[service.index()] != Watch::Monitoring
                    {
                        return Some(format!(
                            "the watch of {:?} on {owner_name} is not Monitoring",
                            cluster.services[service.index()].name
                        ));
                    }
                }
            }
        }
    }
    None
}

/// Judges a whole run: the safety invariants over its events and, when `judge_final`, the
/// final invariants on its last state. Final invariants apply to a run that completed, or
/// that stopped with no fault injected (a procedure must finish on a healthy cluster).
pub fn judge(
    setup: &Setup,
    initial: &Observation,
    events: &[Event],
    last: &Observation,
    roles: Option<&Roles>,
    judge_final: bool,
) -> Vec<Violation> {
    let mut judge = Judge::new(setup, initial);
    judge.feed(setup, events);
    if judge_final {
        let (active, standbys) = match roles {
            Some(roles) => (roles.active, roles.standbys.clone()),
            None => (setup.cluster.initial_active(), setup.cluster.initial_standbys()),
        };
        judge.finish(setup, last, active, &standbys);
    }
    judge.violations
}
