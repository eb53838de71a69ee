//! Recovery practice: after a mistake, or when the trainee stops the procedure, while the
//! cluster falls short of serving, the trainee is asked to bring it back, by hand or by
//! asking for the plan of the recovery planner (`procedure::recovery::planner`, the one
//! `recover` and `check` use), which costs points as a hint does.
//!
//! The recovery is judged like the procedure: a judge of its own, started from the
//! session's at the moment the recovery began ([`Judge::afresh`]), reads the same events
//! with the same invariants, so that a recovery that breaks one is a mistake of the
//! recovery even where the procedure broke it already. Whether the cluster ends serving is
//! what [`procedure::recovery::serving`] says of the last observation.

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend as _, Operation};
use procedure::cluster::NodeId;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Engine, EngineConfig};
use procedure::invariant::{Invariant, Judge};
use procedure::recovery::planner::plan;
use procedure::recovery::serving::{Shortfall, shortfalls};
use procedure::setup::Setup;
use serde::Serialize;
use sim_cluster::sim::Sim;

use super::course::Course;

/// Why the recovery began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "after", content = "invariant", rename_all = "kebab-case")]
pub enum Began {
    /// An invariant broke (its id) while the cluster was short of serving.
    Mistake(#[serde(serialize_with = "invariant_id")] Invariant),
    /// The trainee stopped the procedure.
    Stopped,
}

fn invariant_id<S: serde::Serializer>(invariant: &Invariant, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(invariant.id())
}

/// The plan as it was shown to the trainee.
#[derive(Debug, Clone)]
pub struct Shown {
    /// What the cluster lacked of serving then.
    pub lacks: Vec<Shortfall>,
    /// What only the operator can do first (bring a node back, wait for an installer).
    pub first_by_hand: Vec<Shortfall>,
    /// The operations the plan issues, in order, as a guarded engine issued them on a copy
    /// of the session's cluster.
    pub operations: Vec<Operation>,
    /// What the copy still lacked after them (empty: the plan brings it back).
    pub still_lacks: Vec<Shortfall>,
}

/// One session's recovery exercise.
#[derive(Debug, Clone)]
pub struct Practice {
    /// When it began, virtual time.
    pub began: Duration,
    /// Why.
    pub why: Began,
    /// The recovery's own judge.
    pub judge: Judge,
    /// The plans asked for, the last one last.
    pub plans: Vec<Shown>,
    /// The first moment since it began that the cluster served.
    pub serving_at: Option<Duration>,
}

impl Practice {
    /// A recovery that begins now, judged from the session's judge as it stands.
    pub fn begin(sim: &Sim, judge: &Judge, why: Began) -> Practice {
        Practice { began: sim.now(), why, judge: judge.afresh(), plans: Vec::new(), serving_at: None }
    }

    /// Reads the session's new events and notes when the cluster first serves.
    pub fn follow(&mut self, course: &Course, sim: &Sim) {
        self.judge.feed(&course.setup, sim.trace());
        if self.serving_at.is_none() && lacks(course, sim).is_empty() {
            self.serving_at = Some(sim.now());
        }
    }

    /// Asks the planner for the plan from the cluster as it is now.
    pub fn ask(&mut self, course: &Course, sim: &Sim) {
        let shown = planned(course, sim);
        self.plans.push(shown);
    }
}

/// What the session's cluster lacks of serving now (empty when it serves).
pub fn lacks(course: &Course, sim: &Sim) -> Vec<Shortfall> {
    shortfalls(&course.setup, &course.roles, sim.observation())
}

/// The shortfall on `node` that the operator makes good by bringing the node back, if any.
pub fn to_bring_back(course: &Course, sim: &Sim, node: NodeId) -> Option<Shortfall> {
    lacks(course, sim).into_iter().find(|shortfall| {
        shortfall.brought_back_by().is_some()
            && matches!(shortfall, Shortfall::Down(n) | Shortfall::Unreachable(n) if *n == node)
    })
}

/// The longest a plan is played on the copy (the planner's steps wait for installers,
/// boots and group moves; none takes an hour).
const PLAN_LIMIT: Duration = Duration::from_secs(3 * 3600);

/// The planner's recovery from `sim`'s cluster, played by a guarded engine on a copy of it
/// to list the operations it issues (what the trainee would click).
fn planned(course: &Course, sim: &Sim) -> Shown {
    let setup = &course.setup;
    let recovery = plan(setup, None, sim.observation());
    let lacks = recovery.shortfalls.clone();
    if recovery.needs_operator_first {
        let first_by_hand = lacks
            .iter()
            .filter(|s| s.brought_back_by().is_some() || matches!(s, Shortfall::InstallerRunning(_)))
            .cloned()
            .collect();
        return Shown { lacks, first_by_hand, operations: Vec::new(), still_lacks: Vec::new() };
    }
    if recovery.steps.is_empty() {
        return Shown { lacks, first_by_hand: Vec::new(), operations: Vec::new(), still_lacks: Vec::new() };
    }
    let recovery_setup = Arc::new(Setup::new(setup.cluster.clone(), recovery.procedure(setup)));
    let mut engine = Engine::resumed(
        Arc::clone(&recovery_setup),
        EngineConfig::standard().with_guards(true),
        &recovery.start(sim.now(), None),
    );
    let mut copy = sim.clone();
    // No journal: driving cannot fail for want of one; a plan that stops early still shows
    // what it did, and what the cluster lacks after it says the rest.
    let _ = drive(&mut engine, &mut copy, None, &mut Unattended);
    copy.run_until_quiet(PLAN_LIMIT);
    let operations = engine
        .record()
        .steps
        .iter()
        .flat_map(|record| record.nodes.iter().flat_map(|span| span.operations.iter().map(|(_, op)| op.clone())))
        .collect();
    Shown { lacks, first_by_hand: Vec::new(), operations, still_lacks: self::lacks(course, &copy) }
}
