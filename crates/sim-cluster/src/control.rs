//! What a long exploration shares with whoever started it: a request to stop (and why), and
//! how far it got (runs done, invariants broken so far, whether a stop cut it short). Plain
//! atomics: the explorer polls them between runs and never calls the OS; the command line
//! asks for a stop from a signal handler or its memory limit, and reads the counts to draw
//! its progress.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

/// A stop flag and progress counters, shared between an explorer and its caller.
#[derive(Debug, Default)]
pub struct Control {
    /// Why a stop was asked: 0 not asked, else a [`Stop`] (the first asked wins).
    stop: AtomicU8,
    /// A phase of the exploration saw the stop and left work undone.
    cut: AtomicBool,
    runs: AtomicU64,
    found: AtomicU64,
}

/// Why an exploration was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A person: SIGINT or SIGTERM.
    Signal = 1,
    /// The process outgrew its memory limit.
    MemoryLimit = 2,
}

impl Control {
    /// Asks the exploration to stop after the run in progress, for a reason; a stop asked
    /// already keeps its reason.
    pub fn stop_for(&self, reason: Stop) {
        let _ = self.stop.compare_exchange(0, reason as u8, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Asks the exploration to stop after the run in progress (a signal).
    pub fn stop(&self) {
        self.stop_for(Stop::Signal);
    }

    /// Why a stop was asked, if one was.
    pub fn stop_asked(&self) -> Option<Stop> {
        match self.stop.load(Ordering::SeqCst) {
            0 => None,
            1 => Some(Stop::Signal),
            _ => Some(Stop::MemoryLimit),
        }
    }

    /// Whether to stop now. For the exploration's phases only: one that asks this before a
    /// piece of work and gets true leaves that work undone, which [`Control::cut_short`] then
    /// says.
    pub fn stopped(&self) -> bool {
        let stop = self.stop.load(Ordering::Relaxed) != 0;
        if stop {
            self.cut.store(true, Ordering::SeqCst);
        }
        stop
    }

    /// Whether a stop left some of the exploration undone (a stop asked after its last piece
    /// of work cut nothing).
    pub fn cut_short(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }

    /// Runs of the simulator finished so far, over every phase.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// The most invariants one phase has found broken so far.
    pub fn found(&self) -> u64 {
        self.found.load(Ordering::Relaxed)
    }

    /// Counts a finished run of a phase that has found `found` broken invariants.
    pub(crate) fn ran(&self, found: usize) {
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.found.fetch_max(found as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_cuts_short_only_the_work_that_sees_it() {
        let watch = Control::default();
        watch.ran(0);
        watch.stop();
        assert_eq!(watch.stop_asked(), Some(Stop::Signal));
        assert!(!watch.cut_short(), "nothing has seen the stop yet");
        watch.ran(2);
        assert!(watch.stopped());
        assert!(watch.cut_short());
        assert_eq!((watch.runs(), watch.found()), (2, 2));
    }

    #[test]
    fn the_first_reason_to_stop_is_kept() {
        let watch = Control::default();
        assert_eq!(watch.stop_asked(), None);
        watch.stop_for(Stop::MemoryLimit);
        watch.stop();
        assert_eq!(watch.stop_asked(), Some(Stop::MemoryLimit));
    }
}
