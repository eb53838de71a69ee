//! The virtual clock of a simulator session, for a run whose nodes are `sim-node`s: the
//! backend's waits advance the session's time instead of sleeping.

use std::io::Write as _;
use std::time::Duration;

/// The simulator's virtual clock, for a run whose nodes are `sim-node`s.
#[derive(Debug)]
pub struct SimClock {
    /// The session URL.
    pub session: String,
}

impl real_backend::clock::Clock for SimClock {
    fn now(&self) -> Duration {
        let now = sim_server::client::get(&format!("{}/now", self.session));
        Duration::from_millis(now.ok().and_then(|v| v["now_ms"].as_u64()).unwrap_or(0))
    }

    fn sleep(&mut self, length: Duration) {
        let body = serde_json::json!({ "ms": length.as_millis() as u64 });
        if let Err(error) = sim_server::client::post(&format!("{}/wait", self.session), &body) {
            let _ = writeln!(std::io::stderr(), "warning: {error}");
        }
    }
}
