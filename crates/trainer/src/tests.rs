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

mod classroom;
mod guidance;
mod japanese;
mod practice;
mod webui;

/// The seed procedure on the two-node SSC cluster, as `clusterproc train` serves it by default.
pub(crate) fn seed_setup() -> Arc<procedure::setup::Setup> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| procedure::diagnostic::SourceFile::read(&root.join(path)).expect("a file of the checkout");
    let cluster = procedure::cluster::load(&read("scenarios/cluster/ssc-two-node.toml")).expect("the cluster loads");
    let procedure =
        procedure::procedure::load(&read("procedures/ssc0307-0006.toml"), &cluster).expect("the procedure loads");
    Arc::new(procedure::setup::Setup::new(cluster, procedure))
}

fn seed_course() -> Arc<Course> {
    let setup = seed_setup();
    Arc::new(Course::new(setup.procedure.title.clone(), setup, 1, Vec::new()))
}

fn scenario_course(name: &str) -> Arc<Course> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    Arc::new(Course::from_scenario(&path).unwrap_or_else(|_| panic!("{name} loads")))
}

fn correct_acts(course: &Course) -> Vec<Act> {
    let acts = course.correct_acts();
    let looks = acts.iter().filter(|act| matches!(act, Act::OpenServices { .. })).count();
    assert_eq!(looks, 2, "the checks of services are seen in both servers' Services panels");
    assert_eq!(
        acts.len(),
        looks + 2 * course.reference.len() + 1,
        "the screens offer every operation of the reference"
    );
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
    assert_eq!(debrief.out_of_order, Vec::<String>::new(), "the procedure's own order is never out of order");
    // Every step that runs for this module is ticked, checks included; the skipped ones not.
    for step in 0..course.setup.procedure.steps.len() {
        let runs = course.plan[step].0 == procedure::plan::StepStatus::Run;
        assert_eq!(training.ticked(step).is_some(), runs, "step {}", course.setup.procedure.steps[step].id);
    }
    let ticks: Vec<_> = (0..course.setup.procedure.steps.len()).filter_map(|step| training.ticked(step)).collect();
    assert!(ticks.is_sorted(), "steps done in order are ticked in order: {ticks:?}");
}

#[test]
fn following_a_procedure_of_three_modules_in_one_window_passes_every_invariant() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| procedure::diagnostic::SourceFile::read(&root.join(path)).expect("a file of the checkout");
    let cluster = procedure::cluster::load(&read("scenarios/cluster/ssc-two-node.toml")).expect("the cluster loads");
    let file = read("procedures/examples/three-modules-one-window.toml");
    let procedure = procedure::procedure::load(&file, &cluster).expect("the procedure loads");
    let setup = Arc::new(procedure::setup::Setup::new(cluster, procedure));
    let course = Arc::new(Course::new(setup.procedure.title.clone(), setup, 1, Vec::new()));
    let training = play(&course, &correct_acts(&course));
    let debrief = Debrief::of(&training, Lang::En);
    assert!(debrief.invariants.iter().all(|v| v.verdict == "passed"), "{:?}", verdicts(&debrief));
    assert_eq!(debrief.out_of_order, Vec::<String>::new(), "the procedure's own order is never out of order");
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
    // The prompt's answer, the reboot while suspended and the keys rolled back, in both
    // languages.
    assert_events_in_both_languages(&training);
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
    assert!(matches!(logged.outcome, Outcome::Invalid(ref why) if why.to_string().contains("soon")));
    assert_eq!(training.sim().trace().len(), 0);
    let logged = training.act(Act::StopService { node: "ssc-node9".into(), service: "PVMService".into() }).clone();
    assert!(matches!(logged.outcome, Outcome::Invalid(ref why) if why.to_string().contains("ssc-node9")));
}

fn app() -> axum::Router {
    router(Config { course: seed_course(), idle: Duration::from_secs(600), max_sessions: 4, classroom: None })
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
    let (status, _, body) = send(&app, post_form(&format!("/s/{id}/act"), "do=wait-until-done")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(body.is_empty(), "a redirect carries no page");
    let (status, _, page) = send(&app, Request::get(format!("/s/{id}")).body(Body::empty()).expect("a request")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("st-suspend\">Suspended<"), "the servers show Suspended, the seed's word");
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
async fn sessions_are_capped() {
    // The replay through the API is tested beside the server (server.rs).
    let app = app();
    for _ in 0..4 {
        new_session(&app).await;
    }
    let (status, _, _) = send(&app, Request::post("/sessions").body(Body::empty()).expect("a request")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

/// The words of a text: runs of two or more ASCII letters.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphabetic()).filter(|word| word.len() >= 2).collect()
}

/// The words of every name an event line may quote (they stay as they are in Japanese).
fn name_words(setup: &procedure::setup::Setup) -> std::collections::HashSet<String> {
    let cluster = &setup.cluster;
    let mut names: Vec<String> = Vec::new();
    names.extend(cluster.nodes.iter().map(|n| n.name.clone()));
    names.extend(cluster.services.iter().map(|s| s.name.clone()));
    names.extend(cluster.groups.iter().map(|g| g.name.clone()));
    names.extend(cluster.resources.iter().map(|r| r.name.clone()));
    names.extend(cluster.monitors.iter().map(|m| m.name.clone()));
    names.extend(cluster.components.iter().map(|c| c.name.clone()));
    names.extend(setup.procedure.modules.iter().flat_map(|m| m.components.iter()).map(|c| c.version.clone()));
    names.extend(setup.registry.iter().map(|slot| format!("{}\\{}", slot.key, slot.value)));
    names.extend(setup.data.iter().map(|data| data.to_string()));
    for step in &setup.procedure.steps {
        names.push(step.label());
        names.push(step.action.keyword().to_owned());
    }
    // The command a cluster-safe reboot is.
    names.push("clpstdn".to_owned());
    names.iter().flat_map(|name| words(name)).map(str::to_owned).collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}')
}

/// Every event of a session, in both languages: in English exactly what the `Renderer` says,
/// in Japanese another text in the same layout with none of the English words but the names.
fn assert_events_in_both_languages(training: &Training) {
    use procedure::event::{EventKind, Renderer};

    use super::events;

    let setup = &training.course().setup;
    let renderer = Renderer::new(setup);
    let trace = training.sim().trace();
    assert!(!trace.is_empty());
    let names = name_words(setup);
    for event in trace {
        let english = renderer.describe(&event.kind);
        let line = renderer.line(event);
        assert_eq!(events::line(setup, event, Lang::En), line);
        assert_eq!(events::describe(setup, &event.kind, Lang::En), english);
        let japanese = events::describe(setup, &event.kind, Lang::Ja);
        assert_ne!(japanese, english);
        assert!(japanese.chars().any(is_cjk), "{japanese}");
        let ja_line = events::line(setup, event, Lang::Ja);
        assert_eq!(ja_line.strip_suffix(japanese.as_str()), line.strip_suffix(english.as_str()), "{ja_line}");
        let english_words = words(&english);
        let operation = match &event.kind {
            EventKind::OperationRefused { operation, .. } => words(operation),
            _ => Vec::new(),
        };
        for word in words(&japanese) {
            assert!(
                !english_words.contains(&word) || names.contains(word) || operation.contains(&word),
                "{word:?} of {english:?} is left in {japanese:?}"
            );
        }
    }
    // The trainee's log is the renderer's story without the scenario's faults, its tail.
    let story = renderer.story(trace);
    let story: Vec<&str> = story.lines().filter(|line| !line.contains("!! fault: ")).collect();
    for count in [1, 7, 80, trace.len()] {
        let english = &story[story.len().saturating_sub(count)..];
        assert_eq!(events::trainee_tail(setup, trace, count, Lang::En), english);
        assert_eq!(events::trainee_tail(setup, trace, count, Lang::Ja).len(), english.len());
    }
}

#[test]
fn the_events_of_a_correct_session_read_as_the_renderer_says_in_english_and_translated_in_japanese() {
    let course = seed_course();
    let training = play(&course, &correct_acts(&course));
    assert_events_in_both_languages(&training);
}

/// The line of the first event of a session that `pick` chooses, in Japanese.
fn japanese_line(training: &Training, pick: impl Fn(&procedure::event::EventKind) -> bool) -> String {
    let setup = &training.course().setup;
    let event = training.sim().trace().iter().find(|e| pick(&e.kind)).expect("the event happened");
    super::events::line(setup, event, Lang::Ja)
}

#[test]
fn the_events_of_sessions_with_mistakes_and_faults_are_translated() {
    use procedure::event::{Actor, EventKind};

    let course = seed_course();
    // Stop Monitoring skipped: the Task Manager watch restarts services under the installer.
    let skipped: Vec<Act> =
        correct_acts(&course).into_iter().filter(|act| !matches!(act, Act::StopMonitoring { .. })).collect();
    let training = play(&course, &skipped);
    assert_events_in_both_languages(&training);
    let api = course.setup.cluster.service_by_name("DeploymentManager API Service").expect("a service of the seed");
    let restarted = japanese_line(
        &training,
        |kind| matches!(kind, EventKind::ServiceStarted { service, by: Actor::Watch, .. } if *service == api),
    );
    assert_eq!(
        restarted,
        "00:01:36.090 ssc-node1  サービス \"DeploymentManager API Service\" がタスクマネージャの監視によって開始されました [監視中: タスクマネージャ]"
    );
    let interrupted = japanese_line(&training, |kind| matches!(kind, EventKind::InstallerInterrupted { .. }));
    assert_eq!(
        interrupted,
        "00:01:33.090 ssc-node1  インストーラが中断されました: インストール中に \"PVMService\" がタスクマネージャの監視によって再起動されました"
    );

    // A reboot while the cluster is suspended.
    let mut acts = correct_acts(&course);
    let suspended = acts.iter().position(|act| matches!(act, Act::SuspendCluster)).expect("the procedure suspends");
    acts.insert(suspended + 2, Act::Reboot { node: "ssc-node1".into() });
    acts.insert(suspended + 3, Act::WaitUntilDone);
    let training = play(&course, &acts);
    assert_events_in_both_languages(&training);
    let down = japanese_line(&training, |kind| matches!(kind, EventKind::NodeDown { .. }));
    assert_eq!(down, "00:01:20.027 ssc-node1  クラスタのサスペンド中にサーバダウン (再起動)");

    // The scenarios' faults, and what the cluster refused after them.
    for name in [
        "run-crash-while-suspended.toml",
        "run-heartbeat-loss-while-suspended.toml",
        "run-installer-hangs.toml",
        "run-standby-unreachable.toml",
    ] {
        let course = scenario_course(name);
        let training = play(&course, &correct_acts(&course));
        assert_events_in_both_languages(&training);
        if name == "run-crash-while-suspended.toml" {
            let fault = japanese_line(&training, |kind| matches!(kind, EventKind::FaultInjected { .. }));
            assert!(fault.ends_with(" -          !! 障害: ssc-node1 がクラッシュする"), "{fault}");
            let refused = japanese_line(&training, |kind| matches!(kind, EventKind::OperationRefused { .. }));
            assert!(
                refused.ends_with(" ssc-node1  resume-cluster が拒否されました: サーバが停止しています"),
                "{refused}"
            );
        }
    }
}

#[test]
fn the_japanese_page_shows_the_event_log_refusals_and_faults_in_japanese_and_the_log_keeps_english() {
    let course = seed_course();
    let mut training = Training::new(Arc::clone(&course));
    training.act(Act::SuspendCluster);
    training.act(Act::WaitUntilDone);
    let refused = training.act(Act::MoveGroup { group: "failover".into(), to: "ssc-node2".into() }).clone();
    assert!(
        matches!(&refused.outcome, Outcome::Refused(error) if error.to_string() == "refused: the cluster is suspended"),
        "{:?}",
        refused.outcome
    );
    assert_eq!(
        serde_json::to_value(&refused.outcome).expect("an outcome serializes"),
        serde_json::json!({ "result": "refused", "why": "refused: the cluster is suspended" }),
        "the log keeps the error's English"
    );
    let ja = super::page::session(&training, "s", Lang::Ja);
    assert!(
        ja.contains(
            "<p id=\"outcome\" role=\"status\" class=\"outcome\">拒否されました: クラスタがサスペンド中です — 手順の順序と異なります。手順書が今求めているのは手順「1 ソフトウェアを解凍する」です。"
        ),
        "{ja}"
    );
    assert!(ja.contains("<td>ssc-node1</td><td>move-group が拒否されました: クラスタがサスペンド中です"), "{ja}");
    let en = super::page::session(&training, "s", Lang::En);
    assert!(
        en.contains("class=\"outcome\">refused: the cluster is suspended — Out of order: the procedure expects step “1 Unzip the software” now."),
        "{en}"
    );
    assert!(en.contains("<td>ssc-node1</td><td>move-group refused: the cluster is suspended"), "{en}");
    training.act(Act::Reboot { node: "ssc-node1".into() });
    let ja = super::page::session(&training, "s", Lang::Ja);
    assert!(
        ja.contains("<td>ssc-node1</td><td><mark class=\"alert-line\">クラスタのサスペンド中にサーバダウン (再起動)"),
        "{ja}"
    );

    // A fault of the scenario strikes before the install.
    let course = scenario_course("run-installer-hangs.toml");
    let mut training = Training::new(Arc::clone(&course));
    for act in correct_acts(&course) {
        if training.act(act).faults.is_empty() {
            continue;
        }
        // The trainee meets it by its consequences: neither the page nor its log names it...
        let ja = super::page::session(&training, "s", Lang::Ja);
        assert!(!ja.contains("インストーラがハングする"), "{ja}");
        let en = super::page::session(&training, "s", Lang::En);
        assert!(!en.contains("hangs"), "{en}");
        // ... the debrief does, in its language.
        let ja = Debrief::page(&training, Lang::Ja, "s");
        assert!(ja.contains("<li>00:02:01.905 ssc-node1 で次に実行するインストーラがハングする</li>"), "{ja}");
        let en = Debrief::of(&training, Lang::En);
        assert_eq!(en.scenario_faults, ["00:02:01.905 the next installer on ssc-node1 hangs"]);
        break;
    }
    // The log, and the debrief's JSON of it, stay as they were: English, without the faults
    // and errors kept for the page.
    let log = serde_json::to_value(training.log()).expect("a log serializes");
    let struck = log.as_array().expect("a list").iter().find(|logged| logged.get("faults").is_some()).expect("struck");
    assert_eq!(struck["faults"], serde_json::json!(["the next installer on ssc-node1 hangs"]));
    assert!(struck.get("struck").is_none() && struck.get("error").is_none(), "{struck}");
}

#[test]
fn a_japanese_debrief_shows_its_evidence_in_japanese() {
    let course = seed_course();
    let acts: Vec<Act> =
        correct_acts(&course).into_iter().filter(|act| !matches!(act, Act::StopMonitoring { .. })).collect();
    let training = play(&course, &acts);
    let evidence = |lang: Lang| {
        let debrief = Debrief::of(&training, lang);
        debrief.invariants.iter().find(|v| v.id == "monitoring-during-apply").expect("judged").events.clone()
    };
    let (en, ja) = (evidence(Lang::En), evidence(Lang::Ja));
    assert!(!en.is_empty() && en.len() == ja.len());
    assert!(en.iter().any(|line| line.contains("stopped by the installer [watched: Task Manager]")), "{en:#?}");
    assert!(
        ja.iter().any(|line| line.contains("がインストーラによって停止されました [監視中: タスクマネージャ]")),
        "{ja:#?}"
    );
    assert!(ja.iter().all(|line| line.chars().any(is_cjk)), "{ja:#?}");
    let html = Debrief::page(&training, Lang::Ja, "s");
    assert!(html.contains("インストーラによって停止されました"));
}

#[test]
fn an_answer_with_no_prompt_open_and_a_stale_tab_are_told_in_the_pages_language() {
    let course = scenario_course("run-restart-request.toml");
    let mut training = Training::new(Arc::clone(&course));
    // No prompt was ever opened (as when a tab answers one already answered).
    let answer = Act::AnswerPrompt { node: "ssc-node1".into(), answer: "no".into() };
    assert!(matches!(training.act(answer).outcome, Outcome::Invalid(_)));
    assert!(
        super::page::session(&training, "s", Lang::Ja).contains("インストーラの再起動確認はもう表示されていません。")
    );
    assert!(super::page::session(&training, "s", Lang::En).contains("restart prompt is no longer open."));
    training.act(Act::GiveUp);
    assert!(matches!(training.act(Act::Wait { seconds: "5".into() }).outcome, Outcome::Invalid(_)));
    assert!(super::page::session(&training, "s", Lang::Ja).contains("このセッションは終了しました。"));
}

#[test]
fn stopping_the_registry_sync_resource_during_the_apply_breaks_nec_s_first_warning() {
    let course = seed_course();
    let mut acts = correct_acts(&course);
    let install = acts.iter().position(|act| matches!(act, Act::RunInstaller { .. })).expect("an install");
    acts.insert(install + 1, Act::StopResource { resource: "regsync".into() });
    let mut training = Training::new(Arc::clone(&course));
    for act in &acts[..=install] {
        training.act(act.clone());
    }
    let page = super::page::session(&training, "s", Lang::En);
    assert!(page.contains("id=\"stop-resource-regsync\""), "the manager offers to stop a resource");
    for act in &acts[install + 1..] {
        training.act(act.clone());
    }
    let debrief = Debrief::of(&training, Lang::En);
    let verdict = debrief.invariants.iter().find(|v| v.id == "registry-sync-stopped-during-apply").expect("judged");
    assert_eq!(verdict.verdict, "violated", "{:?}", verdicts(&debrief));
    assert!(verdict.procedure_says.iter().any(|said| said.starts_with("Never stop a resource")), "{verdict:?}");
    let mistake = debrief.first_mistake.expect("a mistake");
    assert_eq!(mistake.invariant, "registry-sync-stopped-during-apply");
    assert_eq!(mistake.action.as_deref(), Some("Cluster Manager: resource regsync → Stop"));
}

#[test]
fn stopping_the_cluster_service_instead_of_suspending_is_judged() {
    let course = seed_course();
    let acts: Vec<Act> = correct_acts(&course)
        .into_iter()
        .map(|act| match act {
            Act::SuspendCluster => Act::StopClusterService { node: "ssc-node1".into() },
            other => other,
        })
        .collect();
    let mut training = Training::new(Arc::clone(&course));
    assert!(super::page::session(&training, "s", Lang::En).contains("id=\"stop-cluster-ssc-node1\""));
    for act in &acts {
        training.act(act.clone());
    }
    // The stopped node does not take the module as the procedure expects, and the cluster
    // does not come back as it was; the procedure's own step is what was missed.
    let debrief = Debrief::of(&training, Lang::En);
    let verdict = |id: &str| debrief.invariants.iter().find(|v| v.id == id).expect("judged").verdict;
    assert_eq!(verdict("cluster-not-restored"), "violated", "{:?}", verdicts(&debrief));
    assert_eq!(verdict("partial-update"), "violated", "{:?}", verdicts(&debrief));
    let mistake = debrief.first_mistake.as_ref().expect("a mistake");
    assert_eq!(mistake.correct.as_deref(), Some("3 Suspend the cluster: Service → Suspend Cluster"));
}
