//! The seam between the backend and a node: run an argv there with a timeout, and copy a
//! file there. `local` runs processes on this machine; the remote transports carry the
//! same argv over a connection.
//!
//! Every call has a timeout, and a node that does not answer within it is an error that the
//! backend reports with the node's name.

pub mod encode;
pub mod local;
pub mod openssh;
pub mod ssh;
pub mod winrm;

use std::path::Path;
use std::time::Duration;

use crate::argv::Argv;
use crate::output::Output;

/// Carries commands and files to one node.
pub trait Transport: Send {
    /// Runs `argv` on the node and returns what it printed and its exit code, or an error
    /// when it could not be run or did not finish within `timeout`.
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError>;

    /// Copies a local file to `remote_path` on the node, creating its folder.
    fn copy_file(&mut self, local: &Path, remote_path: &str, timeout: Duration) -> Result<(), TransportError>;

    /// How the node is reached, for messages: `local`, `ssh admin@10.0.0.5:22`.
    fn describe(&self) -> String;
}

/// Why a command or a copy did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The node could not be reached at all.
    #[error("cannot reach it ({reason})")]
    Unreachable {
        /// What failed: refused connection, no route, authentication.
        reason: String,
    },
    /// The command or copy did not finish in time.
    #[error("no answer within {}", human(*.after))]
    Timeout {
        /// The timeout.
        after: Duration,
    },
    /// No connection to the node could be made in time (the connection file's
    /// `[timeouts] connect`).
    #[error("no connection within {} (the connect timeout)", human(*.after))]
    ConnectTimeout {
        /// The connect timeout.
        after: Duration,
    },
    /// The program could not be started on the node.
    #[error("cannot start `{program}` ({reason})")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        reason: String,
    },
    /// The argv cannot be carried to the node's shell without changing its meaning.
    #[error("cannot pass the argument {argument:?} to the node's shell: {reason}")]
    Unencodable {
        /// The argument.
        argument: String,
        /// Why.
        reason: &'static str,
    },
    /// A local or remote file operation failed.
    #[error("file transfer failed ({reason})")]
    Copy {
        /// Why.
        reason: String,
    },
}

impl TransportError {
    /// Why the node could not be reached, for a line that already says it does not answer:
    /// the reason itself, or the timeout that ran out.
    pub fn why_unreachable(&self) -> String {
        match self {
            TransportError::Unreachable { reason } => reason.clone(),
            other => other.to_string(),
        }
    }
}

/// A duration as people read it (`2m 30s`, `250ms`); the same text as the engine's
/// `procedure::duration::human`, so that a timeout reads alike in every message (a test of
/// the workspace compares the two).
fn human(length: Duration) -> String {
    let total = length.as_secs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if total == 0 && length.subsec_millis() != 0 {
        parts.push(format!("{}ms", length.subsec_millis()));
    } else if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

/// An error and its causes, `outer: inner: innermost`: HTTP and SSH libraries put the
/// reason a connection failed (refused, reset, no route) in a source, not in the message.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}
