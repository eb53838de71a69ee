//! The accepted-risks file (TOML, `version = 1`, `<procedure>.accept.toml` beside the
//! procedure or given with `check --accept`): violations a person reviewed and accepted, each
//! named by its invariant, the way it was found (optional) and its fault schedule (the kinds
//! of the faults, in the order they struck, and the step they struck in), with the reason and
//! the reviewer. Each entry holds the procedure's behaviour hash (the file's top-level
//! `procedure-hash`, or its own): once the procedure's steps change, the entry matches
//! nothing. This module reads and validates the file; `check` matches the entries.

use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{FileError, FileErrorKind, SourceFile};
use crate::fault::FaultKind;
use crate::invariant::Invariant;
use crate::procedure::Procedure;

/// The ways `check` runs a procedure, as an entry names them.
pub const WAYS: [&str; 2] = ["as-written", "guarded"];

/// The most entries a file may hold.
const MAX_ENTRIES: usize = 1000;
/// The most faults an entry's schedule may name.
const MAX_FAULTS: usize = 64;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AcceptFile {
    #[schemars(schema_with = "crate::file_schema::version")]
    version: Spanned<u32>,
    /// The behaviour hash of the procedure the entries were reviewed against (as `check
    /// --format json` and counterexample files show it); an entry may give its own.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    procedure_hash: Option<Spanned<String>>,
    /// The accepted violations.
    #[serde(default)]
    accept: Vec<EntryFile>,
}

/// One accepted violation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EntryFile {
    /// The invariant's id, as `check` names it.
    #[schemars(schema_with = "invariant_schema")]
    invariant: Spanned<String>,
    /// `as-written` or `guarded`; both when left out.
    #[serde(default)]
    #[schemars(schema_with = "way_schema")]
    way: Option<Spanned<String>>,
    /// The kinds of the faults of the counterexample, in the order they struck.
    #[schemars(schema_with = "faults_schema")]
    faults: Spanned<Vec<Spanned<String>>>,
    /// The id of the step the faults struck in.
    #[schemars(with = "String")]
    step: Spanned<String>,
    /// Why the risk is accepted.
    #[schemars(with = "String")]
    reason: Spanned<String>,
    /// Who reviewed it.
    #[schemars(with = "String")]
    reviewer: Spanned<String>,
    /// The procedure's behaviour hash for this entry alone (else the file's).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    procedure_hash: Option<Spanned<String>>,
}

fn invariant_schema(_: &mut SchemaGenerator) -> Schema {
    crate::file_schema::one_of(Invariant::ALL.iter().map(|invariant| invariant.id()))
}

fn way_schema(_: &mut SchemaGenerator) -> Schema {
    crate::file_schema::one_of(WAYS)
}

fn faults_schema(_: &mut SchemaGenerator) -> Schema {
    let mut schema = schemars::json_schema!({ "type": "array", "minItems": 1 });
    schema.insert("items".to_owned(), crate::file_schema::one_of(FaultKind::ALL.iter().map(|k| k.name())).to_value());
    schema
}

/// The JSON Schema of accepted-risks files.
pub fn schema() -> Schema {
    crate::file_schema::of::<AcceptFile>(crate::safe_text::FileKind::Accept)
}

/// An accepted-risks file, read.
#[derive(Debug, Clone)]
pub struct AcceptedRisks {
    /// The file as the user named it.
    pub path: String,
    /// The entries, in the file's order.
    pub entries: Vec<AcceptedRisk>,
}

/// One entry of an accepted-risks file.
#[derive(Debug, Clone)]
pub struct AcceptedRisk {
    /// Its line in the file (of its `invariant`), from 1.
    pub line: usize,
    pub invariant: Invariant,
    /// `as-written` or `guarded`; none for both.
    pub way: Option<String>,
    /// The fault kinds, in the order they struck.
    pub faults: Vec<FaultKind>,
    /// The id of the step they struck in.
    pub step: String,
    /// Its index in the procedure, when the entry is current.
    pub step_index: Option<usize>,
    pub reason: String,
    pub reviewer: String,
    /// The behaviour hash it was reviewed against.
    pub procedure_hash: String,
    /// The hash is the procedure's: the entry can match.
    pub current: bool,
}

impl AcceptedRisk {
    /// Whether it applies to the way `way` (`as-written`, `guarded`).
    pub fn applies_to(&self, way: &str) -> bool {
        self.way.as_deref().is_none_or(|own| own == way)
    }

    /// `monitor-false-alarm, monitor-false-alarm in step unzip`.
    pub fn schedule_words(&self) -> String {
        let kinds: Vec<&str> = self.faults.iter().map(|kind| kind.name()).collect();
        format!("{} in step {}", kinds.join(", "), self.step)
    }
}

/// Reads and validates an accepted-risks file for `procedure`: an entry whose hash is the
/// procedure's must name one of its steps.
pub fn load(source: &SourceFile, procedure: &Procedure) -> Result<AcceptedRisks, FileError> {
    let file: AcceptFile = crate::safe_text::from_toml(source, crate::safe_text::FileKind::Accept)?;
    if file.accept.len() > MAX_ENTRIES {
        return Err(invalid(
            source,
            format!("{} entries; an accepted-risks file may hold at most {MAX_ENTRIES}", file.accept.len()),
            file.accept[MAX_ENTRIES].invariant.span(),
            "one too many",
        ));
    }
    let mut entries = Vec::new();
    for entry in &file.accept {
        let invariant = Invariant::from_id(entry.invariant.get_ref()).ok_or_else(|| {
            let ids: Vec<&str> = Invariant::ALL.iter().map(|invariant| invariant.id()).collect();
            invalid(
                source,
                format!("unknown invariant `{}`", entry.invariant.get_ref()),
                entry.invariant.span(),
                "no such invariant",
            )
            .with_help(format!("the invariants are {}", ids.join(", ")))
        })?;
        if let Some(way) = &entry.way
            && !WAYS.contains(&way.get_ref().as_str())
        {
            return Err(invalid(source, format!("unknown way `{}`", way.get_ref()), way.span(), "no such way")
                .with_help("a way is `as-written` or `guarded`; leave `way` out for both"));
        }
        if entry.faults.get_ref().is_empty() {
            return Err(invalid(source, "`faults` is empty".to_owned(), entry.faults.span(), "no fault named")
                .with_help("name the kinds of the counterexample's faults, in the order they struck"));
        }
        if entry.faults.get_ref().len() > MAX_FAULTS {
            return Err(invalid(
                source,
                format!("{} faults; an entry names at most {MAX_FAULTS}", entry.faults.get_ref().len()),
                entry.faults.span(),
                "too many",
            ));
        }
        let mut faults = Vec::new();
        for fault in entry.faults.get_ref() {
            let kind = FaultKind::parse(fault.get_ref()).ok_or_else(|| {
                invalid(source, format!("unknown fault kind `{}`", fault.get_ref()), fault.span(), "no such fault kind")
                    .with_help(format!("the fault kinds are {}", FaultKind::names()))
            })?;
            faults.push(kind);
        }
        for (field, value) in [("reason", &entry.reason), ("reviewer", &entry.reviewer), ("step", &entry.step)] {
            if value.get_ref().trim().is_empty() {
                return Err(invalid(source, format!("`{field}` is empty"), value.span(), "empty")
                    .with_help("every entry gives the step, the reason it is accepted and who reviewed it"));
            }
        }
        let Some(hash) = entry.procedure_hash.as_ref().or(file.procedure_hash.as_ref()) else {
            return Err(invalid(
                source,
                "no `procedure-hash` for this entry".to_owned(),
                entry.invariant.span(),
                "in this entry",
            )
            .with_help(format!(
                "give `procedure-hash = \"{}\"` at the top of the file (the behaviour hash of the procedure reviewed)",
                procedure.behaviour_hash
            )));
        };
        let current = *hash.get_ref() == procedure.behaviour_hash;
        let step_index = procedure.steps.iter().position(|step| step.id == *entry.step.get_ref());
        if current && step_index.is_none() {
            return Err(invalid(
                source,
                format!("the procedure has no step `{}`", entry.step.get_ref()),
                entry.step.span(),
                "no such step",
            ));
        }
        entries.push(AcceptedRisk {
            line: source.line_column(entry.invariant.span().start).0,
            invariant,
            way: entry.way.as_ref().map(|way| way.get_ref().clone()),
            faults,
            step: entry.step.get_ref().clone(),
            step_index: step_index.filter(|_| current),
            reason: entry.reason.get_ref().trim().to_owned(),
            reviewer: entry.reviewer.get_ref().trim().to_owned(),
            procedure_hash: hash.get_ref().clone(),
            current,
        });
    }
    let _ = file.version;
    Ok(AcceptedRisks { path: source.path().to_owned(), entries })
}

fn invalid(source: &SourceFile, message: String, span: Range<usize>, label: &str) -> FileError {
    source.error(FileErrorKind::InvalidValue, message, Some(span), label)
}
