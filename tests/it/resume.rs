//! Crash and resume: a run is cut at every step boundary and between the journal's intent
//! and outcome records (the engine dropped there), then resumed from its journal on the same
//! simulated cluster. It must reach the same final state as an uninterrupted run, with each
//! non-idempotent operation done exactly once.

use std::sync::Arc;

use procedure::backend::{Backend, Observation};
use procedure::driver::{Driven, Operator, drive};
use procedure::engine::{Ending, Engine, EngineConfig, ManualPrompt};
use procedure::event::{EventKind, Fault};
use procedure::journal::{Journal, Record};
use procedure::setup::Setup;
use sim_cluster::sim::Builder;
use sim_cluster::staged::{StagedFault, StagedSim};

use crate::support::{default_cluster, procedure};

/// Interrupts the run at its `cut`-th chance, and records where each chance fell.
struct Cutter {
    cut: Option<usize>,
    calls: usize,
    step: usize,
    steps_at_call: Vec<usize>,
}

impl Operator for Cutter {
    fn confirm(&mut self, _: &Setup, _: &ManualPrompt) -> bool {
        true
    }

    fn step_started(&mut self, _: &Setup, step: usize, _: std::time::Duration) {
        self.step = step;
    }

    fn interrupted(&mut self) -> bool {
        self.steps_at_call.push(self.step);
        self.calls += 1;
        self.cut == Some(self.calls)
    }
}

fn setup() -> Arc<Setup> {
    Arc::new(Setup::new(default_cluster(), procedure("procedures/examples/registry-changing-module.toml")))
}

fn backend(setup: &Arc<Setup>) -> StagedSim {
    let install = setup.procedure.steps.iter().position(|s| s.id == "install-active").unwrap();
    let sim = Builder::new(Arc::clone(setup)).seed(5).build();
    let restart = Fault::RestartRequest { node: procedure::cluster::NodeId(0) };
    StagedSim::new(sim, vec![StagedFault { before_step: install, fault: restart }])
}

fn first_record(setup: &Setup) -> Record {
    Record::RunStarted {
        version: 1,
        procedure: "example".to_owned(),
        procedure_hash: setup.procedure.content_hash.clone(),
        module: setup.procedure.modules_label(),
        cluster: setup.cluster.name.clone(),
        cluster_identity: "test-cluster".to_owned(),
        backend: "sim".to_owned(),
        seed: Some(5),
        scenario: None,
    }
}

fn normalized(observation: &Observation) -> Observation {
    Observation { at: std::time::Duration::ZERO, ..observation.clone() }
}

/// Counts of the non-idempotent things a run did: installs per node, group starts, reboots.
fn effects(backend: &StagedSim) -> (usize, usize, usize) {
    let events = backend.events();
    let installs = events.iter().filter(|e| matches!(e.kind, EventKind::InstallerStarted { .. })).count();
    let group_starts = events.iter().filter(|e| matches!(e.kind, EventKind::GroupStarting { .. })).count();
    let reboots = events.iter().filter(|e| matches!(e.kind, EventKind::ClusterRebootStarted { .. })).count();
    (installs, group_starts, reboots)
}

#[test]
fn a_run_cut_anywhere_and_resumed_ends_as_an_uninterrupted_one() {
    let _no_spawning = crate::support::no_spawning();
    let setup = setup();
    // The uninterrupted run, which also tells where each chance to cut falls.
    let dir = tempfile::tempdir().unwrap();
    let mut reference = backend(&setup);
    let mut journal = Journal::create(&dir.path().join("reference"), &first_record(&setup)).unwrap();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    let mut cutter = Cutter { cut: None, calls: 0, step: 0, steps_at_call: Vec::new() };
    assert_eq!(drive(&mut engine, &mut reference, Some(&mut journal), &mut cutter).unwrap(), Driven::Finished);
    assert_eq!(engine.ending(), Some(&Ending::Completed));
    let expected = normalized(reference.observe().unwrap());
    let expected_effects = effects(&reference);
    assert_eq!(expected_effects, (2, 3, 1), "two installs, a reboot's start and two moves, one safe reboot");

    // Cut at the first four chances of every step: at the step's start, around its first
    // operation's intent and execution.
    let mut cuts = Vec::new();
    for step in 0..setup.procedure.steps.len() {
        if let Some(first) = cutter.steps_at_call.iter().position(|&s| s == step) {
            cuts.extend((first + 1..=first + 4).filter(|c| cutter.steps_at_call.get(c - 1) == Some(&step)));
        }
    }
    assert!(cuts.len() > 40, "{} cut points", cuts.len());
    for cut in cuts {
        let dir = tempfile::tempdir().unwrap();
        let run_dir = dir.path().join("run");
        let mut sim = backend(&setup);
        {
            let mut journal = Journal::create(&run_dir, &first_record(&setup)).unwrap();
            let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
            let mut cutter = Cutter { cut: Some(cut), calls: 0, step: 0, steps_at_call: Vec::new() };
            let driven = drive(&mut engine, &mut sim, Some(&mut journal), &mut cutter).unwrap();
            assert_eq!(driven, Driven::Interrupted, "cut {cut}");
            // The engine and the journal are dropped here, as in a crash.
        }
        let (mut journal, resumption) =
            Journal::resume(&run_dir, &setup, "test-cluster").unwrap_or_else(|error| panic!("cut {cut}: {error}"));
        resumption.check_against(journal.path(), &setup, sim.observe().unwrap()).unwrap();
        journal.resumed(&resumption).unwrap();
        let mut engine = Engine::resumed(Arc::clone(&setup), EngineConfig::standard(), &resumption);
        let mut operator = Cutter { cut: None, calls: 0, step: 0, steps_at_call: Vec::new() };
        drive(&mut engine, &mut sim, Some(&mut journal), &mut operator).unwrap();
        assert_eq!(engine.ending(), Some(&Ending::Completed), "cut {cut}");
        assert_eq!(effects(&sim), expected_effects, "cut {cut}: each non-idempotent operation exactly once");
        assert_eq!(normalized(sim.observe().unwrap()), expected, "cut {cut}: the same final state");
    }
}

/// A reboot-node step is not repeated by a resumed run, wherever the run was cut around it.
#[test]
fn a_reboot_node_step_cut_anywhere_reboots_the_node_once() {
    use procedure::event::DownCause;
    let _no_spawning = crate::support::no_spawning();
    let setup = Arc::new(Setup::new(default_cluster(), procedure("tests/data/operator-vocabulary.toml")));
    let reboot = setup.procedure.steps.iter().position(|s| s.id == "reboot-standby").unwrap();
    let reboots = |sim: &StagedSim| {
        sim.events().iter().filter(|e| matches!(e.kind, EventKind::NodeDown { cause: DownCause::Reboot, .. })).count()
    };
    let fresh = || StagedSim::new(Builder::new(Arc::clone(&setup)).seed(5).build(), Vec::new());

    let dir = tempfile::tempdir().unwrap();
    let mut reference = fresh();
    let mut journal = Journal::create(&dir.path().join("reference"), &first_record(&setup)).unwrap();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    let mut cutter = Cutter { cut: None, calls: 0, step: 0, steps_at_call: Vec::new() };
    assert_eq!(drive(&mut engine, &mut reference, Some(&mut journal), &mut cutter).unwrap(), Driven::Finished);
    assert_eq!(engine.ending(), Some(&Ending::Completed));
    assert_eq!(reboots(&reference), 1);
    let expected = normalized(reference.observe().unwrap());

    let cuts: Vec<usize> = (1..=cutter.steps_at_call.len())
        .filter(|&c| matches!(cutter.steps_at_call[c - 1], s if s == reboot || s == reboot + 1))
        .collect();
    assert!(cuts.len() >= 4, "{} cut points", cuts.len());
    for cut in cuts {
        let dir = tempfile::tempdir().unwrap();
        let run_dir = dir.path().join("run");
        let mut sim = fresh();
        {
            let mut journal = Journal::create(&run_dir, &first_record(&setup)).unwrap();
            let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
            let mut cutter = Cutter { cut: Some(cut), calls: 0, step: 0, steps_at_call: Vec::new() };
            let driven = drive(&mut engine, &mut sim, Some(&mut journal), &mut cutter).unwrap();
            assert_eq!(driven, Driven::Interrupted, "cut {cut}");
        }
        let resume = |sim: &mut StagedSim| {
            let (mut journal, resumption) =
                Journal::resume(&run_dir, &setup, "test-cluster").unwrap_or_else(|error| panic!("cut {cut}: {error}"));
            let mut engine = Engine::resumed(Arc::clone(&setup), EngineConfig::standard(), &resumption);
            let mut operator = Cutter { cut: None, calls: 0, step: 0, steps_at_call: Vec::new() };
            drive(&mut engine, sim, Some(&mut journal), &mut operator).unwrap();
            engine.ending().cloned()
        };
        let mut ending = resume(&mut sim);
        // Resumed while the node is still rebooting, the run stops at its pre-flight check
        // (every node must be up); resumed again once the node is back, it finishes.
        if let Some(Ending::Stopped { reason, .. }) = &ending {
            assert_eq!(reason, "pre-flight: ssc-node2 is down", "cut {cut}");
            sim.wait(std::time::Duration::from_secs(10 * 60));
            ending = resume(&mut sim);
        }
        assert_eq!(ending, Some(Ending::Completed), "cut {cut}");
        assert_eq!(reboots(&sim), 1, "cut {cut}: the node is rebooted exactly once");
        assert_eq!(normalized(sim.observe().unwrap()), expected, "cut {cut}: the same final state");
    }
}
