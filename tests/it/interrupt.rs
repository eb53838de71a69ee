//! Issue 9, point 6: Ctrl-C (SIGINT) or SIGTERM stops a long `check` within a second; it
//! prints and saves the counterexamples found so far, says it was interrupted and how far it
//! got, and exits 130.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::Command;

use crate::support::spawn_clusterproc;

/// Starts a check that would run for days, waits for its first progress line after some
/// runs, sends `signal` with kill(1), and returns exit code, stdout and stderr.
fn interrupt_check(signal: &str, save: &std::path::Path, format: &str) -> (Option<i32>, String, String) {
    let save = save.display().to_string();
    let mut child = spawn_clusterproc(&[
        "check",
        "tests/data/unsafe/stop-registry-sync.toml",
        "--faults",
        "none",
        "--format",
        format,
        "--cases",
        "100000000",
        "--progress",
        "--save",
        &save,
    ]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    // Progress lines come once a second; the second one comes after runs have been made.
    let mut progress_lines = 0;
    while progress_lines < 2 {
        let mut line = String::new();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "check ended early: {seen}");
        progress_lines += usize::from(line.starts_with("progress: "));
        seen.push_str(&line);
    }
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let code = child.wait().unwrap().code();
    (code, stdout, seen + &rest)
}

#[test]
fn sigint_keeps_the_counterexamples_found_so_far() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = interrupt_check("-INT", dir.path(), "text");
    assert_eq!(code, Some(130), "{stdout}\n{stderr}");
    assert!(stdout.contains("Interrupted: the search stopped after"), "{stdout}");
    assert!(stdout.contains("random schedules); the counterexamples shown are those found so far"), "{stdout}");
    assert!(stdout.contains("VIOLATED"), "{stdout}");
    assert!(stderr.contains("interrupted: the search stopped after"), "{stderr}");
    let saved: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!saved.is_empty(), "counterexamples saved: {stdout}");
    for name in saved {
        let name = name.to_string_lossy().into_owned();
        assert!(name.ends_with(".json") && stdout.contains(&name), "{name} is reported: {stdout}");
    }
}

#[test]
fn sigterm_stops_the_check_too_and_junit_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = interrupt_check("-TERM", dir.path(), "junit");
    assert_eq!(code, Some(130), "{stdout}");
    let document = roxmltree::Document::parse(&stdout).expect("valid JUnit XML");
    let property = document.descendants().find(|n| n.has_tag_name("property")).expect("a property");
    assert_eq!(property.attribute("name"), Some("interrupted"));
    assert!(property.attribute("value").unwrap().starts_with("the search stopped after"), "{stdout}");
}
