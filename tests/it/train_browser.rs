//! Issue 13: the trainer (`clusterproc train`) in a real browser. Each test starts the
//! trainer on a free port and runs one case of `tests/browser/train.mjs`, which clicks
//! through the pages in Debian's Chromium with playwright-core and checks what they show;
//! its screenshots are left in `target/browser-artifacts/` to look at.
//!
//! Node, Chromium and playwright-core are what `bash test.sh` installs; without them these
//! tests fail and say so rather than pass without having looked at a page.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::{root, spawn, spawn_clusterproc};

/// How long one case may take (train.mjs gives up after 180 s by itself).
const CASE_TIMEOUT: Duration = Duration::from_secs(300);

/// One Chromium at a time: the machines have two cores, and a starved browser times out.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Fails (never skips) when something the browser tests need is not installed.
fn require_browser() {
    let mut missing = Vec::new();
    let node = crate::support::output(Command::new("node").arg("--version"));
    if !node.is_ok_and(|output| output.status.success()) {
        missing.push("node".to_owned());
    }
    if !chromium().is_file() {
        missing.push(format!("Chromium ({})", chromium().display()));
    }
    if !root().join("tests/browser/node_modules/playwright-core/package.json").is_file() {
        missing.push("tests/browser/node_modules/playwright-core".to_owned());
    }
    assert!(
        missing.is_empty(),
        "the browser tests need {}: run `bash test.sh`, which installs them (apt-get install chromium fonts-noto-cjk; npm ci --prefix tests/browser)",
        missing.join(", ")
    );
}

/// Where the screenshots go: `target/browser-artifacts`.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), |dir| root().join(dir));
    target.join("browser-artifacts")
}

/// A running `clusterproc train`; killed when dropped.
pub(crate) struct Trainer {
    child: Child,
    pub(crate) url: String,
    /// The instructor's password, when it printed one (`--classroom`).
    pub(crate) password: Option<String>,
    /// Every line it printed up to "Open the address".
    pub(crate) printed: Vec<String>,
}

impl Trainer {
    /// `clusterproc train --listen 127.0.0.1:0 EXTRA...`, once it has printed its address.
    pub(crate) fn start(extra: &[&str]) -> Trainer {
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
        let password = printed
            .iter()
            .find_map(|line| line.split("password ").nth(1))
            .map(|rest| rest.trim_end_matches(')').to_owned());
        let mut trainer = Trainer { child, url, password, printed };
        if !(trainer.url.starts_with("http://127.0.0.1:") && trainer.url.ends_with('/')) {
            let stderr = trainer.stop();
            panic!("the trainer's first line is not its address: {:?}\n{stderr}", trainer.printed);
        }
        trainer
    }

    /// Kills the trainer; what it printed on stderr.
    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        format!("trainer stderr:\n{stderr}")
    }
}

impl Drop for Trainer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_all(pipe: impl std::io::Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(pipe).read_to_string(&mut text);
        text
    })
}

/// Runs `node tests/browser/train.mjs CASE URL target/browser-artifacts` against a trainer
/// started with `trainer_args` (the instructor's password, if it printed one, in the
/// environment as `TRAINER_PASSWORD`), and fails with everything both printed unless it
/// passes.
fn browser_case(case: &str, trainer_args: &[&str]) {
    browser_script("train.mjs", case, trainer_args);
}

/// [`browser_case`] for another script of `tests/browser`.
pub(crate) fn browser_script(script: &str, case: &str, trainer_args: &[&str]) {
    require_browser();
    let _one = ONE_BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut trainer = Trainer::start(trainer_args);
    let started = Instant::now();
    let mut node = spawn(
        Command::new("node")
            .arg(format!("tests/browser/{script}"))
            .args([case, &trainer.url])
            .arg(artifacts())
            .current_dir(root())
            .env("CHROMIUM", chromium())
            .env("TRAINER_PASSWORD", trainer.password.as_deref().unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let stdout = read_all(node.stdout.take().expect("piped stdout"));
    let stderr = read_all(node.stderr.take().expect("piped stderr"));
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
    let elapsed = started.elapsed();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let passed = status.is_some_and(|status| status.success());
    if !passed {
        let why = match status {
            None => format!("took more than {CASE_TIMEOUT:?} and was killed"),
            Some(status) => format!("exited with {status}"),
        };
        panic!(
            "browser case {case} {why} (screenshots in {}):\n--- stdout\n{stdout}--- stderr\n{stderr}--- {}",
            artifacts().display(),
            trainer.stop()
        );
    }
    eprintln!("browser case {case} passed in {:.1} s", elapsed.as_secs_f64());
}

#[test]
fn the_seed_procedure_done_right_passes_every_invariant() {
    browser_case("seed", &[]);
}

#[test]
fn yes_at_the_restart_prompt_shows_the_moment_the_keys_were_lost() {
    browser_case("restart-prompt", &["--scenario", "scenarios/run-restart-request.toml"]);
}

#[test]
fn skipping_stop_monitoring_shows_the_watch_restarting_a_service() {
    browser_case("skip-monitoring", &[]);
}

#[test]
fn a_japanese_browser_gets_japanese_screens_and_debrief() {
    browser_case("japanese", &[]);
}

#[test]
fn both_languages_fit_1024_and_1366_pixels_and_nothing_is_missing() {
    browser_case("layout", &[]);
}
