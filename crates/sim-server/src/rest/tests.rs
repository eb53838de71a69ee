//! The REST API through its router (tower's `oneshot`) and once over a real socket.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::session::Sessions;
use super::users::Users;
use super::{Config, ConfigError, MAX_BODY_BYTES, router};

fn setup() -> Arc<Setup> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .unwrap();
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root.join("procedures/ssc0307-0006.toml")).unwrap(), &cluster)
            .unwrap();
    Arc::new(Setup::new(cluster, procedure))
}

fn config() -> Config {
    Config { setup: setup(), seed: 1, speed: 0.0, users: Users::single("ops", "secret") }
}

fn app() -> Router {
    router(config()).unwrap()
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {bytes:?}"));
    (status, value, headers)
}

fn request(method: &str, path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, basic("ops", "secret"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn get(app: &Router, path: &str) -> Value {
    let (status, value, _) = send(app, request("GET", path, "")).await;
    assert_eq!(status, StatusCode::OK, "{path}: {value}");
    value
}

async fn post(app: &Router, path: &str, body: &str) -> (StatusCode, Value) {
    let (status, value, _) = send(app, request("POST", path, body)).await;
    (status, value)
}

async fn advance(app: &Router, session: &str, ms: u64) {
    let (status, value) =
        post(app, &format!("/sim/v1/sessions/{session}/advance"), &json!({ "ms": ms }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{value}");
}

/// Posts an operation, expects it accepted, and lets `ms` of the default session's virtual
/// time pass for it to complete.
async fn operate(app: &Router, path: &str, body: &str, ms: u64) {
    let (status, value) = post(app, path, body).await;
    assert_eq!(status, StatusCode::OK, "{path}: {value}");
    advance(app, "default", ms).await;
}

/// Checks an error answer: status, `result.code` and a word of the message.
fn check_error((status, value): (StatusCode, Value), expected: StatusCode, code: i64, words: &str) {
    assert_eq!(status, expected, "{value}");
    assert_eq!(value["result"]["code"], code, "{value}");
    let message = value["result"]["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} lacks {words:?}");
}

fn ok() -> Value {
    json!({ "code": 0, "message": "" })
}

#[tokio::test]
async fn cluster_status_has_the_envelope_and_the_real_field_names() {
    let app = app();
    assert_eq!(
        get(&app, "/api/v1/cluster").await,
        json!({ "result": ok(), "cluster": { "name": "ssc-cluster", "status": "Online" } })
    );
    assert_eq!(
        get(&app, "/api/v1/servers").await,
        json!({ "result": ok(), "servers": [
            { "name": "ssc-node1", "status": "Online" }, { "name": "ssc-node2", "status": "Online" } ] })
    );
    assert_eq!(
        get(&app, "/api/v1/servers/ssc-node2").await["servers"],
        json!([{ "name": "ssc-node2", "status": "Online" }])
    );
    assert_eq!(get(&app, "/api/v1/servers?select=name").await["servers"][1], json!({ "name": "ssc-node2" }));
}

#[tokio::test]
async fn groups_resources_and_monitors_show_owner_type_and_per_server_status() {
    let app = app();
    let groups = get(&app, "/api/v1/groups").await;
    let group = &groups["groups"][0];
    assert_eq!(
        (&group["name"], &group["status"], &group["current"]),
        (&json!("failover"), &json!("Online"), &json!("ssc-node1"))
    );
    assert_eq!(
        group["resources"][0],
        json!({ "name": "md", "type": "md", "status": "Online", "current": "ssc-node1", "group": "failover" })
    );
    assert_eq!(get(&app, "/api/v1/groups?select=name").await["groups"], json!([{ "name": "failover" }]));
    let selected = get(&app, "/api/v1/groups?select=resources").await;
    assert_eq!(selected["groups"][0]["resources"][1], json!({ "name": "fip" }));
    assert!(selected["groups"][0].get("status").is_none());
    assert_eq!(
        get(&app, "/api/v1/resources/regsync").await["resources"],
        json!([{ "name": "regsync", "type": "regsync", "status": "Online", "current": "ssc-node1", "group": "failover" }])
    );
    let monitor = &get(&app, "/api/v1/monitors/servicew-pvm").await["monitors"][0];
    assert_eq!(monitor["type"], "servicew");
    assert_eq!(monitor["servers"][0], json!({ "name": "ssc-node1", "status": "Normal" }));
    assert_eq!(monitor["servers"][1]["name"], "ssc-node2");
}

#[tokio::test]
async fn a_move_is_accepted_at_once_and_completes_in_virtual_time() {
    let app = app();
    let (status, value) = post(&app, "/api/v1/groups/failover/move", r#"{"target": "ssc-node2"}"#).await;
    assert_eq!((status, value), (StatusCode::OK, json!({ "result": ok() })));
    let during = get(&app, "/api/v1/groups/failover").await;
    assert_ne!(during["groups"][0]["status"], "Online", "{during}");
    advance(&app, "default", 10 * 60 * 1000).await;
    let after = get(&app, "/api/v1/groups/failover").await;
    assert_eq!(
        (&after["groups"][0]["status"], &after["groups"][0]["current"]),
        (&json!("Online"), &json!("ssc-node2"))
    );
    // Without a target, the failover policy takes it back to the other node.
    operate(&app, "/api/v1/groups/failover/move", "", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/groups/failover").await["groups"][0]["current"], "ssc-node1");
}

#[tokio::test]
async fn a_suspended_cluster_shows_suspend_and_refuses_group_moves() {
    let app = app();
    operate(&app, "/api/v1/cluster/suspend", "", 5 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/cluster").await["cluster"]["status"], "Suspend");
    assert_eq!(get(&app, "/api/v1/servers").await["servers"][1]["status"], "Suspend");
    check_error(
        post(&app, "/api/v1/groups/failover/move", r#"{"target":"ssc-node2"}"#).await,
        StatusCode::CONFLICT,
        1,
        "suspended",
    );
    operate(&app, "/api/v1/cluster/resume", "", 5 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/cluster").await["cluster"]["status"], "Online");
}

#[tokio::test]
async fn monitors_suspend_per_server_and_want_a_target() {
    let app = app();
    let path = "/api/v1/monitors/servicew-pvm/suspend";
    check_error(post(&app, path, "").await, StatusCode::BAD_REQUEST, 3, "target");
    check_error(post(&app, path, r#"{"target":"nobody"}"#).await, StatusCode::NOT_FOUND, 2, "nobody");
    operate(&app, path, r#"{"target":"ssc-node1"}"#, 60 * 1000).await;
    let servers = &get(&app, "/api/v1/monitors/servicew-pvm").await["monitors"][0]["servers"];
    assert_eq!(servers[0], json!({ "name": "ssc-node1", "status": "Suspend" }));
    operate(&app, "/api/v1/monitors/servicew-pvm/resume", r#"{"target":"ssc-node1"}"#, 60 * 1000).await;
    let servers = &get(&app, "/api/v1/monitors/servicew-pvm").await["monitors"][0]["servers"];
    assert_eq!(servers[0]["status"], "Normal");
}

#[tokio::test]
async fn a_resource_stops_and_starts_on_its_target() {
    let app = app();
    operate(&app, "/api/v1/resources/service-sysmon/stop", "", 60 * 1000).await;
    let resource = &get(&app, "/api/v1/resources/service-sysmon").await["resources"][0];
    assert_eq!((&resource["status"], &resource["current"]), (&json!("Offline"), &json!("None")));
    check_error(post(&app, "/api/v1/resources/service-sysmon/start", "{}").await, StatusCode::BAD_REQUEST, 3, "target");
    operate(&app, "/api/v1/resources/service-sysmon/start", r#"{"target":"ssc-node1"}"#, 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/resources/service-sysmon").await["resources"][0]["status"], "Online");
}

#[tokio::test]
async fn a_server_stops_and_its_group_fails_over() {
    let app = app();
    operate(&app, "/api/v1/servers/ssc-node1/stop", "", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/servers/ssc-node1").await["servers"][0]["status"], "Offline");
    assert_eq!(get(&app, "/api/v1/groups/failover").await["groups"][0]["current"], "ssc-node2");
    operate(&app, "/api/v1/servers/ssc-node1/start", "", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/servers/ssc-node1").await["servers"][0]["status"], "Online");
}

#[tokio::test]
async fn a_stopped_cluster_shows_offline_and_no_owner() {
    let app = app();
    operate(&app, "/api/v1/cluster/stop", "", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/cluster").await["cluster"]["status"], "Offline");
    let group = &get(&app, "/api/v1/groups").await["groups"][0];
    assert_eq!((&group["status"], &group["current"]), (&json!("Offline"), &json!("None")));
    operate(&app, "/api/v1/cluster/start", "", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/api/v1/cluster").await["cluster"]["status"], "Online");
}

#[tokio::test]
async fn bad_requests_get_the_right_status_and_the_envelope() {
    let app = app();
    let unauthenticated = Request::builder().uri("/api/v1/cluster").body(Body::empty()).unwrap();
    let (status, value, headers) = send(&app, unauthenticated).await;
    check_error((status, value), StatusCode::UNAUTHORIZED, 4, "authentication");
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Basic realm=\"EXPRESSCLUSTER\"");
    let wrong_password = Request::builder()
        .uri("/api/v1/cluster")
        .header(header::AUTHORIZATION, basic("ops", "secreT"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, wrong_password).await.0, StatusCode::UNAUTHORIZED);
    let garbage = Request::builder()
        .uri("/api/v1/cluster")
        .header(header::AUTHORIZATION, "Basic %%%")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, garbage).await.0, StatusCode::UNAUTHORIZED);

    check_error(post(&app, "/api/v1/groups/failover/move", "{\"target\": ").await, StatusCode::BAD_REQUEST, 3, "body");
    check_error(
        post(&app, "/api/v1/groups/failover/move", r#"{"target":"x","extra":1}"#).await,
        StatusCode::BAD_REQUEST,
        3,
        "extra",
    );
    check_error(
        post(&app, "/api/v1/groups/nogroup/move", "").await,
        StatusCode::NOT_FOUND,
        2,
        "no group named nogroup",
    );
    check_error(
        post(&app, "/api/v1/servers/no%20such/stop", "").await,
        StatusCode::NOT_FOUND,
        2,
        "no server named no such",
    );
    let (status, value, _) = send(&app, request("GET", "/api/v1/monitors/nomonitor", "")).await;
    check_error((status, value), StatusCode::NOT_FOUND, 2, "nomonitor");
    let (status, value, _) = send(&app, request("GET", "/api/v1/nothing", "")).await;
    check_error((status, value), StatusCode::NOT_FOUND, 5, "/api/v1/nothing");
    let (status, value, _) = send(&app, request("GET", "/api/v1/groups?select=everything", "")).await;
    check_error((status, value), StatusCode::BAD_REQUEST, 3, "select=everything");

    let (status, value, headers) = send(&app, request("DELETE", "/api/v1/cluster", "")).await;
    check_error((status, value), StatusCode::METHOD_NOT_ALLOWED, 5, "GET");
    assert_eq!(headers[header::ALLOW], "GET");
    let (status, value, headers) = send(&app, request("GET", "/api/v1/cluster/suspend", "")).await;
    check_error((status, value), StatusCode::METHOD_NOT_ALLOWED, 5, "POST");
    assert_eq!(headers[header::ALLOW], "POST");

    let oversized = "x".repeat(MAX_BODY_BYTES + 1);
    check_error(post(&app, "/api/v1/cluster/suspend", &oversized).await, StatusCode::PAYLOAD_TOO_LARGE, 3, "larger");
    // None of that stopped or changed the cluster.
    assert_eq!(get(&app, "/api/v1/cluster").await["cluster"]["status"], "Online");
}

#[tokio::test]
async fn endpoints_without_a_meaning_here_say_they_are_not_simulated() {
    let app = app();
    for path in [
        "/api/v1/cluster/shutdown",
        "/api/v1/servers/ssc-node1/shutdown",
        "/api/v1/cluster/toratio/set",
        "/api/v1/groups/start",
        "/api/v1/groups/failover/start",
        "/api/v1/monitors/mdw/dummy-failure/start",
        "/api/v1/scripts/run",
    ] {
        check_error(post(&app, path, "").await, StatusCode::NOT_IMPLEMENTED, 6, "not simulated");
    }
    // With the bodies NEC's status panel sends (CLUSTERPRO/REST-API_App `clusterapi.ts`).
    for (path, body) in [
        ("/api/v1/cluster/toratio/set", r#"{"ratio": 2, "time": "2m"}"#),
        ("/api/v1/scripts/run", r#"{"script": "a.bat", "target": "ssc-node1", "timeout": 60, "logdir": "x"}"#),
    ] {
        check_error(post(&app, path, body).await, StatusCode::NOT_IMPLEMENTED, 6, "not simulated");
    }
    let (status, value, _) = send(&app, request("GET", "/api/v1/cluster/toratio", "")).await;
    check_error((status, value), StatusCode::NOT_IMPLEMENTED, 6, "not simulated");
    assert_eq!(get(&app, "/api/v1/servers/ssc-node1").await["servers"][0]["status"], "Online");
}

#[tokio::test]
async fn sessions_are_made_listed_separate_and_ended() {
    let app = app();
    let (status, made) = post(&app, "/sim/v1/sessions", r#"{"seed": 7}"#).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["session"]["id"], "1");
    assert_eq!(made["session"]["api"], "/sessions/1/api/v1/");
    let listed = get(&app, "/sim/v1/sessions").await;
    let ids: Vec<&Value> = listed["sessions"].as_array().unwrap().iter().map(|s| &s["id"]).collect();
    assert_eq!(ids, [&json!("1"), &json!("default")]);

    assert_eq!(post(&app, "/sessions/1/api/v1/groups/failover/move", "").await.0, StatusCode::OK);
    advance(&app, "1", 10 * 60 * 1000).await;
    assert_eq!(get(&app, "/sessions/1/api/v1/groups").await["groups"][0]["current"], "ssc-node2");
    assert_eq!(get(&app, "/api/v1/groups").await["groups"][0]["current"], "ssc-node1");
    assert_eq!(get(&app, "/sim/v1/sessions/1").await["session"]["now_ms"], 600_000);

    let (status, value, _) = send(&app, request("DELETE", "/sim/v1/sessions/1", "")).await;
    assert_eq!((status, value), (StatusCode::OK, json!({ "result": ok() })));
    let (status, value, _) = send(&app, request("GET", "/sessions/1/api/v1/cluster", "")).await;
    check_error((status, value), StatusCode::NOT_FOUND, 2, "no session named 1");
    let (status, value, _) = send(&app, request("DELETE", "/sim/v1/sessions/default", "")).await;
    check_error((status, value), StatusCode::CONFLICT, 8, "default");
    check_error(
        post(&app, "/sim/v1/sessions/default/advance", r#"{"ms": -1}"#).await,
        StatusCode::BAD_REQUEST,
        3,
        "body",
    );
}

#[tokio::test]
async fn too_many_sessions_are_refused() {
    let app = app();
    for _ in 1..super::session::MAX_SESSIONS {
        assert_eq!(post(&app, "/sim/v1/sessions", "").await.0, StatusCode::OK);
    }
    check_error(post(&app, "/sim/v1/sessions", "").await, StatusCode::TOO_MANY_REQUESTS, 8, "too many");
}

#[test]
fn virtual_time_follows_the_wall_clock_times_the_speed() {
    let mut sessions = Sessions::new(setup(), 1, 10.0);
    let session = sessions.get("default").unwrap();
    let before = session.now();
    session.catch_up(Instant::now() + Duration::from_secs(3));
    let passed = session.now() - before;
    assert!(passed >= Duration::from_secs(30) && passed < Duration::from_secs(40), "{passed:?}");

    let mut manual = Sessions::new(setup(), 1, 0.0);
    let session = manual.get("default").unwrap();
    session.catch_up(Instant::now() + Duration::from_secs(3));
    assert_eq!(session.now(), Duration::ZERO);
}

#[test]
fn a_speed_out_of_range_is_refused() {
    for speed in [-1.0, f64::NAN, f64::INFINITY, super::MAX_SPEED * 2.0] {
        let config = Config { speed, ..config() };
        assert!(matches!(router(config), Err(ConfigError::Speed(_))), "{speed}");
    }
}

#[test]
fn users_files_are_checked() {
    let good = "version = 1\n[[user]]\nname = \"ops\"\npassword = \"pw\"\n";
    let users = Users::parse(good).unwrap();
    assert!(users.admits(Some(basic("ops", "pw").as_bytes())));
    assert!(!users.admits(Some(basic("ops", "pw2").as_bytes())));
    assert!(!users.admits(Some(basic("op", "pw").as_bytes())));
    assert!(!users.admits(None));
    assert!(!format!("{users:?}").contains("pw"));
    for (text, words) in [
        ("version = 2\n[[user]]\nname = \"a\"\npassword = \"b\"\n", "version 2"),
        ("version = 1\n", "nobody"),
        ("version = 1\n[[user]]\nname = \"a:b\"\npassword = \"b\"\n", "line 3, column 8: user name \"a:b\""),
        (
            "version = 1\n[[user]]\nname = \"a\"\npassword = \"\"\n",
            "line 4, column 12: user \"a\" has an empty password",
        ),
        ("version = 1\n[[user]]\nname = \"a\"\npassword = \"b\"\nrole = 1\n", "line 5, column 1: unknown field"),
        ("version = ", "line 1, column 11: string"),
        (
            "version = 1\n[[user]]\nname = \"a\"\npassword = \"b\"\n[[user]]\nname = \"a\"\npassword = \"c\"\n",
            "line 6, column 8: user \"a\" is given twice (first at line 3, column 8)",
        ),
    ] {
        let error = Users::parse(text).unwrap_err();
        assert!(error.contains(words), "{text:?}: {error:?}");
    }
}

/// The whole server over a real loopback socket, with a hand-written HTTP/1.1 request.
#[test]
fn serves_over_a_real_socket() {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = super::start(config(), listener).unwrap();
    let mut stream = std::net::TcpStream::connect(server.address).unwrap();
    write!(
        stream,
        "GET /api/v1/cluster HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        server.address,
        basic("ops", "secret")
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(body).unwrap(),
        json!({ "result": ok(), "cluster": { "name": "ssc-cluster", "status": "Online" } })
    );
    let address = server.address;
    drop(server);
    assert!(std::net::TcpStream::connect(address).is_err(), "still serving after the server was dropped");
}

/// The shims' session API on a REST session: the same cluster the API shows, behind the
/// same authentication.
#[tokio::test]
async fn the_command_shims_reach_the_same_session_as_the_api() {
    let app = app();
    let exec = |node: &str, argv: &[&str]| json!({ "node": node, "argv": argv }).to_string();

    // Without credentials, nothing runs.
    let anonymous = Request::builder()
        .method("POST")
        .uri("/sessions/default/exec")
        .body(Body::from(exec("ssc-node1", &["clpgrp", "-m", "failover", "-a", "ssc-node2"])))
        .unwrap();
    let (status, _, _) = send(&app, anonymous).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A move through a shim shows in the API once virtual time passes through `wait`.
    let (status, reply) =
        post(&app, "/sessions/default/exec", &exec("ssc-node1", &["clpgrp", "-m", "failover", "-a", "ssc-node2"]))
            .await;
    assert_eq!((status, &reply["code"]), (StatusCode::OK, &json!(0)), "{reply}");
    let (status, now) = post(&app, "/sessions/default/wait", r#"{"ms": 600000}"#).await;
    assert_eq!((status, &now["now_ms"]), (StatusCode::OK, &json!(600_000)), "{now}");
    assert_eq!(get(&app, "/sessions/default/now").await["now_ms"], 600_000);
    let groups = get(&app, "/api/v1/groups/failover").await;
    assert_eq!(groups["groups"][0]["current"], "ssc-node2", "{groups}");
    let state = get(&app, "/sessions/default/state").await;
    assert!(state["state"].as_str().is_some_and(|s| s.contains("ssc-node2")), "{state}");

    // Bad input is an error envelope, never a panic.
    check_error(
        post(&app, "/sessions/default/exec", &exec("nowhere", &["clpstat"])).await,
        StatusCode::NOT_FOUND,
        2,
        "nowhere",
    );
    check_error(
        post(&app, "/sessions/default/exec", &exec("ssc-node1", &[])).await,
        StatusCode::BAD_REQUEST,
        3,
        "argv",
    );
    check_error(post(&app, "/sessions/default/wait", r#"{"ms": "soon"}"#).await, StatusCode::BAD_REQUEST, 3, "body");
    check_error(post(&app, "/sessions/9/exec", &exec("ssc-node1", &["clpstat"])).await, StatusCode::NOT_FOUND, 2, "9");
}
