//! Issue 9, point 6: Ctrl-C (SIGINT) or SIGTERM stops a long `check` within a second; it
//! prints and saves the counterexamples found so far, says it was interrupted and how far it
//! got, and exits 130. A `run` interrupted at a manual step's prompt ends as the answer no
//! ends it: its summary, the journal, and the command that resumes it; then it exits 130.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::Command;

use crate::support::{binary, root, spawn, spawn_clusterproc};

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
    let status = crate::support::status(Command::new("kill").args([signal, &child.id().to_string()])).unwrap();
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

/// `word` single-quoted for the shell that `script` starts.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// What the operator does at the prompt: types `keys` on the terminal, or sends a signal.
enum AtThePrompt {
    Keys(&'static [u8]),
    Signal(&'static str),
}

/// Runs `clusterproc ARGS` in a terminal (script(1) gives it one) in the workspace root,
/// waits for the manual step's prompt, acts as `at_the_prompt` says, and returns the exit
/// code and everything the terminal showed, escape sequences and carriage returns removed.
fn at_a_prompt(args: &[&str], at_the_prompt: AtThePrompt) -> (Option<i32>, String) {
    let words: Vec<String> = args.iter().map(|word| quoted(word)).collect();
    in_a_terminal(&format!("clusterproc {}", words.join(" ")), at_the_prompt)
}

/// [`at_a_prompt`] for a command line as a user would type it in a POSIX shell, `clusterproc`
/// first.
fn in_a_terminal(command_line: &str, at_the_prompt: AtThePrompt) -> (Option<i32>, String) {
    use std::io::Write as _;
    let rest = command_line.strip_prefix("clusterproc ").expect("a clusterproc command line");
    // The shell says its pid and becomes clusterproc, so that a signal can reach it alone.
    let command = format!("echo pid=$$; exec {} {rest}", quoted(&binary().display().to_string()));
    let mut child = spawn(
        Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(root())
            .env("SHELL", "/bin/sh")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped()),
    );
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0; 4096];
    while !String::from_utf8_lossy(&seen).contains("Type `done` when it is done") {
        let read = stdout.read(&mut buffer).unwrap();
        assert_ne!(read, 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buffer[..read]);
    }
    let mut stdin = child.stdin.take().unwrap();
    match at_the_prompt {
        AtThePrompt::Keys(keys) => stdin.write_all(keys).unwrap(),
        AtThePrompt::Signal(signal) => {
            let text = String::from_utf8_lossy(&seen).into_owned();
            let pid = text.split("pid=").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap().to_owned();
            assert!(crate::support::status(Command::new("kill").args([signal, &pid])).unwrap().success());
        }
    }
    stdout.read_to_end(&mut seen).unwrap();
    drop(stdin);
    let code = child.wait().unwrap().code();
    let text = String::from_utf8_lossy(&seen).replace('\r', "");
    (code, strip_escapes(&text))
}

/// `text` without terminal escape sequences (ESC [ ... letter).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The part of a run's output from its summary's stop line to the end of its invariants.
fn ending(output: &str) -> &str {
    let start = output.find("Stopped at step").unwrap_or_else(|| panic!("no stop line: {output}"));
    let end = output.find("failover-not-verified").unwrap_or_else(|| panic!("no invariants: {output}"));
    &output[start..end]
}

#[test]
fn ctrl_c_at_a_manual_step_ends_the_run_as_no_does_and_says_how_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    // A run directory whose name a shell would split and whose quote it would take.
    let journal = dir.path().join("run 'one'");
    let journal_arg = journal.display().to_string();
    let args = ["run", "tests/data/manual-step.toml", "--journal", &journal_arg];
    let (code, interrupted) = at_a_prompt(&args, AtThePrompt::Keys(b"\x03"));
    assert_eq!(code, Some(130), "{interrupted}");
    assert!(interrupted.contains("The cluster has been suspended since"), "{interrupted}");
    assert!(interrupted.contains("interrupted: the run stopped; the journal"), "{interrupted}");
    let resume = format!("  clusterproc run tests/data/manual-step.toml --journal {} --resume\n", quoted(&journal_arg));
    assert!(interrupted.contains(&resume), "{resume} in {interrupted}");
    let journal_text = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    assert!(journal_text.contains(r#""confirmed":false"#), "{journal_text}");

    let no_dir = dir.path().join("no");
    let no_arg = no_dir.display().to_string();
    let (code, answered_no) =
        at_a_prompt(&["run", "tests/data/manual-step.toml", "--journal", &no_arg], AtThePrompt::Keys(b"no\n"));
    assert_eq!(code, Some(1), "{answered_no}");
    assert_eq!(
        ending(&interrupted).replace(&quoted(&journal_arg), "DIR"),
        ending(&answered_no).replace(&no_arg, "DIR")
    );

    // The command shown resumes the run, copied as it is.
    let (code, resumed) = in_a_terminal(resume.trim(), AtThePrompt::Keys(b"done\n"));
    assert_eq!(code, Some(0), "{resumed}");
    assert!(resumed.contains("Resuming") && resumed.contains("Completed:"), "{resumed}");
}

#[test]
fn sigterm_at_a_manual_step_ends_the_run_as_no_does() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let journal_arg = journal.display().to_string();
    let args = ["run", "tests/data/manual-step.toml", "--journal", &journal_arg];
    let (code, output) = at_a_prompt(&args, AtThePrompt::Signal("-TERM"));
    assert_eq!(code, Some(130), "{output}");
    assert!(ending(&output).contains("the operator did not confirm the manual step"), "{output}");
    assert!(output.contains(&format!("--journal {journal_arg} --resume")), "{output}");
}
