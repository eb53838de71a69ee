//! Issue 9, point 2: a closed or full stdout or stderr never panics and never passes for a
//! success — every subcommand exits 3 (silently when the reader went away, like `| head`).

use std::process::Stdio;

use crate::support::{closed_pipe, clusterproc_to, clusterproc_with, full_device, root};

const SEED: &str = "procedures/ssc0307-0006.toml";

fn assert_output_failure((code, stderr): (i32, String), quiet: bool) {
    assert_eq!(code, 3, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    if quiet {
        assert!(!stderr.contains("error"), "EPIPE is silent: {stderr}");
    } else {
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error: cannot write to stdout")).count(), 1, "{stderr}");
    }
}

#[test]
fn plan_to_a_full_disk_exits_3() {
    assert_output_failure(clusterproc_to(&root(), &["plan", SEED], full_device()), false);
    assert_output_failure(clusterproc_to(&root(), &["plan", SEED, "--format", "json"], full_device()), false);
}

#[test]
fn plan_into_a_closed_pipe_exits_3_silently() {
    assert_output_failure(clusterproc_to(&root(), &["plan", SEED, "--format", "mermaid"], closed_pipe()), true);
}

#[test]
fn check_to_a_full_disk_is_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let args = ["check", SEED, "--faults", "none", "--save", &save];
    assert_output_failure(clusterproc_to(&root(), &args, full_device()), false);
}

#[test]
fn run_into_a_closed_pipe_finishes_the_run_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let journal_arg = journal.display().to_string();
    let result = clusterproc_to(&root(), &["run", SEED, "--journal", &journal_arg], closed_pipe());
    assert_output_failure(result, true);
    // The run went on to the end: its journal says so, whatever happened to its output.
    let text = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    assert!(text.lines().last().unwrap().contains("\"kind\":\"finished\""), "{text}");
}

#[test]
fn replay_and_help_to_a_full_disk_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let (code, _) = clusterproc_to(
        &root(),
        &["check", "tests/data/broken/standby-after-resume.toml", "--save", &save],
        Stdio::null(),
    );
    assert_eq!(code, 1);
    let file = dir.path().join("pending-restart-skipped.as-written.json").display().to_string();
    assert_output_failure(clusterproc_to(&root(), &["replay", &file], full_device()), false);
    assert_output_failure(clusterproc_to(&root(), &["--help"], full_device()), false);
}

#[test]
fn a_full_stderr_does_not_panic_either() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let (code, _) = clusterproc_with(&root(), &["run", SEED, "--journal", &journal], Stdio::null(), full_device());
    assert_eq!(code, 3, "the progress lines on stderr were lost");
}
