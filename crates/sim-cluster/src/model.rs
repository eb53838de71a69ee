//! The state of a run as the model checker sees it: the engine, the simulated cluster and
//! the judge together, advanced one transition at a time so that a fault can strike between
//! any two of them — mid-install, mid-move, between two nodes' resume completions — not only
//! between steps.
//!
//! A transition is one thing happening: the engine observing or acting, or one timer of the
//! cluster firing while the engine waits. After a transition that changed the cluster (a
//! timer fired, an operation ran, a step began) a fault may be injected: that is a fault
//! point. The system between faults is deterministic, so a run is named by its faults and the
//! transition after which each struck.

pub mod anchored;
pub mod fingerprint;
mod lineage;
#[cfg(test)]
mod origin_tests;
pub mod recovery;
pub mod search;

use std::hash::Hasher as _;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::Backend;
use procedure::engine::{Ending, Engine, EngineConfig, Input, Output};
use procedure::event::{EventKind, Fault};
use procedure::invariant::{Invariant, Judge, Violation};
use procedure::setup::Setup;

use crate::sim::{AFTERMATH, Builder, Sim};
use crate::staged::StagedFault;

use self::fingerprint::FxHasher;
use self::recovery::{Outcome, Planning, Recovering};

/// `known` if it is known (not 0), else the fingerprint `hash` feeds.
fn known_or(known: u64, hash: impl FnOnce(&mut FxHasher)) -> u64 {
    if known != 0 { known } else { procedure::shared::fingerprint_with(hash) }
}

/// The faults that may be offered at a fault point ([`Machine::offer`]), in the order of
/// the search's faults; those armed for later wait for what the next change consults.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    candidates: Vec<Fault>,
}

impl Offer {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Whether an armed fault is among them (and the next change must be known).
    pub fn needs_look_ahead(&self) -> bool {
        self.candidates.iter().any(|f| f.is_armed())
    }

    /// The faults offered, given the armed faults that the next change consults.
    pub fn settle(self, consulted: &[Fault]) -> Vec<Fault> {
        let mut faults = self.candidates;
        faults.retain(|f| !f.is_armed() || consulted.contains(f));
        faults
    }
}

/// A fault injected after a given transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimedFault {
    /// The transition it follows (counted from 1).
    pub after: u32,
    /// The step the engine was in, for people.
    pub step: usize,
    /// Virtual time when it struck, for people.
    pub at: Duration,
    /// The fault.
    pub fault: Fault,
    /// It struck during the recovery that followed the run (`step` is then the step the run
    /// ended in).
    pub in_recovery: bool,
}

/// What a transition was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A step began (the engine will observe next): a fault may strike now, as the faults
    /// that scenarios stage before a step do.
    StepBegun(usize),
    /// The cluster changed: a fault may strike now.
    FaultPoint,
    /// The engine looked, decided or waited without the cluster changing.
    Quiet,
    /// The run is over (and, if it stopped, so is what followed with nobody acting).
    Finished,
}

/// One state of a run; see the module documentation.
#[derive(Debug, Clone)]
pub struct Machine {
    engine: Engine,
    sim: Sim,
    judge: Judge,
    next: Output,
    wait_until: Option<Duration>,
    transitions: u32,
    /// Shared with the copy it was made from until a fault is added.
    faults: Arc<[TimedFault]>,
    keep_trace: bool,
    finished: bool,
    /// With recovery on: how its recoveries are planned and set up, shared by every copy.
    planning: Option<Arc<Planning>>,
    /// The recovery under way, once the run has ended.
    recovering: Option<Box<Recovering>>,
    /// How the recovery ended, once it has.
    outcome: Outcome,
    /// The fingerprints of the engine, the cluster and the judge as of their last change
    /// (0: not known). A transition in which the engine only waits, or the cluster is only
    /// looked at, leaves most of them as they were.
    known: Known,
}

/// See [`Machine::known`].
#[derive(Debug, Clone, Copy, Default)]
struct Known {
    engine: u64,
    sim: u64,
    judge: u64,
}

impl Transition {
    /// Whether a fault may strike right after it.
    pub fn is_fault_point(self) -> bool {
        matches!(self, Transition::StepBegun(_) | Transition::FaultPoint)
    }
}

impl Machine {
    /// A run at its start. With `keep_trace` the cluster keeps every event (for a replay);
    /// without, each event is judged once and forgotten (for a search).
    pub fn new(setup: &Arc<Setup>, seed: u64, config: &EngineConfig, keep_trace: bool) -> Machine {
        let sim = Builder::new(Arc::clone(setup)).seed(seed).build();
        let judge = Judge::new(setup, sim.observation());
        let mut config = config.clone();
        config.record = keep_trace;
        let mut engine = Engine::new(Arc::clone(setup), config);
        let next = engine.next(Input::Start);
        Machine {
            engine,
            sim,
            judge,
            next,
            wait_until: None,
            transitions: 0,
            faults: Arc::new([]),
            keep_trace,
            finished: false,
            planning: None,
            recovering: None,
            outcome: Outcome::None,
            known: Known::default(),
        }
    }

    /// With `on`, a run with faults that ends short of a serving cluster goes on with the
    /// recovery `clusterproc recover` would run ([`recovery`]), and is judged at its end.
    pub fn recovering(mut self, on: bool) -> Machine {
        // The run's patience and record keeping; a recovery always runs with its guards on.
        self.planning = on.then(|| Arc::new(Planning::new(self.engine.config().clone())));
        self
    }

    /// Whether violations of `invariant` wait for the end of the run to be told: with
    /// recovery on, those a recovery may still put right.
    pub fn defers(&self, invariant: Invariant) -> bool {
        self.planning.is_some() && invariant.undone_by_recovery()
    }

    /// How the recovery after the run ended (`Outcome::None` without one).
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Whether a recovery is under way.
    pub fn in_recovery(&self) -> bool {
        self.recovering.is_some()
    }

    /// The engine that acts now: the recovery's once it runs, else the procedure's.
    fn acting(&mut self) -> &mut Engine {
        match &mut self.recovering {
            Some(recovering) => &mut recovering.engine,
            None => &mut self.engine,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The simulated cluster.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The faults injected so far.
    pub fn faults(&self) -> &[TimedFault] {
        &self.faults
    }

    /// Transitions made so far.
    pub fn transitions(&self) -> u32 {
        self.transitions
    }

    /// Virtual time now.
    pub fn now(&self) -> Duration {
        self.sim.now()
    }

    /// The violations found so far (with the final invariants, once finished).
    pub fn violations(&self) -> &[Violation] {
        self.judge.violations()
    }

    /// Whether the run is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The step the engine is in.
    pub fn step_index(&self) -> usize {
        self.engine.position().0.min(self.engine.setup().procedure.steps.len().saturating_sub(1))
    }

    fn judge_new_events(&mut self) {
        // Events the judge has not read may change it (a run that keeps its trace always has
        // some: its judge is hashed afresh each time).
        if self.sim.trace().is_empty() {
            return;
        }
        self.known.judge = 0;
        let setup = self.engine.setup();
        if self.keep_trace {
            self.judge.feed(setup, self.sim.trace());
        } else {
            self.judge.feed_and_forget(setup, self.sim.trace());
            self.sim.clear_trace();
        }
    }

    /// Makes one transition. During a recovery, one transition runs from one of its steps'
    /// beginnings to the next (or to the end): faults strike a recovery only there, so the
    /// states between are never where a run branches.
    pub fn step(&mut self) -> Transition {
        loop {
            let kind = self.step_once();
            if kind != Transition::Quiet || self.recovering.is_none() {
                return kind;
            }
        }
    }

    /// One transition of the engine acting now, or of the cluster while it waits.
    fn step_once(&mut self) -> Transition {
        if self.finished {
            return Transition::Finished;
        }
        self.transitions += 1;
        let mut recovery_step_begun = false;
        let kind = match std::mem::replace(&mut self.next, Output::Finished) {
            Output::Finished => {
                if self.ended() {
                    return Transition::Finished;
                }
                Transition::Quiet
            }
            Output::MarkStep(step) => {
                recovery_step_begun = self.recovering.is_some();
                // The step begins, then the engine observes: a fault may strike in between,
                // as the step-boundary faults of scenarios do.
                self.next = Output::Observe;
                match &self.recovering {
                    Some(recovering) => {
                        let title = recovering.title(step);
                        self.sim.note(EventKind::RecoveryStep { step: step as u16, title });
                        Transition::FaultPoint
                    }
                    None => {
                        self.sim.mark_step(step);
                        Transition::StepBegun(step)
                    }
                }
            }
            // Looking at the cluster changes nothing that is hashed (only the observation's
            // date); the step's mark only adds an event.
            Output::Observe => {
                let observation = self.sim.observe().expect("the simulator always answers");
                let engine = match &mut self.recovering {
                    Some(recovering) => &mut recovering.engine,
                    None => &mut self.engine,
                };
                self.next = engine.next(Input::Observed(observation));
                self.known.engine = 0;
                Transition::Quiet
            }
            Output::Execute(operation) => {
                let result = self.sim.execute(&operation);
                let engine = match &mut self.recovering {
                    Some(recovering) => &mut recovering.engine,
                    None => &mut self.engine,
                };
                self.next = engine.next(Input::Executed(result));
                (self.known.engine, self.known.sim) = (0, 0);
                Transition::FaultPoint
            }
            Output::Confirm(_) => {
                self.next = self.acting().next(Input::Confirmed(true));
                self.known.engine = 0;
                Transition::Quiet
            }
            // A recovery is struck by faults only as its steps begin: its waits run through at
            // once, every timer in them fired in order, as one transition.
            Output::Wait(length) if self.recovering.is_some() => {
                self.sim.advance(length);
                self.wait_until = None;
                self.known.sim = 0;
                self.next = self.acting().next(Input::Waited);
                self.known.engine = 0;
                Transition::Quiet
            }
            Output::Wait(length) => {
                let until = *self.wait_until.get_or_insert(self.sim.now() + length);
                self.known.sim = 0;
                if self.sim.next_timer_at().is_some_and(|at| at <= until) {
                    // The engine goes on waiting: it is left as it was.
                    self.sim.fire_next_timer();
                    self.next = Output::Wait(length);
                    Transition::FaultPoint
                } else {
                    self.sim.advance(until.saturating_sub(self.sim.now()));
                    self.wait_until = None;
                    self.next = self.acting().next(Input::Waited);
                    self.known.engine = 0;
                    Transition::Quiet
                }
            }
        };
        self.judge_new_events();
        // During a recovery a fault strikes only as one of its steps begins: the recovery is
        // checked against faults at its step boundaries, not between every two changes.
        if self.recovering.is_some() && kind == Transition::FaultPoint && !recovery_step_begun {
            return Transition::Quiet;
        }
        kind
    }

    /// The acting engine finished: a stop is followed by what the cluster does with nobody
    /// acting; the final invariants judge a run that completed, or one that stopped with no
    /// fault. Then, with recovery on and faults struck, the recovery goes on (a round more);
    /// says whether the run is over.
    fn ended(&mut self) -> bool {
        self.known = Known::default();
        let recovering = self.recovering.take();
        let ending = match &recovering {
            Some(recovering) => recovering.engine.ending(),
            None => self.engine.ending(),
        };
        let completed = matches!(ending, Some(Ending::Completed));
        if let (Some(_), Some(ending)) = (&recovering, ending.filter(|_| !completed)) {
            let reason = match ending {
                Ending::Refused(refusal) => format!("a guard refused: {}", refusal.message),
                Ending::Stopped { reason, .. } => reason.clone(),
                Ending::Completed => String::new(),
            };
            self.sim.note(EventKind::RecoveryStopped { reason: Arc::from(reason) });
        }
        if !completed {
            self.sim.after_stop(AFTERMATH);
            self.judge_new_events();
        }
        let round = match recovering {
            Some(recovering) => recovering.round + 1,
            None => {
                if completed || self.faults.is_empty() {
                    let setup = Arc::clone(self.engine.setup());
                    let (active, standbys) = match self.engine.roles() {
                        Some(roles) => (roles.active, roles.standbys.clone()),
                        None => (setup.cluster.initial_active(), setup.cluster.initial_standbys()),
                    };
                    // Dated when the engine last looked: where the run ended (design.md: "judged
                    // on the state where it stopped"), not at the end of what followed.
                    self.judge.finish(&setup, self.sim.observation(), active, &standbys);
                }
                if self.planning.is_none() || self.faults.is_empty() {
                    self.finished = true;
                    return true;
                }
                if completed {
                    // The operator who finished the procedure lets what the cluster is doing
                    // (a failover a fault set off, say) finish before looking at it.
                    self.sim.run_until_quiet(AFTERMATH);
                    self.judge_new_events();
                }
                1
            }
        };
        self.next_round(round)
    }

    /// Plans the recovery's next round from the cluster as it is and starts it, or ends the
    /// run; says whether the run is over. A plan that stopped is planned again, as an
    /// operator runs `recover` again (a fault during it may have been passing).
    fn next_round(&mut self, round: u8) -> bool {
        let Some(planning) = self.planning.clone() else {
            self.finished = true;
            return true;
        };
        let setup = Arc::clone(self.engine.setup());
        let operator_first =
            |plan: &procedure::recovery::planner::Recovery| !plan.shortfalls.is_empty() && plan.needs_operator_first;
        let mut planned = planning.plan(&setup, &self.engine, self.sim.observation());
        let brought_back = operator_first(&planned.recovery) && round <= recovery::MAX_ROUNDS;
        if brought_back {
            for fault in recovery::bring_back(&planned.recovery) {
                self.sim.inject(fault);
            }
            self.sim.settle(recovery::BRING_BACK);
            self.judge_new_events();
            planned = planning.plan(&setup, &self.engine, self.sim.observation());
        }
        let acted = round > 1 || brought_back;
        let plan = &planned.recovery;
        if brought_back && operator_first(plan) {
            let instruction = recovery::instruction(&setup, plan);
            return self.conclude(Outcome::NeedsOperator(instruction), plan, acted);
        }
        if plan.shortfalls.is_empty() {
            let outcome = if acted { Outcome::Serving } else { Outcome::NothingToDo };
            return self.conclude(outcome, plan, acted);
        }
        // What only a person can do (start a group by hand, put values back by hand), the
        // simulator does not do for them: the run is judged as it stands, with the instruction.
        if plan.steps.iter().any(|step| step.action.manual_instruction().is_some()) {
            let instruction = recovery::instruction(&setup, plan);
            return self.conclude(Outcome::NeedsOperator(instruction), plan, acted);
        }
        if round > recovery::MAX_ROUNDS || plan.steps.is_empty() {
            let lacks: Vec<String> = plan.shortfalls.iter().map(|s| s.describe(&setup)).collect();
            return self.conclude(Outcome::Short(lacks.join("; ")), plan, acted);
        }
        // Where the operator starts: the same cluster left by different runs recovers the same
        // way, whenever on the clock it was left (`Sim::rebase`).
        self.sim.rebase(round);
        let mut recovering = planning.start(&setup, &planned, self.sim.now(), round);
        self.sim.note(recovery::started(&recovering));
        self.judge_new_events();
        self.judge.begin_recovery();
        self.next = recovery::first_output(&mut recovering);
        self.recovering = Some(Box::new(recovering));
        false
    }

    /// Ends the run with the recovery's outcome: a cluster that serves again puts right what
    /// recovery undoes; one that does not is judged on what it lacks.
    fn conclude(&mut self, outcome: Outcome, plan: &procedure::recovery::planner::Recovery, acted: bool) -> bool {
        let setup = Arc::clone(self.engine.setup());
        let at = self.sim.now();
        match &outcome {
            Outcome::Serving => self.judge.recovered(),
            Outcome::Short(_) => {
                for (invariant, detail) in recovery::shortfall_violations(&setup, &plan.roles, self.sim.observation()) {
                    self.judge.fell_short(invariant, at, None, detail);
                }
            }
            Outcome::None | Outcome::NothingToDo | Outcome::NeedsOperator(_) => {}
        }
        // A plan that needs a person says so even when nothing was done: the story and the
        // replay then end with what the operator must do.
        if acted || matches!(outcome, Outcome::NeedsOperator(_)) {
            let (serving, detail) = match &outcome {
                Outcome::Serving => (true, String::new()),
                Outcome::Short(lacks) => (false, lacks.clone()),
                Outcome::NeedsOperator(instruction) => (false, format!("the operator must {instruction}")),
                Outcome::None | Outcome::NothingToDo => (true, String::new()),
            };
            self.sim.note(procedure::event::EventKind::RecoveryEnded { serving, detail: Arc::from(detail) });
            self.judge_new_events();
        }
        self.outcome = outcome;
        self.finished = true;
        true
    }

    /// The faults of `faults` a search offers here: those that change the cluster
    /// ([`Sim::fault_changes_state`]), a fault armed for later ([`Fault`]'s `is_armed`) only where
    /// the cluster's next change consults it ([`Machine::consulted_next`]): armed earlier, it
    /// would walk states that differ from these by a flag nothing reads until then, and armed
    /// for an installer that never runs again, it would change nothing at all. With
    /// `striking` false (a run's start, right after a fault), only faults armed for later.
    pub fn faults_to_offer(&self, faults: &[Fault], striking: bool) -> Vec<Fault> {
        let offer = self.offer(faults, striking);
        let consulted = if offer.needs_look_ahead() { self.consulted_next() } else { Vec::new() };
        offer.settle(&consulted)
    }

    /// The faults that may be offered here, before the look ahead settles the armed ones: a
    /// search that goes on from here anyway notes what its own next change consults
    /// ([`Machine::note_consulted`]) instead of looking ahead on a copy.
    pub fn offer(&self, faults: &[Fault], striking: bool) -> Offer {
        let changes = faults.iter().copied().filter(|&f| self.sim.fault_changes_state(f));
        let candidates: Vec<Fault> = changes.filter(|f| striking || f.is_armed()).collect();
        Offer { candidates }
    }

    /// The armed faults ([`Fault`]'s `is_armed`) that the cluster's next change would consult:
    /// a copy of the run goes on to its next transition that is not quiet (a fault point, or
    /// the end with what follows a stop) and says what it consulted. Armed now, such a fault
    /// strikes there; armed earlier, it would only walk states that differ from these by a
    /// flag nothing reads until then.
    pub fn consulted_next(&self) -> Vec<Fault> {
        let mut ahead = self.clone();
        ahead.note_consulted();
        while ahead.step() == Transition::Quiet {}
        ahead.take_consulted()
    }

    /// From now on, notes each armed fault the cluster consults, until
    /// [`Machine::take_consulted`]: what [`Machine::consulted_next`] says, from the run
    /// itself once it has made its next transition that is not quiet.
    pub fn note_consulted(&mut self) {
        self.sim.note_consulted();
    }

    /// The armed faults consulted since [`Machine::note_consulted`], which stops noting.
    pub fn take_consulted(&mut self) -> Vec<Fault> {
        self.sim.take_consulted()
    }

    /// Injects a fault now, after the last transition.
    pub fn inject(&mut self, fault: Fault) {
        let step = self.step_index();
        let in_recovery = self.recovering.is_some();
        let struck = TimedFault { after: self.transitions, step, at: self.sim.now(), fault, in_recovery };
        self.faults = self.faults.iter().copied().chain([struck]).collect();
        self.known.sim = 0;
        self.sim.inject(fault);
        self.judge_new_events();
    }

    /// Makes room for the events of a transition: a copy made for a fault starts with little,
    /// and keeps little while it waits for its turn.
    pub fn reserve_events(&mut self) {
        self.sim.reserve_trace(16);
    }

    /// The procedure's engine and the recovery's, if one runs.
    /// Once a recovery runs, the run's engine decides only what the next round is planned
    /// from (its roles and apply window), and the recovery's is seen from its start.
    fn engine_fingerprint(&self, state: &mut FxHasher) {
        match &self.recovering {
            Some(recovering) => {
                std::hash::Hash::hash(&self.engine.roles(), state);
                std::hash::Hash::hash(&self.engine.window(), state);
                recovering.fingerprint(self.sim.origin().unwrap_or_default(), state);
            }
            None => self.engine.fingerprint(state),
        }
    }

    /// A 64-bit fingerprint of everything that decides the run's future: the engine, the
    /// cluster and the judge. Two states with the same fingerprint are the same state (up to
    /// a hash collision, one in 2^64 per pair).
    pub fn fingerprint(&mut self) -> u64 {
        let fresh = Known {
            engine: known_or(self.known.engine, |h| self.engine_fingerprint(h)),
            sim: known_or(self.known.sim, |h| self.sim.fingerprint(h)),
            judge: known_or(self.known.judge, |h| self.judge.fingerprint(h)),
        };
        // Debug builds (the tests) check every cached part against the part itself.
        #[cfg(debug_assertions)]
        {
            let recomputed = (
                known_or(0, |h| self.engine_fingerprint(h)),
                known_or(0, |h| self.sim.fingerprint(h)),
                known_or(0, |h| self.judge.fingerprint(h)),
            );
            assert_eq!(recomputed, (fresh.engine, fresh.sim, fresh.judge), "a part's cached fingerprint is stale");
        }
        self.known = fresh;
        let mut hasher = FxHasher::default();
        hasher.write_u64(fresh.engine);
        hasher.write_u64(fresh.sim);
        hasher.write_u64(fresh.judge);
        std::hash::Hash::hash(&self.next, &mut hasher);
        let origin = self.sim.origin().unwrap_or_default();
        std::hash::Hash::hash(&self.wait_until.map(|at| at.saturating_sub(origin)), &mut hasher);
        std::hash::Hash::hash(&self.finished, &mut hasher);
        hasher.finish()
    }

    /// Runs to the end, injecting each of `faults` as the step it is staged before begins;
    /// the faults injected are those whose step began.
    pub fn run_staged(mut self, faults: &[StagedFault]) -> (Machine, Vec<StagedFault>) {
        let mut injected = Vec::new();
        loop {
            match self.step() {
                Transition::Finished => return (self, injected),
                Transition::StepBegun(step) => {
                    for staged in faults.iter().filter(|f| f.before_step == step) {
                        self.inject(staged.fault);
                        injected.push(*staged);
                    }
                }
                Transition::FaultPoint | Transition::Quiet => {}
            }
        }
    }

    /// Runs to the end, injecting each of `faults` right after its transition.
    pub fn run_with(mut self, faults: &[TimedFault]) -> Machine {
        let mut pending = faults.iter().peekable();
        while let Some(fault) = pending.next_if(|f| f.after == 0) {
            self.inject(fault.fault);
        }
        while self.step() != Transition::Finished {
            while let Some(fault) = pending.next_if(|f| f.after == self.transitions) {
                self.inject(fault.fault);
            }
        }
        self
    }
}
