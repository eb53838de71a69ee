//! The simulated clusters the REST API serves: a default session, and more made and ended
//! through the management API, each a `Sim` with its own virtual clock.
//!
//! Virtual time passes two ways: an explicit `advance` (tests), and, when the speed factor
//! is not 0, with the wall clock: before each request a session catches up by the wall time
//! since its last request times the speed. Catching up lazily needs no background task, and
//! with speed 0 a session's time moves only when asked, so tests stay deterministic.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use procedure::backend::Backend as _;
use procedure::setup::Setup;
use sim_cluster::sim::{Builder, Sim};

use super::envelope::ApiError;

/// The id of the session reachable at `/api/v1/...` directly.
pub const DEFAULT_SESSION: &str = "default";

/// The most sessions a server holds at once (each is a whole simulated cluster).
pub const MAX_SESSIONS: usize = 256;

/// The longest single catch-up or `advance`: a day of virtual time.
pub const MAX_ADVANCE: Duration = Duration::from_secs(24 * 60 * 60);

/// One simulated cluster and its clock.
#[derive(Debug)]
pub struct Session {
    /// The cluster.
    pub sim: Sim,
    /// The seed it was built with.
    pub seed: u64,
    /// Virtual seconds per wall second; 0 = only explicit advances.
    speed: f64,
    /// When it last caught up with the wall clock.
    anchor: Instant,
}

impl Session {
    /// Lets the virtual time that passed since the last request at `speed` pass.
    pub fn catch_up(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.anchor);
        self.anchor = now;
        if self.speed > 0.0 {
            let length = Duration::try_from_secs_f64(elapsed.as_secs_f64() * self.speed).unwrap_or(MAX_ADVANCE);
            self.sim.advance(length.min(MAX_ADVANCE));
        }
    }

    /// Virtual time since the session began.
    pub fn now(&self) -> Duration {
        self.sim.now()
    }

    /// The speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }
}

/// Every session of a server.
#[derive(Debug)]
pub struct Sessions {
    setup: Arc<Setup>,
    speed: f64,
    next: u64,
    sessions: BTreeMap<String, Session>,
}

impl Sessions {
    /// The sessions of a server, with the default one built from `seed`. `speed` must be
    /// finite and not negative (checked by [`super::Config::new`]).
    pub fn new(setup: Arc<Setup>, seed: u64, speed: f64) -> Sessions {
        let mut sessions = Sessions { setup, speed, next: 1, sessions: BTreeMap::new() };
        let session = sessions.build(seed);
        sessions.sessions.insert(DEFAULT_SESSION.to_owned(), session);
        sessions
    }

    fn build(&self, seed: u64) -> Session {
        let sim = Builder::new(Arc::clone(&self.setup)).seed(seed).build();
        Session { sim, seed, speed: self.speed, anchor: Instant::now() }
    }

    /// Makes a session and returns its id.
    pub fn create(&mut self, seed: u64) -> Result<String, ApiError> {
        if self.sessions.len() >= MAX_SESSIONS {
            return Err(ApiError::TooManySessions(MAX_SESSIONS));
        }
        let id = self.next.to_string();
        self.next += 1;
        let session = self.build(seed);
        self.sessions.insert(id.clone(), session);
        Ok(id)
    }

    /// Ends a session.
    pub fn end(&mut self, id: &str) -> Result<(), ApiError> {
        if id == DEFAULT_SESSION {
            return Err(ApiError::DefaultSession);
        }
        self.sessions.remove(id).map(drop).ok_or_else(|| unknown(id))
    }

    /// The ids, in order.
    pub fn list(&self) -> impl Iterator<Item = (&str, &Session)> {
        self.sessions.iter().map(|(id, session)| (id.as_str(), session))
    }

    /// A session, caught up with the wall clock.
    pub fn get(&mut self, id: &str) -> Result<&mut Session, ApiError> {
        let session = self.sessions.get_mut(id).ok_or_else(|| unknown(id))?;
        session.catch_up(Instant::now());
        Ok(session)
    }
}

fn unknown(id: &str) -> ApiError {
    ApiError::UnknownName { kind: "session", name: id.to_owned() }
}
