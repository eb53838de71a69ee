//! The EXPRESSCLUSTER X RESTful API (4.2 and later: `/api/v1/...`, Basic auth, the
//! `result` envelope) served from simulated clusters, so that tools written against the real
//! API can rehearse on the simulator and a REST client can be tested end to end.
//!
//! The default session answers at `/api/v1/...`; others, made through the management API
//! (`/sim/v1/sessions`), at `/sessions/{id}/api/v1/...`. Requests are routed here by hand
//! rather than by axum's router, so that every answer, a wrong method or an unknown path
//! included, carries the envelope. Endpoints the simulator cannot give a meaning to
//! (`toratio`, `dummy-failure`, `scripts/run`, shutdowns, whole-group start and stop)
//! answer `501` with a non-zero `result.code` that says so.
//!
//! The same sessions answer the command shims at `/sessions/{id}/exec` and beside it
//! ([`shim`]), so the cluster side of a run can go through the API and its Windows side
//! through the shims, on one simulated cluster.

pub mod call;
pub mod envelope;
pub mod manage;
pub mod operate;
pub mod session;
pub mod shim;
pub mod status;
pub mod users;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use procedure::setup::Setup;
use serde_json::json;

use crate::server::Serving;
pub use call::Call;
use envelope::ApiError;
use session::{DEFAULT_SESSION, Session, Sessions};
use users::Users;

/// The largest request body read; a larger one is refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The fastest real-time speed factor.
pub const MAX_SPEED: f64 = 10_000.0;

/// How a REST server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The cluster (and module) every session simulates.
    pub setup: Arc<Setup>,
    /// The default session's seed.
    pub seed: u64,
    /// Virtual seconds per wall second; 0 = time moves only by `advance`.
    pub speed: f64,
    /// Who may call the API.
    pub users: Users,
}

/// A configuration that cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The speed is negative, not a number, or above [`MAX_SPEED`].
    #[error("speed {0} is not between 0 and {MAX_SPEED}")]
    Speed(f64),
}

impl Config {
    /// Checks the configuration.
    pub fn check(&self) -> Result<(), ConfigError> {
        if !(0.0..=MAX_SPEED).contains(&self.speed) {
            return Err(ConfigError::Speed(self.speed));
        }
        Ok(())
    }
}

#[derive(Clone)]
struct Shared {
    sessions: Arc<Mutex<Sessions>>,
    users: Arc<Users>,
}

/// The API as an axum `Router` (what tests call with `oneshot`).
pub fn router(config: Config) -> Result<Router, ConfigError> {
    config.check()?;
    let shared = Shared {
        sessions: Arc::new(Mutex::new(Sessions::new(config.setup, config.seed, config.speed))),
        users: Arc::new(config.users),
    };
    Ok(Router::new().fallback(dispatch).with_state(shared))
}

/// A running REST server; stopped when dropped.
#[derive(Debug)]
pub struct RestServer {
    /// The address it listens on.
    pub address: std::net::SocketAddr,
    _serving: Serving,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The listener or the runtime.
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves the API on `listener` (bound by the caller, e.g. to `127.0.0.1:0`) from a thread
/// of its own.
pub fn start(config: Config, listener: std::net::TcpListener) -> Result<RestServer, StartError> {
    let app = router(config)?;
    let address = listener.local_addr()?;
    Ok(RestServer { address, _serving: Serving::start(listener, app)? })
}

/// Every request: authentication, the body with its limit, then the route.
async fn dispatch(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|value| value.as_bytes());
    if !shared.users.admits(authorization) {
        return ApiError::Unauthorized.into_response();
    }
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(_) => return ApiError::TooLarge(MAX_BODY_BYTES).into_response(),
    };
    let path = parts.uri.path();
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let request = Call { method: &parts.method, query: parts.uri.query(), body: &body };
    let mut sessions = shared.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let answer = match segments.as_slice() {
        ["api", "v1", rest @ ..] => sessions.get(DEFAULT_SESSION).and_then(|session| api(session, rest, &request)),
        ["sessions", id, "api", "v1", rest @ ..] => sessions.get(id).and_then(|session| api(session, rest, &request)),
        ["sessions", id, verb @ ("exec" | "wait" | "now" | "state")] => {
            sessions.get(id).and_then(|session| shim::answer(session, verb, &request))
        }
        ["sim", "v1", rest @ ..] => manage::manage(&mut sessions, rest, &request),
        _ => Err(ApiError::NoSuchPath(path.to_owned())),
    };
    answer.unwrap_or_else(IntoResponse::into_response)
}

const COLLECTIONS: [&str; 4] = ["servers", "groups", "resources", "monitors"];

/// `/api/v1/...` of one session.
fn api(session: &mut Session, rest: &[&str], call: &Call<'_>) -> Result<Response, ApiError> {
    let is_get = match rest {
        ["cluster"] | ["cluster", "toratio"] => true,
        [collection] | [collection, _] => COLLECTIONS.contains(collection),
        _ => false,
    };
    if is_get && call.method == Method::GET {
        return get(session, rest, call);
    }
    let is_post = matches!(
        rest,
        ["cluster", _]
            | ["cluster", "toratio", "set" | "reset"]
            | ["scripts", "run"]
            | ["groups", "start" | "stop"]
            | ["servers" | "groups" | "resources" | "monitors", _, _]
            | ["servers" | "monitors", _, "dummy-failure", "start" | "stop"]
    );
    if is_post && call.method == Method::POST {
        return post(session, rest, call);
    }
    if is_get {
        call.expect(&Method::GET)?;
    }
    if is_post {
        call.expect(&Method::POST)?;
    }
    Err(ApiError::NoSuchPath(format!("/api/v1/{}", rest.join("/"))))
}

fn get(session: &mut Session, rest: &[&str], call: &Call<'_>) -> Result<Response, ApiError> {
    let setup = Arc::clone(session.sim.setup());
    let observation = session.sim.observation();
    let name = rest.get(1).copied();
    let data = match rest[0] {
        "cluster" if rest.len() == 2 => return Err(ApiError::NotSimulated("cluster toratio".to_owned())),
        "cluster" => {
            status::select(call.query, false)?;
            status::cluster(&setup, observation)
        }
        "servers" => status::servers(&setup, observation, name, status::select(call.query, false)?)?,
        "groups" => status::groups(&setup, observation, name, status::select(call.query, true)?)?,
        "resources" => status::resources(&setup, observation, name, status::select(call.query, false)?)?,
        _ => status::monitors(&setup, observation, name, status::select(call.query, false)?)?,
    };
    Ok(envelope::ok(data))
}

fn post(session: &mut Session, rest: &[&str], call: &Call<'_>) -> Result<Response, ApiError> {
    // What is not simulated says so before its body is read: NEC's clients send bodies the
    // simulated operations do not take (`toratio/set` `ratio` and `time`, `scripts/run`
    // `script`, CLUSTERPRO/REST-API_App `clusterapi.ts`), which are not the client's error.
    let simulated = matches!(
        rest,
        ["cluster", _]
            | ["servers", _, "start" | "stop" | "reboot" | "shutdown"]
            | ["groups", _, "move" | "start" | "stop"]
            | ["resources", _, "start" | "stop"]
            | ["monitors", _, "suspend" | "resume"]
            | ["servers" | "groups" | "resources" | "monitors", _, _]
    );
    if !simulated {
        return Err(ApiError::NotSimulated(rest.join("/")));
    }
    let body = operate::target(call.body)?;
    let sim = &mut session.sim;
    match rest {
        ["cluster", verb] => operate::cluster(sim, verb)?,
        ["servers", name, verb @ ("start" | "stop" | "reboot" | "shutdown")] => operate::server(sim, name, verb)?,
        ["groups", name, "move"] => operate::move_group(sim, name, &body)?,
        ["groups", name, verb @ ("start" | "stop")] => {
            if sim.setup().cluster.group_by_name(name).is_none() {
                return Err(ApiError::UnknownName { kind: "group", name: (*name).to_owned() });
            }
            return Err(ApiError::NotSimulated(format!("group {verb}")));
        }
        ["resources", name, verb @ ("start" | "stop")] => operate::resource(sim, name, verb, &body)?,
        ["monitors", name, verb @ ("suspend" | "resume")] => operate::monitor(sim, name, *verb == "suspend", &body)?,
        ["servers" | "groups" | "resources" | "monitors", _, _] => {
            return Err(ApiError::NoSuchPath(format!("/api/v1/{}", rest.join("/"))));
        }
        _ => return Err(ApiError::NotSimulated(rest.join("/"))),
    }
    Ok(envelope::ok(json!({})))
}

/// `%XX` escapes of a path segment decoded; a bad escape stays as written.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
