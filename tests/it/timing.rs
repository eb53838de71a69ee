//! Time a user can believe: a step's duration is the time the cluster took (from the
//! simulator's events), shown apart from the engine's polling lag; console operations take
//! the cluster file's `timing.console`; a step the run stopped in shows how long it ran.

use std::sync::Arc;
use std::time::Duration;

use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::event::EventKind;
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

use crate::support::{clusterproc, default_cluster, procedure};

const SEED: &str = "procedures/ssc0307-0006.toml";

fn run_report(args: &[&str]) -> (crate::support::Run, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("run.json");
    let journal = dir.path().join("run");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let (journal, report_arg) = (journal.display().to_string(), report.display().to_string());
    all.extend_from_slice(&["--journal", &journal, "--report", &report_arg]);
    let run = clusterproc(&all);
    let json = std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("a report: {}", run.stderr));
    (run, serde_json::from_str(&json).unwrap())
}

fn node_span<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let step = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).expect("the step");
    &step["nodes"][0]
}

fn ms(value: &serde_json::Value) -> u64 {
    value.as_u64().expect("milliseconds")
}

#[test]
fn a_group_move_lasts_as_long_as_the_simulated_move() {
    // The same run in-process (seed 1, as `run` uses), for its trace.
    let setup = Arc::new(Setup::new(default_cluster(), procedure(SEED)));
    let mut sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).expect("drives");
    let mut moves = Vec::new();
    let mut stopping = None;
    for event in sim.trace() {
        match event.kind {
            EventKind::GroupStopping { .. } => stopping = Some(event.at),
            EventKind::GroupOnline { .. } => {
                if let Some(from) = stopping.take() {
                    moves.push(event.at - from);
                }
            }
            _ => {}
        }
    }
    assert_eq!(moves.len(), 2, "the seed moves the group twice");

    let (run, report) = run_report(&[SEED, "--seed", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (id, simulated) in ["move-to-standby", "move-to-active"].into_iter().zip(moves) {
        let span = node_span(&report, id);
        assert_eq!(Duration::from_millis(ms(&span["took_ms"])), simulated, "{id}: {span}");
        let observed = ms(&span["ended_ms"]) - ms(&span["started_ms"]);
        assert_eq!(ms(&span["took_ms"]) + ms(&span["seen_after_ms"]), observed, "{id}: {span}");
        assert!(ms(&span["seen_after_ms"]) > 0, "the back-off sees the move late: {span}");
    }
    let line = run.stdout.lines().find(|l| l.contains("move-to-standby")).expect("the summary line");
    assert!(line.contains(" later), 1 operation"), "the summary shows the lag apart: {line}");
}

#[test]
fn console_operations_take_the_cluster_file_s_console_time() {
    let (run, report) = run_report(&[SEED]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Ten watches set to Not monitoring, 2 s each with the simulator's ±10% jitter.
    let span = node_span(&report, "stop-monitoring");
    assert_eq!(span["operations"].as_array().unwrap().len(), 10);
    let took = ms(&span["took_ms"]);
    assert!((18_000..=22_000).contains(&took), "ten console operations took {took} ms");
}

#[test]
fn a_step_the_run_stopped_in_shows_how_long_it_ran() {
    let (run, report) = run_report(&[SEED, "--scenario", "tests/data/installer-fails-on-standby.toml"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["result"], "stopped");
    let span = node_span(&report, "install-standby");
    let ran = ms(&span["ended_ms"]) - ms(&span["started_ms"]);
    assert!(ran >= 60_000, "the installer ran for minutes before it failed: {span}");
    assert_eq!(ms(&span["ended_ms"]), ms(&report["duration_ms"]), "it ran until the run ended: {span}");
    let line = run.stdout.lines().find(|l| l.contains("the run ended here")).expect("the stopped step");
    assert!(!line.contains("(0s)"), "{line}");
}
