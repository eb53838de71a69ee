//! The classroom's routes through the router: no `/instructor` without a classroom, the
//! password asked for, a pause that stops the trainee's actions without logging them, faults
//! injected only by the instructor, and the results as CSV and JUnit.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt as _;

use super::seed_course;
use crate::classroom::Classroom;
use crate::server::{Config, router};

const PASSWORD: &str = "correct-horse";

fn app(classroom: bool) -> Router {
    router(Config {
        course: seed_course(),
        idle: Duration::from_secs(600),
        max_sessions: 8,
        classroom: classroom.then(|| Classroom::with_password(PASSWORD)),
    })
}

fn basic(password: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("teacher:{password}")))
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("a body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str, password: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(password) = password {
        request = request.header(header::AUTHORIZATION, basic(password));
    }
    request.body(Body::empty()).expect("a request")
}

fn post_json(uri: &str, body: &str, password: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/json").header(header::ACCEPT, "application/json");
    if let Some(password) = password {
        request = request.header(header::AUTHORIZATION, basic(password));
    }
    request.body(Body::from(body.to_owned())).expect("a request")
}

async fn new_session(app: &Router, name: &str) -> String {
    let request = Request::post("/sessions")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("name={name}")))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().expect("a location");
    location.strip_prefix("/s/").expect("a session's page").to_owned()
}

#[tokio::test]
async fn without_a_classroom_there_is_no_instructor_page() {
    let app = app(false);
    assert_eq!(call(&app, get("/instructor", Some(PASSWORD))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, get("/instructor/results.csv", None)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_instructor_pages_need_the_password() {
    let app = app(true);
    for path in ["/instructor", "/instructor/sessions.json", "/instructor/results.csv", "/instructor/results.xml"] {
        assert_eq!(call(&app, get(path, None)).await.0, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(call(&app, get(path, Some("correct-horsE"))).await.0, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(call(&app, get(path, Some(PASSWORD))).await.0, StatusCode::OK, "{path}");
    }
    let (status, _) = call(&app, post_json("/instructor/s/1-0/pause", "{}", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_paused_trainee_cannot_act_and_the_pause_is_not_logged() {
    let app = app(true);
    let id = new_session(&app, "Aiko").await;
    let act = |body: &str| post_json(&format!("/s/{id}/act"), body, None);
    assert_eq!(call(&app, act("{\"do\":\"suspend-cluster\"}")).await.0, StatusCode::OK);
    let pause =
        post_json(&format!("/instructor/s/{id}/pause"), "{\"reason\":\"eyes on the projector\"}", Some(PASSWORD));
    assert_eq!(call(&app, pause).await.0, StatusCode::OK);
    let (status, body) = call(&app, act("{\"do\":\"wait-until-done\"}")).await;
    assert_eq!(status, StatusCode::LOCKED, "{body}");
    let (_, page) = call(&app, get(&format!("/s/{id}"), None)).await;
    assert!(page.contains("eyes on the projector"), "{page}");
    let resume = post_json(&format!("/instructor/s/{id}/resume"), "{}", Some(PASSWORD));
    assert_eq!(call(&app, resume).await.0, StatusCode::OK);
    assert_eq!(call(&app, act("{\"do\":\"wait-until-done\"}")).await.0, StatusCode::OK);
    let (_, log) = call(&app, get(&format!("/s/{id}/actions.json"), None)).await;
    assert_eq!(log.matches("\"do\"").count(), 2, "{log}");
}

#[tokio::test]
async fn faults_come_only_from_the_instructor_and_only_as_json() {
    let app = app(true);
    let id = new_session(&app, "").await;
    let crash = "{\"kind\":\"crash\",\"node\":\"ssc-node2\"}";
    let (status, _) = call(
        &app,
        post_json(&format!("/s/{id}/act"), "{\"do\":\"inject\",\"kind\":\"crash\",\"node\":\"ssc-node2\"}", None),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = Request::post(format!("/instructor/s/{id}/inject"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, basic(PASSWORD))
        .body(Body::from("kind=crash&node=ssc-node2"))
        .expect("a request");
    assert_eq!(call(&app, form).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = call(
        &app,
        post_json(&format!("/instructor/s/{id}/inject"), "{\"kind\":\"crash\",\"node\":\"nowhere\"}", Some(PASSWORD)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("no server"), "{body}");
    let (status, _) = call(&app, post_json(&format!("/instructor/s/{id}/inject"), crash, Some(PASSWORD))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, state) = call(&app, get(&format!("/s/{id}/state.json"), None)).await;
    assert!(state.contains("\"instructed\":1") || state.contains("\"instructed\": 1"), "{state}");
    let (_, page) = call(&app, get(&format!("/s/{id}"), None)).await;
    // The crashed server's row on the cluster pane says it is down.
    let row = page.split("<tr data-server=\"ssc-node2\">").nth(1).and_then(|rest| rest.split("</tr>").next());
    assert!(row.is_some_and(|row| row.contains("Down")), "the page shows ssc-node2 down: {row:?}");
}

#[tokio::test]
async fn the_results_are_exported_as_csv_and_junit_and_names_are_optional() {
    let app = app(true);
    let named = new_session(&app, "Sato%2C+Aiko").await;
    let anonymous = new_session(&app, "").await;
    let give_up = post_json(&format!("/s/{anonymous}/act"), "{\"do\":\"give-up\"}", None);
    assert_eq!(call(&app, give_up).await.0, StatusCode::OK);
    let (status, csv) = call(&app, get("/instructor/results.csv", Some(PASSWORD))).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("session,name,state,step"), "{csv}");
    assert!(lines[1].starts_with(&format!("{named},\"Sato, Aiko\",running,")), "{csv}");
    assert!(lines[2].starts_with(&format!("{anonymous},,gave-up,")), "{csv}");
    let (status, xml) = call(&app, get("/instructor/results.xml", Some(PASSWORD))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.starts_with("<?xml") && xml.matches("<testsuite ").count() == 2, "{xml}");
    assert!(xml.contains(&format!("name=\"session {named} (Sato, Aiko)\"")), "{xml}");
    let (_, rows) = call(&app, get("/instructor/sessions.json", Some(PASSWORD))).await;
    let rows: serde_json::Value = serde_json::from_str(&rows).expect("json");
    assert_eq!(rows["sessions"][1]["name"], serde_json::Value::Null);
    assert_eq!(rows["sessions"][0]["name"], "Sato, Aiko");
}

#[tokio::test]
async fn the_instructors_view_answers_as_soon_as_a_trainee_acts() {
    let app = app(true);
    let id = new_session(&app, "").await;
    let (_, rows) = call(&app, get("/instructor/sessions.json", Some(PASSWORD))).await;
    let version =
        serde_json::from_str::<serde_json::Value>(&rows).expect("json")["version"].as_u64().expect("a version");
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move {
            call(&app, get(&format!("/instructor/sessions.json?after={version}"), Some(PASSWORD))).await
        })
    };
    let started = std::time::Instant::now();
    assert_eq!(
        call(&app, post_json(&format!("/s/{id}/act"), "{\"do\":\"suspend-cluster\"}", None)).await.0,
        StatusCode::OK
    );
    let (_, rows) = waiting.await.expect("the long poll answers");
    // Well before the long poll's 20 s: the change woke it.
    assert!(started.elapsed() < Duration::from_secs(10));
    let rows: serde_json::Value = serde_json::from_str(&rows).expect("json");
    assert!(rows["version"].as_u64() > Some(version));
    assert_eq!(rows["sessions"][0]["actions"], 1);
}
