//! The recovery a check runs after a run with faults: the run ended (stopped, or completed
//! short of a serving cluster), the cluster did what it does with nobody acting, and then the
//! operator runs `clusterproc recover`. The planner (`procedure::recovery::planner`) plans
//! from the cluster as it is, the engine runs the plan with its guards on, on the same
//! cluster, and faults may strike during it as during the run (within the same budget).
//! A recovery that stops is planned again from where it left the cluster, up to
//! [`MAX_ROUNDS`] times, as an operator would run `recover` again.
//!
//! Nodes the plan asks the operator to bring back (down, not answering) are brought back as
//! the operator would, as `recover` does on the simulator. A plan that needs what the
//! simulator cannot do for the operator (wait for a hung installer, put values back by
//! hand) ends the recovery there: the run is judged as it stands, and the instruction is
//! what the report gives as the way back.
//!
//! At the end, a cluster that serves puts right every violation that recovery undoes
//! ([`procedure::invariant::Invariant::undone_by_recovery`]); one that does not is judged
//! on what it lacks.

use std::collections::BTreeMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use procedure::engine::{Engine, EngineConfig, Input, Output};
use procedure::event::{EventKind, Fault};
use procedure::invariant::Invariant;
use procedure::journal::Resumption;
use procedure::recovery::planner::{Recovery, plan};
use procedure::recovery::serving::{Shortfall, shortfalls};
use procedure::roles::Roles;
use procedure::setup::Setup;

use super::fingerprint::FxHasher;

/// How many times a recovery is planned and run before the run is judged as it stands.
pub const MAX_ROUNDS: u8 = 3;

/// How long the cluster is left to settle after the operator brings nodes back.
pub(super) const BRING_BACK: Duration = Duration::from_secs(3600);

/// A recovery under way: its engine, the plan's steps and which round it is.
#[derive(Debug, Clone)]
pub(super) struct Recovering {
    pub(super) engine: Engine,
    /// The hash of the plan's steps: two recoveries at the same place of different plans
    /// differ.
    pub(super) plan: u64,
    pub(super) round: u8,
}

impl Recovering {
    /// Its fingerprint, times seen from `origin`: where it began (`Sim::rebase`).
    pub(super) fn fingerprint<H: std::hash::Hasher>(&self, origin: Duration, state: &mut H) {
        self.engine.fingerprint_from(origin, state);
        self.plan.hash(state);
        self.round.hash(state);
    }

    /// The title of the recovery's `step`.
    pub(super) fn title(&self, step: usize) -> Arc<str> {
        self.engine.setup().procedure.steps.get(step).map_or_else(|| Arc::from("?"), |s| Arc::from(s.title.as_str()))
    }
}

/// How the recovery after a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// No recovery: the run had no fault, or recovery is off.
    None,
    /// The cluster served when the run ended: nothing to recover.
    NothingToDo,
    /// The recovery ran and the cluster serves.
    Serving,
    /// The recovery ran and the cluster still lacks this.
    Short(String),
    /// The plan needs the operator for what the simulator cannot do: this instruction.
    NeedsOperator(String),
}

/// Plans kept, at most (then forgotten all at once; planning again gives the same plan). The
/// runs that meet the same cluster come close together: on the seed at 4 faults, 64 kept
/// plans save as much time as 16,384 (0.57 against 0.55 s, from 0.66 with none), and each
/// takes several kilobytes (28.3 against 33.8 MB).
const PLANS_KEPT: usize = 64;

/// Recovery procedures kept, at most (each holds a copy of the cluster's description).
const SETUPS_KEPT: usize = 256;

/// What every copy of a run plans its recoveries with: the engine's configuration, and the
/// plans already made. Many runs end with the cluster in the same state (their clocks differ,
/// which the planner does not read), and planning and setting up a plan's engine cost more
/// than the rest of a short recovery; so a plan is kept by what it was planned from, and a
/// plan's procedure by its steps.
#[derive(Debug)]
pub(super) struct Planning {
    /// The recovery's engine configuration (guards on).
    pub(super) config: EngineConfig,
    plans: Mutex<BTreeMap<u64, Arc<Planned>>>,
    setups: Mutex<BTreeMap<u64, Arc<Setup>>>,
}

/// A plan, and its procedure once a recovery ran it.
#[derive(Debug)]
pub(super) struct Planned {
    pub(super) recovery: Recovery,
    /// The plan as a procedure of the module, and the hash of its steps.
    setup: OnceLock<(Arc<Setup>, u64)>,
}

impl Planning {
    /// Planning for recoveries whose engine runs with `config` (the guards are turned on).
    pub(super) fn new(config: EngineConfig) -> Planning {
        Planning { config: config.with_guards(true), plans: Mutex::default(), setups: Mutex::default() }
    }

    /// The round's plan from the cluster as `observation` shows it, after the run `run`:
    /// made, or the one made before from the same cluster, roles and apply window.
    pub(super) fn plan(
        &self,
        setup: &Setup,
        run: &Engine,
        observation: &procedure::backend::Observation,
    ) -> Arc<Planned> {
        let mut key = FxHasher::default();
        // Everything the planner reads: the observation but for its date, and what the
        // journal would say of the run.
        let procedure::backend::Observation { at: _, nodes, groups, resources, mirror_unzipped } = observation;
        (nodes, groups, resources, mirror_unzipped).hash(&mut key);
        (run.roles(), run.window()).hash(&mut key);
        let key = key.finish();
        let kept = self.plans.lock().ok().and_then(|plans| plans.get(&key).cloned());
        if let Some(planned) = kept {
            // Debug builds (the tests) check that the plan kept is the plan made.
            debug_assert_eq!(
                format!("{:?}", planned.recovery),
                format!("{:?}", planned_anew(setup, run, observation)),
                "a kept recovery plan differs from the one made again"
            );
            return planned;
        }
        let planned = Arc::new(Planned { recovery: planned_anew(setup, run, observation), setup: OnceLock::new() });
        if let Ok(mut plans) = self.plans.lock() {
            if plans.len() >= PLANS_KEPT {
                plans.clear();
            }
            plans.insert(key, Arc::clone(&planned));
        }
        planned
    }

    /// The recovery's engine: the plan as a procedure of the module, started where the run
    /// left the roles and the apply window, at `at`.
    pub(super) fn start(&self, setup: &Setup, planned: &Planned, at: Duration, round: u8) -> Recovering {
        let (recovery_setup, plan) = planned.setup.get_or_init(|| {
            let procedure = planned.recovery.procedure(setup);
            let mut hasher = FxHasher::default();
            hasher.write(procedure.content_hash.as_bytes());
            let plan = hasher.finish();
            let mut setups = self.setups.lock().ok();
            let kept = setups.as_ref().and_then(|setups| setups.get(&plan).cloned());
            let recovery_setup = kept.unwrap_or_else(|| {
                let made = Arc::new(Setup::new(setup.cluster.clone(), procedure));
                if let Some(setups) = setups.as_mut() {
                    if setups.len() >= SETUPS_KEPT {
                        setups.clear();
                    }
                    setups.insert(plan, Arc::clone(&made));
                }
                made
            });
            (recovery_setup, plan)
        });
        let start = planned.recovery.start(at, None);
        let engine = Engine::resumed(Arc::clone(recovery_setup), self.config.clone(), &start);
        Recovering { engine, plan: *plan, round }
    }
}

/// What the planner reads of the run: its roles and apply window, as its journal would say.
pub(super) fn resumption(engine: &Engine) -> Resumption {
    let (apply_started, resumed, restart_pending) = engine.window();
    Resumption {
        roles: engine.roles().cloned(),
        next_step: 0,
        apply_started,
        resumed,
        restart_pending,
        completed_operations: Vec::new(),
        unfinished: None,
        finished: None,
        last_at: Duration::ZERO,
        seed: None,
        scenario: None,
        records: Vec::new(),
    }
}

/// What the plan asks first of the operator that the simulator does for them: the faults
/// that bring the nodes back (an installer still running is waited for: the cluster then
/// settles for [`BRING_BACK`]); what else it asks first is planned again after that.
pub(super) fn bring_back(recovery: &Recovery) -> Vec<Fault> {
    recovery.shortfalls.iter().filter_map(Shortfall::brought_back_by).collect()
}

/// The first instruction of a plan that needs the operator.
pub(super) fn instruction(setup: &Setup, recovery: &Recovery) -> String {
    recovery.steps.iter().find_map(|step| step.action.manual_instruction().map(str::to_owned)).unwrap_or_else(|| {
        let lacks: Vec<String> = recovery.shortfalls.iter().map(|s| s.describe(setup)).collect();
        lacks.join("; ")
    })
}

/// The engine's first output.
pub(super) fn first_output(recovering: &mut Recovering) -> Output {
    recovering.engine.next(Input::Start)
}

/// The event that opens a round.
pub(super) fn started(recovering: &Recovering) -> EventKind {
    let steps = recovering.engine.setup().procedure.steps.len();
    EventKind::RecoveryStarted { round: recovering.round, steps: u16::try_from(steps).unwrap_or(u16::MAX) }
}

/// What a cluster that does not serve lacks, as the violations it stands for: a module
/// missing on some nodes but not all is a partial update (judged module by module); anything
/// else (and a module missing everywhere) is a cluster not restored.
pub(super) fn shortfall_violations(
    setup: &Setup,
    roles: &Roles,
    observation: &procedure::backend::Observation,
) -> Vec<(Invariant, String)> {
    let found = shortfalls(setup, roles, observation);
    let nodes = setup.cluster.nodes.len();
    let missing = |module: procedure::module::ModuleId| {
        found.iter().filter(|s| matches!(s, Shortfall::ModuleMissing(_, m) if *m == module)).count()
    };
    let partial = |s: &&Shortfall| matches!(s, Shortfall::ModuleMissing(_, m) if missing(*m) < nodes);
    let lacks: Vec<String> = found.iter().filter(partial).map(|s| s.describe(setup)).collect();
    let mut violations = Vec::new();
    if !lacks.is_empty() {
        violations.push((Invariant::PartialUpdate, lacks.join("; ")));
    }
    let rest: Vec<String> = found.iter().filter(|s| !partial(s)).map(|s| s.describe(setup)).collect();
    if !rest.is_empty() {
        violations.push((Invariant::ClusterNotRestored, rest.join("; ")));
    }
    violations
}

/// Plans the round's recovery from the cluster as it is.
fn planned_anew(setup: &Setup, run: &Engine, observation: &procedure::backend::Observation) -> Recovery {
    plan(setup, Some(&resumption(run)), observation)
}
