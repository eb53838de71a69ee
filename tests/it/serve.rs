//! Issue 12: `clusterproc serve` serves a simulated cluster through the EXPRESSCLUSTER REST
//! API on loopback; a client logs in with the credentials it prints.

use std::io::{Read as _, Write as _};
use std::process::{Child, Command};

use crate::support::{clusterproc, spawn_server};

/// A GET over a fresh connection; the status line and the body.
fn http_get(address: &str, path: &str, authorization: Option<&str>) -> (String, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(authorization) = authorization {
        request += &format!("Authorization: {authorization}\r\n");
    }
    stream.write_all(format!("{request}\r\n").as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// Base64 of `text`, so the test does not share the server's encoder.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `clusterproc serve --listen 127.0.0.1:0 --speed 0` and `more` arguments, started; the
/// child and the first line it prints (the URL).
fn serve(more: &[&str]) -> (Child, String) {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--speed", "0"];
    args.extend_from_slice(more);
    spawn_server(&args)
}

/// Sends `signal` to the server; its exit code.
fn stop(mut child: Child, signal: &str) -> (Option<i32>, String) {
    let killed = crate::support::status(Command::new("kill").args([signal, &child.id().to_string()])).unwrap();
    assert!(killed.success());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn base64_encodes_as_rfc_4648_says() {
    assert_eq!(base64("clusterproc:pw"), "Y2x1c3RlcnByb2M6cHc=");
    assert_eq!(base64("ab"), "YWI=");
    assert_eq!(base64("abc"), "YWJj");
}

#[test]
fn serve_prints_a_url_with_fresh_credentials_that_log_in() {
    let (child, url) = serve(&[]);
    let rest = url.strip_prefix("http://clusterproc:").unwrap_or_else(|| panic!("{url:?}"));
    let (password, address) = rest.split_once('@').unwrap();
    let address = address.strip_suffix('/').unwrap();
    assert!(address.starts_with("127.0.0.1:") && !address.ends_with(":0"), "{url}");
    assert_eq!(password.len(), 32, "{url}");

    let authorization = format!("Basic {}", base64(&format!("clusterproc:{password}")));
    let (status, body) = http_get(address, "/api/v1/cluster", Some(&authorization));
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        serde_json::json!({ "result": { "code": 0, "message": "" },
                            "cluster": { "name": "ssc-cluster", "status": "Online" } })
    );
    let (status, _) = http_get(address, "/api/v1/cluster", None);
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");

    let (code, stderr) = stop(child, "-TERM");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted: the server stopped"), "{stderr}");
}

#[test]
fn serve_listens_on_loopback_only_and_checks_its_files() {
    let run = clusterproc(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("loopback only"), "{}", run.stderr);
    let run = clusterproc(&["serve", "--listen", "127.0.0.1:0", "--speed", "-1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(&users, "version = 1\n[[user]]\nname = \"ops\"\n").unwrap();
    let run = clusterproc(&["serve", "--listen", "127.0.0.1:0", "--users", users.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing field `password`"), "{}", run.stderr);
}

#[test]
fn serve_takes_a_scenario_and_a_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(&users, "version = 1\n[[user]]\nname = \"rehearsal\"\npassword = \"s3cret pass\"\n").unwrap();
    let (child, url) =
        serve(&["--scenario", "scenarios/happy-path.toml", "--users", users.to_str().expect("a UTF-8 temporary path")]);
    // With a users file, no credentials are printed.
    let address = url.strip_prefix("http://").and_then(|rest| rest.strip_suffix('/')).unwrap().to_owned();
    assert!(address.starts_with("127.0.0.1:") && !address.contains('@'), "{url}");
    let authorization = format!("Basic {}", base64("rehearsal:s3cret pass"));
    let (status, body) = http_get(&address, "/api/v1/servers?select=name", Some(&authorization));
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["servers"],
        serde_json::json!([{ "name": "ssc-node1" }, { "name": "ssc-node2" }])
    );
    let wrong = format!("Basic {}", base64("clusterproc:s3cret pass"));
    assert_eq!(http_get(&address, "/api/v1/cluster", Some(&wrong)).0, "HTTP/1.1 401 Unauthorized");
    let (code, stderr) = stop(child, "-INT");
    assert_eq!(code, Some(130), "{stderr}");
}

/// Ends the server however the test ends.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// README's rehearsal through the REST API runs as it is written there: its second shell
/// block, with only the port changed to the one this test's `serve` took, fills the template
/// `loopback-rest.toml` in, passes preflight and runs the seed procedure to the end.
#[test]
fn the_readme_rest_rehearsal_runs_as_written() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    assert!(readme.contains("clusterproc serve --speed 0 "), "README's first block serves with --speed 0");
    let start = readme.find("# In another shell, in an empty folder").expect("README has the rehearsal block");
    let end = start + readme[start..].find("```").expect("the block ends");
    let block = &readme[start..end];

    let (child, url) = serve(&[]);
    let serving = Serving(child);
    let rest = url.strip_prefix("http://clusterproc:").unwrap_or_else(|| panic!("{url:?}"));
    let (password, address) = rest.split_once('@').unwrap();
    let address = address.strip_suffix('/').unwrap();
    let script = block.replace("127.0.0.1:29009", address);

    let folder = tempfile::tempdir().unwrap();
    let archive = folder.path().join("SSC0307-0006.zip");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file("setup.exe", zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"MZ stand-in installer").unwrap();
    std::fs::write(&archive, writer.finish().unwrap().into_inner()).unwrap();
    let shell = folder.path().join("shell");
    std::fs::create_dir(&shell).unwrap();
    let binary_folder = crate::support::binary().parent().unwrap();
    let path = format!("{}:{}", binary_folder.display(), std::env::var("PATH").unwrap_or_default());

    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", &script])
        .current_dir(&shell)
        .env("PATH", path)
        .env("REPO", crate::support::root())
        .env("PASSWORD", password)
        .env("ARCHIVE", &archive)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = crate::support::spawn(&mut bash).wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("All 10 checks passed."), "{stdout}");
    assert!(stdout.contains("Completed:"), "{stdout}");
    drop(serving);
}
