//! `clusterproc check` and `clusterproc replay`: the procedure on the simulator with no
//! fault, every single or double fault, random fault schedules and mutants; counterexamples
//! printed as traces and saved for replay; text, JSON or JUnit output.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use procedure::diagnostic::content_hash;
use procedure::duration::clock;
use procedure::event::Renderer;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use serde::Serialize;
use sim_cluster::explore::{Counterexample, CounterexampleFile, Exploration, Explorer, MutantResult, fault_record};
use sim_cluster::watch::Watch;

use crate::cli::{CheckArgs, CheckFormat, Failure, FaultDepth, Loaded, ReplayArgs, load};
use crate::counterexample::Replayable;
use crate::progress::Progress;
use crate::report::escape as xml;

/// How many lines of its story a counterexample shows in text output, up to the violation.
const STORY_LINES: usize = 40;

/// Everything a check found, as the JSON output shows it.
#[derive(Debug, Serialize)]
struct Report {
    procedure: String,
    module: String,
    cluster: String,
    seed: u64,
    faults: String,
    baseline: String,
    baseline_reason: Option<String>,
    runs: usize,
    completed: usize,
    stopped_safely: usize,
    violated: usize,
    invariants: Vec<InvariantReport>,
    mutants: Option<MutantReport>,
    counterexamples: Vec<CounterexampleReport>,
    /// Set when a signal stopped the search: how far it got.
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted: Option<String>,
}

#[derive(Debug, Serialize)]
struct InvariantReport {
    id: String,
    kind: String,
    verdict: String,
    detail: Option<String>,
}

#[derive(Debug, Serialize)]
struct MutantReport {
    total: usize,
    equivalent: usize,
    caught: usize,
    score: f64,
    findings: usize,
    mutants: Vec<MutantLine>,
}

#[derive(Debug, Serialize)]
struct MutantLine {
    mutant: String,
    caught: bool,
    caught_by: Vec<String>,
    equivalent: Option<String>,
    finding: bool,
}

#[derive(Debug, Serialize)]
struct CounterexampleReport {
    invariant: String,
    seed: u64,
    mutation: Option<String>,
    faults: Vec<String>,
    detail: String,
    at: String,
    file: Option<String>,
    /// The run's trace without routine detail.
    story: String,
}

pub fn check(args: CheckArgs) -> Result<ExitCode, Failure> {
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    crate::atomic_file::check_directory(&args.save)
        .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot save counterexamples in {}: {e}", args.save.display())))?;
    crate::output::check_output(args.output.as_deref())?;
    let setup = Arc::clone(&loaded.setup);
    // Ctrl-C or SIGTERM stops the search between two runs; what it found is still reported.
    let watch = Arc::new(Watch::default());
    crate::interrupt::stop_on_signal(&watch);
    let progress = Progress::start(Arc::clone(&watch), args.progress);
    let explorer = Explorer::new(Arc::clone(&setup), args.seed).watched(Arc::clone(&watch));

    let baseline = explorer.baseline();
    let mut combined = Exploration::default();
    let mut baseline_counted = Exploration::default();
    baseline_counted.keep_counterexamples(&baseline, args.seed, None);
    let faulty = match args.faults {
        FaultDepth::None => Exploration::default(),
        FaultDepth::Single => explorer.single(),
        FaultDepth::Double => explorer.double(),
    };
    let searched = watch.runs();
    let random = match args.cases {
        Some(cases) if cases > 0 && !watch.stopped() => Some(explorer.random(cases, args.seed)),
        _ => None,
    };
    combined.merge(&baseline_counted);
    combined.merge(&faulty);
    if let Some(random) = &random {
        combined.merge(random);
    }
    let mutants = (args.mutants && !watch.stopped()).then(|| explorer.mutants());
    let interrupted = progress.finish(&watch, searched, random.as_ref().map(|r| r.runs), args.cases);

    // Counterexamples: the procedure's own, then those of the mutants are not failures of
    // this procedure, so they are reported with the mutants only.
    let mut counterexamples = Vec::new();
    for counterexample in combined.counterexamples.values() {
        counterexamples.push(describe(&explorer, &loaded, &args.procedure, counterexample, &args.save)?);
    }

    let runs = faulty.runs + random.as_ref().map_or(0, |r| r.runs);
    let report = Report {
        procedure: args.procedure.display().to_string(),
        module: setup.procedure.module.id.clone(),
        cluster: setup.cluster.name.clone(),
        seed: args.seed,
        faults: match args.faults {
            FaultDepth::None => "none",
            FaultDepth::Single => "single",
            FaultDepth::Double => "double",
        }
        .to_owned(),
        baseline: baseline.ending.word().to_owned(),
        baseline_reason: baseline.ending.reason(&setup),
        runs,
        completed: faulty.successes + random.as_ref().map_or(0, |r| r.successes),
        stopped_safely: faulty.safe_stops + random.as_ref().map_or(0, |r| r.safe_stops),
        violated: faulty.violations + random.as_ref().map_or(0, |r| r.violations),
        invariants: Invariant::ALL
            .iter()
            .map(|&invariant| {
                let found = combined.counterexamples.get(&invariant);
                InvariantReport {
                    id: invariant.id().to_owned(),
                    kind: if invariant.is_safety() { "safety" } else { "final" }.to_owned(),
                    verdict: if found.is_some() { "violated" } else { "ok" }.to_owned(),
                    detail: found.map(|c| c.violation.detail.clone()),
                }
            })
            .collect(),
        mutants: mutants.as_ref().map(|(results, _)| mutant_report(results)),
        counterexamples,
        interrupted: interrupted.clone(),
    };
    let mut text = match args.format {
        CheckFormat::Text => render_text(&setup, &report, args.faults, &explorer),
        CheckFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report).expect("plain data");
            text.push('\n');
            text
        }
        CheckFormat::Junit => render_junit(&report),
    };
    if !report.counterexamples.is_empty() && args.format == CheckFormat::Text {
        let _ = writeln!(text, "Counterexamples saved in {}/", args.save.display());
    }
    let code = crate::interrupt::conclude(interrupted.as_deref(), args.format == CheckFormat::Text, &mut text);
    crate::output::emit(&text, args.output.as_deref())?;
    let failed = report.invariants.iter().any(|i| i.verdict == "violated");
    Ok(code.unwrap_or(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }))
}

fn mutant_report(results: &[MutantResult]) -> MutantReport {
    let equivalent = results.iter().filter(|m| m.equivalent.is_some() && !m.caught()).count();
    let caught = results.iter().filter(|m| m.caught()).count();
    let counted = results.len() - equivalent;
    let mutants: Vec<MutantLine> = results
        .iter()
        .map(|m| {
            let mut caught_by: Vec<String> = m.refused_by.iter().map(|i| format!("guard {}", i.id())).collect();
            caught_by.extend(m.violated.iter().map(|i| i.id().to_owned()));
            if let Some(step) = &m.stopped_at {
                caught_by.push(format!("a stop at {step}"));
            }
            let equivalent = m.equivalent.filter(|_| !m.caught()).map(str::to_owned);
            MutantLine {
                mutant: m.name.clone(),
                caught: m.caught(),
                caught_by,
                finding: !m.caught() && equivalent.is_none() && m.matters,
                equivalent,
            }
        })
        .collect();
    MutantReport {
        total: results.len(),
        equivalent,
        caught,
        score: if counted == 0 { 1.0 } else { caught as f64 / counted as f64 },
        findings: mutants.iter().filter(|m| m.finding).count(),
        mutants,
    }
}

fn fault_words(setup: &Setup, counterexample: &Counterexample) -> Vec<String> {
    let renderer = Renderer::new(setup);
    counterexample
        .faults
        .iter()
        .map(|f| format!("{} before step {}", renderer.fault(&f.fault), setup.procedure.steps[f.before_step].label()))
        .collect()
}

fn describe(
    explorer: &Explorer,
    loaded: &Loaded,
    procedure_path: &Path,
    counterexample: &Counterexample,
    dir: &Path,
) -> Result<CounterexampleReport, Failure> {
    let explorer = match &counterexample.mutation {
        Some(mutation) => explorer.mutant(mutation),
        None => explorer.with_seed(counterexample.seed),
    };
    let (_, sim) = explorer.run(&counterexample.faults);
    let trace = explorer.render(sim.trace());
    let story = explorer.story(sim.trace());
    let setup = explorer.setup();
    let file = CounterexampleFile {
        version: crate::counterexample::VERSION,
        invariant: counterexample.invariant.id().to_owned(),
        procedure: crate::counterexample::reference(procedure_path, dir),
        procedure_hash: loaded.setup.procedure.content_hash.clone(),
        cluster: loaded.cluster_path.as_deref().map(|path| crate::counterexample::reference(Path::new(path), dir)),
        cluster_hash: loaded.cluster_hash.clone(),
        seed: counterexample.seed,
        mutation: counterexample.mutation.as_ref().map(|m| m.describe(&loaded.setup.procedure)),
        faults: counterexample.faults.iter().map(|f| fault_record(setup, f)).collect(),
        trace_hash: content_hash(&trace),
        detail: counterexample.violation.detail.clone(),
    };
    let path = crate::counterexample::save(dir, &file)?;
    Ok(CounterexampleReport {
        invariant: counterexample.invariant.id().to_owned(),
        seed: counterexample.seed,
        mutation: file.mutation.clone(),
        faults: fault_words(setup, counterexample),
        detail: counterexample.violation.detail.clone(),
        at: clock(counterexample.violation.at),
        file: Some(path.display().to_string()),
        story,
    })
}

fn render_text(setup: &Setup, report: &Report, depth: FaultDepth, explorer: &Explorer) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Check: {}", setup.procedure.title);
    let _ = writeln!(out, "  cluster {}, simulator seed {}", report.cluster, report.seed);
    let boundaries = setup.procedure.steps.len();
    let kinds = explorer.candidate_faults().len();
    let _ = writeln!(
        out,
        "  faults  {} ({kinds} faults on the nodes and the group, at each of up to {boundaries} step boundaries)",
        report.faults
    );
    let _ = writeln!(out);
    match &report.baseline_reason {
        None => {
            let _ = writeln!(out, "Without faults: {}.", report.baseline);
        }
        Some(reason) => {
            let _ = writeln!(out, "Without faults: {} at {reason}.", report.baseline);
        }
    }
    if depth != FaultDepth::None || report.runs > 0 {
        let _ = writeln!(
            out,
            "With faults: {} runs: {} completed, {} stopped safely, {} broke an invariant.",
            report.runs, report.completed, report.stopped_safely, report.violated
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Invariants");
    for invariant in &report.invariants {
        match &invariant.detail {
            Some(detail) => {
                let _ = writeln!(out, "  VIOLATED  {:<36} {detail}", invariant.id);
            }
            None => {
                let _ = writeln!(out, "  ok        {}", invariant.id);
            }
        }
    }
    if let Some(mutants) = &report.mutants {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Mutants: {} of {} caught, {} equivalent (mutation score {:.0}%); {} finding{}",
            mutants.caught,
            mutants.total - mutants.equivalent,
            mutants.equivalent,
            mutants.score * 100.0,
            mutants.findings,
            if mutants.findings == 1 { "" } else { "s" }
        );
        for mutant in &mutants.mutants {
            if mutant.caught {
                let _ = writeln!(out, "  caught      {:<44} by {}", mutant.mutant, mutant.caught_by.join(", "));
            } else if let Some(why) = &mutant.equivalent {
                let _ = writeln!(out, "  equivalent  {:<44} ({why})", mutant.mutant);
            } else if mutant.finding {
                let _ = writeln!(
                    out,
                    "  SURVIVED    {:<44} finding: the step acts, and no invariant noticed",
                    mutant.mutant
                );
            } else {
                let _ = writeln!(out, "  survived    {:<44} (a check step: invariants cannot see it)", mutant.mutant);
            }
        }
    }
    if !report.counterexamples.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Counterexamples (the shortest found for each invariant)");
        for counterexample in &report.counterexamples {
            let _ = writeln!(out);
            let _ = writeln!(out, "{} at {}: {}", counterexample.invariant, counterexample.at, counterexample.detail);
            let faults =
                if counterexample.faults.is_empty() { "none".to_owned() } else { counterexample.faults.join("; ") };
            let _ = writeln!(out, "  seed {}; faults: {faults}", counterexample.seed);
            let lines: Vec<&str> = counterexample.story.lines().collect();
            let cut =
                lines.iter().rposition(|line| line.starts_with(&counterexample.at)).map_or(lines.len(), |i| i + 1);
            let from = cut.saturating_sub(STORY_LINES);
            if from > 0 {
                let _ = writeln!(out, "  ... ({from} earlier lines in the replay)");
            }
            for line in &lines[from..cut] {
                let _ = writeln!(out, "  {line}");
            }
            if let Some(file) = &counterexample.file {
                let _ = writeln!(out, "  replay: clusterproc replay {file}");
            }
        }
    }
    out
}

fn render_junit(report: &Report) -> String {
    let failures = report.invariants.iter().filter(|i| i.verdict == "violated").count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"clusterproc check\" tests=\"{}\" failures=\"{failures}\">",
        report.invariants.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml(&format!("{} ({} faults)", report.module, report.faults)),
        report.invariants.len()
    );
    if let Some(how_far) = &report.interrupted {
        let _ =
            writeln!(out, "    <properties><property name=\"interrupted\" value=\"{}\"/></properties>", xml(how_far));
    }
    for invariant in &report.invariants {
        let _ = write!(
            out,
            "    <testcase classname=\"clusterproc.invariants.{}\" name=\"{}\"",
            invariant.kind,
            xml(&invariant.id)
        );
        match &invariant.detail {
            None => out.push_str("/>\n"),
            Some(detail) => {
                let trace = report
                    .counterexamples
                    .iter()
                    .find(|c| c.invariant == invariant.id)
                    .map(|c| format!("seed {}; faults: {}\n{}", c.seed, c.faults.join("; "), c.story))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"invariant\">{}</failure>\n    </testcase>",
                    xml(detail),
                    xml(&trace)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// `clusterproc replay FILE`: runs a saved counterexample again and shows its trace.
pub fn replay(args: ReplayArgs) -> Result<ExitCode, Failure> {
    let Replayable { file, explorer, faults } = crate::counterexample::read(&args.counterexample)?;
    let (result, sim) = explorer.run(&faults);
    let trace = explorer.render(sim.trace());
    let mut stdout = crate::output::stdout();
    let _ = writeln!(stdout, "Replay of {} (seed {})", args.counterexample.display(), file.seed);
    if let Some(mutation) = &file.mutation {
        let _ = writeln!(stdout, "  mutant: {}", procedure::safe_text::for_terminal(mutation, true));
    }
    let _ = write!(stdout, "{trace}");
    let _ = writeln!(stdout);
    let exact = content_hash(&trace) == file.trace_hash;
    let _ = writeln!(
        stdout,
        "{}",
        if exact {
            "The trace is identical to the one check found."
        } else {
            "The trace DIFFERS from the one check found."
        }
    );
    print_violations(&mut stdout, &result.violations);
    let reproduced = result.violations.iter().any(|v| v.invariant.id() == file.invariant);
    let _ = writeln!(
        stdout,
        "{} {}",
        file.invariant,
        if reproduced { "is violated again: reproduced." } else { "is NOT violated: not reproduced." }
    );
    stdout.finish()?;
    Ok(if result.violations.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_violations(out: &mut impl std::io::Write, violations: &[Violation]) {
    for violation in violations {
        let _ = writeln!(out, "VIOLATED {} at {}: {}", violation.invariant.id(), clock(violation.at), violation.detail);
    }
}
