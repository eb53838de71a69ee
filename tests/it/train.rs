//! Issue 13: `clusterproc train` serves the trainer over a real socket; a trainee starts a
//! session, acts through the page's forms and reads the debrief.

use std::io::{Read as _, Write as _};
use std::process::{Child, Command};

use crate::support::{clusterproc, spawn_server};

/// A request over a fresh connection; the status line, the headers and the body.
pub(crate) fn http(address: &str, method: &str, path: &str, body: &str) -> (String, String, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_owned(), headers.to_ascii_lowercase(), body.to_owned())
}

pub(crate) fn train(more: &[&str]) -> (Child, String) {
    let mut args = vec!["train", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(more);
    let (child, url) = spawn_server(&args);
    let address = url.strip_prefix("http://").and_then(|u| u.strip_suffix('/')).unwrap_or_else(|| panic!("{url:?}"));
    (child, address.to_owned())
}

pub(crate) fn stop(mut child: Child) -> Option<i32> {
    assert!(crate::support::status(Command::new("kill").args(["-INT", &child.id().to_string()])).unwrap().success());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("the trainer stopped"), "{stderr}");
    child.wait().unwrap().code()
}

#[test]
fn a_trainee_acts_through_the_forms_over_a_real_socket_and_reads_the_debrief() {
    let (child, address) = train(&[]);
    let (status, _, page) = http(&address, "GET", "/", "");
    assert!(status.ends_with("200 OK"), "{status}");
    assert!(page.contains("id=\"start\""));
    let (status, headers, _) = http(&address, "POST", "/sessions", "");
    assert!(status.contains("303"), "{status}");
    let location = headers.lines().find_map(|l| l.strip_prefix("location: ")).unwrap().trim().to_owned();
    let (status, headers, _) = http(&address, "POST", &format!("{location}/act"), "do=reboot&node=ssc-node1");
    assert!(status.contains("303") && headers.contains(&format!("location: {location}")), "{status}");
    let (_, _, page) = http(&address, "GET", &location, "");
    assert!(page.contains("<td>ssc-node1</td><td>node down (reboot)"), "the alert log shows the reboot");
    let (_, _, _) = http(&address, "POST", &format!("{location}/act"), "do=give-up");
    let (status, _, debrief) = http(&address, "GET", &format!("{location}/debrief.json"), "");
    assert!(status.ends_with("200 OK"));
    let debrief: serde_json::Value = serde_json::from_str(&debrief).unwrap();
    assert_eq!(debrief["end"], "gave-up");
    let verdict =
        |id: &str| debrief["invariants"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap()["verdict"].clone();
    // Not suspended: a reboot breaks no safety invariant, and the end was never reached.
    assert_eq!(verdict("reboot-while-suspended"), "passed");
    assert_eq!(verdict("cluster-not-restored"), "not-reached");
    // Giving up earns no score, however little broke before.
    assert_eq!(debrief["score"], 0);
    // A malformed request gets a 4xx, and the trainer goes on.
    let (status, _, _) = http(&address, "POST", &format!("{location}/act"), "do=%ZZ");
    assert!(status.contains(" 422 "), "{status}");
    let (status, _, _) = http(&address, "GET", "/", "");
    assert!(status.ends_with("200 OK"));
    assert_eq!(stop(child), Some(130));
}

/// The icon is served by the binary (no 404 on every page), and the saved debrief comes as a
/// file to save.
#[test]
fn the_favicon_is_served_and_the_debrief_downloads_as_a_file() {
    let (child, address) = train(&[]);
    let (status, headers, body) = http(&address, "GET", "/favicon.ico", "");
    assert!(status.ends_with("200 OK") && headers.contains("content-type: image/svg+xml"), "{status}\n{headers}");
    assert!(body.starts_with("<svg"), "{body}");
    let (_, headers, _) = http(&address, "POST", "/sessions", "");
    let location = headers.lines().find_map(|l| l.strip_prefix("location: ")).unwrap().trim().to_owned();
    let (_, _, page) = http(&address, "GET", &location, "");
    assert!(page.contains("<link rel=\"icon\" href=\"/favicon.svg\""), "the page names its icon");
    let (status, headers, _) = http(&address, "GET", &format!("{location}/debrief?download=1"), "");
    assert!(status.ends_with("200 OK"), "{status}");
    let id = location.trim_start_matches("/s/");
    assert!(headers.contains(&format!("content-disposition: attachment; filename=\"debrief-{id}.html\"")), "{headers}");
    let (_, headers, _) = http(&address, "GET", &format!("{location}/debrief"), "");
    assert!(!headers.contains("content-disposition"), "read in the browser without ?download=1: {headers}");
    assert_eq!(stop(child), Some(130));
}

/// `--listen` takes a host name; an address other than loopback is served, since a
/// classroom needs it, with a warning that the pages have no login; on every interface
/// (`0.0.0.0`) the address printed to open is 127.0.0.1's.
#[test]
fn the_trainer_listens_on_a_host_name_and_warns_beyond_loopback() {
    let (child, url) = spawn_server(&["train", "--listen", "localhost:0"]);
    let address = url.strip_prefix("http://").and_then(|u| u.strip_suffix('/')).unwrap().to_owned();
    let (status, _, _) = http(&address, "GET", "/", "");
    assert!(status.ends_with("200 OK"), "{status}");
    assert_eq!(stop(child), Some(130));

    // On every interface, the address to open is the loopback one, and it answers.
    let (mut child, url) = spawn_server(&["train", "--listen", "0.0.0.0:0"]);
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    let address = url.strip_prefix("http://").and_then(|u| u.strip_suffix('/')).unwrap().to_owned();
    let (status, _, _) = http(&address, "GET", "/", "");
    assert!(status.ends_with("200 OK"), "{status}");
    assert!(crate::support::status(Command::new("kill").args(["-INT", &child.id().to_string()])).unwrap().success());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("warning: the trainer has no login and serves plain HTTP"), "{stderr}");
    assert_eq!(child.wait().unwrap().code(), Some(130));

    let refused = clusterproc(&["train", "--listen", "localhost:70000"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("\"70000\" is not a port number"), "{}", refused.stderr);
}

#[test]
fn a_scenario_that_scripts_its_own_operations_is_no_training_course() {
    let output = clusterproc(&["train", "--listen", "127.0.0.1:0", "--scenario", "scenarios/happy-path.toml"]);
    assert_eq!(output.code, 2);
    let stderr = &output.stderr;
    assert!(stderr.contains("scenarios/happy-path.toml") && stderr.contains("[[fault]]"), "{stderr}");
    let output = clusterproc(&["train", "--listen", "127.0.0.1:0", "--scenario", "scenarios/missing.toml"]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("missing.toml"));
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = clusterproc(&["train", "--listen", &address]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains(&format!("cannot listen on {address}")));
}
