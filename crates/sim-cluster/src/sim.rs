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
use procedure::cluster::{
    FinalAction, GroupId, MonitorId, NodeId, RecoveryCounts, ResourceId, ResourceKind, ServiceId,
};
use procedure::event::{
    Actor, DownCause, Event, EventKind, Fault, InstallerFailure, Interruption, Overwrite, Recovery,
};
use procedure::fault::{FaultKind, Struck};
use procedure::module::ModuleId;
use procedure::observation::Unzipped;
use procedure::procedure::RestartAnswer;
use procedure::setup::{DataId, Setup, SlotId};
use procedure::shared::{Flags, Shared};

use crate::rng::Rng;

mod faults;
mod groups;
mod installer;
mod monitors;
mod nodes;
mod operations;
mod origin;
mod registry;
mod services;

/// How long the surviving nodes take to notice that a running peer vanished and fail its
/// groups over.
///
/// Inferred: EXPRESSCLUSTER's heartbeat timeout is configurable (30 s is a common default);
/// the exact figure does not change any outcome here, only when it happens.
pub const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the simulator goes on after a run stops, with nobody acting, before the stop is
/// judged safe: long enough for a crashed node to boot and its groups to start.
pub const AFTERMATH: Duration = Duration::from_secs(30 * 60);

/// Makes a [`Sim`].
#[derive(Debug, Clone)]
pub struct Builder {
    setup: Arc<Setup>,
    seed: u64,
    jitter: bool,
    operator_answers: bool,
}

impl Builder {
    /// A builder for the cluster and module of `setup`, seed 0, with jitter.
    pub fn new(setup: Arc<Setup>) -> Builder {
        Builder { setup, seed: 0, jitter: true, operator_answers: false }
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

    /// Whether a person answers the installer's restart prompt: the prompt stays open after
    /// the installer finishes until [`Sim::answer_prompt`] (the trainer). Off, the answer
    /// given with the install operation is taken at once (the engine).
    pub fn operator_answers(&mut self, yes: bool) -> &mut Builder {
        self.operator_answers = yes;
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
        let mut node = NodeState {
            reachable: true,
            power: Power::Up,
            cluster: ClusterService::Running,
            services: vec![ServiceStatus::Stopped; service_count],
            watches: vec![Watch::Absent; service_count],
            monitors: vec![MonitorStatus::Offline; monitor_count],
            components: versions,
            registry: baseline.clone(),
            unzipped: Unzipped::default(),
            installer_module: ModuleId(0),
            registry_backups: Vec::new(),
            installer: Installer::Idle,
            boots: 1,
        };
        // Services that no group resource starts run on every node from boot.
        for service in &setup.standalone_services {
            node.services[service.index()] = ServiceStatus::Running;
        }
        let nodes = vec![node; node_count];
        let observation = Observation {
            at: Duration::ZERO,
            nodes: nodes.into_iter().map(Shared::new).collect(),
            groups: vec![GroupState { status: GroupStatus::Offline, owner: None }; cluster.groups.len()],
            resources: vec![ResourceState { status: ResourceStatus::Offline, node: None }; cluster.resources.len()]
                .into(),
            mirror_unzipped: Unzipped::default(),
        };
        let monitor_phase =
            cluster.monitors.iter().map(|m| Duration::from_millis(rng.below(m.interval.as_millis() as u64))).collect();
        let mut sim = Sim {
            setup: Arc::clone(&setup),
            now: Duration::ZERO,
            obs: observation,
            images: Shared::new(vec![baseline; cluster.resources.len()]),
            provenance: Shared::new(vec![vec![false; setup.registry.len()]; node_count]),
            exports: Shared::new(Vec::new()),
            escalation: Shared::new(vec![Escalation::default(); node_count * monitor_count]),
            false_alarm: Flags::new(node_count * monitor_count),
            monitor_poll_pending: Flags::new(node_count * monitor_count),
            watch_poll_pending: Flags::new(node_count * service_count),
            monitor_phase: Arc::new(monitor_phase),
            installers: Shared::new(vec![None; node_count]),
            installer_generation: Shared::new(vec![0; node_count]),
            node_generation: Shared::new(vec![0; node_count]),
            group_generation: Shared::new(vec![0; cluster.groups.len()]),
            group_busy: Flags::new(cluster.groups.len()),
            armed: Shared::new(Armed {
                flags: Flags::new(3 * node_count + cluster.groups.len() + cluster.resources.len()),
                service_fails: Vec::new(),
            }),
            queue: Vec::with_capacity(16),
            sequence: 0,
            rng,
            seed: self.seed,
            jitter: self.jitter,
            origin: None,
            operator_answers: self.operator_answers,
            prompts: Flags::new(node_count),
            trace: Vec::with_capacity(512),
            reads: None,
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

/// Escalation counters of one monitor on one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Escalation {
    restarts: u8,
    failovers: u8,
}

/// Faults waiting for what they spoil: a flag for each installer fault of each node, each
/// group's move and each resource's activation ([`Sim::armed_slot`]), and the services that
/// will not start.
#[derive(Debug, Clone, Hash)]
struct Armed {
    flags: Flags,
    service_fails: Vec<(NodeId, ServiceId)>,
}

/// A .reg file on a node's disk: the values under the module's keys when it was exported.
#[derive(Debug, Clone, Hash)]
struct Export {
    node: NodeId,
    file: Arc<str>,
    values: Arc<[Exported]>,
}

/// One value of an export, and whether the installer had written it (an import of it puts
/// the installer's value back: losing it again is a rollback of the installer's values).
#[derive(Debug, Clone, Copy, Hash)]
struct Exported {
    slot: SlotId,
    data: DataId,
    installer_write: bool,
}

/// A running installer.
#[derive(Debug, Clone, Hash)]
struct InstallerRun {
    /// The module it installs.
    module: ModuleId,
    answer: RestartAnswer,
    /// Services it stopped and will start again.
    stopped: Vec<ServiceId>,
    /// On a node without the mirror disk it only exchanges files.
    files_only: bool,
    fail: bool,
    /// It will hang after stopping its services (an injected fault).
    hang: bool,
    started_at: Duration,
    length: Duration,
}

/// The installer's phases, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, Hash)]
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
    Unzipped { node: NodeId, folder: Arc<str>, module: ModuleId, generation: u32 },
    BackedUp { node: NodeId, file: Arc<str>, generation: u32 },
    Imported { node: NodeId, values: Arc<[Exported]>, generation: u32 },
    Booted { node: NodeId, generation: u32 },
    PeerLost { node: NodeId, generation: u32 },
}

/// How a group goes offline at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Then {
    Nothing,
    StartOn { node: NodeId, fail: bool },
}

#[derive(Debug, Clone, Hash)]
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
    /// Shared until written (copy on write): it changes rarely, and a model checker clones
    /// the simulator at every fault point.
    images: Shared<Vec<Vec<Option<DataId>>>>,
    /// Per node, per slot: the current data was written by the installer.
    /// Shared until written, like `images`.
    provenance: Shared<Vec<Vec<bool>>>,
    /// The .reg files exported on the nodes, with what they hold (for `reg import`).
    exports: Shared<Vec<Export>>,
    /// Per node × monitor.
    escalation: Shared<Vec<Escalation>>,
    false_alarm: Flags,
    monitor_poll_pending: Flags,
    /// Per node × service.
    watch_poll_pending: Flags,
    monitor_phase: Arc<Vec<Duration>>,
    installers: Shared<Vec<Option<InstallerRun>>>,
    installer_generation: Shared<Vec<u32>>,
    /// Bumped when a node goes down: its pending timers die with it.
    node_generation: Shared<Vec<u32>>,
    /// Bumped when a group operation is cancelled.
    group_generation: Shared<Vec<u32>>,
    group_busy: Flags,
    armed: Shared<Armed>,
    /// Timers, kept sorted so that the earliest is last.
    queue: Vec<Scheduled>,
    sequence: u64,
    rng: Rng,
    /// The seed the random stream was first drawn from (a [rebase](Sim::rebase) draws anew).
    seed: u64,
    jitter: bool,
    /// Once [rebased](Sim::rebase): where a recovery began. The fingerprint is taken as seen
    /// from there, and the monitors' polling grid is counted from there (from 0 before).
    origin: Option<Duration>,
    /// See [`Builder::operator_answers`].
    operator_answers: bool,
    /// Per node: the installer's restart prompt is open, waiting for a person.
    prompts: Flags,
    trace: Vec<Event>,
    /// While noted (a look ahead), the armed faults the cluster consults: not part of the
    /// state.
    reads: Option<Vec<Fault>>,
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

    /// When the next timer is due, if one is.
    pub fn next_timer_at(&self) -> Option<Duration> {
        self.queue.last().map(|entry| entry.at)
    }

    /// Runs the next timer: one transition of the cluster.
    pub fn fire_next_timer(&mut self) {
        self.run_next_timer();
    }

    /// Forgets the trace so far (a search judges each event once and keeps none).
    pub fn clear_trace(&mut self) {
        self.trace.clear();
    }

    /// Makes room in the trace for `events` more events (a copy starts with no room).
    pub fn reserve_trace(&mut self, events: usize) {
        self.trace.reserve(events);
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

    /// What happens after a run stops, with nobody acting, for up to `limit` of virtual
    /// time: the cluster goes on by itself (monitors, watches, heartbeats, boots), and a node
    /// that is down comes back up.
    ///
    /// Inferred: a Windows server that crashed restarts by itself (the default "Automatically
    /// restart" on system failure), and one that is powered off is powered on again by
    /// someone before anyone resumes the procedure; either way it boots into the cluster.
    pub fn after_stop(&mut self, limit: Duration) {
        self.emit(EventKind::RunStopped);
        for n in 0..self.obs.nodes.len() {
            if self.obs.nodes[n].power == Power::Down {
                self.boot(NodeId(n as u8));
            }
        }
        self.settle(limit);
    }

    /// Whether something the operator or the cluster started is still under way (a suspend,
    /// a move, an installer, a boot, a service starting...): any timer but the monitors' and
    /// watches' periodic polls.
    pub fn in_progress(&self) -> bool {
        self.queue.iter().any(|entry| !matches!(entry.timer, Timer::MonitorPoll { .. } | Timer::WatchPoll { .. }))
    }

    /// Runs timers until nothing is [in progress](Sim::in_progress) or `limit` of virtual
    /// time has passed; returns whether everything finished.
    pub fn run_until_quiet(&mut self, limit: Duration) -> bool {
        let deadline = self.now + limit;
        loop {
            if !self.in_progress() {
                return true;
            }
            match self.queue.last() {
                Some(next) if next.at <= deadline => self.run_next_timer(),
                _ => {
                    self.now = deadline;
                    return false;
                }
            }
        }
    }

    /// Lets exactly `length` of virtual time pass, running every timer due in it.
    pub fn advance(&mut self, length: Duration) {
        let deadline = self.now + length;
        while self.queue.last().is_some_and(|next| next.at <= deadline) {
            self.run_next_timer();
        }
        self.now = deadline;
    }

    // ----- bookkeeping -------------------------------------------------------------------

    /// Records an event that no mechanism of the cluster makes: the markers of a recovery
    /// that the model checker runs after a run.
    pub fn note(&mut self, kind: EventKind) {
        self.emit(kind);
    }

    fn emit(&mut self, kind: EventKind) {
        self.trace.push(Event { at: self.now, kind });
    }

    /// A node's state, to write (copied first if a copy of this run shares it).
    fn node_mut(&mut self, node: NodeId) -> &mut NodeState {
        self.obs.nodes[node.index()].make_mut()
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
                    self.node_mut(node).cluster = ClusterService::Suspended;
                    self.emit(EventKind::ClusterSuspended { node });
                    self.refresh_monitor_status();
                }
            }
            Timer::ClusterResumed { node, generation } => {
                if self.node_alive(node, generation) && self.obs.nodes[node.index()].cluster == ClusterService::Resuming
                {
                    self.node_mut(node).cluster = ClusterService::Running;
                    self.emit(EventKind::ClusterResumed { node });
                    self.clear_recovery_counts_on(node);
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
                    if all_offline && !self.group_busy.get(group.index()) {
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
            Timer::Unzipped { node, folder, module, generation } => {
                if self.node_alive(node, generation) {
                    let on_mirror = self.setup.cluster.is_mirror_drive(&folder);
                    if on_mirror {
                        self.obs.mirror_unzipped.set(module, Some(folder));
                    } else {
                        self.node_mut(node).unzipped.set(module, Some(folder));
                    }
                    self.emit(EventKind::ModuleUnzipped { node, on_mirror });
                }
            }
            Timer::BackedUp { node, file, generation } => {
                if self.node_alive(node, generation) {
                    // Exporting to the same file again overwrites it (`reg export /y`).
                    let backups = &mut self.node_mut(node).registry_backups;
                    if !backups.iter().any(|known| same_path(known, &file)) {
                        backups.push(Arc::clone(&file));
                    }
                    self.keep_export(node, file);
                    self.emit(EventKind::RegistryBackedUp { node });
                }
            }
            Timer::Imported { node, values, generation } => {
                if self.node_alive(node, generation) {
                    self.import_values(node, &values);
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
