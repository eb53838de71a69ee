//! One training session: a simulated cluster of its own, with no guards between the trainee
//! and it, the judge watching its events, and the log of what the trainee did.
//!
//! Virtual time moves only with the trainee: each click takes the console's time
//! (`timing.console`), a wait takes what it says, and "wait until this finishes" runs the
//! cluster until nothing is in progress. A session is deterministic: its action log replays
//! it exactly.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend as _, BackendError, ClusterService, Operation};
use procedure::engine::verify::{self, Verdict};
use procedure::event::{Fault, Renderer};
use procedure::invariant::Judge;
use procedure::plan::StepStatus;
use serde::{Deserialize, Serialize};
use sim_cluster::sim::{AFTERMATH, Builder, Sim};

use procedure::action::CheckServices;
use procedure::action::kind::Kind as _;

use super::act::{Act, MAX_WAIT, Practise, Resolved, Screen};
use super::alerts;
use super::course::{Course, key};
use super::practice::{Began, Practice};

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "why", rename_all = "kebab-case")]
pub enum Outcome {
    /// Done (a slow operation goes on in the background).
    Done,
    /// The cluster or Windows refused it, and why (in the log, the error's English text).
    Refused(#[serde(serialize_with = "as_text")] BackendError),
    /// It named something that does not exist, or came when it could not apply.
    Invalid(#[serde(serialize_with = "as_text")] Invalid),
}

/// Why an action could not apply; in the log, its English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The session has ended.
    Ended,
    /// The session has taken its most actions.
    TooMany,
    /// No restart prompt is open on the node (named).
    NoPrompt(String),
    /// The action named something that does not exist, or a value that cannot be read.
    Unreadable(String),
    /// Resume Cluster on a cluster that is not suspended. Cluster WebUI offers Resume only on
    /// a suspended cluster (inferred from its menus; clpcl --resume fails there too).
    NotSuspended,
    /// A recovery plan asked for, or a server to bring back, with no recovery under way.
    NotRecovering,
    /// A server to bring back that is neither down nor out of reach.
    NothingToBringBack(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Ended => write!(f, "the session has ended"),
            Invalid::TooMany => write!(f, "a session takes at most {MAX_ACTS} actions"),
            Invalid::NoPrompt(node) => write!(f, "no restart prompt is open on {node}"),
            Invalid::Unreadable(why) => write!(f, "{why}"),
            Invalid::NotSuspended => write!(f, "the cluster is not suspended: there is nothing to resume"),
            Invalid::NotRecovering => write!(f, "no recovery is under way"),
            Invalid::NothingToBringBack(node) => write!(f, "{node} is up and answers: there is nothing to bring back"),
        }
    }
}

/// One action in the log.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    /// When it was taken, virtual ms.
    pub at_ms: u64,
    /// What.
    pub act: Act,
    /// What became of it.
    pub outcome: Outcome,
    /// Faults of the scenario that struck just before it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
    /// The same faults, to show them in the page's language (`faults` is the log's text).
    #[serde(skip)]
    pub struck: Vec<Fault>,
    /// An operation the procedure does not expect now: the step it expected (by index), if
    /// any was left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<OutOfOrder>,
}

/// An operation out of the procedure's order, as the page says it and the debrief lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutOfOrder {
    /// The step the procedure expected now (index into its steps); none when every step was
    /// done.
    pub expected: Option<usize>,
}

/// Serializes as its text (`Display`): the log's English sentence.
fn as_text<T: std::fmt::Display, S: serde::Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum End {
    /// The trainee said the procedure was done.
    Finished,
    /// The trainee gave up.
    GaveUp,
}

/// A replayable action log: the course is the server's, the actions are the trainee's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionLog {
    /// Format version, 1.
    pub version: u32,
    /// The actions, in order.
    pub acts: Vec<Act>,
}

/// The most actions a session takes (a log longer than this is not a rehearsal).
pub const MAX_ACTS: usize = 5_000;

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Training {
    course: Arc<Course>,
    sim: Sim,
    judge: Judge,
    log: Vec<Logged>,
    /// Per reference operation: when the trainee did it.
    claimed: Vec<Option<Duration>>,
    /// Per staged fault: it struck.
    fired: Vec<bool>,
    marked: Option<usize>,
    /// Per step: when the checklist ticked it.
    ticked: Vec<Option<Duration>>,
    end: Option<(End, Duration)>,
    /// Per node: its Services panel is open (what it shows is seen).
    services_open: Vec<bool>,
    /// When the trainee asked for a hint, and the step it was for.
    hints: Vec<(Duration, Option<usize>)>,
    /// The trace's alert events (indices), and how many of them were acknowledged.
    alerts: Vec<usize>,
    alerts_cleared: usize,
    /// Per (node, monitor) index: the monitor's last error not yet acknowledged.
    monitor_errors: BTreeMap<(usize, usize), Duration>,
    /// How much of the trace was looked at for alerts.
    scanned: usize,
    /// The recovery exercise, once one began.
    practice: Option<Practice>,
    /// The instructor's faults waiting for their step (index), and whether each struck.
    waiting: Vec<(usize, Fault, bool)>,
    /// Why the instructor paused the session (no action is taken while paused).
    paused: Option<String>,
    /// How many times the instructor changed the session (pause, resume, fault): the page
    /// reloads when it changes.
    instructed: u64,
    /// The session belongs to a classroom (its page follows the instructor's changes).
    classroom: bool,
}

impl Training {
    /// A new session on the course's cluster, in its starting state.
    pub fn new(course: Arc<Course>) -> Training {
        let sim = Builder::new(Arc::clone(&course.setup)).seed(course.seed).operator_answers(true).build();
        let judge = Judge::new(&course.setup, sim.observation());
        let course_steps = course.setup.procedure.steps.len();
        let nodes = course.setup.cluster.nodes.len();
        Training {
            claimed: vec![None; course.reference.len()],
            fired: vec![false; course.staged.len()],
            course,
            sim,
            judge,
            log: Vec::new(),
            marked: None,
            ticked: vec![None; course_steps],
            end: None,
            services_open: vec![false; nodes],
            hints: Vec::new(),
            alerts: Vec::new(),
            alerts_cleared: 0,
            monitor_errors: BTreeMap::new(),
            scanned: 0,
            practice: None,
            waiting: Vec::new(),
            paused: None,
            instructed: 0,
            classroom: false,
        }
    }

    /// Makes the session one of a classroom's.
    pub fn join_classroom(&mut self) {
        self.classroom = true;
    }

    /// Whether the session is one of a classroom's.
    pub fn in_classroom(&self) -> bool {
        self.classroom
    }

    /// The recovery exercise, if one began.
    pub fn practice(&self) -> Option<&Practice> {
        self.practice.as_ref()
    }

    /// Why the instructor paused the session (`Some("")`: without a reason), if paused.
    pub fn paused(&self) -> Option<&str> {
        self.paused.as_deref()
    }

    /// Pauses the session (with the reason the trainee reads) or, with `None`, resumes it.
    pub fn set_paused(&mut self, reason: Option<String>) {
        self.paused = reason;
        self.instructed += 1;
    }

    /// How many times the instructor changed the session.
    pub fn instructed(&self) -> u64 {
        self.instructed
    }

    /// Begins the recovery exercise after a mistake, if the cluster is short of serving,
    /// and follows one under way.
    fn follow_practice(&mut self) {
        if let Some(practice) = &mut self.practice {
            practice.follow(&self.course, &self.sim);
            return;
        }
        let Some(first) = self.judge.violations().iter().min_by_key(|v| (v.at, v.invariant)) else { return };
        if self.end.is_none() && !super::practice::lacks(&self.course, &self.sim).is_empty() {
            let mut practice = Practice::begin(&self.sim, &self.judge, Began::Mistake(first.invariant));
            practice.follow(&self.course, &self.sim);
            self.practice = Some(practice);
        }
    }

    /// A session rebuilt from an action log: the same actions give the same cluster.
    pub fn replay(course: Arc<Course>, log: &ActionLog) -> Result<Training, String> {
        if log.version != 1 {
            return Err(format!("action log version {} (this build reads version 1)", log.version));
        }
        if log.acts.len() > MAX_ACTS {
            return Err(format!("{} actions; a session takes at most {MAX_ACTS}", log.acts.len()));
        }
        let mut training = Training::new(course);
        for act in &log.acts {
            training.act(act.clone());
        }
        Ok(training)
    }

    /// The course.
    pub fn course(&self) -> &Arc<Course> {
        &self.course
    }

    /// The simulated cluster.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The log so far.
    pub fn log(&self) -> &[Logged] {
        &self.log
    }

    /// The replayable log.
    pub fn action_log(&self) -> ActionLog {
        ActionLog { version: 1, acts: self.log.iter().map(|logged| logged.act.clone()).collect() }
    }

    /// How and when it ended, if it has.
    pub fn end(&self) -> Option<(End, Duration)> {
        self.end
    }

    /// The judge, fed with every event so far.
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// When each reference operation was done, if it was.
    pub fn claimed(&self) -> &[Option<Duration>] {
        &self.claimed
    }

    /// When the checklist ticked `step`: once the trainee had done every operation the step
    /// does and its postcondition (the engine's) held on the cluster; a check, once the steps
    /// before it were ticked and what it checks held. A tick stays.
    pub fn ticked(&self, step: usize) -> Option<Duration> {
        self.ticked.get(step).copied().flatten()
    }

    /// Ticks the steps that are done now.
    fn tick(&mut self) {
        let setup = &self.course.setup;
        let roles = &self.course.roles;
        let observation = self.sim.observation();
        let now = self.sim.now();
        let mut before_done = true;
        for (index, step) in setup.procedure.steps.iter().enumerate() {
            if self.ticked[index].is_some() {
                before_done = true;
                continue;
            }
            let operated = self.course.operated[index];
            if !operated && self.course.plan[index].0 != StepStatus::Run {
                continue;
            }
            let ready = if operated { self.operations_done(index) } else { before_done };
            // A check of services is seen only in the node's Services panel, open now.
            let looked = |node: procedure::cluster::NodeId| {
                step.action.keyword() != CheckServices::KEYWORD || self.services_open[node.index()]
            };
            let holds = ready
                && roles.nodes(step.role).into_iter().all(|node| {
                    looked(node) && verify::step(setup, step, observation, node, roles, None, false) == Verdict::Holds
                });
            if holds {
                self.ticked[index] = Some(now);
            }
            before_done = holds;
        }
    }

    /// The step the procedure expects now: the first that runs for this module and is
    /// neither ticked nor has all its operations done (a step in progress leaves the next
    /// one expected). `None` once every step is.
    pub fn expected(&self) -> Option<usize> {
        (0..self.ticked.len()).find(|&step| {
            let operated = self.course.operated[step];
            (operated || self.course.plan[step].0 == StepStatus::Run)
                && self.ticked[step].is_none()
                && !(operated && self.operations_done(step))
        })
    }

    /// Whether the node's Services panel is open.
    pub fn services_open(&self, node: procedure::cluster::NodeId) -> bool {
        self.services_open.get(node.index()).copied().unwrap_or(false)
    }

    /// The hints asked for: when, and for which step.
    pub fn hints(&self) -> &[(Duration, Option<usize>)] {
        &self.hints
    }

    /// The alert events (indices into the trace) not acknowledged yet, oldest first.
    pub fn open_alerts(&self) -> &[usize] {
        &self.alerts[self.alerts_cleared..]
    }

    /// Every alert event (indices into the trace), acknowledged or not.
    pub fn alerts(&self) -> &[usize] {
        &self.alerts
    }

    /// When the monitor (by index) last failed on the node (by index), unless acknowledged.
    pub fn monitor_error(&self, node: usize, monitor: usize) -> Option<Duration> {
        self.monitor_errors.get(&(node, monitor)).copied()
    }

    /// Whether every operation of `step` in the reference has been done (false for a step
    /// without operations: a check the trainee makes by looking).
    pub fn operations_done(&self, step: usize) -> bool {
        let mut any = false;
        for (reference, claimed) in self.course.reference.iter().zip(&self.claimed) {
            if reference.step == step {
                any = true;
                if claimed.is_none() {
                    return false;
                }
            }
        }
        any
    }

    /// Takes one action and returns its log entry.
    pub fn act(&mut self, act: Act) -> &Logged {
        let at = self.sim.now();
        let mut struck = Vec::new();
        let mut out_of_order = None;
        let outcome = if self.end.is_some() {
            Outcome::Invalid(Invalid::Ended)
        } else if self.log.len() >= MAX_ACTS {
            Outcome::Invalid(Invalid::TooMany)
        } else {
            match act.resolve(&self.sim) {
                Err(why) => Outcome::Invalid(Invalid::Unreadable(why)),
                Ok(resolved) => {
                    // In a recovery the procedure's order no longer applies: bringing the
                    // cluster back is judged by the invariants and the end state.
                    if let Resolved::Operation(operation) = &resolved
                        && self.practice.is_none()
                    {
                        out_of_order = self.out_of_order(operation);
                    }
                    self.apply(resolved, &mut struck)
                }
            }
        };
        self.judge.feed(&self.course.setup, self.sim.trace());
        self.follow_practice();
        self.tick();
        self.scan();
        let renderer = Renderer::new(&self.course.setup);
        let faults = struck.iter().map(|fault| renderer.fault(fault)).collect();
        self.log.push(Logged { at_ms: at.as_millis() as u64, act, outcome, faults, struck, out_of_order });
        self.log.last().expect("just pushed")
    }

    /// Whether `operation` is out of the procedure's order: it belongs to no step not yet
    /// done, or to a step after the one expected now.
    fn out_of_order(&self, operation: &Operation) -> Option<OutOfOrder> {
        let step = self.course.step_of(&key(operation), &self.steps_done());
        let expected = self.expected();
        match (step, expected) {
            (Some(step), Some(expected)) if step <= expected => None,
            (Some(_), None) => None,
            _ => Some(OutOfOrder { expected }),
        }
    }

    /// Raises the new events that are alerts, and notes the monitors' errors.
    fn scan(&mut self) {
        let trace = self.sim.trace();
        for (index, event) in trace.iter().enumerate().skip(self.scanned) {
            if alerts::is_alert(&event.kind) {
                self.alerts.push(index);
            }
            if let procedure::event::EventKind::MonitorError { node, monitor, .. } = event.kind {
                self.monitor_errors.insert((node.index(), monitor.index()), event.at);
            }
        }
        self.scanned = trace.len();
    }

    fn apply(&mut self, resolved: Resolved, faults: &mut Vec<Fault>) -> Outcome {
        let console = self.course.setup.cluster.timing.console;
        match resolved {
            Resolved::Operation(Operation::ResumeCluster { .. })
                if !self
                    .sim
                    .observation()
                    .nodes
                    .iter()
                    .any(|node| matches!(node.cluster, ClusterService::Suspended | ClusterService::Suspending)) =>
            {
                Outcome::Invalid(Invalid::NotSuspended)
            }
            Resolved::Screen(screen) => {
                match screen {
                    Screen::OpenServices(node) => self.services_open[node.index()] = true,
                    Screen::CloseServices(node) => self.services_open[node.index()] = false,
                    Screen::Hint => {
                        let expected = self.expected();
                        self.hints.push((self.sim.now(), expected));
                    }
                    Screen::ClearAlerts => {
                        self.alerts_cleared = self.alerts.len();
                        self.monitor_errors.clear();
                    }
                }
                Outcome::Done
            }
            Resolved::Operation(operation) => {
                let key = key(&operation);
                // The step this operation counts for (by the steps done) decides both the
                // faults due and the step marked.
                let step = self.course.step_of(&key, &self.steps_done());
                self.strike_staged(step, faults);
                if let Some(step) = step
                    && self.marked != Some(step)
                {
                    self.marked = Some(step);
                    self.sim.mark_step(step);
                }
                let outcome = match self.sim.execute(&operation) {
                    Ok(()) => {
                        let now = self.sim.now();
                        if let Some(slot) = self
                            .course
                            .reference
                            .iter()
                            .zip(&self.claimed)
                            .position(|(reference, claimed)| claimed.is_none() && reference.key == key)
                        {
                            self.claimed[slot] = Some(now);
                        }
                        Outcome::Done
                    }
                    Err(refused) => Outcome::Refused(refused),
                };
                self.sim.advance(console);
                outcome
            }
            Resolved::Answer(node, answer) => {
                if !self.sim.answer_prompt(node, answer) {
                    return Outcome::Invalid(Invalid::NoPrompt(self.course.setup.node_name(node).to_owned()));
                }
                self.sim.advance(console);
                Outcome::Done
            }
            Resolved::Wait(length) => {
                self.sim.advance(length);
                Outcome::Done
            }
            Resolved::WaitUntilDone => {
                self.sim.run_until_quiet(MAX_WAIT);
                Outcome::Done
            }
            Resolved::Finish => {
                // Whatever is still under way finishes, with nobody acting, before the end
                // state is judged.
                self.sim.run_until_quiet(AFTERMATH);
                self.end = Some((End::Finished, self.sim.now()));
                Outcome::Done
            }
            Resolved::Practice(Practise::Stop) => {
                if self.practice.is_none() {
                    self.practice = Some(Practice::begin(&self.sim, &self.judge, Began::Stopped));
                }
                Outcome::Done
            }
            Resolved::Practice(Practise::Plan) => match &mut self.practice {
                None => Outcome::Invalid(Invalid::NotRecovering),
                Some(practice) => {
                    practice.ask(&self.course, &self.sim);
                    Outcome::Done
                }
            },
            Resolved::Practice(Practise::BringBack(node)) => {
                match super::practice::to_bring_back(&self.course, &self.sim, node)
                    .and_then(|lack| lack.brought_back_by())
                {
                    None => Outcome::Invalid(Invalid::NothingToBringBack(self.course.setup.node_name(node).to_owned())),
                    Some(fault) => {
                        // The operator's doing, not a fault of the scenario: not among `faults`.
                        self.sim.inject(fault);
                        self.sim.advance(console);
                        Outcome::Done
                    }
                }
            }
            Resolved::Inject(fault, None) => {
                self.sim.inject(fault);
                faults.push(fault);
                self.instructed += 1;
                Outcome::Done
            }
            Resolved::Inject(fault, Some(step)) => {
                self.waiting.push((step, fault, false));
                self.instructed += 1;
                Outcome::Done
            }
            Resolved::GiveUp => {
                // As after a stopped run: what happens next if nobody acts is judged too.
                self.sim.after_stop(AFTERMATH);
                self.end = Some((End::GaveUp, self.sim.now()));
                Outcome::Done
            }
        }
    }

    fn steps_done(&self) -> Vec<bool> {
        (0..self.course.setup.procedure.steps.len()).map(|step| self.operations_done(step)).collect()
    }

    /// Injects the staged faults due before an operation that counts for `step`.
    fn strike_staged(&mut self, step: Option<usize>, faults: &mut Vec<Fault>) {
        for (index, staged) in self.course.staged.iter().enumerate() {
            if !self.fired[index] && self.course.strikes_before(staged.before_step, step) {
                self.fired[index] = true;
                self.sim.inject(staged.fault);
                faults.push(staged.fault);
            }
        }
        for (before, fault, struck) in &mut self.waiting {
            if !*struck && self.course.strikes_before(*before, step) {
                *struck = true;
                self.sim.inject(*fault);
                faults.push(*fault);
            }
        }
    }

    /// Whether something is still under way on the cluster.
    pub fn busy(&self) -> bool {
        self.sim.in_progress()
    }
}
