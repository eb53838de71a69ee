//! `clusterproc plan`: the seed procedure and the registry-changing example, in every format,
//! driven through the CLI.

use crate::support::clusterproc;

const SEED: &str = "procedures/ssc0307-0006.toml";
const EXAMPLE: &str = "procedures/examples/registry-changing-module.toml";

#[test]
fn seed_plan_as_text() {
    let run = clusterproc(&["plan", SEED]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("seed_plan_text", run.stdout);
}

#[test]
fn seed_plan_lists_the_fifteen_steps_in_the_seed_order_and_skips_the_registry_backups() {
    let run = clusterproc(&["plan", SEED, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("--format json prints valid JSON");
    let steps = plan["steps"].as_array().expect("steps");
    let numbers: Vec<u64> = steps.iter().map(|s| s["number"].as_u64().expect("numbered")).collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<u64>>());
    let nodes =
        |i: usize| -> Vec<&str> { steps[i]["nodes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect() };
    assert_eq!(nodes(0), ["ssc-node1", "ssc-node2"], "step 1 unzips on both nodes");
    assert_eq!(nodes(5), ["ssc-node1"], "step 6 installs on the active node");
    assert_eq!(nodes(7), ["ssc-node2"], "step 8 installs on the standby node");
    assert_eq!(nodes(12), ["ssc-node2"], "step 13 checks the standby node");
    for index in [1, 6, 8] {
        assert_eq!(steps[index]["status"], "skipped", "step {} is skipped", index + 1);
        assert_eq!(steps[index]["reason"], "the module writes no registry values");
    }
    let run_count = steps.iter().filter(|s| s["status"] == "run").count();
    assert_eq!(run_count, 12);
}

#[test]
fn seed_plan_as_mermaid() {
    let run = clusterproc(&["plan", SEED, "--format", "mermaid"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("seed_plan_mermaid", run.stdout);
}

#[test]
fn example_plan_runs_the_registry_backups() {
    let run = clusterproc(&["plan", EXAMPLE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("example_plan_text", run.stdout);

    let run = clusterproc(&["plan", EXAMPLE, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let steps = plan["steps"].as_array().expect("steps");
    for (index, nodes) in [(1, vec!["ssc-node1", "ssc-node2"]), (6, vec!["ssc-node1"]), (8, vec!["ssc-node2"])] {
        assert_eq!(steps[index]["action"], "backup-registry");
        assert_eq!(steps[index]["status"], "run");
        let planned: Vec<&str> =
            steps[index]["nodes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(planned, nodes);
    }
}

#[test]
fn plan_against_a_given_cluster_file() {
    let run = clusterproc(&["plan", SEED, "--cluster", "scenarios/cluster/ssc-two-node.toml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(plan["cluster"]["active"], "ssc-node1");
    assert_eq!(plan["cluster"]["standbys"][0], "ssc-node2");
}

#[test]
fn plan_of_a_missing_file_exits_2_naming_it() {
    let run = clusterproc(&["plan", "procedures/no-such-module.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("procedures/no-such-module.toml"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}
