//! `check --suggest` with and without the reuse between candidates (`reuse.rs`): the same
//! repairs, in the same order, with the same diffs, and the same invariants prevented; the
//! reuse passes over candidates all the same.

use std::collections::BTreeSet;
use std::path::Path;

use sim_cluster::explore::Mode;

use super::{Search, repairs, violated};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The seed with the table of step `from` put right before that of step `before`.
fn seed_with_step_moved(from: &str, before: &str) -> String {
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let table = |id: &str| original.find(&format!("[[step]]\nid = \"{id}\"")).unwrap();
    let start = table(from);
    let end = start + 1 + original[start + 1..].find("[[step]]").unwrap();
    let block = &original[start..end];
    let without = format!("{}{}", &original[..start], &original[end..]);
    let at = without.find(&format!("[[step]]\nid = \"{before}\"")).unwrap();
    format!("{}{block}{}", &without[..at], &without[at..])
}

/// Checks `text` with up to `faults` faults the ways `modes` say, then searches its repairs
/// with and without the reuse, and compares them; the reuse must have passed over some
/// candidate.
fn check(text: &str, faults: usize, modes: &[Mode]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("procedure.toml");
    std::fs::write(&path, text).unwrap();
    let setup = crate::load::load(&path, None).unwrap_or_else(|_| panic!("the procedure loads")).setup;
    let unbroken = BTreeSet::new();
    let search = Search { modes, faults, seed: 1, recovery: true, broken: &unbroken };
    let broken = violated(&setup, &search).expect("it completes with no fault").violated;
    assert!(!broken.is_empty(), "the procedure fails the check");
    let search = Search { broken: &broken, ..search };
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

/// The services stopped before the suspend, both ways with up to 1 fault: one repair, found
/// after most candidates were passed over.
#[test]
fn the_reuse_changes_no_repair_of_services_stopped_early() {
    check(&seed_with_step_moved("stop-services", "suspend-cluster"), 1, &Mode::BOTH);
}
