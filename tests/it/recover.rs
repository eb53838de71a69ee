//! `clusterproc recover` through the CLI, on the simulator: a run stopped by a fault, then
//! recovered to a serving cluster (checked on the end state it prints: the group's owner and
//! status, suspension, monitors, watches, the module's versions and registry values per node);
//! registry values rolled back are imported from the right export; recovering again finds
//! nothing to do; the refusals.

use std::path::Path;

use crate::support::{Run, clusterproc};

const SEED: &str = "procedures/ssc0307-0006.toml";
const INSTALLER_FAILS: &str = "tests/data/installer-fails-on-standby.toml";
const UNREACHABLE: &str = "scenarios/run-standby-unreachable.toml";

/// `clusterproc VERB SEED --scenario SCENARIO --journal DIR EXTRA...`.
fn on(verb: &str, scenario: &str, journal: &Path, extra: &[&str]) -> Run {
    let journal = journal.display().to_string();
    let mut args = vec![verb, SEED, "--scenario", scenario, "--journal", &journal];
    args.extend_from_slice(extra);
    clusterproc(&args)
}

/// The lines of the end state a recovery prints, from its `End state` heading on.
pub(crate) fn end_state(run: &Run) -> Vec<&str> {
    let from = run.stdout.find("End state at").unwrap_or_else(|| panic!("no end state:\n{}", run.stdout));
    run.stdout[from..].lines().skip(1).take_while(|line| line.starts_with("  ")).collect()
}

/// The cluster serves: the group online on the active node, both nodes up and running the
/// cluster (not suspended), no monitor suspended or in error, no watch left Not monitoring,
/// the module's version on both nodes.
/// What `recover` printed after an installer failed on the standby once the active node had
/// finished: the module missing there, the plan that installs it and brings the cluster back
/// (PVMService, stopped on the active node for the install, started before the resume), all
/// four steps done, and the cluster serving.
pub(crate) fn assert_standby_install_recovered(recover: &Run) {
    assert!(recover.stdout.contains("SSC0307-0006 is not installed on ssc-node2"), "{}", recover.stdout);
    let planned: Vec<&str> =
        recover.stdout.lines().filter(|l| l.starts_with(" #")).map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(
        planned,
        [
            "install-module-ssc-node2",
            "start-services-ssc-node1",
            "resume-cluster-ssc-node1",
            "start-monitoring-ssc-node1"
        ]
    );
    assert!(recover.stdout.contains("Completed: 4 steps done"), "{}", recover.stdout);
    assert!(recover.stdout.contains("ok          partial-update"), "{}", recover.stdout);
    assert_serving(recover);
}

pub(crate) fn assert_serving(run: &Run) {
    let lines = end_state(run);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].contains("group failover") && lines[0].ends_with("Online on ssc-node1"), "{}", run.stdout);
    for (line, node, role) in [(lines[1], "ssc-node1", "active"), (lines[2], "ssc-node2", "standby")] {
        assert!(line.contains(node) && line.contains(role), "{line}");
        assert!(line.contains("Up, cluster Running;"), "{line}");
        assert!(line.contains("0 suspended, 0 error;"), "{line}");
        assert!(line.contains(", 0 not monitoring;"), "{line}");
        assert!(line.ends_with("DeploymentManager 6.7-SSC0307-0006"), "{line}");
    }
    assert!(lines[1].contains("watches 10 monitoring"), "the active node's watches are back: {}", lines[1]);
    assert!(run.stdout.contains("The cluster serves."), "{}", run.stdout);
}

#[test]
fn a_failed_standby_install_is_finished_and_the_cluster_serves_again() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let run = on("run", INSTALLER_FAILS, &journal, &["--yes"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let command = format!("clusterproc recover {SEED} --scenario {INSTALLER_FAILS} --journal {}", journal.display());
    assert!(run.stdout.contains(&command), "a stopped run says how to recover:\n{}", run.stdout);

    let report = dir.path().join("recover.json");
    let recover = on("recover", INSTALLER_FAILS, &journal, &["--yes", "--report", &report.display().to_string()]);
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["result"], "completed");
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(4), "{report}");
    assert_standby_install_recovered(&recover);
    assert!(recover.stdout.contains("not judged  failover-not-verified"), "{}", recover.stdout);
    assert!(journal.join("recover-1/journal.jsonl").exists());

    // The cluster is rebuilt from both journals: nothing is left to do, and nothing is written.
    let again = on("recover", INSTALLER_FAILS, &journal, &[]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("1 recovery journal(s) replayed"), "{}", again.stdout);
    assert!(again.stdout.contains("The cluster serves: nothing to recover."), "{}", again.stdout);
    assert_eq!(end_state(&again), end_state(&recover), "the same cluster, rebuilt");
    assert!(!journal.join("recover-2").exists(), "nothing to do writes no journal");
}

#[test]
fn a_run_stopped_with_the_standby_unreachable_is_recovered_once_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    let run = on("run", UNREACHABLE, &journal, &["--yes"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let recover = on("recover", UNREACHABLE, &journal, &["--yes"]);
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    assert!(recover.stdout.contains("the cluster is suspended on ssc-node2"), "{}", recover.stdout);
    assert!(
        recover
            .stdout
            .contains("undone   ssc-node2 becomes unreachable (a fault of the run, fixed as an operator would first)"),
        "the fault assumed fixed is said: {}",
        recover.stdout
    );
    assert_serving(&recover);
}

#[test]
fn recover_asks_first_and_without_a_terminal_or_yes_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run");
    assert_eq!(on("run", INSTALLER_FAILS, &journal, &["--yes"]).code, 1);
    let recover = on("recover", INSTALLER_FAILS, &journal, &[]);
    assert_eq!(recover.code, 2, "{}\n{}", recover.stdout, recover.stderr);
    assert!(recover.stderr.contains("there is no terminal to ask on"), "{}", recover.stderr);
    assert!(recover.stderr.contains("--yes"), "{}", recover.stderr);
    assert!(!journal.join("recover-1").exists(), "nothing was run");
}

#[test]
fn a_completed_run_needs_no_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    assert_eq!(clusterproc(&["run", SEED, "--journal", &journal]).code, 0);
    let recover = clusterproc(&["recover", SEED, "--journal", &journal]);
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    assert!(recover.stdout.contains("The cluster serves: nothing to recover."), "{}", recover.stdout);
    // A simulated run's journal is not recovered on real nodes: refused before any is reached.
    let real = clusterproc(&[
        "recover",
        SEED,
        "--journal",
        &journal,
        "--backend",
        "expresscluster",
        "--connection",
        "tests/data/connection/site-example.toml",
    ]);
    assert_eq!(real.code, 2, "{}\n{}", real.stdout, real.stderr);
    assert!(
        real.stderr.contains("ran on sim, not on expresscluster: recover it with --backend sim"),
        "{}",
        real.stderr
    );
}

#[test]
fn recover_refuses_real_nodes_without_a_connection_file_and_a_missing_journal() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let real = clusterproc(&["recover", SEED, "--journal", &journal, "--backend", "expresscluster"]);
    assert_eq!(real.code, 2, "{}", real.stderr);
    assert!(real.stderr.contains("--backend expresscluster needs --connection FILE"), "{}", real.stderr);
    let simulated = clusterproc(&["recover", SEED, "--journal", &journal, "--connection", "connection.toml"]);
    assert_eq!(simulated.code, 2, "{}", simulated.stderr);
    assert!(simulated.stderr.contains("needs --backend expresscluster"), "{}", simulated.stderr);
    let missing = clusterproc(&["recover", SEED, "--journal", &journal]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("journal.jsonl"), "the journal is named: {}", missing.stderr);
}

const EXAMPLE: &str = "procedures/examples/registry-changing-module.toml";

/// Each node's end-state line says that every value the registry example writes is there.
fn assert_values_on_every_node(run: &Run) {
    let lines = end_state(run);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for line in &lines[1..] {
        assert!(line.contains("registry values 2 of 2 in place;"), "{line}\n{}", run.stdout);
    }
}

#[test]
fn a_node_that_is_down_is_powered_on_first_then_its_rolled_back_values_are_imported() {
    // The active node loses its heartbeat while suspended, after its installer wrote registry
    // values: it is shut down, and when it boots registry sync restores the old values.
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let scenario = "scenarios/run-heartbeat-loss-while-suspended.toml";
    let common = [EXAMPLE, "--scenario", scenario, "--journal", &journal, "--yes"];
    let run = clusterproc(&[&["run"], &common[..]].concat());
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);

    let recover = clusterproc(&[&["recover"], &common[..]].concat());
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    let power_on = recover.stdout.find("power on ssc-node1, then confirm").expect("the power-on is asked first");
    let again = recover.stdout.find("Planned again").expect("planned again once the node is back");
    assert!(power_on < again, "{}", recover.stdout);
    assert!(recover.stdout[again..].contains("import-registry-ssc-node1"), "{}", recover.stdout);
    assert!(recover.stdout.contains("Completed:"), "the rest of the plan ran: {}", recover.stdout);
    let lines = end_state(&recover);
    assert!(lines[0].ends_with("Online on ssc-node1"), "{}", recover.stdout);
    for line in &lines[1..] {
        assert!(line.contains("Up, cluster Running;") && line.contains("0 suspended"), "{line}");
    }
    assert_values_on_every_node(&recover);
    assert!(recover.stdout.contains("The cluster serves."), "{}", recover.stdout);
}

/// Registry values rolled back on a node whose installer finished (the active node crashed
/// mid-apply while suspended, booted and started the group over them) are imported from the
/// export taken there after the install (never the one taken before it), once the cluster
/// runs and while the group is on that node, so that registry sync captures them: the
/// recovery ends with the values on every node, and recovering again finds nothing to do.
#[test]
fn rolled_back_values_are_imported_from_the_export_taken_after_the_install() {
    const CRASH: &str = "scenarios/run-crash-while-suspended.toml";
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let run = clusterproc(&["run", EXAMPLE, "--scenario", CRASH, "--journal", &journal, "--yes"]);
    assert_eq!(run.code, 1, "the run stops on the crash: {}", run.stdout);
    let recover = |extra: &[&str]| {
        clusterproc(&[&["recover", EXAMPLE, "--scenario", CRASH, "--journal", &journal][..], extra].concat())
    };
    let first = recover(&["--yes"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("registry values it writes were rolled back"),
        "the shortfall is said: {}",
        first.stdout
    );
    let planned: Vec<&str> =
        first.stdout.lines().filter(|l| l.starts_with(" #")).map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(planned, ["resume-cluster-ssc-node1", "import-registry-ssc-node1"], "{}", first.stdout);
    assert!(
        first.stdout.contains(
            r"Import C:\Temp\EXAMPLE-0001\registry-backup-registry-active.reg on ssc-node1: registry sync rolled back"
        ),
        "the export taken on ssc-node1 after its install: {}",
        first.stdout
    );
    assert!(
        !first.stdout.contains("registry-backup-registry.reg"),
        "never the export before the install: {}",
        first.stdout
    );
    assert!(!first.stdout.contains("manual"), "nothing is left by hand: {}", first.stdout);
    assert!(first.stdout.contains("ok          registry-rolled-back"), "{}", first.stdout);
    assert_values_on_every_node(&first);
    assert!(first.stdout.contains("The cluster serves."), "{}", first.stdout);

    // The cluster is rebuilt from both journals, the import replayed: nothing is left to do.
    let second = recover(&[]);
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(second.stdout.contains("1 recovery journal(s) replayed"), "{}", second.stdout);
    assert!(second.stdout.contains("The cluster serves: nothing to recover."), "{}", second.stdout);
    assert_values_on_every_node(&second);
    assert!(!dir.path().join("run").join("recover-2").exists(), "nothing written the second time");
}
