//! The HTTP server: simulated-cluster sessions on 127.0.0.1.
//!
//! `POST /sessions {"seed": N}` makes a session (a fresh simulated cluster) and returns its
//! id; `POST /sessions/{id}/exec {"node", "argv"}` runs a command on a node;
//! `POST /sessions/{id}/wait {"ms"}` lets virtual time pass; `GET /sessions/{id}/now` and
//! `GET /sessions/{id}/state` read the clock and the final-state summary.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use procedure::backend::Backend as _;
use procedure::setup::Setup;
use serde::Deserialize;
use serde_json::{Value, json};
use sim_cluster::sim::{Builder, Sim};

use crate::exec::{Reply, exec};

#[derive(Clone)]
struct Shared {
    setup: Arc<Setup>,
    sessions: Arc<Mutex<Vec<Sim>>>,
}

/// A running server; stopped when dropped.
#[derive(Debug)]
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _serving: Serving,
}

/// An axum app served on a thread of its own, with a runtime of its own: the callers
/// (tests, `sim-node`, the CLI) are synchronous. Dropping it shuts the server down
/// gracefully and waits for the thread.
#[derive(Debug)]
pub struct Serving {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Serving {
    /// Serves `app` on `listener`, bound by the caller.
    pub fn start(listener: std::net::TcpListener, app: Router) -> std::io::Result<Serving> {
        listener.set_nonblocking(true)?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        // Timers too: the trainer's instructor page waits for changes with a time limit.
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_io().enable_time().build()?;
        // Converted inside the runtime, so that an error is the caller's, not a silent
        // end of the thread.
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Ok(Serving { shutdown: Some(shutdown), thread: Some(thread) })
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a server for the cluster and module of `setup` on a free loopback port.
pub fn start(setup: Arc<Setup>) -> std::io::Result<Server> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let shared = Shared { setup, sessions: Arc::new(Mutex::new(Vec::new())) };
    let app = Router::new()
        .route("/sessions", post(create))
        .route("/sessions/{id}/exec", post(run))
        .route("/sessions/{id}/wait", post(wait))
        .route("/sessions/{id}/now", get(now))
        .route("/sessions/{id}/state", get(state))
        .with_state(shared);
    Ok(Server { url, _serving: Serving::start(listener, app)? })
}

#[derive(Deserialize)]
struct Create {
    seed: u64,
}

async fn create(State(shared): State<Shared>, Json(body): Json<Create>) -> Json<Value> {
    let sim = Builder::new(Arc::clone(&shared.setup)).seed(body.seed).build();
    let mut sessions = shared.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    sessions.push(sim);
    Json(json!({ "id": sessions.len() - 1 }))
}

#[derive(Deserialize)]
struct Exec {
    node: String,
    argv: Vec<String>,
}

type Answer<T> = Result<Json<T>, (StatusCode, String)>;

fn with_session<T>(shared: &Shared, id: usize, f: impl FnOnce(&mut Sim) -> Result<T, String>) -> Answer<T> {
    let mut sessions = shared.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let sim = sessions.get_mut(id).ok_or((StatusCode::NOT_FOUND, format!("no session {id}")))?;
    f(sim).map(Json).map_err(|message| (StatusCode::BAD_REQUEST, message))
}

async fn run(State(shared): State<Shared>, Path(id): Path<usize>, Json(body): Json<Exec>) -> Answer<Reply> {
    with_session(&shared, id, |sim| {
        let node = sim.setup().cluster.node_by_name(&body.node).ok_or(format!("no node {}", body.node))?;
        Ok(exec(sim, node, &body.argv))
    })
}

#[derive(Deserialize)]
struct Wait {
    ms: u64,
}

async fn wait(State(shared): State<Shared>, Path(id): Path<usize>, Json(body): Json<Wait>) -> Answer<Value> {
    with_session(&shared, id, |sim| {
        sim.wait(Duration::from_millis(body.ms));
        Ok(json!({ "now_ms": sim.now().as_millis() as u64 }))
    })
}

async fn now(State(shared): State<Shared>, Path(id): Path<usize>) -> Answer<Value> {
    with_session(&shared, id, |sim| Ok(json!({ "now_ms": sim.now().as_millis() as u64 })))
}

async fn state(State(shared): State<Shared>, Path(id): Path<usize>) -> Answer<Value> {
    with_session(&shared, id, |sim| Ok(json!({ "state": crate::render::final_state(sim.setup(), sim.observation()) })))
}
