//! The classroom (`clusterproc train --classroom`): the instructor's routes behind a
//! password generated at start, and the trainee's optional name.
//!
//! | route | |
//! |---|---|
//! | `GET /instructor` | the instructor's page ([`super::instructor_page`]) |
//! | `GET /instructor/sessions.json?after=N` | every session's row; waits (up to 20 s) until something changed after change `N` |
//! | `POST /instructor/s/{id}/inject` | a fault, at once or before a step (JSON) |
//! | `POST /instructor/s/{id}/pause`, `/resume` | pause (JSON `{"reason"}`) or resume a session |
//! | `GET /instructor/results.csv`, `/results.xml` | the results, as CSV and as JUnit XML ([`super::results`]) |
//!
//! Every route asks for HTTP Basic authentication (any user name, the password); the
//! password is compared in constant time. The POSTs take only JSON, which a page of another
//! site cannot send without the browser asking first, so a logged-in instructor's browser
//! cannot be made to inject or pause from elsewhere.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::act::Act;
use super::classroom_text::C;
use super::course::Course;
use super::results::{Row, RowKey};
use super::session::Training;
use super::text::Lang;

/// How long a request for the sessions waits for a change before answering anyway.
const LONG_POLL: Duration = Duration::from_secs(20);

/// How long the answer waits after a change, for the changes that come with it: a class
/// clicking at once is answered a few times a second, not once per click.
const GATHER: Duration = Duration::from_millis(100);

/// The longest name a trainee may give, in characters.
const MAX_NAME_CHARS: usize = 60;

/// A classroom's secret.
#[derive(Debug, Clone)]
pub struct Classroom {
    password: String,
}

impl Classroom {
    /// A classroom with a password drawn from the operating system's generator: 20
    /// characters of 32 (100 bits).
    pub fn generate() -> std::io::Result<Classroom> {
        let mut bytes = [0u8; 20];
        getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
        let password = bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect();
        Ok(Classroom { password })
    }

    /// A classroom with this password (tests and benchmarks).
    pub fn with_password(password: &str) -> Classroom {
        Classroom { password: password.to_owned() }
    }

    /// The password, to print once at start.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether `headers` carry HTTP Basic credentials with the password (any user name).
    fn admits(&self, headers: &HeaderMap) -> bool {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok())
            .and_then(|decoded| {
                let colon = decoded.iter().position(|&b| b == b':')?;
                Some(decoded[colon + 1..].to_vec())
            });
        given.is_some_and(|given| same(&given, self.password.as_bytes()))
    }
}

/// Compares in time that depends only on the lengths (the password's is fixed).
fn same(given: &[u8], expected: &[u8]) -> bool {
    let mut differ = u8::from(given.len() != expected.len());
    for (index, byte) in expected.iter().enumerate() {
        differ |= byte ^ given.get(index).copied().unwrap_or(!byte);
    }
    std::hint::black_box(differ) == 0
}

/// The name a trainee gave, trimmed and made safe to show; `None` when empty.
pub fn trainee_name(given: &str) -> Option<String> {
    let name: String = given.trim().chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    (!name.is_empty()).then_some(name)
}

/// The landing page's name field, in a classroom only.
pub fn name_field(course: &Course, lang: Lang) -> String {
    if !course.classroom {
        return String::new();
    }
    format!(
        "<p><label>{} <input id=\"trainee-name\" name=\"name\" maxlength=\"{MAX_NAME_CHARS}\" autocomplete=\"name\"></label></p>",
        lang.c(C::YourName)
    )
}

/// What the classroom keeps of a session beside its training.
#[derive(Debug, Default)]
pub(crate) struct Seat {
    /// The name the trainee gave, if any.
    pub(crate) name: Option<String>,
    /// The instructor's row of the session, as of its key: made again only when the session
    /// changed.
    pub(crate) row: Option<(RowKey, Arc<Row>)>,
}

/// The sessions as the classroom reaches them: the server's state implements it (so that
/// the classroom, which the server routes to, does not import the server back).
pub(crate) trait Class: Clone + Send + Sync + 'static {
    /// The classroom (none: no instructor's routes are served).
    fn classroom(&self) -> Option<&Classroom>;
    /// The course.
    fn course(&self) -> &Course;
    /// A receiver of the count of session changes.
    fn changes(&self) -> tokio::sync::watch::Receiver<u64>;
    /// Tells the receivers that a session changed.
    fn changed(&self);
    /// Calls `f` with every session, each locked in turn.
    fn each(&self, f: &mut dyn FnMut(&str, &mut Training, &mut Seat));
    /// Calls `f` with the session `id`, locked; false when there is none.
    fn with(&self, id: &str, f: &mut dyn FnMut(&mut Training, &mut Seat)) -> bool;
}

/// The instructor's routes.
pub(crate) fn routes<S: Class>() -> Router<S> {
    Router::new()
        .route("/instructor", get(page::<S>))
        .route("/instructor/sessions.json", get(sessions::<S>))
        .route("/instructor/s/{id}/inject", post(inject::<S>))
        .route("/instructor/s/{id}/pause", post(pause::<S>))
        .route("/instructor/s/{id}/resume", post(resume::<S>))
        .route("/instructor/results.csv", get(csv::<S>))
        .route("/instructor/results.xml", get(junit::<S>))
}

/// `None` when admitted; else the 401 that asks for the password.
fn refused<S: Class>(shared: &S, headers: &HeaderMap) -> Option<Response> {
    let classroom = shared.classroom()?;
    if classroom.admits(headers) {
        return None;
    }
    Some(
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"clusterproc classroom\", charset=\"UTF-8\"")],
            "the instructor's pages need the password the trainer printed at start\n",
        )
            .into_response(),
    )
}

fn answer(status: StatusCode, value: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(value)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
struct PageQuery {
    lang: Option<String>,
}

async fn page<S: Class>(State(shared): State<S>, Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let lang = query.lang.as_deref().and_then(Lang::from_code).unwrap_or_else(|| Lang::from_accept_language(accept));
    let body = super::instructor_page::page(shared.course(), lang);
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
struct After {
    after: Option<u64>,
    lang: Option<String>,
}

/// Every session's row, in the order they were made.
fn rows<S: Class>(shared: &S, lang: Lang) -> Vec<Arc<Row>> {
    let mut rows: Vec<Arc<Row>> = Vec::new();
    shared.each(&mut |id, training, seat| {
        let key = super::results::row_key(training, lang);
        let row = match &seat.row {
            Some((made, row)) if *made == key => Arc::clone(row),
            _ => {
                let row = Arc::new(Row::of(id, seat.name.as_deref(), training, lang));
                seat.row = Some((key, Arc::clone(&row)));
                row
            }
        };
        rows.push(row);
    });
    rows.sort_by_key(|row| row.order());
    rows
}

async fn sessions<S: Class>(State(shared): State<S>, Query(query): Query<After>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let mut changes = shared.changes();
    if let Some(after) = query.after {
        // Waits for a change after `after` (or answers at once if one came already).
        // (What `wait_for` returns holds the value's lock: not kept across the next wait.)
        let changed =
            matches!(tokio::time::timeout(LONG_POLL, changes.wait_for(|&count| count > after)).await, Ok(Ok(_)));
        if changed {
            tokio::time::sleep(GATHER).await;
        }
    }
    let version = *changes.borrow();
    let lang = query.lang.as_deref().and_then(Lang::from_code).unwrap_or(Lang::En);
    // Off the threads that answer the trainees: a class's rows take a while to make.
    let made = tokio::task::spawn_blocking(move || {
        let rows = rows(&shared, lang);
        let rows: Vec<&Row> = rows.iter().map(|row| &**row).collect();
        json!({ "version": version, "sessions": rows })
    })
    .await;
    match made {
        Ok(value) => answer(StatusCode::OK, value),
        Err(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": "the rows could not be made" })),
    }
}

/// A session's training, locked, or the answer that says why not.
fn with_training<S: Class>(
    shared: &S,
    headers: &HeaderMap,
    id: &str,
    change: impl FnOnce(&mut Training) -> Result<(), (StatusCode, String)>,
) -> Response {
    if let Some(refusal) = refused(shared, headers) {
        return refusal;
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({ "error": "the instructor's requests are JSON" }));
    }
    let mut change = Some(change);
    let mut result = Ok(());
    let found = shared.with(id, &mut |training, _| {
        if let Some(change) = change.take() {
            result = change(training);
        }
    });
    if !found {
        return answer(StatusCode::NOT_FOUND, json!({ "error": format!("no session {id:?}") }));
    }
    shared.changed();
    match result {
        Ok(()) => answer(StatusCode::OK, json!({ "ok": true })),
        Err((status, why)) => answer(status, json!({ "error": why })),
    }
}

async fn inject<S: Class>(
    State(shared): State<S>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let asked: Result<super::inject::Injection, _> = serde_json::from_slice(&body);
    with_training(&shared, &headers, &id, |training| {
        let asked = asked.map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("not a fault: {e}")))?;
        if training.end().is_some() {
            return Err((StatusCode::CONFLICT, "the session has ended".to_owned()));
        }
        // Checked before it goes into the log: a mistyped fault is the instructor's to fix.
        super::inject::build(&training.course().setup, &asked)
            .map_err(|why| (StatusCode::UNPROCESSABLE_ENTITY, why))?;
        training.act(Act::Inject(asked));
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PauseBody {
    #[serde(default)]
    reason: String,
}

async fn pause<S: Class>(State(shared): State<S>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let asked: Result<PauseBody, _> = serde_json::from_slice(&body);
    with_training(&shared, &headers, &id, |training| {
        let asked = asked.map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("not a pause: {e}")))?;
        let reason: String = asked.reason.trim().chars().filter(|c| !c.is_control()).take(200).collect();
        training.set_paused(Some(reason));
        Ok(())
    })
}

async fn resume<S: Class>(State(shared): State<S>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    with_training(&shared, &headers, &id, |training| {
        training.set_paused(None);
        Ok(())
    })
}

async fn csv<S: Class>(State(shared): State<S>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let body = super::results::csv(&rows(&shared, Lang::En));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"classroom-results.csv\""),
        ],
        body,
    )
        .into_response()
}

async fn junit<S: Class>(State(shared): State<S>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let mut suites: Vec<(u64, String)> = Vec::new();
    shared.each(&mut |id, training, seat| {
        suites.push((super::results::order_of(id), super::results::junit_suite(id, seat.name.as_deref(), training)));
    });
    suites.sort();
    let body = super::results::junit(suites.into_iter().map(|(_, suite)| suite));
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"classroom-results.xml\""),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_compared_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abd", b"abc"));
        assert!(!same(b"ab", b"abc"));
        assert!(!same(b"abcd", b"abc"));
        assert!(!same(b"", b"abc"));
    }

    #[test]
    fn a_generated_password_is_long_and_differs_each_time() {
        let (a, b) = (Classroom::generate().expect("random"), Classroom::generate().expect("random"));
        assert_eq!(a.password().len(), 20);
        assert_ne!(a.password(), b.password());
    }

    #[test]
    fn a_name_is_trimmed_cut_and_rid_of_control_characters() {
        assert_eq!(trainee_name("  "), None);
        assert_eq!(trainee_name(" Aiko\u{7}  ").as_deref(), Some("Aiko"));
        assert_eq!(trainee_name(&"x".repeat(100)).map(|n| n.len()), Some(MAX_NAME_CHARS));
    }
}
