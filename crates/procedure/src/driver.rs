//! The driver: runs an engine to its end on a backend, synchronously, writing the journal
//! (intent before each operation, outcome after) and asking the operator where the
//! procedure needs a person.

use std::time::Duration;

use crate::backend::{Backend, BackendError};
use crate::engine::{Ending, Engine, Input, ManualPrompt, Output};
use crate::journal::{Journal, JournalError};
use crate::operation::Operation;
use crate::setup::Setup;

/// The operator's side of a run: confirmations for manual steps and progress.
pub trait Operator {
    /// Asks the operator to do a manual step; `true` once done.
    fn confirm(&mut self, setup: &Setup, prompt: &ManualPrompt) -> bool;

    /// A step began.
    fn step_started(&mut self, _setup: &Setup, _step: usize, _at: Duration) {}

    /// An operation is about to run.
    fn operation(&mut self, _setup: &Setup, _operation: &Operation, _at: Duration) {}

    /// The engine is waiting for something slow.
    fn waiting(&mut self, _setup: &Setup, _step: usize, _since: Duration, _now: Duration) {}

    /// Whether the operator interrupted the run (Ctrl-C). Asked between any two journal
    /// writes; the run then stops where it is, and `--resume` continues it.
    fn interrupted(&mut self) -> bool {
        false
    }
}

/// An operator that confirms every manual step without asking (`--yes`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unattended;

impl Operator for Unattended {
    fn confirm(&mut self, _setup: &Setup, _prompt: &ManualPrompt) -> bool {
        true
    }
}

/// Why driving stopped before the engine finished.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    /// The journal could not be written: the run stops rather than act unrecorded.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Nothing of the cluster could be observed.
    #[error("cannot observe the cluster: {0}")]
    Observe(BackendError),
    /// A step began before the roles were bound (the engine binds them in pre-flight).
    #[error("a step began before the roles were bound")]
    Unbound,
}

/// How the journal says a run ended: `completed`, `refused: INVARIANT`, `stopped: REASON`.
fn journal_ending(ending: Option<&Ending>) -> String {
    match ending {
        Some(Ending::Completed) | None => "completed".to_owned(),
        Some(Ending::Refused(refusal)) => format!("refused: {}", refusal.invariant.id()),
        Some(Ending::Stopped { reason, .. }) => format!("stopped: {reason}"),
    }
}

/// How driving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driven {
    /// The engine finished; see [`Engine::ending`].
    Finished,
    /// The operator interrupted the run; the journal says where.
    Interrupted,
}

/// Runs the engine to its end on a backend, writing the journal (intent before each
/// operation, outcome after) when one is given.
pub fn drive<B: Backend, O: Operator + ?Sized>(
    engine: &mut Engine,
    backend: &mut B,
    mut journal: Option<&mut Journal>,
    operator: &mut O,
) -> Result<Driven, DriveError> {
    let mut output = engine.next(Input::Start);
    let mut waiting_since: Option<Duration> = None;
    loop {
        if operator.interrupted() {
            return Ok(Driven::Interrupted);
        }
        output = match output {
            Output::Finished => break,
            Output::MarkStep(step) => {
                backend.mark_step(step);
                operator.step_started(engine.setup(), step, backend.now());
                if let Some(journal) = journal.as_deref_mut() {
                    let roles = engine.roles().ok_or(DriveError::Unbound)?;
                    journal.step_started(engine.setup(), roles, engine.window(), step, backend.now())?;
                }
                engine.note_events(backend.events().len());
                let observation = backend.observe().map_err(DriveError::Observe)?;
                if let Some(journal) = journal.as_deref_mut() {
                    journal.observe_boots(observation);
                }
                engine.next(Input::Observed(observation))
            }
            Output::Observe => {
                engine.note_events(backend.events().len());
                let observation = backend.observe().map_err(DriveError::Observe)?;
                if let Some(journal) = journal.as_deref_mut() {
                    journal.observe_boots(observation);
                }
                engine.next(Input::Observed(observation))
            }
            Output::Execute(operation) => {
                waiting_since = None;
                operator.operation(engine.setup(), &operation, backend.now());
                if let Some(journal) = journal.as_deref_mut() {
                    let (step, task, ..) = engine.position();
                    journal.intent(engine.setup(), (step, task), &operation, backend.now())?;
                }
                if operator.interrupted() {
                    return Ok(Driven::Interrupted);
                }
                let result = backend.execute(&operation);
                if operator.interrupted() {
                    return Ok(Driven::Interrupted);
                }
                if let Some(journal) = journal.as_deref_mut() {
                    journal.outcome(&result, backend.now())?;
                }
                engine.next(Input::Executed(result))
            }
            Output::Wait(length) => {
                let since = *waiting_since.get_or_insert(backend.now());
                backend.wait(length);
                operator.waiting(engine.setup(), engine.position().0, since, backend.now());
                engine.next(Input::Waited)
            }
            Output::Confirm(prompt) => {
                let confirmed = operator.confirm(engine.setup(), &prompt);
                if let Some(journal) = journal.as_deref_mut() {
                    journal.confirmation(engine.position().0, confirmed, backend.now())?;
                }
                engine.next(Input::Confirmed(confirmed))
            }
        };
        if let Output::MarkStep(_) | Output::Finished = output {
            waiting_since = None;
            if let (Output::Finished, Some(journal)) = (&output, journal.as_deref_mut()) {
                journal.finished(journal_ending(engine.ending()), backend.now())?;
            }
        }
    }
    Ok(Driven::Finished)
}
