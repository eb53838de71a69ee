//! `clusterproc check` and `clusterproc replay`: the procedure on the simulator, run both
//! ways — as written (no guards: an operator following the text) and guarded (as `run` runs
//! it) — with no fault, every single or double fault, random fault schedules and mutants;
//! each invariant judged `ok`, `violated` or `prevented`; counterexamples printed as stories
//! and saved for replay; text, JSON or JUnit output.

pub(crate) mod args;
mod merge;
mod render;

pub use merge::merge;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use procedure::diagnostic::content_hash;
use procedure::duration::clock;
use procedure::engine::{Ending, GuardRefusal};
use procedure::event::Renderer;
use procedure::invariant::{Invariant, Violation};
use procedure::journal::OperationRecord;
use procedure::setup::Setup;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use sim_cluster::explore::{
    CounterexampleFile, Exploration, Explorer, Mode, MutantResult, RunResult, Schedule, aftermath,
};
use sim_cluster::model::search::{SearchConfig, SearchResult, search};
use sim_cluster::watch::Watch;

use crate::failure::Failure;
use crate::load::{Loaded, load};
use crate::progress::Progress;
use args::{CheckArgs, CheckFormat, FaultDepth, GuardsChoice};

/// Everything a check found, as the JSON output shows it.
#[derive(Debug, Serialize, Deserialize)]
struct Report {
    title: String,
    /// How many fault kinds the search tried at each fault point.
    fault_kinds: usize,
    procedure: String,
    module: String,
    cluster: String,
    seed: u64,
    faults: String,
    /// Random fault schedules run besides (`--cases`), per way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cases: Option<usize>,
    /// `both`, `on` or `off`.
    guards: String,
    /// No failure below.
    passed: bool,
    /// Why the check fails, most important first.
    failures: Vec<FailureReport>,
    /// One per way of running.
    ways: Vec<WayReport>,
    mutants: Option<MutantReport>,
    counterexamples: Vec<CounterexampleReport>,
    /// Set when a signal stopped the search: how far it got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interrupted: Option<String>,
    /// Counterexample files in `--save` that this check could have written but did not:
    /// left by an earlier check, perhaps of an invariant that holds now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    earlier_counterexamples: Vec<String>,
    /// The part of a search split with `--shard I/N`, as `I/N`; absent for a whole search
    /// (and for a merge of every part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FailureReport {
    /// `did-not-finish`, `invariant` or `mutation-score`.
    kind: String,
    /// `as-written` or `guarded`, when the failure is one way's.
    way: Option<String>,
    invariant: Option<String>,
    step: Option<String>,
    reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WayReport {
    way: String,
    /// The run with no fault.
    baseline: BaselineReport,
    runs: usize,
    completed: usize,
    stopped_safely: usize,
    violated: usize,
    /// What the model checker did, when faults were asked for.
    search: Option<SearchReport>,
    invariants: Vec<InvariantReport>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SearchReport {
    max_faults: usize,
    /// Distinct states (engine, cluster and judge) visited.
    states: u64,
    transitions: u64,
    /// The most transitions in one run.
    depth: u32,
    /// Fault schedules explored.
    schedules: u64,
    /// Distinct states first reached with 0, 1, 2, ... faults.
    states_per_fault_count: Vec<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineReport {
    /// `completed`, `refused` or `stopped`.
    ending: String,
    step: Option<String>,
    reason: Option<String>,
    /// What the cluster did after a stop with nobody acting.
    aftermath: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct InvariantReport {
    id: String,
    kind: String,
    /// `ok`, `violated` or `prevented`.
    verdict: String,
    violated: Option<ViolationReport>,
    prevented: Option<PreventionReport>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ViolationReport {
    at: String,
    node: Option<String>,
    step: Option<String>,
    detail: String,
    faults: Vec<String>,
    /// The events that show it, as the trace renders them.
    events: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreventionReport {
    /// The invariant the guard protected.
    invariant: String,
    step: String,
    operation: String,
    reason: String,
    faults: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct MutantReport {
    total: usize,
    equivalent: usize,
    caught: usize,
    score: f64,
    min_score: Option<f64>,
    findings: usize,
    mutants: Vec<MutantLine>,
}

#[derive(Debug, Serialize, Deserialize)]
struct MutantLine {
    mutant: String,
    caught: bool,
    ways: Vec<MutantWay>,
    equivalent: Option<String>,
    /// It acts, nothing caught it, and it is not equivalent.
    finding: bool,
    /// Why no invariant saw it, when nothing caught it.
    why_unseen: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct MutantWay {
    way: String,
    /// `completed`, `refused` or `stopped`.
    ending: String,
    violated: Vec<String>,
    refused: Option<PreventionReport>,
    stopped: Option<String>,
    /// One line for people.
    summary: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct CounterexampleReport {
    way: String,
    invariant: String,
    seed: u64,
    mutation: Option<String>,
    faults: Vec<String>,
    detail: String,
    at: String,
    file: Option<String>,
    /// The events that show the violation.
    evidence: Vec<String>,
    /// The run's trace without routine detail.
    story: String,
}

/// The shortest run found that breaks an invariant.
#[derive(Debug, Clone)]
struct Witness {
    seed: u64,
    schedule: Schedule,
    violation: Violation,
}

/// One way of running, explored.
struct Way {
    mode: Mode,
    explorer: Explorer,
    baseline: RunResult,
    baseline_aftermath: Vec<String>,
    witnesses: BTreeMap<Invariant, Witness>,
    prevented: BTreeMap<Invariant, (GuardRefusal, Schedule)>,
    search: Option<SearchResult>,
    /// Random schedules run (`--cases`).
    random_runs: usize,
    runs: usize,
    completed: usize,
    stopped_safely: usize,
    violated: usize,
    mutants: Option<Vec<MutantResult>>,
}

impl Way {
    fn offer(&mut self, invariant: Invariant, witness: Witness) {
        let better = match self.witnesses.get(&invariant) {
            None => true,
            Some(known) => (witness.schedule.len(), witness.violation.at) < (known.schedule.len(), known.violation.at),
        };
        if better {
            self.witnesses.insert(invariant, witness);
        }
    }
}

/// Explores each way; with two threads or more the ways are explored at once, each on its
/// share of the threads (they are independent, so the result is the same).
fn explore_ways(explorer: &Explorer, modes: &[Mode], args: &CheckArgs, watch: &Watch) -> Vec<Way> {
    let jobs = args.jobs.max(1);
    if jobs < 2 || modes.len() < 2 {
        return modes.iter().map(|&mode| explore(explorer.in_mode(mode), args, jobs, watch)).collect();
    }
    let share = (jobs / modes.len()).max(1);
    std::thread::scope(|scope| {
        let running: Vec<_> = modes
            .iter()
            .map(|&mode| {
                let explorer = explorer.in_mode(mode);
                scope.spawn(move || explore(explorer, args, share, watch))
            })
            .collect();
        // A panic in a way is a bug; it goes on as the same panic here.
        running.into_iter().map(|way| way.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// One way's exploration; its search runs on `jobs` threads.
fn explore(explorer: Explorer, args: &CheckArgs, jobs: usize, watch: &Watch) -> Way {
    let (baseline, sim) = explorer.run(&[]);
    let baseline_aftermath = aftermath(explorer.setup(), sim.trace());
    let mut found = Exploration::default();
    found.keep_counterexamples(&baseline, args.seed, None);
    let random = match args.cases {
        Some(cases) if cases > 0 && !watch.stopped() => explorer.random(cases, args.seed),
        _ => Exploration::default(),
    };
    found.merge(&random);
    let FaultDepth(max_faults) = args.faults;
    let search = (max_faults > 0 && !watch.stopped()).then(|| {
        let config = SearchConfig {
            max_faults,
            faults: explorer.candidate_faults(),
            seed: args.seed,
            engine: explorer.engine_config().clone(),
            jobs,
            shard: args.shard,
        };
        search(explorer.setup(), &config, watch)
    });
    let mutants = (args.mutants && !watch.stopped()).then(|| explorer.mutants().0);
    let mut way = Way {
        mode: explorer.mode(),
        baseline,
        baseline_aftermath,
        witnesses: BTreeMap::new(),
        prevented: BTreeMap::new(),
        random_runs: random.runs,
        runs: random.runs,
        completed: random.successes,
        stopped_safely: random.safe_stops,
        violated: random.violations,
        search: None,
        mutants,
        explorer,
    };
    for (invariant, counterexample) in &found.counterexamples {
        let schedule = Schedule::Staged(counterexample.faults.clone());
        let witness = Witness { seed: counterexample.seed, schedule, violation: counterexample.violation.clone() };
        way.offer(*invariant, witness);
    }
    for (invariant, prevention) in &found.prevented {
        way.prevented.insert(*invariant, (prevention.refusal.clone(), Schedule::Staged(prevention.faults.clone())));
    }
    if let Some(search) = search {
        way.runs += search.ends as usize;
        way.completed += search.completed as usize;
        way.stopped_safely += search.stopped_safely as usize;
        way.violated += search.violated as usize;
        for (invariant, found) in &search.counterexamples {
            let schedule = Schedule::Timed(found.faults.clone());
            way.offer(*invariant, Witness { seed: args.seed, schedule, violation: found.violation.clone() });
        }
        for (invariant, prevented) in &search.prevented {
            way.prevented
                .entry(*invariant)
                .or_insert_with(|| (prevented.refusal.clone(), Schedule::Timed(prevented.faults.clone())));
        }
        way.search = Some(search);
    }
    way
}

/// Explores the procedure as the arguments say (or merges shards' outputs), prints the
/// verdict and saves counterexamples; exits 1 unless it passed.
pub fn exec(args: CheckArgs) -> Result<ExitCode, Failure> {
    if !args.merge.is_empty() {
        return merge(&args);
    }
    let Some(procedure_path) = args.procedure.clone() else {
        return Err(Failure::Usage(anyhow::anyhow!("check needs a PROCEDURE file, or --merge with JSON outputs")));
    };
    let loaded = load(&procedure_path, args.cluster.as_deref())?;
    crate::atomic_file::check_directory(&args.save)
        .map_err(|error| Failure::output(format!("counterexamples in {}", args.save.display()), error))?;
    let inputs: Vec<&Path> = [Some(procedure_path.as_path()), args.cluster.as_deref()].into_iter().flatten().collect();
    crate::output::check_output(args.output.as_deref(), &inputs)?;
    let setup = Arc::clone(&loaded.setup);
    // Ctrl-C or SIGTERM stops the search at the next level or run; what it found is still
    // reported.
    let watch = Arc::new(Watch::default());
    crate::interrupt::stop_on_signal(&watch);
    let memory = crate::memory_limit::Guard::start(&watch, args.memory_limit);
    let progress = Progress::start(Arc::clone(&watch), args.progress);
    let explorer = Explorer::new(Arc::clone(&setup), args.seed).watched(Arc::clone(&watch));
    let modes: &[Mode] = match args.guards {
        GuardsChoice::Both => &Mode::BOTH,
        GuardsChoice::On => &[Mode::Guarded],
        GuardsChoice::Off => &[Mode::AsWritten],
    };
    let ways = explore_ways(&explorer, modes, &args, &watch);
    let memory_limit_reached = memory.finish();
    let random_runs: usize = ways.iter().map(|w| w.random_runs).sum();
    let searched = watch.runs().saturating_sub(random_runs as u64);
    let interrupted = progress.finish(&watch, searched, args.cases.map(|_| random_runs), args.cases);
    let interrupted = match memory_limit_reached {
        Some(limit) => interrupted.map(|how_far| crate::memory_limit::reached(limit, &how_far)),
        None => interrupted,
    };

    let mut counterexamples = Vec::new();
    for way in &ways {
        for (invariant, witness) in &way.witnesses {
            counterexamples.push(describe(way, &loaded, &procedure_path, *invariant, witness, &args.save)?);
        }
    }
    let way_reports: Vec<WayReport> = ways.iter().map(|way| way_report(&setup, way, &counterexamples)).collect();
    let mutants = args.mutants.then(|| mutant_report(&setup, &ways, args.min_mutation_score));

    let mut failures = Vec::new();
    for (way, report) in ways.iter().zip(&way_reports) {
        if let Some(failure) = did_not_finish(&setup, way) {
            failures.push(failure);
        }
        failures.extend(invariant_failures(report));
    }
    if let Some(mutants) = &mutants
        && let Some(min) = mutants.min_score
        && mutants.score < min
    {
        failures.push(FailureReport {
            kind: "mutation-score".to_owned(),
            way: None,
            invariant: None,
            step: None,
            reason: format!("mutation score {:.0}% is below the minimum of {:.0}%", mutants.score * 100.0, min * 100.0),
        });
    }

    let saved: Vec<std::path::PathBuf> =
        counterexamples.iter().filter_map(|c| c.file.as_ref().map(std::path::PathBuf::from)).collect();
    let way_ids: Vec<&str> = modes.iter().map(|mode| mode.id()).collect();
    let earlier_counterexamples: Vec<String> = crate::counterexample::earlier(&args.save, &way_ids, &saved)
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    let report = Report {
        earlier_counterexamples,
        title: setup.procedure.title.clone(),
        fault_kinds: explorer.candidate_faults().len(),
        procedure: procedure_path.display().to_string(),
        module: setup.procedure.module.id.clone(),
        cluster: setup.cluster.name.clone(),
        seed: args.seed,
        faults: match args.faults {
            FaultDepth(0) => "none".to_owned(),
            FaultDepth(n) => n.to_string(),
        },
        cases: args.cases.filter(|&cases| cases > 0),
        guards: match args.guards {
            GuardsChoice::Both => "both",
            GuardsChoice::On => "on",
            GuardsChoice::Off => "off",
        }
        .to_owned(),
        // A search cut short is no proof: it does not pass, whatever it found.
        passed: failures.is_empty() && interrupted.is_none(),
        interrupted: interrupted.clone(),
        shard: (args.shard.count > 1).then(|| format!("{}/{}", args.shard.index, args.shard.count)),
        failures,
        ways: way_reports,
        mutants,
        counterexamples,
    };
    let mut text = render_report(&report, args.format);
    if !report.counterexamples.is_empty() && args.format == CheckFormat::Text {
        let _ = writeln!(text, "Counterexamples saved in {}/", args.save.display());
    }
    if !report.earlier_counterexamples.is_empty() && args.format == CheckFormat::Text {
        let _ = writeln!(
            text,
            "Left by an earlier check in {}/, not found by this one (replay or remove them): {}",
            args.save.display(),
            report.earlier_counterexamples.join(", ")
        );
    }
    let as_text = args.format == CheckFormat::Text;
    let code = crate::interrupt::conclude(interrupted.as_deref(), watch.stop_asked(), as_text, &mut text);
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(code.unwrap_or(if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) }))
}

/// Prints a report in the format asked for, to `--output` or stdout (text says when it is
/// incomplete); exit 1 unless it passed.
fn print_report(report: &Report, format: CheckFormat, output: Option<&Path>) -> Result<ExitCode, Failure> {
    let mut text = render_report(report, format);
    if let (Some(how_far), CheckFormat::Text) = (&report.interrupted, format) {
        let _ = writeln!(text, "\nIncomplete: {how_far}");
    }
    crate::output::emit(&text, output)?;
    Ok(if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn render_report(report: &Report, format: CheckFormat) -> String {
    match format {
        CheckFormat::Text => render::text(report),
        CheckFormat::Json => {
            let mut text = serde_json::to_string_pretty(report).expect("plain data");
            text.push('\n');
            text
        }
        CheckFormat::Junit => render::junit(report),
    }
}

/// A failure for each invariant the way violated.
fn invariant_failures(way: &WayReport) -> impl Iterator<Item = FailureReport> + '_ {
    way.invariants.iter().filter(|i| i.verdict == "violated").map(|invariant| {
        let violation = invariant.violated.as_ref().expect("a violated invariant has its violation");
        FailureReport {
            kind: "invariant".to_owned(),
            way: Some(way.way.clone()),
            invariant: Some(invariant.id.clone()),
            step: violation.step.clone(),
            reason: violation.detail.clone(),
        }
    })
}

/// The failure of a way whose run with no fault does not complete.
fn did_not_finish(setup: &Setup, way: &Way) -> Option<FailureReport> {
    let (step, reason) = match &way.baseline.ending {
        Ending::Completed => return None,
        Ending::Refused(refusal) => (
            refusal.step,
            format!(
                "a guard refused {}: {} [{}]",
                operation_words(setup, refusal),
                refusal.message,
                refusal.invariant.id()
            ),
        ),
        Ending::Stopped { step, reason, .. } => (*step, format!("stopped: {reason}")),
    };
    Some(FailureReport {
        kind: "did-not-finish".to_owned(),
        way: Some(way.mode.id().to_owned()),
        invariant: None,
        step: Some(setup.procedure.steps[step].label()),
        reason,
    })
}

/// `install-module on ssc-node1`.
fn operation_words(setup: &Setup, refusal: &GuardRefusal) -> String {
    let record = OperationRecord::from_operation(setup, &refusal.operation);
    format!("{} on {}", record.verb, record.node)
}

fn prevention_report(setup: &Setup, refusal: &GuardRefusal, faults: &Schedule) -> PreventionReport {
    prevention_at(setup, setup.procedure.steps[refusal.step].label(), refusal, faults)
}

/// A guard's refusal at the step named `step` (a mutant's steps are numbered its own way).
fn prevention_at(setup: &Setup, step: String, refusal: &GuardRefusal, faults: &Schedule) -> PreventionReport {
    PreventionReport {
        invariant: refusal.invariant.id().to_owned(),
        step,
        operation: operation_words(setup, refusal),
        reason: refusal.message.clone(),
        faults: fault_words(setup, faults),
    }
}

fn way_report(setup: &Setup, way: &Way, counterexamples: &[CounterexampleReport]) -> WayReport {
    let (ending, step, reason) = match &way.baseline.ending {
        Ending::Completed => ("completed", None, None),
        Ending::Refused(refusal) => (
            "refused",
            Some(setup.procedure.steps[refusal.step].label()),
            Some(format!("{} [{}]", refusal.message, refusal.invariant.id())),
        ),
        Ending::Stopped { step, reason, .. } => {
            ("stopped", Some(setup.procedure.steps[*step].label()), Some(reason.clone()))
        }
    };
    let invariants = Invariant::ALL
        .iter()
        .map(|&invariant| {
            let violated = way.witnesses.get(&invariant).map(|w| {
                let evidence = counterexamples
                    .iter()
                    .find(|r| r.way == way.mode.id() && r.invariant == invariant.id())
                    .map(|r| r.evidence.clone())
                    .unwrap_or_default();
                violation_report(setup, &w.violation, &w.schedule, evidence)
            });
            let prevented = way
                .prevented
                .get(&invariant)
                .filter(|_| violated.is_none())
                .map(|(refusal, faults)| prevention_report(setup, refusal, faults));
            let verdict = if violated.is_some() {
                "violated"
            } else if prevented.is_some() {
                "prevented"
            } else {
                "ok"
            };
            InvariantReport {
                id: invariant.id().to_owned(),
                kind: if invariant.is_safety() { "safety" } else { "final" }.to_owned(),
                verdict: verdict.to_owned(),
                violated,
                prevented,
            }
        })
        .collect();
    WayReport {
        way: way.mode.id().to_owned(),
        baseline: BaselineReport { ending: ending.to_owned(), step, reason, aftermath: way.baseline_aftermath.clone() },
        runs: way.runs,
        completed: way.completed,
        stopped_safely: way.stopped_safely,
        violated: way.violated,
        search: way.search.as_ref().map(|s| SearchReport {
            max_faults: s.states_per_layer.len().saturating_sub(1),
            states: s.states,
            transitions: s.transitions,
            depth: s.depth,
            schedules: s.schedules,
            states_per_fault_count: s.states_per_layer.clone(),
        }),
        invariants,
    }
}

fn violation_report(setup: &Setup, violation: &Violation, faults: &Schedule, events: Vec<String>) -> ViolationReport {
    ViolationReport {
        at: clock(violation.at),
        node: violation.node.map(|n| setup.node_name(n).to_owned()),
        step: violation.step.map(|s| setup.procedure.steps[s].label()),
        detail: violation.detail.clone(),
        faults: fault_words(setup, faults),
        events,
    }
}

/// `monitoring-during-apply, installer-interrupted at 00:03:10; partial-update at 01:10:00`.
fn violation_words(violations: &[Violation]) -> String {
    let mut sorted: Vec<&Violation> = violations.iter().collect();
    sorted.sort_by_key(|v| v.at);
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let at = sorted[i].at;
        let same: Vec<&str> = sorted[i..].iter().take_while(|v| v.at == at).map(|v| v.invariant.id()).collect();
        i += same.len();
        parts.push(format!("{} at {}", same.join(", "), clock(at)));
    }
    parts.join("; ")
}

fn mutant_way(setup: &Setup, mode: Mode, result: &MutantResult) -> MutantWay {
    // The refusal's step index is the mutant's own: its label comes with the result.
    let refused = result
        .refusal
        .as_ref()
        .zip(result.refused_at.as_ref())
        .map(|(refusal, step)| prevention_at(setup, step.clone(), refusal, &Schedule::Staged(Vec::new())));
    let mut summary = Vec::new();
    if !result.violations.is_empty() {
        summary.push(violation_words(&result.violations));
    }
    if let (Some(refusal), Some(step)) = (&result.refusal, &result.refused_at) {
        summary.push(format!("refused at step {step} ({})", refusal.invariant.id()));
    }
    if let Some(step) = &result.stopped_at {
        summary.push(format!("stopped at {step}"));
    }
    let ending = if result.refusal.is_some() {
        "refused"
    } else if result.stopped_at.is_some() {
        "stopped"
    } else {
        "completed"
    };
    if summary.is_empty() {
        summary.push("completed; no invariant broken".to_owned());
    }
    MutantWay {
        way: mode.id().to_owned(),
        ending: ending.to_owned(),
        violated: result.violated().map(|i| i.id().to_owned()).collect(),
        refused,
        stopped: result.stop_reason.clone(),
        summary: summary.join("; "),
    }
}

fn mutant_report(setup: &Setup, ways: &[Way], min_score: Option<u8>) -> MutantReport {
    let per_way: Vec<(Mode, &Vec<MutantResult>)> =
        ways.iter().filter_map(|w| w.mutants.as_ref().map(|m| (w.mode, m))).collect();
    let count = per_way.first().map_or(0, |(_, m)| m.len());
    let mut mutants = Vec::new();
    for index in 0..count {
        let results: Vec<(Mode, &MutantResult)> = per_way.iter().map(|(mode, m)| (*mode, &m[index])).collect();
        let first = results[0].1;
        let caught = results.iter().any(|(_, r)| r.caught());
        // The mutant of a step that does not run for this module is set by the setup, not
        // the way of running: every way agrees on it.
        let equivalent = first.equivalent.filter(|_| !caught).map(str::to_owned);
        let ways = results.iter().map(|(mode, r)| mutant_way(setup, *mode, r)).collect();
        let why_unseen = if caught { None } else { results.iter().find_map(|(_, r)| r.explanation.clone()) };
        mutants.push(MutantLine {
            mutant: first.name.clone(),
            caught,
            ways,
            finding: !caught && equivalent.is_none() && first.matters,
            equivalent,
            why_unseen,
        });
    }
    let equivalent = mutants.iter().filter(|m| m.equivalent.is_some()).count();
    let caught = mutants.iter().filter(|m| m.caught).count();
    let counted = mutants.len() - equivalent;
    MutantReport {
        total: mutants.len(),
        equivalent,
        caught,
        score: if counted == 0 { 1.0 } else { caught as f64 / counted as f64 },
        min_score: min_score.map(|pct| f64::from(pct) / 100.0),
        findings: mutants.iter().filter(|m| m.finding).count(),
        mutants,
    }
}

fn fault_words(setup: &Setup, faults: &Schedule) -> Vec<String> {
    let renderer = Renderer::new(setup);
    match faults {
        Schedule::Staged(faults) => faults
            .iter()
            .map(|f| {
                format!("{} before step {}", renderer.fault(&f.fault), setup.procedure.steps[f.before_step].label())
            })
            .collect(),
        Schedule::Timed(faults) => faults
            .iter()
            .map(|f| {
                format!(
                    "{} at {} during step {} (after transition {})",
                    renderer.fault(&f.fault),
                    clock(f.at),
                    setup.procedure.steps[f.step].label(),
                    f.after
                )
            })
            .collect(),
    }
}

fn describe(
    way: &Way,
    loaded: &Loaded,
    procedure_path: &Path,
    invariant: Invariant,
    witness: &Witness,
    dir: &Path,
) -> Result<CounterexampleReport, Failure> {
    let explorer = way.explorer.with_seed(witness.seed);
    let (violations, sim) = explorer.run_schedule(&witness.schedule);
    let trace = explorer.render(sim.trace());
    let story = explorer.story(sim.trace());
    let setup = explorer.setup();
    let renderer = Renderer::new(setup);
    // The replay's own violation carries the events that prove it.
    let replayed = violations.iter().find(|v| v.invariant == invariant).unwrap_or(&witness.violation);
    let evidence = replayed.evidence.iter().filter_map(|&i| sim.trace().get(i)).map(|e| renderer.line(e)).collect();
    let faults = witness.schedule.records(setup);
    let file = CounterexampleFile {
        version: crate::counterexample::VERSION,
        way: way.mode.id().to_owned(),
        invariant: invariant.id().to_owned(),
        procedure: crate::counterexample::reference(procedure_path, dir),
        procedure_hash: loaded.setup.procedure.content_hash.clone(),
        cluster: loaded.cluster_path.as_deref().map(|path| crate::counterexample::reference(Path::new(path), dir)),
        cluster_hash: loaded.cluster_hash.clone(),
        seed: witness.seed,
        mutation: None,
        faults,
        trace_hash: content_hash(&trace),
        detail: witness.violation.detail.clone(),
    };
    let path = crate::counterexample::save(dir, &file)?;
    Ok(CounterexampleReport {
        way: way.mode.id().to_owned(),
        invariant: invariant.id().to_owned(),
        seed: witness.seed,
        mutation: file.mutation.clone(),
        faults: fault_words(setup, &witness.schedule),
        detail: witness.violation.detail.clone(),
        at: clock(witness.violation.at),
        file: Some(path.display().to_string()),
        evidence,
        story,
    })
}
