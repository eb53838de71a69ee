//! The canonical text behind a procedure's behaviour hash, which `file.rs` writes from what
//! decides a run — the module (its id, archive, restart request, services to stop,
//! components, versions, services and registry values) and each step's id, number, role,
//! action, condition and arguments — so that rewording a title, a step's text or a note
//! leaves the hash as it was. A counterexample whose procedure changed in wording only is
//! still replayed exactly (`clusterproc replay`).
//!
//! Each value is written with its length before it, so that no two files' parts can run
//! together into the same text; the text is hashed as file contents are
//! ([`crate::diagnostic::content_hash`]), so the hash is stable across builds.

use std::fmt::Write as _;

use crate::diagnostic::content_hash;

/// The canonical text of what decides a run, being built: `name len:value` per line.
#[derive(Default)]
pub(super) struct Canonical(String);

impl Canonical {
    /// One value.
    pub(super) fn field(&mut self, name: &str, value: &str) {
        let _ = writeln!(self.0, "{name} {}:{value}", value.len());
    }

    /// A value that may be absent; an absent one writes nothing.
    pub(super) fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }

    /// A list of values, with its length.
    pub(super) fn list<'a>(&mut self, name: &str, values: impl IntoIterator<Item = &'a str>) {
        let values: Vec<&str> = values.into_iter().collect();
        let _ = write!(self.0, "{name} [{}]", values.len());
        for value in values {
            let _ = write!(self.0, " {}:{value}", value.len());
        }
        self.0.push('\n');
    }

    /// The hash of the text written.
    pub(super) fn hash(&self) -> String {
        content_hash(&self.0)
    }
}
