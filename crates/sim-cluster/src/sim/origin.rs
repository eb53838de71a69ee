//! A time origin for the simulator: where the operator's recovery begins, the cluster's
//! future no longer depends on when, on the clock, the run before it ended, nor on how many
//! times a node crashed before. [`Sim::rebase`] makes that so, and [`Sim::fingerprint`] then
//! feeds the cluster's state as seen from the origin, so that two runs that leave the
//! cluster in the same state start (and run) the same recovery, explored once.
//!
//! What the rebase changes is only what the simulator chooses freely, never a mechanism:
//! - the random stream (the small jitter on durations) is drawn afresh from the seed;
//! - monitors poll on a grid whose phase is counted from the origin. When, on the monitors'
//!   polling grid, an operator starts `recover` is anybody's guess; the simulator takes
//!   this one.
//!
//! Seen from the origin:
//! - times (the clock, timers, an installer's start) are offsets from it;
//! - a timer's generation is its age against the generation at the origin (a timer from
//!   before it that was already stale stays stale, whatever its number);
//! - the generation counters are counted from their value at the origin.

use std::hash::Hash as _;

use super::{Duration, Origin, Sim, Timer};
use crate::rng::Rng;

/// A generation before the origin that was stale there: stale for ever.
const STALE_BEFORE: u32 = u32::MAX;

fn age(generation: u32, base: u32) -> u32 {
    generation.checked_sub(base).unwrap_or(STALE_BEFORE)
}

impl Sim {
    /// Makes now the origin: a fresh random stream for `round`, the monitors' polling grid
    /// counted from now, and the fingerprint taken from here on as seen from now.
    pub fn rebase(&mut self, round: u8) {
        self.rng = Rng::new(self.seed ^ 0x7265_636f_7665_7279 ^ u64::from(round));
        self.grid_origin = self.now;
        self.origin = Some(Box::new(Origin {
            at: self.now,
            installers: self.installer_generation.iter().copied().collect(),
            nodes: self.node_generation.iter().copied().collect(),
            groups: self.group_generation.iter().copied().collect(),
        }));
    }

    /// The time `at`, seen from the origin (before it: how long before).
    fn since_origin(origin: &Origin, at: Duration) -> (bool, Duration) {
        match at.checked_sub(origin.at) {
            Some(after) => (true, after),
            None => (false, origin.at - at),
        }
    }

    /// A timer with its generation seen from the origin.
    fn timer_from_origin<H: std::hash::Hasher>(origin: &Origin, timer: &Timer, state: &mut H) {
        let mut timer = timer.clone();
        match &mut timer {
            Timer::ClusterSuspended { node, generation }
            | Timer::ClusterResumed { node, generation }
            | Timer::ServiceStopped { node, generation, .. }
            | Timer::ServiceStarted { node, generation, .. }
            | Timer::ResourceStopped { node, generation, .. }
            | Timer::ResourceStarted { node, generation, .. }
            | Timer::Unzipped { node, generation, .. }
            | Timer::BackedUp { node, generation, .. }
            | Timer::Imported { node, generation, .. }
            | Timer::Booted { node, generation }
            | Timer::PeerLost { node, generation } => *generation = age(*generation, origin.nodes[node.index()]),
            Timer::GroupStopped { group, generation, .. } | Timer::GroupStarted { group, generation, .. } => {
                *generation = age(*generation, origin.groups[group.index()]);
            }
            Timer::Installer { node, generation, .. } => {
                *generation = age(*generation, origin.installers[node.index()]);
            }
            Timer::MonitorPoll { .. } | Timer::WatchPoll { .. } => {}
        }
        timer.hash(state);
    }

    /// The parts of the fingerprint that hold times or generations, as seen from the origin.
    pub(super) fn fingerprint_from_origin<H: std::hash::Hasher>(&self, origin: &Origin, state: &mut H) {
        Sim::since_origin(origin, self.now).hash(state);
        for (node, &generation) in self.installer_generation.iter().enumerate() {
            age(generation, origin.installers[node]).hash(state);
        }
        for (node, &generation) in self.node_generation.iter().enumerate() {
            age(generation, origin.nodes[node]).hash(state);
        }
        for (group, &generation) in self.group_generation.iter().enumerate() {
            age(generation, origin.groups[group]).hash(state);
        }
        for run in self.installers.iter() {
            match run {
                Some(run) => {
                    let mut seen = run.clone();
                    seen.started_at = Duration::ZERO;
                    (true, seen, Sim::since_origin(origin, run.started_at)).hash(state);
                }
                None => false.hash(state),
            }
        }
        for entry in &self.queue {
            Sim::since_origin(origin, entry.at).hash(state);
            Sim::timer_from_origin(origin, &entry.timer, state);
        }
    }
}
