//! Benchmarks of the simulator driven by the engine: one whole run of the seed procedure, and
//! a clone of the simulator (what the model checker pays per fault; `benches/model.rs` measures
//! the search itself).
//! Run with `cargo bench -p sim-cluster`.

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

fn main() {
    divan::main();
}

fn setup(procedure_path: &str) -> Arc<Setup> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .expect("the default cluster");
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root.join(procedure_path)).unwrap(), &cluster).expect("valid");
    Arc::new(Setup::new(cluster, procedure))
}

/// Builds the simulated cluster and runs a whole procedure on it.
fn run_once(setup: &Arc<Setup>) -> usize {
    let mut sim = Builder::new(Arc::clone(setup)).seed(1).build();
    let mut engine = Engine::new(Arc::clone(setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).unwrap();
    sim.trace().len()
}

/// One whole run of the seed procedure.
#[divan::bench]
fn seed_procedure_run(bencher: divan::Bencher) {
    let setup = setup("procedures/ssc0307-0006.toml");
    bencher.bench(|| divan::black_box(run_once(&setup)));
}

/// The same with the registry-writing example module.
#[divan::bench]
fn example_module_run(bencher: divan::Bencher) {
    let setup = setup("procedures/examples/registry-changing-module.toml");
    bencher.bench(|| divan::black_box(run_once(&setup)));
}

/// Cloning a simulator mid-run: what `check` pays at each fault point.
#[divan::bench]
fn clone_simulator(bencher: divan::Bencher) {
    let setup = setup("procedures/ssc0307-0006.toml");
    let sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    bencher.bench(|| divan::black_box(sim.clone()));
}
