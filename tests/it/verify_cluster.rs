//! `verify-cluster` through a procedure file and the CLI: planned, holding on a cluster at
//! rest, stopping the run once the group is not where the step expects it, and refused with
//! file and line for a group the cluster lacks.

use crate::support::{clusterproc, root, run_procedure};

const FILE: &str = "tests/data/verify-cluster.toml";

#[test]
fn verify_cluster_is_planned_as_a_check_that_stops_the_run() {
    let run = clusterproc(&["plan", FILE, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let step = &plan["steps"][0];
    assert_eq!(step["action"], "verify-cluster");
    let verifies = step["verifies"][0].as_str().unwrap();
    assert!(
        verifies.starts_with("group failover is online on ssc-node1 with every resource")
            && verifies.ends_with("otherwise the run stops here"),
        "{verifies}"
    );
}

#[test]
fn verify_cluster_holds_at_rest_and_stops_the_run_once_the_group_moved() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("run.json");
    let run = run_procedure(FILE, &dir.path().join("run"), &report);
    assert_eq!(run.code, 1, "the second check stops the run\n{}\n{}", run.stdout, run.stderr);
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(
        output.contains("group failover is not online on ssc-node1: it is on ssc-node2"),
        "the stop says why:\n{output}"
    );
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let status = |id: &str| {
        let step = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).expect("the step");
        step["status"].as_str().unwrap().to_owned()
    };
    assert_eq!(status("verify-before"), "done");
    assert_eq!(status("move-away"), "done");
    assert_ne!(status("verify-after"), "done");
}

#[test]
fn verify_cluster_of_an_unknown_group_exits_2_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(FILE)).unwrap().replacen(
        "action = \"verify-cluster\"\ngroup = \"failover\"",
        "action = \"verify-cluster\"\ngroup = \"failovr\"",
        1,
    );
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, text).unwrap();
    let run = clusterproc(&["plan", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown group `failovr`"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.toml:21"), "{}", run.stderr);
}
