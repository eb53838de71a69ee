//! `check --suggest`: repairs of a failing procedure, searched and proven. Each candidate is
//! one edit (`suggest/edit.rs`): a step of the vocabulary that offers itself as a repair
//! inserted (`procedure::action::candidates`: a `verify-cluster`, a `suspend-cluster`, a
//! `resume-cluster`), a step moved to another place, or a step run on another node role. A
//! candidate is offered only once the whole check it failed (every way, the same faults, the
//! same seed) passes on the repaired procedure, and the repaired file reads back. Repairs are
//! ranked by their number of edits (one each), then the earliest place where they change the
//! procedure; each is shown as a diff of the procedure file (`suggest/text.rs`). The fault
//! schedules that broke earlier candidates are replayed on the next one before its search
//! (`suggest/reuse.rs`).

mod edit;
mod reuse;
#[cfg(test)]
mod tests;
mod text;

use std::collections::BTreeSet;
use std::sync::Arc;

use procedure::action::Action;
use procedure::diagnostic::SourceFile;
use procedure::engine::Ending;
use procedure::invariant::Invariant;
use procedure::setup::Setup;
use sim_cluster::control::Control;
use sim_cluster::explore::{Explorer, Mode};
use sim_cluster::model::search::{Found, SearchConfig, Shard, search};

pub(crate) use edit::Edit;
pub(crate) use text::Replacement;

/// A repair: one edit, proven by a check that passes.
#[derive(Debug, Clone)]
pub(super) struct Repair {
    /// The edit.
    pub(super) edit: Edit,
    /// What it does, in words: `move step suspend-cluster before unzip`.
    pub(super) summary: String,
    /// The step it inserts, moves or runs elsewhere, as it is in the repaired procedure.
    pub(super) step: procedure::procedure::Step,
    /// The id of the step it goes before in the repaired procedure; none at the end.
    pub(super) before: Option<String>,
    /// The repaired procedure file's text.
    pub(super) text: String,
    /// The repair as a unified diff of the procedure file.
    pub(super) diff: String,
    /// The repair as replacements of the file's regions, the last region first.
    pub(super) replacements: Vec<Replacement>,
}

/// At most how many repairs are shown.
const SHOWN: usize = 3;

/// The repairs that make `setup`'s procedure pass the check `search` describes, best first;
/// `source` is the procedure file's text and `path` its name. With `reuse`, the schedules that
/// broke earlier candidates are replayed on each before its search (the result is the same).
pub(super) fn repairs(setup: &Setup, source: &str, path: &str, search: &Search<'_>, reuse: bool) -> Suggestion {
    let Search { modes, faults, seed, recovery, broken } = *search;
    let procedure = &setup.procedure;
    let mut found = Vec::new();
    let mut prevented = BTreeSet::new();
    // With no fault, a candidate's check is one run each way: nothing to save.
    let mut pool = (reuse && faults > 0).then(reuse::Pool::default);
    let mut tried = 0;
    for edit in edit::edits(procedure, &setup.cluster, &candidates(&setup.cluster)) {
        let candidate = Arc::new(Setup::new(setup.cluster.clone(), edit.apply(procedure)));
        if let Some(pool) = &mut pool
            && pool.rules_out(&candidate, modes, (seed, recovery), broken, &prevented)
        {
            continue;
        }
        tried += 1;
        // A candidate that keeps the procedure from finishing without faults prevents
        // nothing.
        // Once a way breaks an invariant (no repair), and each broken invariant it does not
        // break is known prevented already, the other ways could tell nothing more.
        let told_all = |violated: &BTreeSet<Invariant>| reuse::tells_nothing_more(violated, broken, &prevented);
        let Some(checked) = violated(&candidate, search, &told_all) else { continue };
        if let Some(pool) = &mut pool {
            for (mode, found) in &checked.counterexamples {
                pool.keep(&reuse::Run { setup: &candidate, mode: *mode, seed, recovery }, found);
            }
        }
        prevented.extend(broken.iter().copied().filter(|invariant| !checked.violated.contains(invariant)));
        if checked.violated.is_empty() && found.len() < SHOWN {
            found.extend(repair(setup, &candidate, source, path, edit));
        }
        // Enough repairs, and every broken invariant known to be preventable: the rest
        // of the candidates would say nothing new.
        if found.len() == SHOWN && broken.is_subset(&prevented) {
            break;
        }
    }
    let passed_over = pool.map_or(0, |pool| pool.passed_over);
    Suggestion { repairs: found, prevented, searched: tried, passed_over }
}

/// The repair `edit` makes, written into the file; none when the repaired file does not read
/// back as the procedure that passed.
fn repair(setup: &Setup, candidate: &Setup, source: &str, path: &str, edit: Edit) -> Option<Repair> {
    let written = text::write(setup, source, path, &edit);
    let reread = procedure::procedure::load(&SourceFile::new(path, &written.text), &setup.cluster).ok()?;
    let same = |a: &procedure::procedure::Procedure, b: &procedure::procedure::Procedure| {
        a.steps.len() == b.steps.len()
            && a.steps.iter().zip(&b.steps).all(|(a, b)| a.id == b.id && a.role == b.role && a.action == b.action)
    };
    if !same(&reread, &candidate.procedure) {
        return None;
    }
    let steps = &candidate.procedure.steps;
    let index = match &edit {
        Edit::Insert { place, .. } => *place,
        Edit::Move { from, before } => {
            if before > from {
                before - 1
            } else {
                *before
            }
        }
        Edit::Role { index, .. } => *index,
    };
    Some(Repair {
        summary: edit.describe(&setup.procedure),
        step: steps[index].clone(),
        before: steps.get(index + 1).map(|next| next.id.clone()),
        edit,
        text: written.text,
        diff: written.diff,
        replacements: written.replacements,
    })
}

/// The check a repair must pass: the same ways, faults, seed and recovery as the failing one,
/// and the invariants it broke.
#[derive(Clone, Copy)]
pub(super) struct Search<'a> {
    pub(super) modes: &'a [Mode],
    pub(super) faults: usize,
    pub(super) seed: u64,
    pub(super) recovery: bool,
    pub(super) broken: &'a BTreeSet<Invariant>,
}

/// What `--suggest` found: the repairs, and the broken invariants that some candidate
/// prevents (the others no single edit prevents: unpreventable).
pub(super) struct Suggestion {
    pub(super) repairs: Vec<Repair>,
    pub(super) prevented: BTreeSet<Invariant>,
    /// Candidates whose check was run in full.
    pub(super) searched: usize,
    /// Candidates passed over because a replayed schedule showed their check would tell
    /// nothing more.
    pub(super) passed_over: usize,
}

/// The actions tried, in the order tried: what changes nothing (a check that stops the run)
/// before what acts.
pub(super) fn candidates(cluster: &procedure::cluster::Cluster) -> Vec<Action> {
    let mut candidates = procedure::action::candidates(cluster);
    candidates.sort_by_key(|action| !action.changes_nothing());
    candidates
}

/// What a candidate's check found: the invariants it breaks, every way, and the
/// counterexamples of its searches.
struct Checked {
    violated: BTreeSet<Invariant>,
    counterexamples: Vec<(Mode, Found)>,
}

/// The invariants the procedure of `setup` breaks, every way, with up to `faults` faults (put
/// right by recovery counts as holding); none when some way does not complete without faults.
/// The ways after one whose invariants broken so far are `enough` are not checked.
fn violated(setup: &Arc<Setup>, check: &Search<'_>, enough: &dyn Fn(&BTreeSet<Invariant>) -> bool) -> Option<Checked> {
    let &Search { modes, faults, seed, recovery, .. } = check;
    let control = Control::default();
    let mut checked = Checked { violated: BTreeSet::new(), counterexamples: Vec::new() };
    for &mode in modes {
        if enough(&checked.violated) {
            break;
        }
        let explorer = Explorer::new(Arc::clone(setup), seed).in_mode(mode).with_recovery(recovery);
        let (baseline, _) = explorer.run(&[]);
        if !matches!(baseline.ending, Ending::Completed) {
            return None;
        }
        checked.violated.extend(baseline.violations.iter().filter(|v| !v.recovered).map(|v| v.invariant));
        if faults == 0 {
            continue;
        }
        let config = SearchConfig {
            max_faults: faults,
            faults: explorer.candidate_faults(),
            seed,
            engine: explorer.engine_config().clone(),
            jobs: 1,
            shard: Shard::WHOLE,
            recovery,
            accepted: Vec::new(),
        };
        for (invariant, found) in search(explorer.setup(), &config, &control).counterexamples {
            checked.violated.insert(invariant);
            checked.counterexamples.push((mode, found));
        }
    }
    Some(checked)
}
