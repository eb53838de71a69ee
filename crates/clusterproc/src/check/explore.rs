//! The exploration behind `check`: each way (as written, guarded) run with no fault, random
//! schedules, the breadth-first fault search and mutants, and the shortest witness kept for
//! each invariant broken.

use std::collections::BTreeMap;

use procedure::accept::AcceptedRisks;
use procedure::cluster::MonitorId;
use procedure::duration::clock;
use procedure::engine::GuardRefusal;
use procedure::event::{Event, EventKind, Recovery};
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use sim_cluster::control::Control;
use sim_cluster::explore::{Exploration, Explorer, Mode, MutantResult, RunResult, Schedule, aftermath};
use sim_cluster::model::search::{AcceptedSchedule, SearchConfig, SearchResult, search};

use super::args::{CheckArgs, FaultDepth};

/// The shortest run found that breaks an invariant.
#[derive(Debug, Clone)]
pub(super) struct Witness {
    pub(super) seed: u64,
    pub(super) schedule: Schedule,
    pub(super) violation: Violation,
}

/// One way of running, explored.
pub(super) struct Way {
    pub(super) mode: Mode,
    pub(super) explorer: Explorer,
    pub(super) baseline: RunResult,
    pub(super) baseline_aftermath: Vec<String>,
    /// Each monitor's recovery actions in the run with no fault, in a line.
    pub(super) baseline_recoveries: Vec<String>,
    pub(super) witnesses: BTreeMap<Invariant, Witness>,
    /// The shortest run of each invariant broken and put right by the recovery after it
    /// (none where `witnesses` has the invariant).
    pub(super) recovered: BTreeMap<Invariant, Witness>,
    pub(super) prevented: BTreeMap<Invariant, (GuardRefusal, Schedule)>,
    /// The shortest violation each entry of the accepted-risks file matched, by the entry's
    /// index.
    pub(super) accepted: BTreeMap<usize, (Invariant, Witness)>,
    pub(super) search: Option<SearchResult>,
    /// Random schedules run (`--cases`).
    pub(super) random_runs: usize,
    pub(super) runs: usize,
    pub(super) completed: usize,
    pub(super) stopped_safely: usize,
    pub(super) violated: usize,
    /// Runs whose broken invariants the recovery after them all put right.
    pub(super) recovered_runs: usize,
    pub(super) mutants: Option<Vec<MutantResult>>,
}

impl Way {
    fn offer(&mut self, invariant: Invariant, witness: Witness) {
        let kept = if witness.violation.recovered { &mut self.recovered } else { &mut self.witnesses };
        let better = match kept.get(&invariant) {
            None => true,
            Some(known) => (witness.schedule.len(), witness.violation.at) < (known.schedule.len(), known.violation.at),
        };
        if better {
            kept.insert(invariant, witness);
        }
    }

    /// The accepted violation each invariant that no other run broke reads as: the earliest
    /// an entry matched, with the entry's index.
    pub(super) fn accepted_shown(&self) -> BTreeMap<Invariant, (usize, &Witness)> {
        let mut shown: BTreeMap<Invariant, (usize, &Witness)> = BTreeMap::new();
        for (&index, (invariant, witness)) in &self.accepted {
            if self.witnesses.contains_key(invariant) {
                continue;
            }
            let key = |w: &Witness| (w.schedule.len(), w.violation.at);
            if shown.get(invariant).is_none_or(|(_, known)| key(witness) < key(known)) {
                shown.insert(*invariant, (index, witness));
            }
        }
        shown
    }

    /// Drops the recovered runs of invariants that some run broke for good.
    fn settle(&mut self) {
        let witnesses = &self.witnesses;
        let accepted: Vec<Invariant> = self.accepted.values().map(|(invariant, _)| *invariant).collect();
        self.recovered.retain(|invariant, _| !witnesses.contains_key(invariant) && !accepted.contains(invariant));
    }
}

/// Explores each way; with two threads or more the ways are explored at once, each on its
/// share of the threads (they are independent, so the result is the same).
pub(super) fn explore_ways(
    explorer: &Explorer,
    modes: &[Mode],
    args: &CheckArgs,
    accepted: Option<&AcceptedRisks>,
    watch: &Control,
) -> Vec<Way> {
    let jobs = args.jobs.max(1);
    if jobs < 2 || modes.len() < 2 {
        return modes
            .iter()
            .map(|&mode| explore(explorer.in_mode(mode), args, &super::accept::schedules(accepted, mode), jobs, watch))
            .collect();
    }
    let share = (jobs / modes.len()).max(1);
    std::thread::scope(|scope| {
        let running: Vec<_> = modes
            .iter()
            .map(|&mode| {
                let explorer = explorer.in_mode(mode);
                let schedules = super::accept::schedules(accepted, mode);
                scope.spawn(move || explore(explorer, args, &schedules, share, watch))
            })
            .collect();
        // A panic in a way is a bug; it goes on as the same panic here.
        running.into_iter().map(|way| way.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// One way's exploration; its search runs on `jobs` threads, and keeps apart the violations
/// that match `accepted` (each with the index of its entry).
pub(super) fn explore(
    explorer: Explorer,
    args: &CheckArgs,
    accepted: &[(usize, AcceptedSchedule)],
    jobs: usize,
    watch: &Control,
) -> Way {
    let (baseline, sim) = explorer.run(&[]);
    let baseline_aftermath = aftermath(explorer.setup(), sim.trace());
    let baseline_recoveries = monitor_recoveries(explorer.setup(), sim.trace());
    let mut found = Exploration::default();
    found.keep_counterexamples(&baseline, args.seed, None);
    let random = match args.cases {
        Some(cases) if cases > 0 && !watch.stopped() => explorer.random(cases, args.seed),
        _ => Exploration::default(),
    };
    found.merge(&random);
    let FaultDepth(max_faults) = args.faults;
    let search = (max_faults > 0 && !watch.stopped()).then(|| {
        let config = SearchConfig {
            max_faults,
            faults: explorer.candidate_faults(),
            seed: args.seed,
            engine: explorer.engine_config().clone(),
            jobs,
            shard: args.shard,
            recovery: explorer.recovery(),
            accepted: accepted.iter().map(|(_, schedule)| schedule.clone()).collect(),
        };
        search(explorer.setup(), &config, watch)
    });
    let mutants = (args.mutants && !watch.stopped()).then(|| explorer.mutants().0);
    let mut way = Way {
        mode: explorer.mode(),
        baseline,
        baseline_aftermath,
        baseline_recoveries,
        witnesses: BTreeMap::new(),
        recovered: BTreeMap::new(),
        prevented: BTreeMap::new(),
        accepted: BTreeMap::new(),
        random_runs: random.runs,
        runs: random.runs,
        completed: random.successes,
        stopped_safely: random.safe_stops,
        violated: random.violations,
        recovered_runs: random.recovered,
        search: None,
        mutants,
        explorer,
    };
    for (invariant, counterexample) in found.counterexamples.iter().chain(&found.recovered_examples) {
        let schedule = Schedule::Staged(counterexample.faults.clone());
        let witness = Witness { seed: counterexample.seed, schedule, violation: counterexample.violation.clone() };
        way.offer(*invariant, witness);
    }
    for (invariant, prevention) in &found.prevented {
        way.prevented.insert(*invariant, (prevention.refusal.clone(), Schedule::Staged(prevention.faults.clone())));
    }
    if let Some(search) = search {
        way.runs += search.ends as usize;
        way.completed += search.completed as usize;
        way.stopped_safely += search.stopped_safely as usize;
        way.violated += search.violated as usize;
        way.recovered_runs += search.recovered as usize;
        for (invariant, found) in search.counterexamples.iter().chain(&search.recovered_examples) {
            let schedule = Schedule::Timed(found.faults.clone());
            way.offer(*invariant, Witness { seed: args.seed, schedule, violation: found.violation.clone() });
        }
        for (index, found) in &search.accepted {
            let schedule = Schedule::Timed(found.faults.clone());
            let witness = Witness { seed: args.seed, schedule, violation: found.violation.clone() };
            way.accepted.insert(accepted[*index].0, (found.violation.invariant, witness));
        }
        for (invariant, prevented) in &search.prevented {
            way.prevented
                .entry(*invariant)
                .or_insert_with(|| (prevented.refusal.clone(), Schedule::Timed(prevented.faults.clone())));
        }
        way.search = Some(search);
    }
    way.settle();
    way
}

/// Each monitor's recovery actions in `events`, in order, one line a monitor: what spends its
/// reactivation and failover counts, and with them the room left before its final action.
/// Where the cluster keeps the counts for the run, every stop of a monitored service that
/// the monitor puts right counts, however many windows apart.
pub(super) fn monitor_recoveries(setup: &Setup, events: &[Event]) -> Vec<String> {
    let mut by_monitor: BTreeMap<MonitorId, Vec<String>> = BTreeMap::new();
    for event in events {
        if let EventKind::MonitorRecovery { monitor, action, .. } = &event.kind {
            let what = match action {
                Recovery::Restart => "reactivation".to_owned(),
                Recovery::Failover => "failover".to_owned(),
                Recovery::FinalAction(final_action) => format!("final action {final_action:?}"),
            };
            by_monitor.entry(*monitor).or_default().push(format!("{what} at {}", clock(event.at)));
        }
    }
    let counts = setup.cluster.recovery_counts.keyword();
    by_monitor
        .into_iter()
        .map(|(monitor, actions)| {
            format!("monitor {}: {} (recovery-counts = \"{counts}\")", setup.monitor_name(monitor), actions.join(", "))
        })
        .collect()
}
