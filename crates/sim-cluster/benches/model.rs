//! Benchmarks of the model checker behind `check --faults N`: the seed procedure with up to
//! 1, 2, 3 and 4 faults anywhere, on one thread and on all cores, and procedures of up to
//! 120 steps (the seed's steps repeated with new ids, each checked to complete with no fault
//! first) with up to 2 faults, each judged where the run ends; then both shipped procedures with up to 2 and 3 faults, with and without the
//! recovery that `check` runs after a run with faults (its default), for the ratio. Each
//! reports unique states per second as its throughput. The allocator is the binary's (mimalloc). Run with
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
    setup_on(cluster, text)
}

/// The default cluster stating that a monitor's recovery counts go back to zero when its
/// poll finds the target healthy again (`recovery-counts = "reset-on-normal"`). With the
/// default (counts kept for the run, the conservative inference), the seed's steps repeated
/// three times spend the PVMService monitor's reactivation and failover, and its final
/// action stops the group at step 40, without any fault.
fn setup_resetting_counts(text: &str) -> Arc<Setup> {
    let path = root().join("scenarios/cluster/ssc-two-node.toml");
    let cluster = std::fs::read_to_string(&path).unwrap();
    let stated = cluster.replacen("\nversion = 1\n", "\nversion = 1\nrecovery-counts = \"reset-on-normal\"\n", 1);
    assert_ne!(stated, cluster, "the default cluster file has its `version = 1` line");
    let cluster = procedure::cluster::load(&SourceFile::new(&path.display().to_string(), &stated))
        .expect("the default cluster, counts reset");
    setup_on(cluster, text)
}

fn setup_on(cluster: procedure::cluster::Cluster, text: &str) -> Arc<Setup> {
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
    run_with(setup, max_faults, jobs, false)
}

fn run_with(setup: &Arc<Setup>, max_faults: usize, jobs: usize, recovery: bool) -> u64 {
    let config = SearchConfig {
        max_faults,
        faults: Explorer::new(Arc::clone(setup), 1).candidate_faults(),
        seed: 1,
        engine: EngineConfig::standard().with_guards(true),
        jobs,
        shard: Shard::WHOLE,
        recovery,
        accepted: Vec::new(),
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
/// Each must complete with no fault before it is timed: a procedure cut short would time
/// less work than its length says (issue 26: on the default cluster the copies stop at step
/// 40), so the copies run on a cluster whose monitors' counts reset once healthy again.
#[divan::bench(args = [1, 2, 4, 8], sample_count = 2, sample_size = 1)]
fn repeated_seed_two_faults(bencher: divan::Bencher, copies: usize) {
    let setup = setup_resetting_counts(&repeated(copies));
    let baseline = Explorer::new(Arc::clone(&setup), 1).baseline();
    assert!(
        baseline.ending == procedure::engine::Ending::Completed && baseline.violations.is_empty(),
        "{copies} copies of the seed must complete with no fault before they are timed: {:?}, {} violations",
        baseline.ending,
        baseline.violations.len()
    );
    bench(bencher, &setup, 2, 1);
}

fn registry_text() -> String {
    std::fs::read_to_string(root().join("procedures/examples/registry-changing-module.toml")).unwrap()
}

fn bench_recovery(bencher: divan::Bencher, text: &str, max_faults: usize, recovery: bool) {
    let setup = setup_from(text);
    let states = run_with(&setup, max_faults, 1, recovery);
    bencher
        .counter(divan::counter::ItemsCount::new(states))
        .bench(|| divan::black_box(run_with(&setup, max_faults, 1, recovery)));
}

/// The seed, up to N faults, one thread, each run judged where it ends (`--no-recovery`).
#[divan::bench(args = [2, 3], sample_count = 5, sample_size = 1)]
fn seed_without_recovery(bencher: divan::Bencher, max_faults: usize) {
    bench_recovery(bencher, &seed_text(), max_faults, false);
}

/// The seed, up to N faults, one thread, with the recovery after each run with faults.
#[divan::bench(args = [2, 3], sample_count = 5, sample_size = 1)]
fn seed_with_recovery(bencher: divan::Bencher, max_faults: usize) {
    bench_recovery(bencher, &seed_text(), max_faults, true);
}

/// The registry example, up to N faults, one thread, judged where each run ends.
#[divan::bench(args = [2, 3], sample_count = 5, sample_size = 1)]
fn registry_example_without_recovery(bencher: divan::Bencher, max_faults: usize) {
    bench_recovery(bencher, &registry_text(), max_faults, false);
}

/// The registry example, up to N faults, one thread, with the recovery after each run.
#[divan::bench(args = [2, 3], sample_count = 5, sample_size = 1)]
fn registry_example_with_recovery(bencher: divan::Bencher, max_faults: usize) {
    bench_recovery(bencher, &registry_text(), max_faults, true);
}

/// Planning the recovery after the registry example stopped on a crash of the active node
/// during its install (the cluster as the run left it, after what followed with nobody
/// acting): the planner alone, as `recover` and `check` call it.
#[divan::bench(sample_count = 20, sample_size = 100)]
fn plan_a_recovery(bencher: divan::Bencher) {
    use procedure::event::Fault;
    use procedure::recovery::planner::plan;
    use sim_cluster::staged::StagedFault;
    let setup = setup_from(&registry_text());
    let install = setup.procedure.steps.iter().position(|s| s.id == "install-standby").expect("the standby's install");
    let crash = StagedFault { before_step: install, fault: Fault::Crash { node: setup.cluster.initial_active() } };
    let (result, sim) = Explorer::new(Arc::clone(&setup), 1).with_recovery(false).run(&[crash]);
    assert!(result.ending != procedure::engine::Ending::Completed, "the crash stops the run");
    let observation = sim.observation().clone();
    let steps = plan(&setup, None, &observation).steps.len();
    assert!(steps > 0, "there is something to recover");
    bencher.bench(|| divan::black_box(plan(&setup, None, &observation).steps.len()));
}
