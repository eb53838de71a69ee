//! Issue 9, point 8: commands say where they write, `replay` works from any directory,
//! `--help` shows defaults, report extensions are case-insensitive, errors print once and
//! say what to do: an unsupported version before anything else, the field meant by a
//! misspelt one, where to pass a file of another kind, an empty file as empty.

use crate::support::{Run, clusterproc, clusterproc_in, root};

#[test]
fn check_says_where_it_saved_and_replay_works_from_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("cx");
    let save_arg = save.display().to_string();
    let run = clusterproc(&["check", "tests/data/broken/standby-after-resume.toml", "--save", &save_arg]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("Counterexamples saved in {save_arg}/")), "{}", run.stdout);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(save.join("pending-restart-skipped.as-written.json")).unwrap())
            .unwrap();
    let named = saved["procedure"].as_str().unwrap();
    assert!(named.ends_with("tests/data/broken/standby-after-resume.toml") && named.starts_with(".."), "{named}");
    // From another directory, with the file named by an absolute path.
    let elsewhere = tempfile::tempdir().unwrap();
    let replay = clusterproc_in(
        elsewhere.path(),
        &["replay", &save.join("pending-restart-skipped.as-written.json").display().to_string()],
    );
    assert_eq!(replay.code, 1, "{}", replay.stderr);
    assert!(replay.stdout.contains("is violated again: reproduced."), "{}", replay.stdout);
}

#[test]
fn run_says_where_its_journal_is() {
    let dir = tempfile::tempdir().unwrap();
    let run = clusterproc_in(dir.path(), &["run", &root().join("procedures/ssc0307-0006.toml").display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("journal  runs/SSC0307-0006-1/journal.jsonl"), "{}", run.stdout);
}

#[test]
fn help_shows_defaults() {
    let help = clusterproc(&["check", "--help"]);
    assert_eq!(help.code, 0);
    for default in ["[default: single]", "[default: 1]", "[default: text]", "[default: counterexamples]"] {
        assert!(help.stdout.contains(default), "{default} in {}", help.stdout);
    }
}

#[test]
fn an_unknown_report_extension_is_refused_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let run = clusterproc(&[
        "run",
        "procedures/ssc0307-0006.toml",
        "--journal",
        &dir.path().join("run").display().to_string(),
        "--report",
        &dir.path().join("r.JSON").display().to_string(),
        "--report",
        &dir.path().join("r.TXT").display().to_string(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("r.TXT: name the file .html or .json"), "{}", run.stderr);
    assert!(!run.stderr.contains("r.JSON"), "{}", run.stderr);
}

#[test]
fn a_file_error_prints_its_message_once() {
    let run = clusterproc(&["plan", "tests/data/broken/unknown-service.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.matches("unknown service `PVM Service`").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("help: did you mean `PVMService`?"), "{}", run.stderr);
    // A message too long for one line of the excerpt's header (it was printed twice).
    let run = clusterproc(&["run", "procedures/ssc0307-0006.toml", "--scenario", "procedures/ssc0307-0006.toml"]);
    assert_eq!(run.code, 2);
    let message = "unknown field `module`, expected one of `version`, `title`, `cluster`, `procedure`, `seed`, \
                   `guards`, `step`, `fault`, `expect`";
    assert_eq!(
        run.stderr.lines().next(),
        Some(format!("error: procedures/ssc0307-0006.toml:13:2: {message}").as_str())
    );
    assert_eq!(run.stderr.matches("`fault`, `expect`").count(), 1, "{}", run.stderr);
    assert!(!run.stderr.lines().any(|line| line.trim_start().starts_with("x ")), "{}", run.stderr);
}

#[test]
fn a_check_on_a_pipe_shows_no_progress_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let quiet = clusterproc(&["check", "procedures/ssc0307-0006.toml", "--cases", "200", "--save", &save]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "", "nothing on a pipe");
    let shown =
        clusterproc(&["check", "procedures/ssc0307-0006.toml", "--cases", "200", "--progress", "--save", &save]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stderr.starts_with("progress: "), "{}", shown.stderr);
}

/// `clusterproc plan` on the seed procedure with `from` replaced by `to`, saved as
/// `edited.toml` in `dir`.
fn plan_edited_seed(dir: &std::path::Path, from: &str, to: &str) -> Run {
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    assert!(seed.contains(from), "{from}");
    std::fs::write(dir.join("edited.toml"), seed.replacen(from, to, 1)).unwrap();
    clusterproc_in(dir, &["plan", "edited.toml"])
}

/// Asserts that `run` failed with exit 2, its first stderr line being `first`, and that the
/// message was printed once.
fn refused_once(run: &Run, first: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.lines().next(), Some(first), "{}", run.stderr);
    let message = first.rsplit_once(": ").map_or(first, |(_, message)| message);
    assert_eq!(run.stderr.matches(message).count(), 1, "{}", run.stderr);
}

#[test]
fn a_version_this_build_does_not_read_is_said_first() {
    let dir = tempfile::tempdir().unwrap();
    let run = plan_edited_seed(dir.path(), "version = 1", "version = 99999999999999999999");
    refused_once(
        &run,
        "error: edited.toml:8:11: unsupported procedure file version 99999999999999999999; this build reads version 1",
    );
    // A newer file may lack what version 1 requires: its version is what its reader needs.
    std::fs::write(dir.path().join("v2.toml"), "version = 2\n").unwrap();
    let run = clusterproc_in(dir.path(), &["plan", "v2.toml"]);
    refused_once(&run, "error: v2.toml:1:11: unsupported procedure file version 2; this build reads version 1");
    let run = clusterproc_in(dir.path(), &["plan", "procedure.toml", "--cluster", "v2.toml"]);
    refused_once(&run, "error: v2.toml:1:11: unsupported cluster description version 2; this build reads version 1");
}

#[test]
fn a_misspelt_field_gets_the_one_it_is_near() {
    let dir = tempfile::tempdir().unwrap();
    let run = plan_edited_seed(dir.path(), "title = ", "notess = \"x\"\ntitle = ");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown field `notess`"), "{}", run.stderr);
    assert!(run.stderr.contains("help: did you mean `note`?"), "{}", run.stderr);
    let run = plan_edited_seed(dir.path(), "id = \"unzip\"", "id = \"unzip\"\ntitel = \"x\"");
    assert!(run.stderr.contains("help: did you mean `title`?"), "{}", run.stderr);
    // Nothing near: the fields listed are the help.
    let run = plan_edited_seed(dir.path(), "title = ", "colour = \"x\"\ntitle = ");
    assert!(run.stderr.contains("help: check the spelling; the fields this table takes are listed above"));
}

#[test]
fn a_file_of_another_kind_is_said_to_be_one_and_where_it_goes() {
    let run = clusterproc(&["plan", "scenarios/cluster/ssc-two-node.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("help: this looks like a cluster description, not a procedure file: pass it with --cluster"),
        "{}",
        run.stderr
    );
    let run = clusterproc(&["plan", "scenarios/happy-path.toml"]);
    assert!(run.stderr.contains("this looks like a scenario, not a procedure file: pass it with --scenario"));
    let run = clusterproc(&["run", "procedures/ssc0307-0006.toml", "--scenario", "procedures/ssc0307-0006.toml"]);
    assert!(run.stderr.contains("this looks like a procedure file, not a scenario: give it as the PROCEDURE"));
    refused_once(
        &run,
        "error: procedures/ssc0307-0006.toml:13:2: unknown field `module`, expected one of `version`, `title`, \
         `cluster`, `procedure`, `seed`, `guards`, `step`, `fault`, `expect`",
    );
}

#[test]
fn an_empty_file_is_said_to_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.toml"), "").unwrap();
    let run = clusterproc_in(dir.path(), &["plan", "empty.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "error: empty.toml: the file is empty; a procedure file is expected\n");
    std::fs::write(dir.path().join("comments.toml"), "# nothing yet\n").unwrap();
    let run = clusterproc_in(dir.path(), &["plan", "comments.toml"]);
    assert_eq!(run.stderr, "error: comments.toml: the file holds no keys; a procedure file is expected\n");
}
