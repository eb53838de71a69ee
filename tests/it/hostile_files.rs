//! Issue 9, points 3, 4 and 5: input files are bounded in size (checked before and while
//! reading), counterexample files refuse unknown versions and fields with file and line, and
//! ids and names cannot hold control, line-break or bidirectional characters.

use std::path::Path;

use crate::support::{Run, clusterproc, root};

fn refused(run: &Run, expect: &str) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stderr.contains(expect), "expected {expect:?} in:\n{}", run.stderr);
}

#[test]
fn an_endless_file_stops_at_the_size_limit() {
    refused(&clusterproc(&["plan", "/dev/zero"]), "error: /dev/zero: the file is larger than 64 MiB");
    refused(&clusterproc(&["check", "procedures/ssc0307-0006.toml", "--cluster", "/dev/zero"]), "larger than 64 MiB");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    refused(&clusterproc(&["plan", &big.display().to_string()]), "the file is larger than 64 MiB");
}

#[test]
fn a_file_that_is_not_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"version = 1\n\xff\xfe").unwrap();
    refused(&clusterproc(&["plan", &binary.display().to_string()]), "not UTF-8 text (invalid byte at offset 12)");
}

/// The seed procedure with `from` replaced by `to`, in `dir`.
fn seed_with(dir: &Path, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    assert!(text.contains(from));
    let path = dir.join("edited.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path.display().to_string()
}

#[test]
fn a_step_id_with_a_bidi_override_is_refused_saying_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = seed_with(dir.path(), "id = \"unzip\"", "id = \"un\\u202Ezip\"");
    let run = clusterproc(&["plan", &path]);
    refused(
        &run,
        "edited.toml:72:6: `id` holds a bidirectional formatting character (U+202E) at character 3 of the name",
    );
}

#[test]
fn a_node_name_with_a_control_character_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/cluster/ssc-two-node.toml")).unwrap();
    let cluster = dir.path().join("cluster.toml");
    std::fs::write(&cluster, text.replace("\"ssc-node2\"", "\"ssc-node2\\u0007\"")).unwrap();
    let run = clusterproc(&["check", "procedures/ssc0307-0006.toml", "--cluster", &cluster.display().to_string()]);
    refused(&run, "`name` holds a control character (U+0007) at character 10 of the name");
}

#[test]
fn a_newline_in_a_service_name_is_refused_but_prose_may_break_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = seed_with(dir.path(), "services = [\"PVMService\"]", "services = [\"PVM\\nService\"]");
    refused(&clusterproc(&["plan", &path]), "`services` holds a line break (U+000A)");
    let path = seed_with(dir.path(), "title = \"Unzip the software\"", "title = \"Unzip\\tthe software\"");
    assert_eq!(clusterproc(&["plan", &path]).code, 0);
}

/// Replays a counterexample that `check` saved for the broken procedure, with `from`
/// replaced by `to` in the file.
fn replay_edited(from: &str, to: &str) -> Run {
    replay_edited_with(|text| {
        assert!(text.contains(from), "{from:?} in {text}");
        text.replace(from, to)
    })
}

/// Replays a counterexample that `check` saved for the broken procedure, its text edited.
fn replay_edited_with(edit: impl FnOnce(&str) -> String) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let run = clusterproc(&[
        "check",
        "tests/data/broken/standby-after-resume.toml",
        "--save",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let file = dir.path().join("pending-restart-skipped.as-written.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&text)).unwrap();
    clusterproc(&["replay", &file.display().to_string()])
}

/// See: user report — a counterexample naming `/etc/passwd` as its procedure had that file
/// opened and its first lines shown in the TOML error.
#[test]
fn a_counterexample_naming_an_absolute_path_is_refused_before_opening_it() {
    let run = replay_edited_with(|text| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let line = lines.iter().position(|l| l.starts_with("  \"procedure\":")).expect("the procedure's line");
        lines[line] = "  \"procedure\": \"/etc/passwd\",".to_owned();
        lines.join("\n")
    });
    refused(
        &run,
        "pending-restart-skipped.as-written.json:5:16: the procedure file is named by an absolute path, \"/etc/passwd\"",
    );
    assert!(!run.stderr.contains("root"), "the file was not opened:\n{}", run.stderr);
    let run = replay_edited("\"cluster\": null", "\"cluster\": \"/etc/passwd\"");
    refused(&run, "the cluster file is named by an absolute path");
}

/// See: user report — `unknown node "ssc-node9"` (and fault, service, step) said neither
/// file nor line.
#[test]
fn a_counterexample_naming_what_does_not_exist_is_refused_with_its_line() {
    let file = "pending-restart-skipped.as-written.json";
    let run = replay_edited("\"node\": \"ssc-node2\"", "\"node\": \"ssc-node9\"");
    refused(&run, &format!("{file}:17:15: fault 1: unknown node \"ssc-node9\""));
    assert!(run.stderr.contains("no node of the cluster has this name"), "{}", run.stderr);
    let run = replay_edited("\"fault\": \"restart-request\"", "\"fault\": \"meteor\"");
    refused(&run, &format!("{file}:16:16: fault 1: unknown fault \"meteor\""));
    let run = replay_edited("\"before_step\": \"install-standby\"", "\"before_step\": \"nap\"");
    refused(&run, &format!("{file}:15:22: fault 1: the procedure has no step \"nap\""));
    let run =
        replay_edited("\"fault\": \"restart-request\"", "\"fault\": \"service-dies\",\n      \"service\": \"Spooler\"");
    refused(&run, &format!("{file}:17:18: fault 1: unknown service \"Spooler\""));
    // A field the fault needs and lacks: the fault itself is shown.
    let run = replay_edited("\"fault\": \"restart-request\"", "\"fault\": \"service-dies\"");
    refused(&run, &format!("{file}:14:5: fault 1: the fault names no service"));
}

#[test]
fn a_counterexample_of_an_unknown_version_is_refused() {
    // A later version with a field this build does not know: the version is what is reported.
    let run = replay_edited("\"version\": 1,", "\"version\": 7,\n  \"new\": 1,");
    refused(&run, "pending-restart-skipped.as-written.json:2:3: unsupported counterexample version 7");
}

#[test]
fn a_counterexample_with_an_unknown_field_is_refused_with_its_line() {
    let run = replay_edited("\"seed\":", "\"sead\": 1,\n  \"seed\":");
    refused(&run, "pending-restart-skipped.as-written.json:10:");
    assert!(run.stderr.contains("unknown field `sead`"), "{}", run.stderr);
}

#[test]
fn a_counterexample_naming_an_unknown_invariant_is_refused() {
    let run = replay_edited("\"invariant\": \"pending-restart-skipped\"", "\"invariant\": \"x\\u001b[2J\"");
    refused(&run, "unknown invariant \"x\\u{1b}[2J\"");
    assert!(!run.stderr.contains('\u{1b}'), "no escape sequence reaches the terminal");
}

#[test]
fn markup_in_a_title_stays_text_in_every_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let path = seed_with(dir.path(), "title = \"Unzip the software\"", "title = \"Unzip <script>\\\"#x\\\"</script>\"");
    let mermaid = clusterproc(&["plan", &path, "--format", "mermaid"]);
    assert_eq!(mermaid.code, 0, "{}", mermaid.stderr);
    assert!(
        !mermaid.stdout.contains("<script>") && mermaid.stdout.contains("#lt;script#gt;#quot;#35;x"),
        "{}",
        mermaid.stdout
    );
    let json = clusterproc(&["plan", &path, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(plan["steps"][0]["title"], "Unzip <script>\"#x\"</script>");
}

#[test]
fn control_characters_in_a_file_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escape.toml");
    std::fs::write(&path, "version = 1\n# \u{1b}[2J\u{7} a comment\ntitle = \"x\"\n").unwrap();
    let run = clusterproc(&["plan", &path.display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("escape.toml:2:"), "{}", run.stderr);
    assert!(!run.stderr.contains(['\u{1b}', '\u{7}']), "{:?}", run.stderr);
}
