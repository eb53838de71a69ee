//! The cluster's fingerprint ([`Sim::fingerprint`]), and a time origin for it: where the
//! operator's recovery begins, the cluster's future no longer depends on when, on the
//! clock, the run before it ended, nor on how many times a node crashed before. [`Sim::rebase`] makes that so, and [`Sim::fingerprint`] then
//! feeds the cluster's state as seen from the origin, so that two runs that leave the
//! cluster in the same state start (and run) the same recovery, explored once.
//!
//! What the rebase changes is only what the simulator chooses freely, never a mechanism:
//! - the random stream (the small jitter on durations) is drawn afresh from the seed;
//! - monitors poll on a grid whose phase is counted from the origin. When, on the monitors'
//!   polling grid, an operator starts `recover` is anybody's guess; the simulator takes
//!   this one.
//!
//! The rebase also numbers the generations afresh: every counter becomes 1, a pending timer
//! of the current generation 1 and a stale one 0. Timers only ever compare their generation
//! with the counter for equality, so nothing behaves otherwise, and how many times a node
//! crashed or a group was cancelled before no longer shows. From then on the fingerprint
//! takes times (the clock, timers, an installer's start) as offsets from the origin.

use super::{Duration, InstallerRun, Observation, Shared, Sim, Timer};
use crate::rng::Rng;

/// Which generation counter a timer's generation is compared with.
enum Counter {
    Node(usize),
    Group(usize),
    Installer(usize),
}

impl Timer {
    /// The timer's generation and the counter it is compared with; none for the polls.
    fn generation_mut(&mut self) -> Option<(Counter, &mut u32)> {
        match self {
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
            | Timer::PeerLost { node, generation } => Some((Counter::Node(node.index()), generation)),
            Timer::GroupStopped { group, generation, .. } | Timer::GroupStarted { group, generation, .. } => {
                Some((Counter::Group(group.index()), generation))
            }
            Timer::Installer { node, generation, .. } => Some((Counter::Installer(node.index()), generation)),
            Timer::MonitorPoll { .. } | Timer::WatchPoll { .. } => None,
        }
    }
}

impl Sim {
    /// Feeds what decides the cluster's future into `state`: everything but the trace (what
    /// happened) and the timers' sequence numbers (only their order matters). Once rebased,
    /// times are offsets from the origin.
    pub fn fingerprint<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash as _;
        let Observation { at: _, nodes, groups, resources, mirror_unzipped } = &self.obs;
        (nodes, groups, resources, mirror_unzipped).hash(state);
        self.images.hash(state);
        self.provenance.hash(state);
        self.exports.hash(state);
        self.escalation.hash(state);
        self.false_alarm.hash(state);
        self.monitor_poll_pending.hash(state);
        self.watch_poll_pending.hash(state);
        self.group_busy.hash(state);
        self.armed.hash(state);
        self.prompts.hash(state);
        self.rng.hash(state);
        self.installer_generation.hash(state);
        self.node_generation.hash(state);
        self.group_generation.hash(state);
        let origin = self.origin.unwrap_or_default();
        // Before the origin (an installer started before the recovery): how long before.
        let seen = |at: Duration| at.checked_sub(origin).ok_or(origin.saturating_sub(at));
        seen(self.now).hash(state);
        for run in self.installers.iter() {
            run.as_ref()
                .map(|run| {
                    let InstallerRun { answer, stopped, files_only, fail, hang, started_at, length, module } = run;
                    (answer, stopped, files_only, fail, hang, seen(*started_at), length, module)
                })
                .hash(state);
        }
        for entry in &self.queue {
            (seen(entry.at), &entry.timer).hash(state);
        }
    }

    /// Where the last recovery began ([`Sim::rebase`]), if one did.
    pub fn origin(&self) -> Option<Duration> {
        self.origin
    }

    /// Makes now the origin: a fresh random stream for `round`, the monitors' polling grid
    /// counted from now, the generations numbered afresh, and the fingerprint taken from here
    /// on as seen from now.
    pub fn rebase(&mut self, round: u8) {
        self.rng = Rng::new(self.seed ^ 0x7265_636f_7665_7279 ^ u64::from(round));
        self.origin = Some(self.now);
        for entry in &mut self.queue {
            if let Some((counter, generation)) = entry.timer.generation_mut() {
                let current = match counter {
                    Counter::Node(n) => self.node_generation[n],
                    Counter::Group(g) => self.group_generation[g],
                    Counter::Installer(n) => self.installer_generation[n],
                };
                *generation = u32::from(*generation == current);
            }
        }
        for counters in [&mut self.node_generation, &mut self.group_generation, &mut self.installer_generation] {
            *counters = Shared::new(vec![1; counters.len()]);
        }
    }
}
