//! Recovery practice and the instructor's faults, on the session: a mistake short of serving
//! begins a recovery; the planner's plan, played on the screens, brings the cluster back and
//! the debrief says so; a recovery that breaks an invariant is a mistake of its own; a stop
//! begins one too; an instructor's fault strikes at once or before its step, and replays.

use std::sync::Arc;

use super::{correct_acts, seed_course};
use crate::act::Act;
use crate::debrief::Debrief;
use crate::practice::Began;
use crate::session::{Outcome, Training};
use crate::text::Lang;

fn node(course: &crate::course::Course, active: bool) -> String {
    let cluster = &course.setup.cluster;
    let id = if active { cluster.initial_active() } else { cluster.initial_standbys()[0] };
    course.setup.node_name(id).to_owned()
}

/// A trainee who suspends the cluster and then restarts the active server: a reboot while
/// suspended, with the cluster short of serving.
fn reboot_while_suspended() -> Training {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    for act in [Act::SuspendCluster, Act::WaitUntilDone, Act::Reboot { node: node(&course, true) }, Act::WaitUntilDone]
    {
        assert_eq!(training.act(act).outcome, Outcome::Done);
    }
    training
}

/// Plays the last plan shown, operation by operation, as the screens offer them.
fn play_the_plan(training: &mut Training) {
    let shown = training.practice().expect("a recovery").plans.last().expect("a plan").clone();
    assert!(shown.first_by_hand.is_empty(), "{shown:?}");
    assert!(!shown.operations.is_empty(), "the plan has operations: {shown:?}");
    assert!(shown.still_lacks.is_empty(), "the plan brings the copy back to serving: {shown:?}");
    let setup = Arc::clone(&training.course().setup);
    for operation in &shown.operations {
        let act = Act::from_operation(&setup, operation).unwrap_or_else(|| panic!("the screens offer {operation:?}"));
        let logged = training.act(act.clone()).clone();
        assert_eq!(logged.outcome, Outcome::Done, "{act:?}");
        training.act(Act::WaitUntilDone);
    }
}

#[test]
fn a_mistake_short_of_serving_begins_a_recovery_and_the_plan_brings_the_cluster_back() {
    let mut training = reboot_while_suspended();
    let practice = training.practice().expect("the reboot while suspended begins a recovery");
    assert_eq!(practice.why, Began::Mistake(procedure::invariant::Invariant::RebootWhileSuspended));
    assert_eq!(training.act(Act::RecoveryPlan).outcome, Outcome::Done);
    play_the_plan(&mut training);
    assert!(training.practice().expect("a recovery").serving_at.is_some(), "serving once the plan is played");
    training.act(Act::Finish);
    let debrief = Debrief::of(&training, Lang::En);
    let recovery = debrief.recovery.as_ref().expect("the debrief judges the recovery");
    assert!(recovery.serving, "{recovery:?}");
    assert!(recovery.mistakes.is_empty(), "{recovery:?}");
    assert_eq!(recovery.plans, 1);
    let points = debrief.score_parts.recovery.expect("the score has a recovery part");
    assert_eq!((points.broken, points.plans, points.serving), (0, 1, true));
    // The cluster serves on the old version: the update was not applied (the planner does
    // not apply a module no node has any part of), and the debrief's final invariants say so.
    let violated: Vec<&str> =
        debrief.invariants.iter().filter(|v| v.verdict == "violated").map(|v| v.id.as_str()).collect();
    assert!(violated.contains(&"reboot-while-suspended") && violated.contains(&"partial-update"), "{violated:?}");
    assert_eq!(debrief.score_parts.broken, violated.len() as u32);
    assert!(debrief.score <= 100 - 25 - 5, "{}", debrief.score);
    let html = Debrief::page(&training, Lang::Ja, "1-x");
    assert!(html.contains("id=\"recovery-verdict\"") && html.contains("運用状態で終わりました"), "{html}");
}

#[test]
fn a_recovery_that_breaks_an_invariant_is_a_mistake_of_the_recovery() {
    let mut training = reboot_while_suspended();
    let course = Arc::clone(training.course());
    // The same mistake again, now in the recovery: suspend, and restart the same server.
    for act in [Act::SuspendCluster, Act::WaitUntilDone, Act::Reboot { node: node(&course, true) }, Act::WaitUntilDone]
    {
        training.act(act);
    }
    training.act(Act::Finish);
    let debrief = Debrief::of(&training, Lang::En);
    let recovery = debrief.recovery.as_ref().expect("a recovery");
    assert!(recovery.broken.iter().any(|id| id == "reboot-while-suspended"), "{recovery:?}");
    assert!(!recovery.serving, "the module is not installed: {recovery:?}");
    assert!(!recovery.lacks.is_empty());
    let points = debrief.score_parts.recovery.expect("a recovery part");
    assert!(points.broken >= 1 && !points.serving, "{points:?}");
    assert_eq!(debrief.score, 0, "{:?}", debrief.score_parts);
}

#[test]
fn stopping_the_procedure_begins_a_recovery_judged_at_the_end() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    assert_eq!(
        training.act(Act::RecoveryPlan).outcome.clone(),
        Outcome::Invalid(crate::session::Invalid::NotRecovering)
    );
    // A stale page's click says so in the page's language.
    let page = crate::page::session(&training, "s", Lang::Ja);
    assert!(page.contains("復旧は行われていません。"), "{page}");
    training.act(Act::SuspendCluster);
    training.act(Act::WaitUntilDone);
    training.act(Act::StopAndRecover);
    assert_eq!(training.practice().map(|p| p.why), Some(Began::Stopped));
    training.act(Act::RecoveryPlan);
    let plan = training.practice().and_then(|p| p.plans.last()).expect("a plan");
    assert!(!plan.lacks.is_empty() && !plan.operations.is_empty(), "{plan:?}");
    training.act(Act::Finish);
    let debrief = Debrief::of(&training, Lang::En);
    let recovery = debrief.recovery.as_ref().expect("a recovery");
    assert!(!recovery.serving, "{recovery:?}");
    assert!(recovery.lacks.iter().any(|lack| lack.contains("suspended")), "{recovery:?}");
    let json = debrief.render_json();
    assert!(json.contains("\"recovery\"") && json.contains("\"serving\": false"), "{json}");
}

#[test]
fn a_crashed_server_is_brought_back_in_the_recovery() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    let standby = node(&course, false);
    let crash = Act::Inject(crate::inject::Injection {
        kind: "crash".into(),
        node: standby.clone(),
        step: String::new(),
        ..Default::default()
    });
    assert_eq!(training.act(crash).outcome, Outcome::Done);
    assert_eq!(training.instructed(), 1);
    training.act(Act::WaitUntilDone);
    let standby_id = course.setup.cluster.node_by_name(&standby).expect("a node");
    assert_ne!(training.sim().observation().nodes[standby_id.index()].power, procedure::backend::Power::Up);
    training.act(Act::StopAndRecover);
    training.act(Act::RecoveryPlan);
    let plan = training.practice().and_then(|p| p.plans.last()).expect("a plan").clone();
    assert!(!plan.first_by_hand.is_empty() && plan.operations.is_empty(), "first the server, by hand: {plan:?}");
    assert_eq!(training.act(Act::BringBack { node: standby.clone() }).outcome, Outcome::Done);
    training.act(Act::WaitUntilDone);
    assert_eq!(training.sim().observation().nodes[standby_id.index()].power, procedure::backend::Power::Up);
    assert!(matches!(training.act(Act::BringBack { node: standby }).outcome, Outcome::Invalid(_)));
}

#[test]
fn an_instructors_fault_before_a_step_strikes_before_its_first_operation_and_replays() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    let fails = Act::Inject(crate::inject::Injection {
        kind: "installer-fails".into(),
        node: node(&course, true),
        step: "install-active".into(),
        ..Default::default()
    });
    assert_eq!(training.act(fails).outcome, Outcome::Done);
    let mut struck_at = None;
    for act in correct_acts(&course) {
        let is_install = matches!(act, Act::RunInstaller { .. });
        let logged = training.act(act).clone();
        if !logged.faults.is_empty() {
            struck_at.get_or_insert(is_install);
        }
    }
    assert_eq!(struck_at, Some(true), "the fault struck with the first install, not before");
    let debrief = Debrief::of(&training, Lang::En);
    assert!(debrief.scenario_faults.iter().any(|line| line.contains("installer")), "{:?}", debrief.scenario_faults);
    let replayed = Training::replay(Arc::clone(&course), &training.action_log()).expect("the log replays");
    assert_eq!(Debrief::of(&replayed, Lang::En).render_json(), debrief.render_json());
    // A fault of no kind, or on no server, is refused before it reaches the log.
    let unknown = crate::inject::Injection { kind: "meteor".into(), ..Default::default() };
    assert!(crate::inject::build(&course.setup, &unknown).unwrap_err().contains("no fault"));
}

#[test]
fn a_paused_session_says_why_on_its_page() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    training.join_classroom();
    training.set_paused(Some("Look at the projector".into()));
    let page = crate::page::session(&training, "1-x", Lang::En);
    assert!(page.contains("id=\"paused\"") && page.contains("Look at the projector"), "{page}");
    training.set_paused(None);
    assert!(!crate::page::session(&training, "1-x", Lang::En).contains("id=\"paused\""));
    assert_eq!(training.instructed(), 2);
}

/// The debrief and the instructor's live row count the same invariants against the session:
/// one first broken in the recovery is the recovery's (in its points), not the session's too;
/// one broken before the recovery stays the session's, even if the recovery breaks it again.
#[test]
fn an_invariant_first_broken_by_the_recovery_counts_once() {
    use procedure::invariant::{Invariant, Violation};
    use std::time::Duration;
    let violation = |invariant: Invariant, secs: u64| Violation {
        invariant,
        at: Duration::from_secs(secs),
        step: None,
        node: None,
        evidence: Vec::new(),
        detail: String::new(),
        recovered: false,
    };
    let violations = [
        violation(Invariant::RebootWhileSuspended, 10),
        violation(Invariant::RebootWhileSuspended, 70),
        violation(Invariant::FailoverDuringApply, 80),
    ];
    let recovery = crate::practice_page::RecoveryVerdict {
        began_ms: 60_000,
        began: Began::Mistake(Invariant::RebootWhileSuspended),
        plans: 0,
        mistakes: Vec::new(),
        broken: vec!["reboot-while-suspended".to_owned(), "failover-during-apply".to_owned()],
        serving: false,
        serving_since_ms: None,
        lacks: Vec::new(),
    };
    assert_eq!(crate::debrief::broken_outside_recovery(&violations, None), 2);
    assert_eq!(crate::debrief::broken_outside_recovery(&violations, Some(&recovery)), 1);
}
