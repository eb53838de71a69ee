//! `check --merge`: one verdict from the JSON outputs of a search split with `--shard I/N`
//! across CI jobs. An invariant is violated if any part found it violated (the shortest
//! counterexample wins: fewest faults, then earliest), prevented if any part saw a guard
//! prevent it and none saw it violated, ok otherwise. Counts are summed over the parts (a
//! state reached by two parts counts twice). Each part names its shard: a part given twice,
//! or of another split, is refused, and a part missing leaves the verdict incomplete.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use super::args::{CheckArgs, CheckFormat};
use super::model::{FailureReport, InvariantReport, Report, ViolationReport, invariant_failures};
use crate::failure::Failure;

fn usage(message: String) -> Failure {
    Failure::Usage(anyhow::anyhow!(message))
}

fn shorter(a: &ViolationReport, b: &ViolationReport) -> bool {
    (a.faults.len(), &a.at) < (b.faults.len(), &b.at)
}

pub fn merge(args: &CheckArgs) -> Result<ExitCode, Failure> {
    let mut reports = Vec::new();
    for path in &args.merge {
        let text = std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        let report: Report = serde_json::from_str(&text).map_err(|e| {
            usage(format!("{} is not the JSON output of `clusterproc check --format json`: {e}", path.display()))
        })?;
        reports.push((path.display().to_string(), report));
    }
    let missing = missing_parts(&reports)?;
    let (first_path, mut merged) = reports.remove(0);
    merged.shard = None;
    merged.earlier_counterexamples.clear();
    // A merge proves no repair: each part searched its own procedure run.
    merged.repairs = None;
    // Parts that a stop cut short (Ctrl-C, the memory limit) leave the merged verdict
    // incomplete.
    let mut cut_short: Vec<String> =
        merged.interrupted.iter().map(|how_far| format!("{first_path}: {how_far}")).collect();
    for (path, part) in reports {
        cut_short.extend(part.interrupted.as_ref().map(|how_far| format!("{path}: {how_far}")));
        let identity = |r: &Report| {
            let (procedure, module, cluster) = (r.procedure.clone(), r.module.clone(), r.cluster.clone());
            (procedure, module, cluster, r.seed, r.faults.clone(), r.cases, r.guards.clone(), r.recovery)
        };
        if identity(&part) != identity(&merged) {
            return Err(usage(format!(
                "{path} is a check of another procedure, cluster, seed, fault count, guards or recovery than \
                 {first_path}"
            )));
        }
        let ways: Vec<&str> = part.ways.iter().map(|w| w.way.as_str()).collect();
        if ways != merged.ways.iter().map(|w| w.way.as_str()).collect::<Vec<_>>() {
            return Err(usage(format!("{path} ran other ways than {first_path}")));
        }
        for (way, other) in merged.ways.iter_mut().zip(part.ways) {
            way.runs += other.runs;
            way.completed += other.completed;
            way.stopped_safely += other.stopped_safely;
            way.violated += other.violated;
            way.recovered += other.recovered;
            if let (Some(search), Some(other)) = (&mut way.search, other.search) {
                search.states += other.states;
                search.transitions += other.transitions;
                search.schedules += other.schedules;
                search.depth = search.depth.max(other.depth);
                if let (Some(known), Some(found)) = (&mut search.recoveries, other.recoveries) {
                    known.serving += found.serving;
                    known.short += found.short;
                    known.needs_operator += found.needs_operator;
                }
                for (i, count) in other.states_per_fault_count.into_iter().enumerate() {
                    match search.states_per_fault_count.get_mut(i) {
                        Some(known) => *known += count,
                        None => search.states_per_fault_count.push(count),
                    }
                }
            }
            for (invariant, other) in way.invariants.iter_mut().zip(other.invariants) {
                merge_invariant(invariant, other);
            }
        }
        merged.counterexamples.extend(part.counterexamples);
        // An entry of the accepted-risks file is stale only if it matched in no part.
        if let (Some(known), Some(found)) = (&mut merged.accept, part.accept) {
            for (entry, other) in known.entries.iter_mut().zip(found.entries) {
                for way in other.matched {
                    if !entry.matched.contains(&way) {
                        entry.matched.push(way);
                    }
                }
            }
        }
    }
    // Keep the counterexample of each verdict, once.
    let mut kept = Vec::new();
    for way in &merged.ways {
        for invariant in &way.invariants {
            let accepted = invariant.accepted.as_ref().map(|accepted| &accepted.violation);
            let Some(violation) = invariant.violated.as_ref().or(accepted).or(invariant.recovered.as_ref()) else {
                continue;
            };
            let found = merged.counterexamples.iter().position(|c| {
                c.way == way.way && c.invariant == invariant.id && c.at == violation.at && c.faults == violation.faults
            });
            if let Some(index) = found {
                kept.push(merged.counterexamples.swap_remove(index));
            }
        }
    }
    merged.counterexamples = kept;
    let mut failures: Vec<FailureReport> =
        merged.failures.drain(..).filter(|f| f.kind != "invariant" && f.kind != "stale-accept").collect::<Vec<_>>();
    for way in &merged.ways {
        failures.extend(invariant_failures(way));
    }
    if let Some(accept) = &mut merged.accept {
        super::accept::settle(accept);
        failures.extend(super::accept::failures(accept));
    }
    failures.sort_by_key(|f| f.kind != "did-not-finish");
    merged.failures = failures;
    let mut gaps = Vec::new();
    if !cut_short.is_empty() {
        gaps.push(format!("a part was cut short: {}", cut_short.join("; ")));
    }
    if let Some(missing) = missing {
        gaps.push(missing);
    }
    merged.interrupted = (!gaps.is_empty()).then(|| gaps.join("; and "));
    merged.passed = merged.failures.is_empty() && merged.interrupted.is_none();
    print_report(&merged, args.format, args.output.as_deref())
}

/// Checks that the parts are distinct parts of one split search: what is missing, if any
/// (the merged verdict is then incomplete), or an error for a part that is no part, of
/// another split, or given twice.
fn missing_parts(reports: &[(String, Report)]) -> Result<Option<String>, Failure> {
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    let mut count = None;
    for (path, report) in reports {
        let part = report.shard.as_deref().and_then(|shard| {
            let (index, of) = shard.split_once('/')?;
            Some((index.parse::<usize>().ok()?, of.parse::<usize>().ok()?))
        });
        let Some((index, of)) = part.filter(|&(index, of)| index < of) else {
            return Err(usage(format!(
                "{path} is not the output of `check --shard I/N --format json` (it names no part of a split \
                 search): only the parts of one split search can be merged"
            )));
        };
        let (first_path, expected) = *count.get_or_insert((path, of));
        if of != expected {
            return Err(usage(format!(
                "{path} is part {index}/{of}, of a search split in {of}, but {first_path} is of a search split in \
                 {expected}"
            )));
        }
        if let Some(other) = seen.insert(index, path) {
            return Err(usage(format!("{other} and {path} are both part {index}/{of}: give each part once")));
        }
    }
    let Some((_, of)) = count else { return Ok(None) };
    // At most `seen.len() + 10` indices are looked at, however large N is.
    let shown: Vec<String> =
        (0..of).filter(|index| !seen.contains_key(index)).take(10).map(|index| index.to_string()).collect();
    let more = (of - seen.len()).saturating_sub(shown.len());
    if shown.is_empty() {
        return Ok(None);
    }
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let plural = if shown.len() > 1 || !more.is_empty() { "s" } else { "" };
    Ok(Some(format!("part{plural} {}{more} of {of} not given", shown.join(", "))))
}

fn merge_invariant(into: &mut InvariantReport, other: InvariantReport) {
    match (&into.violated, other.violated) {
        (Some(known), Some(found)) if shorter(&found, known) => into.violated = Some(found),
        (None, Some(found)) => into.violated = Some(found),
        _ => {}
    }
    match (&into.recovered, other.recovered) {
        (Some(known), Some(found)) if shorter(&found, known) => into.recovered = Some(found),
        (None, Some(found)) => into.recovered = Some(found),
        _ => {}
    }
    match (&into.accepted, other.accepted) {
        (Some(known), Some(found)) if shorter(&found.violation, &known.violation) => into.accepted = Some(found),
        (None, Some(found)) => into.accepted = Some(found),
        _ => {}
    }
    if into.prevented.is_none() {
        into.prevented = other.prevented;
    }
    if into.violated.is_some() {
        into.prevented = None;
        into.recovered = None;
        into.accepted = None;
    }
    if into.accepted.is_some() {
        into.prevented = None;
        into.recovered = None;
    }
    into.verdict = if into.violated.is_some() {
        "violated"
    } else if into.accepted.is_some() {
        "accepted"
    } else if into.recovered.is_some() {
        "recovered"
    } else if into.prevented.is_some() {
        "prevented"
    } else {
        "ok"
    }
    .to_owned();
}

/// Prints a report in the format asked for, to `--output` or stdout (text says when it is
/// incomplete); exit 1 unless it passed.
fn print_report(report: &Report, format: CheckFormat, output: Option<&Path>) -> Result<ExitCode, Failure> {
    let mut text = super::render::report(report, format);
    if let (Some(how_far), CheckFormat::Text) = (&report.interrupted, format) {
        let _ = writeln!(text, "\nIncomplete: {how_far}");
    }
    crate::output::emit(&text, output)?;
    Ok(if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
