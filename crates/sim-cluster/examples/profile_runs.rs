//! Runs the seed procedure many times on the simulator, for profilers
//! (`valgrind --tool=callgrind target/release/examples/profile_runs 200`).

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .expect("the default cluster");
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root.join("procedures/ssc0307-0006.toml")).unwrap(), &cluster)
            .expect("valid");
    let setup = Arc::new(Setup::new(cluster, procedure));
    let started = std::time::Instant::now();
    let mut events = 0;
    for seed in 0..runs as u64 {
        let mut sim = Builder::new(Arc::clone(&setup)).seed(seed).build();
        let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
        drive(&mut engine, &mut sim, None, &mut Unattended).unwrap();
        events += sim.trace().len();
    }
    let elapsed = started.elapsed();
    println!("{runs} runs, {events} events, {:.1} µs a run", elapsed.as_secs_f64() * 1e6 / runs as f64);
}
