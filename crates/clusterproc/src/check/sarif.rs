//! `check --format sarif`: the report as a SARIF 2.1.0 log, for code scanning (GitHub's
//! upload-sarif and other SARIF viewers). One run; one rule per invariant; one result per
//! invariant broken, per way, at the line of the procedure file where the step it broke in
//! has its `id` (line 1 when no step was running); the repairs of `--suggest` as each result's
//! fixes. Every other reason the check fails is a result too: a way that does not finish
//! (`did-not-finish`, at its step) and a mutation score below the minimum (`mutation-score`,
//! line 1); a surviving mutant that acts unseen is a `warning` (`mutant-survived`, at the
//! mutated step). Guard refusals (`prevented`) are not results: the guarded way holds.

use procedure::invariant::Invariant;
use serde_json::{Value, json};

use super::model::{InvariantReport, RepairReport, Report, StepPlace, WayReport};
use super::words::{violation_words, way_words};
use crate::shell_word::shell_word;

/// Where the SARIF 2.1.0 schema is published (OASIS, with its errata).
const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF level of an invariant's verdict, or none when the verdict is no result. Every
/// verdict a report can give is mapped here, and only here: a new verdict gets its level in
/// this one place (and a property in `invariant_result` if it needs one).
fn level(verdict: &str) -> Option<&'static str> {
    match verdict {
        "violated" => Some("error"),
        // Broken, then put right by the recovery after the run: worth a look, not a failure.
        "recovered" => Some("note"),
        // Broken as an entry of the accepted-risks file says: reviewed, and no failure.
        "accepted" => Some("note"),
        // `ok`, and `prevented`: a guard refused the unsafe operation, the guarded way holds
        // (the way as written reports its own violation).
        _ => None,
    }
}

/// The rules besides the invariants: the other reasons a check fails, or warns.
const OTHER_RULES: [(&str, &str, &str, &str); 3] = [
    (
        "did-not-finish",
        "without faults the procedure does not finish",
        "Run with no fault at all, a way of running the procedure (as written or guarded) was refused by a guard or \
         stopped before its last step. The result points at that step. `clusterproc run` on the simulator shows the \
         run; `clusterproc check PROCEDURE --suggest` searches for a step to insert, move or run on another node that makes \
         it finish.",
        "error",
    ),
    (
        "mutation-score",
        "the mutation score is below the minimum",
        "`check --mutants --min-mutation-score PCT` runs the procedure's mutants (dropped, swapped and misplaced \
         steps); fewer of them than PCT percent were caught by an invariant, a guard or a stop. The text report \
         lists each survivor and why no invariant saw it.",
        "error",
    ),
    (
        "mutant-survived",
        "a mutant of the procedure acts, and no invariant noticed",
        "A mutant (a step dropped, swapped, moved to the other node, ...) changes what the procedure does to the \
         cluster, yet no invariant was broken, no guard refused it and the run did not stop: the invariants \
         cannot tell this step's work from its absence. The result points at the mutated step and says why no \
         invariant saw it.",
        "warning",
    ),
];

/// The report as a SARIF 2.1.0 log.
pub(super) fn log(report: &Report) -> String {
    let invariant_ids: Vec<&str> = match report.ways.first() {
        Some(way) => way.invariants.iter().map(|i| i.id.as_str()).collect(),
        None => Invariant::ALL.iter().map(|i| i.id()).collect(),
    };
    let mut rules: Vec<Value> = invariant_ids.iter().map(|id| invariant_rule(id)).collect();
    rules.extend(OTHER_RULES.iter().map(|&(id, short, help, level)| rule(id, short, help, level, None)));
    let rule_index = |id: &str| {
        invariant_ids.iter().position(|i| *i == id).or_else(|| {
            OTHER_RULES.iter().position(|(other, ..)| *other == id).map(|index| invariant_ids.len() + index)
        })
    };
    let file = Artifact::new(&report.procedure);
    let mut results = Vec::new();
    for failure in report.failures.iter().filter(|f| f.kind == "did-not-finish") {
        let way = failure.way.as_deref().map(way_words).unwrap_or("a way");
        let line = failure.step.as_deref().and_then(|step| line_of_step(&report.steps, step));
        let message = format!(
            "{way}: without faults the procedure does not finish: step {}: {}",
            failure.step.as_deref().unwrap_or("?"),
            failure.reason
        );
        let properties = json!({ "way": failure.way, "step": failure.step });
        results.push(result("did-not-finish", rule_index("did-not-finish"), "error", message, &file, line, properties));
    }
    for way in &report.ways {
        for invariant in &way.invariants {
            if let Some(found) = invariant_result(report, way, invariant, &file, rule_index(&invariant.id)) {
                results.push(found);
            }
        }
    }
    if let Some(failure) = report.failures.iter().find(|f| f.kind == "mutation-score") {
        let message = failure.reason.clone();
        results.push(result("mutation-score", rule_index("mutation-score"), "error", message, &file, None, json!({})));
    }
    for mutant in report.mutants.iter().flat_map(|m| &m.mutants).filter(|m| m.finding) {
        // A mutant is named by its kind and the id of the step it changes: `drop suspend`.
        let line = mutant
            .mutant
            .split_whitespace()
            .nth(1)
            .and_then(|id| report.steps.iter().find(|place| place.id == id).map(|place| place.line));
        let why = mutant.why_unseen.as_deref().map(|why| format!(": {why}")).unwrap_or_default();
        let message = format!("mutant {} survived: the step acts, and no invariant noticed{why}", mutant.mutant);
        let properties = json!({ "mutant": mutant.mutant });
        let index = rule_index("mutant-survived");
        results.push(result("mutant-survived", index, "warning", message, &file, line, properties));
    }
    let mut invocation = json!({ "executionSuccessful": report.interrupted.is_none() });
    if let Some(how_far) = &report.interrupted {
        // A search cut short found what it found; a viewer must not read the absence of other
        // results as a pass.
        invocation["toolExecutionNotifications"] =
            json!([{ "level": "error", "message": { "text": format!("incomplete: {how_far}") } }]);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "clusterproc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "invocations": [invocation],
            "results": results,
            "properties": {
                "procedure": report.procedure,
                "cluster": report.cluster,
                "faults": report.faults,
                "seed": report.seed,
                "guards": report.guards,
                "passed": report.passed,
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("plain data");
    text.push('\n');
    text
}

/// The result of one invariant of one way, when its verdict is one (see `level`).
fn invariant_result(
    report: &Report,
    way: &WayReport,
    invariant: &InvariantReport,
    file: &Artifact,
    rule_index: Option<usize>,
) -> Option<Value> {
    let level = level(&invariant.verdict)?;
    let accepted = invariant.accepted.as_ref().filter(|_| invariant.violated.is_none());
    let violation = invariant.violated.as_ref().or(accepted.map(|a| &a.violation)).or(invariant.recovered.as_ref())?;
    let what = if invariant.violated.is_some() {
        "violated"
    } else if accepted.is_some() {
        "violated (an accepted risk)"
    } else {
        "broken, then put right by the recovery after the run,"
    };
    let mut message = format!("{} {what} {}: {}", invariant.id, way_words(&way.way), violation_words(violation));
    let mut properties = json!({
        "way": way.way,
        "verdict": invariant.verdict,
        "step": violation.step,
        "at": violation.at,
        "faults": violation.faults,
    });
    if let Some(why) = &invariant.unpreventable {
        properties["unpreventable"] = json!(why);
        message.push_str(&format!("\nunpreventable: {why}"));
    }
    if !violation.faults.is_empty() {
        message.push_str(&format!("\nfaults: {}", violation.faults.join("; ")));
    }
    if let Some(accepted) = accepted {
        message.push_str(&format!(
            "\naccepted by entry {} of {} (line {}): {}; reviewed by {}",
            accepted.entry, accepted.file, accepted.line, accepted.reason, accepted.reviewer
        ));
        properties["accepted"] = json!({
            "entry": accepted.entry,
            "file": accepted.file,
            "line": accepted.line,
            "schedule": accepted.schedule,
            "reason": accepted.reason,
            "reviewer": accepted.reviewer,
        });
    }
    let counterexample =
        report.counterexamples.iter().find(|c| c.invariant == invariant.id && c.way == way.way && c.at == violation.at);
    if let Some(counterexample) = counterexample {
        properties["seed"] = json!(counterexample.seed);
        if let Some(saved) = &counterexample.file {
            let replay = format!("clusterproc replay {}", shell_word(saved));
            message.push_str(&format!("\ncounterexample: {saved}\nreplay: {replay}"));
            properties["counterexample"] = json!(saved);
            properties["replay"] = json!(replay);
        }
    }
    let line = violation.step.as_deref().and_then(|step| line_of_step(&report.steps, step));
    let mut found = result(&invariant.id, rule_index, level, message, file, line, properties);
    let fixes: Vec<Value> = report.repairs.iter().flat_map(|r| &r.found).map(|repair| fix(repair, file)).collect();
    if !fixes.is_empty() {
        found["fixes"] = json!(fixes);
    }
    Some(found)
}

/// The line of the step a report names (`6 install-active`).
fn line_of_step(steps: &[StepPlace], step: &str) -> Option<usize> {
    steps.iter().find(|place| place.step == step).map(|place| place.line)
}

fn invariant_rule(id: &str) -> Value {
    match Invariant::from_id(id) {
        Some(invariant) => {
            let description = invariant.description();
            let when = if invariant.is_safety() {
                "A safety invariant: it must hold at every moment of the run, faults or not."
            } else {
                "A final invariant: it is judged on the cluster once the run is over."
            };
            let help = format!(
                "Invariant {id}: {description}. {when} Each result is the shortest run found that breaks it, with \
                 the faults that struck; its counterexample file runs again with `clusterproc replay FILE`, and \
                 `clusterproc check PROCEDURE --suggest` searches for a change to the procedure that makes it hold \
                 (the result's fixes, when one was found)."
            );
            let kind = if invariant.is_safety() { "safety" } else { "final" };
            rule(id, description, &help, "error", Some(kind))
        }
        // A report from another version of clusterproc, read back by `--merge`.
        None => rule(id, id, &format!("Invariant {id}."), "error", None),
    }
}

fn rule(id: &str, short: &str, help: &str, level: &str, kind: Option<&str>) -> Value {
    let mut rule = json!({
        "id": id,
        "shortDescription": { "text": short },
        "help": { "text": help },
        "defaultConfiguration": { "level": level },
    });
    if let Some(kind) = kind {
        rule["properties"] = json!({ "kind": kind });
    }
    rule
}

fn result(
    rule_id: &str,
    rule_index: Option<usize>,
    level: &str,
    message: String,
    file: &Artifact,
    line: Option<usize>,
    properties: Value,
) -> Value {
    let mut result = json!({
        "ruleId": rule_id,
        "level": level,
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": file.location(),
            // No step: the procedure as a whole, its first line.
            "region": { "startLine": line.unwrap_or(1) },
        } }],
        "properties": properties,
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// A repair as a SARIF fix: its replacements of the file's regions, the last region first.
fn fix(repair: &RepairReport, file: &Artifact) -> Value {
    let replacements: Vec<Value> = repair
        .replacements
        .iter()
        .map(|r| {
            json!({
                "deletedRegion": {
                    "startLine": r.line,
                    "startColumn": r.column,
                    "endLine": r.end_line,
                    "endColumn": r.end_column,
                },
                "insertedContent": { "text": r.text },
            })
        })
        .collect();
    json!({
        "description": { "text": format!(
            "{} ({} on {}): the same check passes on the repaired procedure",
            repair.summary, repair.action, repair.on
        ) },
        "artifactChanges": [{
            "artifactLocation": file.location(),
            "replacements": replacements,
        }],
    })
}

/// The procedure file as SARIF names it: a path relative to the checkout (`%SRCROOT%`) as the
/// user gave it, or a `file` URI for an absolute path.
struct Artifact {
    uri: String,
    relative: bool,
}

impl Artifact {
    fn new(path: &str) -> Artifact {
        let path = path.replace('\\', "/");
        if let Some(absolute) = path.strip_prefix('/') {
            return Artifact { uri: format!("file:///{}", encode(absolute)), relative: false };
        }
        if path.as_bytes().get(1..3) == Some(b":/") && path.as_bytes()[0].is_ascii_alphabetic() {
            // A Windows drive: `C:/x` -> `file:///C:/x`.
            return Artifact { uri: format!("file:///{}:{}", &path[..1], encode(&path[2..])), relative: false };
        }
        let mut relative = path.as_str();
        while let Some(rest) = relative.strip_prefix("./") {
            relative = rest.trim_start_matches('/');
        }
        Artifact { uri: encode(relative), relative: true }
    }

    fn location(&self) -> Value {
        if self.relative { json!({ "uri": self.uri, "uriBaseId": "%SRCROOT%" }) } else { json!({ "uri": self.uri }) }
    }
}

/// A path as a URI's path: letters, digits, `-._~` and `/` as they are, every other byte
/// percent-encoded (a space, `%`, `#`, `?`, and a `:` that would read as a scheme).
fn encode(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests;
