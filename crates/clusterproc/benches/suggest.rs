//! Benchmarks of `check --suggest` as a user runs it (the release binary, one search thread):
//! the seed procedure with up to 2 faults, where the search finds its repairs and proves
//! each; and a procedure of 120 steps (the seed's steps repeated eight times with new ids,
//! as `sim-cluster`'s model benchmark builds it) with up to 2 faults, where every copy keeps
//! the seed's gap, so no single edit repairs it and the search tries every candidate. The
//! long procedure must complete with no fault before it is timed. Run with
//! `cargo bench -p clusterproc --bench suggest`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `clusterproc check ARGS --suggest --jobs 1 --format json`, run from the repository's
/// root: its report.
fn suggest(args: &[&str], save: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_clusterproc"))
        .current_dir(root())
        .arg("check")
        .args(args)
        .args(["--suggest", "--jobs", "1", "--format", "json", "--save"])
        .arg(save)
        .output()
        .expect("clusterproc runs");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)))
}

/// The seed, up to 2 faults: the repairs found and proven.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn seed_two_faults(bencher: divan::Bencher) {
    let save = tempfile::tempdir().unwrap();
    let args = ["procedures/ssc0307-0006.toml", "--faults", "2"];
    let report = suggest(&args, save.path());
    assert!(!report["repairs"]["found"].as_array().unwrap().is_empty(), "the seed gets a repair: {report}");
    bencher.bench(|| divan::black_box(suggest(&args, save.path())));
}

/// The seed's steps repeated eight times (120 steps), each copy with new ids and no vendor
/// numbers, on the default cluster stating that a monitor's recovery counts go back to zero
/// once healthy again (with the counts kept for the run, the copies stop at step 40 without
/// any fault: see `sim-cluster`'s model benchmark).
fn long_procedure(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let first = text.find("[[step]]").expect("steps");
    let (head, steps) = text.split_at(first);
    let mut out = head.to_owned();
    for copy in 0..8 {
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
    let procedure = dir.join("long.toml");
    std::fs::write(&procedure, out).unwrap();
    let cluster_text = std::fs::read_to_string(root().join("scenarios/cluster/ssc-two-node.toml")).unwrap();
    let stated = cluster_text.replacen("\nversion = 1\n", "\nversion = 1\nrecovery-counts = \"reset-on-normal\"\n", 1);
    assert_ne!(stated, cluster_text, "the default cluster file has its `version = 1` line");
    let cluster = dir.join("cluster.toml");
    std::fs::write(&cluster, stated).unwrap();
    (procedure.display().to_string(), cluster.display().to_string())
}

/// 120 steps, up to 2 faults: every candidate tried, none repairs it.
#[divan::bench(sample_count = 2, sample_size = 1)]
fn long_procedure_two_faults(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, cluster) = long_procedure(dir.path());
    // It must complete with no fault, every way, or the benchmark would time less work than
    // its length says.
    let plain = suggest(&[&procedure, "--cluster", &cluster, "--faults", "none"], dir.path());
    for way in plain["ways"].as_array().unwrap() {
        assert_eq!(way["baseline"]["ending"], "completed", "the 120 steps complete with no fault: {way}");
        assert_eq!(way["baseline"]["step"], serde_json::Value::Null, "{way}");
    }
    let args = [procedure.as_str(), "--cluster", &cluster, "--faults", "2"];
    let report = suggest(&args, dir.path());
    assert!(report["repairs"].is_object(), "the 120 steps fail with 2 faults, and repairs are searched: {report}");
    bencher.bench(|| divan::black_box(suggest(&args, dir.path())));
}
