//! Load on the trainer: 200 training sessions at once on 127.0.0.1, each performing the seed
//! procedure as a browser does (post the action's form, follow the redirect to the page),
//! each client on its own keep-alive connection. It prints the latency of an action (the
//! POST alone, the page it redirects to, and both together: p50, p99, max) and the memory a
//! session takes (the process's resident set before the sessions and after every one has
//! finished the procedure, divided by their number; the server runs in this process).
//! The trainer runs as a classroom: an instructor's page follows every session (the long
//! poll its script makes, again as soon as it is answered), and a probe session acts every
//! 150 ms while the others work, to measure how long the instructor's view takes to show an
//! action (from the POST sent to the answer that shows it).
//!
//! `cargo bench -p trainer --bench train_load` (`TRAIN_LOAD_SESSIONS` for another count).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use trainer::classroom::Classroom;
use trainer::course::Course;
use trainer::server::{Config, start};

const SESSIONS: usize = 200;

struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

impl Connection {
    fn open(address: std::net::SocketAddr) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Connection { reader: BufReader::new(stream.try_clone()?), writer: stream })
    }

    fn call(&mut self, method: &str, path: &str, form: &str) -> Result<Answer, String> {
        self.call_with(method, path, form, "")
    }

    /// `extra`: more header lines, each ending in CRLF.
    fn call_with(&mut self, method: &str, path: &str, form: &str, extra: &str) -> Result<Answer, String> {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        );
        self.writer.write_all(request.as_bytes()).map_err(|e| format!("{path}: {e}"))?;
        let mut status = String::new();
        self.reader.read_line(&mut status).map_err(|e| format!("{path}: {e}"))?;
        let code = status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let (mut length, mut location) = (0, None);
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).map_err(|e| format!("{path}: {e}"))?;
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().map_err(|_| format!("{path}: bad length"))?;
                } else if name.eq_ignore_ascii_case("location") {
                    location = Some(value.trim().to_owned());
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).map_err(|e| format!("{path}: {e}"))?;
        Ok(Answer { status: code, location, body })
    }
}

#[derive(Default)]
struct Timings {
    post: Vec<Duration>,
    page: Vec<Duration>,
    action: Vec<Duration>,
}

fn trainee(
    address: std::net::SocketAddr,
    forms: &[String],
    barrier: &Barrier,
    think: Duration,
) -> Result<Timings, String> {
    let mut connection = Connection::open(address).map_err(|e| e.to_string())?;
    barrier.wait();
    // Trainees who pause do not click in step: each starts within one pause of the others.
    if !think.is_zero() {
        let offset = std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
        std::thread::sleep(think.mul_f64((offset % 1000) as f64 / 1000.0));
    }
    let made = connection.call("POST", "/sessions", "")?;
    let page = made.location.ok_or("no session page")?;
    let mut timings = Timings::default();
    for form in forms {
        std::thread::sleep(think);
        let started = Instant::now();
        let posted = connection.call("POST", &format!("{page}/act"), form)?;
        let posted_at = started.elapsed();
        if posted.status != 303 {
            return Err(format!("{form}: {} {}", posted.status, String::from_utf8_lossy(&posted.body)));
        }
        let shown = connection.call("GET", &page, "")?;
        let total = started.elapsed();
        if shown.status != 200 {
            return Err(format!("{page}: {}", shown.status));
        }
        timings.post.push(posted_at);
        timings.page.push(total - posted_at);
        timings.action.push(total);
    }
    let debrief = connection.call("GET", &format!("{page}/debrief.json"), "")?;
    let text = String::from_utf8_lossy(&debrief.body);
    if !text.contains("\"score\": 100") {
        return Err(format!("the seed done right does not score 100: {text}"));
    }
    Ok(timings)
}

/// The instructor's password in the benchmark, and its `Authorization` header line.
const PASSWORD: &str = "bench";
const AUTHORIZATION: &str = "Authorization: Basic dDpiZW5jaA==\r\n";

/// The instructor's page: long polls, one after the other, until `done`; each answer that
/// shows the probe session's action count changed is sent on `seen`, with when it came.
fn instructor(
    address: std::net::SocketAddr,
    probe: &str,
    done: &std::sync::atomic::AtomicBool,
    seen: &std::sync::mpsc::Sender<(u64, Instant)>,
) -> Result<usize, String> {
    let mut connection = Connection::open(address).map_err(|e| e.to_string())?;
    let (mut version, mut answers, mut last) = (None::<u64>, 0, u64::MAX);
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        let path = match version {
            Some(v) => format!("/instructor/sessions.json?after={v}"),
            None => "/instructor/sessions.json".to_owned(),
        };
        let answer = connection.call_with("GET", &path, "", AUTHORIZATION)?;
        let at = Instant::now();
        if answer.status != 200 {
            return Err(format!("{path}: {}", answer.status));
        }
        answers += 1;
        let rows: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|e| e.to_string())?;
        version = rows["version"].as_u64();
        let actions = rows["sessions"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["id"] == probe))
            .and_then(|row| row["actions"].as_u64());
        if let Some(actions) = actions
            && actions != last
        {
            last = actions;
            let _ = seen.send((actions, at));
        }
    }
    Ok(answers)
}

/// The probe session: one action every 150 ms; for each, the time from sending it to the
/// instructor's answer that shows it.
fn probe(
    address: std::net::SocketAddr,
    page: &str,
    done: &std::sync::atomic::AtomicBool,
    seen: &std::sync::mpsc::Receiver<(u64, Instant)>,
) -> Result<Vec<Duration>, String> {
    let mut connection = Connection::open(address).map_err(|e| e.to_string())?;
    let mut latencies = Vec::new();
    let mut actions = 0u64;
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(150));
        let sent = Instant::now();
        let posted = connection.call("POST", &format!("{page}/act"), "do=wait&seconds=1")?;
        if posted.status != 303 {
            return Err(format!("probe: {}", posted.status));
        }
        actions += 1;
        loop {
            let Ok((count, at)) = seen.recv_timeout(Duration::from_secs(30)) else {
                // At the end the instructor's page may stop before it saw the last action.
                if done.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(latencies);
                }
                return Err("the instructor saw nothing".to_owned());
            };
            if count >= actions {
                latencies.push(at.saturating_duration_since(sent));
                break;
            }
        }
    }
    Ok(latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib * 1024)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: a small round there.
    let benching = std::env::args().any(|arg| arg == "--bench");
    let sessions = std::env::var("TRAIN_LOAD_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if benching { SESSIONS } else { 4 })
        .clamp(1, 5_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| procedure::diagnostic::SourceFile::read(&root.join(path)).expect("a file of the checkout");
    let cluster = procedure::cluster::load(&read("scenarios/cluster/ssc-two-node.toml")).expect("the cluster loads");
    let procedure =
        procedure::procedure::load(&read("procedures/ssc0307-0006.toml"), &cluster).expect("the seed loads");
    let setup = Arc::new(procedure::setup::Setup::new(cluster, procedure));
    let course = Arc::new(Course::new("seed".to_owned(), setup, 1, Vec::new()));
    let forms: Vec<String> = course
        .correct_acts()
        .iter()
        .map(|act| serde_urlencoded::to_string(act).expect("an action is a form"))
        .collect();
    let forms = Arc::new(forms);
    // Every trainee clicking as fast as the server answers (the worst case), then with a
    // pause of 100 ms between clicks (still faster than anyone reads a page).
    for (think, weigh) in [(Duration::ZERO, true), (Duration::from_millis(100), false)] {
        round(&course, &forms, sessions, think, weigh);
    }
}

fn round(course: &Arc<Course>, forms: &Arc<Vec<String>>, sessions: usize, think: Duration, weigh: bool) {
    let config = Config {
        course: Arc::clone(course),
        idle: Duration::from_secs(3600),
        max_sessions: sessions + 2,
        classroom: Some(Classroom::with_password(PASSWORD)),
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let server = start(config, listener).expect("the trainer starts");
    let address = server.address;
    let before = resident_bytes();
    let probe_page = Connection::open(address)
        .map_err(|e| e.to_string())
        .and_then(|mut connection| connection.call("POST", "/sessions", ""))
        .ok()
        .and_then(|made| made.location)
        .expect("a probe session");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    let probe_id = probe_page.trim_start_matches("/s/").to_owned();
    // `TRAIN_LOAD_INSTRUCTOR=0`: no instructor's page, to compare.
    let watched = std::env::var("TRAIN_LOAD_INSTRUCTOR").map_or(true, |v| v != "0");
    let watching = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || if watched { instructor(address, &probe_id, &done, &seen_tx) } else { Ok(0) })
    };
    let probing = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || if watched { probe(address, &probe_page, &done, &seen_rx) } else { Ok(Vec::new()) })
    };
    let started = Instant::now();
    let barrier = Arc::new(Barrier::new(sessions));
    let clients: Vec<_> = (0..sessions)
        .map(|_| {
            let (barrier, forms) = (Arc::clone(&barrier), Arc::clone(forms));
            std::thread::spawn(move || trainee(address, &forms, &barrier, think))
        })
        .collect();
    let mut all = Timings::default();
    for client in clients {
        match client.join() {
            Ok(Ok(timings)) => {
                all.post.extend(timings.post);
                all.page.extend(timings.page);
                all.action.extend(timings.action);
            }
            Ok(Err(error)) => {
                eprintln!("train_load: a trainee failed: {error}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("train_load: a trainee thread panicked");
                std::process::exit(1);
            }
        }
    }
    let elapsed = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut latencies = match probing.join() {
        Ok(Ok(latencies)) => latencies,
        Ok(Err(error)) => {
            let watcher = watching.join().map_err(|_| "panicked".to_owned()).and_then(|answers| answers);
            eprintln!("train_load: the probe failed: {error} (the instructor's page: {watcher:?})");
            std::process::exit(1);
        }
        Err(_) => std::process::exit(1),
    };
    // The instructor's last long poll ends with the probe's last action or its time limit.
    let answers = watching.join().ok().and_then(Result::ok).unwrap_or(0);
    let after = resident_bytes();
    println!(
        "train_load: {sessions} sessions at once, {} actions each ({} in all), {} ms between clicks, in {:.2} s",
        forms.len(),
        all.action.len(),
        think.as_millis(),
        elapsed.as_secs_f64()
    );
    for (name, timings) in
        [("POST action", &mut all.post), ("GET page", &mut all.page), ("action + page", &mut all.action)]
    {
        timings.sort();
        println!(
            "  {name:<14} p50 {}  p99 {}  max {}",
            ms(percentile(timings, 0.50)),
            ms(percentile(timings, 0.99)),
            ms(percentile(timings, 1.0))
        );
    }
    latencies.sort();
    if latencies.is_empty() {
        println!("  instructor view: not followed (TRAIN_LOAD_INSTRUCTOR=0)");
    } else {
        println!(
            "  instructor view p50 {}  p99 {}  max {}  ({} probe actions, {answers} long-poll answers)",
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.99)),
            ms(percentile(&latencies, 1.0)),
            latencies.len()
        );
    }
    if weigh && let (Some(before), Some(after)) = (before, after) {
        println!(
            "  memory: {:.1} MiB resident before, {:.1} MiB after: {:.0} KiB per finished session",
            before as f64 / 1048576.0,
            after as f64 / 1048576.0,
            after.saturating_sub(before) as f64 / 1024.0 / sessions as f64
        );
    }
    drop(server);
}
