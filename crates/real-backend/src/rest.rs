//! A client of the EXPRESSCLUSTER X RESTful API (X 4.2 and later: `/api/v1/...`, Basic
//! auth, the `result` envelope), for observing and operating the cluster without its
//! command lines.
//!
//! Status GETs are safe to repeat: one that cannot connect, times out or gets a 5xx is
//! tried again after a back-off that doubles. An operation POST is sent once and never
//! retried blindly: NEC's API only says it was accepted (research/domain.md §3), so the
//! backend confirms each by what the status GETs and the nodes then show
//! (`backend/rest_api.rs`). Certificate verification is always on; `ca_file` adds a CA for a
//! self-signed server certificate.

mod view;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use view::{ClusterView, GroupView, MonitorView, ResourceView, apply};

/// How to reach one server's API.
#[derive(Clone)]
pub struct RestConfig {
    /// `https://HOST:29009` (no trailing `/api/v1`).
    pub base_url: String,
    /// The OS user.
    pub user: String,
    /// Its password, already read from where the connection file points.
    pub password: String,
    /// One request's limit.
    pub timeout: Duration,
    /// How many times a status GET is tried before giving up (at least 1).
    pub get_attempts: u32,
    /// The wait before the second try; it doubles after each.
    pub backoff: Duration,
    /// A PEM CA certificate to trust besides the system's.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for RestConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestConfig")
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("timeout", &self.timeout)
            .field("get_attempts", &self.get_attempts)
            .finish_non_exhaustive()
    }
}

/// Why a call of the API failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    /// The client could not be set up (a CA file that cannot be read or parsed).
    #[error("cannot set up the REST client: {0}")]
    Setup(String),
    /// No answer: connection refused, reset, TLS failure or timeout, after every try.
    #[error("{method} {url}: no answer after {attempts} tries: {message}")]
    Unreachable {
        /// GET or POST.
        method: &'static str,
        /// The URL.
        url: String,
        /// How many tries.
        attempts: u32,
        /// The last error.
        message: String,
    },
    /// The API answered with an error: a non-2xx status, `result.code != 0`, or, for a
    /// POST, a non-empty `result.message` (NEC's clients judge GETs by the code alone).
    #[error("{method} {url}: HTTP {status}, result code {code}: {message}")]
    Refused {
        /// GET or POST.
        method: &'static str,
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// `result.code` (-1 when the body had none).
        code: i64,
        /// `result.message`, or the body when it was not the envelope.
        message: String,
    },
    /// A successful answer that is not what the API returns.
    #[error("{url}: unexpected answer: {message}")]
    Body {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
}

/// A blocking client of one server's API.
#[derive(Debug)]
pub struct RestClient {
    config: RestConfig,
    http: reqwest::blocking::Client,
}

impl RestClient {
    /// A client; nothing is sent yet.
    pub fn new(config: RestConfig) -> Result<RestClient, RestError> {
        let mut builder = reqwest::blocking::Client::builder().timeout(config.timeout).connect_timeout(config.timeout);
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path)
                .map_err(|error| RestError::Setup(format!("cannot read CA file {}: {error}", path.display())))?;
            let certificate = reqwest::Certificate::from_pem(&pem)
                .map_err(|error| RestError::Setup(format!("CA file {}: {error}", path.display())))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder.build().map_err(|error| RestError::Setup(error.to_string()))?;
        Ok(RestClient { config, http })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/{}", self.config.base_url.trim_end_matches('/'), path.trim_start_matches('/'))
    }

    /// A status GET (`cluster`, `groups/failover`, ...): the answer's JSON, envelope checked.
    /// Retried with back-off on no answer or a 5xx; a 4xx or an error envelope is final.
    pub fn get(&self, path: &str) -> Result<Value, RestError> {
        let url = self.url(path);
        let attempts = self.config.get_attempts.max(1);
        let mut backoff = self.config.backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                std::thread::sleep(backoff);
                backoff = backoff.saturating_mul(2);
            }
            let request = self.http.get(&url).basic_auth(&self.config.user, Some(&self.config.password));
            match request.send() {
                Ok(response) if response.status().is_server_error() && attempt < attempts => {
                    last = format!("HTTP {}", response.status().as_u16());
                }
                Ok(response) => return read("GET", &url, response),
                Err(error) => last = error.to_string(),
            }
        }
        Err(RestError::Unreachable { method: "GET", url, attempts, message: last })
    }

    /// An operation POST (`cluster/suspend`, `groups/failover/move`, ...), sent once, with
    /// `body` when given. `Ok` means accepted, not done.
    pub fn post(&self, path: &str, body: Option<&Value>) -> Result<(), RestError> {
        let url = self.url(path);
        let mut request = self.http.post(&url).basic_auth(&self.config.user, Some(&self.config.password));
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
        }
        match request.send() {
            Ok(response) => read("POST", &url, response).map(drop),
            // Not retried: the server may have accepted it before the connection failed.
            Err(error) => Err(RestError::Unreachable { method: "POST", url, attempts: 1, message: error.to_string() }),
        }
    }

    /// Every status at once: cluster, servers, groups, resources and monitors, the GETs
    /// NEC's status panel makes (CLUSTERPRO/REST-API_App, `getClusterStatus`).
    pub fn cluster_view(&self) -> Result<ClusterView, RestError> {
        let cluster = self.get("cluster")?;
        let servers = self.get("servers")?;
        let groups = self.get("groups")?;
        let resources = self.get("resources")?;
        let monitors = self.get("monitors")?;
        ClusterView::read(&cluster, &servers, &groups, &resources, &monitors)
            .map_err(|message| RestError::Body { url: self.url(""), message })
    }
}

/// Reads an answer: the JSON body, or the error.
///
/// As NEC's clients judge them: every answer by its HTTP status and `result.code`
/// (Integrated-Cluster-WebUI: a non-zero code is an abnormal end); a POST also by
/// `result.message`, which names the cause when an operation failed (statpanel's
/// `commandPost`). A GET's message is not read: statpanel's GETs ignore it.
fn read(method: &'static str, url: &str, response: reqwest::blocking::Response) -> Result<Value, RestError> {
    let status = response.status().as_u16();
    let text = response.text().map_err(|error| RestError::Body { url: url.to_owned(), message: error.to_string() })?;
    judge(method, url, status, &text)
}

/// Judges an answer already read, by its HTTP status and body text, as [`read`] does.
fn judge(method: &'static str, url: &str, status: u16, text: &str) -> Result<Value, RestError> {
    let success = (200..300).contains(&status);
    let body: Option<Value> = serde_json::from_str(text).ok();
    let result = body.as_ref().and_then(|body| body.get("result"));
    let code = result.and_then(|result| result.get("code")).and_then(Value::as_i64);
    let message = result.and_then(|result| result.get("message")).and_then(Value::as_str);
    let post = method == "POST";
    match (success, code, message) {
        (true, Some(0), Some("")) => Ok(body.unwrap_or(Value::Null)),
        (true, Some(0), _) if !post => Ok(body.unwrap_or(Value::Null)),
        (true, None, _) | (true, _, None) => {
            Err(RestError::Body { url: url.to_owned(), message: format!("no result envelope: {}", excerpt(text)) })
        }
        _ => Err(RestError::Refused {
            method,
            url: url.to_owned(),
            status,
            code: code.unwrap_or(-1),
            message: message.map_or_else(|| excerpt(text), str::to_owned),
        }),
    }
}

/// The start of a body, for messages.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(200).filter(|c| !c.is_control()).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

// Status GETs kept as they came, for `clusterproc survey`'s bundle: the HTTP status and
// body text of each, judged as the client's own GETs are. The Authorization header the
// request carries is never part of what is kept.

/// One GET as the API answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The path under `/api/v1/` (`cluster`, `groups`).
    pub path: String,
    /// The full URL.
    pub url: String,
    /// The HTTP status, or `None` when no answer came.
    pub status: Option<u16>,
    /// The body as text, or why no answer came.
    pub body: Result<String, String>,
    /// From the request to the whole answer.
    pub took: Duration,
}

impl Exchange {
    /// The answer judged as [`RestClient::get`] judges it: its JSON, or the error.
    pub fn judged(&self) -> Result<Value, RestError> {
        match (&self.body, self.status) {
            (Ok(text), Some(status)) => judge("GET", &self.url, status, text),
            (Err(message), _) | (Ok(message), None) => Err(RestError::Unreachable {
                method: "GET",
                url: self.url.clone(),
                attempts: 1,
                message: message.clone(),
            }),
        }
    }
}

impl RestClient {
    /// One status GET, sent once and kept as it came (no retry: a survey records what
    /// the API says the first time).
    pub fn get_exchange(&self, path: &str) -> Exchange {
        let url = self.url(path);
        let started = Instant::now();
        let request = self.http.get(&url).basic_auth(&self.config.user, Some(&self.config.password));
        let (status, body) = match request.send() {
            Ok(response) => {
                let status = response.status().as_u16();
                (Some(status), response.text().map_err(|error| error.to_string()))
            }
            Err(error) => (None, Err(error.to_string())),
        };
        Exchange { path: path.to_owned(), url, status, body, took: started.elapsed() }
    }
}
