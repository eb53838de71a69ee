//! Breadth-first search over fault schedules with deduplicated states, on every core, with
//! the same result for any number of threads.
//!
//! States are explored in order of (faults so far, transitions so far). Layer k holds the
//! runs that have had k faults; within a layer, every run advances one transition per level,
//! in lockstep. A level is expanded in parallel (each run makes its transition, is
//! fingerprinted, and at a fault point spawns one run of layer k+1 per fault), then merged
//! in a fixed order: a state already seen ends its run (its future was explored from where it
//! was first seen), a new one goes on. The merge order never depends on the threads, so
//! neither does anything the search reports.
//!
//! The first counterexample of an invariant therefore has the fewest faults, and among those
//! the earliest violation. `--shard i/n` keeps the runs of layer 1 whose index is i modulo n
//! (layer 0, the run with no fault, is explored by every shard), so a CI matrix can split
//! the search; `check --merge` combines the verdicts.

use std::collections::BTreeMap;
use std::sync::Arc;

use procedure::engine::{Ending, EngineConfig, GuardRefusal};
use procedure::event::Fault;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use rayon::prelude::*;

use super::fingerprint::FingerprintSet;
use super::{Machine, TimedFault, Transition};
use crate::watch::Watch;

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

/// What a search found and how much it did.
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    /// Distinct states visited.
    pub states: u64,
    /// Transitions made (including those into states seen before).
    pub transitions: u64,
    /// The most transitions in one run.
    pub depth: u32,
    /// Fault schedules explored (runs started from a fault, plus the run with none).
    pub schedules: u64,
    /// Runs that reached their end (the others joined a state seen before).
    pub ends: u64,
    /// Of those: completed with every invariant holding.
    pub completed: u64,
    /// Stopped with no invariant broken.
    pub stopped_safely: u64,
    /// Broke an invariant.
    pub violated: u64,
    /// Per layer (number of faults): the states first reached there.
    pub states_per_layer: Vec<u64>,
    /// The shortest counterexample of each invariant broken.
    pub counterexamples: BTreeMap<Invariant, Found>,
    /// The shortest run in which a guard refused what would break each invariant.
    pub prevented: BTreeMap<Invariant, Prevented>,
    /// The search was interrupted before it finished.
    pub interrupted: bool,
    /// Bytes of the set of fingerprints.
    pub fingerprint_bytes: usize,
}

impl SearchResult {
    fn offer(&mut self, violation: &Violation, faults: &[TimedFault]) {
        let better = match self.counterexamples.get(&violation.invariant) {
            None => true,
            Some(known) => (faults.len(), violation.at) < (known.faults.len(), known.violation.at),
        };
        if better {
            let found = Found { violation: violation.clone(), faults: faults.to_vec() };
            self.counterexamples.insert(violation.invariant, found);
        }
    }
}

/// The fewest runs in a level for it to be expanded on several threads.
const PARALLEL_LEVEL: usize = 64;

/// One run after its transition of this level.
struct Advanced {
    /// Boxed, like every run the search holds: a machine is about 1.5 KB, and a level moves
    /// each run several times (frontier, transition, next frontier).
    machine: Box<Machine>,
    finished: bool,
    fingerprint: u64,
    /// Violations found by this transition.
    violations: Vec<Violation>,
    /// Runs of the next layer, with their fingerprints.
    children: Vec<(u64, Box<Machine>)>,
}

/// Makes one run's transition of this level. `seen` holds the states of earlier levels (the
/// merge adds this level's): a run that reaches one of them spawns nothing.
fn advance(mut machine: Box<Machine>, branch: bool, faults: &[Fault], seen: &FingerprintSet) -> Advanced {
    let judged = machine.violations().len();
    let transition = machine.step();
    let violations = machine.violations()[judged.min(machine.violations().len())..].to_vec();
    let finished = transition == Transition::Finished;
    let fingerprint = if finished { 0 } else { machine.fingerprint() };
    let mut children = Vec::new();
    if branch && transition.is_fault_point() && !seen.contains(fingerprint) {
        for &fault in faults.iter().filter(|&&f| machine.sim().fault_changes_state(f)) {
            let mut child = Box::new((*machine).clone());
            child.inject(fault);
            let child_fingerprint = child.fingerprint();
            // A fault that changes nothing leads back to this very state.
            if child_fingerprint != fingerprint {
                children.push((child_fingerprint, child));
            }
        }
    }
    Advanced { machine, finished, fingerprint, violations, children }
}

/// Searches every schedule of up to `config.max_faults` faults. `watch` is asked between
/// levels whether to stop (the search then ends early with what it found: `interrupted`),
/// and counts the runs that reach their end, for progress.
pub fn search(setup: &Arc<Setup>, config: &SearchConfig, watch: &Watch) -> SearchResult {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.jobs.max(1)).build();
    match pool {
        Ok(pool) => pool.install(|| search_on_this_pool(setup, config, watch)),
        // No threads to be had: the same search on this thread.
        Err(_) => search_on_this_pool(setup, &SearchConfig { jobs: 1, ..config.clone() }, watch),
    }
}

fn search_on_this_pool(setup: &Arc<Setup>, config: &SearchConfig, watch: &Watch) -> SearchResult {
    let mut result = SearchResult::default();
    let mut visited = FingerprintSet::default();
    let start = Machine::new(setup, config.seed, &config.engine, false);
    let mut seeds: Vec<(u64, Box<Machine>)> = vec![(start.fingerprint(), Box::new(start))];
    for layer in 0..=config.max_faults {
        let before = result.states;
        let branch = layer < config.max_faults;
        // This layer's runs start from states not seen with fewer faults, each state once.
        let mut frontier = Vec::new();
        for (index, (fingerprint, machine)) in seeds.into_iter().enumerate() {
            if layer == 1 && index % config.shard.count != config.shard.index {
                continue;
            }
            if visited.insert(fingerprint) {
                result.states += 1;
                result.schedules += 1;
                frontier.push(machine);
            }
        }
        let mut next_seeds = Vec::new();
        while !frontier.is_empty() {
            if watch.stopped() {
                result.interrupted = true;
                break;
            }
            let seen = &visited;
            // Small levels are not worth handing to other threads.
            let advanced: Vec<Advanced> = if config.jobs > 1 && frontier.len() >= PARALLEL_LEVEL {
                frontier.into_par_iter().with_min_len(16).map(|m| advance(m, branch, &config.faults, seen)).collect()
            } else {
                frontier.into_iter().map(|m| advance(m, branch, &config.faults, seen)).collect()
            };
            frontier = Vec::with_capacity(advanced.len());
            for step in advanced {
                result.transitions += 1;
                result.depth = result.depth.max(step.machine.transitions());
                for violation in &step.violations {
                    result.offer(violation, step.machine.faults());
                }
                if step.finished {
                    end(&step.machine, &mut result);
                    watch.ran(result.counterexamples.len());
                    continue;
                }
                if !visited.insert(step.fingerprint) {
                    continue;
                }
                result.states += 1;
                next_seeds.extend(step.children);
                frontier.push(step.machine);
            }
        }
        result.states_per_layer.push(result.states - before);
        if result.interrupted || next_seeds.is_empty() {
            break;
        }
        seeds = next_seeds;
    }
    result.fingerprint_bytes = visited.heap_bytes();
    result
}

fn end(machine: &Machine, result: &mut SearchResult) {
    result.ends += 1;
    let broke = !machine.violations().is_empty();
    match machine.engine().ending() {
        _ if broke => result.violated += 1,
        Some(Ending::Completed) => result.completed += 1,
        _ => result.stopped_safely += 1,
    }
    if let Some(Ending::Refused(refusal)) = machine.engine().ending() {
        let shorter = match result.prevented.get(&refusal.invariant) {
            None => true,
            Some(known) => machine.faults().len() < known.faults.len(),
        };
        if shorter {
            let prevented = Prevented { refusal: refusal.clone(), faults: machine.faults().to_vec() };
            result.prevented.insert(refusal.invariant, prevented);
        }
    }
}
