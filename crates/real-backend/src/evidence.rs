//! Judging what several sources say: whether a suspend or resume the cluster accepted has
//! happened (the REST API's cluster word, its server words, and each node's own clpstat
//! view), and what a refused command means (its exit or result code, its message, and the
//! state the backend last saw). A word or shape not known stops the run as "unknown",
//! naming what was seen; nothing is guessed.
//!
//! Sources: the status words are those of NEC's REST client (CLUSTERPRO/REST-API_App,
//! statpanel `clusterapi.ts`), which clpstat prints too. No NEC client shows a server word
//! for a suspended cluster, so server words that stay `Online` while the cluster's own
//! word and the node views agree on `Suspend` do not hold a suspend back. A refusal's
//! shape is what the callers in reach test: a non-zero exit code (NEC's PowerShell scripts
//! test `$?`; a public move script, Igaigasuru/EXPRESSCLUSTER `move.sh`, `$? -eq 1`), and for the
//! REST API a non-2xx status, a non-zero `result.code` (Integrated-Cluster-WebUI) or a
//! POST's non-empty `result.message` (statpanel's `commandPost`). No source gives the
//! wording of a refusal while suspended, so the wording alone never decides.

use std::fmt::Write as _;

use crate::parse::clpstat::Status;

/// Where a word was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `GET /api/v1/cluster`: the cluster's own word.
    RestCluster,
    /// `GET /api/v1/servers`: one server's word.
    RestServer(String),
    /// The node's own server line in the clpstat it printed.
    NodeView(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::RestCluster => f.write_str("REST cluster"),
            Source::RestServer(name) => write!(f, "REST server {name}"),
            Source::NodeView(name) => write!(f, "clpstat on {name}"),
        }
    }
}

/// One word read from one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Where.
    pub source: Source,
    /// The word as shown.
    pub word: String,
}

impl Seen {
    /// A word from a source.
    pub fn new(source: Source, word: impl Into<String>) -> Seen {
        Seen { source, word: word.into() }
    }
}

/// What was asked of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `clpcl --suspend`, `POST cluster/suspend`.
    Suspended,
    /// `clpcl --resume`, `POST cluster/resume`.
    Running,
}

/// What the sources say together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// The cluster got there; how it was seen.
    Confirmed(String),
    /// Not there yet, and nothing says it cannot get there.
    NotYet,
    /// A word that is not EXPRESSCLUSTER's, or sources that contradict each other in a way
    /// no source explains: what was seen.
    Unknown(String),
}

/// Every word, for messages: `REST cluster Online, REST server n1 Online`.
pub fn describe(seen: &[Seen]) -> String {
    let mut out = String::new();
    for (i, one) in seen.iter().enumerate() {
        let _ = write!(out, "{}{} {}", if i == 0 { "" } else { ", " }, one.source, one.word);
    }
    if out.is_empty() { "no source answered".to_owned() } else { out }
}

/// Judges whether the cluster shows `target`, from every word read in one poll.
///
/// Cluster-level sources (the REST cluster word and the node views) decide: each that
/// answered must show the target (`Suspend`; `Online` or `Caution` for running). A server
/// that is stopped (`Offline`) takes no part. Server words from the REST API must show the
/// target or, for a suspend, may stay `Online`: no NEC client shows them change. When no
/// cluster-level source answered, the server words alone must all show the target.
pub fn judge(target: Target, seen: &[Seen]) -> Agreement {
    if let Some(odd) = seen.iter().find(|one| Status::from_word(&one.word).is_none()) {
        return Agreement::Unknown(format!(
            "{} shows {:?}, which is not one of EXPRESSCLUSTER's status words; seen: {}",
            odd.source,
            odd.word,
            describe(seen)
        ));
    }
    let at_target = |word: &str| match target {
        Target::Suspended => word == "Suspend",
        Target::Running => matches!(word, "Online" | "Caution"),
    };
    let voting: Vec<&Seen> = seen.iter().filter(|one| one.word != "Offline").collect();
    let (cluster_level, servers): (Vec<&Seen>, Vec<&Seen>) =
        voting.iter().partition(|one| !matches!(one.source, Source::RestServer(_)));
    if cluster_level.is_empty() && servers.is_empty() {
        return Agreement::NotYet;
    }
    let failure =
        voting.iter().find(|one| one.word.ends_with("Failure") || one.word == "Error" || one.word == "Unknown");
    if let Some(failure) = failure {
        return Agreement::Unknown(format!("{} shows {}; seen: {}", failure.source, failure.word, describe(seen)));
    }
    if cluster_level.is_empty() {
        return if servers.iter().all(|one| at_target(&one.word)) {
            Agreement::Confirmed(format!("every server shows {}", servers[0].word))
        } else {
            Agreement::NotYet
        };
    }
    if !cluster_level.iter().all(|one| at_target(&one.word)) {
        return Agreement::NotYet;
    }
    let servers_agree = servers.iter().all(|one| at_target(&one.word));
    let servers_stay_online = target == Target::Suspended && servers.iter().all(|one| one.word == "Online");
    let sources = cluster_level.iter().map(|one| one.source.to_string()).collect::<Vec<_>>().join(", ");
    match (servers_agree, servers_stay_online) {
        (true, _) if servers.is_empty() => Agreement::Confirmed(format!("{sources} agree")),
        (true, _) => Agreement::Confirmed(format!("{sources} and every server agree")),
        (false, true) => Agreement::Confirmed(format!(
            "{sources} agree; the servers still show Online, as no NEC client shows them otherwise"
        )),
        (false, false) => Agreement::NotYet,
    }
}

/// Why an operation the cluster refused was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalCause {
    /// The cluster is suspended: the backend's last observation shows it, and the command
    /// failed in the shape NEC's callers test.
    Suspended,
    /// Not known: the message, the code and the state do not agree on a cause.
    Unknown(String),
}

/// How a command or request failed, as NEC's callers read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failed {
    /// A command's non-zero exit code and what it printed.
    Exit {
        /// The exit code (`None`: killed).
        code: Option<i32>,
        /// What it printed.
        message: String,
    },
    /// A REST answer: its HTTP status, `result.code` and `result.message`.
    Rest {
        /// HTTP status.
        status: u16,
        /// `result.code`, -1 without one.
        code: i64,
        /// `result.message`.
        message: String,
    },
}

/// Judges a refused group operation: suspended only when the backend last saw the cluster
/// suspended (`suspended`) and the failure has a known shape (a non-zero exit; a REST error
/// status, a non-zero `result.code` or a message). A message that names a suspend on a
/// cluster last seen running, or a shape not known, is unknown: the run stops there.
pub fn refused(failed: &Failed, suspended: bool) -> RefusalCause {
    let (shape_known, message) = match failed {
        Failed::Exit { code, message } => (matches!(code, Some(c) if *c != 0), message.as_str()),
        Failed::Rest { status, code, message } => {
            (!(200..300).contains(status) || *code != 0 || !message.is_empty(), message.as_str())
        }
    };
    let names_suspend = message.to_ascii_lowercase().contains("suspend");
    let shown = match failed {
        Failed::Exit { code, message } => format!("exit code {code:?}, {message:?}"),
        Failed::Rest { status, code, message } => format!("HTTP {status}, result code {code}, {message:?}"),
    };
    match (shape_known, suspended) {
        (true, true) => RefusalCause::Suspended,
        (true, false) if names_suspend => RefusalCause::Unknown(format!(
            "refused ({shown}): the message names a suspend, but the cluster was last seen running"
        )),
        (true, false) => RefusalCause::Unknown(format!("refused ({shown})")),
        (false, _) => RefusalCause::Unknown(format!("an answer of a shape not known ({shown})")),
    }
}

#[cfg(test)]
mod tests;
