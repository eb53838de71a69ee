//! From what the exploration found to the JSON model: each way's invariants and verdicts,
//! guard refusals, mutants and their score, and each counterexample, saved for `replay`.

use std::path::Path;

use procedure::accept::AcceptedRisks;
use procedure::diagnostic::content_hash;
use procedure::duration::clock;
use procedure::engine::{Ending, GuardRefusal};
use procedure::event::Renderer;
use procedure::invariant::{Invariant, Violation};
use procedure::journal::OperationRecord;
use procedure::setup::Setup;
use procedure::story::FocusedStory;
use sim_cluster::explore::{CounterexampleFile, Mode, MutantResult, Schedule};

use super::explore::{Way, Witness};
use super::model::{
    BaselineReport, CounterexampleReport, FailureReport, InvariantReport, MutantLine, MutantReport, MutantWay,
    PreventionReport, RecoveriesReport, SearchReport, ViolationReport, WayReport,
};
use crate::failure::Failure;
use crate::load::Loaded;

/// The failure of a way whose run with no fault does not complete.
pub(super) fn did_not_finish(setup: &Setup, way: &Way) -> Option<FailureReport> {
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

pub(super) fn prevention_report(setup: &Setup, refusal: &GuardRefusal, faults: &Schedule) -> PreventionReport {
    prevention_at(setup, setup.procedure.steps[refusal.step].label(), refusal, faults)
}

/// A guard's refusal at the step named `step` (a mutant's steps are numbered its own way).
pub(super) fn prevention_at(
    setup: &Setup,
    step: String,
    refusal: &GuardRefusal,
    faults: &Schedule,
) -> PreventionReport {
    PreventionReport {
        invariant: refusal.invariant.id().to_owned(),
        step,
        operation: operation_words(setup, refusal),
        reason: refusal.message.clone(),
        faults: fault_words(setup, faults),
    }
}

pub(super) fn way_report(
    setup: &Setup,
    way: &Way,
    counterexamples: &[CounterexampleReport],
    risks: Option<&AcceptedRisks>,
) -> WayReport {
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
            // A witness with the events its saved counterexample shows.
            let report = |w: &Witness| {
                let evidence = counterexamples
                    .iter()
                    .find(|r| r.way == way.mode.id() && r.invariant == invariant.id())
                    .map(|r| r.evidence.clone())
                    .unwrap_or_default();
                violation_report(setup, &w.violation, &w.schedule, evidence)
            };
            let violated = way.witnesses.get(&invariant).map(report);
            let recovered = way.recovered.get(&invariant).map(report);
            // The earliest violation an accepted-risks entry matched, when no other broke it.
            let accepted = risks.filter(|_| violated.is_none()).and_then(|risks| {
                let (index, witness) = *way.accepted_shown().get(&invariant)?;
                let evidence = counterexamples
                    .iter()
                    .find(|r| r.way == way.mode.id() && r.invariant == invariant.id() && r.accepted == Some(index + 1))
                    .map(|r| r.evidence.clone())
                    .unwrap_or_default();
                let violation = violation_report(setup, &witness.violation, &witness.schedule, evidence);
                Some(super::accept::accepted_report(risks, index, violation))
            });
            let prevented = way
                .prevented
                .get(&invariant)
                .filter(|_| violated.is_none() && accepted.is_none())
                .map(|(refusal, faults)| prevention_report(setup, refusal, faults));
            let verdict = if violated.is_some() {
                "violated"
            } else if accepted.is_some() {
                "accepted"
            } else if recovered.is_some() {
                "recovered"
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
                unpreventable: None,
                recovered,
                prevented,
                accepted,
            }
        })
        .collect();
    WayReport {
        way: way.mode.id().to_owned(),
        baseline: BaselineReport {
            ending: ending.to_owned(),
            step,
            reason,
            aftermath: way.baseline_aftermath.clone(),
            monitor_recoveries: way.baseline_recoveries.clone(),
        },
        runs: way.runs,
        completed: way.completed,
        stopped_safely: way.stopped_safely,
        violated: way.violated,
        recovered: way.recovered_runs,
        search: way.search.as_ref().map(|s| SearchReport {
            max_faults: s.states_per_layer.len().saturating_sub(1),
            states: s.states,
            transitions: s.transitions,
            depth: s.depth,
            schedules: s.schedules,
            states_per_fault_count: s.states_per_layer.clone(),
            recoveries: way.explorer.recovery().then_some(RecoveriesReport {
                serving: s.recoveries.serving,
                short: s.recoveries.short,
                needs_operator: s.recoveries.needs_operator,
            }),
        }),
        invariants,
    }
}

pub(super) fn violation_report(
    setup: &Setup,
    violation: &Violation,
    faults: &Schedule,
    events: Vec<String>,
) -> ViolationReport {
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

pub(super) fn mutant_report(setup: &Setup, ways: &[Way], min_score: Option<u8>) -> MutantReport {
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
                let during = if f.in_recovery {
                    "the recovery after the run".to_owned()
                } else {
                    format!("step {}", setup.procedure.steps[f.step].label())
                };
                format!(
                    "{} at {} during {during} (after transition {})",
                    renderer.fault(&f.fault),
                    clock(f.at),
                    f.after
                )
            })
            .collect(),
    }
}

pub(super) fn describe(
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
    let setup = explorer.setup();
    let renderer = Renderer::new(setup);
    // The replay's own violation carries the events that prove it.
    let replayed = violations.iter().find(|v| v.invariant == invariant).unwrap_or(&witness.violation);
    let evidence = replayed.evidence.iter().filter_map(|&i| sim.trace().get(i)).map(|e| renderer.line(e)).collect();
    let story = FocusedStory::new(setup, sim.trace(), replayed);
    let faults = explorer.fault_records(&witness.schedule);
    let file = CounterexampleFile {
        version: crate::counterexample::VERSION,
        way: way.mode.id().to_owned(),
        invariant: invariant.id().to_owned(),
        procedure: crate::counterexample::reference(procedure_path, dir),
        procedure_hash: loaded.setup.procedure.content_hash.clone(),
        behaviour_hash: Some(loaded.setup.procedure.behaviour_hash.clone()),
        cluster: loaded.cluster_path.as_deref().map(|path| crate::counterexample::reference(Path::new(path), dir)),
        cluster_hash: loaded.cluster_hash.clone(),
        seed: witness.seed,
        mutation: None,
        recovery: explorer.recovery(),
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
        recovered: witness.violation.recovered,
        evidence,
        summary: story.sentences.clone(),
        story: story.text(),
        trace,
        accepted: None,
    })
}
