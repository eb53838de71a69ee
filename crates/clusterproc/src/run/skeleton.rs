//! One run, whatever its backend: the header, the engine driven step by step with the
//! journal and the operator's console, the invariants' judgement, the summary, the backend's
//! own ending, the reports and the exit code. `simulated` and `real` prepare a run on their
//! backend and say, as a [`BackendEnding`], how it ends there.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use procedure::backend::{Backend, Observation};
use procedure::driver::drive;
use procedure::engine::Engine;
use procedure::event::Event;
use procedure::invariant::{Invariant, Violation, judge};
use procedure::journal::Journal;
use procedure::setup::Setup;
use run_report::RunReport;

use super::console::Console;
use super::reports::write_reports;
use super::summary::{SummaryConfig, summarize};
use crate::failure::Failure;
use crate::output::Sink;

/// The process's stdout, as a run writes to it.
pub(crate) type Stdout = Sink<std::io::StdoutLock<'static>>;

/// A run ready to start, as one backend's side prepared it: its journal opened, its engine
/// new or resumed.
pub(crate) struct Prepared {
    /// The procedure and the cluster.
    pub(crate) setup: Arc<Setup>,
    /// The engine, new or resumed from the journal.
    pub(crate) engine: Engine,
    /// The run's journal, its first line written.
    pub(crate) journal: Journal,
    /// The cluster as the run started: the invariants judge what changed from it.
    pub(crate) initial: Observation,
    /// The header's lines between `Run: <title>` and the journal's: the backend, the scenario.
    pub(crate) described: Vec<String>,
    /// Why the guards are off (empty when the arguments said so), or `None` when they are on.
    pub(crate) guards_off: Option<&'static str>,
    /// Lines the console shows before the first step.
    pub(crate) notes: Vec<String>,
    /// Confirm manual steps without asking (`--yes`).
    pub(crate) yes: bool,
    /// Where the reports go (`--report`), their formats and writability checked already.
    pub(crate) reports: Vec<PathBuf>,
    /// Whether the run continues one from its journal.
    pub(crate) resumed: bool,
    /// The command that continues the run if it does not complete, when there is one.
    pub(crate) how_to_resume: Option<String>,
    /// The command that brings the cluster back to serving if the run does not complete,
    /// when there is one.
    pub(crate) how_to_recover: Option<String>,
    /// The backend as the report names it: `sim` or `expresscluster`.
    pub(crate) backend_name: &'static str,
    /// The simulator's seed, for the report.
    pub(crate) seed: Option<u64>,
}

/// How a run ends on one kind of backend: what the invariants judge, and what the summary
/// says beyond them.
pub(crate) trait BackendEnding<B: Backend> {
    /// Makes ready what [`BackendEnding::judged`] gives, once the engine has stopped;
    /// `completed` says whether the run completed.
    fn settle(&mut self, backend: &mut B, initial: &Observation, completed: bool);

    /// The events and the final observation the invariants judge, and whether the final
    /// invariants are judged.
    fn judged<'a>(&'a self, backend: &'a B) -> Judged<'a>;

    /// Says what this backend adds after the summary; gives what the report adds, and
    /// whether that fails the run.
    fn conclude(&self, finished: Finished<'_, B>) -> Conclusion;

    /// Final invariants this kind of run does not answer for, each with why: not judged,
    /// and said so in the summary.
    fn not_judged(&self) -> &'static [(Invariant, &'static str)] {
        &[]
    }
}

/// What the invariants judge a run on.
pub(crate) struct Judged<'a> {
    /// The events of the run (and of what followed it, on the simulator).
    pub(crate) events: &'a [Event],
    /// The cluster at the end.
    pub(crate) last: &'a Observation,
    /// Whether the final invariants are judged.
    pub(crate) judged_final: bool,
}

/// A run that has ended, judged and summarized, for its backend's [`BackendEnding::conclude`].
pub(crate) struct Finished<'a, B> {
    pub(crate) setup: &'a Setup,
    pub(crate) engine: &'a Engine,
    pub(crate) backend: &'a B,
    pub(crate) events: &'a [Event],
    pub(crate) violations: &'a [Violation],
    pub(crate) journal: &'a mut Journal,
    pub(crate) stdout: &'a mut Stdout,
    pub(crate) stderr: &'a mut Sink<std::io::Stderr>,
}

/// What a backend's ending adds to the run's outcome.
#[derive(Default)]
pub(crate) struct Conclusion {
    /// The registry drift found, one line each, for the report.
    pub(crate) registry_drift: Vec<String>,
    /// Whether the run fails for what the ending found, even if it completed with every
    /// invariant holding.
    pub(crate) failed: bool,
}

/// Runs `prepared` on `backend` to its end, and says how it went: exit 0 when it completed
/// with every invariant holding (and its ending found nothing), 1 otherwise, 130 when a
/// signal interrupted it.
pub(crate) fn run<B: Backend>(
    prepared: Prepared,
    backend: &mut B,
    mut ending: impl BackendEnding<B>,
    mut stdout: Stdout,
) -> Result<ExitCode, Failure> {
    let Prepared {
        setup,
        mut engine,
        mut journal,
        initial,
        described,
        guards_off,
        notes,
        yes,
        reports,
        resumed,
        how_to_resume,
        how_to_recover,
        backend_name,
        seed,
    } = prepared;
    let _ = writeln!(stdout, "Run: {}", setup.procedure.title);
    for line in &described {
        let _ = writeln!(stdout, "{line}");
    }
    let _ = writeln!(stdout, "  journal  {}", journal.path().display());
    if let Some(why) = guards_off {
        let _ = writeln!(stdout, "  guards   off{why}: unsafe operations are done as the procedure says, not refused");
    }
    let _ = stdout.flush();

    let mut console = Console::new(setup.procedure.steps.len(), yes);
    for note in &notes {
        console.line(note);
    }
    let driven = drive(&mut engine, backend, Some(&mut journal), &mut console);
    let interrupted = console.was_interrupted();
    let mut stderr = console.done();
    if let Err(error) = driven {
        return Err(Failure::Usage(anyhow::anyhow!("the run stopped: {error}")));
    }

    let completed = matches!(engine.ending(), Some(procedure::engine::Ending::Completed));
    ending.settle(backend, &initial, completed);
    let Judged { events, last, judged_final } = ending.judged(backend);
    let not_judged = ending.not_judged();
    let mut violations = judge(&setup, &initial, events, last, engine.roles(), judged_final);
    violations.retain(|v| !not_judged.iter().any(|(invariant, _)| *invariant == v.invariant));
    let summary = SummaryConfig {
        judged_final,
        resumed,
        how_to_resume: how_to_resume.as_deref(),
        how_to_recover: how_to_recover.as_deref(),
        not_judged,
    };
    summarize(&mut stdout, &setup, &engine, events, &violations, &summary);
    let conclusion = ending.conclude(Finished {
        setup: &setup,
        engine: &engine,
        backend,
        events,
        violations: &violations,
        journal: &mut journal,
        stdout: &mut stdout,
        stderr: &mut stderr,
    });

    let mut report =
        RunReport::new(&setup, backend_name, seed, engine.record(), engine.ending(), events, &violations, judged_final);
    report.registry_drift = conclusion.registry_drift;
    write_reports(&report, &reports, &mut stdout)?;
    if interrupted {
        let _ = writeln!(stderr, "interrupted: the run stopped; the journal {} says where", journal.path().display());
    }
    stdout.finish()?;
    stderr.finish()?;
    Ok(if interrupted {
        ExitCode::from(crate::interrupt::EXIT_CODE)
    } else if completed && violations.is_empty() && !conclusion.failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
