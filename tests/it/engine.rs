//! The engine driving the simulator: the seed procedure completes with every invariant
//! satisfied; guards stop unsafe procedures; crash and resume.

use std::sync::Arc;

use procedure::driver::{Unattended, drive};
use procedure::engine::{Ending, Engine, EngineConfig};
use procedure::event::Renderer;
use procedure::invariant::Judge;
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

use crate::support::{default_cluster, procedure};

fn setup(path: &str) -> Arc<Setup> {
    Arc::new(Setup::new(default_cluster(), procedure(path)))
}

#[test]
fn seed_procedure_completes_on_the_simulator() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let mut sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    let initial = sim.observation().clone();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).expect("drives");
    let trace = Renderer::new(&setup).trace(sim.trace());
    let mut judge = Judge::new(&setup, &initial);
    judge.feed(&setup, sim.trace());
    let roles = engine.roles().unwrap().clone();
    judge.finish(&setup, sim.observation(), roles.active, &roles.standbys);
    assert_eq!(engine.ending(), Some(&Ending::Completed), "{trace}");
    assert!(judge.violations().is_empty(), "{:?}\n{trace}", judge.violations());
}

/// See: the property test `the_engine_never_reboots_while_suspended_nor_stops_registry_sync_during_the_apply`
/// found that installing while registry sync was already offline went unguarded.
#[test]
fn installing_while_registry_sync_is_offline_is_refused() {
    use procedure::invariant::Invariant;
    use procedure::procedure::{Action, Role};
    let mut procedure = procedure("procedures/examples/registry-changing-module.toml");
    let install = procedure.steps.iter().position(|s| s.id == "install-active").unwrap();
    let mut stop = procedure.steps[install].clone();
    stop.id = "stop-registry-sync".to_owned();
    stop.role = Role::Active;
    stop.action = Action::from(procedure::action::StopResource { resource: procedure::cluster::ResourceId(2) });
    procedure.steps.insert(0, stop);
    let setup = Arc::new(Setup::new(default_cluster(), procedure));
    let mut sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).unwrap();
    match engine.ending() {
        Some(Ending::Refused(refusal)) => {
            assert_eq!(refusal.invariant, Invariant::RegistrySyncStoppedDuringApply);
            assert_eq!(setup.procedure.steps[refusal.step].id, "install-active");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
