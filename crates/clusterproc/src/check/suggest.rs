//! `check --suggest`: repairs of a failing procedure, searched and proven. Each candidate is
//! one step inserted, an action of the vocabulary that offers itself as a repair
//! (`procedure::action::candidates`: a `verify-cluster`, a `suspend-cluster`, a `resume-cluster`), at
//! each place in the procedure; a candidate is offered only once the whole check it failed
//! (every way, the same faults, the same seed) passes on the repaired procedure. Repairs are
//! ranked: one edit each, a check (that changes nothing) before a step that acts, then the
//! earliest place; each is shown as a diff of the procedure file.

use std::collections::BTreeSet;
use std::sync::Arc;

use procedure::action::Action;
use procedure::action::kind::Milestone;
use procedure::engine::Ending;
use procedure::invariant::Invariant;
use procedure::procedure::{Procedure, Role, Step};
use procedure::setup::Setup;
use sim_cluster::control::Control;
use sim_cluster::explore::{Explorer, Mode};
use sim_cluster::model::search::{SearchConfig, Shard, search};

/// A repair: one step inserted, proven by a check that passes.
#[derive(Debug, Clone)]
pub(super) struct Repair {
    /// The step inserted.
    pub(super) step: Step,
    /// The id of the step it goes before; none at the end.
    pub(super) before: Option<String>,
    /// The repaired procedure file's text.
    pub(super) text: String,
    /// The repair as a unified diff of the procedure file.
    pub(super) diff: String,
    /// Where the inserted text goes, and the text: an edit a tool can apply (SARIF's fixes).
    pub(super) insertion: Insertion,
}

/// Text inserted into the procedure file before a line and column, both counted from 1 (the
/// column in UTF-16 code units, as SARIF counts them).
#[derive(Debug, Clone)]
pub(super) struct Insertion {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) text: String,
}

/// At most how many repairs are shown.
const SHOWN: usize = 3;

/// The repairs that make `setup`'s procedure pass the check `modes`, `faults` and `seed`
/// describe, earliest first; `source` is the procedure file's text and `path` its name.
pub(super) fn repairs(setup: &Setup, source: &str, path: &str, search: &Search<'_>) -> Suggestion {
    let Search { modes, faults, seed, recovery, broken } = *search;
    let procedure = &setup.procedure;
    let mut found = Vec::new();
    let mut prevented = BTreeSet::new();
    for action in candidates(&setup.cluster) {
        for place in 0..=procedure.steps.len() {
            if !sensible(procedure, &action, place) {
                continue;
            }
            let step = inserted(setup, action.clone(), place);
            let mut repaired = procedure.clone();
            repaired.steps.insert(place, step.clone());
            for (index, step) in repaired.steps.iter_mut().enumerate() {
                step.position = index + 1;
            }
            let candidate = Arc::new(Setup::new(setup.cluster.clone(), repaired));
            // A candidate that keeps the procedure from finishing without faults prevents
            // nothing.
            let Some(violated) = violated(&candidate, modes, faults, seed, recovery) else { continue };
            prevented.extend(broken.iter().copied().filter(|invariant| !violated.contains(invariant)));
            if violated.is_empty() && found.len() < SHOWN {
                let (text, diff, insertion) = edit(setup, source, path, &step, place);
                let before = procedure.steps.get(place).map(|next| next.id.clone());
                found.push(Repair { step, before, text, diff, insertion });
            }
            // Enough repairs, and every broken invariant known to be preventable: the rest
            // of the candidates would say nothing new.
            if found.len() == SHOWN && broken.is_subset(&prevented) {
                return Suggestion { repairs: found, prevented };
            }
        }
    }
    Suggestion { repairs: found, prevented }
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

/// What `--suggest` found: the repairs, and the broken invariants that some candidate step
/// prevents (the others no single inserted step prevents: unpreventable).
pub(super) struct Suggestion {
    pub(super) repairs: Vec<Repair>,
    pub(super) prevented: BTreeSet<Invariant>,
}

/// The actions tried, in the order tried: what changes nothing (a check that stops the run)
/// before what acts.
pub(super) fn candidates(cluster: &procedure::cluster::Cluster) -> Vec<Action> {
    let mut candidates = procedure::action::candidates(cluster);
    candidates.sort_by_key(|action| !action.changes_nothing());
    candidates
}

/// Whether inserting `action` before the step at `place` does what it says: a resume only
/// where the procedure has the cluster suspended, a suspend only where it has not (else the
/// step would only wait, and a person would not know why it is there).
fn sensible(procedure: &Procedure, action: &Action, place: usize) -> bool {
    let suspended = procedure.steps[..place].iter().fold(false, |suspended, step| {
        if step.action.is(Milestone::SuspendsCluster) {
            true
        } else if step.action.is(Milestone::ResumesCluster) {
            false
        } else {
            suspended
        }
    });
    if action.is(Milestone::ResumesCluster) {
        suspended
    } else if action.is(Milestone::SuspendsCluster) {
        !suspended
    } else {
        true
    }
}

/// The step that inserts `action` before the step at `place` (or at the end), on the active
/// node, with an id the procedure does not use yet.
fn inserted(setup: &Setup, action: Action, place: usize) -> Step {
    let procedure = &setup.procedure;
    let keyword = action.keyword();
    let after = place.checked_sub(1).map(|before| procedure.steps[before].id.clone());
    let base = match &after {
        Some(before) => format!("{keyword}-after-{before}"),
        None => format!("{keyword}-first"),
    };
    let mut id = base.clone();
    let mut n = 2;
    while procedure.steps.iter().any(|step| step.id == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    let title = match &after {
        Some(before) => format!("{keyword} after {before} (a repair found by check --suggest)"),
        None => format!("{keyword} first (a repair found by check --suggest)"),
    };
    Step {
        id,
        number: None,
        title,
        role: Role::Active,
        action,
        condition: None,
        text: String::new(),
        notes: Vec::new(),
        line: 0,
        position: place + 1,
        ja: None,
    }
}

/// The invariants the procedure of `setup` breaks, every way, with up to `faults` faults (put
/// right by recovery counts as holding); none when some way does not complete without faults.
fn violated(
    setup: &Arc<Setup>,
    modes: &[Mode],
    faults: usize,
    seed: u64,
    recovery: bool,
) -> Option<BTreeSet<Invariant>> {
    let control = Control::default();
    let mut broken = BTreeSet::new();
    for &mode in modes {
        let explorer = Explorer::new(Arc::clone(setup), seed).in_mode(mode).with_recovery(recovery);
        let (baseline, _) = explorer.run(&[]);
        if !matches!(baseline.ending, Ending::Completed) {
            return None;
        }
        broken.extend(baseline.violations.iter().filter(|v| !v.recovered).map(|v| v.invariant));
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
        broken.extend(search(explorer.setup(), &config, &control).counterexamples.into_keys());
    }
    Some(broken)
}

/// The step as a procedure file writes it.
fn toml(setup: &Setup, step: &Step) -> Vec<String> {
    // A JSON string's escapes are all TOML basic-string escapes.
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let mut lines = vec![
        "[[step]]".to_owned(),
        format!("id = {}", quote(&step.id)),
        format!("title = {}", quote(&step.title)),
        format!("on = {}", quote(step.role.keyword())),
        format!("action = {}", quote(step.action.keyword())),
    ];
    for (field, value) in step.action.fields(&setup.cluster) {
        lines.push(format!("{field} = {}", quote(&value)));
    }
    lines.push(String::new());
    lines
}

/// The repaired file's text, the repair as a unified diff, and as an insertion: the step's
/// lines inserted before the `[[step]]` header of the step at `place`, or at the end.
fn edit(setup: &Setup, source: &str, path: &str, step: &Step, place: usize) -> (String, String, Insertion) {
    let lines: Vec<&str> = source.lines().collect();
    let header = |line: &str| line.split('#').next().unwrap_or_default().trim() == "[[step]]";
    // The new step goes before the `[[step]]` header of the step at `place` (the header at or
    // above the line of its id) and the comment lines right above it, which describe that
    // step; or after the last line.
    let at = match setup.procedure.steps.get(place) {
        Some(next) => {
            let id_line = next.line.saturating_sub(1).min(lines.len().saturating_sub(1));
            let mut at = lines[..=id_line].iter().rposition(|line| header(line)).unwrap_or(id_line);
            while at > 0 && lines[at - 1].trim_start().starts_with('#') {
                at -= 1;
            }
            at
        }
        None => lines.len(),
    };
    let mut added = toml(setup, step);
    if place == setup.procedure.steps.len() {
        // Appended: a blank line first, not last, unless the file already ends with one.
        added.pop();
        if lines.last().is_some_and(|line| !line.trim().is_empty()) {
            added.insert(0, String::new());
        }
    }
    let mut text: Vec<String> = lines[..at].iter().map(|line| (*line).to_owned()).collect();
    text.extend(added.iter().cloned());
    text.extend(lines[at..].iter().map(|line| (*line).to_owned()));
    // The file keeps its line endings.
    let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let mut repaired = text.join(newline);
    repaired.push_str(newline);
    let mut inserted = added.join(newline);
    inserted.push_str(newline);
    let insertion = if at < lines.len() || source.is_empty() || source.ends_with('\n') {
        Insertion { line: at + 1, column: 1, text: inserted }
    } else {
        // Appended to a file whose last line has no line end: after that line's last
        // character, starting with the line end it lacked.
        let last = lines.last().copied().unwrap_or_default();
        let column = last.encode_utf16().count() + 1;
        Insertion { line: lines.len(), column, text: format!("{newline}{inserted}") }
    };
    const CONTEXT: usize = 3;
    let from = at.saturating_sub(CONTEXT);
    let to = (at + CONTEXT).min(lines.len());
    let mut diff = format!("--- {path}\n+++ {path} (repaired)\n");
    diff.push_str(&format!("@@ -{},{} +{},{} @@\n", from + 1, to - from, from + 1, to - from + added.len()));
    for line in &lines[from..at] {
        diff.push_str(&format!(" {line}\n"));
    }
    for line in &added {
        diff.push_str(&format!("+{line}\n"));
    }
    for line in &lines[at..to] {
        diff.push_str(&format!(" {line}\n"));
    }
    (repaired, diff, insertion)
}
