//! The recovery's fingerprint is taken from its start (`Sim::rebase`): runs that leave the
//! cluster in the same state, at different times and after different faults, start the same
//! recovery and are explored once. These tests check that such starts do meet, and that
//! starts which meet have the same future: the same verdicts, outcome and end state.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::engine::EngineConfig;
use procedure::setup::Setup;

use super::{Machine, Transition};
use crate::explore::Explorer;

fn setup(procedure: &str) -> Arc<Setup> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster_file = SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).expect("the cluster file");
    let cluster = procedure::cluster::load(&cluster_file).expect("the default cluster");
    let procedure_file = SourceFile::read(&root.join(procedure)).expect("the procedure file");
    let procedure = procedure::procedure::load(&procedure_file, &cluster).expect("a valid procedure");
    Arc::new(Setup::new(cluster, procedure))
}

/// Each run with one fault at every fault point of the run without faults, and with a
/// second at every `stride`-th fault point of those runs, taken to the moment its recovery
/// starts.
fn recovery_starts(setup: &Arc<Setup>, stride: usize) -> Vec<Machine> {
    let faults = Explorer::new(Arc::clone(setup), 1).candidate_faults();
    let config = EngineConfig::standard().with_guards(false);
    let run = Machine::new(setup, 1, &config, true).recovering(true);
    let mut starts = Vec::new();
    for first in branches(run, &faults, 1) {
        for second in branches(first.clone(), &faults, stride) {
            starts.extend(to_recovery(second));
        }
        starts.extend(to_recovery(first));
    }
    starts
}

/// The run with each fault offered at every `stride`-th of its fault points, one a copy.
fn branches(mut run: Machine, faults: &[procedure::event::Fault], stride: usize) -> Vec<Machine> {
    let mut copies = Vec::new();
    let mut fault_points = 0;
    while !run.in_recovery() {
        let transition = run.step();
        if transition == Transition::Finished {
            break;
        }
        if !transition.is_fault_point() {
            continue;
        }
        fault_points += 1;
        if fault_points % stride == 0 {
            for fault in run.faults_to_offer(faults, true) {
                let mut copy = run.clone();
                copy.inject(fault);
                copies.push(copy);
            }
        }
    }
    copies
}

/// The run taken to the moment its recovery starts, if one does.
fn to_recovery(mut run: Machine) -> Option<Machine> {
    while !run.in_recovery() && run.step() != Transition::Finished {}
    run.in_recovery().then_some(run)
}

/// What a run's future decided: what happened from the recovery's start (dated from it),
/// its violations, the recovery's outcome, the cluster at the end.
fn future(mut machine: Machine) -> String {
    let origin = machine.now();
    let already = machine.sim().trace().len();
    while machine.step() != Transition::Finished {}
    let events: Vec<String> =
        machine.sim().trace()[already..].iter().map(|e| format!("{:?} {:?}", e.at - origin, e.kind)).collect();
    let mut violations: Vec<String> = machine
        .violations()
        .iter()
        .map(|v| format!("{:?} {:?} recovered={}", v.invariant, v.node, v.recovered))
        .collect();
    violations.sort();
    let observation = machine.sim().observation();
    format!(
        "{}\n{violations:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        events.join("\n"),
        machine.outcome(),
        observation.nodes,
        observation.groups,
        observation.resources
    )
}

fn starts_that_meet_have_one_future(procedure: &str) {
    let setup = setup(procedure);
    let starts = recovery_starts(&setup, 5);
    assert!(starts.len() > 100, "{procedure}: only {} runs reached a recovery", starts.len());
    let mut met: BTreeMap<u64, Vec<Machine>> = BTreeMap::new();
    for mut start in starts {
        met.entry(start.fingerprint()).or_default().push(start);
    }
    let mut compared = 0;
    for group in met.into_values().filter(|group| group.len() > 1) {
        let first = &group[0];
        // Starts that differ in when they came (else they met already on the absolute clock).
        let others: Vec<&Machine> = group.iter().skip(1).filter(|m| m.now() != first.now()).take(2).collect();
        if others.is_empty() {
            continue;
        }
        let expected = future(first.clone());
        for other in others {
            assert_eq!(
                future(other.clone()),
                expected,
                "{procedure}: two recoveries with one fingerprint, started at {:?} and {:?}, went different ways",
                first.now(),
                other.now()
            );
            compared += 1;
        }
    }
    assert!(compared >= 20, "{procedure}: only {compared} recoveries started at different times met");
}

#[test]
fn recoveries_that_meet_on_the_seed_have_one_future() {
    starts_that_meet_have_one_future("procedures/ssc0307-0006.toml");
}

#[test]
fn recoveries_that_meet_on_the_registry_example_have_one_future() {
    starts_that_meet_have_one_future("procedures/examples/registry-changing-module.toml");
}
