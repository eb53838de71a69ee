//! The survey bundle: a folder with `manifest.json` (what was run where, exit codes,
//! encodings, timings, REST exchanges), each command's raw standard output and error and
//! each REST body as files, and the cluster description and procedure it was compared with.
//! Secrets the connection file references are replaced by `[redacted]` before anything is
//! written; the Authorization header is never recorded.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The format word of `manifest.json`.
pub(super) const FORMAT: &str = "clusterproc-survey/1";

/// The report a survey printed, kept in its bundle.
pub(crate) const REPORT: &str = "report.txt";

/// What replaces a secret in the bundle.
pub(super) const REDACTED: &str = "[redacted]";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// `commands` or `rest`: how the cluster itself was observed.
    pub api: String,
    /// The nodes, in the connection file's order, with how each was reached.
    pub nodes: Vec<NodeEntry>,
    /// Where the cluster description came from (a path, or the built-in one).
    pub cluster_origin: String,
    /// Where the procedure came from, when one was given.
    pub procedure_origin: Option<String>,
    /// Service key names by display name, from the connection file.
    pub service_keys: BTreeMap<String, String>,
    /// The `[watch] list` command, when the connection file has one.
    pub watch_list: Option<Vec<String>>,
    /// Every command, in the order run.
    pub commands: Vec<CommandEntry>,
    /// Every REST GET, in the order sent.
    pub rest: Vec<RestEntry>,
    /// How many times a secret was found and replaced by [`REDACTED`].
    pub redactions: usize,
}

/// One node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct NodeEntry {
    /// Its name in the connection file.
    pub name: String,
    /// How it was reached (`ssh user@host:22`).
    pub via: String,
}

/// One command run on a node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CommandEntry {
    /// The node.
    pub node: String,
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// Its exit code (`None`: killed, or not run).
    pub exit_code: Option<i32>,
    /// Why the transport could not run it.
    pub error: Option<String>,
    /// The file holding its standard output, in the bundle.
    pub stdout: String,
    /// The file holding its standard error.
    pub stderr: String,
    /// How its standard output is encoded (`utf-8`, `utf-16le`, `cp932`, ...).
    pub stdout_encoding: String,
    /// How its standard error is encoded.
    pub stderr_encoding: String,
    /// How long it took, in milliseconds.
    pub took_ms: u64,
    /// Standard output, held in memory.
    #[serde(skip)]
    pub stdout_bytes: Vec<u8>,
    /// Standard error, held in memory.
    #[serde(skip)]
    pub stderr_bytes: Vec<u8>,
}

/// One REST GET.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RestEntry {
    /// GET.
    pub method: String,
    /// The path under `/api/v1/`.
    pub path: String,
    /// The HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    /// Why no answer came.
    pub error: Option<String>,
    /// The file holding the body, in the bundle.
    pub body: String,
    /// How long it took, in milliseconds.
    pub took_ms: u64,
    /// The body, held in memory.
    #[serde(skip)]
    pub body_text: String,
}

/// A whole bundle, in memory.
#[derive(Debug, Clone)]
pub(super) struct Bundle {
    /// The manifest.
    pub manifest: Manifest,
    /// The cluster description's text.
    pub cluster_text: String,
    /// The procedure's text, when one was given.
    pub procedure_text: Option<String>,
}

/// The encoding of a command's output bytes, as `remote::text::decode` reads them.
pub(super) fn encoding(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        "utf-16le"
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        "utf-8 with byte order mark"
    } else if std::str::from_utf8(bytes).is_ok() {
        "utf-8"
    } else {
        "cp932"
    }
}

/// `bytes` with every occurrence of each secret replaced, and how many were.
pub(super) fn redact(bytes: &[u8], secrets: &[String]) -> (Vec<u8>, usize) {
    let mut out = bytes.to_vec();
    let mut count = 0;
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        let needle = secret.as_bytes();
        let mut next = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(needle) {
                next.extend_from_slice(REDACTED.as_bytes());
                i += needle.len();
                count += 1;
            } else {
                next.push(out[i]);
                i += 1;
            }
        }
        out = next;
    }
    (out, count)
}

/// Fails (exit 2) unless `dir` is missing or an empty folder: a bundle never mixes with
/// other files.
pub(super) fn check_empty(dir: &Path) -> Result<(), Failure> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(Failure::Usage(anyhow::anyhow!(
            "--output {}: the folder is not empty; name a new folder for the bundle",
            dir.display()
        ))),
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Failure::Usage(anyhow::anyhow!("--output {}: {error}", dir.display()))),
    }
}

impl Bundle {
    /// Writes the bundle into `dir` (created).
    pub fn write(&self, dir: &Path) -> Result<(), Failure> {
        let fail = |error: std::io::Error| Failure::output(dir.display().to_string(), error);
        std::fs::create_dir_all(dir.join("commands")).map_err(fail)?;
        std::fs::create_dir_all(dir.join("rest")).map_err(fail)?;
        for entry in &self.manifest.commands {
            std::fs::write(dir.join(&entry.stdout), &entry.stdout_bytes).map_err(fail)?;
            std::fs::write(dir.join(&entry.stderr), &entry.stderr_bytes).map_err(fail)?;
        }
        for entry in &self.manifest.rest {
            std::fs::write(dir.join(&entry.body), &entry.body_text).map_err(fail)?;
        }
        std::fs::write(dir.join("cluster.toml"), &self.cluster_text).map_err(fail)?;
        if let Some(text) = &self.procedure_text {
            std::fs::write(dir.join("procedure.toml"), text).map_err(fail)?;
        }
        let manifest = serde_json::to_string_pretty(&self.manifest).unwrap_or_default() + "\n";
        crate::atomic_file::write(&dir.join("manifest.json"), manifest.as_bytes()).map_err(fail)
    }

    /// Reads a bundle written by [`Bundle::write`]; a missing or damaged file is bad input.
    pub fn read(dir: &Path) -> Result<Bundle, Failure> {
        let bad = |what: String| Failure::Usage(anyhow::anyhow!("survey bundle {}: {what}", dir.display()));
        let read = |name: &str| {
            let path = dir.join(name);
            if name.contains("..") || Path::new(name).is_absolute() {
                return Err(bad(format!("manifest.json names {name:?}, outside the bundle")));
            }
            std::fs::read(&path).map_err(|error| bad(format!("cannot read {name}: {error}")))
        };
        let text = |name: &str| {
            read(name).and_then(|bytes| String::from_utf8(bytes).map_err(|_| bad(format!("{name} is not UTF-8"))))
        };
        let mut manifest: Manifest = serde_json::from_str(&text("manifest.json")?)
            .map_err(|error| bad(format!("manifest.json:{}: {error}", error.line())))?;
        if manifest.format != FORMAT {
            return Err(bad(format!("manifest.json is {:?}, not {FORMAT}", manifest.format)));
        }
        for entry in &mut manifest.commands {
            entry.stdout_bytes = read(&entry.stdout)?;
            entry.stderr_bytes = read(&entry.stderr)?;
        }
        for entry in &mut manifest.rest {
            entry.body_text = text(&entry.body)?;
        }
        let procedure_text = match manifest.procedure_origin {
            Some(_) => Some(text("procedure.toml")?),
            None => None,
        };
        Ok(Bundle { cluster_text: text("cluster.toml")?, procedure_text, manifest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_of_every_secret_is_replaced_and_counted() {
        let (out, count) = redact(b"pw=s3cret; again s3cret; tok", &["s3cret".into(), "tok".into(), String::new()]);
        assert_eq!(String::from_utf8(out).unwrap(), "pw=[redacted]; again [redacted]; [redacted]");
        assert_eq!(count, 3);
    }

    #[test]
    fn encodings_are_named_as_the_decoder_reads_them() {
        assert_eq!(encoding(b"ok"), "utf-8");
        assert_eq!(encoding(&[0xFF, 0xFE, b'o', 0]), "utf-16le");
        assert_eq!(encoding(&[0x83, 0x4F]), "cp932");
    }
}
