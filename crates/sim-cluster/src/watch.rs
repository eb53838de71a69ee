//! What a long exploration shares with whoever started it: a request to stop, and how far it
//! got (runs done, invariants broken so far). Plain atomics: the explorer polls them between
//! runs and never calls the OS; the command line sets the stop flag from a signal handler
//! and reads the counts to draw its progress.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A stop flag and progress counters, shared between an explorer and its caller.
#[derive(Debug, Default)]
pub struct Watch {
    stop: AtomicBool,
    /// The stop was asked because the process outgrew its memory limit.
    memory: AtomicBool,
    runs: AtomicU64,
    found: AtomicU64,
}

impl Watch {
    /// Asks the exploration to stop after the run in progress.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Asks the exploration to stop after the run in progress because the process holds more
    /// memory than it may.
    pub fn stop_at_memory_limit(&self) {
        self.memory.store(true, Ordering::SeqCst);
        self.stop();
    }

    /// Whether the stop was asked by [`Watch::stop_at_memory_limit`].
    pub fn stopped_at_memory_limit(&self) -> bool {
        self.memory.load(Ordering::SeqCst)
    }

    /// Whether a stop was asked for.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Runs of the simulator finished so far, over every phase.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// The most invariants one phase has found broken so far.
    pub fn found(&self) -> u64 {
        self.found.load(Ordering::Relaxed)
    }

    /// Counts a finished run of a phase that has found `found` broken invariants; returns
    /// whether to go on.
    pub(crate) fn ran(&self, found: usize) -> bool {
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.found.fetch_max(found as u64, Ordering::Relaxed);
        !self.stopped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_after_the_run_in_progress() {
        let watch = Watch::default();
        assert!(watch.ran(0));
        watch.stop();
        assert!(!watch.ran(2));
        assert_eq!((watch.runs(), watch.found(), watch.stopped()), (2, 2, true));
        assert!(!watch.stopped_at_memory_limit());
        let limited = Watch::default();
        limited.stop_at_memory_limit();
        assert!(limited.stopped() && limited.stopped_at_memory_limit());
    }
}
