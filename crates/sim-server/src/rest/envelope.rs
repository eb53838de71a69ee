//! The `result` envelope every answer of the EXPRESSCLUSTER REST API carries, and the
//! errors the simulated API answers with.
//!
//! A success is `{"result": {"code": 0, "message": ""}, ...data}`. NEC does not publish its
//! catalogue of non-zero codes nor the HTTP status of each error (research/domain.md §3,
//! NOT FOUND), so the codes and statuses of [`ApiError`] are this simulator's own.
//! Inferred: clients written against the real API test `result.code != 0`, and NEC's own
//! client also a non-2xx status or a non-empty `result.message`; every error here does all three.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A successful answer: the envelope with code 0, and the data keys beside it.
pub fn ok(data: Value) -> Response {
    let mut body = Map::new();
    body.insert("result".to_owned(), json!({ "code": 0, "message": "" }));
    if let Value::Object(fields) = data {
        body.extend(fields);
    }
    (StatusCode::OK, axum::Json(Value::Object(body))).into_response()
}

/// Why a request was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization: Basic` header, or a user and password not in the users file.
    #[error("authentication failed")]
    Unauthorized,
    /// No such endpoint.
    #[error("no such API: {0}")]
    NoSuchPath(String),
    /// The endpoint exists but not with this method.
    #[error("method {method} is not allowed here; use {allowed}")]
    WrongMethod {
        /// The method used.
        method: String,
        /// The method that is.
        allowed: &'static str,
    },
    /// A server, group, resource or monitor the cluster does not have.
    #[error("no {kind} named {name}")]
    UnknownName {
        /// `server`, `group`, `resource`, `monitor`, `session`.
        kind: &'static str,
        /// The name asked for (escaped for JSON by serde, shown as given).
        name: String,
    },
    /// The body is not the JSON this endpoint takes.
    #[error("bad request body: {0}")]
    BadBody(String),
    /// A query parameter this endpoint does not take.
    #[error("bad query: {0}")]
    BadQuery(String),
    /// The body is larger than [`super::MAX_BODY_BYTES`].
    #[error("request body larger than {0} bytes")]
    TooLarge(usize),
    /// The cluster refused the operation in its present state, or it failed.
    #[error("{0}")]
    Refused(String),
    /// No node that could carry the request is up.
    #[error("no server of the cluster answers")]
    NoServerUp,
    /// An endpoint of the real API that has no meaning in the simulator.
    #[error("{0} is not simulated")]
    NotSimulated(String),
    /// Too many sessions already.
    #[error("too many sessions (at most {0})")]
    TooManySessions(usize),
    /// The default session cannot be ended.
    #[error("the default session cannot be ended")]
    DefaultSession,
}

impl ApiError {
    /// The simulator's `result.code` for this error (never 0).
    pub fn code(&self) -> i64 {
        match self {
            ApiError::Refused(_) => 1,
            ApiError::UnknownName { .. } => 2,
            ApiError::BadBody(_) | ApiError::BadQuery(_) | ApiError::TooLarge(_) => 3,
            ApiError::Unauthorized => 4,
            ApiError::NoSuchPath(_) | ApiError::WrongMethod { .. } => 5,
            ApiError::NotSimulated(_) => 6,
            ApiError::NoServerUp => 7,
            ApiError::TooManySessions(_) | ApiError::DefaultSession => 8,
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NoSuchPath(_) | ApiError::UnknownName { .. } => StatusCode::NOT_FOUND,
            ApiError::WrongMethod { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadBody(_) | ApiError::BadQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Refused(_) | ApiError::DefaultSession => StatusCode::CONFLICT,
            ApiError::NoServerUp => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotSimulated(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::TooManySessions(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "result": { "code": self.code(), "message": self.to_string() } });
        let mut response = (self.status(), axum::Json(body)).into_response();
        match &self {
            ApiError::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"EXPRESSCLUSTER\""));
            }
            ApiError::WrongMethod { allowed, .. } => {
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allowed));
            }
            _ => {}
        }
        response
    }
}
