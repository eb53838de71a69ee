//! The operator actions beside NEC's fifteen steps — stop-cluster-service,
//! start-cluster-service, reboot-node, suspend-monitor, resume-monitor — through procedure
//! files and the CLI: planned with the command an operator types, run on the simulator and
//! verified, idempotent, and refused with file:line when an argument is wrong; and the
//! mutants that use them.

use std::path::Path;

use procedure::mutation::{Mutation, mutations};

use crate::support::{Run, clusterproc, procedure, run_procedure};

const VOCABULARY: &str = "tests/data/operator-vocabulary.toml";
const SEED: &str = "procedures/ssc0307-0006.toml";

fn run_with_report(dir: &Path, procedure: &str) -> (Run, serde_json::Value) {
    let report = dir.join("run.json");
    let journal = dir.join("run");
    let run = run_procedure(procedure, &journal, &report);
    let json = std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("a report: {}\n{}", run.stdout, run.stderr));
    (run, serde_json::from_str(&json).expect("the report is JSON"))
}

fn step<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no step {id}"))
}

/// The verbs of the operations a step issued, over its nodes, as `verb node`.
fn operations(report: &serde_json::Value, id: &str) -> Vec<String> {
    step(report, id)["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|node| node["operations"].as_array().unwrap().iter())
        .map(|operation| {
            let target = operation["monitor"].as_str().map(|m| format!(" {m}")).unwrap_or_default();
            format!("{}{target} {}", operation["verb"].as_str().unwrap(), operation["node"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn each_operator_action_plans_with_the_command_an_operator_types() {
    let run = clusterproc(&["plan", VOCABULARY, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let does = |id: &str| -> String {
        let step = plan["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).expect("the step");
        step["does"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect::<Vec<_>>().join("\n")
    };
    let expect = [
        ("suspend-monitors", "clpmonctrl -s -h ssc-node1 -m <each of them>, then clpmonctrl -s -h ssc-node2"),
        ("suspend-monitors", "monitor servicew-dpm and servicew-pvm"),
        ("resume-monitors", "resume every monitor (7) on ssc-node1 and ssc-node2 (clpmonctrl -r -h ssc-node1, then"),
        ("stop-standby-cluster", "clpcl -t -h ssc-node2"),
        ("start-standby-cluster", "clpcl -s -h ssc-node2"),
        ("reboot-standby", "restart the operating system of ssc-node2 (on the node: shutdown /r /t 0)"),
    ];
    for (id, text) in expect {
        assert!(does(id).contains(text), "{id} does {:?}, expected {text:?}", does(id));
    }
    let text = clusterproc(&["plan", VOCABULARY]);
    assert!(text.stdout.contains("WARNING:  a plain OS reboot, not cluster-safe"), "{}", text.stdout);
    let mermaid = clusterproc(&["plan", VOCABULARY, "--format", "mermaid"]);
    assert_eq!(mermaid.code, 0);
    assert!(mermaid.stdout.contains("Reboot the standby server"), "{}", mermaid.stdout);
}

#[test]
fn each_operator_action_runs_on_the_simulator_and_is_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (run, report) = run_with_report(dir.path(), VOCABULARY);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["result"], "completed");
    assert!(report["steps"].as_array().unwrap().iter().all(|s| s["status"] == "done"), "{report}");
    assert!(!run.stdout.contains("VIOLATED"), "{}", run.stdout);

    assert_eq!(
        operations(&report, "suspend-monitors"),
        [
            "suspend-monitor servicew-dpm ssc-node1",
            "suspend-monitor servicew-pvm ssc-node1",
            "suspend-monitor servicew-dpm ssc-node2",
            "suspend-monitor servicew-pvm ssc-node2",
        ]
    );
    // Every monitor is resumed, but only the suspended ones need it.
    assert_eq!(
        operations(&report, "resume-monitors"),
        [
            "resume-monitor servicew-dpm ssc-node1",
            "resume-monitor servicew-pvm ssc-node1",
            "resume-monitor servicew-dpm ssc-node2",
            "resume-monitor servicew-pvm ssc-node2",
        ]
    );
    assert_eq!(operations(&report, "stop-standby-cluster"), ["stop-cluster-service ssc-node2"]);
    assert_eq!(operations(&report, "start-standby-cluster"), ["start-cluster-service ssc-node2"]);
    assert_eq!(operations(&report, "reboot-standby"), ["reboot-node ssc-node2"]);

    // The reboot step lasts until the node is back: at least the simulated reboot time.
    let reboot = &step(&report, "reboot-standby")["nodes"][0];
    let lasted = reboot["ended_ms"].as_u64().unwrap() - reboot["started_ms"].as_u64().unwrap();
    assert!(lasted >= 5 * 60 * 1000 * 9 / 10, "the reboot took {lasted} ms");
    let node2 = report["timeline"].as_array().unwrap().iter().find(|l| l["node"] == "ssc-node2").unwrap();
    assert!(node2["items"].as_array().unwrap().iter().any(|i| i["kind"] == "reboot"), "{node2}");
}

#[test]
fn what_already_holds_is_not_redone() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::root().join(VOCABULARY)).unwrap();
    // Before anything else: the cluster service already runs and no monitor is suspended.
    let first = "[[step]]\nid = \"unzip\"";
    let again = format!(
        "[[step]]\nid = \"start-cluster-everywhere\"\ntitle = \"Start the cluster service\"\non = \"every-node\"\n\
         action = \"start-cluster-service\"\n\n[[step]]\nid = \"resume-nothing\"\ntitle = \"Resume the monitors\"\n\
         on = \"every-node\"\naction = \"resume-monitor\"\n\n{first}"
    );
    let path = dir.path().join("idempotent.toml");
    std::fs::write(&path, text.replacen(first, &again, 1)).unwrap();
    let (run, report) = run_with_report(dir.path(), &path.display().to_string());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(step(&report, "start-cluster-everywhere")["status"], "done");
    assert!(operations(&report, "start-cluster-everywhere").is_empty(), "{report}");
    assert_eq!(step(&report, "resume-nothing")["status"], "done");
    assert!(operations(&report, "resume-nothing").is_empty(), "{report}");
}

#[test]
fn a_bad_argument_of_an_operator_action_exits_2_with_file_and_line() {
    let cases = [
        ("unknown-monitor.toml", "18:29", "unknown monitor `servicew-nope`"),
        ("empty-monitor-list.toml", "18:12", "an empty monitor list"),
        ("reboot-node-with-services.toml", "18:12", "action `reboot-node` does not take `services`"),
        ("stop-cluster-service-with-group.toml", "18:9", "action `stop-cluster-service` does not take `group`"),
    ];
    for (file, location, message) in cases {
        let path = format!("tests/data/broken/{file}");
        for command in ["plan", "run"] {
            let run = clusterproc(&[command, &path]);
            assert_eq!(run.code, 2, "{command} {file}: {}", run.stderr);
            let first = run.stderr.lines().next().unwrap_or_default();
            assert_eq!(first, format!("error: {path}:{location}: {message}"), "{command} {file}");
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
    }
}

#[test]
fn every_mutant_of_the_seed_round_trips_through_its_name() {
    let seed = procedure(SEED);
    let all = mutations(&seed);
    for mutation in &all {
        let name = mutation.describe(&seed);
        assert_eq!(Mutation::parse(&name, &seed).as_ref(), Some(mutation), "{name}");
    }
    let stop_instead = Mutation::parse("stop-cluster-service-instead-of-suspend suspend-cluster", &seed)
        .expect("the seed has the stop-instead-of-suspend mutant");
    assert!(all.contains(&stop_instead));
    assert_eq!(Mutation::parse("stop-cluster-service-instead-of-suspend install-active", &seed), None);
    let reboot_at_prompt = Mutation::parse("restart-at-prompt install-active", &seed).expect("the mutant");
    assert_eq!(
        reboot_at_prompt.explain(&seed),
        "the installer of step install-active asks for a restart and the operator reboots the node at the prompt"
    );
}

#[test]
fn stopping_the_cluster_service_instead_of_suspending_replaces_suspend_and_resume() {
    let seed = procedure(SEED);
    let mutation = Mutation::parse("stop-cluster-service-instead-of-suspend suspend-cluster", &seed).unwrap();
    let mutant = mutation.apply(&seed);
    let at = |id: &str| mutant.steps.iter().find(|s| s.id == id).unwrap();
    assert_eq!(at("suspend-cluster").action.keyword(), "stop-cluster-service");
    assert_eq!(at("suspend-cluster").role.keyword(), "every-node");
    assert_eq!(at("resume-cluster").action.keyword(), "start-cluster-service");
    assert_eq!(at("resume-cluster").role.keyword(), "every-node");
    assert_eq!(mutant.steps.len(), seed.steps.len());
    let others =
        mutant.steps.iter().zip(&seed.steps).filter(|(m, _)| m.id != "suspend-cluster" && m.id != "resume-cluster");
    assert!(others.into_iter().all(|(m, s)| m.action == s.action && m.role == s.role));
}

#[test]
fn check_lists_the_new_mutants_and_catches_them() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().display().to_string();
    let run = clusterproc(&["check", SEED, "--faults", "none", "--mutants", "--format", "json", "--save", &save]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mutants = report["mutants"]["mutants"].as_array().unwrap();
    let find = |name: &str| mutants.iter().find(|m| m["mutant"] == name).unwrap_or_else(|| panic!("no mutant {name}"));
    // How each way catches it is checked in check.rs (mutants_are_judged_both_ways).
    let stop_instead = find("stop-cluster-service-instead-of-suspend suspend-cluster");
    assert_eq!(stop_instead["caught"], true, "{stop_instead}");
    assert_eq!(find("restart-at-prompt install-active")["caught"], true);
}

#[test]
fn stopping_the_active_cluster_service_waits_for_the_failover_to_settle() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::root().join(VOCABULARY)).unwrap();
    let steps = text.find("[[step]]").unwrap();
    let procedure = format!(
        "{}{}",
        &text[..steps],
        r#"[[step]]
id = "stop-active-cluster"
title = "Stop the cluster service on the active server"
on = "active"
action = "stop-cluster-service"

[[step]]
id = "start-active-cluster"
title = "Start it again"
on = "active"
action = "start-cluster-service"

[[step]]
id = "move-back"
title = "Fail the group back"
on = "active"
action = "move-group"
group = "failover"
to = "active"
"#
    );
    let path = dir.path().join("restart-active.toml");
    std::fs::write(&path, procedure).unwrap();
    let (run, report) = run_with_report(dir.path(), &path.display().to_string());
    // Nothing is installed, so partial-update fails the run; the steps themselves complete.
    assert_eq!(report["result"], "completed", "{}\n{}", run.stdout, run.stderr);
    let stop = &step(&report, "stop-active-cluster")["nodes"][0];
    assert!(stop["took_ms"].as_u64().unwrap() > 0, "the step lasts until the group is online on the standby: {stop}");
    assert_eq!(operations(&report, "move-back"), ["move-group ssc-node1"]);
}
