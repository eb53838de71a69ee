//! Progress of a long `check` on stderr: on a terminal an indicatif spinner (runs, runs per
//! second, counterexamples found, elapsed time), on a pipe nothing unless `--progress` asks
//! for a line a second. A thread draws it from the [`Control`] the explorer counts in, so the
//! explorer itself never looks at a clock.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use procedure::text::counted;
use sim_cluster::control::Control;

/// The progress display of one search, drawn until [`Progress::finish`].
#[derive(Debug)]
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    started: Instant,
}

impl Progress {
    /// Starts drawing: on a terminal always, on a pipe when `lines` (`--progress`).
    pub fn start(watch: Arc<Control>, lines: bool) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let draw: Option<fn(&Control, &AtomicBool, Instant)> = if std::io::stderr().is_terminal() {
            Some(spinner)
        } else if lines {
            Some(print_lines)
        } else {
            None
        };
        let thread = draw.and_then(|draw| {
            let done = Arc::clone(&done);
            std::thread::Builder::new().name("progress".to_owned()).spawn(move || draw(&watch, &done, started)).ok()
        });
        Progress { done, thread, started }
    }

    /// Stops drawing. When the search was interrupted, says how far it got: runs made, and
    /// of the random schedules (`random_runs` of `cases`) how many ran; `searched` is the
    /// number of runs before the random schedules began.
    pub fn finish(
        mut self,
        watch: &Control,
        searched: u64,
        random_runs: Option<usize>,
        cases: Option<usize>,
    ) -> Option<String> {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if !watch.cut_short() {
            return None;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let how_far = match (random_runs, cases) {
            (Some(ran), Some(cases)) => format!(
                "the search stopped after {} in {elapsed:.1}s ({searched} of the fault search, {ran} of {cases} random schedules)",
                counted(watch.runs(), "run", "runs")
            ),
            _ => format!(
                "the search stopped after {} in {elapsed:.1}s, before it was complete",
                counted(watch.runs(), "run", "runs")
            ),
        };
        Some(format!("{how_far}; the counterexamples shown are those found so far"))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

fn status(watch: &Control, started: Instant) -> String {
    let elapsed = started.elapsed();
    let runs = watch.runs();
    let rate = runs as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "{}, {rate:.0} runs/s, {} broken so far, {:.0}s elapsed",
        counted(runs, "run", "runs"),
        counted(watch.found(), "invariant", "invariants"),
        elapsed.as_secs_f64()
    )
}

fn spinner(watch: &Control, done: &AtomicBool, started: Instant) {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} check: {msg}").expect("a valid template"));
    while !done.load(Ordering::SeqCst) {
        bar.set_message(status(watch, started));
        bar.tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn print_lines(watch: &Control, done: &AtomicBool, started: Instant) {
    let mut stderr = crate::output::stderr();
    // A first line at once, however short the search: `--progress` always shows something.
    let _ = writeln!(stderr, "progress: {}", status(watch, started));
    let mut last = Instant::now();
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
        if last.elapsed() >= Duration::from_secs(1) {
            let _ = writeln!(stderr, "progress: {}", status(watch, started));
            last = Instant::now();
        }
    }
}
