//! `check --suggest` with and without the reuse between candidates (`reuse.rs`): the same
//! repairs, in the same order, with the same diffs, and the same invariants prevented; the
//! reuse passes over candidates all the same.

use std::collections::BTreeSet;
use std::path::Path;

use procedure::invariant::Invariant;
use sim_cluster::control::Control;
use sim_cluster::explore::{Explorer, Mode};
use sim_cluster::model::search::{SearchConfig, Shard, search};

use super::{Search, repairs};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Checks `text` with up to `faults` faults the ways `modes` say, then searches its repairs
/// with and without the reuse, and compares them; the reuse must have passed over some
/// candidate.
fn check(text: &str, faults: usize, modes: &[Mode]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("procedure.toml");
    std::fs::write(&path, text).unwrap();
    let setup = crate::load::load(&path, None).unwrap_or_else(|_| panic!("the procedure loads")).setup;
    // What the check breaks, as `check` reports it: whether or not each way finishes.
    let broken: BTreeSet<Invariant> = modes
        .iter()
        .flat_map(|&mode| {
            let explorer = Explorer::new(std::sync::Arc::clone(&setup), 1).in_mode(mode);
            let config = SearchConfig {
                max_faults: faults,
                faults: explorer.candidate_faults(),
                seed: 1,
                engine: explorer.engine_config().clone(),
                jobs: 1,
                shard: Shard::WHOLE,
                recovery: true,
                accepted: Vec::new(),
            };
            search(&setup, &config, &Control::default()).counterexamples.into_keys()
        })
        .collect();
    assert!(!broken.is_empty(), "the procedure fails the check");
    let search = Search { modes, faults, seed: 1, recovery: true, broken: &broken };
    let path = path.display().to_string();
    let with = repairs(&setup, text, &path, &search, true);
    let without = repairs(&setup, text, &path, &search, false);
    let shown = |suggestion: &super::Suggestion| -> Vec<(String, String)> {
        suggestion.repairs.iter().map(|r| (r.summary.clone(), r.diff.clone())).collect()
    };
    assert!(!with.repairs.is_empty(), "a repair is found");
    assert_eq!(shown(&with), shown(&without));
    assert_eq!(with.prevented, without.prevented);
    assert_eq!(without.passed_over, 0);
    assert!(with.passed_over > 0, "the reuse passed over no candidate: {} searched", with.searched);
    assert_eq!(with.searched + with.passed_over, without.searched, "the same candidates were tried");
}

/// The seed as written with up to 2 faults (the worked example of README).
#[test]
fn the_reuse_changes_no_repair_of_the_seed() {
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    check(&seed, 2, &[Mode::AsWritten]);
}

/// The unzip given the active node alone, as written with up to 1 fault: one repair (the
/// unzip run on every node again), found after most candidates were passed over.
#[test]
fn the_reuse_changes_no_repair_of_a_step_on_the_wrong_role() {
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let wrong = seed.replacen(
        "on = \"every-node\"\naction = \"unzip-module\"",
        "on = \"active\"\naction = \"unzip-module\"",
        1,
    );
    assert_ne!(wrong, seed);
    check(&wrong, 1, &[Mode::AsWritten]);
}
