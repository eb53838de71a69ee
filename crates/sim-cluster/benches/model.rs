//! Benchmarks of the model checker behind `check --faults N`: the seed procedure with up to
//! 1, 2, 3 and 4 faults anywhere, on one thread and on all cores, and a 120-step procedure
//! (the seed's steps repeated with new ids) with up to 2 faults. Each reports unique states
//! per second as its throughput. The allocator is the binary's (mimalloc). Run with
//! `cargo bench -p sim-cluster --bench model`.

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;
use procedure::engine::EngineConfig;
use procedure::setup::Setup;
use sim_cluster::explore::Explorer;
use sim_cluster::model::search::{SearchConfig, Shard, search};

// As in the `clusterproc` binary, whose search this measures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn setup_from(text: &str) -> Arc<Setup> {
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root().join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .expect("the default cluster");
    let procedure =
        procedure::procedure::load(&SourceFile::new("bench.toml", text), &cluster).expect("a valid procedure");
    Arc::new(Setup::new(cluster, procedure))
}

fn seed_text() -> String {
    std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap()
}

/// The seed's fifteen steps repeated `times` times, each copy with new ids and no vendor
/// numbers.
fn repeated(times: usize) -> String {
    let text = seed_text();
    let first = text.find("[[step]]").expect("steps");
    let (head, steps) = text.split_at(first);
    let mut out = head.to_owned();
    for copy in 0..times {
        for block in steps.split("[[step]]").filter(|b| !b.trim().is_empty()) {
            let block: String = block
                .lines()
                .filter(|line| !line.starts_with("number ="))
                .map(|line| match line.strip_prefix("id = \"") {
                    Some(rest) => format!("id = \"{}-{copy}\"", rest.trim_end_matches('"')),
                    None => line.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.push_str("[[step]]");
            out.push_str(&block);
            out.push('\n');
        }
    }
    out
}

fn run(setup: &Arc<Setup>, max_faults: usize, jobs: usize) -> u64 {
    let config = SearchConfig {
        max_faults,
        faults: Explorer::new(Arc::clone(setup), 1).candidate_faults(),
        seed: 1,
        engine: EngineConfig::standard().with_guards(true),
        jobs,
        shard: Shard::WHOLE,
        recovery: false,
    };
    search(setup, &config, &sim_cluster::control::Control::default()).states
}

fn bench(bencher: divan::Bencher, setup: &Arc<Setup>, max_faults: usize, jobs: usize) {
    let states = run(setup, max_faults, jobs);
    bencher.counter(divan::counter::ItemsCount::new(states)).bench(|| divan::black_box(run(setup, max_faults, jobs)));
}

/// The seed, up to N faults anywhere, one thread.
#[divan::bench(args = [1, 2, 3, 4], sample_count = 3, sample_size = 1)]
fn seed_one_thread(bencher: divan::Bencher, max_faults: usize) {
    bench(bencher, &setup_from(&seed_text()), max_faults, 1);
}

/// The seed, up to N faults anywhere, every core.
#[divan::bench(args = [1, 2, 3, 4], sample_count = 3, sample_size = 1)]
fn seed_all_cores(bencher: divan::Bencher, max_faults: usize) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    bench(bencher, &setup_from(&seed_text()), max_faults, cores);
}

/// Procedures of 15, 30, 60 and 120 steps, up to 2 faults, one thread: how the cost grows.
#[divan::bench(args = [1, 2, 4, 8], sample_count = 2, sample_size = 1)]
fn repeated_seed_two_faults(bencher: divan::Bencher, copies: usize) {
    bench(bencher, &setup_from(&repeated(copies)), 2, 1);
}
