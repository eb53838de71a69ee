//! Issue 9, point 1: output files are written whole, and only after the inputs are checked —
//! a refused or failed command leaves every existing file as it was.

use crate::support::{clusterproc, run_procedure};

const SEED: &str = "procedures/ssc0307-0006.toml";

#[test]
fn an_existing_report_survives_a_refused_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    std::fs::write(&report, "the report of yesterday's run").unwrap();
    let journal = dir.path().join("run");
    std::fs::create_dir_all(&journal).unwrap();
    std::fs::write(journal.join("journal.jsonl"), "").unwrap();
    // Refused: a journal is there already and this is not a resume.
    let run = run_procedure(SEED, &journal, &report);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "the report of yesterday's run");
}

#[test]
fn an_existing_report_survives_a_bad_procedure() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "{\"old\": true}").unwrap();
    let run = run_procedure("tests/data/broken/unknown-service.toml", &dir.path().join("run"), &report);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "{\"old\": true}");
    assert!(!dir.path().join("run").exists(), "no journal for a run that never started");
}

#[test]
fn a_report_is_replaced_whole_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("Report.HTML");
    std::fs::write(&report, "old").unwrap();
    let run = run_procedure(SEED, &dir.path().join("run"), &report);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"), "{html}");
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with(".clusterproc-")), "{names:?}");
}

#[test]
fn a_report_that_cannot_be_written_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("no-such-dir").join("report.html");
    let journal = dir.path().join("run");
    let run = run_procedure(SEED, &journal, &report);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write the report"), "{}", run.stderr);
    assert!(!journal.exists(), "the run did not start");
}

#[test]
fn check_refuses_a_save_directory_that_is_a_file_before_it_searches() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "keep me").unwrap();
    let run =
        clusterproc(&["check", "tests/data/broken/standby-after-resume.toml", "--save", &file.display().to_string()]);
    // Counterexamples that could not be saved: exit 3, found before the search.
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("it is not a directory"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing searched: {}", run.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn output_given_as_a_path_is_written_whole_and_survives_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("check.xml");
    let junit_arg = junit.display().to_string();
    let save = dir.path().join("cx").display().to_string();
    let run = clusterproc(&[
        "check",
        "tests/data/broken/standby-after-resume.toml",
        "--format",
        "junit",
        "--output",
        &junit_arg,
        "--save",
        &save,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "the report went to the file: {}", run.stdout);
    let xml = std::fs::read_to_string(&junit).unwrap();
    roxmltree::Document::parse(&xml).expect("valid XML");

    let refused = clusterproc(&["check", "tests/data/broken/unknown-service.toml", "--output", &junit_arg]);
    assert_eq!(refused.code, 2);
    assert_eq!(std::fs::read_to_string(&junit).unwrap(), xml, "left as it was");

    let plan = dir.path().join("plan.json");
    let run = clusterproc(&[
        "plan",
        "procedures/ssc0307-0006.toml",
        "--format",
        "json",
        "--output",
        &plan.display().to_string(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert!(value["steps"].as_array().is_some_and(|steps| steps.len() == 15));
}

#[test]
fn an_output_path_that_cannot_be_written_is_refused_before_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("missing").join("check.json").display().to_string();
    let run = clusterproc(&["check", "procedures/ssc0307-0006.toml", "--output", &output]);
    // Output that could not be written: exit 3, as README says, found before the search.
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("error: cannot write to {output}: No such file")), "{}", run.stderr);
    // The probe's random temporary name means nothing to the user.
    assert!(!run.stderr.contains(".clusterproc-"), "{}", run.stderr);
    let plan = clusterproc(&["plan", "procedures/ssc0307-0006.toml", "--output", &output]);
    assert_eq!(plan.code, 3, "{}", plan.stderr);
}

/// `--output` naming an input (through another spelling of its path, or a hard link) is
/// refused before anything is written: the input is left as it was.
#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let procedure = dir.path().join("procedure.toml");
    let original = std::fs::read_to_string(crate::support::root().join("procedures/ssc0307-0006.toml")).unwrap();
    std::fs::write(&procedure, &original).unwrap();
    let linked = dir.path().join("linked.toml");
    std::fs::hard_link(&procedure, &linked).unwrap();
    let input = procedure.display().to_string();
    let same = dir.path().join(".").join("procedure.toml").display().to_string();
    for (command, output) in [("plan", &same), ("check", &linked.display().to_string())] {
        let run = clusterproc(&[command, &input, "--output", output]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("writing it would replace the input"), "{}", run.stderr);
        assert_eq!(std::fs::read_to_string(&procedure).unwrap(), original, "{command} replaced its input");
    }
}

#[test]
fn output_to_a_special_file_or_through_a_link_is_written_there() {
    // /dev/stdout is the test's pipe: written in place, not replaced by a renamed file.
    let run = clusterproc(&["plan", "procedures/ssc0307-0006.toml", "--format", "json", "--output", "/dev/stdout"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(serde_json::from_str::<serde_json::Value>(&run.stdout).is_ok(), "{}", run.stdout);

    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("plan.txt");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("latest.txt");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let run = clusterproc(&["plan", "procedures/ssc0307-0006.toml", "--output", &link.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert!(std::fs::read_to_string(&real).unwrap().starts_with("Plan"), "its target has the plan");
}
