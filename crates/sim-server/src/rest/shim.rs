//! The command shims' session API on the REST server's sessions, so that one simulated
//! cluster answers both the EXPRESSCLUSTER REST API and `clusterproc sim-node` (the
//! `clpstat`, `sc.exe`, `reg`, installer... shims): `POST /sessions/{id}/exec
//! {"node", "argv"}`, `POST /sessions/{id}/wait {"ms"}`, `GET /sessions/{id}/now` and
//! `GET /sessions/{id}/state`, as [`crate::server`] serves them, behind the same Basic
//! auth (the shims send `CLUSTERPROC_SIM_USER` and `CLUSTERPROC_SIM_PASSWORD`). A run whose
//! cluster side goes through the API and whose Windows side goes through the shims is then
//! one run on one cluster. Answers carry the `result` envelope besides their fields.

use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use procedure::backend::Backend as _;
use serde::Deserialize;
use serde_json::json;

use super::call::Call;
use super::envelope::{self, ApiError};
use super::session::{MAX_ADVANCE, Session};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exec {
    node: String,
    argv: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wait {
    ms: u64,
}

fn body<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| ApiError::BadBody(error.to_string()))
}

/// `/sessions/{id}/{verb}` for `exec`, `wait`, `now` and `state`.
pub fn answer(session: &mut Session, verb: &str, call: &Call<'_>) -> Result<Response, ApiError> {
    let sim = &mut session.sim;
    match verb {
        "exec" => {
            call.expect(&Method::POST)?;
            let exec: Exec = body(call.body)?;
            if exec.argv.is_empty() {
                return Err(ApiError::BadBody("argv is empty".to_owned()));
            }
            let node = sim
                .setup()
                .cluster
                .node_by_name(&exec.node)
                .ok_or(ApiError::UnknownName { kind: "server", name: exec.node.clone() })?;
            let reply = crate::exec::exec(sim, node, &exec.argv);
            Ok(envelope::ok(serde_json::to_value(reply).unwrap_or_default()))
        }
        "wait" => {
            call.expect(&Method::POST)?;
            let wait: Wait = body(call.body)?;
            let length = Duration::from_millis(wait.ms);
            if length > MAX_ADVANCE {
                return Err(ApiError::BadBody(format!("ms above {}", MAX_ADVANCE.as_millis())));
            }
            sim.wait(length);
            Ok(envelope::ok(json!({ "now_ms": sim.now().as_millis() as u64 })))
        }
        "now" => {
            call.expect(&Method::GET)?;
            Ok(envelope::ok(json!({ "now_ms": sim.now().as_millis() as u64 })))
        }
        _ => {
            call.expect(&Method::GET)?;
            Ok(envelope::ok(json!({ "state": crate::render::final_state(sim.setup(), sim.observation()) })))
        }
    }
}
