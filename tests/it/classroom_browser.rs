//! Issue 24 (a classroom) and issue 21 (recovery in the trainer): `clusterproc train
//! --classroom` on a free port, its instructor's page and a trainee's page in Debian's
//! Chromium (`tests/browser/classroom.mjs`), and the instructor's routes over HTTP on the
//! real socket. Screenshots go to `target/browser-artifacts/classroom-*.png`.
//!
//! Node, Chromium and playwright-core are what `bash test.sh` installs; without them the
//! browser cases fail and say so rather than pass without having looked at a page.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::{root, spawn, spawn_clusterproc};

/// One case at a time (the machines have two cores; a starved browser times out).
static ONE_BROWSER: Mutex<()> = Mutex::new(());

const CASE_TIMEOUT: Duration = Duration::from_secs(300);

/// A running `clusterproc train`; killed when dropped.
struct Trainer {
    child: Child,
    url: String,
    /// The instructor's password, when it printed one.
    password: Option<String>,
    /// Every line it printed before "Open the address".
    printed: Vec<String>,
}

impl Trainer {
    fn start(extra: &[&str]) -> Trainer {
        let mut args = vec!["train", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = spawn_clusterproc(&args);
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines, printed) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut seen = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let last = line.starts_with("Open the address");
                seen.push(line.trim_end().to_owned());
                if last {
                    break;
                }
            }
            let _ = lines.send(seen);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let printed = printed.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let url = printed.first().cloned().unwrap_or_default();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
            "the first line is the address: {printed:?}"
        );
        let password = printed
            .iter()
            .find_map(|line| line.split("password ").nth(1))
            .map(|rest| rest.trim_end_matches(')').to_owned());
        Trainer { child, url, password, printed }
    }
}

impl Drop for Trainer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().expect("a client")
}

#[test]
fn without_classroom_there_is_no_instructor_page_and_no_password() {
    let trainer = Trainer::start(&[]);
    assert_eq!(trainer.password, None, "{:?}", trainer.printed);
    let answer = client().get(format!("{}instructor", trainer.url)).send().expect("an answer");
    assert_eq!(answer.status().as_u16(), 404);
}

#[test]
fn the_classroom_prints_its_password_once_and_asks_for_it() {
    let trainer = Trainer::start(&["--classroom"]);
    let password = trainer.password.clone().expect("a password is printed");
    assert!(password.len() >= 16, "{password}");
    assert_eq!(trainer.printed.iter().filter(|line| line.contains(&password)).count(), 1, "{:?}", trainer.printed);
    let url = format!("{}instructor/results.csv", trainer.url);
    assert_eq!(client().get(&url).send().expect("an answer").status().as_u16(), 401);
    let wrong = client().get(&url).basic_auth("teacher", Some("not-it")).send().expect("an answer");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = client().get(&url).basic_auth("teacher", Some(&password)).send().expect("an answer");
    assert_eq!(right.status().as_u16(), 200);
    assert!(right.text().expect("a body").starts_with("session,name,state,"));
    // A second trainer draws another password.
    let other = Trainer::start(&["--classroom"]);
    assert_ne!(other.password, Some(password));
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), |dir| root().join(dir));
    target.join("browser-artifacts")
}

/// Runs `node tests/browser/classroom.mjs CASE URL PASSWORD OUTDIR` against a classroom.
fn browser_case(case: &str) {
    let node_ok = Command::new("node").arg("--version").output().is_ok_and(|output| output.status.success());
    let playwright = root().join("tests/browser/node_modules/playwright-core/package.json").is_file();
    assert!(
        node_ok && chromium().is_file() && playwright,
        "the browser tests need node, Chromium and tests/browser/node_modules/playwright-core: run `bash test.sh`"
    );
    let _one = ONE_BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let trainer = Trainer::start(&["--classroom"]);
    let password = trainer.password.clone().expect("a password");
    let started = Instant::now();
    let mut node = spawn(
        Command::new("node")
            .arg("tests/browser/classroom.mjs")
            .args([case, &trainer.url, &password])
            .arg(artifacts())
            .current_dir(root())
            .env("CHROMIUM", chromium())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut stdout_pipe = node.stdout.take().expect("piped stdout");
    let mut stderr_pipe = node.stderr.take().expect("piped stderr");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout_pipe.read_to_string(&mut text);
        text
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = node.try_wait().expect("node can be waited for") {
            break Some(status);
        }
        if started.elapsed() > CASE_TIMEOUT {
            let _ = node.kill();
            let _ = node.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    assert!(
        status.is_some_and(|status| status.success()),
        "browser case {case} failed ({status:?}; screenshots in {}):\n--- stdout\n{stdout}--- stderr\n{stderr}",
        artifacts().display()
    );
    eprintln!("browser case {case} passed in {:.1} s\n{stdout}", started.elapsed().as_secs_f64());
}

#[test]
fn the_instructor_sees_trainees_live_injects_a_fault_pauses_and_exports_the_results() {
    browser_case("instructor");
}

#[test]
fn a_recovery_after_a_mistake_played_to_a_serving_cluster_is_judged_in_the_debrief() {
    browser_case("recovery");
}
