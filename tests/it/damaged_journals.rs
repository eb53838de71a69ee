//! Issue 9, points 2 and 4: a journal damaged by a crash, a full disk or a hand edit is
//! refused with its file, line and field — numbers out of range, unknown versions, unknown
//! fields — never a panic, and a resumed run never rewrites its history.

use std::path::{Path, PathBuf};

use crate::support::{Run, clusterproc};

const SEED: &str = "procedures/ssc0307-0006.toml";

/// The journal directory of a completed run of the seed.
fn completed_run(dir: &Path) -> PathBuf {
    let journal = dir.join("run");
    let run = clusterproc(&["run", SEED, "--journal", &journal.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    journal
}

/// A run of the seed cut off after its first 20 journal lines, as a crash would leave it.
fn cut_run(dir: &Path) -> PathBuf {
    let journal = completed_run(dir);
    let file = journal.join("journal.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let cut: String = text.lines().take(20).map(|line| format!("{line}\n")).collect();
    std::fs::write(&file, cut).unwrap();
    journal
}

fn resume(journal: &Path) -> Run {
    clusterproc(&["run", SEED, "--resume", "--journal", &journal.display().to_string()])
}

/// Edits line `number` (one-based) of the journal with `edit`.
fn edit_line(journal: &Path, number: usize, edit: impl Fn(&str) -> String) {
    let file = journal.join("journal.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| if i + 1 == number { edit(line) } else { line.to_owned() } + "\n")
        .collect();
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&file, edited).unwrap();
}

/// The one-based number of the journal's first intent line.
fn first_intent(journal: &Path) -> usize {
    let text = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    text.lines().position(|l| l.contains("\"kind\":\"intent\"")).expect("an intent") + 1
}

fn refused(run: &Run, expect: &str) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stderr.contains(expect), "expected {expect:?} in:\n{}", run.stderr);
}

/// Replaces the number after `"field":` with `value`.
fn set_number(line: &str, field: &str, value: &str) -> String {
    let key = format!("\"{field}\":");
    let start = line.find(&key).unwrap_or_else(|| panic!("{field} in {line}")) + key.len();
    let end = start + line[start..].find([',', '}']).unwrap();
    format!("{}{value}{}", &line[..start], &line[end..])
}

#[test]
fn a_time_near_u64_max_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    edit_line(&journal, 20, |line| set_number(line, "at_ms", "18446744073709551000"));
    refused(&resume(&journal), "journal.jsonl:20: `at_ms` is 18446744073709551000, out of range");
}

#[test]
fn an_operation_number_at_u64_max_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    let line = first_intent(&journal);
    edit_line(&journal, line, |l| set_number(l, "op", "18446744073709551615"));
    refused(&resume(&journal), &format!("journal.jsonl:{line}: `op` is 18446744073709551615, out of range"));
}

#[test]
fn a_step_beyond_the_procedure_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    let line = first_intent(&journal);
    edit_line(&journal, line, |l| set_number(l, "step", "4294967295"));
    refused(&resume(&journal), &format!("journal.jsonl:{line}: `step` is 4294967295, out of range (at most 14)"));
}

#[test]
fn an_unknown_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    // A later version with a field this build does not know: the version is what is reported.
    edit_line(&journal, 1, |line| set_number(line, "version", "2").replacen('{', "{\"operator\":\"x\",", 1));
    refused(&resume(&journal), "journal.jsonl:1: unsupported journal version 2; this build reads version 1");
}

#[test]
fn an_unknown_field_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    edit_line(&journal, 5, |line| line.replacen('{', "{\"operator\":\"mallory\",", 1));
    refused(&resume(&journal), "journal.jsonl:5: not a journal record: unknown field `operator`");
}

#[test]
fn a_refused_resume_leaves_the_journal_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    edit_line(&journal, 20, |line| set_number(line, "at_ms", "18446744073709551000"));
    let before = std::fs::read(journal.join("journal.jsonl")).unwrap();
    refused(&resume(&journal), "out of range");
    assert_eq!(std::fs::read(journal.join("journal.jsonl")).unwrap(), before);
}

#[test]
fn a_resumed_run_only_appends() {
    let dir = tempfile::tempdir().unwrap();
    let journal = cut_run(dir.path());
    let before = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    let run = resume(&journal);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let after = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    assert!(after.starts_with(&before) && after.len() > before.len());
}

#[test]
fn a_scenario_run_resumed_without_its_scenario_says_to_add_it() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let journal_arg = journal.display().to_string();
    let scenario = "scenarios/run-standby-unreachable.toml";
    let first = clusterproc(&["run", SEED, "--scenario", scenario, "--journal", &journal_arg]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    refused(&resume(&journal), "the run used --scenario scenarios/run-standby-unreachable.toml: add --scenario FILE");
}

#[test]
fn resuming_a_completed_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = completed_run(dir.path());
    let before = std::fs::read(journal.join("journal.jsonl")).unwrap();
    let again = resume(&journal);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("already completed"), "{}", again.stdout);
    assert_eq!(std::fs::read(journal.join("journal.jsonl")).unwrap(), before);
}

#[test]
fn a_resume_refused_after_looking_at_the_cluster_leaves_the_journal_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let journal = completed_run(dir.path());
    // Keep the journal up to the suspend's outcome, without the record of its step starting:
    // the cluster rebuilt from it is suspended, which the journal then cannot explain.
    let file = journal.join("journal.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let step = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"step-started\"") && l.contains("\"suspend-cluster\""))
        .unwrap();
    let intent = lines.iter().position(|l| l.contains("\"verb\":\"suspend-cluster\"")).unwrap();
    let outcome = intent + 1 + lines[intent + 1..].iter().position(|l| l.contains("\"kind\":\"outcome\"")).unwrap();
    let kept: String =
        lines[..=outcome].iter().enumerate().filter(|&(i, _)| i != step).map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&file, &kept).unwrap();
    refused(&resume(&journal), "the cluster is suspended, but the journal never got to suspending it");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), kept);
}
