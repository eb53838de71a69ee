//! The trainer guides: the next step marked with its text and notes, checks that tick only
//! once seen, actions out of order told and recorded, the hint and what it costs, alerts that
//! stay until acknowledged, and a score that a careless run does not pass.

use std::sync::Arc;

use super::{correct_acts, play, seed_course};
use crate::act::Act;
use crate::debrief::Debrief;
use crate::page;
use crate::session::{Invalid, Outcome, Training};
use crate::text::Lang;

fn step_index(training: &Training, id: &str) -> usize {
    training.course().setup.procedure.steps.iter().position(|step| step.id == id).expect("a step of the seed")
}

#[test]
fn the_next_step_is_marked_with_its_text_and_the_mirror_drive_warning_is_in_sight() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("<li class=\"next\" data-step=\"unzip\" aria-current=\"step\">"), "{page}");
    assert!(page.contains("⚠ Never use the mirror drive: the standby server cannot read it."), "{page}");
    assert!(page.contains("<details class=\"step-text\" open><summary>What to do</summary><p>Copy SSC0307-0006.zip"));
    assert!(page.contains("data-note=\"registry-sync\">Never stop a resource that synchronizes the registry"));
    let ja = page::session(&training, "s", Lang::Ja);
    assert!(ja.contains("⚠ ミラーディスクは絶対に使用しないでください。"), "{ja}");
    // Both unzips done: the suspend is next (the backup does not run for this module).
    for node in ["ssc-node1", "ssc-node2"] {
        training.act(Act::Unzip { node: node.into(), folder: course.folder.clone() });
    }
    training.act(Act::WaitUntilDone);
    assert_eq!(training.expected(), Some(step_index(&training, "suspend-cluster")));
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("<li class=\"next\" data-step=\"suspend-cluster\" aria-current=\"step\">"), "{page}");
    assert!(page.contains("<li class=\"done\" data-step=\"unzip\">"), "{page}");
}

#[test]
fn a_check_of_services_ticks_only_once_the_servers_services_panel_is_open() {
    let course = seed_course();
    // Everything right, but the Services panels never opened.
    let acts: Vec<Act> =
        correct_acts(&course).into_iter().filter(|act| !matches!(act, Act::OpenServices { .. })).collect();
    let until_move_back = acts
        .iter()
        .position(|act| matches!(act, Act::MoveGroup { to, .. } if to == "ssc-node1"))
        .expect("the move back");
    let mut training = play(&course, &acts[..until_move_back]);
    let check_standby = step_index(&training, "check-standby");
    assert!(training.ticked(step_index(&training, "move-to-standby")).is_some());
    assert_eq!(training.ticked(check_standby), None, "not seen, not ticked");
    assert_eq!(training.expected(), Some(check_standby), "the check is what the procedure expects now");
    // The active server's panel shows nothing of the standby's services.
    training.act(Act::OpenServices { node: "ssc-node1".into() });
    assert_eq!(training.ticked(check_standby), None);
    training.act(Act::OpenServices { node: "ssc-node2".into() });
    assert!(training.ticked(check_standby).is_some(), "seen in ssc-node2's Services panel");
    let rows =
        |training: &Training| page::session(training, "s", Lang::En).matches("data-service=\"PVMService\"").count();
    assert_eq!(rows(&training), 2, "both open panels list the services");
    training.act(Act::CloseServices { node: "ssc-node2".into() });
    assert_eq!(rows(&training), 1, "a closed panel lists nothing");
}

#[test]
fn resume_on_a_cluster_never_suspended_is_refused_and_recorded_as_out_of_order() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    let logged = training.act(Act::ResumeCluster).clone();
    assert_eq!(logged.outcome, Outcome::Invalid(Invalid::NotSuspended));
    assert_eq!(logged.out_of_order.and_then(|o| o.expected), Some(step_index(&training, "unzip")));
    assert_eq!(training.ticked(step_index(&training, "resume-cluster")), None);
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("The cluster is not suspended: there is nothing to resume. — Out of order"), "{page}");
    training.act(Act::GiveUp);
    let debrief = Debrief::of(&training, Lang::En);
    assert_eq!(debrief.out_of_order.len(), 1, "{:?}", debrief.out_of_order);
    assert!(debrief.out_of_order[0].contains("Resume Cluster — Out of order"), "{:?}", debrief.out_of_order);
}

#[test]
fn a_hint_shows_the_next_step_and_its_click_and_costs_five_points() {
    let course = seed_course();
    let mut acts = correct_acts(&course);
    let mut training = Training::new(Arc::clone(&course));
    training.act(Act::Hint);
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("<section id=\"hint-box\" role=\"note\">"), "{page}");
    assert!(page.contains("<strong>1 Unzip the software</strong>"), "{page}");
    assert!(page.contains("<strong>On the screens:</strong> Files (ssc-node1): Extract All C:\\Temp\\SSC0307-0006"));
    let ja = page::session(&training, "s", Lang::Ja);
    assert!(ja.contains("<strong>1 ソフトウェアを解凍する</strong>"), "{ja}");
    // The hint box goes with the next click.
    training.act(Act::Wait { seconds: "1".into() });
    assert!(!page::session(&training, "s", Lang::En).contains("id=\"hint-box\""));
    acts.insert(0, Act::Hint);
    let hinted = play(&course, &acts);
    let debrief = Debrief::of(&hinted, Lang::En);
    assert_eq!(debrief.score_parts.hints, 1);
    assert_eq!(debrief.score, 95, "{:?}", debrief.score_parts);
}

#[test]
fn a_watch_restarting_a_service_under_the_installer_raises_an_alert_until_acknowledged() {
    let course = seed_course();
    let acts: Vec<Act> =
        correct_acts(&course).into_iter().filter(|act| !matches!(act, Act::StopMonitoring { .. })).collect();
    let install = acts.iter().position(|act| matches!(act, Act::RunInstaller { .. })).expect("an install");
    let mut training = play(&course, &acts[..install + 2]);
    assert!(!training.open_alerts().is_empty(), "the installer was cut short");
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("<section id=\"alerts\" role=\"alert\"><h2>Alerts</h2><ul><li>"), "{page}");
    assert!(page.contains("<mark class=\"alert-line\">"), "the event log highlights it");
    assert!(page.contains("installer interrupted"), "{page}");
    training.act(Act::ClearAlerts);
    let page = page::session(&training, "s", Lang::En);
    assert!(!page.contains("id=\"alerts\""), "acknowledged");
    assert!(page.contains("<mark class=\"alert-line\">"), "the log still shows what happened");
}

#[test]
fn a_monitor_keeps_its_last_error_in_sight_after_it_recovers() {
    let course = seed_course();
    // PVMService stopped with the cluster running and no watch: its monitor fails, then
    // restarts it.
    let mut training = Training::new(Arc::clone(&course));
    for act in correct_acts(&course).into_iter().filter(|act| matches!(act, Act::StopMonitoring { .. })) {
        training.act(act);
    }
    training.act(Act::StopService { node: "ssc-node1".into(), service: "PVMService".into() });
    training.act(Act::Wait { seconds: "600".into() });
    let page = page::session(&training, "s", Lang::En);
    assert!(page.contains("class=\"last-error\""), "{page}");
    assert!(page.contains("<section id=\"alerts\""), "the recovery is an alert: {page}");
    training.act(Act::ClearAlerts);
    assert!(!page::session(&training, "s", Lang::En).contains("class=\"last-error\""));
}

#[test]
fn skipping_the_suspend_and_breaking_three_invariants_scores_well_below_half() {
    let course = seed_course();
    let acts: Vec<Act> = correct_acts(&course)
        .into_iter()
        .filter(|act| !matches!(act, Act::SuspendCluster | Act::ResumeCluster | Act::StopMonitoring { .. }))
        .collect();
    let mut training = Training::new(Arc::clone(&course));
    for act in acts {
        training.act(act);
    }
    let debrief = Debrief::of(&training, Lang::En);
    assert!(debrief.score_parts.broken >= 3, "{:?}", debrief.invariants);
    assert!(debrief.score < 50, "{:?}", debrief.score_parts);
    let html = Debrief::page(&training, Lang::En, "s");
    assert!(html.contains("<section id=\"score-parts\"><h2>How the score was made</h2>"), "{html}");
    // The debrief is titled with the procedure, not a scenario.
    assert!(html.contains("<h1>Debrief: Install SSC0307-0006 on an EXPRESSCLUSTER X 3.3 cluster</h1>"), "{html}");
    let ja = Debrief::page(&training, Lang::Ja, "s");
    assert!(ja.contains("/ 100。"), "full-width full stop");
}
