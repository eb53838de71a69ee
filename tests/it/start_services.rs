//! `start-services` through a procedure file and the CLI: planned with what it verifies, run on
//! the simulator where the service was stopped (one `sc start`, and the step verified done),
//! and refused with file and line for a service the cluster lacks. Why the recovery planner
//! uses it (a monitor with its count spent stops the group at the resume) is judged by
//! `model::every_stop_recovers_or_says_why`.

use crate::support::{clusterproc, root, run_procedure};

const FILE: &str = "tests/data/start-services.toml";

#[test]
fn start_services_is_planned_with_its_check() {
    let run = clusterproc(&["plan", FILE, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let step = plan["steps"].as_array().unwrap().iter().find(|s| s["id"] == "start-pvm").expect("the step");
    assert_eq!(step["action"], "start-services");
    assert!(step["does"][0].as_str().unwrap().contains("start PVMService on ssc-node1"), "{step}");
    assert_eq!(step["verifies"][0], "each of them is Running", "{step}");
}

#[test]
fn start_services_starts_what_the_window_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("run.json");
    let run = run_procedure(FILE, &dir.path().join("run"), &report_path);
    // The file installs nothing, so the end-of-run invariants (partial-update, the failover
    // check) fail it: exit 1, with every step done.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Completed: 4 steps done"), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let step = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == "start-pvm").expect("the step");
    assert_eq!(step["status"], "done", "{step}");
    let verbs: Vec<String> = step["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|node| node["operations"].as_array().unwrap().iter())
        .map(|op| format!("{} {}", op["verb"].as_str().unwrap(), op["node"].as_str().unwrap()))
        .collect();
    assert_eq!(verbs, ["start-service ssc-node1"], "{step}");
}

#[test]
fn start_services_of_an_unknown_service_exits_2_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(FILE)).unwrap().replacen(
        "action = \"start-services\"\nservices = [\"PVMService\"]",
        "action = \"start-services\"\nservices = [\"PVMServce\"]",
        1,
    );
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, text).unwrap();
    let run = clusterproc(&["plan", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("PVMServce"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.toml:"), "{}", run.stderr);
}
