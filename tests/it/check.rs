//! `clusterproc check` and `replay` through the CLI: the seed passes single and double
//! faults both ways (as written and guarded); a broken procedure fails with a replayable
//! counterexample; a procedure that cannot finish fails; guards show as `prevented`; a stop
//! is judged on what happens next; mutants are caught both ways, survivors explained, and a
//! minimum mutation score fails CI; JUnit output is valid.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, clusterproc};

const SEED: &str = "procedures/ssc0307-0006.toml";
const REGISTRY_EXAMPLE: &str = "procedures/examples/registry-changing-module.toml";
const BROKEN: &str = "tests/data/broken/standby-after-resume.toml";

/// The seed procedure with one change, written into `dir`: broken variants are made from the
/// seed itself rather than kept as copies of it.
fn seed_variant(dir: &Path, name: &str, change: impl FnOnce(String) -> String) -> String {
    let seed = std::fs::read_to_string(crate::support::root().join(SEED)).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, change(seed)).unwrap();
    path.display().to_string()
}

/// The seed with a last step that unzips the module again, onto the mirror drive: every
/// earlier step is fine; the run cannot finish safely.
fn mirror_at_the_end(dir: &Path) -> String {
    seed_variant(dir, "trailing-mirror-unzip.toml", |seed| {
        seed + r#"
[[step]]
id = "unzip-again"
title = "Unzip the software once more, onto the shared disk"
on = "active"
action = "unzip-module"
folder = 'E:\Temp\SSC0307-0006'
text = "Extract SSC0307-0006.zip onto the mirror drive, so that both servers could use it."
"#
    })
}

/// The seed whose last check looks for the services on the standby, after the group is back
/// on the active node: it can never hold.
fn wrong_node_at_the_end(dir: &Path) -> String {
    seed_variant(dir, "check-on-wrong-node.toml", |seed| {
        let last = seed.rfind("id = \"check-active\"").expect("the seed's last check");
        let (head, tail) = seed.split_at(last);
        format!("{head}{}", tail.replacen("on = \"active\"", "on = \"standby\"", 1))
    })
}

fn check_in(save: &Path, args: &[&str]) -> Run {
    let save_arg = save.display().to_string();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--save", &save_arg]);
    let mut run = clusterproc(&all);
    run.stdout = run.stdout.replace(&save_arg, "[save]");
    run
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("JSON output: {e}\n{}\n{}", run.stdout, run.stderr))
}

/// The way (`as-written` or `guarded`) of a JSON report.
fn way<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["ways"].as_array().unwrap().iter().find(|w| w["way"] == id).unwrap_or_else(|| panic!("no way {id}"))
}

fn invariant<'a>(way: &'a Value, id: &str) -> &'a Value {
    way["invariants"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()
}

fn junit_cases(xml: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut cases = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let listed: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let failed: usize = suite.attribute("failures").unwrap().parse().unwrap();
        let suite_cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(suite_cases.len(), listed);
        let failures = suite_cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
        assert_eq!(failures, failed);
        for case in suite_cases {
            let failure = case
                .children()
                .find(|n| n.has_tag_name("failure"))
                .map(|f| format!("{}\n{}", f.attribute("message").unwrap_or_default(), f.text().unwrap_or_default()));
            let out = case.children().find(|n| n.has_tag_name("system-out")).and_then(|n| n.text()).map(str::to_owned);
            cases.push((
                case.attribute("classname").unwrap().to_owned(),
                case.attribute("name").unwrap().to_owned(),
                failure,
                out,
            ));
        }
    }
    cases
}

#[test]
fn the_seed_passes_every_single_fault_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("check_seed_single", run.stdout);
    assert!(!dir.path().exists() || std::fs::read_dir(dir.path()).unwrap().next().is_none(), "no counterexample saved");
}

#[test]
fn two_faults_anywhere_find_what_the_seed_text_leaves_open_and_the_guards_prevent() {
    // Two false alarms of a service monitor before the suspend exhaust its restarts and fail
    // the group over to the standby. The text never checks where the group is before the
    // install: as written, the installer runs on the node that was active at the start, with
    // registry sync online on the other. Guarded, the install is refused.
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "double", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    let as_written = way(&report, "as-written");
    let stopped = invariant(as_written, "registry-sync-stopped-during-apply");
    assert_eq!(stopped["verdict"], "violated", "{stopped}");
    let faults = stopped["violated"]["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 2, "{stopped}");
    assert!(faults.iter().all(|f| f.as_str().unwrap().contains("raises a false alarm")), "{stopped}");
    let guarded = way(&report, "guarded");
    assert_eq!(invariant(guarded, "registry-sync-stopped-during-apply")["verdict"], "prevented");
    assert_eq!(guarded["violated"], 0);
    for way in [as_written, guarded] {
        assert_eq!(way["baseline"]["ending"], "completed");
        let search = &way["search"];
        assert_eq!(search["max_faults"], 2);
        assert!(search["states"].as_u64().unwrap() > 10_000, "{search}");
        assert_eq!(search["states_per_fault_count"].as_array().unwrap().len(), 3);
    }
    // Replayed exactly from the file, faults struck after the same transitions.
    let file = dir.path().join("registry-sync-stopped-during-apply.as-written.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(saved["faults"][0]["after_transition"].as_u64().is_some(), "{saved}");
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert!(replay.stdout.contains("The trace is identical"), "{}", replay.stdout);
    assert!(replay.stdout.contains("is violated again: reproduced."), "{}", replay.stdout);
}

#[test]
fn a_broken_procedure_fails_with_a_replayable_counterexample_each_way() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("check_broken_single", run.stdout);
    assert!(run.stdout.starts_with("Check:") && run.stdout.contains("\nFAILED\n"), "{}", run.stdout);

    for way in ["as-written", "guarded"] {
        let file = dir.path().join(format!("pending-restart-skipped.{way}.json"));
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(saved["invariant"], "pending-restart-skipped");
        assert_eq!(saved["way"], way);
        assert_eq!(saved["faults"].as_array().unwrap().len(), 1, "the shortest story has one fault");

        let replay = clusterproc(&["replay", &file.display().to_string()]);
        assert_eq!(replay.code, 1, "{}\n{}", replay.stdout, replay.stderr);
        assert!(replay.stdout.contains("The trace is identical to the one check found."), "{}", replay.stdout);
        assert!(replay.stdout.contains("pending-restart-skipped is violated again: reproduced."), "{}", replay.stdout);
    }
}

#[test]
fn random_schedules_shrink_to_a_minimal_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(
        dir.path(),
        &[BROKEN, "--faults", "none", "--cases", "200", "--seed", "7", "--format", "json", "--guards", "on"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    let counterexamples = report["counterexamples"].as_array().unwrap();
    let found = counterexamples.iter().find(|c| c["invariant"] == "pending-restart-skipped").expect("found");
    assert_eq!(found["faults"].as_array().unwrap().len(), 1, "shrunk to the one fault that matters: {found}");
    assert!(found["faults"][0].as_str().unwrap().contains("ssc-node2 asks for a restart"), "{found}");
    let file = dir.path().join("pending-restart-skipped.guarded.json");
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert!(replay.stdout.contains("The trace is identical"), "{}", replay.stdout);
}

#[test]
fn a_procedure_that_cannot_finish_without_faults_fails() {
    // The last step unzips onto the mirror drive: as written it breaks
    // module-on-mirror-drive; guarded, the guard refuses it and the run cannot finish.
    let procedures = tempfile::tempdir().unwrap();
    let mirror = mirror_at_the_end(procedures.path());
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[&mirror, "--faults", "none"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = run.stdout.split("\n\n").nth(1).unwrap();
    assert!(failed.starts_with("FAILED\n"), "the failure comes first: {}", run.stdout);
    assert!(failed.contains("guarded: without faults the procedure does not finish: step #16 unzip-again"), "{failed}");

    let run = check_in(dir.path(), &[&mirror, "--faults", "none", "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = json(&run);
    assert_eq!(report["passed"], false);
    let did_not_finish = report["failures"].as_array().unwrap().iter().find(|f| f["kind"] == "did-not-finish").unwrap();
    assert_eq!(did_not_finish["way"], "guarded");
    assert_eq!(did_not_finish["step"], "#16 unzip-again");
    assert!(did_not_finish["reason"].as_str().unwrap().contains("mirror drive"), "{did_not_finish}");
    // As written the consequence shows, with the events that prove it; guarded, the guard
    // prevented it: never "ok".
    let as_written = invariant(way(&report, "as-written"), "module-on-mirror-drive");
    assert_eq!(as_written["verdict"], "violated");
    let events = as_written["violated"]["events"].as_array().unwrap();
    assert!(events[0].as_str().unwrap().contains("module unzipped onto the mirror drive"), "{as_written}");
    let guarded = invariant(way(&report, "guarded"), "module-on-mirror-drive");
    assert_eq!(guarded["verdict"], "prevented", "{guarded}");
    assert_eq!(guarded["prevented"]["step"], "#16 unzip-again");
    assert_eq!(guarded["prevented"]["operation"], "unzip-module on ssc-node1");
    assert_eq!(guarded["prevented"]["invariant"], "module-on-mirror-drive");

    let run = check_in(dir.path(), &[&mirror, "--faults", "none", "--format", "junit"]);
    assert_eq!(run.code, 1);
    let cases = junit_cases(&run.stdout);
    let baseline = cases.iter().find(|c| c.0 == "clusterproc.guarded.baseline").unwrap();
    assert!(baseline.2.as_deref().unwrap().contains("step #16 unzip-again"), "{baseline:?}");
    let prevented = cases
        .iter()
        .find(|c| c.0 == "clusterproc.guarded.invariants.safety" && c.1 == "module-on-mirror-drive")
        .unwrap();
    assert!(prevented.2.is_none(), "a prevented invariant is not a failure: {prevented:?}");
    assert!(prevented.3.as_deref().unwrap().starts_with("prevented: a guard refused unzip-module"), "{prevented:?}");
    let violated = cases
        .iter()
        .find(|c| c.0 == "clusterproc.as-written.invariants.safety" && c.1 == "module-on-mirror-drive")
        .unwrap();
    assert!(violated.2.is_some(), "{violated:?}");
}

#[test]
fn a_last_check_on_the_wrong_node_fails() {
    let procedures = tempfile::tempdir().unwrap();
    let wrong_node = wrong_node_at_the_end(procedures.path());
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[&wrong_node, "--faults", "none", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    for id in ["as-written", "guarded"] {
        let way = way(&report, id);
        assert_eq!(way["baseline"]["ending"], "stopped");
        assert_eq!(way["baseline"]["step"], "15 check-active");
        assert!(way["baseline"]["reason"].as_str().unwrap().contains("is not running on ssc-node2"), "{way}");
    }
}

#[test]
fn a_crash_during_the_apply_is_judged_on_what_happens_next() {
    // The active node crashes while the cluster is suspended after the module wrote its
    // registry values; the run stops there. With nobody acting, the node comes back, starts
    // the group, and registry sync restores an image that never captured the values. Judged
    // where the run ends (--no-recovery), that is the verdict.
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[REGISTRY_EXAMPLE, "--format", "json", "--no-recovery"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    for id in ["as-written", "guarded"] {
        let rolled_back = invariant(way(&report, id), "registry-rolled-back");
        assert_eq!(rolled_back["verdict"], "violated", "{id}: {rolled_back}");
        let faults = rolled_back["violated"]["faults"].as_array().unwrap();
        assert_eq!(faults.len(), 1, "{rolled_back}");
        let fault = faults[0].as_str().unwrap();
        assert!(
            fault.starts_with("ssc-node1 crashes at ") && fault.contains("during step 6 install-active"),
            "{fault}"
        );
        let counterexample = report["counterexamples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["way"] == id && c["invariant"] == "registry-rolled-back")
            .unwrap();
        let story = counterexample["story"].as_str().unwrap();
        let stop = story.find("the run stopped; from here on nobody acts").expect("the stop is in the story");
        let boot = story.find("ssc-node1  node booted").expect("the node comes back");
        let restore = story.find("lost \"3.7.0001\" written by the installer").expect("the keys roll back");
        assert!(stop < boot && boot < restore, "{story}");
    }
}

#[test]
fn the_recovery_after_a_crash_mid_install_puts_the_rolled_back_values_right() {
    // The same crash mid-install, followed by the recovery `clusterproc recover` plans: the
    // module is installed again on the crashed node in a window of its own, and the values
    // are back. That run counts as recovered, and its story shows the recovery to its end.
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[REGISTRY_EXAMPLE, "--format", "json", "--guards", "on"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    assert_eq!(report["recovery"], true);
    let way = way(&report, "guarded");
    assert!(way["recovered"].as_u64().unwrap() > 0, "{way}");
    let rolled_back = invariant(way, "registry-rolled-back");
    assert_eq!(rolled_back["verdict"], "recovered", "{rolled_back}");
    let with_recovery = way["violated"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let judged_where_it_ends =
        check_in(dir.path(), &[REGISTRY_EXAMPLE, "--format", "json", "--guards", "on", "--no-recovery"]);
    let without = json(&judged_where_it_ends);
    assert_eq!(without["recovery"], false);
    let without = way_of(&without, "guarded")["violated"].as_u64().unwrap();
    assert!(with_recovery < without, "recovery puts runs right: {with_recovery} broke with it, {without} without");
    // A crash during the first install: replayed with recovery, the story runs through the
    // recovery's steps to a serving cluster.
    let (_, replay) = crash_mid_install_replay(dir.path());
    assert!(replay.contains("== recovery 1: "), "{replay}");
    assert!(replay.contains("Install EXAMPLE-0001 on ssc-node1"), "{replay}");
    assert!(replay.contains("== the recovery ended: the cluster serves"), "{replay}");
}

fn way_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    way(report, id)
}

/// Saves a counterexample of the crash during step 6 found without recovery, turns recovery
/// on in it, and replays it: the replay's exit code and output.
fn crash_mid_install_replay(dir: &Path) -> (i32, String) {
    let run = check_in(dir, &[REGISTRY_EXAMPLE, "--format", "json", "--guards", "on", "--no-recovery"]);
    let report = json(&run);
    let counterexample = report["counterexamples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["invariant"] == "registry-rolled-back")
        .expect("the crash mid-install is found");
    let file = counterexample["file"].as_str().unwrap().replace("[save]", &dir.display().to_string());
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    saved["recovery"] = Value::Bool(true);
    let with_recovery = dir.join("with-recovery.json");
    std::fs::write(&with_recovery, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    let replay = clusterproc(&["replay", with_recovery.to_str().unwrap()]);
    (replay.code, replay.stdout)
}

#[test]
fn mutants_are_judged_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "none", "--mutants", "--format", "json"]);
    assert_eq!(run.code, 0, "the seed itself is fine: {}", run.stderr);
    let report = json(&run);
    let mutants = report["mutants"]["mutants"].as_array().unwrap();
    let mutant =
        |name: &str| mutants.iter().find(|m| m["mutant"] == name).unwrap_or_else(|| panic!("no mutant {name}"));
    let ways = |name: &str| -> (Value, Value) {
        let m = mutant(name);
        assert_eq!(m["caught"], true, "{name} is caught: {m}");
        let ways = m["ways"].as_array().unwrap();
        (ways[0].clone(), ways[1].clone())
    };
    let ids = |way: &Value| -> Vec<String> {
        way["violated"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };

    // Without suspending, the monitors see the installer's service stops: as written the
    // installer is interrupted; guarded, the install is refused.
    let (as_written, guarded) = ways("drop suspend-cluster");
    assert_eq!(as_written["way"], "as-written");
    assert!(ids(&as_written).contains(&"monitoring-during-apply".to_owned()), "{as_written}");
    assert!(ids(&as_written).contains(&"installer-interrupted".to_owned()), "{as_written}");
    assert_eq!(guarded["ending"], "refused");
    assert_eq!(guarded["refused"]["invariant"], "monitoring-during-apply");
    assert_eq!(guarded["refused"]["step"], "6 install-active");

    let (as_written, guarded) = ways("restart-at-prompt install-active");
    assert!(ids(&as_written).contains(&"reboot-while-suspended".to_owned()), "{as_written}");
    assert_eq!(guarded["refused"]["invariant"], "reboot-while-suspended");

    // Without the resume the move is refused because the cluster is still suspended.
    let (as_written, guarded) = ways("drop resume-cluster");
    assert_eq!(as_written["ending"], "stopped");
    assert!(ids(&as_written).contains(&"cluster-not-restored".to_owned()), "{as_written}");
    assert_eq!(guarded["refused"]["invariant"], "failover-during-apply", "{guarded}");
    assert!(guarded["refused"]["reason"].as_str().unwrap().contains("still suspended"), "{guarded}");

    // Stopping the cluster service instead of suspending takes registry sync offline for the
    // install: as written that is seen, guarded the install is refused.
    let (as_written, guarded) = ways("stop-cluster-service-instead-of-suspend suspend-cluster");
    assert!(ids(&as_written).contains(&"registry-sync-stopped-during-apply".to_owned()), "{as_written}");
    assert_eq!(guarded["refused"]["invariant"], "registry-sync-stopped-during-apply", "{guarded}");

    let (as_written, _) = ways("drop install-standby");
    assert!(ids(&as_written).contains(&"partial-update".to_owned()));

    // A survivor says why no invariant saw it.
    let survivor = mutant("drop start-monitoring");
    assert_eq!(survivor["caught"], false);
    let why = survivor["why_unseen"].as_str().unwrap();
    assert!(why.contains("same state as with the procedure by the start of step 13 check-standby"), "{why}");

    let score = report["mutants"]["score"].as_f64().unwrap();
    assert!(score > 0.7, "mutation score {score}");
}

#[test]
fn a_minimum_mutation_score_fails_ci_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "none", "--mutants", "--min-mutation-score", "95"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAILED\n  mutation score"), "{}", run.stdout);
    assert!(run.stdout.contains("is below the minimum of 95%"), "{}", run.stdout);
    let run = check_in(dir.path(), &[SEED, "--faults", "none", "--mutants", "--min-mutation-score", "50"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = check_in(dir.path(), &[SEED, "--min-mutation-score", "50"]);
    assert_eq!(run.code, 2, "--min-mutation-score needs --mutants: {}", run.stderr);
}

#[test]
fn guards_choose_the_ways() {
    let dir = tempfile::tempdir().unwrap();
    for (choice, ways) in
        [("off", vec!["as-written"]), ("on", vec!["guarded"]), ("both", vec!["as-written", "guarded"])]
    {
        let run = check_in(dir.path(), &[SEED, "--faults", "none", "--guards", choice, "--format", "json"]);
        assert_eq!(run.code, 0);
        let report = json(&run);
        let found: Vec<&str> = report["ways"].as_array().unwrap().iter().map(|w| w["way"].as_str().unwrap()).collect();
        assert_eq!(found, ways, "--guards {choice}");
    }
}

#[test]
fn junit_output_is_valid_junit_xml() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN, "--format", "junit"]);
    assert_eq!(run.code, 1);
    let cases = junit_cases(&run.stdout);
    assert_eq!(cases.len(), 2 * 12, "per way: one case for finishing, one per invariant");
    let report = json(&check_in(dir.path(), &[BROKEN, "--format", "json"]));
    let violated: usize = report["ways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["invariants"].as_array().unwrap().iter().filter(|i| i["verdict"] == "violated").count())
        .sum();
    let failed: Vec<_> = cases.iter().filter(|c| c.2.is_some()).collect();
    assert_eq!(failed.len(), violated, "one failing case per violated invariant and way: {failed:?}");
    let restart: Vec<_> = failed.iter().filter(|c| c.1 == "pending-restart-skipped").collect();
    assert_eq!(restart.len(), 2, "{failed:?}");
    for case in restart {
        let failure = case.2.as_deref().unwrap();
        assert!(failure.contains("installer asks for a restart"), "{failure}");
    }
    // Each failure says where its counterexample was saved and how to replay it, and the
    // command runs as it is written there.
    for (_, invariant, failure, _) in &failed {
        let failure = failure.as_deref().unwrap();
        let file = failure
            .lines()
            .find_map(|line| line.strip_prefix("counterexample: "))
            .unwrap_or_else(|| panic!("{invariant}: no counterexample file in {failure}"));
        let saved = file.replace("[save]", &dir.path().display().to_string());
        assert!(Path::new(&saved).is_file(), "{invariant}: {saved} was not saved");
        assert!(failure.contains(&format!("replay: clusterproc replay {file}")), "{failure}");
    }
    let first = failed[0].2.as_deref().unwrap();
    let file = first.lines().find_map(|line| line.strip_prefix("counterexample: ")).unwrap();
    let replay = clusterproc(&["replay", &file.replace("[save]", &dir.path().display().to_string())]);
    assert_eq!(replay.code, 1, "the replay reproduces the violation: {}\n{}", replay.stdout, replay.stderr);
}

#[test]
fn check_of_a_bad_file_exits_2() {
    let run = clusterproc(&["check", "tests/data/broken/unknown-service.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: tests/data/broken/unknown-service.toml:18:13"), "{}", run.stderr);
}

#[test]
fn a_counterexample_opens_with_what_happened_and_a_focused_story() {
    // The seed at two faults: the story the issue complained about, two false alarms and the
    // install on the node the group left, buried among service stops and starts.
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[SEED, "--faults", "2", "--guards", "off"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let text = run.stdout.split("Counterexamples (the shortest").nth(1).expect("a counterexample");
    let sentences = [
        "  Two faults struck during step 1 unzip (monitor servicew-dpm raises a false alarm on ssc-node1, twice): \
         monitor servicew-dpm restarted its target on ssc-node1 and monitor servicew-dpm failed group failover over \
         from ssc-node1 to ssc-node2.\n",
        "  The procedure went on with steps 3 suspend-cluster, 4 stop-monitoring and 5 stop-services, then ran step 6 \
         install-active (install-module on ssc-node1), with group failover starting on ssc-node2, not on ssc-node1.\n",
        "  That broke registry-sync-stopped-during-apply: registry-sync resource regsync was offline when the first \
         install began.\n",
        "  The recovery after the run (1 round, 7 steps planned) brought the cluster back to serving, but cannot undo this.\n",
    ];
    let mut at = 0;
    for sentence in sentences {
        let found = text[at..].find(sentence).unwrap_or_else(|| panic!("{sentence:?} in order in\n{text}"));
        at += found + sentence.len();
    }
    // The sentences come before the story; the restart is one line; the decisive events are
    // marked: both faults, the install that is the evidence, the stop and the recovery's end.
    assert!(text.contains("ssc-node1  8 DeploymentManager services restarted by monitor servicew-dpm's recovery"));
    assert!(!text.contains("\"DeploymentManager PXE Mtftp\" started by a monitor's recovery"), "{text}");
    let marked: Vec<&str> = text.lines().filter(|l| l.starts_with("  >> ")).collect();
    assert_eq!(marked.len(), 5, "{marked:#?}");
    assert!(marked[0].ends_with("!! fault: monitor servicew-dpm raises a false alarm on ssc-node1"), "{marked:#?}");
    assert!(marked[2].ends_with("ssc-node1  installer started"), "{marked:#?}");
    assert!(marked[3].ends_with("== the run stopped; from here on nobody acts on the cluster"), "{marked:#?}");
    assert!(marked[4].ends_with("== the recovery ended: the cluster serves"), "{marked:#?}");

    // The JSON keeps the sentences, the focused story and the whole trace.
    let run = check_in(dir.path(), &[SEED, "--faults", "2", "--guards", "off", "--format", "json"]);
    let report = json(&run);
    let counterexample = &report["counterexamples"][0];
    assert_eq!(counterexample["summary"].as_array().unwrap().len(), 4, "{counterexample}");
    let story = counterexample["story"].as_str().unwrap();
    let trace = counterexample["trace"].as_str().unwrap();
    assert!(story.contains(">> "), "{story}");
    assert!(trace.contains("service \"DeploymentManager PXE Mtftp\" started by a monitor's recovery"), "{trace}");
    assert!(trace.lines().count() > 3 * story.lines().count(), "{} lines of trace", trace.lines().count());
}

#[test]
fn a_counterexample_says_how_the_recovery_after_the_run_ended() {
    // Put right: a crash mid-install rolls the module's values back; the recovery installs
    // it again and the values are back.
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[REGISTRY_EXAMPLE, "--format", "json", "--guards", "on"]);
    let report = json(&run);
    let recovered = report["counterexamples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["invariant"] == "registry-rolled-back")
        .unwrap_or_else(|| panic!("{report}"));
    let summary: Vec<&str> = recovered["summary"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(
        summary[0].starts_with("One fault struck during step 6 install-active (ssc-node1 crashes)"),
        "{summary:#?}"
    );
    assert!(summary.last().unwrap().starts_with("The recovery after the run put it right ("), "{summary:#?}");
    // Not put right: at three faults a regsync that will not start keeps every recovery's
    // install refused; the last sentence says what the cluster still lacks, and why.
    let run = check_in(dir.path(), &[SEED, "--faults", "3", "--guards", "off", "--format", "json"]);
    let report = json(&run);
    let short = report["counterexamples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["invariant"] == "partial-update")
        .unwrap_or_else(|| panic!("{report}"));
    let summary: Vec<&str> = short["summary"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!((2..=4).contains(&summary.len()), "{summary:#?}");
    let last = summary.last().unwrap();
    assert!(last.contains("could not put it right; it ended short of a serving cluster: "), "{last}");
    assert!(last.contains("SSC0307-0006 is not installed on ssc-node2"), "{last}");
    assert!(last.contains("(its last round stopped: a guard refused: registry sync regsync is not online"), "{last}");
    // Only the run's own stop is marked, not each recovery round's.
    let story = short["story"].as_str().unwrap();
    let stops = story.lines().filter(|l| l.contains("== the run stopped")).collect::<Vec<_>>();
    assert!(stops.len() > 1 && stops.iter().filter(|l| l.starts_with(">> ")).count() == 1, "{story}");
}

/// See: review finding — a mutation swapping the last step parsed and then panicked.
#[test]
fn replay_refuses_a_mutation_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN]);
    assert_eq!(run.code, 1);
    let file = dir.path().join("pending-restart-skipped.as-written.json");
    let text =
        std::fs::read_to_string(&file).unwrap().replace("\"mutation\": null", "\"mutation\": \"swap check-active ?\"");
    std::fs::write(&file, text).unwrap();
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert_eq!(replay.code, 2, "{}\n{}", replay.stdout, replay.stderr);
    assert!(
        replay
            .stderr
            .contains("pending-restart-skipped.as-written.json:11:15: unknown mutation \"swap check-active ?\""),
        "{}",
        replay.stderr
    );
}

/// See: user report — a counterexample whose fault was moved replayed as "not reproduced" and
/// exited 0, as if all were well.
#[test]
fn a_replay_that_does_not_reproduce_exits_5() {
    let dir = tempfile::tempdir().unwrap();
    let run = check_in(dir.path(), &[BROKEN]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let file = dir.path().join("pending-restart-skipped.as-written.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // The fault strikes at the very start instead: a different run.
    saved["faults"][0]["after_transition"] = Value::from(0);
    std::fs::write(&file, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    let replay = clusterproc(&["replay", &file.display().to_string()]);
    assert_eq!(replay.code, 5, "{}\n{}", replay.stdout, replay.stderr);
    assert!(replay.stdout.contains("The trace DIFFERS"), "{}", replay.stdout);
    assert!(
        replay
            .stderr
            .contains("pending-restart-skipped.as-written.json: the replay did not reproduce the counterexample"),
        "{}",
        replay.stderr
    );
}

/// A check that no longer finds a counterexample says that the file an earlier check saved
/// for it is still there, instead of leaving it to be taken for a current finding.
#[test]
fn counterexamples_left_by_an_earlier_check_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let broken = clusterproc(&["check", "tests/data/broken/standby-after-resume.toml", "--save", &save]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert!(!left.is_empty());
    std::fs::write(dir.path().join("notes.json"), "{}").unwrap();
    let passing = clusterproc(&["check", "procedures/ssc0307-0006.toml", "--faults", "none", "--save", &save]);
    assert_eq!(passing.code, 0, "{}", passing.stderr);
    let line = passing.stdout.lines().find(|l| l.starts_with("Left by an earlier check in ")).expect(&passing.stdout);
    for name in &left {
        assert!(line.contains(name.as_str()), "{line}");
    }
    assert!(!line.contains("notes.json"), "only files check writes: {line}");
    let json = clusterproc(&[
        "check",
        "procedures/ssc0307-0006.toml",
        "--faults",
        "none",
        "--save",
        &save,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["earlier_counterexamples"].as_array().map(Vec::len), Some(left.len()), "{}", json.stdout);
}

/// `--merge` takes no option of a search: they would be ignored.
#[test]
fn merge_refuses_search_options() {
    let run = clusterproc(&["check", "--merge", "a.json", "--faults", "3"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with '--faults"), "{}", run.stderr);
}

/// Random schedules are named in the heading, not hidden behind "faults none".
#[test]
fn the_heading_names_random_schedules() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let run =
        clusterproc(&["check", "procedures/ssc0307-0006.toml", "--faults", "none", "--cases", "3", "--save", &save]);
    assert!(
        run.stdout
            .contains("\n  faults  none in the search (--faults)\n  random  3 fault schedules at step boundaries"),
        "{}",
        run.stdout
    );
}
