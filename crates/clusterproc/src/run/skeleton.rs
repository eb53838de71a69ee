//! One run, whatever its backend: the header, the engine driven step by step with the
//! journal and the operator's console, the invariants' judgement, the summary, the backend's
//! own ending, the reports and the exit code. `simulated` and `real` prepare a run on their
//! backend and say, as a [`BackendEnding`], how it ends there.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend, Observation};
use procedure::driver::drive;
use procedure::engine::Engine;
use procedure::event::Event;
use procedure::invariant::{Invariant, Violation, judge};
use procedure::journal::Journal;
use procedure::setup::Setup;
use run_report::{Advice, ReportCommand, RunReport};

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
    /// The command that continues the run, when it did not complete and there is one.
    pub(crate) how_to_resume: Option<&'a str>,
    /// The command that brings the cluster back to serving, when the run did not complete.
    pub(crate) how_to_recover: Option<&'a str>,
}

/// What a backend's ending adds to the run's outcome.
#[derive(Default)]
pub(crate) struct Conclusion {
    /// The registry drift found, one line each, for the report.
    pub(crate) registry_drift: Vec<String>,
    /// Whether the run fails for what the ending found, even if it completed with every
    /// invariant holding.
    pub(crate) failed: bool,
    /// What the cluster did after the stop with nobody acting (the simulator's).
    pub(crate) aftermath: Option<AftermathSeen>,
    /// How to go on or back, when the run did not complete or broke an invariant.
    pub(crate) advice: Option<Advice>,
    /// The commands run on real nodes, each where it belongs in the run.
    pub(crate) commands: Vec<(Place, ReportCommand)>,
}

/// What the cluster did after a run stopped, with nobody acting: from the stop to `until`.
pub(crate) struct AftermathSeen {
    pub(crate) from: Duration,
    pub(crate) until: Duration,
    /// One line each, as the summary tells it.
    pub(crate) story: Vec<String>,
}

/// Where in a run a command ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Before the first step: the pre-flight checks, the first observation.
    Before,
    /// From this step's start (its index in the procedure) to the next one's.
    Step(usize),
    /// Once the engine had finished.
    After,
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
    // The summary offers the commands to resume and to recover after a stop or an interrupt.
    let offers_commands = matches!(engine.ending(), Some(procedure::engine::Ending::Stopped { .. }) | None);
    let conclusion = ending.conclude(Finished {
        setup: &setup,
        engine: &engine,
        backend,
        events,
        violations: &violations,
        journal: &mut journal,
        stdout: &mut stdout,
        stderr: &mut stderr,
        how_to_resume: how_to_resume.as_deref().filter(|_| offers_commands),
        how_to_recover: how_to_recover.as_deref().filter(|_| offers_commands),
    });

    let mut report =
        RunReport::new(&setup, backend_name, seed, engine.record(), engine.ending(), events, &violations, judged_final);
    report.registry_drift = conclusion.registry_drift;
    if let Some(AftermathSeen { from, until, story }) = conclusion.aftermath {
        report.add_aftermath(&setup, events, from, until, story);
    }
    report.advice = conclusion.advice;
    place_commands(&mut report, &setup, conclusion.commands);
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

/// Puts each command in the report where it ran: before the first step, under its step, or
/// after the run (also a command under a step the report does not list, which cannot be).
fn place_commands(report: &mut RunReport, setup: &Setup, commands: Vec<(Place, ReportCommand)>) {
    for (place, command) in commands {
        let step = match place {
            Place::Step(index) => {
                let id = setup.procedure.steps.get(index).map(|step| step.id.as_str());
                report.steps.iter_mut().find(|step| Some(step.id.as_str()) == id)
            }
            Place::Before | Place::After => None,
        };
        match (place, step) {
            (Place::Before, _) => report.commands_before.push(command),
            (_, Some(step)) => step.commands.push(command),
            (_, None) => report.commands_after.push(command),
        }
    }
}
