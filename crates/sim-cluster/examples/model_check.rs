//! Runs the model checker on a procedure and prints its figures
//! (`cargo run --release -p sim-cluster --example model_check -- PROCEDURE N [guarded]`).

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::engine::EngineConfig;
use procedure::setup::Setup;
use sim_cluster::explore::Explorer;
use sim_cluster::model::search::{SearchConfig, Shard, search};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .expect("the default cluster");
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root.join(&args[1])).unwrap(), &cluster).expect("valid");
    let setup = Arc::new(Setup::new(cluster, procedure));
    let max_faults: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let guards = args.get(3).is_some_and(|a| a == "guarded");
    let faults = Explorer::new(Arc::clone(&setup), 1).candidate_faults();
    let jobs: usize = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(1);
    let config = SearchConfig {
        max_faults,
        faults,
        seed: 1,
        engine: EngineConfig::standard().with_guards(guards),
        jobs,
        shard: Shard::WHOLE,
        recovery: false,
        accepted: Vec::new(),
    };
    let started = std::time::Instant::now();
    let result = search(&setup, &config, &sim_cluster::control::Control::default());
    let elapsed = started.elapsed();
    println!(
        "{} faults: {} states, {} transitions, depth {}, {} schedules, {} ends ({} completed, {} stopped, {} violated), per layer {:?}, {:.3} s, {:.2} M states/s",
        max_faults,
        result.states,
        result.transitions,
        result.depth,
        result.schedules,
        result.ends,
        result.completed,
        result.stopped_safely,
        result.violated,
        result.states_per_layer,
        elapsed.as_secs_f64(),
        result.states as f64 / elapsed.as_secs_f64() / 1e6
    );
    for (invariant, found) in &result.counterexamples {
        println!(
            "  {} at {:?}: {} — faults {:?}",
            invariant.id(),
            found.violation.at,
            found.violation.detail,
            found.faults
        );
    }
}
