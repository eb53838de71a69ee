//! Time for the real backend: the wall clock on real nodes, or a simulated cluster's
//! virtual clock when the nodes are the simulator's command shims.

use std::time::{Duration, Instant};

/// Where `now` and `wait` come from.
pub trait Clock: Send + std::fmt::Debug {
    /// Time since the run began.
    fn now(&self) -> Duration;

    /// Lets `length` pass.
    fn sleep(&mut self, length: Duration);
}

/// The wall clock: `sleep` sleeps.
#[derive(Debug)]
pub struct SystemClock {
    started: Instant,
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock { started: Instant::now() }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    fn sleep(&mut self, length: Duration) {
        std::thread::sleep(length);
    }
}
