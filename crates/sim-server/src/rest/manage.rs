//! The management API beside the REST API, for tests and rehearsals:
//! `GET|POST /sim/v1/sessions` lists or makes sessions (`{"seed": N}`, optional),
//! `GET|DELETE /sim/v1/sessions/{id}` reads or ends one, and
//! `POST /sim/v1/sessions/{id}/advance {"ms": N}` lets its virtual time pass.
//! Answers carry the same `result` envelope as the EXPRESSCLUSTER API.

use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use procedure::backend::Backend as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::call::Call;
use super::envelope::{self, ApiError};
use super::session::{MAX_ADVANCE, Session, Sessions};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    #[serde(default)]
    seed: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    ms: u64,
}

fn describe(id: &str, session: &Session) -> Value {
    json!({
        "id": id,
        "seed": session.seed,
        "now_ms": session.now().as_millis() as u64,
        "speed": session.speed(),
        "api": format!("/sessions/{id}/api/v1/"),
    })
}

fn body<T: for<'de> Deserialize<'de> + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|error| ApiError::BadBody(error.to_string()))
}

/// `/sim/v1/...`.
pub fn manage(sessions: &mut Sessions, rest: &[&str], call: &Call<'_>) -> Result<Response, ApiError> {
    match rest {
        ["sessions"] if call.method == Method::GET => {
            let list: Vec<Value> = sessions.list().map(|(id, session)| describe(id, session)).collect();
            Ok(envelope::ok(json!({ "sessions": list })))
        }
        ["sessions"] => {
            call.expect(&Method::POST)?;
            let create: Create = body(call.body)?;
            let id = sessions.create(create.seed)?;
            let session = sessions.get(&id)?;
            Ok(envelope::ok(json!({ "session": describe(&id, session) })))
        }
        ["sessions", id] if call.method == Method::DELETE => {
            sessions.end(id)?;
            Ok(envelope::ok(json!({})))
        }
        ["sessions", id] => {
            call.expect(&Method::GET)?;
            let session = sessions.get(id)?;
            Ok(envelope::ok(json!({ "session": describe(id, session) })))
        }
        ["sessions", id, "advance"] => {
            call.expect(&Method::POST)?;
            let advance: Advance = serde_json::from_slice(call.body).map_err(|e| ApiError::BadBody(e.to_string()))?;
            let length = Duration::from_millis(advance.ms);
            if length > MAX_ADVANCE {
                return Err(ApiError::BadBody(format!("ms above {}", MAX_ADVANCE.as_millis())));
            }
            let session = sessions.get(id)?;
            session.sim.wait(length);
            Ok(envelope::ok(json!({ "session": describe(id, session) })))
        }
        _ => Err(ApiError::NoSuchPath(format!("/sim/v1/{}", rest.join("/")))),
    }
}
