//! Exploring a procedure's runs on the simulator: with no fault, with every single fault at
//! every step boundary on every node, with every ordered pair of them, with random fault
//! schedules (shrunk to a minimal counterexample), and as mutants. This is what
//! `clusterproc check` reports.
//!
//! Runs share prefixes: the engine and the simulator are plain data, so a run paused at a
//! step boundary is cloned once per fault instead of replayed from the start.

use std::collections::BTreeMap;
use std::sync::Arc;

use procedure::backend::{Backend, Observation};
use procedure::cluster::{GroupId, MonitorId, NodeId, ResourceKind};
use procedure::engine::{Ending, Engine, EngineConfig, Input, Output};
use procedure::event::{Event, Fault, Renderer};
use procedure::invariant::{Invariant, Violation, judge};
use procedure::mutation::{Mutation, mutations};
use procedure::procedure::Action;
use procedure::setup::Setup;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::sim::{Builder, Sim};
use crate::staged::StagedFault;
use crate::watch::Watch;

/// How a run ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunClass {
    /// Completed with every invariant holding.
    Success,
    /// Stopped (a fault, a guard) with no safety invariant broken.
    SafeStop,
    /// Some invariant broke.
    Violation,
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

/// What an exploration found.
#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// Runs made, faulty ones only (the baseline is apart).
    pub runs: usize,
    /// Per class.
    pub successes: usize,
    /// See above.
    pub safe_stops: usize,
    /// See above.
    pub violations: usize,
    /// The shortest counterexample of each invariant broken.
    pub counterexamples: BTreeMap<Invariant, Counterexample>,
}

impl Exploration {
    fn count(&mut self, result: &RunResult, seed: u64, mutation: Option<&Mutation>) {
        self.runs += 1;
        match result.class {
            RunClass::Success => self.successes += 1,
            RunClass::SafeStop => self.safe_stops += 1,
            RunClass::Violation => self.violations += 1,
        }
        self.keep_counterexamples(result, seed, mutation);
    }

    /// Keeps the run as the counterexample of each invariant it broke, where it tells a
    /// shorter story than the one kept so far. The run is not counted.
    pub fn keep_counterexamples(&mut self, result: &RunResult, seed: u64, mutation: Option<&Mutation>) {
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
        let better = match self.counterexamples.get(&counterexample.invariant) {
            None => true,
            Some(known) => shorter(&counterexample.faults, &known.faults),
        };
        if better {
            self.counterexamples.insert(counterexample.invariant, counterexample);
        }
    }

    /// Adds another exploration's counts and counterexamples to this one.
    pub fn merge(&mut self, other: &Exploration) {
        self.runs += other.runs;
        self.successes += other.successes;
        self.safe_stops += other.safe_stops;
        self.violations += other.violations;
        for counterexample in other.counterexamples.values() {
            self.offer(counterexample.clone());
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
    /// The invariant a guard refused on, if one did.
    pub refused_by: Option<Invariant>,
    /// Invariants the run broke.
    pub violated: Vec<Invariant>,
    /// Where the run stopped, if it did: a fault-free run must complete.
    pub stopped_at: Option<String>,
    /// Whether the mutated step does something the invariants should see.
    pub matters: bool,
    /// Why the mutant cannot differ from the procedure, if it cannot (it moves a step that
    /// does not run for this module, or re-homes a cluster-wide action); it counts neither way.
    pub equivalent: Option<&'static str>,
}

impl MutantResult {
    /// Whether a guard, an invariant, or a failed verification caught it.
    pub fn caught(&self) -> bool {
        self.refused_by.is_some() || !self.violated.is_empty() || self.stopped_at.is_some()
    }
}

/// A run paused somewhere: the engine, the simulator and the engine's next output.
#[derive(Debug, Clone)]
struct Cursor {
    engine: Engine,
    sim: Sim,
    next: Output,
    faults: Vec<StagedFault>,
}

impl Cursor {
    fn new(setup: &Arc<Setup>, seed: u64, config: &EngineConfig) -> Cursor {
        let sim = Builder::new(Arc::clone(setup)).seed(seed).build();
        let mut engine = Engine::new(Arc::clone(setup), config.clone());
        let next = engine.next(Input::Start);
        Cursor { engine, sim, next, faults: Vec::new() }
    }

    /// Runs until the engine is about to begin a step (`Some(step)`), or has finished.
    fn run_to_boundary(&mut self) -> Option<usize> {
        loop {
            match self.next {
                Output::MarkStep(step) => return Some(step),
                Output::Finished => return None,
                _ => self.perform(),
            }
        }
    }

    /// Begins the step the cursor waits at, injecting `faults` as it begins.
    fn begin_step(&mut self, faults: &[Fault]) {
        let Output::MarkStep(step) = self.next else { unreachable!("begin_step at a step boundary") };
        self.sim.mark_step(step);
        for &fault in faults {
            self.sim.inject(fault);
            self.faults.push(StagedFault { before_step: step, fault });
        }
        let observation = self.sim.observe().expect("the simulator always answers");
        self.next = self.engine.next(Input::Observed(observation));
    }

    fn perform(&mut self) {
        if let Output::MarkStep(_) = self.next {
            return self.begin_step(&[]);
        }
        self.next = match std::mem::replace(&mut self.next, Output::Finished) {
            Output::MarkStep(_) => unreachable!("handled above"),
            Output::Observe => {
                let observation = self.sim.observe().expect("the simulator always answers");
                self.engine.next(Input::Observed(observation))
            }
            Output::Execute(operation) => {
                let result = self.sim.execute(&operation);
                self.engine.next(Input::Executed(result))
            }
            Output::Wait(length) => {
                self.sim.wait(length);
                self.engine.next(Input::Waited)
            }
            Output::Confirm(_) => self.engine.next(Input::Confirmed(true)),
            Output::Finished => Output::Finished,
        };
    }

    fn finish(mut self) -> (Engine, Sim, Vec<StagedFault>) {
        while self.next != Output::Finished {
            self.perform();
        }
        (self.engine, self.sim, self.faults)
    }
}

/// Explores one procedure on one cluster.
#[derive(Debug, Clone)]
pub struct Explorer {
    setup: Arc<Setup>,
    seed: u64,
    config: EngineConfig,
    initial: Observation,
    watch: Arc<Watch>,
}

impl Explorer {
    /// An explorer of `setup` with simulator seed `seed`.
    pub fn new(setup: Arc<Setup>, seed: u64) -> Explorer {
        let initial = Builder::new(Arc::clone(&setup)).seed(seed).build().observation().clone();
        Explorer { setup, seed, config: EngineConfig::standard(), initial, watch: Arc::default() }
    }

    /// The same explorer, counting its runs in `watch` and stopping between two runs once
    /// `watch` asks it to: what it found until then is returned as usual.
    pub fn watched(self, watch: Arc<Watch>) -> Explorer {
        Explorer { watch, ..self }
    }

    /// Counts a finished run; whether to go on.
    fn go_on(&self, exploration: &Exploration) -> bool {
        self.watch.ran(exploration.counterexamples.len())
    }

    /// The setup explored.
    pub fn setup(&self) -> &Arc<Setup> {
        &self.setup
    }

    /// The faults tried at each step boundary: on every node a crash, loss of contact, a
    /// failing installer, a restart request, a module service that will not start, false
    /// alarms of the module's service monitor and of registry sync's monitor; and a failing
    /// move of the group.
    pub fn candidate_faults(&self) -> Vec<Fault> {
        let cluster = &self.setup.cluster;
        let module_service = self.setup.procedure.module.services().next();
        let service_monitor = module_service.and_then(|service| {
            cluster.resources_of_service(service).flat_map(|r| cluster.monitors_of_resource(r)).next()
        });
        let sync_monitor: Option<MonitorId> = cluster
            .monitors
            .iter()
            .position(|m| matches!(cluster.resources[m.target.index()].kind, ResourceKind::RegistrySync { .. }))
            .map(|i| MonitorId(i as u16));
        let mut faults = Vec::new();
        for node in cluster.node_ids() {
            faults.push(Fault::Crash { node });
            faults.push(Fault::Unreachable { node });
            faults.push(Fault::InstallerFails { node });
            faults.push(Fault::RestartRequest { node });
            if let Some(service) = module_service {
                faults.push(Fault::ServiceFailsToStart { node, service });
            }
            for monitor in [service_monitor, sync_monitor].into_iter().flatten() {
                faults.push(Fault::MonitorFalseAlarm { node, monitor });
            }
        }
        if !cluster.groups.is_empty() {
            faults.push(Fault::GroupMoveFails { group: GroupId(0) });
        }
        faults
    }

    fn classify(&self, engine: &Engine, events: &[Event], last: &Observation, faults: Vec<StagedFault>) -> RunResult {
        let completed = matches!(engine.ending(), Some(Ending::Completed));
        let judge_final = completed || faults.is_empty();
        let violations = judge(&self.setup, &self.initial, events, last, engine, judge_final);
        let class = if !violations.is_empty() {
            RunClass::Violation
        } else if completed {
            RunClass::Success
        } else {
            RunClass::SafeStop
        };
        RunResult { faults, ending: engine.ending().cloned().unwrap_or(Ending::Completed), violations, class }
    }

    fn finish(&self, cursor: Cursor) -> RunResult {
        let (engine, sim, faults) = cursor.finish();
        self.classify(&engine, sim.trace(), sim.observation(), faults)
    }

    /// The run with no fault.
    pub fn baseline(&self) -> RunResult {
        self.finish(Cursor::new(&self.setup, self.seed, &self.config))
    }

    /// Runs with the given faults and returns the simulator too, for traces.
    pub fn run(&self, faults: &[StagedFault]) -> (RunResult, Sim) {
        let mut cursor = Cursor::new(&self.setup, self.seed, &self.config);
        while let Some(step) = cursor.run_to_boundary() {
            let due: Vec<Fault> = faults.iter().filter(|f| f.before_step == step).map(|f| f.fault).collect();
            cursor.begin_step(&due);
        }
        let (engine, sim, injected) = cursor.finish();
        let result = self.classify(&engine, sim.trace(), sim.observation(), injected);
        (result, sim)
    }

    /// The runs paused at each step boundary of the baseline.
    fn checkpoints(&self) -> Vec<(usize, Cursor)> {
        let mut cursor = Cursor::new(&self.setup, self.seed, &self.config);
        let mut checkpoints = Vec::new();
        while let Some(step) = cursor.run_to_boundary() {
            checkpoints.push((step, cursor.clone()));
            cursor.begin_step(&[]);
        }
        checkpoints
    }

    /// Every single fault at every step boundary.
    pub fn single(&self) -> Exploration {
        let faults = self.candidate_faults();
        let mut exploration = Exploration::default();
        for (_, checkpoint) in self.checkpoints() {
            for &fault in &faults {
                let mut cursor = checkpoint.clone();
                cursor.begin_step(&[fault]);
                exploration.count(&self.finish(cursor), self.seed, None);
                if !self.go_on(&exploration) {
                    return exploration;
                }
            }
        }
        exploration
    }

    /// Every ordered pair of faults: the second at the same boundary as the first (after it)
    /// or at any later one.
    pub fn double(&self) -> Exploration {
        let faults = self.candidate_faults();
        let mut exploration = Exploration::default();
        for (_, checkpoint) in self.checkpoints() {
            for &first in &faults {
                for &second in faults.iter().filter(|&&f| f != first) {
                    let mut cursor = checkpoint.clone();
                    cursor.begin_step(&[first, second]);
                    exploration.count(&self.finish(cursor), self.seed, None);
                    if !self.go_on(&exploration) {
                        return exploration;
                    }
                }
                let mut spine = checkpoint.clone();
                spine.begin_step(&[first]);
                while spine.run_to_boundary().is_some() {
                    for &second in &faults {
                        let mut cursor = spine.clone();
                        cursor.begin_step(&[second]);
                        exploration.count(&self.finish(cursor), self.seed, None);
                        if !self.go_on(&exploration) {
                            return exploration;
                        }
                    }
                    spine.begin_step(&[]);
                }
            }
        }
        exploration
    }

    /// `cases` random schedules of one to three faults, each with its own simulator seed,
    /// drawn from `seed`; every violation is shrunk to a minimal counterexample.
    pub fn random(&self, cases: usize, seed: u64) -> Exploration {
        let faults = self.candidate_faults();
        let boundaries: Vec<usize> = self.checkpoints().into_iter().map(|(step, _)| step).collect();
        let mut rng = Rng::new(seed);
        let mut exploration = Exploration::default();
        if boundaries.is_empty() || faults.is_empty() {
            return exploration;
        }
        for _ in 0..cases {
            let case_seed = rng.next_u64();
            let count = 1 + rng.below(3) as usize;
            let mut schedule: Vec<StagedFault> = (0..count)
                .map(|_| StagedFault {
                    before_step: boundaries[rng.below(boundaries.len() as u64) as usize],
                    fault: faults[rng.below(faults.len() as u64) as usize],
                })
                .collect();
            schedule.sort_by_key(|f| f.before_step);
            let explorer = Explorer { seed: case_seed, ..self.clone() };
            let (result, _) = explorer.run(&schedule);
            exploration.count(&result, case_seed, None);
            for violation in &result.violations {
                let shrunk = explorer.shrink(&schedule, violation.invariant);
                let (small, _) = explorer.run(&shrunk);
                exploration.keep_counterexamples(&small, case_seed, None);
            }
            if !self.go_on(&exploration) {
                break;
            }
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
        for mutation in mutations(procedure) {
            let mutant = Arc::new(Setup::new(self.setup.cluster.clone(), mutation.apply(procedure)));
            let explorer = Explorer::new(mutant, self.seed);
            if self.watch.stopped() {
                break;
            }
            let result = explorer.baseline();
            exploration.count(&result, self.seed, Some(&mutation));
            let refused_by = match &result.ending {
                Ending::Refused(refusal) => Some(refusal.invariant),
                _ => None,
            };
            let stopped_at = match &result.ending {
                Ending::Stopped { step, .. } => Some(explorer.setup.procedure.steps[*step].id.clone()),
                _ => None,
            };
            let mut violated: Vec<Invariant> = result.violations.iter().map(|v| v.invariant).collect();
            violated.sort();
            violated.dedup();
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
                && matches!(
                    procedure.steps[mutation.step()].action,
                    Action::SuspendCluster | Action::ResumeCluster | Action::RebootCluster
                );
            let equivalent = if skipped {
                Some("moves a step that does not run for this module")
            } else if rehomed {
                Some("a cluster-wide action, the same from any node")
            } else {
                None
            };
            results.push(MutantResult {
                name: mutation.describe(procedure),
                mutation,
                refused_by,
                violated,
                stopped_at,
                matters,
                equivalent,
            });
        }
        (results, exploration)
    }

    /// The setup of a mutant, for replaying its counterexamples.
    pub fn mutant(&self, mutation: &Mutation) -> Explorer {
        let mutant = Arc::new(Setup::new(self.setup.cluster.clone(), mutation.apply(&self.setup.procedure)));
        Explorer::new(mutant, self.seed)
    }

    /// The same explorer with another simulator seed.
    pub fn with_seed(&self, seed: u64) -> Explorer {
        Explorer::new(Arc::clone(&self.setup), seed)
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

/// Whether a step never runs for this module (its condition is decided by the module).
fn step_skipped(setup: &Setup, step: usize) -> bool {
    setup.procedure.steps.get(step).is_some_and(|step| {
        matches!(step.condition, Some(procedure::procedure::Condition::ModuleWritesRegistry))
            && !setup.procedure.module.writes_registry()
    })
}

/// Whether a step does something the invariants should see: it runs for this module and it
/// is not only a check.
fn step_matters(setup: &Setup, step: usize) -> bool {
    let Some(spec) = setup.procedure.steps.get(step) else { return false };
    let check_only = matches!(
        spec.action,
        Action::CheckServices(_) | Action::CheckResources { .. } | Action::Manual { check: None, .. }
    );
    !step_skipped(setup, step) && !check_only
}

/// A fault as a counterexample file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRecord {
    /// Step id it is injected before.
    pub before_step: String,
    /// `crash`, `unreachable`, ...
    pub fault: String,
    /// Node name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Monitor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// Group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A saved counterexample: everything `clusterproc replay` needs to run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterexampleFile {
    /// Format version.
    pub version: u32,
    /// The invariant it breaks.
    pub invariant: String,
    /// The procedure file, as given to `check`.
    pub procedure: String,
    /// Hash of its text.
    pub procedure_hash: String,
    /// The cluster file as given, or `None` for the built-in one.
    pub cluster: Option<String>,
    /// Hash of the cluster description's text.
    pub cluster_hash: String,
    /// The simulator's seed.
    pub seed: u64,
    /// The mutation, if the run is a mutant's.
    pub mutation: Option<String>,
    /// The faults, in order.
    pub faults: Vec<FaultRecord>,
    /// Hash of the rendered trace, to tell that a replay is exact.
    pub trace_hash: String,
    /// The violation, for people.
    pub detail: String,
}

/// Names a staged fault.
pub fn fault_record(setup: &Setup, fault: &StagedFault) -> FaultRecord {
    let cluster = &setup.cluster;
    let mut record = FaultRecord {
        before_step: setup.procedure.steps[fault.before_step].id.clone(),
        fault: String::new(),
        node: None,
        service: None,
        monitor: None,
        group: None,
    };
    let node = |n: NodeId| Some(setup.node_name(n).to_owned());
    let (kind, fault_node) = match fault.fault {
        Fault::Crash { node } => ("crash", Some(node)),
        Fault::Restart { node } => ("restart", Some(node)),
        Fault::InstallerFails { node } => ("installer-fails", Some(node)),
        Fault::RestartRequest { node } => ("restart-request", Some(node)),
        Fault::ServiceFailsToStart { node, service } => {
            record.service = Some(cluster.services[service.index()].name.clone());
            ("service-fails-to-start", Some(node))
        }
        Fault::GroupMoveFails { group } => {
            record.group = Some(cluster.groups[group.index()].name.clone());
            ("group-move-fails", None)
        }
        Fault::MonitorFalseAlarm { node, monitor } => {
            record.monitor = Some(cluster.monitors[monitor.index()].name.clone());
            ("monitor-false-alarm", Some(node))
        }
        Fault::Unreachable { node } => ("unreachable", Some(node)),
        Fault::Reachable { node } => ("reachable", Some(node)),
    };
    record.fault = kind.to_owned();
    record.node = fault_node.and_then(node);
    record
}

/// Resolves a named fault against `setup`.
pub fn staged_fault(setup: &Setup, record: &FaultRecord) -> Result<StagedFault, String> {
    let cluster = &setup.cluster;
    let before_step = setup
        .procedure
        .steps
        .iter()
        .position(|s| s.id == record.before_step)
        .ok_or_else(|| format!("the procedure has no step {:?}", record.before_step))?;
    let node = || -> Result<NodeId, String> {
        let name = record.node.as_deref().ok_or("the fault names no node")?;
        cluster.node_by_name(name).ok_or_else(|| format!("unknown node {name:?}"))
    };
    let fault = match record.fault.as_str() {
        "crash" => Fault::Crash { node: node()? },
        "restart" => Fault::Restart { node: node()? },
        "installer-fails" => Fault::InstallerFails { node: node()? },
        "restart-request" => Fault::RestartRequest { node: node()? },
        "unreachable" => Fault::Unreachable { node: node()? },
        "reachable" => Fault::Reachable { node: node()? },
        "service-fails-to-start" => {
            let name = record.service.as_deref().ok_or("the fault names no service")?;
            let service = cluster.service_by_name(name).ok_or_else(|| format!("unknown service {name:?}"))?;
            Fault::ServiceFailsToStart { node: node()?, service }
        }
        "monitor-false-alarm" => {
            let name = record.monitor.as_deref().ok_or("the fault names no monitor")?;
            let monitor = cluster.monitor_by_name(name).ok_or_else(|| format!("unknown monitor {name:?}"))?;
            Fault::MonitorFalseAlarm { node: node()?, monitor }
        }
        "group-move-fails" => {
            let name = record.group.as_deref().ok_or("the fault names no group")?;
            Fault::GroupMoveFails {
                group: cluster.group_by_name(name).ok_or_else(|| format!("unknown group {name:?}"))?,
            }
        }
        other => return Err(format!("unknown fault {other:?}")),
    };
    Ok(StagedFault { before_step, fault })
}
