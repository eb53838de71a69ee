//! Helpers shared by the test modules: the workspace root, the built `clusterproc` binary,
//! and loading the committed procedure and cluster files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{OnceLock, RwLock, RwLockWriteGuard};

/// Spawning a process duplicates every open file of this test process into the child until
/// it execs, and with them their `flock` locks. Tests that lock journals in-process hold this
/// for writing so that no test spawns a process meanwhile; spawners hold it for reading.
static SPAWNING: RwLock<()> = RwLock::new(());

/// Keeps other tests from spawning processes while the guard lives.
pub fn no_spawning() -> RwLockWriteGuard<'static, ()> {
    SPAWNING.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

use procedure::cluster::Cluster;
use procedure::diagnostic::SourceFile;
use procedure::procedure::Procedure;

/// The workspace root, where `procedures/` and `scenarios/` live.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// The `clusterproc` binary, built once per test process with the same cargo that runs the
/// tests, so that CLI tests drive exactly what a user runs.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--package", "clusterproc", "--bin", "clusterproc"])
            .current_dir(root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building clusterproc failed");
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
        target.join("debug").join(format!("clusterproc{}", std::env::consts::EXE_SUFFIX))
    })
}

/// What a finished command printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `clusterproc ARGS` in the workspace root with colours off.
pub fn clusterproc(args: &[&str]) -> Run {
    clusterproc_in(&root(), args)
}

/// Runs `clusterproc ARGS` in `dir`.
pub fn clusterproc_in(dir: &Path, args: &[&str]) -> Run {
    clusterproc_in_env(dir, args, &[])
}

/// Runs `clusterproc ARGS` in `dir` with `env` added to its environment.
pub fn clusterproc_in_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let binary = binary();
    let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    let output: Output = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("clusterproc starts");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// Runs `clusterproc run PROCEDURE --journal JOURNAL --report REPORT` in the workspace root.
pub fn run_procedure(procedure: &str, journal: &Path, report: &Path) -> Run {
    clusterproc(&[
        "run",
        procedure,
        "--journal",
        &journal.display().to_string(),
        "--report",
        &report.display().to_string(),
    ])
}

/// Starts `clusterproc ARGS` in the workspace root with colours off, no input, and stdout
/// and stderr piped, for a test that acts on it while it runs (signals it, talks to it).
pub fn spawn_clusterproc(args: &[&str]) -> std::process::Child {
    let binary = binary();
    let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    Command::new(binary)
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("clusterproc starts")
}

/// Starts a `clusterproc` server command (`serve`, `train`) as [`spawn_clusterproc`] does and
/// waits, at most a minute, for the first line it prints (its URL). The rest of its stdout is
/// drained by a thread, so that the server never blocks on a full pipe nor meets a closed one.
pub fn spawn_server(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = spawn_clusterproc(args);
    let stdout = child.stdout.take().expect("piped stdout");
    let (first_line, url) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = first_line.send(line);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match url.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(line) if !line.is_empty() => (child, line.trim_end().to_owned()),
        _ => {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the server's stderr");
            panic!("clusterproc {args:?} printed no URL: {}", String::from_utf8_lossy(&output.stderr));
        }
    }
}

/// Spawns `command` (another program than `clusterproc`), as [`spawn_clusterproc`] does:
/// never while a test holds journals locked in-process.
pub fn spawn(command: &mut Command) -> std::process::Child {
    let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    command.spawn().unwrap_or_else(|error| panic!("{command:?} does not start: {error}"))
}

/// Runs `command` (another program than `clusterproc`) to its end and says how it exited,
/// started as [`spawn`] starts one.
pub fn status(command: &mut Command) -> std::io::Result<std::process::ExitStatus> {
    let mut child = {
        let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        command.spawn()?
    };
    child.wait()
}

/// Runs `command` (another program than `clusterproc`) to its end with its output captured,
/// started as [`spawn`] starts one.
pub fn output(command: &mut Command) -> std::io::Result<std::process::Output> {
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = {
        let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        command.spawn()?
    };
    child.wait_with_output()
}

/// The committed default cluster description.
pub fn default_cluster() -> Cluster {
    let path = root().join("scenarios/cluster/ssc-two-node.toml");
    procedure::cluster::load(&SourceFile::read(&path).expect("readable")).expect("the default cluster is valid")
}

/// A committed procedure file, validated against the default cluster.
pub fn procedure(relative: &str) -> Procedure {
    let path = root().join(relative);
    let source = SourceFile::read(&path).expect("readable");
    procedure::procedure::load(&source, &default_cluster()).expect("the committed procedure is valid")
}

/// The number of proptest cases: `PROPTEST_CASES` when set (for long local hunts), else
/// `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `clusterproc ARGS` in `dir` with stdout going to `stdout` (a full device, a pipe
/// whose reader is gone); returns the exit code (-1 when a signal ended it) and stderr.
pub fn clusterproc_to(dir: &Path, args: &[&str], stdout: std::process::Stdio) -> (i32, String) {
    clusterproc_with(dir, args, stdout, std::process::Stdio::piped())
}

/// As [`clusterproc_to`], with stderr going to `stderr` too.
pub fn clusterproc_with(
    dir: &Path,
    args: &[&str],
    stdout: std::process::Stdio,
    stderr: std::process::Stdio,
) -> (i32, String) {
    let binary = binary();
    let _spawning = SPAWNING.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    let output = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("clusterproc starts");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A pipe whose reading end is already closed: writing to it fails with EPIPE.
pub fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer.into()
}

/// `/dev/full`: every write fails with ENOSPC.
pub fn full_device() -> std::process::Stdio {
    std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full").into()
}
