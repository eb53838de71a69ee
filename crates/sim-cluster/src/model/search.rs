//! Breadth-first search over fault schedules with deduplicated states, on every core, with
//! the same result for any number of threads.
//!
//! States are explored layer by layer: layer k holds the runs that have had k faults, so
//! every schedule of k faults is explored before any of k+1. Within a layer each run goes on
//! to its end or to a state already seen (its future was explored from where it was first
//! seen). A state reached by a transition that is a fault point branches, once: it spawns one
//! run of layer k+1 per fault that changes it, even if it was first seen as the start of a
//! run (right after a fault), since a fault armed for later (an installer failure, a restart
//! request) leads along states that other runs of its kind start from. A run is made in one
//! go, while its state is hot in the cache; the runs a fault point spawns are kept as where
//! they start (`lineage`) and made again when their turn comes.
//!
//! Which states a layer reaches, and which of them branch, does not depend on the order of
//! its runs (each state has one successor, and the kind of transition into it is its
//! predecessor's), and neither do the counts of states. On several threads, batches of runs
//! are made ahead and merged in order, each cut where the runs before it had already been:
//! the result is the one thread's, to the byte.
//!
//! The counterexample reported for an invariant has the fewest faults, then the earliest
//! violation, then the faults that struck first. `--shard i/n` keeps the runs of layer 1
//! whose index is i modulo n (layer 0, the run with no fault, is explored by every shard),
//! so a CI matrix can split the search; `check --merge` combines the verdicts.

use std::collections::BTreeMap;
use std::sync::Arc;

use procedure::engine::{Ending, EngineConfig, GuardRefusal};
use procedure::event::Fault;
use procedure::fault::FaultKind;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use rayon::prelude::*;

use super::fingerprint::{Entered, FingerprintSet};
use super::lineage::{FaultPoint, Level, Lineage};
use super::recovery::Outcome;
use super::{Machine, Offer, TimedFault, Transition};
use crate::control::Control;

/// A part of the search, for splitting it across machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// How many shards there are.
    pub count: usize,
}

impl Shard {
    /// The whole search.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };
}

/// What to search.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// Up to this many faults in a run.
    pub max_faults: usize,
    /// The faults tried at every fault point.
    pub faults: Vec<Fault>,
    /// The simulator's seed.
    pub seed: u64,
    /// Guards on or off, and the engine's patience.
    pub engine: EngineConfig,
    /// Threads to expand levels on (1: this thread only).
    pub jobs: usize,
    /// Which part of the search this is.
    pub shard: Shard,
    /// Runs with faults go on with the recovery `recover` plans, and are judged at its end.
    pub recovery: bool,
    /// Fault schedules a person accepted for an invariant (`check --accept`): a violation
    /// whose faults match one is kept apart, in [`SearchResult::accepted`], and the search
    /// goes on looking for a counterexample that matches none.
    pub accepted: Vec<AcceptedSchedule>,
}

/// A fault schedule accepted for an invariant: the kinds of the faults, in the order they
/// struck, and the step each struck in (none struck in the recovery after the run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedSchedule {
    /// The invariant it may break.
    pub invariant: Invariant,
    /// Each fault's kind and the index of the step it struck in.
    pub faults: Vec<(FaultKind, usize)>,
}

impl AcceptedSchedule {
    /// Whether a violation of `invariant` after `faults` is this one.
    pub fn matches(&self, invariant: Invariant, faults: &[TimedFault]) -> bool {
        self.invariant == invariant
            && self.faults.len() == faults.len()
            && self
                .faults
                .iter()
                .zip(faults)
                .all(|(&(kind, step), fault)| fault.fault.kind() == kind && fault.step == step && !fault.in_recovery)
    }
}

/// The first violation of an invariant found, with the faults that lead to it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The violation (without evidence: a replay of the faults shows it).
    pub violation: Violation,
    /// The faults, in order.
    pub faults: Vec<TimedFault>,
}

/// A guard refusal that kept a run from breaking an invariant.
#[derive(Debug, Clone)]
pub struct Prevented {
    /// The refusal.
    pub refusal: GuardRefusal,
    /// The faults of the run.
    pub faults: Vec<TimedFault>,
}

/// How the recoveries after a search's runs ended (runs that needed none are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recoveries {
    /// The cluster serves again.
    pub serving: u64,
    /// The cluster still lacks something (judged as a violation).
    pub short: u64,
    /// The plan needs a person for what the simulator does not do (a hung installer, a
    /// group to start by hand): the run is judged as it stands.
    pub needs_operator: u64,
}

/// What a search found and how much it did.
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    /// Distinct states visited.
    pub states: u64,
    /// Transitions made (including those into states seen before).
    pub transitions: u64,
    /// The most transitions in one run.
    pub depth: u32,
    /// Runs started from a fault (plus the run with none) whose first state no run had
    /// reached before their turn.
    pub schedules: u64,
    /// Runs that reached their end (the others joined a state seen before).
    pub ends: u64,
    /// Of those: completed with every invariant holding.
    pub completed: u64,
    /// Stopped with no invariant broken.
    pub stopped_safely: u64,
    /// Broke an invariant that recovery did not put right.
    pub violated: u64,
    /// Broke invariants, every one put right by the recovery that followed.
    pub recovered: u64,
    /// How the recoveries after the runs that reached their end ended.
    pub recoveries: Recoveries,
    /// Per layer (number of faults): the states first reached there.
    pub states_per_layer: Vec<u64>,
    /// The shortest counterexample of each invariant broken (and not put right).
    pub counterexamples: BTreeMap<Invariant, Found>,
    /// The shortest run of each invariant broken and put right by recovery.
    pub recovered_examples: BTreeMap<Invariant, Found>,
    /// The shortest run in which a guard refused what would break each invariant.
    pub prevented: BTreeMap<Invariant, Prevented>,
    /// The shortest violation matching each accepted schedule, by its index in
    /// [`SearchConfig::accepted`].
    pub accepted: BTreeMap<usize, Found>,
    /// The search was interrupted before it finished.
    pub interrupted: bool,
    /// Bytes of the set of fingerprints.
    pub fingerprint_bytes: usize,
}

impl SearchResult {
    fn offer(&mut self, violation: &Violation, faults: &[TimedFault], accepted: &[AcceptedSchedule]) {
        let matching = (!violation.recovered)
            .then(|| accepted.iter().position(|schedule| schedule.matches(violation.invariant, faults)))
            .flatten();
        if let Some(index) = matching {
            let kept = self.accepted.get(&index);
            if kept.is_none_or(|known| earlier(violation, faults, known)) {
                self.accepted.insert(index, Found { violation: violation.clone(), faults: faults.to_vec() });
            }
            return;
        }
        let kept = if violation.recovered { &mut self.recovered_examples } else { &mut self.counterexamples };
        if kept.get(&violation.invariant).is_none_or(|known| earlier(violation, faults, known)) {
            let found = Found { violation: violation.clone(), faults: faults.to_vec() };
            kept.insert(violation.invariant, found);
        }
    }
}

/// Whether a violation after `faults` comes before the one `known` found: fewer faults, then
/// earlier, then faults that struck first.
fn earlier(violation: &Violation, faults: &[TimedFault], known: &Found) -> bool {
    let order = faults.len().cmp(&known.faults.len()).then(violation.at.cmp(&known.violation.at));
    order.then_with(|| struck(faults).cmp(struck(&known.faults))).is_lt()
}

/// When each fault struck, in order: among runs with as many faults that break (or are kept
/// from breaking) an invariant at the same moment, the search reports the one whose faults
/// struck first, whatever order it met them in.
fn struck(faults: &[TimedFault]) -> impl Iterator<Item = (std::time::Duration, u32)> + '_ {
    faults.iter().map(|fault| (fault.at, fault.after))
}

/// The fewest threads on which runs are made ahead. About half of what is made ahead is cut
/// at the merge (a run that starts from a fault armed for later walks the states that the
/// runs armed a little later start from, and a block cannot know what the blocks before it
/// reached), so on two threads it did worse than one (CI's 2-vCPU machine: 0.30 s against
/// 0.19 s with up to 3 faults). More cores were not measured; `tests/it/model.rs` checks that
/// three threads give one thread's output.
const AHEAD_FROM_THREADS: usize = 3;

/// Blocks of runs handed to the threads at a time, per thread.
const BLOCKS_PER_JOB: usize = 4;

/// Runs in a block: a block's runs are made one after the other on one thread, each stopping
/// where the runs before it in the block had been.
const RUNS_PER_BLOCK: usize = 64;

/// What one transition of a run found, kept by a run made ahead on another thread until the
/// runs before it are merged.
struct Record {
    /// The state reached (0 once finished).
    fingerprint: u64,
    /// The run's transitions so far.
    transitions: u32,
    finished: bool,
    /// The transition makes a fault point (and the search branches).
    branches: bool,
    /// Violations found by this transition.
    violations: Vec<Violation>,
    /// The fault point here, if the state was new when the run was made (`Some(None)`: it
    /// was, and no fault changes it).
    spawn: Option<Option<FaultPoint>>,
}

/// A run made ahead of its turn on another thread: where it started, its records, and the
/// machine at its end.
struct Trajectory {
    /// Its number in its layer.
    number: u32,
    seed: u64,
    /// The fault point at its start.
    start: Option<FaultPoint>,
    records: Vec<Record>,
    /// The run at its end (its faults are the run's: none strikes during a run).
    machine: Box<Machine>,
}

/// The fault point where `machine` is, if a fault there would change anything. A fault armed
/// for later ([`Fault`]'s `is_armed`) is offered only where the cluster's next change consults
/// it ([`Machine::consulted_next`]): armed earlier, it would walk states that differ from the
/// unarmed ones by a flag nothing reads, and every schedule with it armed earlier has one as
/// long with it armed here. With `striking` false (a run's start, right after a fault), only
/// the faults armed for later: a fault armed at the same moment as another.
fn fault_point(machine: &Machine, fingerprint: u64, faults: &[Fault], striking: bool) -> Option<FaultPoint> {
    FaultPoint::new(machine.transitions(), fingerprint, &machine.faults_to_offer(faults, striking), faults)
}

/// A fault point whose faults wait for what the run's next change consults (see
/// [`Layer::offer`]).
struct Unsettled {
    /// The transitions of the run there.
    after: u32,
    fingerprint: u64,
    offer: Offer,
}

impl Unsettled {
    /// The fault point, given the armed faults the next change consulted.
    fn settle(self, consulted: &[Fault], all: &[Fault]) -> Option<FaultPoint> {
        let Unsettled { after, fingerprint, offer } = self;
        FaultPoint::new(after, fingerprint, &offer.settle(consulted), all)
    }
}

/// Makes one transition of a run: what it found, and its new state's fingerprint. A
/// violation that a recovery may still put right ([`Machine::defers`]) is told at the run's
/// end, put right or not: the judge's state (in the fingerprint) carries it until then, so
/// every end reached from where it happened tells it.
fn transition(machine: &mut Machine) -> (Transition, Vec<Violation>, u64) {
    let judged = machine.violations().len();
    let transition = machine.step();
    let finished = transition == Transition::Finished;
    let all = machine.violations();
    let violations = if all.len() == judged && !finished {
        Vec::new()
    } else {
        let told = |(index, v): &(usize, &Violation)| {
            if machine.defers(v.invariant) { finished } else { *index >= judged }
        };
        all.iter().enumerate().filter(told).map(|(_, v)| v.clone()).collect()
    };
    let fingerprint = if transition == Transition::Finished { 0 } else { machine.fingerprint() };
    (transition, violations, fingerprint)
}

/// Searches every schedule of up to `config.max_faults` faults. `watch` is asked between
/// runs whether to stop (the search then ends early with what it found: `interrupted`),
/// and counts the runs that reach their end, for progress.
pub fn search(setup: &Arc<Setup>, config: &SearchConfig, watch: &Control) -> SearchResult {
    if config.jobs < AHEAD_FROM_THREADS {
        return search_with(setup, config, watch, None);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.jobs).build();
    match pool {
        Ok(pool) => search_with(setup, config, watch, Some(&pool)),
        // No threads to be had: the same search on this thread.
        Err(_) => search_with(setup, config, watch, None),
    }
}

/// Everything a layer's runs add to, in the order the runs are taken.
struct Layer<'a> {
    config: &'a SearchConfig,
    branch: bool,
    watch: &'a Control,
    visited: FingerprintSet,
    result: SearchResult,
    /// Where the next layer's runs start.
    next: Level,
}

impl Layer<'_> {
    /// A run on this thread, to its end or to a state already seen. The same as
    /// [`Layer::run_ahead`] then [`Layer::merge`], with one look in the set of seen states per
    /// transition instead of three (about a tenth faster); `tests/it/model.rs` compares the
    /// two ways' outputs.
    fn run(&mut self, number: u32, seed: u64, mut machine: Box<Machine>) {
        // Reached already (with fewer faults, or by a run before it): its future is explored.
        if !self.visited.insert(seed) {
            return;
        }
        self.result.states += 1;
        self.result.schedules += 1;
        let mut unsettled = if self.branch { self.offer(number, &mut machine, seed, false) } else { None };
        machine.reserve_events();
        loop {
            let (kind, violations, fingerprint) = transition(&mut machine);
            if kind != Transition::Quiet
                && let Some(offer) = unsettled.take()
            {
                self.keep(number, offer.settle(&machine.take_consulted(), &self.config.faults));
            }
            self.result.transitions += 1;
            self.result.depth = self.result.depth.max(machine.transitions());
            for violation in &violations {
                self.result.offer(violation, machine.faults(), &self.config.accepted);
            }
            if kind == Transition::Finished {
                end(&machine, &mut self.result);
                self.watch.ran(self.result.counterexamples.len());
                return;
            }
            let branches = self.branch && kind.is_fault_point();
            match self.visited.enter(fingerprint, branches) {
                Entered::New => self.result.states += 1,
                // Seen before, but never as a fault point: it branches, and its future is
                // explored already.
                Entered::Seen { branch: true } => {
                    self.keep(number, fault_point(&machine, fingerprint, &self.config.faults, true));
                    return;
                }
                // The run stops before its next change: it goes on to that change for what
                // the change consults, as a copy looking ahead from the fault point would.
                Entered::Seen { branch: false } => {
                    if let Some(offer) = unsettled {
                        while machine.step() == Transition::Quiet {}
                        self.keep(number, offer.settle(&machine.take_consulted(), &self.config.faults));
                    }
                    return;
                }
            }
            if branches {
                unsettled = self.offer(number, &mut machine, fingerprint, true);
            }
        }
    }

    /// Keeps a fault point of run `number` for the next layer.
    fn keep(&mut self, number: u32, found: Option<FaultPoint>) {
        if let Some(found) = found {
            self.next.push(number, found);
        }
    }

    /// The fault point at a transition (or, not `striking`, a run's start): kept at once if no
    /// fault armed for later is among its faults, else once the run has made its next change
    /// and noted what that change consulted ([`Machine::note_consulted`]), which is what a
    /// copy looking ahead would say, without the copy.
    fn offer(&mut self, number: u32, machine: &mut Machine, fingerprint: u64, striking: bool) -> Option<Unsettled> {
        let offer = machine.offer(&self.config.faults, striking);
        if offer.is_empty() {
            return None;
        }
        let after = machine.transitions();
        if !offer.needs_look_ahead() {
            let found = FaultPoint::new(after, fingerprint, &offer.settle(&[]), &self.config.faults);
            self.keep(number, found);
            return None;
        }
        machine.note_consulted();
        Some(Unsettled { after, fingerprint, offer })
    }

    /// A block of runs made ahead on another thread, one after the other: each stops at a
    /// state seen before this batch or earlier in the block; [`Layer::merge`] then cuts it
    /// where the blocks before it had already been.
    fn run_block_ahead(&self, block: Vec<(u32, u64, Box<Machine>)>) -> Vec<Trajectory> {
        let mut own = FingerprintSet::with_capacity(RUNS_PER_BLOCK * 64);
        block.into_iter().map(|(number, seed, machine)| self.run_ahead(number, seed, machine, &mut own)).collect()
    }

    /// A run made ahead; `own` holds the states the block reached so far.
    fn run_ahead(&self, number: u32, seed: u64, mut machine: Box<Machine>, own: &mut FingerprintSet) -> Trajectory {
        let mut records = Vec::new();
        // Reached before this batch, or earlier in the block: its turn will find it seen.
        if self.visited.contains(seed) || !own.insert(seed) {
            return Trajectory { number, seed, start: None, records, machine };
        }
        let faults = &self.config.faults;
        let start = if self.branch { fault_point(&machine, seed, faults, false) } else { None };
        machine.reserve_events();
        loop {
            let (kind, violations, fingerprint) = transition(&mut machine);
            let finished = kind == Transition::Finished;
            let new = !finished && !self.visited.contains(fingerprint) && own.insert(fingerprint);
            let branches = self.branch && kind.is_fault_point();
            let spawn = (new && branches).then(|| fault_point(&machine, fingerprint, faults, true));
            let transitions = machine.transitions();
            records.push(Record { fingerprint, transitions, finished, branches, violations, spawn });
            if !new {
                return Trajectory { number, seed, start, records, machine };
            }
        }
    }

    /// Takes a run made ahead as [`Layer::run`] would have made it at its turn.
    fn merge(&mut self, trajectory: Trajectory) {
        if !self.visited.insert(trajectory.seed) {
            return;
        }
        let number = trajectory.number;
        self.result.states += 1;
        self.result.schedules += 1;
        self.keep(number, trajectory.start);
        for record in trajectory.records {
            self.result.transitions += 1;
            self.result.depth = self.result.depth.max(record.transitions);
            for violation in &record.violations {
                self.result.offer(violation, trajectory.machine.faults(), &self.config.accepted);
            }
            if record.finished {
                end(&trajectory.machine, &mut self.result);
                self.watch.ran(self.result.counterexamples.len());
                return;
            }
            match self.visited.enter(record.fingerprint, record.branches) {
                Entered::New => {
                    self.result.states += 1;
                    self.keep(number, record.spawn.flatten());
                }
                Entered::Seen { branch: true } => {
                    // Made ahead as new, its fault point is here; made ahead as seen, it is
                    // where the run stopped, and the machine is there.
                    let found = match record.spawn {
                        Some(found) => found,
                        None => fault_point(&trajectory.machine, record.fingerprint, &self.config.faults, true),
                    };
                    self.keep(number, found);
                    return;
                }
                Entered::Seen { branch: false } => return,
            }
        }
    }
}

/// The search: layer by layer (number of faults); within a layer, each run in turn to its end
/// or to a state already seen, while its state is hot in the cache. With a pool, batches of
/// runs are made ahead on its threads and merged in order, which gives what one thread gives.
fn search_with(
    setup: &Arc<Setup>,
    config: &SearchConfig,
    watch: &Control,
    pool: Option<&rayon::ThreadPool>,
) -> SearchResult {
    let mut start = Machine::new(setup, config.seed, &config.engine, false).recovering(config.recovery);
    let first = (0, start.fingerprint(), Box::new(start));
    let mut lineage = Lineage::new(first.2.clone());
    let mut layer = Layer {
        config,
        branch: false,
        watch,
        visited: FingerprintSet::default(),
        result: SearchResult::default(),
        next: Level::default(),
    };
    for index in 0..=config.max_faults {
        let before = layer.result.states;
        layer.branch = index < config.max_faults;
        // This layer's runs, in order: the run with no fault, or the runs from the last
        // layer's fault points, each made when its turn comes.
        let shard = config.shard;
        let in_shard = move |number: u32| index != 1 || number as usize % shard.count == shard.index;
        let seeds: Box<dyn Iterator<Item = (u32, u64, Box<Machine>)>> = match index {
            0 => Box::new(std::iter::once(first.clone())),
            _ => Box::new(lineage.next_runs(&config.faults, in_shard)),
        };
        match pool {
            None => {
                for (number, seed, machine) in seeds {
                    if watch.stopped() {
                        layer.result.interrupted = true;
                        break;
                    }
                    layer.run(number, seed, machine);
                }
            }
            Some(pool) => {
                let mut seeds = seeds.peekable();
                while seeds.peek().is_some() {
                    if watch.stopped() {
                        layer.result.interrupted = true;
                        break;
                    }
                    let mut blocks = Vec::new();
                    for _ in 0..config.jobs * BLOCKS_PER_JOB {
                        let block: Vec<(u32, u64, Box<Machine>)> = seeds.by_ref().take(RUNS_PER_BLOCK).collect();
                        if block.is_empty() {
                            break;
                        }
                        blocks.push(block);
                    }
                    let ahead = &layer;
                    let made: Vec<Vec<Trajectory>> = pool.install(|| {
                        blocks.into_par_iter().with_max_len(1).map(|block| ahead.run_block_ahead(block)).collect()
                    });
                    for trajectory in made.into_iter().flatten() {
                        layer.merge(trajectory);
                    }
                }
            }
        }
        layer.result.states_per_layer.push(layer.result.states - before);
        let next = std::mem::take(&mut layer.next);
        if layer.result.interrupted || next.runs() == 0 {
            break;
        }
        lineage.push(next);
    }
    layer.result.fingerprint_bytes = layer.visited.heap_bytes();
    layer.result
}

fn end(machine: &Machine, result: &mut SearchResult) {
    result.ends += 1;
    match machine.outcome() {
        Outcome::None | Outcome::NothingToDo => {}
        Outcome::Serving => result.recoveries.serving += 1,
        Outcome::Short(_) => result.recoveries.short += 1,
        Outcome::NeedsOperator(_) => result.recoveries.needs_operator += 1,
    }
    let broke = machine.violations().iter().any(|v| !v.recovered);
    let recovered = !machine.violations().is_empty();
    match machine.engine().ending() {
        _ if broke => result.violated += 1,
        _ if recovered => result.recovered += 1,
        Some(Ending::Completed) => result.completed += 1,
        _ => result.stopped_safely += 1,
    }
    if let Some(Ending::Refused(refusal)) = machine.engine().ending() {
        let shorter = match result.prevented.get(&refusal.invariant) {
            None => true,
            Some(known) => {
                let faults = machine.faults();
                let order = faults.len().cmp(&known.faults.len());
                order.then_with(|| struck(faults).cmp(struck(&known.faults))).is_lt()
            }
        };
        if shorter {
            let prevented = Prevented { refusal: refusal.clone(), faults: machine.faults().to_vec() };
            result.prevented.insert(refusal.invariant, prevented);
        }
    }
}
