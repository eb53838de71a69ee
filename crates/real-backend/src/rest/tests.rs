//! The REST client against wiremock: the envelope, Basic auth, GET retries, POSTs sent once.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{RestClient, RestConfig, RestError};

/// A client's settings; the blocking client itself is made (and dropped) off the runtime.
fn client(server: &MockServer, get_attempts: u32) -> RestConfig {
    RestConfig {
        base_url: server.uri(),
        user: "ops".to_owned(),
        password: "secret".to_owned(),
        timeout: Duration::from_secs(5),
        get_attempts,
        backoff: Duration::from_millis(1),
        ca_file: None,
    }
}

/// Makes a blocking client and runs `f` with it, off the async runtime.
async fn blocking<T: Send + 'static>(config: RestConfig, f: impl FnOnce(&RestClient) -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(move || f(&RestClient::new(config).unwrap())).await.unwrap()
}

fn envelope(code: i64, message: &str) -> serde_json::Value {
    json!({ "result": { "code": code, "message": message } })
}

/// "ops:secret" in Basic form.
const AUTHORIZATION: &str = "Basic b3BzOnNlY3JldA==";

#[tokio::test(flavor = "multi_thread")]
async fn a_get_sends_basic_auth_and_returns_the_body() {
    let server = MockServer::start().await;
    let answer = json!({ "result": { "code": 0, "message": "" }, "cluster": { "name": "c", "status": "Online" } });
    Mock::given(method("GET"))
        .and(path("/api/v1/cluster"))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, 3);
    assert_eq!(blocking(client, move |client| client.get("cluster")).await, Ok(answer));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_get_is_retried_after_a_server_error_and_a_refusal_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/servers"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/servers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "result": { "code": 0, "message": "" }, "servers": [] })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/nogroup"))
        .respond_with(ResponseTemplate::new(404).set_body_json(envelope(2, "no group named nogroup")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, 3);
    let (servers, refused) =
        blocking(client, move |client| (client.get("servers"), client.get("groups/nogroup"))).await;
    assert!(servers.is_ok(), "{servers:?}");
    assert!(
        matches!(&refused, Err(RestError::Refused { status: 404, code: 2, message, .. }) if message == "no group named nogroup"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_get_gives_up_after_its_tries() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(2).mount(&server).await;
    let client = client(&server, 2);
    let answer = blocking(client, move |client| client.get("cluster")).await;
    assert!(matches!(answer, Err(RestError::Refused { status: 500, code: -1, .. })), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_is_sent_once_even_when_it_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups/failover/move"))
        .and(body_json(json!({ "target": "node2" })))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, 5);
    let answer =
        blocking(client, move |client| client.post("groups/failover/move", Some(&json!({ "target": "node2" })))).await;
    assert!(matches!(answer, Err(RestError::Refused { status: 503, .. })), "{answer:?}");
}

/// NEC's clients judge every answer by its code, and a POST also by its message
/// (statpanel's `commandPost`: "when operation command execution fails, message contains a
/// cause"); a GET with code 0 and a message is an answer (statpanel's GETs ignore it).
#[tokio::test(flavor = "multi_thread")]
async fn a_message_fails_a_post_not_a_get_a_code_fails_both_and_no_envelope_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/cluster/suspend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(0, "some server did not answer")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/cluster/resume"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(9, "")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/cluster"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&server)
        .await;
    let mut servers = envelope(0, "server2 is not responding");
    servers["servers"] = json!([{ "name": "server1", "status": "Online" }]);
    Mock::given(method("GET"))
        .and(path("/api/v1/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(servers))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(3, "")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/monitors"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "result": { "code": 0 }, "monitors": [] })))
        .mount(&server)
        .await;
    let client = client(&server, 1);
    let (suspend, resume, get, servers, groups, monitors) = blocking(client, move |client| {
        (
            client.post("cluster/suspend", None),
            client.post("cluster/resume", None),
            client.get("cluster"),
            client.get("servers"),
            client.get("groups"),
            client.get("monitors"),
        )
    })
    .await;
    assert!(
        matches!(&suspend, Err(RestError::Refused { status: 200, code: 0, message, .. }) if message == "some server did not answer"),
        "{suspend:?}"
    );
    assert!(matches!(resume, Err(RestError::Refused { code: 9, .. })), "{resume:?}");
    assert!(matches!(&get, Err(RestError::Body { message, .. }) if message.contains("<html>login</html>")), "{get:?}");
    assert_eq!(servers.unwrap()["servers"][0]["name"], "server1");
    assert!(matches!(groups, Err(RestError::Refused { status: 200, code: 3, .. })), "{groups:?}");
    assert_eq!(monitors.unwrap()["monitors"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_listening_is_unreachable() {
    let server = MockServer::start().await;
    let mut config = client(&server, 2);
    // A port that was just free: bound, read and closed again (wiremock keeps its servers).
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    config.base_url = format!("http://{free}");
    let client = config;
    let answer = blocking(client, move |client| client.get("cluster")).await;
    assert!(matches!(answer, Err(RestError::Unreachable { attempts: 2, .. })), "{answer:?}");
}

/// Pre-flight reads an API view as clpstat on each server would show it. Resources come
/// from `GET resources` by their `group`, as NEC's status panel reads them; what a group
/// embeds (here names only, or nothing) is not read.
#[test]
fn a_view_reads_as_each_servers_clpstat() {
    use crate::parse::clpstat::Status;
    let view = super::ClusterView::read(
        &json!({ "cluster": { "name": "c", "status": "Online" } }),
        &json!({ "servers": [{ "name": "n1", "status": "Online" }, { "name": "n2", "status": "Suspend" }] }),
        &json!({ "groups": [
            { "name": "g", "status": "Online", "current": "n1", "resources": [{ "name": "r" }] },
            { "name": "h", "status": "Offline", "current": "None" }
        ] }),
        &json!({ "resources": [
            { "name": "r", "type": "md", "status": "Online Pending", "current": "n1", "group": "g" },
            { "name": "s", "type": "fip", "status": "Offline", "current": "None", "group": "h" }
        ] }),
        &json!({ "monitors": [{ "name": "m", "status": "Normal",
            "servers": [{ "name": "n1", "status": "Normal" }, { "name": "n2", "status": "Offline" }] }] }),
    )
    .unwrap();
    let on_n2 = view.as_clpstat("n2").unwrap();
    assert_eq!(on_n2.cluster, "c");
    let servers: Vec<_> = on_n2.servers.iter().map(|s| (s.name.as_str(), s.local, s.status)).collect();
    assert_eq!(servers, [("n1", false, Status::Online), ("n2", true, Status::Suspend)]);
    assert_eq!(on_n2.group("g").unwrap().current.as_deref(), Some("n1"));
    assert_eq!(on_n2.group("g").unwrap().resources.len(), 1);
    assert_eq!(on_n2.group("g").unwrap().resources[0].status, Status::OnlinePending);
    assert_eq!(on_n2.group("h").unwrap().current, None);
    assert_eq!(on_n2.group("h").unwrap().resources[0].name, "s");
    assert_eq!(on_n2.monitor("m").unwrap().status, Status::Offline);
    assert_eq!(view.as_clpstat("n1").unwrap().monitor("m").unwrap().status, Status::Normal);
    let mut odd = view.clone();
    odd.monitors[0].servers[0].status = "Green".to_owned();
    assert_eq!(odd.as_clpstat("n1").unwrap_err(), "monitor m shows status \"Green\", which is not known");
}
