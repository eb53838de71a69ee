//! `cargo run --release -p fuzz -- [--seconds N] [--seed S] [--target NAME]... [--execs N]`
//! `cargo run --release -p fuzz -- --target NAME --input FILE...` runs saved inputs once
//! each, without catching panics, to see a crash with its backtrace.
//!
//! A fuzz harness on stable Rust: each target (procedure, cluster, scenario, journal,
//! counterexample, cli) starts from the project's own files, mutates bytes and lines and
//! splices between files, and runs the loading code in-process. Any panic is a failure: its
//! input is saved under `target/fuzz/crashes/` and the harness exits 1. The time budget is
//! shared equally between the targets; the mutations are a function of the seed alone, so
//! `--execs N` with the printed seed repeats a run exactly.

mod mutate;
mod targets;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sim_cluster::rng::Rng;

use crate::targets::{Fixture, Target};

/// The last panic's message and place, taken by the hook.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

struct Options {
    seconds: f64,
    seed: u64,
    targets: Vec<Target>,
    execs: Option<u64>,
    inputs: Vec<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options { seconds: 60.0, seed: 1, targets: Vec::new(), execs: None, inputs: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => options.seconds = value("--seconds")?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--seed" => options.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--execs" => options.execs = Some(value("--execs")?.parse().map_err(|e| format!("--execs: {e}"))?),
            "--target" => {
                let name = value("--target")?;
                let target = Target::ALL.into_iter().find(|t| t.name() == name).ok_or_else(|| {
                    format!(
                        "unknown target {name:?}; targets: procedure, cluster, scenario, journal, counterexample, cli"
                    )
                })?;
                options.targets.push(target);
            }
            "--input" => options.inputs.push(PathBuf::from(value("--input")?)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.targets.is_empty() {
        options.targets = Target::ALL.to_vec();
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fixture = match Fixture::new(&root) {
        Ok(fixture) => fixture,
        Err(error) => {
            eprintln!("error: cannot prepare the fuzz fixture: {error}");
            return ExitCode::from(2);
        }
    };
    if !options.inputs.is_empty() {
        for path in &options.inputs {
            let input = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            for &target in &options.targets {
                println!("{} {}: loaded {}", target.name(), path.display(), fixture.exec(target, &input));
            }
        }
        return ExitCode::SUCCESS;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = format!("{info}");
        *PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
    }));
    let budget = Duration::from_secs_f64(options.seconds / options.targets.len() as f64);
    let mut failures = 0;
    let mut total = 0;
    let started = Instant::now();
    for &target in &options.targets {
        let (execs, found) = fuzz(&fixture, &root, target, options.seed, budget, options.execs);
        total += execs;
        failures += found;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {total} executions in {elapsed:.1}s ({:.0}/s), seed {}, {failures} panics",
        total as f64 / elapsed,
        options.seed
    );
    if failures == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Fuzzes one target until its budget (or `execs`) is spent; returns executions and panics.
fn fuzz(fixture: &Fixture, root: &Path, target: Target, seed: u64, budget: Duration, execs: Option<u64>) -> (u64, u64) {
    let seeds: Vec<Vec<u8>> = target.seed_files(root).iter().filter_map(|path| std::fs::read(path).ok()).collect();
    if seeds.is_empty() {
        eprintln!("fuzz {}: no seed files", target.name());
        return (0, 1);
    }
    let others: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    let mut rng = Rng::new(seed ^ (target as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let started = Instant::now();
    let mut count: u64 = 0;
    let mut panics: u64 = 0;
    let mut loaded: u64 = 0;
    // The seeds themselves first, then mutants.
    for input in &seeds {
        let (panicked, ok) = run_one(fixture, root, target, input);
        (panics, loaded) = (panics + panicked, loaded + u64::from(ok));
        count += 1;
    }
    loop {
        let done = match execs {
            Some(limit) => count >= limit,
            None => count.is_multiple_of(64) && started.elapsed() >= budget,
        };
        if done {
            break;
        }
        let base = &seeds[rng.below(seeds.len() as u64) as usize];
        let input = mutate::mutate(&mut rng, base, &others);
        let (panicked, ok) = run_one(fixture, root, target, &input);
        (panics, loaded) = (panics + panicked, loaded + u64::from(ok));
        count += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz {:<15} {count:>9} executions, {:>7.0}/s, {:>5.1}% loaded, {panics} panics",
        target.name(),
        count as f64 / elapsed,
        loaded as f64 * 100.0 / count.max(1) as f64
    );
    (count, panics)
}

/// Runs one input: whether it panicked (1, and the input is saved) and whether it loaded.
fn run_one(fixture: &Fixture, root: &Path, target: Target, input: &[u8]) -> (u64, bool) {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| fixture.exec(target, input)));
    if let Ok(loaded) = result {
        return (0, loaded);
    }
    let message = PANIC.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default();
    let dir: PathBuf = root.join("target/fuzz/crashes");
    let name = format!("{}-{}", target.name(), procedure::diagnostic::content_hash(&String::from_utf8_lossy(input)));
    let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(&name), input));
    eprintln!("fuzz {}: PANIC {message}\n  input saved as target/fuzz/crashes/{name}", target.name());
    (1, false)
}
