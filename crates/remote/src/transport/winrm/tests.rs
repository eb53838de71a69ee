//! The WinRM transport at the HTTP level, against a mock WS-Management endpoint.

use std::time::Duration;

use wiremock::matchers::{body_string_contains, header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const NS: &str = "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:rsp=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell\" xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"";

fn soap(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("Content-Type", "application/soap+xml;charset=UTF-8")
        .set_body_string(format!("<s:Envelope {NS}><s:Header/><s:Body>{body}</s:Body></s:Envelope>"))
}

async fn shell_endpoint(server: &MockServer) {
    Mock::given(method("POST"))
        .and(header("Authorization", "Basic YWRtaW46c2VjcmV0")) // admin:secret
        .and(body_string_contains("transfer/Create"))
        .respond_with(soap("<rsp:Shell><rsp:ShellId>11111111-2222-3333-4444-555555555555</rsp:ShellId></rsp:Shell>"))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("shell/Command"))
        .and(body_string_contains("<w:Selector Name=\"ShellId\">11111111-2222-3333-4444-555555555555</w:Selector>"))
        .respond_with(soap("<rsp:CommandResponse><rsp:CommandId>C-1</rsp:CommandId></rsp:CommandResponse>"))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("transfer/Delete"))
        .respond_with(soap(""))
        .expect(1)
        .mount(server)
        .await;
}

/// Runs the blocking transport off the async test's threads.
async fn run(url: String, password: &'static str, argv: Argv, timeout: Duration) -> Result<Output, TransportError> {
    tokio::task::spawn_blocking(move || {
        let mut transport = WinrmTransport::new(&url, "admin", password, None, Duration::from_secs(2))?;
        transport.run(&argv, timeout)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_runs_in_a_shell_and_its_streams_and_exit_code_come_back() {
    let server = MockServer::start().await;
    shell_endpoint(&server).await;
    // The first Receive answers part of the output; the second the rest and the end.
    Mock::given(method("POST"))
        .and(body_string_contains("shell/Receive"))
        .respond_with(soap(
            "<rsp:ReceiveResponse><rsp:Stream Name=\"stdout\" CommandId=\"C-1\">Q29tbWFuZCA=</rsp:Stream>\
             <rsp:CommandState CommandId=\"C-1\" State=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running\"/></rsp:ReceiveResponse>",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("shell/Receive"))
        .respond_with(soap(
            "<rsp:ReceiveResponse><rsp:Stream Name=\"stdout\" CommandId=\"C-1\">c3VjY2VlZGVkLg0K</rsp:Stream>\
             <rsp:Stream Name=\"stderr\" CommandId=\"C-1\">d2Fybg==</rsp:Stream><rsp:Stream Name=\"stdout\" CommandId=\"C-1\" End=\"true\"/>\
             <rsp:CommandState CommandId=\"C-1\" State=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done\"><rsp:ExitCode>3010</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>",
        ))
        .mount(&server)
        .await;
    let argv = Argv::new("clpgrp").arg("-m").arg("fail & over %X% 'q'").arg("-a").arg("ssc-node2");
    let output = run(format!("{}/wsman", server.uri()), "secret", argv.clone(), Duration::from_secs(10)).await.unwrap();
    assert_eq!(output.stdout, b"Command succeeded.\r\n");
    assert_eq!(output.stderr, b"warn");
    assert_eq!(output.code, Some(3010));
    // The command is the PowerShell form of the argv, every element intact.
    let requests = server.received_requests().await.unwrap();
    let command = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .find(|b| b.contains("shell/Command"))
        .unwrap();
    let line = encode::command_line(RemoteShell::Windows, &argv).unwrap();
    let (program, arguments) = line.split_once(' ').unwrap();
    assert!(
        command.contains(&format!("<rsp:Command>{program}</rsp:Command><rsp:Arguments>{arguments}</rsp:Arguments>")),
        "{command}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_are_an_unreachable_node_with_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let error = run(format!("{}/wsman", server.uri()), "wrong", Argv::new("clpstat"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(error, TransportError::Unreachable { reason: "the WinRM service refused the credentials (401)".into() });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_soap_fault_is_reported_with_its_text() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500).set_body_string(format!(
        "<s:Envelope {NS}><s:Body><s:Fault><s:Reason><s:Text xml:lang=\"en-US\">The WS-Management service cannot process the request.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"
    ))).mount(&server).await;
    let error = run(format!("{}/wsman", server.uri()), "secret", Argv::new("clpstat"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot start `WinRM` (HTTP 500 Internal Server Error: The WS-Management service cannot process the request.)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_that_does_not_answer_in_time_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(soap("").set_delay(Duration::from_secs(5))).mount(&server).await;
    let error = run(format!("{}/wsman", server.uri()), "secret", Argv::new("clpstat"), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(error, TransportError::Timeout { after: Duration::from_millis(300) });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_port_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = run(format!("https://127.0.0.1:{port}/wsman"), "secret", Argv::new("clpstat"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Unreachable { .. }), "{error:?}");
}

#[test]
fn receive_answers_are_read_strictly() {
    assert_eq!(
        envelope::parse_receive("<rsp:Stream Name=\"stdout\">!!!</rsp:Stream>"),
        Err("a <Stream> that is not base64".into())
    );
    let done = "<rsp:CommandState State=\"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done\"></rsp:CommandState>";
    assert_eq!(envelope::parse_receive(done), Err("a finished command without an ExitCode".into()));
}
