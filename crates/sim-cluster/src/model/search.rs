//! Breadth-first search over fault schedules with deduplicated states.
//!
//! Layer k holds the states right after a k-th fault. From each, the run goes on
//! deterministically, one transition at a time; every state is fingerprinted, and a run that
//! reaches a state seen before stops there (the rest was explored from that state). At every
//! fault point of a run in layer k < N, each fault that changes the state starts a run of
//! layer k+1. Layers are explored in order, so the first counterexample of an invariant has
//! the fewest faults, and among those the earliest violation.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use procedure::engine::{Ending, EngineConfig, GuardRefusal};
use procedure::event::Fault;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;

use super::fingerprint::FingerprintSet;
use super::{Machine, TimedFault, Transition};

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

/// Searches every schedule of up to `config.max_faults` faults. `stop` is polled between
/// runs: when it is set, the search ends early with what it found (`interrupted`).
pub fn search(setup: &Arc<Setup>, config: &SearchConfig, stop: &AtomicBool) -> SearchResult {
    let mut result = SearchResult::default();
    let mut visited = FingerprintSet::default();
    let start = Machine::new(setup, config.seed, &config.engine, false);
    visited.insert(start.fingerprint());
    let mut layer = vec![start];
    for faults_so_far in 0..=config.max_faults {
        let before = result.states;
        let branch = faults_so_far < config.max_faults;
        let mut next_layer = Vec::new();
        for seed in layer {
            if stop.load(Ordering::Relaxed) {
                result.interrupted = true;
                break;
            }
            result.schedules += 1;
            follow(seed, branch, &config.faults, &mut visited, &mut result, &mut next_layer);
        }
        result.states_per_layer.push(result.states - before);
        if result.interrupted || next_layer.is_empty() {
            break;
        }
        layer = next_layer;
    }
    result.fingerprint_bytes = visited.heap_bytes();
    result
}

/// Follows one run from `machine` until it ends or joins a state seen before, offering
/// violations and starting a run of the next layer at each fault point.
fn follow(
    mut machine: Machine,
    branch: bool,
    faults: &[Fault],
    visited: &mut FingerprintSet,
    result: &mut SearchResult,
    next_layer: &mut Vec<Machine>,
) {
    let mut judged = 0;
    offer_new(&machine, &mut judged, result);
    loop {
        let transition = machine.step();
        result.transitions += 1;
        result.depth = result.depth.max(machine.transitions());
        offer_new(&machine, &mut judged, result);
        if transition == Transition::Finished {
            result.ends += 1;
            let broke = !machine.violations().is_empty();
            match machine.engine().ending() {
                _ if broke => result.violated += 1,
                Some(Ending::Completed) => result.completed += 1,
                _ => result.stopped_safely += 1,
            }
            if let Some(Ending::Refused(refusal)) = machine.engine().ending()
                && !result.prevented.contains_key(&refusal.invariant)
            {
                let prevented = Prevented { refusal: refusal.clone(), faults: machine.faults().to_vec() };
                result.prevented.insert(refusal.invariant, prevented);
            }
            return;
        }
        if !visited.insert(machine.fingerprint()) {
            return;
        }
        result.states += 1;
        if branch && transition == Transition::FaultPoint {
            for &fault in faults {
                let mut child = machine.clone();
                child.inject(fault);
                // A fault that changes nothing leads to a state seen already: dropped here.
                if visited.insert(child.fingerprint()) {
                    result.states += 1;
                    next_layer.push(child);
                }
            }
        }
    }
}

fn offer_new(machine: &Machine, judged: &mut usize, result: &mut SearchResult) {
    let violations = machine.violations();
    for violation in &violations[(*judged).min(violations.len())..] {
        result.offer(violation, machine.faults());
    }
    *judged = violations.len();
}
