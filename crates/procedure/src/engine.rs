//! The engine: runs a procedure one verified step at a time, sans-IO.
//!
//! [`Engine::next`] takes what happened (an observation, an operation's result, a
//! confirmation) and returns what to do next (observe, execute an operation, wait, ask the
//! operator, or finish). Drivers perform the outputs on a [`crate::backend::Backend`]: the
//! synchronous [`drive`] loop does it for the simulator and for real nodes alike.
//!
//! For each step the engine observes, resolves the step's nodes from the roles bound at the
//! start of the run, refuses unsafe operations with [`guard`], issues what is still needed
//! (steps are idempotent: what already holds is not redone), then polls until the step's
//! postcondition holds, failing fast on what cannot recover.

pub mod guard;
pub mod verify;

use std::sync::Arc;
use std::time::Duration;

use crate::action::kind::{Milestone, Patience};
use crate::backend::BackendError;
use crate::cluster::NodeId;
use crate::journal::Resumption;
use crate::observation::{Installer, Observation, Power};
use crate::operation::Operation;
use crate::postcondition::{optional_service_notes, took_effect};
use crate::procedure::{Condition, Step};
use crate::setup::Setup;
use crate::shared::Shared;

pub use crate::engine_config::EngineConfig;
pub use crate::roles::Roles;
pub use crate::run_record::{Ending, NodeSpan, RunRecord, StepRecord, StepStatus};
pub use guard::{GuardRefusal, guard};

/// What happened since the engine's last output.
#[derive(Debug)]
pub enum Input<'a> {
    /// Begin (the first call).
    Start,
    /// The answer to [`Output::Observe`].
    Observed(&'a Observation),
    /// The result of [`Output::Execute`].
    Executed(Result<(), BackendError>),
    /// [`Output::Wait`] is over.
    Waited,
    /// The operator's answer to [`Output::Confirm`].
    Confirmed(bool),
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Output {
    /// A step begins (for traces, alert logs and progress).
    MarkStep(usize),
    /// Observe the cluster and answer [`Input::Observed`].
    Observe,
    /// Run an operation and answer [`Input::Executed`].
    Execute(Operation),
    /// Let this much time pass and answer [`Input::Waited`].
    Wait(Duration),
    /// Ask the operator to do something by hand and answer [`Input::Confirmed`].
    Confirm(ManualPrompt),
    /// The run is over.
    Finished,
}

/// A manual step's question to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManualPrompt {
    /// The step.
    pub step: usize,
    /// The node to do it on.
    pub node: NodeId,
    /// What to do.
    pub instruction: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stage {
    NotStarted,
    /// Observing to bind roles and run the pre-flight checks.
    Preflight,
    /// Observing to decide the current task's operations.
    Plan,
    /// An operation is out.
    Executing,
    /// Observing to check the current task's postcondition.
    Verify,
    /// Waiting between two verify observations.
    Waiting,
    /// The operator has the prompt.
    Confirming,
    Finished,
}

/// One unit of work inside a step: the step's action on one node, or the cluster-safe
/// reboot that the restart rule adds after resume-cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Task {
    node: NodeId,
    restart_reboot: bool,
}

/// The engine; see the module documentation.
#[derive(Debug, Clone)]
pub struct Engine {
    setup: Arc<Setup>,
    /// Shared by every copy of a run: it never changes, and a copy must stay small.
    config: Arc<EngineConfig>,
    /// Shared between copies of a run (they never change once bound), like the tasks and
    /// operations until they are replaced.
    roles: Option<Shared<Roles>>,
    stage: Stage,
    step: usize,
    tasks: Shared<Vec<Task>>,
    task: usize,
    operations: Shared<Vec<Operation>>,
    operation: usize,
    deadline: Option<Duration>,
    /// Observations of the current task's postcondition that found it pending.
    polls: u32,
    now: Duration,
    /// The boot count of the node a reboot-node step reboots, as observed when the task's
    /// operations were planned (no observation comes between that and the reboot).
    reboot_from: Option<u32>,
    /// How many events the backend had at the observation being handed over.
    events_noted: Option<usize>,
    /// An install has been issued: the apply window is open until the resume.
    apply_started: bool,
    resumed: bool,
    restart_pending: bool,
    /// Boxed: set once, at the end, and large.
    ending: Option<Box<Ending>>,
    record: RunRecord,
    /// Operations the journal says completed in the interrupted run, not to be repeated.
    completed_earlier: Vec<(usize, usize, Operation)>,
    /// The operation whose intent the interrupted run wrote but not its outcome.
    unfinished: Option<(usize, usize, Operation, Vec<u32>)>,
}

impl Engine {
    /// An engine at the start of the procedure.
    pub fn new(setup: Arc<Setup>, config: EngineConfig) -> Engine {
        Engine {
            setup,
            config: Arc::new(config),
            roles: None,
            stage: Stage::NotStarted,
            step: 0,
            tasks: Shared::default(),
            task: 0,
            operations: Shared::default(),
            operation: 0,
            deadline: None,
            polls: 0,
            now: Duration::ZERO,
            reboot_from: None,
            events_noted: None,
            apply_started: false,
            resumed: false,
            restart_pending: false,
            ending: None,
            record: RunRecord::default(),
            completed_earlier: Vec::new(),
            unfinished: None,
        }
    }

    /// An engine that continues an interrupted run from what its journal says.
    pub fn resumed(setup: Arc<Setup>, config: EngineConfig, resumption: &Resumption) -> Engine {
        let mut engine = Engine::new(setup, config);
        engine.roles = resumption.roles.clone().map(Shared::new);
        engine.step = resumption.next_step;
        engine.apply_started = resumption.apply_started;
        engine.resumed = resumption.resumed;
        engine.restart_pending = resumption.restart_pending;
        engine.completed_earlier = resumption.completed_operations.clone();
        engine.unfinished = resumption.unfinished.clone();
        engine.record.steps = (0..resumption.next_step)
            .map(|step| StepRecord { step, status: StepStatus::DoneEarlier, nodes: Vec::new() })
            .collect();
        engine.stage = Stage::NotStarted;
        engine
    }

    /// Feeds what decides the engine's future into `state`: its stage, step, task and
    /// operations, deadlines, the apply window, how it ended. The record of what happened
    /// (for reports) does not decide anything and is left out.
    pub fn fingerprint<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fingerprint_from(Duration::ZERO, state);
    }

    /// [`Engine::fingerprint`] with its times (the clock, a deadline) seen from `origin`:
    /// two engines that differ only by when they started have the same future.
    pub fn fingerprint_from<H: std::hash::Hasher>(&self, origin: Duration, state: &mut H) {
        use std::hash::Hash as _;
        let seen = |at: Duration| at.checked_sub(origin).ok_or(origin.saturating_sub(at));
        self.roles.hash(state);
        self.stage.hash(state);
        self.step.hash(state);
        self.tasks.hash(state);
        self.task.hash(state);
        self.operations.hash(state);
        self.operation.hash(state);
        self.deadline.map(seen).hash(state);
        self.polls.hash(state);
        seen(self.now).hash(state);
        self.reboot_from.hash(state);
        self.apply_started.hash(state);
        self.resumed.hash(state);
        self.restart_pending.hash(state);
        self.ending.hash(state);
        self.completed_earlier.hash(state);
        self.unfinished.hash(state);
    }

    /// Its configuration: guards, patience.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The setup it runs.
    pub fn setup(&self) -> &Arc<Setup> {
        &self.setup
    }

    /// The roles, once bound.
    pub fn roles(&self) -> Option<&Roles> {
        self.roles.as_deref()
    }

    /// How the run ended, once it has.
    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_deref()
    }

    /// What happened so far.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// The step, task index and node being worked on, and whether the task is the
    /// restart rule's reboot; for journals and progress.
    pub fn position(&self) -> (usize, usize, Option<NodeId>, bool) {
        let task = self.tasks.get(self.task).copied();
        (self.step, self.task, task.map(|t| t.node), task.is_some_and(|t| t.restart_reboot))
    }

    /// Whether the apply window (first install to resume) is open, and a restart pending.
    pub fn window(&self) -> (bool, bool, bool) {
        (self.apply_started, self.resumed, self.restart_pending)
    }

    /// The driver says how many events the backend had recorded when it made the
    /// observation it hands over next, so that a span's record knows which events came
    /// before its end (events stamped with the same instant may follow it).
    pub fn note_events(&mut self, count: usize) {
        self.events_noted = Some(count);
    }

    fn current_step(&self) -> &Step {
        &self.setup.procedure.steps[self.step]
    }

    fn finish(&mut self, ending: Ending) -> Output {
        if !matches!(ending, Ending::Completed) {
            self.close_step(StepStatus::Ended);
        }
        self.record.ended = Some(self.now);
        self.ending = Some(Box::new(ending));
        self.stage = Stage::Finished;
        Output::Finished
    }

    fn stop(&mut self, node: Option<NodeId>, reason: String) -> Output {
        let step = self.step;
        self.finish(Ending::Stopped { step, node, reason })
    }

    fn note_observation(&mut self, observation: &Observation) {
        self.now = observation.at;
        if self.record.started.is_none() {
            self.record.started = Some(observation.at);
        }
        let suspended = observation.cluster_suspended();
        // The apply window closes at the first moment after the first install when no node
        // is suspended and no installer runs (the invariants judge it the same way).
        if self.apply_started && !self.resumed && !suspended && observation.installer_running().is_none() {
            self.resumed = true;
        }
        if suspended && self.record.suspended_from.is_none() {
            self.record.suspended_from = Some(observation.at);
        }
        if !suspended && self.record.suspended_from.is_some() && self.record.suspended_until.is_none() {
            self.record.suspended_until = Some(observation.at);
        }
    }

    /// Advances the engine; see the module documentation.
    pub fn next(&mut self, input: Input<'_>) -> Output {
        match (self.stage, input) {
            (Stage::NotStarted, Input::Start) => {
                self.stage = Stage::Preflight;
                Output::Observe
            }
            (Stage::Preflight, Input::Observed(observation)) => self.preflight(observation),
            (Stage::Plan, Input::Observed(observation)) => self.plan(observation),
            (Stage::Executing, Input::Executed(result)) => self.executed(result),
            (Stage::Verify, Input::Observed(observation)) => self.verify(observation),
            (Stage::Waiting, Input::Waited) => {
                self.stage = Stage::Verify;
                Output::Observe
            }
            (Stage::Confirming, Input::Confirmed(true)) => {
                self.stage = Stage::Verify;
                Output::Observe
            }
            (Stage::Confirming, Input::Confirmed(false)) => {
                let node = self.tasks.get(self.task).map(|t| t.node);
                self.stop(node, "the operator did not confirm the manual step".to_owned())
            }
            (Stage::Finished, _) => Output::Finished,
            (stage, input) => panic!("engine protocol violated: {input:?} in stage {stage:?}"),
        }
    }

    fn preflight(&mut self, observation: &Observation) -> Output {
        self.note_observation(observation);
        let cluster = &self.setup.cluster;
        if let Some((node, reason)) = self.health(observation) {
            return self.stop(Some(node), format!("pre-flight: {reason}"));
        }
        if self.roles.is_none() {
            if let Some(node) = observation.installer_running() {
                let name = &cluster.nodes[node.index()].name;
                return self.stop(Some(node), format!("pre-flight: an installer is running on {name}"));
            }
            if observation.cluster_suspended() {
                return self.stop(
                    None,
                    "pre-flight: the cluster is already suspended; resume it first, or continue the earlier run with --resume"
                        .to_owned(),
                );
            }
            let Some(active) = observation.groups.first().and_then(|g| g.owner) else {
                return self
                    .stop(None, "pre-flight: the failover group is not online, so no node is active".to_owned());
            };
            // Standbys in the first group's failover policy order, then any other nodes.
            let policy = &self.setup.cluster.groups[0].policy;
            let mut standbys: Vec<NodeId> = policy.iter().copied().filter(|&n| n != active).collect();
            standbys
                .extend((0..observation.nodes.len() as u8).map(NodeId).filter(|n| *n != active && !policy.contains(n)));
            self.roles = Some(Shared::new(Roles { active, standbys }));
        }
        self.begin_step()
    }

    fn close_step(&mut self, status: StepStatus) {
        if let Some(record) = self.record.steps.last_mut()
            && record.step == self.step
            && record.status == StepStatus::Ended
        {
            // A step the run ended in ran until the run ended.
            if status == StepStatus::Ended
                && let Some(span) = record.nodes.last_mut()
            {
                span.ended = self.now;
                span.events_before_end = self.events_noted;
            }
            record.status = status;
        }
    }

    fn begin_step(&mut self) -> Output {
        loop {
            if self.step >= self.setup.procedure.steps.len() {
                return self.finish(Ending::Completed);
            }
            let step = self.current_step();
            let skip = match step.condition {
                Some(Condition::ModuleWritesRegistry) if !self.setup.procedure.module.writes_registry() => {
                    Some("the module writes no registry values")
                }
                Some(Condition::RestartRequested) if !self.restart_pending => Some("no installer asked for a restart"),
                _ => None,
            };
            if let Some(reason) = skip {
                if self.config.record {
                    self.record.steps.push(StepRecord {
                        step: self.step,
                        status: StepStatus::Skipped(reason.to_owned()),
                        nodes: Vec::new(),
                    });
                }
                self.step += 1;
                continue;
            }
            let roles = self.roles.as_ref().expect("roles are bound in pre-flight");
            self.tasks = Shared::new(
                roles.nodes(step.role).into_iter().map(|node| Task { node, restart_reboot: false }).collect(),
            );
            self.task = 0;
            if self.config.record {
                self.record.steps.push(StepRecord { step: self.step, status: StepStatus::Ended, nodes: Vec::new() });
            }
            self.stage = Stage::Plan;
            return Output::MarkStep(self.step);
        }
    }

    /// After MarkStep the driver observes.
    fn plan(&mut self, observation: &Observation) -> Output {
        self.note_observation(observation);
        let task = self.tasks[self.task];
        if let Some((node, reason)) = self.health(observation) {
            return self.stop(Some(node), reason);
        }
        if self.record.steps.last().is_some_and(|r| r.nodes.len() == self.task) {
            let span = NodeSpan {
                node: task.node,
                started: self.now,
                ended: self.now,
                operations: Vec::new(),
                restart_reboot: task.restart_reboot,
                notes: Vec::new(),
                events_before_end: None,
            };
            if let Some(record) = self.record.steps.last_mut() {
                record.nodes.push(span);
            }
        }
        let operations = if task.restart_reboot {
            vec![Operation::RebootCluster { via: task.node }]
        } else {
            self.operations_for(observation, task.node)
        };
        let operations = self.without_completed_earlier(operations);
        let operations = self.without_unfinished_that_took_effect(operations, observation);
        for operation in operations.iter().filter(|_| self.config.guards) {
            let context = guard::Context { apply_started: self.apply_started, resumed: self.resumed };
            if let Some(refusal) = guard(&self.setup, observation, operation, self.step, &context) {
                return self.finish(Ending::Refused(refusal));
            }
        }
        self.reboot_from = operations.iter().find_map(|operation| match operation {
            Operation::RebootNode { node } => observation.nodes.get(node.index()).map(|state| state.boots),
            _ => None,
        });
        self.operations = Shared::new(operations);
        self.operation = 0;
        self.deadline = None;
        self.polls = 0;
        if let Some(instruction) = self.current_step().action.manual_instruction()
            && !task.restart_reboot
        {
            let prompt = ManualPrompt { step: self.step, node: task.node, instruction: instruction.to_owned() };
            self.stage = Stage::Confirming;
            return Output::Confirm(prompt);
        }
        self.issue_next()
    }

    /// Drops non-idempotent operations that the interrupted run completed in this step.
    fn without_completed_earlier(&mut self, operations: Vec<Operation>) -> Vec<Operation> {
        if self.completed_earlier.is_empty() {
            return operations;
        }
        let step = self.step;
        let task = self.task;
        operations
            .into_iter()
            .filter(|operation| {
                if operation.is_idempotent() {
                    return true;
                }
                let done =
                    self.completed_earlier.iter().position(|(s, t, o)| *s == step && *t == task && o == operation);
                match done {
                    Some(index) => {
                        self.completed_earlier.remove(index);
                        false
                    }
                    None => true,
                }
            })
            .collect()
    }

    /// For the operation the interrupted run started without recording its outcome, the
    /// cluster decides: if it took effect, it is not issued again.
    fn without_unfinished_that_took_effect(
        &mut self,
        operations: Vec<Operation>,
        observation: &Observation,
    ) -> Vec<Operation> {
        let Some((step, task, unfinished, boots)) = self.unfinished.clone() else { return operations };
        if step != self.step || task != self.task {
            return operations;
        }
        self.unfinished = None;
        if unfinished.is_idempotent() || !took_effect(&self.setup.procedure.module, &unfinished, observation, &boots) {
            return operations;
        }
        operations.into_iter().filter(|operation| *operation != unfinished).collect()
    }

    fn issue_next(&mut self) -> Output {
        match self.operations.get(self.operation) {
            Some(operation) => {
                self.stage = Stage::Executing;
                let operation = operation.clone();
                if let Some(record) = self.record.steps.last_mut()
                    && let Some(span) = record.nodes.last_mut()
                {
                    span.operations.push((self.now, operation.clone()));
                }
                Output::Execute(operation)
            }
            None => {
                self.stage = Stage::Verify;
                Output::Observe
            }
        }
    }

    fn executed(&mut self, result: Result<(), BackendError>) -> Output {
        let operation = self.operations[self.operation].clone();
        if let Err(error) = result {
            let node = operation.node();
            let name = self.setup.node_name(node).to_owned();
            return self
                .stop(Some(node), format!("{} on {name} failed: {}", operation.verb(), self.describe_error(&error)));
        }
        match operation {
            Operation::InstallModule { .. } => self.apply_started = true,
            Operation::RebootCluster { .. } => self.restart_pending = false,
            _ => {}
        }
        self.operation += 1;
        self.issue_next()
    }

    fn describe_error(&self, error: &BackendError) -> String {
        match error {
            BackendError::Unreachable { node } => format!("{} is unreachable", self.setup.node_name(*node)),
            BackendError::Refused { reason, .. } => format!("refused: {reason}"),
            BackendError::Failed { message, .. } => message.clone(),
        }
    }

    fn timeout(&self, restart_reboot: bool) -> Duration {
        if restart_reboot {
            return self.config.reboot_timeout;
        }
        match self.current_step().action.patience() {
            Patience::Install => self.config.install_timeout,
            Patience::Reboot => self.config.reboot_timeout,
            Patience::Move => self.config.move_timeout,
            Patience::Check => self.config.check_timeout,
            Patience::Step => self.config.step_timeout,
        }
    }

    fn verify(&mut self, observation: &Observation) -> Output {
        self.note_observation(observation);
        let task = self.tasks[self.task];
        let deadline = *self.deadline.get_or_insert(observation.at + self.timeout(task.restart_reboot));
        let roles = self.roles.as_ref().expect("roles");
        let timed_out = observation.at >= deadline;
        // A node that goes down or stops answering while a step waits will not come back by
        // itself in time: stop now rather than at the timeout. Reboots expect it.
        let reboots = task.restart_reboot || self.current_step().action.reboots();
        if !reboots && let Some((node, reason)) = self.health(observation) {
            return self.stop(Some(node), reason);
        }
        let verdict = if task.restart_reboot {
            verify::reboot(&self.setup.cluster, observation, roles, timed_out)
        } else {
            verify::step(&self.setup, self.current_step(), observation, task.node, roles, self.reboot_from, timed_out)
        };
        match verdict {
            verify::Verdict::Holds => self.task_done(observation),
            verify::Verdict::Failed(reason) => self.stop(Some(task.node), reason),
            verify::Verdict::Pending(reason) => {
                if timed_out {
                    let waited = crate::duration::human(self.timeout(task.restart_reboot));
                    return self.stop(Some(task.node), format!("timed out after {waited}: {reason}"));
                }
                self.stage = Stage::Waiting;
                let backoff = self.config.poll_interval.saturating_mul(1 << self.polls.min(16));
                self.polls += 1;
                Output::Wait(backoff.min(self.config.poll_max).min(deadline - observation.at))
            }
        }
    }

    fn task_done(&mut self, observation: &Observation) -> Output {
        let task = self.tasks[self.task];
        self.reboot_from = None;
        let notes = match self.current_step().action.optional_services() {
            optional if !task.restart_reboot && !optional.is_empty() => {
                optional_service_notes(&self.setup.cluster, optional, observation, task.node)
            }
            _ => Vec::new(),
        };
        if let Some(record) = self.record.steps.last_mut()
            && let Some(span) = record.nodes.last_mut()
        {
            span.ended = observation.at;
            span.notes = notes;
            span.events_before_end = self.events_noted;
        }
        if !task.restart_reboot {
            match self.current_step().action.milestone() {
                Some(Milestone::InstallsModule) => {
                    if let Installer::Finished { restart_requested: true } =
                        observation.nodes[task.node.index()].installer
                    {
                        self.restart_pending = true;
                    }
                }
                Some(Milestone::ResumesCluster) if self.apply_started => {
                    self.resumed = true;
                }
                Some(Milestone::RebootsCluster) => self.restart_pending = false,
                _ => {}
            }
        }
        self.task += 1;
        if self.task == self.tasks.len()
            && self.current_step().action.is(Milestone::ResumesCluster)
            && self.restart_pending
            && !self.tasks.iter().any(|t| t.restart_reboot)
        {
            // The restart rule: decline at the prompt, finish, resume, then reboot safely.
            self.tasks.make_mut().push(Task { node: task.node, restart_reboot: true });
        }
        if self.task < self.tasks.len() {
            self.stage = Stage::Plan;
            return Output::Observe;
        }
        self.close_step(StepStatus::Done);
        self.step += 1;
        self.begin_step()
    }

    /// Whether the cluster is fit to go on, before a task's operations.
    /// The first node that keeps the run from going on: every node must answer and be up.
    fn health(&self, observation: &Observation) -> Option<(NodeId, String)> {
        observation.nodes.iter().enumerate().find_map(|(n, state)| {
            let name = &self.setup.cluster.nodes[n].name;
            let problem = if !state.reachable {
                format!("{name} does not answer")
            } else if state.power != Power::Up {
                format!("{name} is down")
            } else {
                return None;
            };
            Some((NodeId(n as u8), problem))
        })
    }

    /// The operations a step still needs on a node, given what is observed: what already
    /// holds is not redone (each action says what it needs).
    fn operations_for(&self, observation: &Observation, node: NodeId) -> Vec<Operation> {
        let roles = self.roles.as_ref().expect("roles");
        self.current_step().action.operations(&verify::at(&self.setup, observation, node, roles, None, false))
    }
}
