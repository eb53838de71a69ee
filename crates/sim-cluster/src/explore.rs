//! Runs of a procedure on the simulator besides the model checker's search (`crate::model`):
//! the run with no fault, runs with faults staged before steps or struck after transitions
//! (for counterexamples and `replay`), random fault schedules shrunk to a minimal
//! counterexample, and the procedure's mutants with why a survivor survives. Every run is a
//! `model::Machine` driven to its end, so all of them advance the engine and the cluster the
//! same way. Also the two ways of running (`Mode`) and the counterexample file format.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::Observation;
use procedure::cluster::{GroupId, MonitorId, ResourceId, ResourceKind, ServiceId};
use procedure::engine::{Ending, EngineConfig, GuardRefusal};
use procedure::event::{Event, Renderer};
use procedure::fault::{Fault, Field};
use procedure::invariant::{Invariant, Violation};
use procedure::mutation::{Mutation, mutations};
use procedure::setup::Setup;

use crate::candidates::{CANDIDATES, candidates};
use crate::control::Control;
use crate::model::anchored::AnchoredFault;
use crate::model::{Machine, Transition};
use crate::rng::Rng;
pub use crate::schedule::{CounterexampleFile, FaultRecord, FaultRecordError, Schedule};
use crate::sim::Sim;
use crate::staged::StagedFault;

/// The two ways a procedure is run, both judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// The engine without its guards: an operator following the text.
    AsWritten,
    /// With the guards that `clusterproc run` has.
    Guarded,
}

impl Mode {
    /// Both, as written first.
    pub const BOTH: [Mode; 2] = [Mode::AsWritten, Mode::Guarded];

    /// `as-written` or `guarded`, as files and JSON name it.
    pub fn id(self) -> &'static str {
        match self {
            Mode::AsWritten => "as-written",
            Mode::Guarded => "guarded",
        }
    }

    /// `as written` or `guarded`, for people.
    pub fn words(self) -> &'static str {
        match self {
            Mode::AsWritten => "as written",
            Mode::Guarded => "guarded",
        }
    }

    /// The mode with this id.
    pub fn from_id(id: &str) -> Option<Mode> {
        Mode::BOTH.into_iter().find(|mode| mode.id() == id)
    }

    /// Whether the engine's guards are on.
    pub fn guards(self) -> bool {
        self == Mode::Guarded
    }
}

/// How a run ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunClass {
    /// Completed with every invariant holding.
    Success,
    /// Stopped (a fault, a guard) with no safety invariant broken.
    SafeStop,
    /// Some invariant broke, and recovery did not put it right.
    Violation,
    /// Invariants broke, and the recovery that followed put every one right.
    Recovered,
}

/// One explored run.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The faults injected, in order.
    pub faults: Vec<StagedFault>,
    /// How the engine ended.
    pub ending: Ending,
    /// What broke.
    pub violations: Vec<Violation>,
    /// The class.
    pub class: RunClass,
}

/// A run that breaks an invariant, small enough to read and to replay.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The invariant it breaks.
    pub invariant: Invariant,
    /// The simulator's seed.
    pub seed: u64,
    /// The mutation of the procedure, if the run is a mutant's.
    pub mutation: Option<Mutation>,
    /// The faults.
    pub faults: Vec<StagedFault>,
    /// The violation as found.
    pub violation: Violation,
}

/// A guard refusal that kept a run from breaking an invariant.
#[derive(Debug, Clone)]
pub struct Prevention {
    /// The refusal: step, operation, invariant, why.
    pub refusal: GuardRefusal,
    /// The simulator's seed.
    pub seed: u64,
    /// The faults of the run.
    pub faults: Vec<StagedFault>,
}

/// What an exploration found.
#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// The shortest run in which a guard refused what would break each invariant.
    pub prevented: BTreeMap<Invariant, Prevention>,
    /// Runs made, faulty ones only (the baseline is apart).
    pub runs: usize,
    /// Per class.
    pub successes: usize,
    /// See above.
    pub safe_stops: usize,
    /// See above.
    pub violations: usize,
    /// See above.
    pub recovered: usize,
    /// The shortest counterexample of each invariant broken and not put right.
    pub counterexamples: BTreeMap<Invariant, Counterexample>,
    /// The shortest run of each invariant broken and put right by recovery.
    pub recovered_examples: BTreeMap<Invariant, Counterexample>,
}

impl Exploration {
    fn count(&mut self, result: &RunResult, seed: u64, mutation: Option<&Mutation>) {
        self.runs += 1;
        match result.class {
            RunClass::Success => self.successes += 1,
            RunClass::SafeStop => self.safe_stops += 1,
            RunClass::Violation => self.violations += 1,
            RunClass::Recovered => self.recovered += 1,
        }
        self.keep_counterexamples(result, seed, mutation);
    }

    /// Keeps the run as the counterexample of each invariant it broke, where it tells a
    /// shorter story than the one kept so far. The run is not counted.
    pub fn keep_counterexamples(&mut self, result: &RunResult, seed: u64, mutation: Option<&Mutation>) {
        if let (Ending::Refused(refusal), None) = (&result.ending, mutation) {
            let better = match self.prevented.get(&refusal.invariant) {
                None => true,
                Some(known) => shorter(&result.faults, &known.faults),
            };
            if better {
                let prevention = Prevention { refusal: refusal.clone(), seed, faults: result.faults.clone() };
                self.prevented.insert(refusal.invariant, prevention);
            }
        }
        for violation in &result.violations {
            self.offer(Counterexample {
                invariant: violation.invariant,
                seed,
                mutation: mutation.cloned(),
                faults: result.faults.clone(),
                violation: violation.clone(),
            });
        }
    }

    fn offer(&mut self, counterexample: Counterexample) {
        let kept =
            if counterexample.violation.recovered { &mut self.recovered_examples } else { &mut self.counterexamples };
        let better = match kept.get(&counterexample.invariant) {
            None => true,
            Some(known) => shorter(&counterexample.faults, &known.faults),
        };
        if better {
            kept.insert(counterexample.invariant, counterexample);
        }
    }

    /// Adds another exploration's counts and counterexamples to this one.
    pub fn merge(&mut self, other: &Exploration) {
        self.runs += other.runs;
        self.successes += other.successes;
        self.safe_stops += other.safe_stops;
        self.violations += other.violations;
        self.recovered += other.recovered;
        for counterexample in other.counterexamples.values().chain(other.recovered_examples.values()) {
            self.offer(counterexample.clone());
        }
        for (invariant, prevention) in &other.prevented {
            let better = match self.prevented.get(invariant) {
                None => true,
                Some(known) => shorter(&prevention.faults, &known.faults),
            };
            if better {
                self.prevented.insert(*invariant, prevention.clone());
            }
        }
    }
}

/// Whether a fault schedule tells a shorter story than another: fewer faults, or as many
/// injected later (closer to what they cause).
pub fn shorter(faults: &[StagedFault], than: &[StagedFault]) -> bool {
    let lateness = |faults: &[StagedFault]| faults.iter().map(|f| f.before_step).sum::<usize>();
    faults.len() < than.len() || (faults.len() == than.len() && lateness(faults) > lateness(than))
}

/// A mutant's verdict.
#[derive(Debug, Clone)]
pub struct MutantResult {
    /// The mutation.
    pub mutation: Mutation,
    /// Its readable name.
    pub name: String,
    /// The guard's refusal, if one refused.
    pub refusal: Option<GuardRefusal>,
    /// The step the guard refused at, named in the mutant's own numbering.
    pub refused_at: Option<String>,
    /// The first violation of each invariant the run broke, in invariant order.
    pub violations: Vec<Violation>,
    /// Where the run stopped, if it did: a fault-free run must complete.
    pub stopped_at: Option<String>,
    /// Why it stopped.
    pub stop_reason: Option<String>,
    /// For a mutant nothing caught: why no invariant saw it.
    pub explanation: Option<String>,
    /// Whether the mutated step does something the invariants should see.
    pub matters: bool,
    /// Why the mutant cannot differ from the procedure, if it cannot (it moves a step that
    /// does not run for this module, or re-homes a cluster-wide action); it counts neither way.
    pub equivalent: Option<&'static str>,
}

impl MutantResult {
    /// Whether a guard, an invariant, or a failed verification caught it.
    pub fn caught(&self) -> bool {
        self.refusal.is_some() || !self.violations.is_empty() || self.stopped_at.is_some()
    }

    /// The invariants the run broke, in invariant order.
    pub fn violated(&self) -> impl Iterator<Item = Invariant> + '_ {
        self.violations.iter().map(|v| v.invariant)
    }
}

/// Explores one procedure on one cluster.
#[derive(Debug, Clone)]
pub struct Explorer {
    setup: Arc<Setup>,
    seed: u64,
    config: EngineConfig,
    watch: Arc<Control>,
    /// Runs with faults go on with the recovery `recover` plans, and are judged at its end.
    recovery: bool,
}

impl Explorer {
    /// An explorer of `setup` with simulator seed `seed`.
    pub fn new(setup: Arc<Setup>, seed: u64) -> Explorer {
        Explorer { setup, seed, config: EngineConfig::standard(), watch: Arc::default(), recovery: true }
    }

    /// The same explorer, counting its runs in `watch` and stopping between two runs once
    /// `watch` asks it to: what it found until then is returned as usual.
    pub fn watched(self, watch: Arc<Control>) -> Explorer {
        Explorer { watch, ..self }
    }

    /// The same explorer running the procedure as written (no guards) or guarded.
    pub fn in_mode(&self, mode: Mode) -> Explorer {
        Explorer { config: self.config.clone().with_guards(mode.guards()), ..self.clone() }
    }

    /// With `on` (the default), a run with faults that ends short of a serving cluster goes on
    /// with the recovery `clusterproc recover` would run, and is judged at its end; off, it
    /// is judged where it ended.
    pub fn with_recovery(self, on: bool) -> Explorer {
        Explorer { recovery: on, ..self }
    }

    /// Whether runs with faults go on with a recovery.
    pub fn recovery(&self) -> bool {
        self.recovery
    }

    /// A run at its start, as this explorer makes them.
    fn machine(&self, keep_trace: bool) -> Machine {
        Machine::new(&self.setup, self.seed, &self.config, keep_trace).recovering(self.recovery)
    }

    /// The engine's configuration: guards, patience.
    pub fn engine_config(&self) -> &EngineConfig {
        &self.config
    }

    /// Runs a schedule of either kind, keeping the whole trace: the violations (with the
    /// events that prove them) and the simulator.
    pub fn run_schedule(&self, schedule: &Schedule) -> (Vec<Violation>, Sim) {
        let machine = self.machine(true);
        let machine = match schedule {
            Schedule::Staged(faults) => machine.run_staged(faults).0,
            Schedule::Timed(faults) => machine.run_with(faults),
        };
        (machine.violations().to_vec(), machine.sim().clone())
    }

    /// Runs faults placed by their steps (a counterexample replayed against an edited
    /// procedure), keeping the whole trace: as [`Explorer::run_schedule`], and for each fault
    /// the transition it struck after, or none when its step never began.
    pub fn run_anchored(&self, faults: &[AnchoredFault]) -> (Vec<Violation>, Sim, Vec<Option<u32>>) {
        let (machine, struck) = self.machine(true).run_anchored(faults);
        (machine.violations().to_vec(), machine.sim().clone(), struck)
    }

    /// The faults of `schedule` as a counterexample file names them, each timed one with how
    /// many transitions after its step (or the recovery) began it struck.
    pub fn fault_records(&self, schedule: &Schedule) -> Vec<FaultRecord> {
        let mut records = schedule.records(&self.setup);
        if let Schedule::Timed(faults) = schedule {
            let (_, offsets) = self.machine(false).run_noting_anchors(faults);
            for (record, offset) in records.iter_mut().zip(offsets) {
                record.transition_in_step = offset;
            }
        }
        records
    }

    /// The way it runs the procedure.
    pub fn mode(&self) -> Mode {
        if self.config.guards { Mode::Guarded } else { Mode::AsWritten }
    }

    /// The setup explored.
    pub fn setup(&self) -> &Arc<Setup> {
        &self.setup
    }

    /// The faults tried at each fault point: on every node a crash and a restart, a heartbeat
    /// loss, loss and return of contact, a failing, hanging or restart-requesting installer,
    /// a module service that will not start or that dies, false alarms of the module's
    /// service monitor and of registry sync's monitor; a failing move of the group; a failing
    /// activation of each registry-sync resource.
    pub fn candidate_faults(&self) -> Vec<Fault> {
        let cluster = &self.setup.cluster;
        let module_service = self.setup.module_services.first().copied();
        let service_monitor = module_service.and_then(|service| {
            cluster.resources_of_service(service).flat_map(|r| cluster.monitors_of_resource(r)).next()
        });
        let sync_monitor: Option<MonitorId> = cluster
            .monitors
            .iter()
            .position(|m| matches!(cluster.resources[m.target.index()].kind, ResourceKind::RegistrySync { .. }))
            .map(|i| MonitorId(i as u16));
        let services: Vec<ServiceId> = module_service.into_iter().collect();
        let monitors: Vec<MonitorId> = [service_monitor, sync_monitor].into_iter().flatten().collect();
        let groups: Vec<GroupId> = if cluster.groups.is_empty() { Vec::new() } else { vec![GroupId(0)] };
        let resources: Vec<ResourceId> = cluster.registry_sync_resources().collect();
        let mut faults = Vec::new();
        for node in cluster.node_ids() {
            for kind in CANDIDATES.iter().filter(|kind| kind.fields().contains(&Field::Node)) {
                faults.extend(candidates(*kind, &[node], &services, &monitors, &groups, &resources));
            }
        }
        for kind in CANDIDATES.iter().filter(|kind| !kind.fields().contains(&Field::Node)) {
            faults.extend(candidates(*kind, &[], &services, &monitors, &groups, &resources));
        }
        faults
    }

    /// The verdict of a finished run (a stop already followed by what happens next).
    fn classify(machine: &Machine, faults: Vec<StagedFault>) -> RunResult {
        let ending = machine.engine().ending().cloned().unwrap_or(Ending::Completed);
        let violations = machine.violations().to_vec();
        let class = if violations.iter().any(|v| !v.recovered) {
            RunClass::Violation
        } else if !violations.is_empty() {
            RunClass::Recovered
        } else if ending == Ending::Completed {
            RunClass::Success
        } else {
            RunClass::SafeStop
        };
        RunResult { faults, ending, violations, class }
    }

    /// The run with no fault.
    pub fn baseline(&self) -> RunResult {
        self.run(&[]).0
    }

    /// Runs with faults staged before steps, and returns the simulator too, for traces. A
    /// run that stops is followed by what the cluster does next with nobody acting, and
    /// judged on that too.
    pub fn run(&self, faults: &[StagedFault]) -> (RunResult, Sim) {
        let (machine, injected) = self.machine(true).run_staged(faults);
        (Explorer::classify(&machine, injected), machine.sim().clone())
    }

    /// The cluster's state as each step begins (by step index), and at the end, in the run
    /// with no fault.
    fn step_states(&self) -> (Vec<(usize, Observation)>, Observation) {
        let mut machine = self.machine(false);
        let mut states = Vec::new();
        loop {
            match machine.step() {
                Transition::Finished => return (states, timeless(machine.sim().observation())),
                Transition::StepBegun(step) => states.push((step, timeless(machine.sim().observation()))),
                Transition::FaultPoint | Transition::Quiet => {}
            }
        }
    }

    /// `cases` random schedules of one to three faults, each with its own simulator seed,
    /// drawn from `seed`; every violation is shrunk to a minimal counterexample.
    pub fn random(&self, cases: usize, seed: u64) -> Exploration {
        let faults = self.candidate_faults();
        let boundaries: Vec<usize> = self.step_states().0.into_iter().map(|(step, _)| step).collect();
        let mut rng = Rng::new(seed);
        let mut exploration = Exploration::default();
        if boundaries.is_empty() || faults.is_empty() {
            return exploration;
        }
        for _ in 0..cases {
            if self.watch.stopped() {
                break;
            }
            let case_seed = rng.next_u64();
            let count = 1 + rng.below(3) as usize;
            let mut schedule: Vec<StagedFault> = (0..count)
                .map(|_| StagedFault {
                    before_step: boundaries[rng.below(boundaries.len() as u64) as usize],
                    fault: faults[rng.below(faults.len() as u64) as usize],
                })
                .collect();
            schedule.sort_by_key(|f| f.before_step);
            let explorer = self.with_seed(case_seed);
            let (result, _) = explorer.run(&schedule);
            exploration.count(&result, case_seed, None);
            for violation in &result.violations {
                let shrunk = explorer.shrink(&schedule, violation.invariant);
                let (small, _) = explorer.run(&shrunk);
                exploration.keep_counterexamples(&small, case_seed, None);
            }
            self.watch.ran(exploration.counterexamples.len());
        }
        exploration
    }

    /// The smallest sub-schedule of `faults` that still breaks `invariant` (greedy: drop
    /// faults one at a time while it still breaks).
    pub fn shrink(&self, faults: &[StagedFault], invariant: Invariant) -> Vec<StagedFault> {
        let mut current = faults.to_vec();
        loop {
            let smaller = (0..current.len()).find_map(|skip| {
                let candidate: Vec<StagedFault> =
                    current.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, f)| *f).collect();
                let (result, _) = self.run(&candidate);
                result.violations.iter().any(|v| v.invariant == invariant).then_some(candidate)
            });
            match smaller {
                Some(candidate) => current = candidate,
                None => return current,
            }
        }
    }

    /// Every mutant of the procedure, run with no fault.
    pub fn mutants(&self) -> (Vec<MutantResult>, Exploration) {
        let procedure = &self.setup.procedure;
        let mut exploration = Exploration::default();
        let mut results = Vec::new();
        let original = self.boundary_states();
        for mutation in mutations(procedure) {
            let mutant = Arc::new(Setup::new(self.setup.cluster.clone(), mutation.apply(procedure)));
            let explorer = Explorer { setup: mutant, ..self.clone() };
            if self.watch.stopped() {
                break;
            }
            let result = explorer.baseline();
            exploration.count(&result, self.seed, Some(&mutation));
            let refusal = match &result.ending {
                Ending::Refused(refusal) => Some(refusal.clone()),
                _ => None,
            };
            let refused_at = refusal.as_ref().map(|r| explorer.setup.procedure.steps[r.step].label());
            let (stopped_at, stop_reason) = match &result.ending {
                Ending::Stopped { step, reason, .. } => {
                    (Some(explorer.setup.procedure.steps[*step].id.clone()), Some(reason.clone()))
                }
                _ => (None, None),
            };
            // The first violation of each invariant, in invariant order.
            let mut violations: Vec<Violation> = Vec::new();
            for violation in &result.violations {
                if !violations.iter().any(|v| v.invariant == violation.invariant) {
                    violations.push(violation.clone());
                }
            }
            violations.sort_by_key(|v| v.invariant);
            let matters = match mutation {
                Mutation::SwapWithNext { step } => {
                    step_matters(&self.setup, step) || step_matters(&self.setup, step + 1)
                }
                _ => step_matters(&self.setup, mutation.step()),
            };
            let skipped = match mutation {
                Mutation::SwapWithNext { step } => {
                    step_skipped(&self.setup, step) || step_skipped(&self.setup, step + 1)
                }
                _ => step_skipped(&self.setup, mutation.step()),
            };
            // Suspend, resume and the cluster reboot act on the whole cluster from whichever
            // node issues them.
            let rehomed = matches!(mutation, Mutation::OtherNode { .. })
                && procedure.steps[mutation.step()].action.same_from_any_node();
            let equivalent = if skipped {
                Some("moves a step that does not run for this module")
            } else if rehomed {
                Some("a cluster-wide action, the same from any node")
            } else {
                None
            };
            let mut mutant = MutantResult {
                name: mutation.describe(procedure),
                mutation,
                refusal,
                refused_at,
                violations,
                stopped_at,
                stop_reason,
                matters,
                equivalent,
                explanation: None,
            };
            if !mutant.caught() && equivalent.is_none() {
                mutant.explanation = Some(self.why_unseen(&explorer, &mutant.mutation, &original));
            }
            results.push(mutant);
        }
        (results, exploration)
    }

    /// The cluster's state as each step begins (by step id), and at the end, in the run
    /// with no fault.
    fn boundary_states(&self) -> Vec<(String, Observation)> {
        let (steps, end) = self.step_states();
        let mut states: Vec<(String, Observation)> =
            steps.into_iter().map(|(step, state)| (self.setup.procedure.steps[step].id.clone(), state)).collect();
        states.push((String::new(), end));
        states
    }

    /// Why no invariant saw a mutant that completed cleanly: its cluster converges with the
    /// procedure's own before some later step (what the mutated step did is redone or undone
    /// there: a redundant step, or one whose effect no invariant needs), or it ends in
    /// another state that no invariant covers (a blind spot of the model).
    fn why_unseen(&self, mutant: &Explorer, mutation: &Mutation, original: &[(String, Observation)]) -> String {
        let procedure = &self.setup.procedure;
        let mutated = procedure.steps.get(mutation.step()).map(|s| s.id.as_str()).unwrap_or_default();
        let states = mutant.boundary_states();
        let after_mutation = original.iter().position(|(id, _)| id == mutated).map_or(0, |i| i + 1);
        let converged = original[after_mutation.min(original.len())..]
            .iter()
            .find(|(id, state)| states.iter().any(|(other, mutant_state)| other == id && mutant_state == state));
        match converged {
            Some((id, _)) if id.is_empty() => {
                "it ends in the same state as the procedure; nothing it changed lasts".to_owned()
            }
            Some((id, _)) => {
                let step = procedure.steps.iter().find(|s| &s.id == id).map_or(id.clone(), |s| s.label());
                format!(
                    "the cluster is in the same state as with the procedure by the start of step {step}: \
                     what the step does is redone or undone before any invariant needs it"
                )
            }
            None => {
                let (_, end) = original.last().expect("an end state");
                let (_, mutant_end) = states.last().expect("an end state");
                format!(
                    "it ends in another state than the procedure ({}), which no invariant covers: a blind spot",
                    state_difference(&self.setup, end, mutant_end)
                )
            }
        }
    }

    /// The setup of a mutant, for replaying its counterexamples.
    pub fn mutant(&self, mutation: &Mutation) -> Explorer {
        let mutant = Arc::new(Setup::new(self.setup.cluster.clone(), mutation.apply(&self.setup.procedure)));
        Explorer { setup: mutant, ..self.clone() }
    }

    /// The same explorer with another simulator seed.
    pub fn with_seed(&self, seed: u64) -> Explorer {
        Explorer { seed, ..self.clone() }
    }

    /// A trace rendered for people.
    pub fn render(&self, events: &[Event]) -> String {
        Renderer::new(&self.setup).trace(events)
    }

    /// The story of a run: its trace without routine detail.
    pub fn story(&self, events: &[Event]) -> String {
        Renderer::new(&self.setup).story(events)
    }
}

/// What the cluster did after a run stopped, with nobody acting: the story of the events
/// after the stop, one line each (empty when nothing happened or the run did not stop).
pub fn aftermath(setup: &Setup, events: &[Event]) -> Vec<String> {
    let Some(stop) = events.iter().position(|e| matches!(e.kind, procedure::event::EventKind::RunStopped)) else {
        return Vec::new();
    };
    Renderer::new(setup).story(&events[stop + 1..]).lines().map(str::to_owned).collect()
}

/// An observation without its time, for comparing states reached at different moments.
fn timeless(observation: &Observation) -> Observation {
    Observation { at: Duration::ZERO, ..observation.clone() }
}

/// The first thing that differs between two states, for people.
fn state_difference(setup: &Setup, a: &Observation, b: &Observation) -> String {
    let cluster = &setup.cluster;
    for (n, (x, y)) in a.nodes.iter().zip(&b.nodes).enumerate() {
        let node = &cluster.nodes[n].name;
        if let Some(s) = (0..x.services.len()).find(|&s| x.services[s] != y.services[s]) {
            return format!(
                "service {:?} on {node}: {:?}, not {:?}",
                cluster.services[s].name, y.services[s], x.services[s]
            );
        }
        if let Some(s) = (0..x.watches.len()).find(|&s| x.watches[s] != y.watches[s]) {
            return format!(
                "the watch of {:?} on {node}: {:?}, not {:?}",
                cluster.services[s].name, y.watches[s], x.watches[s]
            );
        }
        if let Some(m) = (0..x.monitors.len()).find(|&m| x.monitors[m] != y.monitors[m]) {
            return format!(
                "monitor {} on {node}: {:?}, not {:?}",
                cluster.monitors[m].name, y.monitors[m], x.monitors[m]
            );
        }
        if x.registry != y.registry {
            return format!("the registry of {node}");
        }
        if x.components != y.components {
            return format!("the installed components of {node}");
        }
        if x != y {
            return format!("the state of {node}");
        }
    }
    if a.groups != b.groups || a.resources != b.resources {
        return "the groups and their resources".to_owned();
    }
    "the cluster's state".to_owned()
}

/// Whether a step never runs for this module (its condition is decided by the module).
fn step_skipped(setup: &Setup, step: usize) -> bool {
    setup.procedure.steps.get(step).is_some_and(|step| {
        matches!(step.condition, Some(procedure::procedure::Condition::ModuleWritesRegistry))
            && !setup.procedure.module_of(step).writes_registry()
    })
}

/// Whether a step does something the invariants should see: it runs for this module and it
/// is not only a check.
fn step_matters(setup: &Setup, step: usize) -> bool {
    let Some(spec) = setup.procedure.steps.get(step) else { return false };
    let check_only = spec.action.changes_nothing();
    !step_skipped(setup, step) && !check_only
}
