//! `check --suggest` with and without the reuse between candidates (`reuse.rs`): the same
//! repairs, in the same order, with the same diffs, and the same invariants prevented; the
//! reuse passes over candidates all the same.

use std::collections::BTreeSet;
use std::path::Path;

use procedure::action::kind::Milestone;
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

/// Every edit tried on the seed, written into its file: the file reads back as the edited
/// procedure (the same steps in the same order, on the same roles), and its replacements,
/// applied to the original text, give the repaired text. The only files that do not read
/// back are those with an install before any unzip (an install takes its folder from the
/// unzip before it); `repair` offers no such edit.
#[test]
fn every_edit_of_the_seed_is_written_as_the_procedure_it_checks() {
    let path = root().join("procedures/ssc0307-0006.toml");
    let source = std::fs::read_to_string(&path).unwrap();
    let setup = crate::load::load(&path, None).unwrap_or_else(|_| panic!("the seed loads")).setup;
    let actions = super::candidates(&setup.cluster);
    let edits = super::edit::edits(&setup.procedure, &setup.cluster, &actions);
    let kinds: BTreeSet<&str> = edits.iter().map(|edit| edit.kind()).collect();
    assert_eq!(kinds, BTreeSet::from(["insert", "move", "role"]));
    for edit in &edits {
        let edited = edit.apply(&setup.procedure);
        let written = super::text::write(&setup, &source, "seed.toml", edit);
        let source_file = procedure::diagnostic::SourceFile::new("seed.toml", &written.text);
        let reread = match procedure::procedure::load(&source_file, &setup.cluster) {
            Ok(reread) => reread,
            Err(error) => {
                let first_unzip = edited.steps.iter().position(|s| s.action.working_folder().is_some());
                let first_install = edited.steps.iter().position(|s| s.action.is(Milestone::InstallsModule));
                assert!(first_install < first_unzip, "{edit:?}: {error}\n{}", written.diff);
                assert!(error.to_string().contains("needs `folder`"), "{edit:?}: {error}");
                continue;
            }
        };
        let steps = |p: &procedure::procedure::Procedure| -> Vec<(String, &'static str)> {
            p.steps.iter().map(|s| (s.id.clone(), s.role.keyword())).collect()
        };
        assert_eq!(steps(&reread), steps(&edited), "{edit:?}\n{}", written.diff);
        assert_eq!(applied(&source, &written.replacements), written.text, "{edit:?}");
    }
}

/// `replacements` applied to `text` one after the other (lines and UTF-16 columns from 1).
fn applied(text: &str, replacements: &[super::Replacement]) -> String {
    let mut text = text.to_owned();
    for replacement in replacements {
        let offset = |text: &str, line: usize, column: usize| {
            let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
            let mut units = 1;
            let mut offset = start;
            for c in text[start..].chars() {
                if units >= column {
                    break;
                }
                units += c.len_utf16();
                offset += c.len_utf8();
            }
            offset
        };
        let from = offset(&text, replacement.line, replacement.column);
        let to = offset(&text, replacement.end_line, replacement.end_column);
        text.replace_range(from..to, &replacement.text);
    }
    text
}
