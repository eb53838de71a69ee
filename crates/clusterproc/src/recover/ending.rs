//! How a recovery ends, on the simulator or on real nodes: judged on its own events (not the
//! run's before it), every final invariant but the failover check, and on the serving
//! target: the end state printed per node, and what is left to do by hand when the cluster
//! does not serve.

use std::io::Write;

use procedure::backend::{Backend as _, Observation};
use procedure::duration::clock;
use procedure::invariant::Invariant;
use procedure::observation::{MonitorStatus, Watch};
use procedure::recovery::serving::shortfalls;
use procedure::roles::Roles;
use procedure::setup::Setup;
use real_backend::backend::RealBackend;
use sim_cluster::staged::StagedSim;

use crate::run::real::{DriftAndManifest, drift_and_manifest};
use crate::run::skeleton::{BackendEnding, Conclusion, Finished, Judged};

/// The ending of a recovery on the simulator.
pub(super) struct EndState {
    /// The first event of the recovery in the simulator's trace: the run's own came before.
    pub(super) first_event: usize,
    /// The run's roles: the group goes back to its active node.
    pub(super) roles: Roles,
}

impl BackendEnding<StagedSim> for EndState {
    fn settle(&mut self, _backend: &mut StagedSim, _initial: &Observation, _completed: bool) {}

    fn judged<'a>(&'a self, backend: &'a StagedSim) -> Judged<'a> {
        let trace = backend.sim.trace();
        Judged {
            events: &trace[self.first_event.min(trace.len())..],
            last: backend.sim.observation(),
            judged_final: true,
        }
    }

    fn conclude(&self, finished: Finished<'_, StagedSim>) -> Conclusion {
        let Finished { setup, backend, stdout, .. } = finished;
        let serves = conclude_serving(stdout, setup, &self.roles, backend.sim.observation());
        Conclusion { failed: !serves, ..Conclusion::default() }
    }

    fn not_judged(&self) -> &'static [(Invariant, &'static str)] {
        NOT_JUDGED
    }
}

/// The ending of a recovery on real nodes: the cluster observed once more (as a run on real
/// nodes ends), judged on the events observed since the recovery began; the end state, then
/// what a run on real nodes says (registry drift, the archive's manifest, the commands run).
pub(super) struct RealEndState {
    /// The first event of the recovery among those the backend observed: the observations
    /// that planned it came before.
    pub(super) first_event: usize,
    /// The run's roles: the group goes back to its active node.
    pub(super) roles: Roles,
    /// How a run on real nodes settles and ends.
    pub(super) nodes: DriftAndManifest,
}

impl BackendEnding<RealBackend> for RealEndState {
    fn settle(&mut self, backend: &mut RealBackend, initial: &Observation, completed: bool) {
        self.nodes.settle(backend, initial, completed);
    }

    fn judged<'a>(&'a self, backend: &'a RealBackend) -> Judged<'a> {
        let events = backend.events();
        Judged { events: &events[self.first_event.min(events.len())..], last: self.nodes.last(), judged_final: true }
    }

    fn conclude(&self, finished: Finished<'_, RealBackend>) -> Conclusion {
        let serves = conclude_serving(finished.stdout, finished.setup, &self.roles, self.nodes.last());
        let commands = self.nodes.commands(finished.backend);
        let mut conclusion = Conclusion { commands, ..drift_and_manifest(finished) };
        conclusion.failed |= !serves;
        conclusion
    }

    fn not_judged(&self) -> &'static [(Invariant, &'static str)] {
        NOT_JUDGED
    }
}

/// The final invariant a recovery does not answer for, and why.
const NOT_JUDGED: &[(Invariant, &str)] =
    &[(Invariant::FailoverNotVerified, "a recovery brings the group back to the active node; it does not fail over")];

/// Prints the end state and whether the cluster serves, or what is left to do by hand; says
/// whether it serves.
fn conclude_serving(out: &mut impl Write, setup: &Setup, roles: &Roles, last: &Observation) -> bool {
    print_end_state(out, setup, roles, last);
    let left = shortfalls(setup, roles, last);
    if left.is_empty() {
        let _ = writeln!(out, "The cluster serves.");
    } else {
        let _ = writeln!(out, "The cluster does not serve yet; left to do by hand:");
        for shortfall in &left {
            let _ = writeln!(out, "  - {}", shortfall.describe(setup));
        }
    }
    left.is_empty()
}

/// The cluster as `observation` shows it: the group, then each node's cluster service,
/// monitors, Task Manager watches, the registry values the module writes (for a module that
/// writes some) and the module's component versions.
pub(super) fn print_end_state(out: &mut impl Write, setup: &Setup, roles: &Roles, observation: &Observation) {
    let cluster = &setup.cluster;
    let _ = writeln!(out, "\nEnd state at {}", clock(observation.at));
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = observation.groups[g];
        let owner = state.owner.map_or("no node".to_owned(), |n| setup.node_name(n).to_owned());
        let _ = writeln!(out, "  group {:<12} {:?} on {owner}", group.name, state.status);
    }
    for node in roles.nodes(procedure::roles::Role::EveryNode) {
        let state = &observation.nodes[node.index()];
        let role = if node == roles.active { "active" } else { "standby" };
        let monitors = |status: MonitorStatus| state.monitors.iter().filter(|m| **m == status).count();
        let watches = |watch: Watch| state.watches.iter().filter(|w| **w == watch).count();
        let versions: Vec<String> = setup
            .procedure
            .modules
            .iter()
            .flat_map(|module| module.components.iter())
            .map(|c| format!("{} {}", cluster.components[c.component.index()].name, state.component(c.component)))
            .collect();
        let writes: Vec<_> = setup.module_writes.iter().flat_map(|c| c.writes.iter()).collect();
        let in_place = writes.iter().filter(|(slot, data)| state.registry[slot.index()] == Some(*data)).count();
        let registry = match writes.len() {
            0 => String::new(),
            all => format!("registry values {in_place} of {all} in place; "),
        };
        let _ = writeln!(
            out,
            "  node  {:<12} {role:<7} {:?}, cluster {:?}; monitors {} normal, {} suspended, {} error; \
             watches {} monitoring, {} not monitoring; {registry}{}",
            setup.node_name(node),
            state.power,
            state.cluster,
            monitors(MonitorStatus::Normal),
            monitors(MonitorStatus::Suspended),
            monitors(MonitorStatus::Error),
            watches(Watch::Monitoring),
            watches(Watch::NotMonitoring),
            versions.join(", ")
        );
    }
}
