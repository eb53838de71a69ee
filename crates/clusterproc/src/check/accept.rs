//! `check --accept`: the accepted-risks file (given, or `<procedure>.accept.toml` beside the
//! procedure) read, its current entries handed to each way's search as accepted fault
//! schedules, and what each entry matched (or that it is stale) reported.

use std::path::{Path, PathBuf};

use procedure::accept::{AcceptedRisk, AcceptedRisks};
use procedure::diagnostic::SourceFile;
use procedure::procedure::Procedure;
use sim_cluster::explore::Mode;
use sim_cluster::model::search::AcceptedSchedule;

use super::model::{AcceptEntryReport, AcceptReport, AcceptedReport, FailureReport, ViolationReport};
use crate::failure::Failure;

/// `procedures/x.toml` → `procedures/x.accept.toml`.
pub(super) fn beside(procedure: &Path) -> PathBuf {
    procedure.with_extension("accept.toml")
}

/// The accepted-risks file to use: the one given, else the one beside the procedure when it
/// exists; read and validated against the procedure.
pub(super) fn read(
    given: Option<&Path>,
    procedure_path: &Path,
    procedure: &Procedure,
) -> Result<Option<AcceptedRisks>, Failure> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => {
            let path = beside(procedure_path);
            if !path.is_file() {
                return Ok(None);
            }
            path
        }
    };
    let source = SourceFile::read(&path)?;
    Ok(Some(procedure::accept::load(&source, procedure)?))
}

/// The schedules the search of `mode` accepts, each with the index of its entry: the current
/// entries for that way.
pub(super) fn schedules(risks: Option<&AcceptedRisks>, mode: Mode) -> Vec<(usize, AcceptedSchedule)> {
    let Some(risks) = risks else { return Vec::new() };
    risks
        .entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| entry.current && entry.applies_to(mode.id()))
        .filter_map(|(index, entry)| {
            let step = entry.step_index?;
            let faults = entry.faults.iter().map(|&kind| (kind, step)).collect();
            Some((index, AcceptedSchedule { invariant: entry.invariant, faults }))
        })
        .collect()
}

/// What the report says of an entry that matched a violation.
pub(super) fn accepted_report(risks: &AcceptedRisks, index: usize, violation: ViolationReport) -> AcceptedReport {
    let entry = &risks.entries[index];
    AcceptedReport {
        entry: index + 1,
        file: risks.path.clone(),
        line: entry.line,
        reason: entry.reason.clone(),
        reviewer: entry.reviewer.clone(),
        schedule: entry.schedule_words(),
        violation,
    }
}

/// Each entry and which ways it matched in: `matched` holds each way's id with the indices
/// of the entries that matched a violation there.
pub(super) fn report(
    risks: &AcceptedRisks,
    matched: &[(&str, Vec<usize>)],
    behaviour_hash: &str,
    strict: bool,
) -> AcceptReport {
    let entries = risks
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let ways: Vec<String> = matched
                .iter()
                .filter(|(_, indices)| indices.contains(&index))
                .map(|(way, _)| (*way).to_owned())
                .collect();
            entry_report(index, entry, ways)
        })
        .collect();
    let mut report =
        AcceptReport { file: risks.path.clone(), procedure_hash: behaviour_hash.to_owned(), strict, entries };
    settle(&mut report);
    report
}

fn entry_report(index: usize, entry: &AcceptedRisk, matched: Vec<String>) -> AcceptEntryReport {
    AcceptEntryReport {
        entry: index + 1,
        line: entry.line,
        invariant: entry.invariant.id().to_owned(),
        way: entry.way.clone(),
        faults: entry.faults.iter().map(|kind| kind.name().to_owned()).collect(),
        step: entry.step.clone(),
        reason: entry.reason.clone(),
        reviewer: entry.reviewer.clone(),
        procedure_hash: entry.procedure_hash.clone(),
        matched,
        stale: None,
    }
}

/// Says why each entry that matched nothing is stale (after a merge, too, where the parts'
/// matches were joined).
pub(super) fn settle(report: &mut AcceptReport) {
    for entry in &mut report.entries {
        entry.stale = if entry.procedure_hash != report.procedure_hash {
            Some(format!(
                "the procedure's steps changed since it was reviewed (its procedure-hash is {}, the procedure's is now {})",
                entry.procedure_hash, report.procedure_hash
            ))
        } else if entry.matched.is_empty() {
            Some("no counterexample of this check has its invariant and fault schedule".to_owned())
        } else {
            None
        };
    }
}

/// With `--strict-accept`, a failure for each stale entry.
pub(super) fn failures(report: &AcceptReport) -> Vec<FailureReport> {
    if !report.strict {
        return Vec::new();
    }
    report
        .entries
        .iter()
        .filter_map(|entry| {
            let stale = entry.stale.as_ref()?;
            Some(FailureReport {
                kind: "stale-accept".to_owned(),
                way: None,
                invariant: Some(entry.invariant.clone()),
                step: None,
                reason: format!(
                    "accepted risk {} of {} (line {}, {}) is stale: {stale}",
                    entry.entry, report.file, entry.line, entry.invariant
                ),
            })
        })
        .collect()
}
