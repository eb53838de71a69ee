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
//! go, while its state is hot in the cache, and the runs a fault point spawns are made from
//! one shared copy of it only when their turn comes.
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
    /// The runs of the next layer spawned here, if the state was new when the run was made
    /// (`Some(None)`: it was, and no fault changes it).
    spawn: Option<Option<Spawn>>,
}

/// A run made ahead of its turn on another thread: where it started, its records, and the
/// machine at its end.
struct Trajectory {
    seed: u64,
    /// The runs spawned at its start.
    start: Option<Spawn>,
    records: Vec<Record>,
    /// The run at its end (its faults are the run's: none strikes during a run).
    machine: Box<Machine>,
}

/// A fault point's runs of the next layer, one per fault that changes the state: a copy of
/// the run there, shared by those runs, each made from it only when its turn comes. A fault
/// point spawns a dozen runs or more, so a layer's worth of them fits in a fraction of the
/// memory it would take made.
struct Spawn {
    parent: Arc<Machine>,
    fingerprint: u64,
    faults: Vec<Fault>,
}

impl Spawn {
    /// The fault point where `machine` is, if a fault there would change anything. A fault
    /// armed for later ([`Fault`]'s `is_armed`) is offered only where the cluster's next change
    /// consults it ([`Machine::consulted_next`]): armed earlier, it would walk states that
    /// differ from the unarmed ones by a flag nothing reads, and every schedule with it armed
    /// earlier has one as long with it armed here.
    fn at(machine: &Machine, fingerprint: u64, faults: &[Fault]) -> Option<Spawn> {
        Spawn::offering(machine, fingerprint, faults, true)
    }

    /// A run's start (right after a fault), for the faults armed for later that the next
    /// change consults: a fault armed at the same moment as another.
    fn at_start(machine: &Machine, fingerprint: u64, faults: &[Fault]) -> Option<Spawn> {
        Spawn::offering(machine, fingerprint, faults, false)
    }

    fn offering(machine: &Machine, fingerprint: u64, faults: &[Fault], striking: bool) -> Option<Spawn> {
        let faults = machine.faults_to_offer(faults, striking);
        (!faults.is_empty()).then(|| Spawn { parent: Arc::new(machine.clone()), fingerprint, faults })
    }

    /// The runs, in the order of the faults, with the fingerprints they start from. The last
    /// is made from the shared copy itself.
    fn into_runs(self) -> impl Iterator<Item = (u64, Box<Machine>)> {
        let Spawn { parent, fingerprint, faults } = self;
        let mut parent = Some(parent);
        let last = faults.len().saturating_sub(1);
        faults.into_iter().enumerate().filter_map(move |(index, fault)| {
            let mut child = match parent.take_if(|_| index == last) {
                Some(parent) => Box::new(Arc::unwrap_or_clone(parent)),
                None => Box::new((**parent.as_ref()?).clone()),
            };
            child.inject(fault);
            let child_fingerprint = child.fingerprint();
            // A fault that changes nothing leads back to this very state.
            (child_fingerprint != fingerprint).then_some((child_fingerprint, child))
        })
    }
}

/// A fault point whose runs wait for what the run's next change consults (see
/// [`Layer::offer`]).
struct Unsettled {
    parent: Arc<Machine>,
    fingerprint: u64,
    offer: Offer,
}

impl Unsettled {
    /// The runs, given the armed faults the next change consulted.
    fn settle(self, consulted: &[Fault]) -> Option<Spawn> {
        let Unsettled { parent, fingerprint, offer } = self;
        let faults = offer.settle(consulted);
        (!faults.is_empty()).then_some(Spawn { parent, fingerprint, faults })
    }

    /// The runs, when the run stopped (at a state seen before) before its next change: a
    /// copy looks ahead.
    fn look_ahead(self) -> Option<Spawn> {
        let consulted = self.parent.consulted_next();
        self.settle(&consulted)
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
    next: Vec<Spawn>,
}

impl Layer<'_> {
    /// A run on this thread, to its end or to a state already seen. The same as
    /// [`Layer::run_ahead`] then [`Layer::merge`], with one look in the set of seen states per
    /// transition instead of three (about a tenth faster); `tests/it/model.rs` compares the
    /// two ways' outputs.
    fn run(&mut self, seed: u64, mut machine: Box<Machine>) {
        // Reached already (with fewer faults, or by a run before it): its future is explored.
        if !self.visited.insert(seed) {
            return;
        }
        self.result.states += 1;
        self.result.schedules += 1;
        let mut unsettled = if self.branch { self.offer(&mut machine, seed, false) } else { None };
        machine.reserve_events();
        loop {
            let (kind, violations, fingerprint) = transition(&mut machine);
            if kind != Transition::Quiet
                && let Some(offer) = unsettled.take()
            {
                self.next.extend(offer.settle(&machine.take_consulted()));
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
                    self.next.extend(Spawn::at(&machine, fingerprint, &self.config.faults));
                    return;
                }
                // The run stops before its next change: a copy looks ahead for it.
                Entered::Seen { branch: false } => {
                    self.next.extend(unsettled.and_then(Unsettled::look_ahead));
                    return;
                }
            }
            if branches {
                unsettled = self.offer(&mut machine, fingerprint, true);
            }
        }
    }

    /// The runs a fault point (or, not `striking`, a run's start) spawns: at once if no fault
    /// armed for later is among them, else once the run has made its next change and noted
    /// what that change consulted ([`Machine::note_consulted`]), which is what a copy looking
    /// ahead would say, without the copy.
    fn offer(&mut self, machine: &mut Machine, fingerprint: u64, striking: bool) -> Option<Unsettled> {
        let offer = machine.offer(&self.config.faults, striking);
        if offer.is_empty() {
            return None;
        }
        let parent = Arc::new(machine.clone());
        if !offer.needs_look_ahead() {
            self.next.push(Spawn { parent, fingerprint, faults: offer.settle(&[]) });
            return None;
        }
        machine.note_consulted();
        Some(Unsettled { parent, fingerprint, offer })
    }

    /// A block of runs made ahead on another thread, one after the other: each stops at a
    /// state seen before this batch or earlier in the block; [`Layer::merge`] then cuts it
    /// where the blocks before it had already been.
    fn run_block_ahead(&self, block: Vec<(u64, Box<Machine>)>) -> Vec<Trajectory> {
        let mut own = FingerprintSet::with_capacity(RUNS_PER_BLOCK * 64);
        block.into_iter().map(|(seed, machine)| self.run_ahead(seed, machine, &mut own)).collect()
    }

    /// A run made ahead; `own` holds the states the block reached so far.
    fn run_ahead(&self, seed: u64, mut machine: Box<Machine>, own: &mut FingerprintSet) -> Trajectory {
        let mut records = Vec::new();
        // Reached before this batch, or earlier in the block: its turn will find it seen.
        if self.visited.contains(seed) || !own.insert(seed) {
            return Trajectory { seed, start: None, records, machine };
        }
        let start = if self.branch { Spawn::at_start(&machine, seed, &self.config.faults) } else { None };
        machine.reserve_events();
        loop {
            let (kind, violations, fingerprint) = transition(&mut machine);
            let finished = kind == Transition::Finished;
            let new = !finished && !self.visited.contains(fingerprint) && own.insert(fingerprint);
            let branches = self.branch && kind.is_fault_point();
            let spawn = (new && branches).then(|| Spawn::at(&machine, fingerprint, &self.config.faults));
            let transitions = machine.transitions();
            records.push(Record { fingerprint, transitions, finished, branches, violations, spawn });
            if !new {
                return Trajectory { seed, start, records, machine };
            }
        }
    }

    /// Takes a run made ahead as [`Layer::run`] would have made it at its turn.
    fn merge(&mut self, trajectory: Trajectory) {
        if !self.visited.insert(trajectory.seed) {
            return;
        }
        self.result.states += 1;
        self.result.schedules += 1;
        self.next.extend(trajectory.start);
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
                    self.next.extend(record.spawn.flatten());
                }
                Entered::Seen { branch: true } => {
                    // Made ahead as new, its runs are here; made ahead as seen, it is where
                    // the run stopped, and the machine is there.
                    let spawn = match record.spawn {
                        Some(spawn) => spawn,
                        None => Spawn::at(&trajectory.machine, record.fingerprint, &self.config.faults),
                    };
                    self.next.extend(spawn);
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
    let mut first = Some((start.fingerprint(), Box::new(start)));
    let mut layer = Layer {
        config,
        branch: false,
        watch,
        visited: FingerprintSet::default(),
        result: SearchResult::default(),
        next: Vec::new(),
    };
    for index in 0..=config.max_faults {
        let before = layer.result.states;
        layer.branch = index < config.max_faults;
        // This layer's runs, in order: the run with no fault, or the runs the last layer's
        // fault points spawn, each made when its turn comes.
        let spawns = std::mem::take(&mut layer.next);
        let shard = config.shard;
        let mut seeds = first
            .take()
            .into_iter()
            .chain(spawns.into_iter().flat_map(Spawn::into_runs))
            .enumerate()
            .filter(|(number, _)| index != 1 || number % shard.count == shard.index)
            .map(|(_, seed)| seed)
            .peekable();
        match pool {
            None => {
                for (seed, machine) in seeds {
                    if watch.stopped() {
                        layer.result.interrupted = true;
                        break;
                    }
                    layer.run(seed, machine);
                }
            }
            Some(pool) => {
                while seeds.peek().is_some() {
                    if watch.stopped() {
                        layer.result.interrupted = true;
                        break;
                    }
                    let mut blocks = Vec::new();
                    for _ in 0..config.jobs * BLOCKS_PER_JOB {
                        let block: Vec<(u64, Box<Machine>)> = seeds.by_ref().take(RUNS_PER_BLOCK).collect();
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
        if layer.result.interrupted || layer.next.is_empty() {
            break;
        }
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
