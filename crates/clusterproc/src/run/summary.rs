//! The summary a run prints when it ends: roles, each step on each node with its times,
//! how the run ended, how long the cluster was suspended, and every invariant's verdict.

use procedure::duration::{clock, human};
use procedure::engine::{Ending, Engine, StepStatus};
use procedure::event::Event;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use procedure::span_time::SpanTime;
use procedure::text::counted;

/// What a run's summary says beyond the run itself.
#[derive(Clone, Copy)]
pub(crate) struct SummaryConfig<'a> {
    /// Whether the final invariants were judged (a run that completed, or stopped with no
    /// fault injected).
    pub(crate) judged_final: bool,
    /// Whether the run was resumed from a journal.
    pub(crate) resumed: bool,
    /// The command that continues a run that did not complete, when there is one.
    pub(crate) how_to_resume: Option<&'a str>,
    /// The command that brings the cluster back to serving instead, when there is one.
    pub(crate) how_to_recover: Option<&'a str>,
    /// Final invariants this kind of run does not answer for, with why.
    pub(crate) not_judged: &'a [(Invariant, &'a str)],
}

/// The summary of a run: roles, steps, how it ended, suspension, invariants.
pub(crate) fn summarize(
    out: &mut impl std::io::Write,
    setup: &Setup,
    engine: &Engine,
    events: &[Event],
    violations: &[Violation],
    config: &SummaryConfig<'_>,
) {
    let SummaryConfig { judged_final, resumed, how_to_resume, how_to_recover, not_judged } = *config;
    let since = if resumed { " since the resume" } else { "" };
    let record = engine.record();
    let _ = writeln!(out);
    if let Some(roles) = engine.roles() {
        let standbys: Vec<&str> = roles.standbys.iter().map(|&n| setup.node_name(n)).collect();
        let _ = writeln!(out, "Roles: active {}, standby {}", setup.node_name(roles.active), standbys.join(", "));
    }
    let _ = writeln!(out, "Steps");
    let width = tag_width(setup);
    // The step column as wide as its widest entry, the restart rule's line included.
    let what_width = record
        .steps
        .iter()
        .flat_map(|step| {
            let id = setup.procedure.steps[step.step].id.chars().count();
            let spans = step.nodes.iter().map(move |span| if span.restart_reboot { RESTART_RULE.len() } else { id });
            spans.chain(std::iter::once(id))
        })
        .max()
        .unwrap_or(0)
        .max(24);
    for step in &record.steps {
        let spec = &setup.procedure.steps[step.step];
        let label = format!("[{:>width$}]", spec.tag());
        match &step.status {
            StepStatus::Skipped(reason) => {
                let _ = writeln!(out, "  {label} {:<what_width$} skipped: {reason}", spec.id);
            }
            StepStatus::DoneEarlier => {
                let _ = writeln!(out, "  {label} {:<what_width$} done in the earlier run", spec.id);
            }
            status => {
                for span in &step.nodes {
                    let what = if span.restart_reboot { RESTART_RULE.to_owned() } else { spec.id.clone() };
                    let ops = span.operations.len();
                    let _ = writeln!(
                        out,
                        "  {label} {what:<what_width$} {:<10} {} -> {} ({}), {}{}",
                        setup.node_name(span.node),
                        clock(span.started),
                        clock(span.ended),
                        SpanTime::of(span, events).describe(),
                        counted(ops as u64, "operation", "operations"),
                        if *status == StepStatus::Ended { "  <- the run ended here" } else { "" }
                    );
                    for note in &span.notes {
                        let _ = writeln!(out, "  {:w$} {note}", "", w = width + 2);
                    }
                }
                if step.nodes.is_empty() {
                    let _ = writeln!(out, "  {label} {:<what_width$} the run ended here", spec.id);
                }
            }
        }
    }
    let _ = writeln!(out);
    let done = record.steps.iter().filter(|s| matches!(s.status, StepStatus::Done | StepStatus::DoneEarlier)).count();
    let skipped = record.steps.iter().filter(|s| matches!(s.status, StepStatus::Skipped(_))).count();
    let in_steps = |n: usize| counted(n as u64, "step", "steps");
    let duration = human(record.ended.unwrap_or_default().saturating_sub(record.started.unwrap_or_default()));
    match engine.ending() {
        Some(Ending::Completed) => {
            let _ = writeln!(
                out,
                "Completed: {} done, {skipped} skipped, in {duration} of virtual time{since}.",
                in_steps(done)
            );
        }
        Some(Ending::Refused(refusal)) => {
            let _ = writeln!(
                out,
                "Refused at step {}: {} [{}]. The guard refused before acting; the run stopped safely here.",
                setup.procedure.steps[refusal.step].label(),
                refusal.message,
                refusal.invariant.id()
            );
        }
        Some(Ending::Stopped { step, reason, .. }) => {
            let _ = writeln!(
                out,
                "Stopped at step {}: {reason}. {} done, {skipped} skipped.",
                setup.procedure.steps[*step].label(),
                in_steps(done)
            );
            if let Some(command) = how_to_resume {
                let _ = writeln!(out, "Once it is fixed, resume the run with:\n  {command}");
            }
            recover_advice(out, how_to_resume.is_some(), how_to_recover);
        }
        // The engine did not finish: a signal interrupted the run between two operations.
        None => {
            let (step, ..) = engine.position();
            let label = setup.procedure.steps.get(step).map_or_else(|| "?".to_owned(), |s| s.label());
            let _ = writeln!(out, "Interrupted at step {label}. {} done, {skipped} skipped.", in_steps(done));
            if let Some(command) = how_to_resume {
                let _ = writeln!(out, "Resume the run with:\n  {command}");
            }
            recover_advice(out, how_to_resume.is_some(), how_to_recover);
        }
    }
    match (record.suspended_from, record.suspended_until) {
        (Some(from), Some(until)) => {
            let _ = writeln!(
                out,
                "The cluster was suspended{since} from {} to {} ({}).",
                clock(from),
                clock(until),
                human(until.saturating_sub(from))
            );
        }
        (Some(from), None) => {
            let _ = writeln!(out, "The cluster has been suspended since {} and still is.", clock(from));
        }
        _ => {}
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Invariants");
    for invariant in Invariant::ALL {
        let found = violations.iter().find(|v| v.invariant == invariant);
        if let Some((_, why)) = not_judged.iter().find(|(id, _)| *id == invariant) {
            let _ = writeln!(out, "  not judged  {} ({why})", invariant.id());
            continue;
        }
        match found {
            Some(violation) => {
                let _ = writeln!(
                    out,
                    "  VIOLATED    {:<36} at {}: {}",
                    invariant.id(),
                    clock(violation.at),
                    violation.detail
                );
            }
            None if invariant.is_safety() || judged_final => {
                let _ = writeln!(out, "  ok          {}", invariant.id());
            }
            None => {
                let _ = writeln!(out, "  not judged  {} (the run did not finish)", invariant.id());
            }
        }
    }
}

/// How the summary names the cluster-safe reboot that the restart rule adds to a step.
const RESTART_RULE: &str = "restart rule: cluster-safe reboot";

/// How wide the widest step tag of the procedure is (`9`, `#10`, `120`), at least 2: every
/// list of steps lines up on it.
pub(super) fn tag_width(setup: &Setup) -> usize {
    setup.procedure.steps.iter().map(|step| step.tag().chars().count()).max().unwrap_or(0).max(2)
}

/// The command that brings the cluster back to serving, when there is one: offered instead of
/// resuming when a resume command came before it.
fn recover_advice(out: &mut impl std::io::Write, after_resume: bool, how_to_recover: Option<&str>) {
    if let Some(command) = how_to_recover {
        let lead = if after_resume { "Or bring" } else { "Bring" };
        let _ = writeln!(out, "{lead} the cluster back to serving (planned from where it stopped) with:\n  {command}");
    }
}
