//! `check`'s report for people (text) and for CI systems (JUnit XML); the format asked for
//! (JSON as the model is, SARIF in `sarif`).

use std::fmt::Write as _;

use crate::shell_word::shell_word;

use procedure::text::counted;

use super::args::CheckFormat;
use super::model::{InvariantReport, Report, WayReport};
use super::words::{violation_words, way_words};
use run_report::escape as xml;

/// How many lines of its story a counterexample shows in text output, up to the violation.
const STORY_LINES: usize = 40;

/// A report in the format asked for.
pub(super) fn report(report: &Report, format: CheckFormat) -> String {
    match format {
        CheckFormat::Text => text(report),
        CheckFormat::Json => {
            let mut text = serde_json::to_string_pretty(report).expect("plain data");
            text.push('\n');
            text
        }
        CheckFormat::Junit => junit(report),
        CheckFormat::Sarif => super::sarif::log(report),
    }
}

pub(super) fn text(report: &Report) -> String {
    let candidate_faults = report.fault_kinds;
    let mut out = String::new();
    let _ = writeln!(out, "Check: {}", report.title);
    let _ = writeln!(out, "  cluster {}, simulator seed {}", report.cluster, report.seed);
    if report.faults == "none" {
        let _ = writeln!(out, "  faults  none in the search (--faults)");
    } else {
        let _ = writeln!(
            out,
            "  faults  up to {} a run, of {candidate_faults} kinds on the nodes and the group, at every point where \
             the cluster changes",
            report.faults,
        );
    }
    if let Some(cases) = report.cases {
        let schedules = counted(cases as u64, "fault schedule", "fault schedules");
        let _ =
            writeln!(out, "  random  {schedules} at step boundaries (--cases), shrunk when one breaks an invariant");
    }
    let ways: Vec<&str> = report
        .ways
        .iter()
        .map(|w| match w.way.as_str() {
            "as-written" => "as written (no guards: an operator following the text)",
            _ => "guarded (as `clusterproc run` runs it, refusing unsafe operations)",
        })
        .collect();
    let _ = writeln!(out, "  ways    {}", ways.join(" and "));
    if report.recovery && report.faults != "none" {
        let _ = writeln!(
            out,
            "  recovery  a run with faults that ends short of a serving cluster goes on with the recovery \
             `clusterproc recover` plans (--no-recovery: judged where it ends)"
        );
    }
    let _ = writeln!(out);
    if let Some(how_far) = &report.interrupted {
        let _ = writeln!(out, "INCOMPLETE: {how_far}");
        let _ = writeln!(
            out,
            "  The verdicts below cover only what was explored: \"ok\" means not seen violated there, not safe."
        );
        let _ = writeln!(out);
    }

    if !report.failures.is_empty() {
        let _ = writeln!(out, "FAILED");
        for failure in &report.failures {
            let way = failure.way.as_deref().map(|w| format!("{}: ", way_words(w))).unwrap_or_default();
            let what = match failure.kind.as_str() {
                "did-not-finish" => format!(
                    "without faults the procedure does not finish: step {}: {}",
                    failure.step.as_deref().unwrap_or("?"),
                    failure.reason
                ),
                "invariant" => format!(
                    "{} violated{}: {}",
                    failure.invariant.as_deref().unwrap_or("?"),
                    failure.step.as_deref().map(|s| format!(" at step {s}")).unwrap_or_default(),
                    failure.reason
                ),
                _ => failure.reason.clone(),
            };
            let _ = writeln!(out, "  {way}{what}");
        }
        let _ = writeln!(out);
    }

    let _ = writeln!(out, "Without faults");
    for way in &report.ways {
        let baseline = &way.baseline;
        let ending = match (&baseline.step, &baseline.reason) {
            (Some(step), Some(reason)) => format!("{} at step {step}: {reason}", baseline.ending),
            _ => baseline.ending.clone(),
        };
        let _ = writeln!(out, "  {:<11} {ending}", way_words(&way.way));
        for line in &baseline.monitor_recoveries {
            let _ = writeln!(out, "              {line}");
        }
        if !baseline.aftermath.is_empty() {
            let _ = writeln!(out, "              then, with nobody acting:");
            for line in &baseline.aftermath {
                let _ = writeln!(out, "                {line}");
            }
        }
    }
    if report.faults != "none" || report.ways.iter().any(|w| w.runs > 0) {
        let _ = writeln!(out, "With faults");
        for way in &report.ways {
            if let Some(search) = &way.search {
                let _ = writeln!(
                    out,
                    "  {:<11} {} states, {} transitions, depth {}, {} fault schedules",
                    way_words(&way.way),
                    search.states,
                    search.transitions,
                    search.depth,
                    search.schedules
                );
                if let Some(recoveries) = &search.recoveries {
                    let _ = writeln!(
                        out,
                        "  {:<11} recoveries after the runs: {} brought the cluster back, {} fell short, {} wait for a \
                         person (a hung installer, a group to start by hand)",
                        "", recoveries.serving, recoveries.short, recoveries.needs_operator
                    );
                }
            }
            let recovered = if report.recovery {
                format!(", {} broke invariants that the recovery after them put right", way.recovered)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<11} {} runs to their end: {} completed, {} stopped safely, {} broke an invariant{recovered}",
                if way.search.is_some() { "" } else { way_words(&way.way) },
                way.runs,
                way.completed,
                way.stopped_safely,
                way.violated
            );
        }
    }
    let _ = writeln!(out);
    invariants(&mut out, &report.ways);
    mutants(&mut out, report);
    accepted_risks(&mut out, report);
    counterexamples(&mut out, report);
    repairs(&mut out, report);
    out
}

/// The accepted-risks file's entries: what each matched, or why it is stale.
fn accepted_risks(out: &mut String, report: &Report) {
    let Some(accept) = &report.accept else { return };
    let _ = writeln!(out);
    let _ = writeln!(out, "Accepted risks ({})", accept.file);
    if accept.entries.is_empty() {
        let _ = writeln!(out, "  no entry");
    }
    for entry in &accept.entries {
        let way = entry.way.as_deref().map(|w| format!(", {}", way_words(w))).unwrap_or_default();
        let status = match &entry.stale {
            Some(why) => format!("STALE: {why}"),
            None => {
                let ways: Vec<&str> = entry.matched.iter().map(|w| way_words(w)).collect();
                format!("matched {}", ways.join(" and "))
            }
        };
        let _ = writeln!(
            out,
            "  {}. line {}: {}{way}, {} in step {}: {status}",
            entry.entry,
            entry.line,
            entry.invariant,
            entry.faults.join(", "),
            entry.step
        );
    }
}

/// `--suggest`'s repairs, each as a diff, or that none was found.
fn repairs(out: &mut String, report: &Report) {
    let Some(repairs) = &report.repairs else { return };
    let check = match report.faults.as_str() {
        "none" => "without faults".to_owned(),
        "1" => "with up to 1 fault".to_owned(),
        n => format!("with up to {n} faults"),
    };
    let _ = writeln!(out);
    if !repairs.unpreventable.is_empty() {
        let _ = writeln!(
            out,
            "Unpreventable: {}: no single edit (a step among the candidates ({}) inserted at any place, a step \
             moved, a step run on another node role) prevents {}; each invariant above says what the recovery \
             after the run did.",
            repairs.unpreventable.join(", "),
            repairs.candidates.join(", "),
            if repairs.unpreventable.len() == 1 { "it" } else { "them" }
        );
    }
    if repairs.found.is_empty() {
        let _ = writeln!(
            out,
            "No repair found: no single edit (a step among the candidates ({}) inserted at any place, a step moved, \
             a step run on another node role) makes this check pass.",
            repairs.candidates.join(", ")
        );
        return;
    }
    let _ = writeln!(
        out,
        "Repairs (each proven: the same fault search, {check}, passes every way on the repaired procedure; fewest edits, then earliest first)"
    );
    for (index, repair) in repairs.found.iter().enumerate() {
        let _ = writeln!(out, "{}. {}:", index + 1, repair.summary);
        out.push_str(&repair.diff);
    }
}

fn invariants(out: &mut String, ways: &[WayReport]) {
    let mut header = format!("{:<40}", "Invariants");
    for way in ways {
        let _ = write!(header, "{:<12}", way_words(&way.way));
    }
    let _ = writeln!(out, "{}", header.trim_end());
    let Some(first) = ways.first() else { return };
    for (index, invariant) in first.invariants.iter().enumerate() {
        let row: Vec<&InvariantReport> = ways.iter().map(|w| &w.invariants[index]).collect();
        let mut line = format!("  {:<38}", invariant.id);
        for cell in &row {
            let verdict = if cell.verdict == "violated" { "VIOLATED" } else { cell.verdict.as_str() };
            let _ = write!(line, "{verdict:<12}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
        for (way, cell) in ways.iter().zip(&row) {
            if let (None, Some(recovered)) = (&cell.violated, &cell.recovered) {
                let _ = writeln!(
                    out,
                    "      {}: broken at {}, then put right by the recovery after the run: {}",
                    way_words(&way.way),
                    recovered.at,
                    recovered.detail
                );
            }
            if let Some(violation) = &cell.violated {
                let _ = writeln!(out, "      {}: {}", way_words(&way.way), violation_words(violation));
            }
            if let Some(why) = &cell.unpreventable {
                let _ = writeln!(out, "      {}: unpreventable: {why}", way_words(&way.way));
            }
            if let Some(accepted) = &cell.accepted {
                let _ = writeln!(
                    out,
                    "      {}: accepted by entry {} of {} (line {}: {}; reviewed by {}): {}",
                    way_words(&way.way),
                    accepted.entry,
                    accepted.file,
                    accepted.line,
                    accepted.schedule,
                    accepted.reviewer,
                    accepted.reason
                );
                let _ = writeln!(out, "        {}", violation_words(&accepted.violation));
            }
            if let Some(prevented) = &cell.prevented {
                let _ = writeln!(
                    out,
                    "      {}: refused {} at step {}: {}",
                    way_words(&way.way),
                    prevented.operation,
                    prevented.step,
                    prevented.reason
                );
            }
        }
    }
}

fn mutants(out: &mut String, report: &Report) {
    let Some(mutants) = &report.mutants else { return };
    let _ = writeln!(out);
    let minimum = mutants.min_score.map(|m| format!(", minimum {:.0}%", m * 100.0)).unwrap_or_default();
    let _ = writeln!(
        out,
        "Mutants: {} made, {} equivalent (they cannot differ from the procedure); {} of the other {} caught \
         (mutation score {:.0}%{minimum}); {}",
        mutants.total,
        mutants.equivalent,
        mutants.caught,
        mutants.total - mutants.equivalent,
        mutants.score * 100.0,
        counted(mutants.findings as u64, "finding", "findings")
    );
    for mutant in &mutants.mutants {
        if let Some(why) = &mutant.equivalent {
            let _ = writeln!(out, "  equivalent  {} ({why})", mutant.mutant);
            continue;
        }
        let status = if mutant.caught {
            "caught"
        } else if mutant.finding {
            "SURVIVED"
        } else {
            "survived"
        };
        let note = if mutant.finding {
            "  finding: the step acts, and no invariant noticed"
        } else if !mutant.caught {
            "  (a check step: invariants cannot see it)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {status:<11} {}{note}", mutant.mutant);
        for way in &mutant.ways {
            let _ = writeln!(out, "                {:<12}{}", format!("{}:", way_words(&way.way)), way.summary);
        }
        if let Some(why) = &mutant.why_unseen {
            let _ = writeln!(out, "                {:<12}{why}", "why:");
        }
    }
}

fn counterexamples(out: &mut String, report: &Report) {
    if report.counterexamples.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Counterexamples (the shortest found for each invariant, each way)");
    for counterexample in &report.counterexamples {
        let _ = writeln!(out);
        let recovered = match counterexample.accepted {
            Some(entry) => format!(", accepted by entry {entry}"),
            None if counterexample.recovered => ", recovered".to_owned(),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{} ({}{recovered}) at {}: {}",
            counterexample.invariant,
            way_words(&counterexample.way),
            counterexample.at,
            counterexample.detail
        );
        let faults =
            if counterexample.faults.is_empty() { "none".to_owned() } else { counterexample.faults.join("; ") };
        let _ = writeln!(out, "  seed {}; faults: {faults}", counterexample.seed);
        if let Some(mutation) = &counterexample.mutation {
            let _ = writeln!(out, "  mutant: {mutation}");
        }
        for sentence in &counterexample.summary {
            let _ = writeln!(out, "  {sentence}");
        }
        let lines: Vec<&str> = counterexample.story.lines().collect();
        for line in story_shown(&lines, &counterexample.at, counterexample.recovered) {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(file) = &counterexample.file {
            let _ = writeln!(out, "  replay: clusterproc replay {}", shell_word(file));
        }
    }
}

/// The lines of a focused story that text output shows: the whole story when it is short;
/// else the last [`STORY_LINES`] up to the violation (all of a recovered run's, whose story
/// goes on to the end of its recovery) and the marked lines after them (the stop, the
/// recovery's end).
fn story_shown(lines: &[&str], at: &str, recovered: bool) -> Vec<String> {
    if lines.len() <= STORY_LINES {
        return lines.iter().map(|line| (*line).to_owned()).collect();
    }
    let time = |line: &str| line.get(procedure::story::MARK.len()..).unwrap_or(line).to_owned();
    let cut = match recovered {
        true => lines.len(),
        false => lines.iter().rposition(|line| time(line).starts_with(at)).map_or(lines.len(), |i| i + 1),
    };
    let from = cut.saturating_sub(STORY_LINES);
    let mut shown = Vec::new();
    if from > 0 {
        shown.push(format!("... ({} in the replay)", counted(from as u64, "earlier line", "earlier lines")));
    }
    shown.extend(lines[from..cut].iter().map(|line| (*line).to_owned()));
    let marked: Vec<String> = lines[cut..]
        .iter()
        .filter(|line| line.starts_with(procedure::story::MARK))
        .map(|line| (*line).to_owned())
        .collect();
    if !marked.is_empty() {
        shown.push(format!("... ({} more lines in the replay; the decisive ones:)", lines.len() - cut));
        shown.extend(marked);
    }
    shown
}

/// One test suite per way: a case for "completes without faults" and one per invariant; a
/// prevented invariant passes and says so in its output. With mutants, a suite for the score.
/// `no faults`, `up to 1 fault`, `up to 3 faults`, from the report's `faults`.
fn faults_words(faults: &str) -> String {
    match faults {
        "none" => "no faults".to_owned(),
        "1" => "up to 1 fault".to_owned(),
        n => format!("up to {n} faults"),
    }
}

pub(super) fn junit(report: &Report) -> String {
    let mut suites = String::new();
    let mut total_tests = 0;
    let mut total_failures = 0;
    let mut total_errors = 0;
    for way in &report.ways {
        let mut cases = String::new();
        let mut failures = 0;
        let baseline =
            report.failures.iter().find(|f| f.kind == "did-not-finish" && f.way.as_deref() == Some(&way.way));
        let _ = write!(
            cases,
            "    <testcase classname=\"clusterproc.{}.baseline\" name=\"completes without faults\"",
            xml(&way.way)
        );
        match baseline {
            None => cases.push_str("/>\n"),
            Some(failure) => {
                failures += 1;
                let message = format!("step {}: {}", failure.step.as_deref().unwrap_or("?"), failure.reason);
                let _ = writeln!(
                    cases,
                    ">\n      <failure message=\"{}\" type=\"did-not-finish\">{}</failure>\n    </testcase>",
                    xml(&message),
                    xml(&way.baseline.aftermath.join("\n"))
                );
            }
        }
        for invariant in &way.invariants {
            let _ = write!(
                cases,
                "    <testcase classname=\"clusterproc.{}.invariants.{}\" name=\"{}\"",
                xml(&way.way),
                invariant.kind,
                xml(&invariant.id)
            );
            if let Some(violation) = &invariant.violated {
                failures += 1;
                let story = report
                    .counterexamples
                    .iter()
                    .find(|c| c.invariant == invariant.id && c.way == way.way)
                    .map(|c| {
                        // Where the counterexample was saved and how to run it again, so that a
                        // CI dashboard's failure leads straight to it.
                        let replay = c.file.as_deref().map_or(String::new(), |file| {
                            format!("\ncounterexample: {file}\nreplay: clusterproc replay {}", shell_word(file))
                        });
                        let summary: String = c.summary.iter().map(|s| format!("{s}\n")).collect();
                        format!("seed {}; faults: {}{replay}\n{summary}{}", c.seed, c.faults.join("; "), c.story)
                    })
                    .unwrap_or_default();
                // An invariant no change to the procedure prevents says so, and how the cluster
                // came back.
                let (kind, why) = match &invariant.unpreventable {
                    Some(why) => ("unpreventable", format!("\nunpreventable: {why}")),
                    None => ("violated", String::new()),
                };
                let _ = writeln!(
                    cases,
                    ">\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>",
                    xml(&format!("violated at {}: {}{why}", violation.at, violation.detail)),
                    xml(&story)
                );
            } else if let Some(accepted) = &invariant.accepted {
                let replay = report
                    .counterexamples
                    .iter()
                    .find(|c| c.invariant == invariant.id && c.way == way.way && c.accepted.is_some())
                    .and_then(|c| c.file.as_deref())
                    .map_or(String::new(), |file| format!("\nreplay: clusterproc replay {}", shell_word(file)));
                let _ = writeln!(
                    cases,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&format!(
                        "accepted: violated at {}: {}\nfaults: {}\naccepted by entry {} of {} (line {}: {}): {}; \
                         reviewed by {}{replay}",
                        accepted.violation.at,
                        accepted.violation.detail,
                        accepted.violation.faults.join("; "),
                        accepted.entry,
                        accepted.file,
                        accepted.line,
                        accepted.schedule,
                        accepted.reason,
                        accepted.reviewer
                    ))
                );
            } else if let Some(recovered) = &invariant.recovered {
                let replay = report
                    .counterexamples
                    .iter()
                    .find(|c| c.invariant == invariant.id && c.way == way.way)
                    .and_then(|c| c.file.as_deref())
                    .map_or(String::new(), |file| format!("\nreplay: clusterproc replay {}", shell_word(file)));
                let _ = writeln!(
                    cases,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&format!(
                        "recovered: broken at {}: {}; the recovery after the run put it right{replay}",
                        recovered.at, recovered.detail
                    ))
                );
            } else if let Some(prevented) = &invariant.prevented {
                let _ = writeln!(
                    cases,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&format!(
                        "prevented: a guard refused {} at step {}: {}",
                        prevented.operation, prevented.step, prevented.reason
                    ))
                );
            } else {
                cases.push_str("/>\n");
            }
        }
        // A search cut short (or a merge with a part cut short or missing) is an error of
        // its own, so that a CI dashboard does not show the partial verdicts as green.
        let mut errors = 0;
        if let Some(how_far) = &report.interrupted {
            errors += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"clusterproc.{}.search\" name=\"search complete\">\n      <error \
                 message=\"{}\" type=\"incomplete\"/>\n    </testcase>",
                xml(&way.way),
                xml(&format!("incomplete: {how_far}"))
            );
        }
        let tests = way.invariants.len() + 1 + errors;
        total_tests += tests;
        total_failures += failures;
        total_errors += errors;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
            xml(&format!("{} ({}, {})", report.module, faults_words(&report.faults), way_words(&way.way)))
        );
        if let Some(how_far) = &report.interrupted {
            let _ = writeln!(
                suites,
                "    <properties><property name=\"interrupted\" value=\"{}\"/></properties>",
                xml(how_far)
            );
        }
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
    }
    if let Some(mutants) = &report.mutants {
        let failed = report.failures.iter().find(|f| f.kind == "mutation-score");
        total_tests += 1;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"1\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            xml(&format!("{} mutants", report.module)),
            u8::from(failed.is_some())
        );
        let _ = write!(suites, "    <testcase classname=\"clusterproc.mutants\" name=\"mutation score\"");
        let survivors: Vec<String> = mutants
            .mutants
            .iter()
            .filter(|m| m.finding)
            .map(|m| format!("{}: {}", m.mutant, m.why_unseen.as_deref().unwrap_or("")))
            .collect();
        match failed {
            Some(failure) => {
                total_failures += 1;
                let _ = writeln!(
                    suites,
                    ">\n      <failure message=\"{}\" type=\"mutation-score\">{}</failure>\n    </testcase>",
                    xml(&failure.reason),
                    xml(&survivors.join("\n"))
                );
            }
            None => {
                let _ = writeln!(
                    suites,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&format!("mutation score {:.0}%\n{}", mutants.score * 100.0, survivors.join("\n")))
                );
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    if let Some(accept) = &report.accept {
        // One case per entry: a stale entry fails it under --strict-accept, else says so.
        let failed = report.failures.iter().filter(|f| f.kind == "stale-accept").count();
        total_tests += accept.entries.len();
        total_failures += failed;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
            xml(&format!("{} accepted risks ({})", report.module, accept.file)),
            accept.entries.len()
        );
        for entry in &accept.entries {
            let name = format!("entry {} (line {}): {}", entry.entry, entry.line, entry.invariant);
            let _ = write!(suites, "    <testcase classname=\"clusterproc.accept\" name=\"{}\"", xml(&name));
            let said = match &entry.stale {
                Some(why) => format!("stale: {why}"),
                None => format!("matched {}", entry.matched.join(" and ")),
            };
            let tag = if entry.stale.is_some() && accept.strict { "failure" } else { "system-out" };
            let attributes = if tag == "failure" { " message=\"stale\" type=\"stale-accept\"" } else { "" };
            let _ = writeln!(suites, ">\n      <{tag}{attributes}>{}</{tag}>\n    </testcase>", xml(&said));
        }
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"clusterproc check\" tests=\"{total_tests}\" failures=\"{total_failures}\" \
             errors=\"{total_errors}\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}
