//! `clusterproc check` and `replay` through the CLI: the seed passes single and double
//! faults; a broken procedure fails with a replayable counterexample; mutants are caught by
//! the expected invariants; JUnit output is valid.

use std::path::Path;

use crate::support::{Run, clusterproc};

const SEED: &str = "procedures/ssc0307-0006.toml";
const BROKEN: &str = "tests/data/broken/standby-after-resume.toml";

fn check_in(save: &Path, args: &[&str]) -> Run {
    let save_arg = save.display().to_string();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--save", &save_arg]);
    let mut run = clusterproc(&all);
    run.stdout = run.stdout.replace(&save_arg, "[save]");
    run
}

#[test]
fn the_seed_passes_every_single_fault() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("check_seed_single", run.stdout);
    assert!(!dir.path().exists() || std::fs::read_dir(dir.path()).unwrap().next().is_none(), "no counterexample saved");
}

#[test]
fn the_seed_passes_every_double_fault() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "double", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["violated"], 0);
    assert!(report["runs"].as_u64().unwrap() > 5000, "{}", report["runs"]);
    assert!(report["invariants"].as_array().unwrap().iter().all(|i| i["verdict"] == "ok"));
}

#[test]
fn a_broken_procedure_fails_with_a_replayable_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("check_broken_single", run.stdout);

    let file = dir.path().join("pending-restart-skipped.json");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["invariant"], "pending-restart-skipped");
    assert_eq!(saved["faults"].as_array().unwrap().len(), 1, "the shortest story has one fault");

    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert_eq!(replay.code, 1, "{}\n{}", replay.stdout, replay.stderr);
    assert!(replay.stdout.contains("The trace is identical to the one check found."), "{}", replay.stdout);
    assert!(replay.stdout.contains("pending-restart-skipped is violated again: reproduced."), "{}", replay.stdout);
}

#[test]
fn random_schedules_shrink_to_a_minimal_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN, "--faults", "none", "--cases", "200", "--seed", "7", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let counterexamples = report["counterexamples"].as_array().unwrap();
    let found = counterexamples.iter().find(|c| c["invariant"] == "pending-restart-skipped").expect("found");
    assert_eq!(found["faults"].as_array().unwrap().len(), 1, "shrunk to the one fault that matters: {found}");
    assert!(found["faults"][0].as_str().unwrap().contains("ssc-node2 asks for a restart"), "{found}");
    let file = dir.path().join("pending-restart-skipped.json");
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert!(replay.stdout.contains("The trace is identical"), "{}", replay.stdout);
}

#[test]
fn mutants_of_the_seed_are_caught_by_the_expected_invariants() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "none", "--mutants", "--format", "json"]);
    assert_eq!(run.code, 0, "the seed itself is fine: {}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mutants = report["mutants"]["mutants"].as_array().unwrap();
    let caught_by = |name: &str| -> Vec<String> {
        let mutant = mutants.iter().find(|m| m["mutant"] == name).unwrap_or_else(|| panic!("no mutant {name}"));
        assert_eq!(mutant["caught"], true, "{name} is caught: {mutant}");
        mutant["caught_by"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    let expect = [
        ("drop suspend-cluster", "guard monitoring-during-apply"),
        ("drop stop-monitoring", "guard monitoring-during-apply"),
        ("drop install-standby", "partial-update"),
        ("drop resume-cluster", "cluster-not-restored"),
        ("drop move-to-standby", "failover-not-verified"),
        ("drop move-to-active", "cluster-not-restored"),
        ("restart-at-prompt install-active", "guard reboot-while-suspended"),
        ("stop-cluster-service-instead-of-suspend suspend-cluster", "guard registry-sync-stopped-during-apply"),
    ];
    for (mutant, invariant) in expect {
        let by = caught_by(mutant);
        assert!(by.iter().any(|b| b == invariant), "{mutant} caught by {by:?}, expected {invariant}");
    }
    let score = report["mutants"]["score"].as_f64().unwrap();
    assert!(score > 0.7, "mutation score {score}");
}

#[test]
fn junit_output_is_valid_junit_xml() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN, "--format", "junit"]);
    assert_eq!(run.code, 1);
    let document = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].tag_name().name(), "testsuite");
    let cases: Vec<_> = suites[0].children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 11, "one test case per invariant");
    assert_eq!(suites[0].attribute("tests"), Some("11"));
    assert_eq!(suites[0].attribute("failures"), Some("1"));
    for case in &cases {
        assert!(case.attribute("name").is_some() && case.attribute("classname").is_some());
    }
    let failed: Vec<_> = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attribute("name"), Some("pending-restart-skipped"));
    let failure = failed[0].children().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(failure.attribute("message").unwrap().contains("restart"));
    assert!(failure.text().unwrap().contains("installer asks for a restart"));
}

#[test]
fn check_of_a_bad_file_exits_2() {
    let run = clusterproc(&["check", "tests/data/broken/unknown-service.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: tests/data/broken/unknown-service.toml:18:13"), "{}", run.stderr);
}

#[test]
fn replay_refuses_an_edited_procedure() {
    let dir = tempfile::tempdir().unwrap();
    let procedure = dir.path().join("broken.toml");
    std::fs::copy(crate::support::root().join(BROKEN), &procedure).unwrap();
    let save = dir.path().join("cx");
    let run = check_in(&save, &[&procedure.display().to_string()]);
    assert_eq!(run.code, 1);
    let text = std::fs::read_to_string(&procedure).unwrap().replace("Unzip the software", "Unzip it");
    std::fs::write(&procedure, text).unwrap();
    let replay = clusterproc(&["replay", &save.join("pending-restart-skipped.json").display().to_string()]);
    assert_eq!(replay.code, 2, "{}", replay.stdout);
    assert!(replay.stderr.contains("changed since the counterexample was found"), "{}", replay.stderr);
}

/// See: review finding — a mutation swapping the last step parsed and then panicked.
#[test]
fn replay_refuses_a_mutation_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN]);
    assert_eq!(run.code, 1);
    let file = dir.path().join("pending-restart-skipped.json");
    let text =
        std::fs::read_to_string(&file).unwrap().replace("\"mutation\": null", "\"mutation\": \"swap check-active ?\"");
    std::fs::write(&file, text).unwrap();
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert_eq!(replay.code, 2, "{}\n{}", replay.stdout, replay.stderr);
    assert!(replay.stderr.contains("unknown mutation \"swap check-active ?\""), "{}", replay.stderr);
}
