//! The record of a run: how it ended, and for each step and node, when it started and
//! ended, the operations it issued and what it noted. Reports and the trainer read it.

use std::time::Duration;

use crate::cluster::NodeId;
use crate::engine::guard::GuardRefusal;
use crate::operation::Operation;
use crate::setup::Setup;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ending {
    /// Every step done or skipped.
    Completed,
    /// A guard refused an unsafe operation; nothing was done.
    Refused(GuardRefusal),
    /// The run stopped safely: an operation failed, a check did not hold in time, a node
    /// went away, or the operator declined.
    Stopped {
        /// The step.
        step: usize,
        /// The node, when one.
        node: Option<NodeId>,
        /// Why, for people.
        reason: String,
    },
}

impl Ending {
    /// `completed`, `refused` or `stopped`.
    pub fn word(&self) -> &'static str {
        match self {
            Ending::Completed => "completed",
            Ending::Refused(_) => "refused",
            Ending::Stopped { .. } => "stopped",
        }
    }

    /// Where and why the run did not complete: `step 6 install-active: ... [invariant]`.
    pub fn reason(&self, setup: &Setup) -> Option<String> {
        match self {
            Ending::Completed => None,
            Ending::Refused(refusal) => Some(format!(
                "step {}: {} [{}]",
                setup.procedure.steps[refusal.step].label(),
                refusal.message,
                refusal.invariant.id()
            )),
            Ending::Stopped { step, reason, .. } => {
                Some(format!("step {}: {reason}", setup.procedure.steps[*step].label()))
            }
        }
    }
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// Index into the procedure's steps.
    pub step: usize,
    /// Done, skipped (why), or where the run ended.
    pub status: StepStatus,
    /// The nodes it ran on, with when each began and ended.
    pub nodes: Vec<NodeSpan>,
}

/// When a step ran on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpan {
    /// The node.
    pub node: NodeId,
    /// First observation for it.
    pub started: Duration,
    /// Postcondition held (or the run ended).
    pub ended: Duration,
    /// Operations issued, with the time each was issued.
    pub operations: Vec<(Duration, Operation)>,
    /// It was the cluster-safe reboot that follows a restart request.
    pub restart_reboot: bool,
    /// What the step found worth telling that it does not require (optional services).
    pub notes: Vec<String>,
    /// How many events the backend had recorded at the observation that ended the span,
    /// when the driver said (see [`Engine::note_events`]): the events before its end.
    pub events_before_end: Option<usize>,
}

/// Status of a step in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// Its postcondition held on every node.
    Done,
    /// It did not run, and why.
    Skipped(String),
    /// The run ended during it.
    Ended,
    /// Done in an earlier, interrupted run (from the journal).
    DoneEarlier,
}

/// The record of a run, for reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunRecord {
    /// Steps in the order they were met.
    pub steps: Vec<StepRecord>,
    /// The first observation with the cluster suspended, and the first after it without.
    pub suspended_from: Option<Duration>,
    /// See `suspended_from`.
    pub suspended_until: Option<Duration>,
    /// Time of the first and last observation.
    pub started: Option<Duration>,
    /// See `started`.
    pub ended: Option<Duration>,
}
