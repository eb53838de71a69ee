//! The trainer's sessions and handlers, driven as the page drives them: forms posted to
//! `/s/{id}/act`, pages and debriefs read back (tower's `oneshot`, no socket).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt as _;

use super::act::Act;
use super::course::Course;
use super::debrief::Debrief;
use super::server::{Config, router};
use super::session::{ActionLog, Outcome, Training};
use super::text::Lang;

fn seed_course() -> Arc<Course> {
    let setup = crate::serve::default_setup().expect("the built-in procedure loads");
    Arc::new(Course::new(setup.procedure.title.clone(), setup, 1, Vec::new()))
}

fn scenario_course(name: &str) -> Arc<Course> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    Arc::new(Course::from_scenario(&path).unwrap_or_else(|_| panic!("{name} loads")))
}

/// What a trainee who follows the procedure clicks: the reference run's operations, each
/// followed by "wait until this finishes", then "finished".
pub(crate) fn correct_acts(course: &Course) -> Vec<Act> {
    let mut acts = Vec::new();
    for reference in &course.reference {
        acts.push(Act::from_operation(&course.setup, &reference.operation).expect("the screens offer every operation"));
        acts.push(Act::WaitUntilDone);
    }
    acts.push(Act::Finish);
    acts
}

fn play(course: &Arc<Course>, acts: &[Act]) -> Training {
    let mut training = Training::new(Arc::clone(course));
    for act in acts {
        let logged = training.act(act.clone());
        assert!(!matches!(logged.outcome, Outcome::Invalid(_)), "{act:?}: {:?}", logged.outcome);
    }
    training
}

fn verdicts(debrief: &Debrief) -> Vec<(String, &'static str)> {
    debrief.invariants.iter().map(|v| (v.id.clone(), v.verdict)).collect()
}

#[test]
fn following_the_procedure_passes_every_invariant() {
    let course = seed_course();
    let training = play(&course, &correct_acts(&course));
    let debrief = Debrief::of(&training, Lang::En);
    assert!(debrief.invariants.iter().all(|v| v.verdict == "passed"), "{:?}", verdicts(&debrief));
    assert_eq!(debrief.score, 100);
    assert!(debrief.first_mistake.is_none());
    for step in 0..course.setup.procedure.steps.len() {
        let operated = course.reference.iter().any(|r| r.step == step);
        assert_eq!(training.step_done(step), operated, "step {}", course.setup.procedure.steps[step].id);
    }
}

#[test]
fn skipping_stop_monitoring_lets_a_watch_restart_a_service_under_the_installer() {
    let course = seed_course();
    let acts: Vec<Act> =
        correct_acts(&course).into_iter().filter(|act| !matches!(act, Act::StopMonitoring { .. })).collect();
    let training = play(&course, &acts);
    let debrief = Debrief::of(&training, Lang::En);
    let monitoring = debrief.invariants.iter().find(|v| v.id == "monitoring-during-apply").expect("judged");
    assert_eq!(monitoring.verdict, "violated", "{:?}", verdicts(&debrief));
    assert!(monitoring.events.iter().any(|line| line.contains("stopped by the installer")), "{monitoring:#?}");
    // The watch restarts the service under the installer, one poll later.
    let story = procedure::event::Renderer::new(&course.setup).story(training.sim().trace());
    let stopped = story.lines().position(|l| l.contains("\"DeploymentManager API Service\" stopped by the installer"));
    let restarted =
        story.lines().position(|l| l.contains("\"DeploymentManager API Service\" started by the Task Manager watch"));
    assert!(stopped.is_some() && restarted > stopped, "{story}");
    let mistake = debrief.first_mistake.as_ref().expect("a mistake");
    assert_eq!(mistake.invariant, "monitoring-during-apply");
    let correct = mistake.correct.as_deref().expect("a correct action");
    assert!(correct.contains("Stop Monitoring"), "{correct}");
    assert!(debrief.score < 100);
}

#[test]
fn yes_at_the_restart_prompt_while_suspended_rolls_the_keys_back() {
    let course = scenario_course("run-restart-request.toml");
    let mut training = Training::new(Arc::clone(&course));
    let mut answered = false;
    for act in correct_acts(&course) {
        if matches!(act, Act::Finish) {
            break;
        }
        let is_install = matches!(act, Act::RunInstaller { .. });
        let logged = training.act(act).clone();
        assert_eq!(logged.outcome, Outcome::Done, "{:?}", logged.act);
        if is_install && !answered {
            training.act(Act::WaitUntilDone);
            let node = course.setup.cluster.initial_active();
            assert!(training.sim().prompt_open(node), "the scenario's restart request opens the prompt");
            let name = course.setup.node_name(node).to_owned();
            assert_eq!(training.act(Act::AnswerPrompt { node: name, answer: "yes".into() }).outcome, Outcome::Done);
            answered = true;
        }
    }
    assert!(answered);
    training.act(Act::Wait { seconds: "600".into() });
    training.act(Act::Finish);
    let debrief = Debrief::of(&training, Lang::En);
    let verdict = |id: &str| debrief.invariants.iter().find(|v| v.id == id).expect("judged").clone();
    assert_eq!(verdict("reboot-while-suspended").verdict, "violated", "{:?}", verdicts(&debrief));
    let rolled = verdict("registry-rolled-back");
    assert_eq!(rolled.verdict, "violated", "{:?}", verdicts(&debrief));
    assert!(rolled.at_ms.is_some_and(|at| at > verdict("reboot-while-suspended").at_ms.unwrap_or(u64::MAX)));
    let mistake = debrief.first_mistake.as_ref().expect("a mistake");
    assert_eq!(mistake.invariant, "reboot-while-suspended");
    assert!(mistake.correct.as_deref().is_some_and(|c| c.starts_with("Answer No")), "{mistake:?}");
    assert!(!rolled.procedure_says.is_empty());
}

#[test]
fn a_staged_fault_strikes_at_the_first_operation_of_its_step_not_at_the_same_operation_earlier() {
    // The fault is staged before install-active (step 6); the registry export of ssc-node1
    // in step 2 is the same operation as step 7's, and must not set it off.
    let course = scenario_course("run-restart-request.toml");
    let mut training = Training::new(Arc::clone(&course));
    for act in correct_acts(&course) {
        let is_install = matches!(act, Act::RunInstaller { .. });
        let faults = training.act(act.clone()).faults.clone();
        if is_install {
            assert_eq!(faults.len(), 1, "the restart request strikes as the first installer starts: {act:?}");
            return;
        }
        assert!(faults.is_empty(), "the fault staged before install-active struck at {act:?}: {faults:?}");
    }
    panic!("no installer ran");
}

#[test]
fn a_session_replays_from_its_action_log() {
    let course = seed_course();
    let mut acts = correct_acts(&course);
    acts.retain(|act| !matches!(act, Act::StopService { .. }));
    let training = play(&course, &acts);
    let log = training.action_log();
    let text = serde_json::to_string(&log).expect("a log serializes");
    let again = Training::replay(Arc::clone(&course), &serde_json::from_str::<ActionLog>(&text).expect("parses"))
        .expect("replays");
    assert_eq!(Debrief::of(&again, Lang::En).render_json(), Debrief::of(&training, Lang::En).render_json());
    assert_eq!(again.sim().trace(), training.sim().trace());
}

#[test]
fn a_wait_that_is_not_a_number_changes_nothing() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    let logged = training.act(Act::Wait { seconds: "soon".into() }).clone();
    assert!(matches!(logged.outcome, Outcome::Invalid(ref why) if why.contains("soon")));
    assert_eq!(training.sim().trace().len(), 0);
    let logged = training.act(Act::StopService { node: "ssc-node9".into(), service: "PVMService".into() }).clone();
    assert!(matches!(logged.outcome, Outcome::Invalid(ref why) if why.contains("ssc-node9")));
}

fn app() -> axum::Router {
    router(Config { course: seed_course(), idle: Duration::from_secs(600), max_sessions: 4 })
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("a body");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post_form(uri: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("a request")
}

async fn new_session(app: &axum::Router) -> String {
    let (status, headers, _) = send(app, Request::post("/sessions").body(Body::empty()).expect("a request")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("ascii").to_owned();
    location.strip_prefix("/s/").expect("a session page").to_owned()
}

#[tokio::test]
async fn a_form_post_acts_and_redirects_to_the_page_that_shows_it() {
    let app = app();
    let id = new_session(&app).await;
    let (status, headers, _) = send(&app, post_form(&format!("/s/{id}/act"), "do=suspend-cluster")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/s/{id}").as_str());
    let (_, _, page) = send(&app, post_form(&format!("/s/{id}/act"), "do=wait-until-done")).await;
    assert!(page.is_empty());
    let (status, _, page) = send(&app, Request::get(format!("/s/{id}")).body(Body::empty()).expect("a request")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("st-suspend\">Suspend<"), "the servers show Suspend");
    assert!(page.contains("data-step=\"suspend-cluster\"><span class=\"mark\">✓"), "the checklist ticks step 3");
    let (_, _, state) =
        send(&app, Request::get(format!("/s/{id}/state.json")).body(Body::empty()).expect("a request")).await;
    let state: serde_json::Value = serde_json::from_str(&state).expect("json");
    assert_eq!(state["busy"], false);
    assert_eq!(state["steps_done"], serde_json::json!(["suspend-cluster"]));
}

#[tokio::test]
async fn the_language_follows_accept_language_and_the_switch() {
    let app = app();
    let id = new_session(&app).await;
    let get = |lang: Option<&str>, query: &str| {
        let mut request = Request::get(format!("/s/{id}{query}"));
        if let Some(lang) = lang {
            request = request.header(header::ACCEPT_LANGUAGE, lang);
        }
        request.body(Body::empty()).expect("a request")
    };
    let (_, _, page) = send(&app, get(Some("ja,en;q=0.5"), "")).await;
    assert!(page.contains("<html lang=\"ja\">") && page.contains("クラスタサスペンド"));
    let (_, headers, page) = send(&app, get(Some("ja"), "?lang=en")).await;
    assert!(page.contains("<html lang=\"en\">") && page.contains("Suspend Cluster"));
    assert_eq!(headers[header::SET_COOKIE].to_str().expect("ascii"), "lang=en; Path=/; SameSite=Lax");
    let (_, _, page) = send(&app, get(None, "")).await;
    assert!(page.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn bad_requests_get_a_4xx_and_the_trainer_keeps_serving() {
    let app = app();
    let id = new_session(&app).await;
    let (status, _, body) = send(&app, post_form(&format!("/s/{id}/act"), "do=format-c")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, _) = send(&app, post_form(&format!("/s/{id}/act"), "%%%")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = format!("do=wait&seconds={}", "9".repeat(super::server::MAX_BODY_BYTES + 1));
    let (status, _, _) = send(&app, post_form(&format!("/s/{id}/act"), &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _, _) = send(&app, post_form("/s/nope/act", "do=finish")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let replay = Request::post("/sessions/replay")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"version\":1,\"acts\":[{\"do\":\"reboot\"}]}"))
        .expect("a request");
    let (status, _, _) = send(&app, replay).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Still serving: the session acts.
    let (status, _, _) = send(&app, post_form(&format!("/s/{id}/act"), "do=wait&seconds=5")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_are_capped_and_replayed_through_the_api() {
    let app = app();
    let first = new_session(&app).await;
    for _ in 1..4 {
        new_session(&app).await;
    }
    let (status, _, _) = send(&app, Request::post("/sessions").body(Body::empty()).expect("a request")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let _ = first;
}
