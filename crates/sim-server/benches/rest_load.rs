//! Load on the simulated REST API: 200 sessions at once on 127.0.0.1, each running the seed
//! procedure's requests (make a session, read the status, suspend the cluster, resume it,
//! move the failover group to the standby and back with `advance` between, end the
//! session), each client on its own keep-alive connection. It prints the latency of a
//! request (p50, p99, max, per kind and overall) and the memory a session takes (the
//! process's resident set before and after making them, divided by their number; the server
//! runs in this process). Bounded: a fixed number of sessions and polls, and a deadline.
//!
//! `cargo bench -p sim-server --bench rest_load` (set `REST_LOAD_SESSIONS` for another count).

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use serde_json::{Value, json};
use sim_server::rest::users::Users;

/// Sessions at once, unless `REST_LOAD_SESSIONS` says otherwise.
const SESSIONS: usize = 200;
/// The most status polls that wait for one operation to show.
const MAX_POLLS: usize = 100;
/// The whole run's limit.
const DEADLINE: Duration = Duration::from_secs(300);
/// `ops:pw` in Basic auth.
const AUTHORIZATION: &str = "Basic b3BzOnB3";

/// One client's keep-alive connection.
struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// (request kind, latency) of every request sent.
    timings: Vec<(&'static str, Duration)>,
}

impl Connection {
    fn open(address: std::net::SocketAddr) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Connection { reader: BufReader::new(stream.try_clone()?), writer: stream, timings: Vec::new() })
    }

    /// Sends one request and reads its answer; an error status or body is an error.
    fn call(&mut self, kind: &'static str, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let payload = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTHORIZATION}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
            payload.len()
        );
        let started = Instant::now();
        self.writer.write_all(request.as_bytes()).map_err(|e| format!("{path}: {e}"))?;
        let mut status = String::new();
        self.reader.read_line(&mut status).map_err(|e| format!("{path}: {e}"))?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).map_err(|e| format!("{path}: {e}"))?;
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| format!("{path}: bad length {value}"))?;
            }
        }
        let mut answer = vec![0; length];
        self.reader.read_exact(&mut answer).map_err(|e| format!("{path}: {e}"))?;
        self.timings.push((kind, started.elapsed()));
        if !status.contains(" 200 ") {
            return Err(format!("{method} {path}: {} {}", status.trim(), String::from_utf8_lossy(&answer)));
        }
        serde_json::from_slice(&answer).map_err(|e| format!("{path}: {e}"))
    }

    /// Polls `GET {path}` of session `id` (advancing its virtual time 5 s between polls)
    /// until `done` holds.
    fn until(&mut self, id: &str, path: &str, done: impl Fn(&Value) -> bool) -> Result<(), String> {
        for _ in 0..MAX_POLLS {
            if done(&self.call("GET status", "GET", &format!("/sessions/{id}/api/v1/{path}"), None)?) {
                return Ok(());
            }
            let advance = json!({ "ms": 5000 });
            self.call("POST advance", "POST", &format!("/sim/v1/sessions/{id}/advance"), Some(&advance))?;
        }
        Err(format!("session {id}: {path} did not show what was waited for within {MAX_POLLS} polls"))
    }
}

fn group_on(node: &'static str) -> impl Fn(&Value) -> bool {
    move |answer| {
        answer["groups"].as_array().is_some_and(|groups| {
            groups.iter().any(|g| g["name"] == "failover" && g["status"] == "Online" && g["current"] == node)
        })
    }
}

fn cluster_is(word: &'static str) -> impl Fn(&Value) -> bool {
    move |answer| answer["cluster"]["status"] == word
}

/// The seed procedure's requests on session `id`.
fn procedure(connection: &mut Connection, id: &str) -> Result<(), String> {
    let api = format!("/sessions/{id}/api/v1");
    for collection in ["cluster", "servers", "groups", "monitors"] {
        connection.call("GET status", "GET", &format!("{api}/{collection}"), None)?;
    }
    connection.call("POST operation", "POST", &format!("{api}/cluster/suspend"), None)?;
    connection.until(id, "cluster", cluster_is("Suspend"))?;
    connection.call("POST operation", "POST", &format!("{api}/cluster/resume"), None)?;
    connection.until(id, "cluster", cluster_is("Online"))?;
    for node in ["ssc-node2", "ssc-node1"] {
        let target = json!({ "target": node });
        connection.call("POST operation", "POST", &format!("{api}/groups/failover/move"), Some(&target))?;
        connection.until(id, "groups/failover", group_on(node))?;
    }
    Ok(())
}

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib * 1024)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn setup() -> Arc<Setup> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cluster = procedure::cluster::load(
        &SourceFile::read(&root.join("scenarios/cluster/ssc-two-node.toml")).expect("the committed cluster"),
    )
    .expect("the committed cluster is valid");
    let procedure = procedure::procedure::load(
        &SourceFile::read(&root.join("procedures/ssc0307-0006.toml")).expect("the seed procedure"),
        &cluster,
    )
    .expect("the seed procedure is valid");
    Arc::new(Setup::new(cluster, procedure))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: a small round there.
    let benching = std::env::args().any(|arg| arg == "--bench");
    let sessions = std::env::var("REST_LOAD_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if benching { SESSIONS } else { 4 })
        .clamp(1, sim_server::rest::session::MAX_SESSIONS - 1);
    let config = sim_server::rest::Config { setup: setup(), seed: 1, speed: 0.0, users: Users::single("ops", "pw") };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let server = sim_server::rest::start(config, listener).expect("the server starts");
    let address = server.address;
    let started = Instant::now();

    // Make every session first, to weigh them; then run them all at once.
    let mut maker = Connection::open(address).expect("connects");
    let before = resident_bytes();
    let mut ids = Vec::with_capacity(sessions);
    for seed in 0..sessions {
        match maker.call("POST session", "POST", "/sim/v1/sessions", Some(&json!({ "seed": seed }))) {
            Ok(made) => ids.push(made["session"]["id"].as_str().unwrap_or_default().to_owned()),
            Err(error) => {
                eprintln!("rest_load: cannot make a session: {error}");
                std::process::exit(1);
            }
        }
    }
    let after = resident_bytes();

    let barrier = Arc::new(Barrier::new(sessions));
    let clients: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let connection = Connection::open(address);
                barrier.wait();
                let mut connection = connection.map_err(|e| e.to_string())?;
                procedure(&mut connection, &id)?;
                connection.call("DELETE session", "DELETE", &format!("/sim/v1/sessions/{id}"), None)?;
                Ok::<_, String>(connection.timings)
            })
        })
        .collect();
    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    by_kind.entry("POST session").or_default().extend(maker.timings.iter().map(|(_, d)| *d));
    let mut all: Vec<Duration> = maker.timings.iter().map(|(_, d)| *d).collect();
    let mut failures = Vec::new();
    for client in clients {
        match client.join() {
            Ok(Ok(timings)) => {
                for (kind, took) in timings {
                    by_kind.entry(kind).or_default().push(took);
                    all.push(took);
                }
            }
            Ok(Err(error)) => failures.push(error),
            Err(_) => failures.push("a client thread panicked".to_owned()),
        }
    }
    let took = started.elapsed();
    drop(server);

    println!(
        "rest_load: {sessions} sessions at once on {address}, {} requests in {:.1} s",
        all.len(),
        took.as_secs_f64()
    );
    for (kind, mut times) in by_kind.into_iter().chain([("all", all)]) {
        times.sort();
        println!(
            "  {kind:<16} n={:<6} p50 {:>9}  p99 {:>9}  max {:>9}",
            times.len(),
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.99)),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    if let (Some(before), Some(after)) = (before, after) {
        let per = after.saturating_sub(before) as f64 / sessions as f64;
        println!(
            "  memory: resident {} KiB -> {} KiB, {:.1} KiB per session",
            before / 1024,
            after / 1024,
            per / 1024.0
        );
    }
    if !failures.is_empty() || took > DEADLINE {
        eprintln!("rest_load: {} sessions failed (first: {:?}); took {took:?}", failures.len(), failures.first());
        std::process::exit(1);
    }
}
