//! Status GETs kept as they came: the HTTP status and body text of each, for
//! `clusterproc survey`'s bundle, and the same judgement of them as the client's own GETs.
//! The request's Authorization header is never part of what is kept.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{RestClient, RestError, judge};

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
