//! Property tests of the engine and the invariants: the seed procedure keeps every safety
//! invariant under any single fault; for any generated procedure the engine never reboots a
//! node while the cluster is suspended and never stops registry sync during the apply; and
//! failing procedures shrink to a few steps.

use std::sync::Arc;

use procedure::action as kinds;
use procedure::cluster::{GroupId, NodeId, ResourceId};
use procedure::event::Fault;
use procedure::invariant::Invariant;
use procedure::procedure::{Action, Procedure, RestartAnswer, Role, Step};
use procedure::setup::Setup;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestError, TestRunner};
use sim_cluster::explore::Explorer;
use sim_cluster::staged::StagedFault;

use crate::support::{default_cluster, procedure, proptest_cases};

fn seed_explorer(seed: u64) -> Explorer {
    let setup = Arc::new(Setup::new(default_cluster(), procedure("procedures/ssc0307-0006.toml")));
    Explorer::new(setup, seed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(64), ..ProptestConfig::default() })]

    #[test]
    fn the_seed_keeps_every_safety_invariant_under_any_single_fault(
        seed in 0u64..1_000,
        boundary in 0usize..15,
        fault in 0usize..64,
    ) {
        let explorer = seed_explorer(seed);
        let faults = explorer.candidate_faults();
        let fault = faults[fault % faults.len()];
        let (result, _) = explorer.run(&[StagedFault { before_step: boundary, fault }]);
        let broken: Vec<&str> =
            result.violations.iter().filter(|v| v.invariant.is_safety()).map(|v| v.invariant.id()).collect();
        prop_assert!(broken.is_empty(), "seed {seed}, {fault:?} before step {boundary}: {broken:?}");
    }
}

/// A step of a generated procedure.
fn any_step() -> impl Strategy<Value = Step> {
    let folder = prop_oneof![Just(r"C:\Temp\EXAMPLE-0001".to_owned()), Just(r"E:\Temp\EXAMPLE-0001".to_owned())];
    let answer = prop_oneof![Just(RestartAnswer::Decline), Just(RestartAnswer::Restart)];
    let one_node = prop_oneof![Just(Role::Active), Just(Role::Standby)];
    let any_role =
        prop_oneof![Just(Role::Active), Just(Role::Standby), Just(Role::EveryNode), Just(Role::EveryStandby)];
    let regsync = ResourceId(2);
    let per_node = prop_oneof![
        folder
            .clone()
            .prop_map(|folder| Action::from(kinds::UnzipModule { folder, module: procedure::module::ModuleId(0) })),
        folder.clone().prop_map(|folder| Action::from(kinds::BackupRegistry {
            file: format!("{folder}\\registry.reg"),
            module: procedure::module::ModuleId(0)
        })),
        Just(Action::from(kinds::StopMonitoring { services: None })),
        Just(Action::from(kinds::StartMonitoring { services: None })),
        Just(Action::from(kinds::StopServices { services: vec![procedure::cluster::ServiceId(20)] })),
        (folder, answer).prop_map(|(folder, restart_answer)| Action::from(kinds::InstallModule {
            folder,
            module: procedure::module::ModuleId(0),
            restart_answer,
            reapply: false
        })),
    ];
    let cluster_wide = prop_oneof![
        Just(Action::from(kinds::SuspendCluster)),
        Just(Action::from(kinds::ResumeCluster)),
        Just(Action::from(kinds::RebootCluster)),
        prop_oneof![Just(Role::Active), Just(Role::Standby)]
            .prop_map(|to| Action::from(kinds::MoveGroup { group: GroupId(0), to })),
        Just(Action::from(kinds::StopResource { resource: regsync })),
        Just(Action::from(kinds::StartResource { resource: regsync })),
    ];
    prop_oneof![(per_node, any_role).prop_map(|(a, r)| (a, r)), (cluster_wide, one_node).prop_map(|(a, r)| (a, r))]
        .prop_map(|(action, role)| Step {
            id: String::new(),
            number: None,
            title: action.keyword().to_owned(),
            role,
            action,
            condition: None,
            text: String::new(),
            notes: Vec::new(),
            line: 0,
            position: 0,
            ja: None,
        })
}

/// A procedure of the example module (it writes registry values) with generated steps.
fn any_procedure(max_steps: usize) -> impl Strategy<Value = Procedure> {
    let base = procedure("procedures/examples/registry-changing-module.toml");
    proptest::collection::vec(any_step(), 1..max_steps).prop_map(move |steps| {
        let mut generated = base.clone();
        generated.steps = steps
            .into_iter()
            .enumerate()
            .map(|(i, mut step)| {
                step.id = format!("s{i}-{}", step.action.keyword());
                step.position = i + 1;
                step
            })
            .collect();
        generated
    })
}

fn violations_of(procedure: Procedure, seed: u64) -> Vec<Invariant> {
    let setup = Arc::new(Setup::new(default_cluster(), procedure));
    let result = Explorer::new(setup, seed).baseline();
    result.violations.iter().map(|v| v.invariant).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn the_engine_never_reboots_while_suspended_nor_stops_registry_sync_during_the_apply(
        procedure in any_procedure(14),
        seed in 0u64..100,
        crash in proptest::option::of((0usize..14, 0u8..2)),
    ) {
        let steps = procedure.steps.len();
        let setup = Arc::new(Setup::new(default_cluster(), procedure));
        let explorer = Explorer::new(setup, seed);
        let faults: Vec<StagedFault> = crash
            .filter(|(step, _)| *step < steps)
            .map(|(step, node)| StagedFault { before_step: step, fault: Fault::Crash { node: NodeId(node) } })
            .into_iter()
            .collect();
        let (result, sim) = explorer.run(&faults);
        for violation in &result.violations {
            prop_assert!(
                !matches!(violation.invariant, Invariant::RebootWhileSuspended | Invariant::RegistrySyncStoppedDuringApply),
                "{}: {}\n{}",
                violation.invariant.id(),
                violation.detail,
                explorer.story(sim.trace())
            );
        }
    }
}

#[test]
fn failing_procedures_shrink_to_a_few_steps() {
    // Most generated procedures do not update every node; proptest must shrink the first one
    // it finds to a handful of steps.
    let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&any_procedure(14), |procedure| {
        let violated = violations_of(procedure, 1);
        prop_assert!(!violated.contains(&Invariant::PartialUpdate));
        Ok(())
    });
    match outcome {
        Err(TestError::Fail(_, minimal)) => {
            assert!(minimal.steps.len() <= 3, "shrunk to {} steps: {:?}", minimal.steps.len(), minimal.steps);
        }
        other => panic!("expected a failing, shrunk case, got {other:?}"),
    }
}
