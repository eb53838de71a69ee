//! Every output names a step the same way: the vendor's number when the step has one, else
//! `#` and its place in the procedure — in `run`'s console and summary, in the report, and
//! in the story of a run — also when a step is missing, so that the numbers no longer
//! follow the positions.

use crate::support::{Run, clusterproc, root, run_procedure};

#[test]
fn a_run_missing_a_step_names_the_others_by_their_vendor_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let start = seed.find("[[step]]\nid = \"stop-services\"").expect("step 5");
    let end = start + seed[start..].find("[[step]]\nid = \"install-active\"").expect("step 6");
    let procedure = dir.path().join("without-step-5.toml");
    std::fs::write(&procedure, format!("{}{}", &seed[..start], &seed[end..])).unwrap();
    let report = dir.path().join("run.json");
    let run = run_procedure(&procedure.display().to_string(), &dir.path().join("run"), &report);
    assert_eq!(run.code, 1, "PVMService still runs, so the install fails: {}", run.stdout);

    let console: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with('[')).collect();
    assert!(console.iter().any(|l| l.starts_with("[ 6] ") && l.contains(" install-active ")), "{console:?}");
    assert!(!console.iter().any(|l| l.starts_with("[ 5]")), "{console:?}");
    let summary = run.stdout.lines().find(|l| l.contains(" install-active ")).expect("the summary line");
    assert!(summary.trim_start().starts_with("[ 6] install-active"), "{summary}");
    assert!(run.stdout.contains("Stopped at step 6 install-active:"), "{}", run.stdout);

    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let install = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == "install-active").unwrap();
    assert_eq!(install["tag"], "6");
    assert!(report["reason"].as_str().unwrap().starts_with("step 6 install-active:"), "{}", report["reason"]);
}

/// `run` of the procedure whose steps are unnumbered (tagged `#1`…`#16`), in a run directory
/// of its own.
fn run_operator_vocabulary() -> Run {
    let dir = tempfile::tempdir().unwrap();
    clusterproc(&[
        "run",
        "tests/data/operator-vocabulary.toml",
        "--journal",
        &dir.path().join("run").display().to_string(),
    ])
}

#[test]
fn unnumbered_steps_are_named_by_their_place_everywhere() {
    let run = run_operator_vocabulary();
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Tags line up on the widest, `#10`.
    assert!(run.stderr.contains("\n[ #2] 00:01:10 suspend-monitors "), "{}", run.stderr);
    assert!(run.stderr.contains("\n[#10] "), "{}", run.stderr);
    assert!(run.stdout.contains("\n  [ #2] suspend-monitors "), "{}", run.stdout);
    assert!(run.stdout.contains("\n  [#10] start-monitoring "), "{}", run.stdout);
    let plan = clusterproc(&["plan", "tests/data/operator-vocabulary.toml"]);
    assert!(plan.stdout.contains("\n #2  suspend-monitors "), "{}", plan.stdout);
}

#[test]
fn every_column_of_the_plan_and_the_run_summary_lines_up() {
    // Where a step's tag ends (tags are right-aligned) and its next three columns start: the
    // same on every line of a table.
    fn columns(line: &str) -> Vec<usize> {
        let first = line.find(|c: char| c != ' ').unwrap();
        let tag_end = first + line[first..].find(if line[first..].starts_with('[') { ']' } else { ' ' }).unwrap();
        let bytes = line.as_bytes();
        let starts = (tag_end + 1..line.len()).filter(|&i| bytes[i] != b' ' && bytes[i - 1] == b' ');
        std::iter::once(tag_end).chain(starts.take(3)).collect()
    }
    let plan = clusterproc(&["plan", "tests/data/operator-vocabulary.toml"]);
    let steps: Vec<&str> =
        plan.stdout.lines().filter(|line| line.trim_start().starts_with('#') && line.contains("ssc-node")).collect();
    assert_eq!(steps.len(), 16, "{}", plan.stdout);
    let first = columns(steps[0]);
    assert!(steps.iter().all(|line| columns(line) == first), "{}", plan.stdout);
    let details: Vec<&str> = plan.stdout.lines().filter(|line| line.contains("does: ")).collect();
    assert!(details.iter().all(|line| line.starts_with("     does:")), "{details:?}");

    let run = run_operator_vocabulary();
    let summary: Vec<&str> = run.stdout.lines().filter(|line| line.starts_with("  [")).collect();
    assert!(summary.len() >= 16, "{}", run.stdout);
    let first = columns(summary[0]);
    assert!(summary.iter().all(|line| columns(line) == first), "{}", run.stdout);
}

#[test]
fn the_story_of_a_mutant_names_steps_by_their_vendor_numbers() {
    use std::sync::Arc;

    use procedure::driver::{Unattended, drive};
    use procedure::engine::{Engine, EngineConfig};
    use procedure::event::Renderer;
    use procedure::mutation::Mutation;
    use procedure::setup::Setup;
    use sim_cluster::sim::Builder;

    let seed = crate::support::procedure("procedures/ssc0307-0006.toml");
    let mutant = Mutation::parse("drop stop-services", &seed).expect("a mutant").apply(&seed);
    let setup = Arc::new(Setup::new(crate::support::default_cluster(), mutant));
    let mut sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).expect("drives");
    let story = Renderer::new(&setup).trace(sim.trace());
    assert!(story.contains("== step 6 install-active (install-module)"), "{story}");
    assert!(!story.contains("== step 5 "), "{story}");
}
