//! `clusterproc check`: the procedure on the simulator, run both ways — as written (no
//! guards: an operator following the text) and guarded (as `run` runs it) — with no fault,
//! every schedule of up to N faults, random fault schedules and mutants; each invariant judged
//! `ok`, `violated` or `prevented`; counterexamples printed as stories and saved for
//! `replay`; text, JSON, JUnit or SARIF output. This file orchestrates; `explore` explores,
//! `mapping` turns what it found into the JSON `model`, which `render` draws and `merge`
//! combines.

mod accept;
pub(crate) mod args;
mod explore;
mod mapping;
mod merge;
mod model;
mod render;
mod sarif;
mod suggest;
mod unpreventable;
mod words;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use sim_cluster::control::Control;
use sim_cluster::explore::{Explorer, Mode};

use crate::failure::Failure;
use crate::load::load;
use crate::progress::Progress;
use args::{CheckArgs, CheckFormat, FaultDepth, GuardsChoice};
use explore::explore_ways;
use mapping::{describe, did_not_finish, mutant_report, way_report};
use model::{
    FailureReport, RepairReport, RepairsReport, ReplacementReport, Report, StepPlace, WayReport, invariant_failures,
};

/// Explores the procedure as the arguments say (or merges shards' outputs), prints the
/// verdict and saves counterexamples; exits 1 unless it passed.
pub fn exec(args: CheckArgs) -> Result<ExitCode, Failure> {
    if !args.merge.is_empty() {
        return merge::merge(&args);
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
    let risks = accept::read(args.accept.as_deref(), &procedure_path, &setup.procedure)?;
    // Ctrl-C or SIGTERM stops the search at the next level or run; what it found is still
    // reported.
    let watch = Arc::new(Control::default());
    crate::interrupt::stop_on_signal(&watch);
    let memory = crate::memory_limit::Guard::start(&watch, args.memory_limit);
    let progress = Progress::start(Arc::clone(&watch), args.progress);
    let explorer =
        Explorer::new(Arc::clone(&setup), args.seed).watched(Arc::clone(&watch)).with_recovery(!args.no_recovery);
    let modes: &[Mode] = match args.guards {
        GuardsChoice::Both => &Mode::BOTH,
        GuardsChoice::On => &[Mode::Guarded],
        GuardsChoice::Off => &[Mode::AsWritten],
    };
    let ways = explore_ways(&explorer, modes, &args, risks.as_ref(), &watch);
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
        for (invariant, witness) in way.witnesses.iter().chain(&way.recovered) {
            counterexamples.push(describe(way, &loaded, &procedure_path, *invariant, witness, &args.save)?);
        }
        for (invariant, (index, witness)) in way.accepted_shown() {
            let mut counterexample = describe(way, &loaded, &procedure_path, invariant, witness, &args.save)?;
            counterexample.accepted = Some(index + 1);
            counterexamples.push(counterexample);
        }
    }
    let mut way_reports: Vec<WayReport> =
        ways.iter().map(|way| way_report(&setup, way, &counterexamples, risks.as_ref())).collect();
    let matched: Vec<(&str, Vec<usize>)> =
        ways.iter().map(|way| (way.mode.id(), way.accepted.keys().copied().collect())).collect();
    let accept = risks
        .as_ref()
        .map(|risks| accept::report(risks, &matched, &setup.procedure.behaviour_hash, args.strict_accept));
    let mutants = args.mutants.then(|| mutant_report(&setup, &ways, args.min_mutation_score));

    let mut failures = Vec::new();
    for (way, report) in ways.iter().zip(&way_reports) {
        if let Some(failure) = did_not_finish(&setup, way) {
            failures.push(failure);
        }
        failures.extend(invariant_failures(report));
    }
    failures.extend(accept.iter().flat_map(accept::failures));
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
    let passed = failures.is_empty() && interrupted.is_none();
    // Repairs are searched for what the fault search proves (an invariant broken, a way that
    // does not finish), and only on a whole search: not for a mutation score, nor a cut short.
    let provable = failures.iter().any(|failure| failure.kind != "mutation-score");
    let repairs = (args.suggest && provable && interrupted.is_none())
        .then(|| suggest_repairs(&args, &setup, &procedure_path, modes, &way_reports))
        .transpose()?;
    if let Some((report, _)) = &repairs {
        unpreventable::mark(&report.unpreventable, &mut way_reports, &mut failures, &counterexamples);
    }
    let report = Report {
        accept,
        repairs: repairs.as_ref().map(|(report, _)| report.clone()),
        earlier_counterexamples,
        recovery: !args.no_recovery,
        title: setup.procedure.title.clone(),
        fault_kinds: explorer.candidate_faults().len(),
        procedure: procedure_path.display().to_string(),
        module: setup.procedure.modules_label(),
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
        passed,
        interrupted: interrupted.clone(),
        shard: (args.shard.count > 1).then(|| format!("{}/{}", args.shard.index, args.shard.count)),
        failures,
        ways: way_reports,
        mutants,
        counterexamples,
        steps: setup
            .procedure
            .steps
            .iter()
            .map(|step| StepPlace { step: step.label(), id: step.id.clone(), line: step.line })
            .collect(),
    };
    let mut text = render::report(&report, args.format);
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
    if let (Some(file), Some((_, found))) = (&args.write_fix, &repairs) {
        write_fix(file, found, args.format == CheckFormat::Text, &mut text)?;
    }
    let as_text = args.format == CheckFormat::Text;
    let code = crate::interrupt::conclude(interrupted.as_deref(), watch.stop_asked(), as_text, &mut text);
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(code.unwrap_or(if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) }))
}

/// Searches repairs of the failing procedure: what the report says of them, and the repairs.
fn suggest_repairs(
    args: &CheckArgs,
    setup: &procedure::setup::Setup,
    procedure_path: &Path,
    modes: &[Mode],
    ways: &[WayReport],
) -> Result<(RepairsReport, Vec<suggest::Repair>), Failure> {
    let source = procedure::bounded::read_text(procedure_path, procedure::bounded::MAX_FILE_BYTES)
        .map_err(|error| Failure::Usage(anyhow::anyhow!("{}: {error}", procedure_path.display())))?;
    let FaultDepth(faults) = args.faults;
    let path = procedure_path.display().to_string();
    let broken: std::collections::BTreeSet<procedure::invariant::Invariant> = ways
        .iter()
        .flat_map(|way| way.invariants.iter().filter(|i| i.verdict == "violated"))
        .filter_map(|i| procedure::invariant::Invariant::from_id(&i.id))
        .collect();
    let search = suggest::Search { modes, faults, seed: args.seed, recovery: !args.no_recovery, broken: &broken };
    let suggestion = suggest::repairs(setup, &source, &path, &search, true);
    let found = suggestion.repairs;
    let report = RepairsReport {
        unpreventable: broken
            .iter()
            .filter(|invariant| !suggestion.prevented.contains(invariant))
            .map(|invariant| invariant.id().to_owned())
            .collect(),
        candidates: suggest::candidates(&setup.cluster).iter().map(|action| action.keyword().to_owned()).collect(),
        found: found.iter().map(repair_report).collect(),
        searched: suggestion.searched,
        passed_over: suggestion.passed_over,
    };
    Ok((report, found))
}

/// What the report says of a repair.
fn repair_report(repair: &suggest::Repair) -> RepairReport {
    let insertion = match (&repair.edit, repair.replacements.as_slice()) {
        (suggest::Edit::Insert { .. }, [only]) => Some(only),
        _ => None,
    };
    RepairReport {
        edit: repair.edit.kind().to_owned(),
        summary: repair.summary.clone(),
        step: repair.step.id.clone(),
        action: repair.step.action.keyword().to_owned(),
        on: repair.step.role.keyword().to_owned(),
        before: repair.before.clone(),
        diff: repair.diff.clone(),
        line: insertion.map_or(0, |i| i.line),
        column: insertion.map_or(0, |i| i.column),
        inserted: insertion.map(|i| i.text.clone()).unwrap_or_default(),
        replacements: repair
            .replacements
            .iter()
            .map(|r| ReplacementReport {
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                text: r.text.clone(),
            })
            .collect(),
    }
}

/// `--write-fix`: the first repaired procedure written to `file`, said in the text report.
fn write_fix(file: &Path, found: &[suggest::Repair], as_text: bool, text: &mut String) -> Result<(), Failure> {
    match found.first() {
        Some(repair) => {
            crate::atomic_file::write(file, repair.text.as_bytes())
                .map_err(|error| Failure::output(format!("the repaired procedure {}", file.display()), error))?;
            if as_text {
                let _ = writeln!(text, "The first repair is written to {}.", file.display());
            }
        }
        None if as_text => {
            let _ = writeln!(text, "Nothing was written to {}: no repair was found.", file.display());
        }
        None => {}
    }
    Ok(())
}
