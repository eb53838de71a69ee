//! The trainer's HTTP side: sessions, each with a simulator of its own, behind plain HTML
//! forms (every action is a POST answered with a redirect to the page) and a few JSON
//! documents (the debrief, the action log, the state) for tools, tests and replays.
//!
//! | route | |
//! |---|---|
//! | `GET /` | start page |
//! | `POST /sessions` | a new session; 303 to its page (201 with `{"id"}` for `Accept: application/json`) |
//! | `POST /sessions/replay` | a session rebuilt from an action log (JSON) |
//! | `GET /s/{id}` | the session's page |
//! | `POST /s/{id}/act` | an action: a form (`do=...`) answered 303, or JSON answered with its log entry |
//! | `GET /s/{id}/debrief`, `/debrief.json` | the debrief (`?download=1`: as a file to save) |
//! | `GET /favicon.svg`, `/favicon.ico` | the icon (an SVG, served by the binary) |
//! | `GET /s/{id}/actions.json` | the replayable action log |
//! | `GET /s/{id}/state.json` | virtual time, busy, ended, paused, recovering |
//! | `/instructor...` | with `--classroom` only: the instructor's page and API ([`super::classroom`]) |
//!
//! The language comes from `?lang=en|ja` (remembered in a cookie), else the cookie, else
//! `Accept-Language`. Idle sessions expire; their number is capped.

use procedure::backend::Backend as _;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::act::Act;
use super::classroom::{Class, Classroom, Seat};
use super::course::Course;
use super::debrief::Debrief;
use super::page;
use super::session::{ActionLog, Training};
use super::text::{Lang, T};

/// The largest request body read (an action log of [`super::session::MAX_ACTS`] fits).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// How the trainer is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// What every session rehearses.
    pub course: Arc<Course>,
    /// A session untouched this long is forgotten.
    pub idle: Duration,
    /// At most this many sessions at once.
    pub max_sessions: usize,
    /// A classroom: the instructor's pages behind this password (none without one).
    pub classroom: Option<Classroom>,
}

struct Slot {
    training: Training,
    touched: Instant,
    /// The classroom's part: the trainee's name, the instructor's row.
    seat: Seat,
}

#[derive(Clone)]
struct Shared {
    config: Arc<Config>,
    sessions: Arc<Mutex<HashMap<String, Arc<Mutex<Slot>>>>>,
    next: Arc<AtomicU64>,
    key: u64,
    /// Counts every change of any session: the instructor's page waits on it.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Class for Shared {
    fn classroom(&self) -> Option<&Classroom> {
        self.config.classroom.as_ref()
    }

    fn course(&self) -> &Course {
        &self.config.course
    }

    fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn changed(&self) {
        self.changes.send_modify(|count| *count += 1);
    }

    fn each(&self, f: &mut dyn FnMut(&str, &mut Training, &mut Seat)) {
        let slots: Vec<(String, Arc<Mutex<Slot>>)> =
            lock(&self.sessions).iter().map(|(id, slot)| (id.clone(), Arc::clone(slot))).collect();
        for (id, slot) in slots {
            let slot = &mut *lock(&slot);
            f(&id, &mut slot.training, &mut slot.seat);
        }
    }

    fn with(&self, id: &str, f: &mut dyn FnMut(&mut Training, &mut Seat)) -> bool {
        let Some(slot) = self.get(id) else { return false };
        let slot = &mut *lock(&slot);
        f(&mut slot.training, &mut slot.seat);
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The trainer as an axum `Router` (what tests call with `oneshot`).
pub fn router(config: Config) -> Router {
    let mut seed = [0u8; 8];
    // A session id need not be secret on loopback, only hard to hit by mistake; without
    // the operating system's generator the clock does.
    if getrandom::getrandom(&mut seed).is_err() {
        seed = (Instant::now().elapsed().as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15).to_le_bytes();
    }
    let shared = Shared {
        config: Arc::new(config),
        sessions: Arc::new(Mutex::new(HashMap::new())),
        next: Arc::new(AtomicU64::new(1)),
        key: u64::from_le_bytes(seed),
        changes: Arc::new(tokio::sync::watch::channel(0).0),
    };
    let classroom = shared.config.classroom.is_some();
    let router = Router::new()
        .route("/", get(landing))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/sessions", post(create))
        .route("/sessions/replay", post(replay))
        .route("/s/{id}", get(show))
        .route("/s/{id}/act", post(act))
        .route("/s/{id}/debrief", get(debrief_html))
        .route("/s/{id}/debrief.json", get(debrief_json))
        .route("/s/{id}/actions.json", get(actions))
        .route("/s/{id}/state.json", get(state));
    // Without a classroom, no /instructor route exists: its pages answer 404.
    let router = if classroom { router.merge(super::classroom::routes::<Shared>()) } else { router };
    router.fallback(not_found).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(shared)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
    /// `1`: the page comes as a file to save (`Content-Disposition: attachment`).
    download: Option<String>,
}

/// The icon: a cluster of two servers, drawn here so that nothing is fetched from elsewhere.
const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1f3b57\"/><rect x=\"5\" y=\"7\" width=\"9\" height=\"18\" rx=\"1\" fill=\"#a5d6a7\"/><rect x=\"18\" y=\"7\" width=\"9\" height=\"18\" rx=\"1\" fill=\"#ffd54f\"/><path d=\"M14 16h4\" stroke=\"#fff\" stroke-width=\"2\"/></svg>";

async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "max-age=86400")], FAVICON).into_response()
}

/// The page's language, and the cookie that remembers a choice made with `?lang=`.
fn language(query: &LangQuery, headers: &HeaderMap) -> (Lang, Option<HeaderValue>) {
    if let Some(lang) = query.lang.as_deref().and_then(Lang::from_code) {
        let cookie = HeaderValue::from_str(&format!("lang={}; Path=/; SameSite=Lax", lang.code())).ok();
        return (lang, cookie);
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang=").and_then(Lang::from_code));
    if let Some(lang) = cookie {
        return (lang, None);
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    (Lang::from_accept_language(accept), None)
}

fn html(body: String, cookie: Option<HeaderValue>) -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], body).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json_response(status: StatusCode, value: serde_json::Value) -> Response {
    (status, axum::Json(value)).into_response()
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

fn error(status: StatusCode, message: String) -> Response {
    json_response(status, json!({ "error": message }))
}

async fn landing(State(shared): State<Shared>, Query(query): Query<LangQuery>, headers: HeaderMap) -> Response {
    let (lang, cookie) = language(&query, &headers);
    html(page::landing(&shared.config.course, lang), cookie)
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page".to_owned())
}

impl Shared {
    /// Adds a session, after forgetting idle ones; `None` when the server is full.
    fn add(&self, training: Training, name: Option<String>) -> Option<String> {
        let mut sessions = lock(&self.sessions);
        let idle = self.config.idle;
        // A session busy acting now is not idle, and is not waited for.
        sessions.retain(|_, slot| match slot.try_lock() {
            Ok(slot) => slot.touched.elapsed() < idle,
            Err(std::sync::TryLockError::WouldBlock) => true,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().touched.elapsed() < idle,
        });
        if sessions.len() >= self.config.max_sessions {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{n}-{:08x}", (n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ self.key) as u32);
        sessions.insert(
            id.clone(),
            Arc::new(Mutex::new(Slot { training, touched: Instant::now(), seat: Seat { name, row: None } })),
        );
        drop(sessions);
        self.changed();
        Some(id)
    }

    fn get(&self, id: &str) -> Option<Arc<Mutex<Slot>>> {
        let slot = lock(&self.sessions).get(id).cloned()?;
        let expired = lock(&slot).touched.elapsed() >= self.config.idle;
        if expired {
            lock(&self.sessions).remove(id);
            return None;
        }
        Some(slot)
    }
}

fn created(shared: &Shared, mut training: Training, name: Option<String>, headers: &HeaderMap) -> Response {
    if shared.config.classroom.is_some() {
        training.join_classroom();
    }
    match shared.add(training, name) {
        None => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the trainer already has {}; try again later",
                procedure::text::counted(shared.config.max_sessions as u64, "session", "sessions")
            ),
        ),
        Some(id) if wants_json(headers) => json_response(StatusCode::CREATED, json!({ "id": id })),
        Some(id) => Redirect::to(&format!("/s/{id}")).into_response(),
    }
}

#[derive(Deserialize)]
struct NewSession {
    /// The trainee's name (a classroom's; empty: anonymous).
    #[serde(default)]
    name: String,
}

async fn create(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let training = Training::new(Arc::clone(&shared.config.course));
    let name = if shared.config.classroom.is_some() && !is_json(&headers) {
        serde_urlencoded::from_bytes::<NewSession>(&body)
            .ok()
            .and_then(|form| super::classroom::trainee_name(&form.name))
    } else {
        None
    };
    created(&shared, training, name, &headers)
}

async fn replay(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let log: ActionLog = match serde_json::from_slice(&body) {
        Ok(log) => log,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not an action log: {e}")),
    };
    // A long log (up to MAX_ACTS actions, each up to an hour of virtual time) takes a while:
    // off the threads that answer the other sessions.
    let course = Arc::clone(&shared.config.course);
    match tokio::task::spawn_blocking(move || Training::replay(course, &log)).await {
        Ok(Ok(training)) => created(&shared, training, None, &headers),
        Ok(Err(why)) => error(StatusCode::BAD_REQUEST, why),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the replay failed".to_owned()),
    }
}

fn expired(lang: Lang) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><meta charset=\"utf-8\"><title>404</title><p>{} <a href=\"/\">{}</a></p></html>",
        lang.code(),
        lang.t(T::Expired),
        lang.t(T::Start)
    );
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A page of a session in the reader's language, or the page that says it has expired.
fn session_page(
    shared: &Shared,
    id: &str,
    query: &LangQuery,
    headers: &HeaderMap,
    render: impl FnOnce(&Training, Lang) -> String,
) -> Response {
    let (lang, cookie) = language(query, headers);
    let Some(slot) = shared.get(id) else { return expired(lang) };
    let body = render(&lock(&slot).training, lang);
    html(body, cookie)
}

async fn show(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    session_page(&shared, &id, &query, &headers, |training, lang| page::session(training, &id, lang))
}

async fn act(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let json = is_json(&headers);
    let parsed: Result<Act, String> = if json {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(&body).map_err(|e| e.to_string())
    };
    let act = match parsed {
        Ok(act) => act,
        Err(why) => return error(StatusCode::UNPROCESSABLE_ENTITY, format!("not an action: {why}")),
    };
    let Some(slot) = shared.get(&id) else { return missing(&id) };
    let mut slot = lock(&slot);
    slot.touched = Instant::now();
    if matches!(act, Act::Inject(_)) {
        return error(StatusCode::FORBIDDEN, "faults are the instructor's to inject".to_owned());
    }
    if slot.training.paused().is_some() {
        // Not logged: the log replays what the trainee did, and a pause is not in it.
        if json || wants_json(&headers) {
            return error(StatusCode::LOCKED, "the instructor has paused this session".to_owned());
        }
        return Redirect::to(&format!("/s/{id}")).into_response();
    }
    let logged = slot.training.act(act).clone();
    shared.changed();
    if json || wants_json(&headers) {
        // The session's state, as `state.json` gives it, with the action's log entry.
        let mut answer = state_of(&slot.training);
        answer["logged"] = json!(logged);
        return json_response(StatusCode::OK, answer);
    }
    Redirect::to(&format!("/s/{id}")).into_response()
}

fn missing(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no session {id:?} (it may have expired)"))
}

fn with_slot(shared: &Shared, id: &str, f: impl FnOnce(&Training) -> Response) -> Response {
    match shared.get(id) {
        Some(slot) => f(&lock(&slot).training),
        None => missing(id),
    }
}

async fn debrief_html(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let download = query.download.as_deref() == Some("1");
    let mut response =
        session_page(&shared, &id, &query, &headers, |training, lang| Debrief::page(training, lang, &id));
    if download && response.status() == StatusCode::OK {
        // Only a session id's characters (digits, letters, `-`) reach the file name.
        let name: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"debrief-{name}.html\"")) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

async fn debrief_json(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let (lang, _) = language(&query, &headers);
    with_slot(&shared, &id, |training| {
        ([(header::CONTENT_TYPE, "application/json")], Debrief::of(training, lang).render_json()).into_response()
    })
}

async fn actions(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    with_slot(&shared, &id, |training| json_response(StatusCode::OK, json!(training.action_log())))
}

async fn state(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    with_slot(&shared, &id, |training| json_response(StatusCode::OK, state_of(training)))
}

/// Virtual time, whether anything is under way, whether the session ended, how many actions,
/// and which steps the checklist ticked.
fn state_of(training: &Training) -> serde_json::Value {
    let now = training.sim().now();
    let steps = &training.course().setup.procedure.steps;
    json!({
        "now_ms": now.as_millis() as u64,
        "clock": super::events::clock_text(now),
        "busy": training.busy(),
        "ended": training.end().map(|(end, _)| end),
        "actions": training.log().len(),
        "paused": training.paused().is_some(),
        "instructed": training.instructed(),
        "recovering": training.practice().is_some(),
        "steps_done": (0..steps.len())
            .filter(|&s| training.ticked(s).is_some())
            .map(|s| steps[s].id.clone())
            .collect::<Vec<_>>(),
    })
}

/// A running trainer; stopped when dropped.
#[derive(Debug)]
pub struct TrainServer {
    /// The address it listens on.
    pub address: std::net::SocketAddr,
    _serving: sim_server::server::Serving,
}

/// Serves the trainer on `listener` from a thread of its own.
pub fn start(config: Config, listener: std::net::TcpListener) -> std::io::Result<TrainServer> {
    let address = listener.local_addr()?;
    Ok(TrainServer { address, _serving: sim_server::server::Serving::start(listener, router(config))? })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    fn course() -> Arc<Course> {
        let setup = crate::tests::seed_setup();
        Arc::new(Course::new(setup.procedure.title.clone(), setup, 1, Vec::new()))
    }

    async fn call(app: &Router, request: Request<Body>) -> (StatusCode, String) {
        let response = app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn json_post(uri: &str, body: String) -> Request<Body> {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .expect("a request")
    }

    #[tokio::test]
    async fn an_idle_session_expires_and_its_page_says_so() {
        // A second of idleness: the first look must come within it even on a loaded machine.
        let app = router(Config { course: course(), idle: Duration::from_secs(1), max_sessions: 2, classroom: None });
        let (status, made) = call(&app, json_post("/sessions", String::new())).await;
        assert_eq!(status, StatusCode::CREATED);
        let id =
            serde_json::from_str::<serde_json::Value>(&made).expect("json")["id"].as_str().expect("an id").to_owned();
        let page = || Request::get(format!("/s/{id}")).body(Body::empty()).expect("a request");
        assert_eq!(call(&app, page()).await.0, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let (status, body) = call(&app, page()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("has expired"), "{body}");
        // Expired sessions free their places.
        for _ in 0..2 {
            assert_eq!(call(&app, json_post("/sessions", String::new())).await.0, StatusCode::CREATED);
        }
    }

    #[tokio::test]
    async fn a_session_is_replayed_from_its_action_log_through_the_api() {
        let course = course();
        let app = router(Config {
            course: Arc::clone(&course),
            idle: Duration::from_secs(60),
            max_sessions: 4,
            classroom: None,
        });
        let (_, made) = call(&app, json_post("/sessions", String::new())).await;
        let id =
            serde_json::from_str::<serde_json::Value>(&made).expect("json")["id"].as_str().expect("an id").to_owned();
        // A trainee who skips stopping the services: the installer on the active node fails.
        for act in course.correct_acts().into_iter().filter(|act| !matches!(act, Act::StopService { .. })) {
            let (status, _) =
                call(&app, json_post(&format!("/s/{id}/act"), serde_json::to_string(&act).expect("json"))).await;
            assert_eq!(status, StatusCode::OK);
        }
        let get = |path: String| Request::get(path).body(Body::empty()).expect("a request");
        let (_, log) = call(&app, get(format!("/s/{id}/actions.json"))).await;
        let (_, debrief) = call(&app, get(format!("/s/{id}/debrief.json"))).await;
        assert!(debrief.contains("\"verdict\": \"violated\""), "{debrief}");
        let (status, made) = call(&app, json_post("/sessions/replay", log)).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let again =
            serde_json::from_str::<serde_json::Value>(&made).expect("json")["id"].as_str().expect("an id").to_owned();
        assert_ne!(again, id);
        let (_, replayed) = call(&app, get(format!("/s/{again}/debrief.json"))).await;
        assert_eq!(replayed, debrief);
    }
}
