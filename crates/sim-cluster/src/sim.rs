//! The simulated cluster: [`Builder`] makes a [`Sim`], which implements
//! [`procedure::backend::Backend`] and takes faults with [`Sim::inject`].
//!
//! Operations take effect through timers in virtual time: an operation changes a state to
//! Pending and schedules its completion; [`Backend::wait`] runs timers in time order. Every
//! change that matters is recorded as an [`Event`] in the trace.

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{
    Backend, BackendError, ClusterService, GroupState, GroupStatus, Installer, MonitorStatus, NodeState, Observation,
    Operation, Power, Refusal, ResourceState, ResourceStatus, ServiceStatus, Watch, same_path,
};
use procedure::cluster::{FinalAction, GroupId, MonitorId, NodeId, ResourceId, ResourceKind, ServiceId};
use procedure::event::{
    Actor, DownCause, Event, EventKind, Fault, InstallerFailure, Interruption, Overwrite, Recovery,
};
use procedure::procedure::RestartAnswer;
use procedure::setup::{DataId, Setup, SlotId};

use crate::rng::Rng;

/// How long the surviving nodes take to notice that a running peer vanished and fail its
/// groups over.
///
/// Inferred: EXPRESSCLUSTER's heartbeat timeout is configurable (30 s is a common default);
/// the exact figure does not change any outcome here, only when it happens.
pub const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(30);

/// Makes a [`Sim`].
#[derive(Debug, Clone)]
pub struct Builder {
    setup: Arc<Setup>,
    seed: u64,
    jitter: bool,
}

impl Builder {
    /// A builder for the cluster and module of `setup`, seed 0, with jitter.
    pub fn new(setup: Arc<Setup>) -> Builder {
        Builder { setup, seed: 0, jitter: true }
    }

    /// The seed of every random choice.
    pub fn seed(&mut self, seed: u64) -> &mut Builder {
        self.seed = seed;
        self
    }

    /// Whether durations vary by up to ±10% (from the seed); off gives round figures.
    pub fn jitter(&mut self, jitter: bool) -> &mut Builder {
        self.jitter = jitter;
        self
    }

    /// The cluster in its starting state: every node up and running the cluster, every group
    /// online on the first node of its policy, registry-sync images equal to the owners' keys.
    pub fn build(&self) -> Sim {
        let setup = Arc::clone(&self.setup);
        let cluster = &setup.cluster;
        let mut rng = Rng::new(self.seed);
        let node_count = cluster.nodes.len();
        let service_count = cluster.services.len();
        let monitor_count = cluster.monitors.len();
        let baseline: Vec<Option<DataId>> = setup.registry.iter().map(|slot| slot.baseline).collect();
        let versions: Vec<Arc<str>> = cluster.components.iter().map(|c| Arc::from(c.version.as_str())).collect();
        let node = NodeState {
            reachable: true,
            power: Power::Up,
            cluster: ClusterService::Running,
            services: vec![ServiceStatus::Stopped; service_count],
            watches: vec![Watch::Absent; service_count],
            monitors: vec![MonitorStatus::Offline; monitor_count],
            components: versions,
            registry: baseline.clone(),
            unzipped: None,
            registry_backups: Vec::new(),
            installer: Installer::Idle,
            boots: 1,
        };
        // Services that no group resource starts run on every node from boot.
        let mut standalone = vec![true; service_count];
        for resource in &cluster.resources {
            if let ResourceKind::Service { services } = &resource.kind {
                for service in services {
                    standalone[service.index()] = false;
                }
            }
        }
        let mut nodes = vec![node; node_count];
        for node in &mut nodes {
            for (i, &alone) in standalone.iter().enumerate() {
                if alone {
                    node.services[i] = ServiceStatus::Running;
                }
            }
        }
        let observation = Observation {
            at: Duration::ZERO,
            nodes,
            groups: vec![GroupState { status: GroupStatus::Offline, owner: None }; cluster.groups.len()],
            resources: vec![ResourceState { status: ResourceStatus::Offline, node: None }; cluster.resources.len()],
            mirror_unzipped: None,
        };
        let monitor_phase =
            cluster.monitors.iter().map(|m| Duration::from_millis(rng.below(m.interval.as_millis() as u64))).collect();
        let mut sim = Sim {
            setup: Arc::clone(&setup),
            now: Duration::ZERO,
            obs: observation,
            images: vec![baseline; cluster.resources.len()],
            provenance: vec![vec![false; setup.registry.len()]; node_count],
            escalation: vec![Escalation::default(); node_count * monitor_count],
            false_alarm: vec![false; node_count * monitor_count],
            monitor_poll_pending: vec![false; node_count * monitor_count],
            watch_poll_pending: vec![false; node_count * service_count],
            monitor_phase,
            installers: vec![None; node_count],
            installer_generation: vec![0; node_count],
            node_generation: vec![0; node_count],
            group_generation: vec![0; cluster.groups.len()],
            group_busy: vec![false; cluster.groups.len()],
            armed: Armed {
                installer_fails: vec![false; node_count],
                restart_request: vec![false; node_count],
                service_fails: Vec::new(),
                group_move_fails: vec![false; cluster.groups.len()],
            },
            queue: Vec::with_capacity(16),
            sequence: 0,
            rng,
            jitter: self.jitter,
            trace: Vec::with_capacity(512),
        };
        // Bring every group online on its first node, silently: this is the starting state.
        for (g, group) in cluster.groups.iter().enumerate() {
            let node = group.policy[0];
            for &resource in &group.resources {
                sim.activate_resource(node, resource, Actor::Cluster);
            }
            sim.obs.groups[g] = GroupState { status: GroupStatus::Online, owner: Some(node) };
        }
        sim.refresh_monitor_status();
        sim.trace.clear();
        sim
    }
}

/// A group's resources, borrowed through a shared handle on the setup.
struct GroupResources {
    setup: Arc<Setup>,
    group: GroupId,
}

impl GroupResources {
    fn slice(&self) -> &[ResourceId] {
        &self.setup.cluster.groups[self.group.index()].resources
    }
}

impl IntoIterator for GroupResources {
    type Item = ResourceId;
    type IntoIter = GroupResourcesIter;

    fn into_iter(self) -> GroupResourcesIter {
        let back = self.slice().len();
        GroupResourcesIter { resources: self, front: 0, back }
    }
}

struct GroupResourcesIter {
    resources: GroupResources,
    front: usize,
    back: usize,
}

impl Iterator for GroupResourcesIter {
    type Item = ResourceId;

    fn next(&mut self) -> Option<ResourceId> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.resources.slice()[self.front - 1]
        })
    }
}

impl DoubleEndedIterator for GroupResourcesIter {
    fn next_back(&mut self) -> Option<ResourceId> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.resources.slice()[self.back]
        })
    }
}

/// Escalation counters of one monitor on one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Escalation {
    restarts: u8,
    failovers: u8,
}

/// Faults waiting for the operation they spoil.
#[derive(Debug, Clone)]
struct Armed {
    installer_fails: Vec<bool>,
    restart_request: Vec<bool>,
    service_fails: Vec<(NodeId, ServiceId)>,
    group_move_fails: Vec<bool>,
}

/// A running installer.
#[derive(Debug, Clone)]
struct InstallerRun {
    answer: RestartAnswer,
    /// Services it stopped and will start again.
    stopped: Vec<ServiceId>,
    /// On a node without the mirror disk it only exchanges files.
    files_only: bool,
    fail: bool,
    started_at: Duration,
    length: Duration,
}

/// The installer's phases, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Stop the i-th service of the module.
    Stop(u16),
    /// Replace the components' files.
    Files,
    /// Write the module's registry values.
    Registry,
    /// Start the i-th service it stopped.
    Start(u16),
    /// Finish, and ask for a restart if it wants one.
    Finish,
}

/// Something scheduled to happen.
#[derive(Debug, Clone)]
enum Timer {
    ClusterSuspended { node: NodeId, generation: u32 },
    ClusterResumed { node: NodeId, generation: u32 },
    ServiceStopped { node: NodeId, service: ServiceId, generation: u32 },
    ServiceStarted { node: NodeId, service: ServiceId, generation: u32 },
    GroupStopped { group: GroupId, node: NodeId, generation: u32, then: Then },
    GroupStarted { group: GroupId, node: NodeId, generation: u32, fail_back_to: Option<NodeId> },
    ResourceStopped { resource: ResourceId, node: NodeId, generation: u32 },
    ResourceStarted { resource: ResourceId, node: NodeId, generation: u32 },
    MonitorPoll { node: NodeId, monitor: MonitorId },
    WatchPoll { node: NodeId, service: ServiceId },
    Installer { node: NodeId, generation: u32, phase: Phase },
    Unzipped { node: NodeId, folder: Arc<str>, generation: u32 },
    BackedUp { node: NodeId, file: Arc<str>, generation: u32 },
    Booted { node: NodeId, generation: u32 },
    PeerLost { node: NodeId, generation: u32 },
}

/// How a group goes offline at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offline {
    /// A stop: announced, resources deactivated in order.
    Announced,
    /// Resources deactivated in order, with no announcement (an orderly shutdown, or the end
    /// of a stop announced earlier).
    Quiet,
    /// Resources dropped without deactivation (a crash).
    Dropped,
}

/// What follows a group stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Nothing,
    StartOn { node: NodeId, fail: bool },
}

#[derive(Debug, Clone)]
struct Scheduled {
    at: Duration,
    sequence: u64,
    timer: Timer,
}

/// The simulated cluster.
#[derive(Debug, Clone)]
pub struct Sim {
    setup: Arc<Setup>,
    now: Duration,
    obs: Observation,
    /// Registry-sync images, by resource, by slot (only registry-sync resources use theirs).
    images: Vec<Vec<Option<DataId>>>,
    /// Per node, per slot: the current data was written by the installer.
    provenance: Vec<Vec<bool>>,
    /// Per node × monitor.
    escalation: Vec<Escalation>,
    false_alarm: Vec<bool>,
    monitor_poll_pending: Vec<bool>,
    /// Per node × service.
    watch_poll_pending: Vec<bool>,
    monitor_phase: Vec<Duration>,
    installers: Vec<Option<InstallerRun>>,
    installer_generation: Vec<u32>,
    /// Bumped when a node goes down: its pending timers die with it.
    node_generation: Vec<u32>,
    /// Bumped when a group operation is cancelled.
    group_generation: Vec<u32>,
    group_busy: Vec<bool>,
    armed: Armed,
    /// Timers, kept sorted so that the earliest is last.
    queue: Vec<Scheduled>,
    sequence: u64,
    rng: Rng,
    jitter: bool,
    trace: Vec<Event>,
}

impl Sim {
    /// The setup the simulator was built from.
    pub fn setup(&self) -> &Arc<Setup> {
        &self.setup
    }

    /// The current state, without marking time.
    pub fn observation(&self) -> &Observation {
        &self.obs
    }

    /// The trace so far.
    pub fn trace(&self) -> &[Event] {
        &self.trace
    }

    /// Runs timers until the cluster is quiet or `limit` of virtual time has passed.
    pub fn settle(&mut self, limit: Duration) {
        let deadline = self.now + limit;
        while let Some(next) = self.queue.last() {
            if next.at > deadline {
                break;
            }
            self.run_next_timer();
        }
        if self.queue.is_empty() {
            return;
        }
        self.now = deadline;
    }

    /// Lets exactly `length` of virtual time pass, running every timer due in it.
    pub fn advance(&mut self, length: Duration) {
        let deadline = self.now + length;
        while self.queue.last().is_some_and(|next| next.at <= deadline) {
            self.run_next_timer();
        }
        self.now = deadline;
    }

    /// Injects a fault now.
    pub fn inject(&mut self, fault: Fault) {
        self.emit(EventKind::FaultInjected { fault });
        match fault {
            Fault::Crash { node } => {
                if self.obs.nodes[node.index()].power != Power::Down {
                    self.node_down(node, DownCause::Crash);
                }
            }
            Fault::Restart { node } => {
                if self.obs.nodes[node.index()].power == Power::Down {
                    self.boot(node);
                }
            }
            Fault::InstallerFails { node } => self.armed.installer_fails[node.index()] = true,
            Fault::RestartRequest { node } => self.armed.restart_request[node.index()] = true,
            Fault::ServiceFailsToStart { node, service } => self.armed.service_fails.push((node, service)),
            Fault::GroupMoveFails { group } => self.armed.group_move_fails[group.index()] = true,
            Fault::MonitorFalseAlarm { node, monitor } => {
                if self.monitor_active(node, monitor) {
                    let index = self.nm(node, monitor);
                    self.false_alarm[index] = true;
                    self.schedule_monitor_poll_now(node, monitor);
                }
            }
            Fault::Unreachable { node } => {
                if self.obs.nodes[node.index()].reachable {
                    self.obs.nodes[node.index()].reachable = false;
                    self.emit(EventKind::NodeUnreachable { node });
                }
            }
            Fault::Reachable { node } => {
                if !self.obs.nodes[node.index()].reachable {
                    self.obs.nodes[node.index()].reachable = true;
                    self.emit(EventKind::NodeReachable { node });
                }
            }
        }
    }

    // ----- bookkeeping -------------------------------------------------------------------

    fn emit(&mut self, kind: EventKind) {
        self.trace.push(Event { at: self.now, kind });
    }

    fn nm(&self, node: NodeId, monitor: MonitorId) -> usize {
        node.index() * self.setup.cluster.monitors.len() + monitor.index()
    }

    fn ns(&self, node: NodeId, service: ServiceId) -> usize {
        node.index() * self.setup.cluster.services.len() + service.index()
    }

    fn duration(&mut self, base: Duration) -> Duration {
        if !self.jitter || base.is_zero() {
            return base;
        }
        // ±10%, to the millisecond.
        let ms = base.as_millis() as u64;
        let spread = ms / 5;
        if spread == 0 {
            return base;
        }
        Duration::from_millis(ms - ms / 10 + self.rng.below(spread + 1))
    }

    fn schedule(&mut self, after: Duration, timer: Timer) {
        let at = self.now + after;
        self.sequence += 1;
        let entry = Scheduled { at, sequence: self.sequence, timer };
        // Sorted descending by (at, sequence): the earliest is popped from the end.
        let position = self.queue.partition_point(|e| (e.at, e.sequence) > (at, entry.sequence));
        self.queue.insert(position, entry);
    }

    fn run_next_timer(&mut self) {
        let Some(entry) = self.queue.pop() else {
            return;
        };
        if entry.at > self.now {
            self.now = entry.at;
        }
        self.fire(entry.timer);
    }

    fn node_alive(&self, node: NodeId, generation: u32) -> bool {
        self.node_generation[node.index()] == generation && self.obs.nodes[node.index()].power == Power::Up
    }

    // ----- timers ----------------------------------------------------------------------------

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::ClusterSuspended { node, generation } => {
                if self.node_alive(node, generation)
                    && self.obs.nodes[node.index()].cluster == ClusterService::Suspending
                {
                    self.obs.nodes[node.index()].cluster = ClusterService::Suspended;
                    self.emit(EventKind::ClusterSuspended { node });
                    self.refresh_monitor_status();
                }
            }
            Timer::ClusterResumed { node, generation } => {
                if self.node_alive(node, generation) && self.obs.nodes[node.index()].cluster == ClusterService::Resuming
                {
                    self.obs.nodes[node.index()].cluster = ClusterService::Running;
                    self.emit(EventKind::ClusterResumed { node });
                    self.capture_all_on(node);
                    self.refresh_monitor_status();
                    self.recheck_watchers(node);
                }
            }
            Timer::ServiceStopped { node, service, generation } => {
                if self.node_alive(node, generation)
                    && self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::StopPending
                {
                    self.set_service_stopped(node, service, Actor::Operator);
                }
            }
            Timer::ServiceStarted { node, service, generation } => {
                if self.node_alive(node, generation)
                    && self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::StartPending
                {
                    self.set_service_started(node, service, Actor::Operator);
                }
            }
            Timer::GroupStopped { group, node, generation, then } => {
                if self.group_generation[group.index()] == generation {
                    self.finish_group_stop(group, node, then);
                }
            }
            Timer::GroupStarted { group, node, generation, fail_back_to } => {
                if self.group_generation[group.index()] == generation {
                    self.finish_group_start(group, node, fail_back_to);
                }
            }
            Timer::ResourceStopped { resource, node, generation } => {
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.node_alive(node, generation) && self.obs.groups[group.index()].owner == Some(node) {
                    for dependent in self.dependents_in_stop_order(resource) {
                        if self.obs.resources[dependent.index()].node == Some(node)
                            && self.obs.resources[dependent.index()].status != ResourceStatus::Offline
                        {
                            self.deactivate_resource(node, dependent);
                        }
                    }
                    let all_offline = self.setup.cluster.groups[group.index()]
                        .resources
                        .iter()
                        .all(|r| self.obs.resources[r.index()].status == ResourceStatus::Offline);
                    if all_offline && !self.group_busy[group.index()] {
                        self.obs.groups[group.index()] = GroupState { status: GroupStatus::Offline, owner: None };
                        self.emit(EventKind::GroupOffline { group, node });
                    }
                    self.refresh_monitor_status();
                }
            }
            Timer::ResourceStarted { resource, node, generation } => {
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.node_alive(node, generation) && self.obs.groups[group.index()].owner == Some(node) {
                    for needed in self.dependencies_in_start_order(resource) {
                        if self.obs.resources[needed.index()].status != ResourceStatus::Online {
                            self.activate_resource(node, needed, Actor::Cluster);
                        }
                    }
                    if self.obs.groups[group.index()].status == GroupStatus::OnlinePending {
                        self.obs.groups[group.index()].status = GroupStatus::Online;
                    }
                    self.refresh_monitor_status();
                }
            }
            Timer::MonitorPoll { node, monitor } => self.monitor_poll(node, monitor),
            Timer::WatchPoll { node, service } => self.watch_poll(node, service),
            Timer::Installer { node, generation, phase } => {
                if self.installer_generation[node.index()] == generation && self.installers[node.index()].is_some() {
                    self.installer_phase(node, phase);
                }
            }
            Timer::Unzipped { node, folder, generation } => {
                if self.node_alive(node, generation) {
                    let on_mirror = self.setup.cluster.is_mirror_drive(&folder);
                    if on_mirror {
                        self.obs.mirror_unzipped = Some(folder);
                    } else {
                        self.obs.nodes[node.index()].unzipped = Some(folder);
                    }
                    self.emit(EventKind::ModuleUnzipped { node, on_mirror });
                }
            }
            Timer::BackedUp { node, file, generation } => {
                if self.node_alive(node, generation) {
                    // Exporting to the same file again overwrites it (`reg export /y`).
                    let backups = &mut self.obs.nodes[node.index()].registry_backups;
                    if !backups.iter().any(|known| same_path(known, &file)) {
                        backups.push(file);
                    }
                    self.emit(EventKind::RegistryBackedUp { node });
                }
            }
            Timer::Booted { node, generation } => {
                if self.node_generation[node.index()] == generation
                    && self.obs.nodes[node.index()].power == Power::Booting
                {
                    self.finish_boot(node);
                }
            }
            Timer::PeerLost { node, generation } => {
                if self.node_generation[node.index()] == generation {
                    self.fail_over_groups_of_lost(node);
                }
            }
        }
    }

    // ----- services and watchers ------------------------------------------------------------

    /// The monitor watching `service` on `node` right now, if one is active.
    fn active_monitor_of_service(&self, node: NodeId, service: ServiceId) -> Option<MonitorId> {
        self.setup.service_monitors[service.index()].iter().copied().find(|&monitor| self.monitor_active(node, monitor))
    }

    fn watch_active(&self, node: NodeId, service: ServiceId) -> bool {
        self.obs.nodes[node.index()].watches[service.index()] == Watch::Monitoring
    }

    fn set_service_stopped(&mut self, node: NodeId, service: ServiceId, by: Actor) {
        let status = &mut self.obs.nodes[node.index()].services[service.index()];
        if *status == ServiceStatus::Stopped {
            return;
        }
        *status = ServiceStatus::Stopped;
        let watch_active = self.watch_active(node, service);
        let monitor_active = self.active_monitor_of_service(node, service);
        self.emit(EventKind::ServiceStopped { node, service, by, watch_active, monitor_active });
        if watch_active {
            self.schedule_watch_poll(node, service);
        }
        if let Some(monitor) = monitor_active {
            self.schedule_monitor_poll(node, monitor);
        }
    }

    /// Starts a service now; false when an armed fault makes it fail.
    fn set_service_started(&mut self, node: NodeId, service: ServiceId, by: Actor) -> bool {
        if let Some(i) = self.armed.service_fails.iter().position(|&(n, s)| n == node && s == service) {
            self.armed.service_fails.remove(i);
            self.obs.nodes[node.index()].services[service.index()] = ServiceStatus::Stopped;
            self.emit(EventKind::ServiceStartFailed { node, service });
            return false;
        }
        let status = &mut self.obs.nodes[node.index()].services[service.index()];
        if *status == ServiceStatus::Running {
            return true;
        }
        *status = ServiceStatus::Running;
        let watch_active = self.watch_active(node, service);
        let monitor_active = self.active_monitor_of_service(node, service);
        self.emit(EventKind::ServiceStarted { node, service, by, watch_active, monitor_active });
        if by != Actor::Installer
            && let Some(run) = &self.installers[node.index()]
            && (run.stopped.contains(&service) || self.setup.procedure.module.requires_stopped.contains(&service))
        {
            self.interrupt_installer(node, Interruption::ServiceRestarted { service, by });
        }
        true
    }

    /// Inferred: the Task Manager watch (an ARMLOAD-style watch, research/domain.md section 4)
    /// restarts a stopped service one polling interval later, whether or not the cluster is
    /// suspended.
    fn schedule_watch_poll(&mut self, node: NodeId, service: ServiceId) {
        let index = self.ns(node, service);
        if self.watch_poll_pending[index] {
            return;
        }
        self.watch_poll_pending[index] = true;
        let interval = self.setup.cluster.timing.watch_interval;
        self.schedule(interval, Timer::WatchPoll { node, service });
    }

    fn watch_poll(&mut self, node: NodeId, service: ServiceId) {
        let index = self.ns(node, service);
        self.watch_poll_pending[index] = false;
        let state = &self.obs.nodes[node.index()];
        if state.power == Power::Up
            && state.watches[service.index()] == Watch::Monitoring
            && state.services[service.index()] == ServiceStatus::Stopped
        {
            self.set_service_started(node, service, Actor::Watch);
        }
    }

    /// After a node's cluster resumes, or a watch is turned back on, the watchers look again.
    fn recheck_watchers(&mut self, node: NodeId) {
        for s in 0..self.setup.cluster.services.len() {
            let service = ServiceId(s as u16);
            if self.obs.nodes[node.index()].services[s] != ServiceStatus::Stopped {
                continue;
            }
            if self.watch_active(node, service) {
                self.schedule_watch_poll(node, service);
            }
            if let Some(monitor) = self.active_monitor_of_service(node, service) {
                self.schedule_monitor_poll(node, monitor);
            }
        }
    }

    // ----- monitors ---------------------------------------------------------------------------

    /// Whether a monitor watches on `node` now.
    ///
    /// Inferred: while the cluster is suspended, monitors are frozen (research/domain.md
    /// section 2.3; the SSC procedure suspends the cluster to prevent failovers).
    fn monitor_active(&self, node: NodeId, monitor: MonitorId) -> bool {
        let state = &self.obs.nodes[node.index()];
        let target = self.setup.cluster.monitors[monitor.index()].target;
        let resource = self.obs.resources[target.index()];
        state.power == Power::Up
            && state.cluster == ClusterService::Running
            && state.monitors[monitor.index()] != MonitorStatus::Suspended
            && resource.status == ResourceStatus::Online
            && resource.node == Some(node)
    }

    fn monitor_condition_ok(&self, node: NodeId, monitor: MonitorId) -> bool {
        if self.false_alarm[self.nm(node, monitor)] {
            return false;
        }
        let target = self.setup.cluster.monitors[monitor.index()].target;
        match &self.setup.cluster.resources[target.index()].kind {
            ResourceKind::Service { services } => {
                services.iter().all(|s| self.obs.nodes[node.index()].services[s.index()] == ServiceStatus::Running)
            }
            _ => true,
        }
    }

    fn refresh_monitor_status(&mut self) {
        for n in 0..self.obs.nodes.len() {
            let node = NodeId(n as u8);
            for m in 0..self.setup.cluster.monitors.len() {
                let monitor = MonitorId(m as u16);
                if self.obs.nodes[n].monitors[m] == MonitorStatus::Suspended {
                    continue;
                }
                let status = if self.monitor_active(node, monitor) {
                    if self.obs.nodes[n].monitors[m] == MonitorStatus::Error {
                        MonitorStatus::Error
                    } else {
                        MonitorStatus::Normal
                    }
                } else {
                    MonitorStatus::Offline
                };
                self.obs.nodes[n].monitors[m] = status;
            }
        }
    }

    fn schedule_monitor_poll(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        if self.monitor_poll_pending[index] {
            return;
        }
        self.monitor_poll_pending[index] = true;
        let interval = self.setup.cluster.monitors[monitor.index()].interval;
        let phase = self.monitor_phase[monitor.index()];
        // The next tick of this monitor's polling grid, strictly after now. In u128 and
        // saturating: a clock read from a damaged journal must not wrap into the past.
        let since = self.now.saturating_sub(phase).as_millis();
        let step = interval.as_millis().max(1);
        let next_ms = u64::try_from((since / step + 1) * step).unwrap_or(u64::MAX);
        let next = phase.saturating_add(Duration::from_millis(next_ms));
        self.schedule(next.saturating_sub(self.now), Timer::MonitorPoll { node, monitor });
    }

    fn schedule_monitor_poll_now(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        self.monitor_poll_pending[index] = true;
        self.schedule(Duration::ZERO, Timer::MonitorPoll { node, monitor });
    }

    /// A monitor's poll: on error, reactivate the target up to the restart threshold, then
    /// fail the group over up to the failover threshold, then take the final action (the
    /// escalation of NEC's monitor parameters, research/domain.md section 4).
    fn monitor_poll(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        self.monitor_poll_pending[index] = false;
        if !self.monitor_active(node, monitor) {
            self.false_alarm[index] = false;
            return;
        }
        if self.monitor_condition_ok(node, monitor) {
            self.obs.nodes[node.index()].monitors[monitor.index()] = MonitorStatus::Normal;
            return;
        }
        let false_alarm = self.false_alarm[index];
        self.false_alarm[index] = false;
        self.obs.nodes[node.index()].monitors[monitor.index()] = MonitorStatus::Error;
        self.emit(EventKind::MonitorError { node, monitor, false_alarm });
        let setup = Arc::clone(&self.setup);
        let spec = &setup.cluster.monitors[monitor.index()];
        let escalation = self.escalation[index];
        let target = spec.target;
        let group = self.setup.cluster.resources[target.index()].group;
        if escalation.restarts < spec.restart_threshold {
            self.escalation[index].restarts += 1;
            self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::Restart });
            self.deactivate_resource(node, target);
            self.activate_resource(node, target, Actor::Monitor);
            self.obs.nodes[node.index()].monitors[monitor.index()] = MonitorStatus::Normal;
            self.schedule_monitor_poll(node, monitor);
            return;
        }
        if escalation.failovers < spec.failover_threshold
            && let Some(destination) = self.failover_destination(group, node)
        {
            self.escalation[index].failovers += 1;
            self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::Failover });
            self.begin_group_stop(group, node, Then::StartOn { node: destination, fail: false });
            return;
        }
        self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::FinalAction(spec.final_action) });
        match spec.final_action {
            FinalAction::NoOperation => {}
            FinalAction::StopGroup => self.begin_group_stop(group, node, Then::Nothing),
            FinalAction::StopClusterService => self.stop_cluster_service(node),
            FinalAction::StopClusterServiceAndShutdown => {
                self.stop_cluster_service(node);
                self.node_down(node, DownCause::FinalAction);
            }
            FinalAction::StopClusterServiceAndReboot => {
                self.stop_cluster_service(node);
                self.node_down(node, DownCause::FinalAction);
                self.boot(node);
            }
        }
    }

    // ----- resources and registry sync ------------------------------------------------------

    fn activate_resource(&mut self, node: NodeId, resource: ResourceId, by: Actor) -> bool {
        let setup = Arc::clone(&self.setup);
        match &setup.cluster.resources[resource.index()].kind {
            ResourceKind::RegistrySync { .. } => self.restore_image(node, resource),
            ResourceKind::Service { services } => {
                for &service in services {
                    if !self.set_service_started(node, service, by) {
                        self.obs.resources[resource.index()] =
                            ResourceState { status: ResourceStatus::OnlineFailure, node: Some(node) };
                        self.emit(EventKind::ResourceFailed { node, resource });
                        return false;
                    }
                }
                // Inferred: services started through the cluster are watched again by the Task
                // Manager watch (the ARMLOAD watch starts with the service).
                for &service in services {
                    if self.setup.cluster.services[service.index()].watched {
                        self.obs.nodes[node.index()].watches[service.index()] = Watch::Monitoring;
                    }
                }
            }
            ResourceKind::MirrorDisk { .. } | ResourceKind::FloatingIp { .. } => {}
        }
        self.obs.resources[resource.index()] = ResourceState { status: ResourceStatus::Online, node: Some(node) };
        self.emit(EventKind::ResourceOnline { node, resource });
        true
    }

    fn deactivate_resource(&mut self, node: NodeId, resource: ResourceId) {
        let setup = Arc::clone(&self.setup);
        match &setup.cluster.resources[resource.index()].kind {
            ResourceKind::Service { services } => {
                for &service in services.iter().rev() {
                    self.obs.nodes[node.index()].watches[service.index()] = Watch::Absent;
                    self.set_service_stopped(node, service, Actor::Cluster);
                }
            }
            ResourceKind::RegistrySync { .. } => {
                // Inferred: saved when taken offline, as long as the cluster runs here (as WSFC
                // checkpoints are, KB174070).
                if self.obs.nodes[node.index()].cluster == ClusterService::Running {
                    self.capture(node, resource);
                }
            }
            ResourceKind::MirrorDisk { .. } | ResourceKind::FloatingIp { .. } => {}
        }
        self.obs.resources[resource.index()] = ResourceState { status: ResourceStatus::Offline, node: None };
        self.emit(EventKind::ResourceOffline { node, resource, orderly: true });
    }

    /// Registry sync activation: the node's synchronized values are overwritten from the
    /// resource's saved image; whatever was not captured is lost.
    ///
    /// Inferred in part (research/domain.md section 2.2): NEC documents that keys may be
    /// rolled back "when the resources are started"; WSFC's checkpointing documents the same
    /// restore-before-online rule.
    fn restore_image(&mut self, node: NodeId, resource: ResourceId) {
        let mut overwritten = Vec::new();
        for (s, slot) in self.setup.registry.iter().enumerate() {
            if !slot.synced_by.contains(&resource) {
                continue;
            }
            let image = self.images[resource.index()][s];
            let current = self.obs.nodes[node.index()].registry[s];
            if image != current {
                overwritten.push(Overwrite {
                    slot: SlotId(s as u16),
                    lost: current,
                    restored: image,
                    installer_write: self.provenance[node.index()][s],
                });
                self.obs.nodes[node.index()].registry[s] = image;
            }
            self.provenance[node.index()][s] = false;
        }
        self.emit(EventKind::RegistryRestored { resource, node, overwritten });
    }

    /// Copies the node's synchronized values into the image; returns how many changed.
    fn capture(&mut self, node: NodeId, resource: ResourceId) -> u16 {
        let mut changed = 0;
        for (s, slot) in self.setup.registry.iter().enumerate() {
            if slot.synced_by.contains(&resource) {
                let current = self.obs.nodes[node.index()].registry[s];
                if self.images[resource.index()][s] != current {
                    self.images[resource.index()][s] = current;
                    changed += 1;
                }
            }
        }
        changed
    }

    /// On resume, every registry-sync resource online on the node captures its keys.
    ///
    /// Inferred: capture resumes with the cluster and takes the keys as they are then
    /// (research/domain.md section 2.2) — which is why NEC says to resume before rebooting.
    fn capture_all_on(&mut self, node: NodeId) {
        let resources: Vec<ResourceId> = self.setup.cluster.registry_sync_resources().collect();
        for resource in resources {
            let state = self.obs.resources[resource.index()];
            if state.status == ResourceStatus::Online && state.node == Some(node) {
                let changed = self.capture(node, resource);
                self.emit(EventKind::RegistryCaptured { resource, node, changed });
            }
        }
    }

    /// A value written on a node is captured at once if a registry-sync resource covering it
    /// is online there and the cluster runs (not suspended).
    ///
    /// Inferred: NEC documents only that changes made while the resource is active reach the
    /// other server (research/domain.md section 2.1); that capture stops while the cluster is
    /// suspended is inferred from the warning about rebooting while suspended.
    fn write_registry(&mut self, node: NodeId, slot: SlotId, data: DataId) {
        self.obs.nodes[node.index()].registry[slot.index()] = Some(data);
        self.provenance[node.index()][slot.index()] = true;
        self.emit(EventKind::RegistryWritten { node, slot, data });
        if self.obs.nodes[node.index()].cluster != ClusterService::Running {
            return;
        }
        let synced_by = self.setup.registry[slot.index()].synced_by.clone();
        for resource in synced_by {
            let state = self.obs.resources[resource.index()];
            if state.status == ResourceStatus::Online && state.node == Some(node) {
                self.images[resource.index()][slot.index()] = Some(data);
                self.emit(EventKind::RegistryCaptured { resource, node, changed: 1 });
            }
        }
    }

    fn dependents_in_stop_order(&self, resource: ResourceId) -> Vec<ResourceId> {
        let cluster = &self.setup.cluster;
        let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
        let mut affected = vec![resource];
        for &candidate in &group.resources {
            if cluster.resources[candidate.index()].depends.iter().any(|d| affected.contains(d))
                && !affected.contains(&candidate)
            {
                affected.push(candidate);
            }
        }
        let mut order: Vec<ResourceId> =
            group.resources.iter().rev().copied().filter(|r| affected.contains(r)).collect();
        order.dedup();
        order
    }

    fn dependencies_in_start_order(&self, resource: ResourceId) -> Vec<ResourceId> {
        let cluster = &self.setup.cluster;
        let mut needed = vec![resource];
        let mut i = 0;
        while i < needed.len() {
            for &dependency in &cluster.resources[needed[i].index()].depends {
                if !needed.contains(&dependency) {
                    needed.push(dependency);
                }
            }
            i += 1;
        }
        let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
        group.resources.iter().copied().filter(|r| needed.contains(r)).collect()
    }

    // ----- groups -----------------------------------------------------------------------------

    fn failover_destination(&self, group: GroupId, from: NodeId) -> Option<NodeId> {
        self.setup.cluster.groups[group.index()].policy.iter().copied().find(|&node| {
            node != from
                && self.obs.nodes[node.index()].power == Power::Up
                && self.obs.nodes[node.index()].cluster == ClusterService::Running
        })
    }

    /// The group's resources in activation order, from a shared handle so that the caller
    /// can change the simulator while it walks them.
    fn group_resources(&self, group: GroupId) -> GroupResources {
        GroupResources { setup: Arc::clone(&self.setup), group }
    }

    fn begin_group_stop(&mut self, group: GroupId, node: NodeId, then: Then) {
        self.group_generation[group.index()] += 1;
        self.group_busy[group.index()] = true;
        self.obs.groups[group.index()].status = GroupStatus::OfflinePending;
        for resource in self.group_resources(group) {
            if self.obs.resources[resource.index()].status != ResourceStatus::Offline {
                self.obs.resources[resource.index()].status = ResourceStatus::OfflinePending;
            }
        }
        self.emit(EventKind::GroupStopping { group, node });
        if let Some(run) = &self.installers[node.index()]
            && !run.files_only
        {
            self.interrupt_installer(node, Interruption::GroupLeft { group });
        }
        let per_resource = self.setup.cluster.timing.resource;
        let count = self.setup.cluster.groups[group.index()].resources.len() as u32;
        let length = self.duration(per_resource * count);
        let generation = self.group_generation[group.index()];
        self.schedule(length, Timer::GroupStopped { group, node, generation, then });
    }

    fn finish_group_stop(&mut self, group: GroupId, node: NodeId, then: Then) {
        // GroupStopping was announced when the stop began.
        self.take_group_offline(group, node, Offline::Quiet);
        if let Then::StartOn { node: target, fail } = then
            && self.obs.nodes[target.index()].power == Power::Up
        {
            self.begin_group_start(group, target, if fail { Some(node) } else { None });
        }
    }

    /// Takes a group offline on its node at once: its resources in reverse activation order,
    /// deactivated in order or dropped.
    fn take_group_offline(&mut self, group: GroupId, node: NodeId, how: Offline) {
        self.group_generation[group.index()] += 1;
        self.group_busy[group.index()] = false;
        if how == Offline::Announced {
            self.emit(EventKind::GroupStopping { group, node });
        }
        for resource in self.group_resources(group).into_iter().rev() {
            if self.obs.resources[resource.index()].status == ResourceStatus::Offline {
                continue;
            }
            if how == Offline::Dropped {
                self.obs.resources[resource.index()] = ResourceState { status: ResourceStatus::Offline, node: None };
                self.emit(EventKind::ResourceOffline { node, resource, orderly: false });
            } else {
                self.deactivate_resource(node, resource);
            }
        }
        self.obs.groups[group.index()] = GroupState { status: GroupStatus::Offline, owner: None };
        self.emit(EventKind::GroupOffline { group, node });
        self.refresh_monitor_status();
    }

    fn begin_group_start(&mut self, group: GroupId, node: NodeId, fail_back_to: Option<NodeId>) {
        self.group_generation[group.index()] += 1;
        self.group_busy[group.index()] = true;
        self.obs.groups[group.index()] = GroupState { status: GroupStatus::OnlinePending, owner: Some(node) };
        for resource in self.group_resources(group) {
            self.obs.resources[resource.index()] =
                ResourceState { status: ResourceStatus::OnlinePending, node: Some(node) };
        }
        self.emit(EventKind::GroupStarting { group, node });
        let per_resource = self.setup.cluster.timing.resource;
        let count = self.setup.cluster.groups[group.index()].resources.len() as u32;
        let length = self.duration(per_resource * count);
        let generation = self.group_generation[group.index()];
        self.schedule(length, Timer::GroupStarted { group, node, generation, fail_back_to });
    }

    fn finish_group_start(&mut self, group: GroupId, node: NodeId, fail_back_to: Option<NodeId>) {
        if let Some(source) = fail_back_to {
            // The move's destination cannot bring the group online: the first resource fails
            // and the group goes back to where it came from.
            let first = self.setup.cluster.groups[group.index()].resources[0];
            self.obs.resources[first.index()] =
                ResourceState { status: ResourceStatus::OnlineFailure, node: Some(node) };
            self.emit(EventKind::ResourceFailed { node, resource: first });
            for resource in self.group_resources(group) {
                self.obs.resources[resource.index()] = ResourceState { status: ResourceStatus::Offline, node: None };
            }
            self.emit(EventKind::GroupMoveFailed { group, node });
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::Offline, owner: None };
            if self.obs.nodes[source.index()].power == Power::Up {
                self.begin_group_start(group, source, None);
            } else {
                self.group_busy[group.index()] = false;
            }
            return;
        }
        let mut failed = false;
        for resource in self.group_resources(group) {
            if failed {
                self.obs.resources[resource.index()] = ResourceState { status: ResourceStatus::Offline, node: None };
                continue;
            }
            if !self.activate_resource(node, resource, Actor::Cluster) {
                failed = true;
            }
        }
        self.group_busy[group.index()] = false;
        if failed {
            // Inferred: the activation-failure action is "no operation (stop)", the default
            // (research/domain.md section 4); the group stays in Online Failure here.
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::OnlineFailure, owner: Some(node) };
        } else {
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::Online, owner: Some(node) };
            self.emit(EventKind::GroupOnline { group, node });
        }
        self.refresh_monitor_status();
        self.recheck_watchers(node);
    }

    /// Groups whose owner vanished start on the best surviving node that runs the cluster.
    fn fail_over_groups_of_lost(&mut self, lost: NodeId) {
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            let state = self.obs.groups[g];
            if state.owner.is_some() || self.group_busy[g] {
                continue;
            }
            if let Some(destination) = self.failover_destination(group, lost) {
                self.begin_group_start(group, destination, None);
            }
        }
    }

    /// A node's resources go offline at once, without deactivation (crash) or with it
    /// (orderly shutdown).
    fn drop_groups_of(&mut self, node: NodeId, orderly: bool) {
        let how = if orderly { Offline::Quiet } else { Offline::Dropped };
        for g in 0..self.setup.cluster.groups.len() {
            if self.obs.groups[g].owner == Some(node) {
                self.take_group_offline(GroupId(g as u8), node, how);
            }
        }
    }

    // ----- nodes --------------------------------------------------------------------------------

    fn stop_cluster_service(&mut self, node: NodeId) {
        let state = self.obs.nodes[node.index()].cluster;
        if state == ClusterService::Stopped {
            return;
        }
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            if self.obs.groups[g].owner == Some(node) {
                let destination =
                    if state == ClusterService::Running { self.failover_destination(group, node) } else { None };
                match destination {
                    Some(destination) => {
                        // Stop here, start there, in one go (no timer: the service stop waits).
                        self.take_group_offline(group, node, Offline::Announced);
                        self.begin_group_start(group, destination, None);
                    }
                    None => self.take_group_offline(group, node, Offline::Announced),
                }
            }
        }
        self.obs.nodes[node.index()].cluster = ClusterService::Stopped;
        self.emit(EventKind::ClusterServiceStopped { node });
        self.refresh_monitor_status();
    }

    /// The node goes down. An orderly shutdown deactivates its resources (registry sync saves
    /// its keys only if the cluster runs); a crash just drops them.
    fn node_down(&mut self, node: NodeId, cause: DownCause) {
        let cluster_was = self.obs.nodes[node.index()].cluster;
        let suspended =
            matches!(cluster_was, ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming);
        if self.installers[node.index()].is_some() {
            self.interrupt_installer(node, Interruption::NodeDown);
        }
        let orderly = cause != DownCause::Crash;
        let owned_any = self.obs.groups.iter().any(|g| g.owner == Some(node));
        if orderly && cluster_was == ClusterService::Running && cause != DownCause::ClusterReboot {
            // An orderly shutdown of a running cluster node moves its groups away first.
            self.stop_cluster_service(node);
        } else {
            self.drop_groups_of(node, orderly);
        }
        let state = &mut self.obs.nodes[node.index()];
        state.power = Power::Down;
        state.cluster = ClusterService::Stopped;
        for service in &mut state.services {
            *service = ServiceStatus::Stopped;
        }
        for watch in &mut state.watches {
            *watch = Watch::Absent;
        }
        self.node_generation[node.index()] += 1;
        self.emit(EventKind::NodeDown { node, cause, cluster_suspended: suspended });
        self.refresh_monitor_status();
        if owned_any && cause == DownCause::Crash {
            let generation = self.node_generation[node.index()];
            self.schedule(HEARTBEAT_TIMEOUT, Timer::PeerLost { node, generation });
        }
    }

    fn boot(&mut self, node: NodeId) {
        self.obs.nodes[node.index()].power = Power::Booting;
        let generation = self.node_generation[node.index()];
        let length = self.duration(self.setup.cluster.timing.reboot);
        self.schedule(length, Timer::Booted { node, generation });
    }

    /// Inferred: a node boots with its cluster service running, not suspended — the suspend
    /// does not survive a reboot — and starts any group that is offline everywhere when it is
    /// the best node for it. That is how a reboot while suspended re-activates registry sync
    /// from its old image (NEC's warning 2).
    fn finish_boot(&mut self, node: NodeId) {
        let state = &mut self.obs.nodes[node.index()];
        state.power = Power::Up;
        state.cluster = ClusterService::Running;
        state.boots += 1;
        let standalone: Vec<ServiceId> = (0..self.setup.cluster.services.len() as u16)
            .map(ServiceId)
            .filter(|&s| self.setup.cluster.resources_of_service(s).next().is_none())
            .collect();
        for service in standalone {
            self.obs.nodes[node.index()].services[service.index()] = ServiceStatus::Running;
        }
        self.emit(EventKind::NodeBooted { node });
        self.emit(EventKind::ClusterServiceStarted { node });
        self.auto_start_groups();
        self.refresh_monitor_status();
    }

    /// Starts each group that has no owner on the highest-priority node that is up or still
    /// booting (EXPRESSCLUSTER waits for its peers before starting groups); only a node that
    /// is up and running the cluster actually starts it.
    fn auto_start_groups(&mut self) {
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            if self.obs.groups[g].owner.is_some() || self.group_busy[g] {
                continue;
            }
            let best = self.setup.cluster.groups[g].policy.iter().copied().find(|&n| {
                let state = &self.obs.nodes[n.index()];
                state.power == Power::Booting || (state.power == Power::Up && state.cluster != ClusterService::Stopped)
            });
            if let Some(best) = best {
                let state = &self.obs.nodes[best.index()];
                if state.power == Power::Up && state.cluster == ClusterService::Running {
                    self.begin_group_start(group, best, None);
                }
            }
        }
    }

    // ----- the installer --------------------------------------------------------------------

    fn interrupt_installer(&mut self, node: NodeId, cause: Interruption) {
        if self.installers[node.index()].take().is_some() {
            self.installer_generation[node.index()] += 1;
            self.obs.nodes[node.index()].installer = Installer::Interrupted(cause);
            self.emit(EventKind::InstallerInterrupted { node, cause });
        }
    }

    fn end_installer(&mut self, node: NodeId, outcome: Installer) {
        self.installers[node.index()] = None;
        self.installer_generation[node.index()] += 1;
        self.obs.nodes[node.index()].installer = outcome;
    }

    fn start_installer(&mut self, node: NodeId, folder: &str, answer: RestartAnswer) {
        let on_mirror = self.setup.cluster.is_mirror_drive(folder);
        self.emit(EventKind::InstallerStarted { node, from_mirror: on_mirror });
        self.installer_generation[node.index()] += 1;
        let readable = if on_mirror {
            self.mirror_readable(node) && self.obs.mirror_unzipped.as_deref().is_some_and(|f| same_path(f, folder))
        } else {
            self.obs.nodes[node.index()].unzipped.as_deref().is_some_and(|f| same_path(f, folder))
        };
        if !readable {
            self.obs.nodes[node.index()].installer = Installer::Failed(InstallerFailure::ModuleNotFound);
            self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::ModuleNotFound });
            return;
        }
        let in_use = self.setup.procedure.module.requires_stopped.iter().copied().find(|s| {
            matches!(
                self.obs.nodes[node.index()].services[s.index()],
                ServiceStatus::Running | ServiceStatus::StartPending
            )
        });
        if let Some(service) = in_use {
            self.obs.nodes[node.index()].installer = Installer::Failed(InstallerFailure::ServiceInUse { service });
            self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::ServiceInUse { service } });
            return;
        }
        let fail = std::mem::take(&mut self.armed.installer_fails[node.index()]);
        let length = self.duration(self.setup.cluster.timing.install);
        self.installers[node.index()] = Some(InstallerRun {
            answer,
            stopped: Vec::new(),
            files_only: !self.mirror_readable(node),
            fail,
            started_at: self.now,
            length,
        });
        self.obs.nodes[node.index()].installer = Installer::Running;
        self.schedule_phase(node, Phase::Stop(0), self.setup.cluster.timing.service);
    }

    fn mirror_readable(&self, node: NodeId) -> bool {
        self.setup.cluster.mirror_drives().any(|(resource, _)| {
            let state = self.obs.resources[resource.index()];
            state.status == ResourceStatus::Online && state.node == Some(node)
        })
    }

    fn schedule_phase(&mut self, node: NodeId, phase: Phase, after: Duration) {
        let generation = self.installer_generation[node.index()];
        self.schedule(after, Timer::Installer { node, generation, phase });
    }

    /// The installer's part of the run at `fraction` of its length, measured from its start.
    fn phase_time(&self, node: NodeId, tenths: u32) -> Duration {
        let run = self.installers[node.index()].as_ref().expect("a running installer");
        let at = run.started_at + run.length * tenths / 10;
        at.saturating_sub(self.now)
    }

    fn installer_phase(&mut self, node: NodeId, phase: Phase) {
        let setup = Arc::clone(&self.setup);
        let module_services = &setup.module_services;
        let service_time = self.setup.cluster.timing.service;
        match phase {
            Phase::Stop(i) => {
                let service = module_services.get(usize::from(i)).copied();
                if let Some(service) = service {
                    if self.obs.nodes[node.index()].services[service.index()] != ServiceStatus::Stopped {
                        if let Some(run) = &mut self.installers[node.index()] {
                            run.stopped.push(service);
                        }
                        self.set_service_stopped(node, service, Actor::Installer);
                        if self.installers[node.index()].is_none() {
                            return;
                        }
                    }
                    if usize::from(i) + 1 < module_services.len() {
                        self.schedule_phase(node, Phase::Stop(i + 1), service_time);
                        return;
                    }
                }
                let at = self.phase_time(node, 6);
                self.schedule_phase(node, Phase::Files, at);
            }
            Phase::Files => {
                if self.installers[node.index()].as_ref().is_some_and(|run| run.fail) {
                    self.end_installer(node, Installer::Failed(InstallerFailure::Fault));
                    self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::Fault });
                    return;
                }
                for c in 0..self.setup.procedure.module.components.len() {
                    let component = &self.setup.procedure.module.components[c];
                    let id = component.component;
                    let version: Arc<str> = Arc::from(component.version.as_str());
                    self.obs.nodes[node.index()].components[id.index()] = version;
                    self.emit(EventKind::ComponentUpdated { node, component: id });
                }
                let at = self.phase_time(node, 7);
                self.schedule_phase(node, Phase::Registry, at);
            }
            Phase::Registry => {
                for (slot, data) in setup.module_writes.iter().flat_map(|c| c.writes.iter().copied()) {
                    self.write_registry(node, slot, data);
                }
                let at = self.phase_time(node, 8);
                self.schedule_phase(node, Phase::Start(0), at);
            }
            Phase::Start(i) => {
                let stopped = self.installers[node.index()].as_ref().map(|run| run.stopped.clone()).unwrap_or_default();
                if let Some(&service) = stopped.get(usize::from(i)) {
                    if !self.set_service_started(node, service, Actor::Installer) {
                        self.end_installer(node, Installer::Failed(InstallerFailure::ServiceDidNotStart { service }));
                        self.emit(EventKind::InstallerFailed {
                            node,
                            reason: InstallerFailure::ServiceDidNotStart { service },
                        });
                        return;
                    }
                    if usize::from(i) + 1 < stopped.len() {
                        self.schedule_phase(node, Phase::Start(i + 1), service_time);
                        return;
                    }
                }
                let at = self.phase_time(node, 10);
                self.schedule_phase(node, Phase::Finish, at);
            }
            Phase::Finish => {
                let run = self.installers[node.index()].clone().expect("a running installer");
                let asked = self.setup.procedure.module.asks_for_restart
                    || std::mem::take(&mut self.armed.restart_request[node.index()]);
                if asked {
                    self.emit(EventKind::InstallerPrompt { node, answer: run.answer });
                }
                self.end_installer(node, Installer::Finished { restart_requested: asked });
                self.emit(EventKind::InstallerFinished { node, restart_requested: asked, files_only: run.files_only });
                if asked && run.answer == RestartAnswer::Restart {
                    self.node_down(node, DownCause::InstallerPrompt);
                    self.boot(node);
                }
            }
        }
    }

    // ----- operations -------------------------------------------------------------------------

    fn refuse(&mut self, node: NodeId, operation: &Operation, reason: Refusal) -> Result<(), BackendError> {
        self.emit(EventKind::OperationRefused { node, operation: operation.verb(), reason });
        Err(BackendError::Refused { node, reason })
    }

    fn drive_readable(&self, node: NodeId, folder: &str) -> bool {
        if self.setup.cluster.is_mirror_drive(folder) {
            return self.mirror_readable(node);
        }
        let drive = procedure::cluster::drive_of(folder).to_ascii_uppercase();
        self.setup.cluster.nodes[node.index()].drives.contains(&drive)
    }

    fn run_operation(&mut self, operation: &Operation) -> Result<(), BackendError> {
        let node = operation.node();
        let state = &self.obs.nodes[node.index()];
        if !state.reachable {
            return Err(BackendError::Unreachable { node });
        }
        if state.power != Power::Up {
            return self.refuse(node, operation, Refusal::NodeDown);
        }
        let generation = self.node_generation[node.index()];
        let timing = self.setup.cluster.timing.clone();
        match operation {
            Operation::SuspendCluster { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                let length = self.duration(timing.suspend);
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up && self.obs.nodes[n].cluster == ClusterService::Running {
                        self.obs.nodes[n].cluster = ClusterService::Suspending;
                        self.emit(EventKind::ClusterSuspending { node: target });
                        let generation = self.node_generation[n];
                        self.schedule(length, Timer::ClusterSuspended { node: target, generation });
                    }
                }
                self.refresh_monitor_status();
            }
            Operation::ResumeCluster { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                let length = self.duration(timing.resume);
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up
                        && matches!(self.obs.nodes[n].cluster, ClusterService::Suspended | ClusterService::Suspending)
                    {
                        self.obs.nodes[n].cluster = ClusterService::Resuming;
                        self.emit(EventKind::ClusterResuming { node: target });
                        let generation = self.node_generation[n];
                        self.schedule(length, Timer::ClusterResumed { node: target, generation });
                    }
                }
            }
            Operation::StartClusterService { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    self.obs.nodes[node.index()].cluster = ClusterService::Running;
                    self.emit(EventKind::ClusterServiceStarted { node });
                    self.auto_start_groups();
                    self.refresh_monitor_status();
                }
            }
            Operation::StopClusterService { .. } => self.stop_cluster_service(node),
            Operation::SuspendMonitor { monitor, .. } => {
                self.obs.nodes[node.index()].monitors[monitor.index()] = MonitorStatus::Suspended;
                self.emit(EventKind::MonitorSuspended { node, monitor: *monitor });
            }
            Operation::ResumeMonitor { monitor, .. } => {
                if self.obs.nodes[node.index()].monitors[monitor.index()] == MonitorStatus::Suspended {
                    self.obs.nodes[node.index()].monitors[monitor.index()] = MonitorStatus::Offline;
                    self.emit(EventKind::MonitorResumed { node, monitor: *monitor });
                    self.refresh_monitor_status();
                    self.recheck_watchers(node);
                }
            }
            Operation::StopWatch { service, .. } | Operation::StartWatch { service, .. } => {
                let monitoring = matches!(operation, Operation::StartWatch { .. });
                let watch = self.obs.nodes[node.index()].watches[service.index()];
                if watch == Watch::Absent {
                    return self.refuse(node, operation, Refusal::NotWatched);
                }
                let wanted = if monitoring { Watch::Monitoring } else { Watch::NotMonitoring };
                if watch != wanted {
                    self.obs.nodes[node.index()].watches[service.index()] = wanted;
                    self.emit(EventKind::WatchSet { node, service: *service, monitoring });
                    if monitoring && self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::Stopped {
                        self.schedule_watch_poll(node, *service);
                    }
                }
            }
            Operation::StopService { service, .. } => {
                let status = self.obs.nodes[node.index()].services[service.index()];
                if matches!(status, ServiceStatus::Running | ServiceStatus::StartPending) {
                    self.obs.nodes[node.index()].services[service.index()] = ServiceStatus::StopPending;
                    let length = self.duration(timing.service);
                    self.schedule(length, Timer::ServiceStopped { node, service: *service, generation });
                }
            }
            Operation::StartService { service, .. } => {
                let status = self.obs.nodes[node.index()].services[service.index()];
                if matches!(status, ServiceStatus::Stopped | ServiceStatus::StopPending) {
                    self.obs.nodes[node.index()].services[service.index()] = ServiceStatus::StartPending;
                    let length = self.duration(timing.service);
                    self.schedule(length, Timer::ServiceStarted { node, service: *service, generation });
                }
            }
            Operation::StopResource { resource, .. } => {
                // Inferred: single-resource control (clprsc) is not refused while suspended,
                // unlike group operations; NEC's warning 1 presumes it can be done.
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.group_busy[group.index()] {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                let owner = self.obs.resources[resource.index()].node;
                if let Some(owner) = owner {
                    let length = self.duration(timing.resource);
                    for dependent in self.dependents_in_stop_order(*resource) {
                        if self.obs.resources[dependent.index()].status == ResourceStatus::Online {
                            self.obs.resources[dependent.index()].status = ResourceStatus::OfflinePending;
                        }
                    }
                    let generation = self.node_generation[owner.index()];
                    self.schedule(length, Timer::ResourceStopped { resource: *resource, node: owner, generation });
                }
            }
            Operation::StartResource { resource, .. } => {
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                if self.obs.groups[group.index()].owner.is_some_and(|owner| owner != node) {
                    return self.refuse(node, operation, Refusal::TargetUnavailable);
                }
                if self.group_busy[group.index()] {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                if self.obs.resources[resource.index()].status != ResourceStatus::Online {
                    if self.obs.groups[group.index()].owner.is_none() {
                        // Starting one resource of an offline group brings the group up here,
                        // partly.
                        self.obs.groups[group.index()] =
                            GroupState { status: GroupStatus::OnlinePending, owner: Some(node) };
                    }
                    for needed in self.dependencies_in_start_order(*resource) {
                        if self.obs.resources[needed.index()].status == ResourceStatus::Offline {
                            self.obs.resources[needed.index()] =
                                ResourceState { status: ResourceStatus::OnlinePending, node: Some(node) };
                        }
                    }
                    let length = self.duration(timing.resource);
                    self.schedule(length, Timer::ResourceStarted { resource: *resource, node, generation });
                }
            }
            Operation::MoveGroup { group, to, .. } => {
                // Inferred: group operations are refused while the cluster is suspended
                // (research/domain.md section 2.3).
                if self.obs.cluster_suspended() {
                    return self.refuse(node, operation, Refusal::ClusterSuspended);
                }
                if self.obs.nodes[node.index()].cluster != ClusterService::Running {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                if self.group_busy[group.index()] {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                let owner = self.obs.groups[group.index()].owner;
                let destination = match to {
                    Some(target) => {
                        let state = &self.obs.nodes[target.index()];
                        let allowed = self.setup.cluster.groups[group.index()].policy.contains(target);
                        if !allowed || state.power != Power::Up || state.cluster != ClusterService::Running {
                            return self.refuse(node, operation, Refusal::TargetUnavailable);
                        }
                        *target
                    }
                    None => match owner.and_then(|owner| self.failover_destination(*group, owner)) {
                        Some(target) => target,
                        None => {
                            return self.refuse(node, operation, Refusal::TargetUnavailable);
                        }
                    },
                };
                if owner == Some(destination) {
                    return Ok(());
                }
                let fail = std::mem::take(&mut self.armed.group_move_fails[group.index()]);
                match owner {
                    Some(owner) => self.begin_group_stop(*group, owner, Then::StartOn { node: destination, fail }),
                    None => self.begin_group_start(*group, destination, None),
                }
            }
            Operation::UnzipModule { folder, .. } => {
                if !self.drive_readable(node, folder) {
                    return self.refuse(node, operation, Refusal::DriveNotAccessible);
                }
                let length = self.duration(timing.unzip);
                self.schedule(length, Timer::Unzipped { node, folder: Arc::clone(folder), generation });
            }
            Operation::BackupRegistry { file, .. } => {
                if !self.drive_readable(node, file) {
                    return self.refuse(node, operation, Refusal::DriveNotAccessible);
                }
                let length = self.duration(timing.backup);
                self.schedule(length, Timer::BackedUp { node, file: Arc::clone(file), generation });
            }
            Operation::InstallModule { folder, restart_answer, .. } => {
                if self.installers[node.index()].is_some() {
                    return self.refuse(node, operation, Refusal::InstallerRunning);
                }
                self.start_installer(node, folder, *restart_answer);
            }
            Operation::RebootNode { .. } => {
                self.node_down(node, DownCause::Reboot);
                self.boot(node);
            }
            Operation::RebootCluster { .. } => {
                self.emit(EventKind::ClusterRebootStarted { via: node });
                // clpstdn: every group stops in order (saving registry sync while the cluster
                // runs), every cluster service stops, every node reboots.
                for g in 0..self.setup.cluster.groups.len() {
                    if let Some(owner) = self.obs.groups[g].owner {
                        self.take_group_offline(GroupId(g as u8), owner, Offline::Announced);
                    }
                }
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up {
                        self.node_down(target, DownCause::ClusterReboot);
                        self.boot(target);
                    }
                }
            }
        }
        Ok(())
    }
}

impl Backend for Sim {
    fn observe(&mut self) -> Result<&Observation, BackendError> {
        self.obs.at = self.now;
        Ok(&self.obs)
    }

    fn execute(&mut self, operation: &Operation) -> Result<(), BackendError> {
        self.run_operation(operation)
    }

    /// Runs every timer due in the next `length` of virtual time.
    fn wait(&mut self, length: Duration) {
        self.advance(length);
    }

    fn now(&self) -> Duration {
        self.now
    }

    fn mark_step(&mut self, step: usize) {
        self.emit(EventKind::StepStarted { step: step as u16 });
    }

    fn events(&self) -> &[Event] {
        &self.trace
    }
}
