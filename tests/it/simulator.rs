//! Properties of the simulator itself: determinism across seeds, structural invariants under
//! random operations and faults, and the rules that keep it deterministic.

use std::sync::Arc;

use procedure::backend::{Backend, GroupStatus, Observation, Operation, ResourceStatus};
use procedure::cluster::{GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::event::{Fault, Renderer};
use procedure::procedure::RestartAnswer;
use procedure::setup::Setup;
use proptest::prelude::*;
use sim_cluster::sim::Builder;
use sim_cluster::staged::{StagedFault, StagedSim};

use crate::support::{default_cluster, procedure, root};

fn example() -> Arc<Setup> {
    Arc::new(Setup::new(default_cluster(), procedure("procedures/examples/registry-changing-module.toml")))
}

/// One engine run of the example module with a seed-dependent fault, rendered.
fn traced_run(setup: &Arc<Setup>, seed: u64) -> String {
    let node = NodeId((seed % 2) as u8);
    let fault = match seed % 4 {
        0 => Fault::RestartRequest { node },
        1 => Fault::MonitorFalseAlarm { node, monitor: MonitorId(2) },
        2 => Fault::ServiceFailsToStart { node, service: ServiceId(20) },
        _ => Fault::GroupMoveFails { group: GroupId(0) },
    };
    let staged = vec![StagedFault { before_step: (seed % 15) as usize, fault }];
    let mut backend = StagedSim::new(Builder::new(Arc::clone(setup)).seed(seed).build(), staged);
    let mut engine = Engine::new(Arc::clone(setup), EngineConfig::standard());
    drive(&mut engine, &mut backend, None, &mut Unattended).unwrap();
    format!("{:?}\n{}", engine.ending(), Renderer::new(setup).trace(backend.events()))
}

#[test]
fn the_same_seed_gives_the_same_trace_byte_for_byte() {
    let setup = example();
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..100 {
        let first = traced_run(&setup, seed);
        let second = traced_run(&setup, seed);
        assert!(first == second, "seed {seed} gave two different traces");
        distinct.insert(first);
    }
    assert!(distinct.len() > 90, "seeds change the runs: {} distinct traces of 100", distinct.len());
}

/// Structural invariants of any cluster state.
fn check_structure(setup: &Setup, observation: &Observation) -> Result<(), String> {
    let cluster = &setup.cluster;
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = observation.groups[g];
        for &resource in &group.resources {
            let r = observation.resources[resource.index()];
            if r.status != ResourceStatus::Offline {
                if r.node.is_none() {
                    return Err(format!(
                        "resource {} is {:?} on no node",
                        cluster.resources[resource.index()].name,
                        r.status
                    ));
                }
                if r.node != state.owner {
                    return Err(format!(
                        "resource {} is {:?} on {:?} but group {} is owned by {:?}",
                        cluster.resources[resource.index()].name,
                        r.status,
                        r.node,
                        group.name,
                        state.owner
                    ));
                }
            }
        }
        if state.status == GroupStatus::Offline && state.owner.is_some() {
            return Err(format!("group {} is offline but owned", group.name));
        }
    }
    // The mirror drive is readable (its resource online) on one node at most: the owner.
    for (resource, _) in cluster.mirror_drives() {
        let state = observation.resources[resource.index()];
        if state.status == ResourceStatus::Online {
            let group = cluster.resources[resource.index()].group;
            if observation.groups[group.index()].owner != state.node {
                return Err("the mirror drive is readable on a node that does not own its group".to_owned());
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Step {
    Operate(Operation),
    Inject(Fault),
    Wait(u64),
}

fn any_node() -> impl Strategy<Value = NodeId> {
    (0u8..2).prop_map(NodeId)
}

fn any_step(services: u16, resources: u16, monitors: u16) -> impl Strategy<Value = Step> {
    let folder = prop_oneof![Just(r"C:\Temp\EXAMPLE-0001"), Just(r"E:\Temp\EXAMPLE-0001")];
    let answer = prop_oneof![Just(RestartAnswer::Decline), Just(RestartAnswer::Restart)];
    let operation = prop_oneof![
        any_node().prop_map(|via| Operation::SuspendCluster { via }),
        any_node().prop_map(|via| Operation::ResumeCluster { via }),
        any_node().prop_map(|node| Operation::StartClusterService { node }),
        any_node().prop_map(|node| Operation::StopClusterService { node }),
        (any_node(), 0..monitors).prop_map(|(node, m)| Operation::SuspendMonitor { node, monitor: MonitorId(m) }),
        (any_node(), 0..monitors).prop_map(|(node, m)| Operation::ResumeMonitor { node, monitor: MonitorId(m) }),
        (any_node(), 0..services).prop_map(|(node, s)| Operation::StopWatch { node, service: ServiceId(s) }),
        (any_node(), 0..services).prop_map(|(node, s)| Operation::StartWatch { node, service: ServiceId(s) }),
        (any_node(), 0..services).prop_map(|(node, s)| Operation::StopService { node, service: ServiceId(s) }),
        (any_node(), 0..services).prop_map(|(node, s)| Operation::StartService { node, service: ServiceId(s) }),
        (any_node(), 0..resources).prop_map(|(via, r)| Operation::StopResource { via, resource: ResourceId(r) }),
        (any_node(), 0..resources).prop_map(|(node, r)| Operation::StartResource { node, resource: ResourceId(r) }),
        (any_node(), proptest::option::of(any_node())).prop_map(|(via, to)| Operation::MoveGroup {
            via,
            group: GroupId(0),
            to
        }),
        (any_node(), folder.clone()).prop_map(|(node, f)| Operation::UnzipModule {
            node,
            folder: Arc::from(f),
            module: procedure::module::ModuleId(0)
        }),
        (any_node(), folder.clone())
            .prop_map(|(node, f)| Operation::BackupRegistry { node, file: Arc::from(format!("{f}\\registry.reg")) }),
        (any_node(), folder.clone())
            .prop_map(|(node, f)| Operation::ImportRegistry { node, file: Arc::from(format!("{f}\\registry.reg")) }),
        (any_node(), folder, answer).prop_map(|(node, f, restart_answer)| Operation::InstallModule {
            node,
            folder: Arc::from(f),
            module: procedure::module::ModuleId(0),
            restart_answer
        }),
        any_node().prop_map(|node| Operation::RebootNode { node }),
        any_node().prop_map(|via| Operation::RebootCluster { via }),
    ];
    let fault = prop_oneof![
        any_node().prop_map(|node| Fault::Crash { node }),
        any_node().prop_map(|node| Fault::Restart { node }),
        any_node().prop_map(|node| Fault::InstallerFails { node }),
        any_node().prop_map(|node| Fault::RestartRequest { node }),
        (any_node(), 0..services).prop_map(|(node, s)| Fault::ServiceFailsToStart { node, service: ServiceId(s) }),
        Just(Fault::GroupMoveFails { group: GroupId(0) }),
        (any_node(), 0..monitors).prop_map(|(node, m)| Fault::MonitorFalseAlarm { node, monitor: MonitorId(m) }),
        any_node().prop_map(|node| Fault::Unreachable { node }),
        any_node().prop_map(|node| Fault::Reachable { node }),
    ];
    prop_oneof![
        4 => operation.prop_map(Step::Operate),
        2 => fault.prop_map(Step::Inject),
        3 => (0u64..3600).prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::support::proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn random_operations_and_faults_keep_the_cluster_consistent(
        seed in any::<u64>(),
        steps in proptest::collection::vec(any_step(24, 9, 7), 1..60),
    ) {
        let setup = example();
        // The strategy draws ids within these counts.
        prop_assert_eq!(setup.cluster.services.len(), 24);
        prop_assert_eq!(setup.cluster.resources.len(), 9);
        prop_assert_eq!(setup.cluster.monitors.len(), 7);
        let mut sim = Builder::new(Arc::clone(&setup)).seed(seed).build();
        for step in &steps {
            match step {
                Step::Operate(operation) => { let _ = sim.execute(operation); }
                Step::Inject(fault) => sim.inject(*fault),
                Step::Wait(seconds) => sim.advance(std::time::Duration::from_secs(*seconds)),
            }
            let observation = sim.observe().unwrap().clone();
            if let Err(problem) = check_structure(&setup, &observation) {
                prop_assert!(false, "seed {seed}: {problem}\n{}", Renderer::new(&setup).trace(sim.trace()));
            }
        }
        sim.settle(std::time::Duration::from_secs(6 * 3600));
        let observation = sim.observe().unwrap().clone();
        prop_assert!(check_structure(&setup, &observation).is_ok(), "seed {}", seed);
    }
}

/// The simulator and the engine must stay deterministic: no hash-ordered iteration, no wall
/// clock, no unseeded randomness, no sleeping.
#[test]
fn procedure_and_simulator_sources_avoid_nondeterminism() {
    const FORBIDDEN: [&str; 7] =
        ["HashMap", "HashSet", "Instant::now", "SystemTime", "thread_rng", "thread::sleep", "rand::random"];
    let mut offenders = Vec::new();
    for krate in ["crates/procedure/src", "crates/sim-cluster/src"] {
        let mut stack = vec![root().join(krate)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (number, line) in text.lines().enumerate() {
                        if line.trim_start().starts_with("//") {
                            continue;
                        }
                        for word in FORBIDDEN {
                            if line.contains(word) {
                                offenders.push(format!("{}:{}: {word}", path.display(), number + 1));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "nondeterminism in procedure or sim-cluster:\n{}", offenders.join("\n"));
}
