//! The edits `check --suggest` tries on a failing procedure: a step inserted from the action
//! vocabulary, a step moved to another place, or a step run on another node role. Each is
//! one edit; they are tried (and ranked) by the first place where the edited procedure
//! differs from the original, so that the repair nearest the start comes first.

use procedure::action::Action;
use procedure::action::kind::Milestone;
use procedure::cluster::Cluster;
use procedure::procedure::{Procedure, Role, Step};

/// One edit of the procedure's steps.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// `step` inserted before the step at `place` (at the end when `place` is the number of
    /// steps).
    Insert { place: usize, step: Box<Step> },
    /// The step at `from` moved before the step at `before` (to the end when `before` is
    /// the number of steps); indices are the original procedure's.
    Move { from: usize, before: usize },
    /// The step at `index` run on `role` instead.
    Role { index: usize, role: Role },
}

impl Edit {
    /// The first place where the edited procedure's steps differ from the original's: what
    /// ranks repairs (after their number of edits), and the prefix the candidates share.
    pub(crate) fn earliest(&self) -> usize {
        match self {
            Edit::Insert { place, .. } => *place,
            Edit::Move { from, before } => (*from).min(*before),
            Edit::Role { index, .. } => *index,
        }
    }

    /// Among edits at the same place: a check inserted (it changes nothing on the cluster),
    /// then a step moved, then a step's role changed, then a step that acts inserted.
    fn order(&self) -> u8 {
        match self {
            Edit::Insert { step, .. } if step.action.changes_nothing() => 0,
            Edit::Move { .. } => 1,
            Edit::Role { .. } => 2,
            Edit::Insert { .. } => 3,
        }
    }

    /// The procedure with this edit made, its steps numbered again by place.
    pub(crate) fn apply(&self, procedure: &Procedure) -> Procedure {
        let mut edited = procedure.clone();
        match self {
            Edit::Insert { place, step } => edited.steps.insert(*place, (**step).clone()),
            Edit::Move { from, before } => {
                let step = edited.steps.remove(*from);
                let to = if before > from { before - 1 } else { *before };
                edited.steps.insert(to, step);
            }
            Edit::Role { index, role } => edited.steps[*index].role = *role,
        }
        for (index, step) in edited.steps.iter_mut().enumerate() {
            step.position = index + 1;
        }
        edited
    }

    /// What the edit does, in the words the reports use: `insert step verify-cluster-after-unzip`,
    /// `move step suspend-cluster before stop-monitoring`, `run step install-standby on every-standby
    /// (not active)`.
    pub(crate) fn describe(&self, procedure: &Procedure) -> String {
        let steps = &procedure.steps;
        let before = |place: usize| match steps.get(place) {
            Some(next) => format!("before {}", next.id),
            None => "to the end".to_owned(),
        };
        match self {
            Edit::Insert { place, step } => match steps.get(*place) {
                Some(next) => format!("insert step {} before {}", step.id, next.id),
                None => format!("insert step {} at the end", step.id),
            },
            Edit::Move { from, before: place } => format!("move step {} {}", steps[*from].id, before(*place)),
            Edit::Role { index, role } => {
                let step = &steps[*index];
                format!("run step {} on {} (not {})", step.id, role.keyword(), step.role.keyword())
            }
        }
    }

    /// `insert`, `move` or `role`: the kind of edit, as the JSON report names it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Edit::Insert { .. } => "insert",
            Edit::Move { .. } => "move",
            Edit::Role { .. } => "role",
        }
    }
}

/// Every single edit tried on `procedure`, in the order repairs are ranked: the earliest
/// place first, then a check inserted, a step moved, a step's role changed, a step that acts
/// inserted (each in the order of `actions`). Edits that give the same steps as one before
/// them are left out.
pub(crate) fn edits(procedure: &Procedure, cluster: &Cluster, actions: &[Action]) -> Vec<Edit> {
    let steps = &procedure.steps;
    let mut all = Vec::new();
    for action in actions {
        for place in 0..=steps.len() {
            if sensible(procedure, action, place) {
                let step = inserted(procedure, action.clone(), place);
                all.push(Edit::Insert { place, step: Box::new(step) });
            }
        }
    }
    for from in 0..steps.len() {
        // Before itself or before the step after it, a step stays where it is; a step moved
        // right after the step that follows it is the same as that step moved before it.
        for before in (0..=steps.len()).filter(|&before| before != from && before != from + 1) {
            if before == from + 2 && from + 1 < steps.len() {
                continue;
            }
            all.push(Edit::Move { from, before });
        }
    }
    for (index, step) in steps.iter().enumerate() {
        // A cluster-wide action, or one that does the same from any node, ignores its role.
        if step.action.is_cluster_wide() || step.action.same_from_any_node() {
            continue;
        }
        for role in Role::ALL {
            let needs_standby = matches!(role, Role::Standby | Role::EveryStandby);
            if role != step.role && (!needs_standby || cluster.nodes.len() >= 2) {
                all.push(Edit::Role { index, role });
            }
        }
    }
    // A stable sort: within a place and a kind, the order above (the vocabulary's, then the
    // places moved to, then the roles in their documented order).
    all.sort_by_key(|edit| (edit.earliest(), edit.order()));
    all
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
fn inserted(procedure: &Procedure, action: Action, place: usize) -> Step {
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
