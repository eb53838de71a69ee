//! A small blocking HTTP/1.1 client for the server's JSON API, enough for `sim-node` and the
//! simulated clock: one request per connection, loopback only.
//!
//! When `CLUSTERPROC_SIM_USER` and `CLUSTERPROC_SIM_PASSWORD` are set, requests carry them as
//! Basic auth: a session of the REST server (`clusterproc serve`) asks for it, so the shims
//! and the REST API can share one session.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not `http://HOST:PORT/PATH`.
    #[error("not an http://HOST:PORT/PATH URL: {0}")]
    Url(String),
    /// Connecting, writing or reading failed.
    #[error("cannot reach the simulator at {url}: {source}")]
    Io {
        /// The URL.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server answered with an error status, or something that is not JSON.
    #[error("the simulator at {url} answered {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status line.
        status: String,
        /// The body.
        body: String,
    },
}

/// `POST url` with a JSON body.
pub fn post(url: &str, body: &Value) -> Result<Value, ClientError> {
    request("POST", url, Some(body))
}

/// `GET url`.
pub fn get(url: &str) -> Result<Value, ClientError> {
    request("GET", url, None)
}

fn request(method: &str, url: &str, body: Option<&Value>) -> Result<Value, ClientError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| ClientError::Url(url.to_owned()))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(host, path)| (host, format!("/{path}")));
    let io = |source| ClientError::Io { url: url.to_owned(), source };
    let mut stream = TcpStream::connect(host).map_err(io)?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).map_err(io)?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let authorization = match (std::env::var("CLUSTERPROC_SIM_USER"), std::env::var("CLUSTERPROC_SIM_PASSWORD")) {
        (Ok(user), Ok(password)) => {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            format!("Authorization: Basic {token}\r\n")
        }
        _ => String::new(),
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(io)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.lines().next().unwrap_or("").to_owned();
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_owned() };
    if !status.contains(" 200 ") {
        return Err(ClientError::Status { url: url.to_owned(), status, body });
    }
    serde_json::from_str(&body).map_err(|_| ClientError::Status { url: url.to_owned(), status, body: body.clone() })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
