//! Work `check --suggest` reuses between candidates: the fault schedules that broke an
//! invariant in the candidates already searched, replayed on the next candidate before its
//! own search. Most candidates leave the fault's place as it was (an edit after it, or one
//! that does not touch what the faults strike), so one replayed run shows what a search of
//! the whole state space would: an invariant still broken.
//!
//! A replay only ever proves a violation, never that an invariant holds: each fault strikes
//! where the search would offer it (after a transition that is a fault point, as one of the
//! faults the search offers there), so the replayed run is one of the candidate's runs with
//! at most as many faults. A candidate is passed over without its search only when the
//! search could tell nothing more: some invariant is broken (it is no repair), and every
//! other broken invariant is already known to be prevented by an earlier candidate. The
//! repairs and the unpreventable invariants are then the same as without the replays;
//! `suggest/tests.rs` compares the two.
//!
//! Why not the procedure's prefix, explored once: a run that stops before the edit is
//! recovered by a plan drawn from the whole procedure (the unzip step, the first install,
//! the exports before it), and a guard reads the steps before the first install, which may
//! come after the edit; see ARCHITECTURE.md.

use std::collections::BTreeSet;
use std::sync::Arc;

use procedure::event::Fault;
use procedure::invariant::Invariant;
use procedure::setup::Setup;
use sim_cluster::explore::{Explorer, Mode};
use sim_cluster::model::search::Found;
use sim_cluster::model::{Machine, Transition};

/// At most how many schedules are kept per way (the most recently useful first).
const KEPT: usize = 24;

/// What a fault's place is counted from, by step id (an edit moves steps' indices).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Anchor {
    Start,
    Step(String),
    Recovery,
}

/// A fault struck `offset` transitions after its anchor came.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placed {
    anchor: Anchor,
    offset: u32,
    fault: Fault,
}

/// A fault schedule that broke an invariant in some candidate.
type Schedule = Vec<Placed>;

/// The schedules kept, per way.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    ways: Vec<(Mode, Vec<Schedule>)>,
    /// Candidates passed over thanks to a replay.
    pub(crate) passed_over: usize,
}

/// The run of a way that a search or a replay makes: its setup, seed and recovery.
pub(crate) struct Run<'a> {
    pub(crate) setup: &'a Arc<Setup>,
    pub(crate) mode: Mode,
    pub(crate) seed: u64,
    pub(crate) recovery: bool,
}

impl Run<'_> {
    fn explorer(&self) -> Explorer {
        Explorer::new(Arc::clone(self.setup), self.seed).in_mode(self.mode).with_recovery(self.recovery)
    }

    fn machine(&self, explorer: &Explorer) -> Machine {
        Machine::new(self.setup, self.seed, explorer.engine_config(), false).recovering(self.recovery)
    }
}

impl Pool {
    /// Keeps the faults of a counterexample that `run` found, placed by the steps they struck
    /// in.
    pub(crate) fn keep(&mut self, run: &Run<'_>, found: &Found) {
        let explorer = run.explorer();
        let (_, offsets) = run.machine(&explorer).run_noting_anchors(&found.faults);
        let steps = &run.setup.procedure.steps;
        let schedule: Schedule = found
            .faults
            .iter()
            .zip(offsets)
            .map(|(fault, offset)| match offset {
                Some(offset) if fault.in_recovery => Placed { anchor: Anchor::Recovery, offset, fault: fault.fault },
                Some(offset) => match steps.get(fault.step) {
                    Some(step) => Placed { anchor: Anchor::Step(step.id.clone()), offset, fault: fault.fault },
                    None => Placed { anchor: Anchor::Start, offset: fault.after, fault: fault.fault },
                },
                None => Placed { anchor: Anchor::Start, offset: fault.after, fault: fault.fault },
            })
            .collect();
        let way = match self.ways.iter().position(|(mode, _)| *mode == run.mode) {
            Some(way) => way,
            None => {
                self.ways.push((run.mode, Vec::new()));
                self.ways.len() - 1
            }
        };
        let kept = &mut self.ways[way].1;
        if !kept.contains(&schedule) {
            kept.insert(0, schedule);
            kept.truncate(KEPT);
        }
    }

    /// Whether replays show that a search of `setup` (every way of `modes`) could tell
    /// nothing more: it breaks some invariant, and each of `broken` that it does not break
    /// is in `prevented` already.
    pub(crate) fn rules_out(
        &mut self,
        setup: &Arc<Setup>,
        modes: &[Mode],
        (seed, recovery): (u64, bool),
        broken: &BTreeSet<Invariant>,
        prevented: &BTreeSet<Invariant>,
    ) -> bool {
        let mut shown = BTreeSet::new();
        let done = |shown: &BTreeSet<Invariant>| tells_nothing_more(shown, broken, prevented);
        for way in self.ways.iter_mut() {
            let mode = way.0;
            if !modes.contains(&mode) {
                continue;
            }
            let run = Run { setup, mode, seed, recovery };
            let explorer = run.explorer();
            let faults = explorer.candidate_faults();
            for index in 0..way.1.len() {
                let enough = |more: &BTreeSet<Invariant>| done(&shown.union(more).copied().collect());
                let Some(violated) = replay(&run, &explorer, &faults, &way.1[index], &enough) else { continue };
                if violated.is_empty() {
                    continue;
                }
                shown.extend(violated);
                // Useful again: tried first next time.
                let schedule = way.1.remove(index);
                way.1.insert(0, schedule);
                if done(&shown) {
                    self.passed_over += 1;
                    return true;
                }
            }
        }
        false
    }
}

/// The invariants broken (and not put right by the recovery) when `schedule` strikes in
/// `run`; none when a fault would strike where the search offers no such fault, so that the
/// run would not be one of the search's. The run stops early once the violations told so
/// far, which no recovery puts right, are `enough`.
fn replay(
    run: &Run<'_>,
    explorer: &Explorer,
    faults: &[Fault],
    schedule: &Schedule,
    enough: &dyn Fn(&BTreeSet<Invariant>) -> bool,
) -> Option<BTreeSet<Invariant>> {
    let steps = &run.setup.procedure.steps;
    let mut machine = run.machine(explorer);
    let mut begun: Vec<(&str, u32)> = Vec::new();
    let mut recovery: Option<u32> = None;
    let mut struck = vec![false; schedule.len()];
    let mut transition = None;
    loop {
        // The faults due now, in the schedule's order: the first strikes as the search
        // strikes at a fault point (or, at the start, as a run's start is offered faults);
        // each after it as a run's start right after a fault is.
        let mut first = true;
        let now = machine.transitions();
        for (index, placed) in schedule.iter().enumerate() {
            let from = match &placed.anchor {
                Anchor::Start => Some(0),
                Anchor::Step(id) => begun.iter().find(|(begun, _)| begun == id).map(|&(_, at)| at),
                Anchor::Recovery => recovery,
            };
            if struck[index] || from.map(|from| from.saturating_add(placed.offset)) != Some(now) {
                continue;
            }
            let striking = first && transition.is_some();
            if striking && !transition.is_some_and(Transition::is_fault_point) {
                return None;
            }
            if !machine.faults_to_offer(faults, striking).contains(&placed.fault) {
                return None;
            }
            machine.inject(placed.fault);
            struck[index] = true;
            first = false;
        }
        let judged = machine.violations().len();
        let next = machine.step();
        if next == Transition::Finished {
            break;
        }
        if machine.violations().len() > judged {
            // Told at once, such a violation stays: a recovery does not put it right.
            let told: BTreeSet<Invariant> = machine
                .violations()
                .iter()
                .filter(|v| !v.recovered && !machine.defers(v.invariant))
                .map(|v| v.invariant)
                .collect();
            if enough(&told) {
                return Some(told);
            }
        }
        if let Transition::StepBegun(step) = next
            && let Some(step) = steps.get(step)
            && !begun.iter().any(|(id, _)| *id == step.id)
        {
            begun.push((&step.id, machine.transitions()));
        }
        if recovery.is_none() && machine.in_recovery() {
            recovery = Some(machine.transitions());
        }
        transition = Some(next);
    }
    Some(machine.violations().iter().filter(|v| !v.recovered).map(|v| v.invariant).collect())
}

/// Whether a candidate that breaks `violated` could tell the search nothing more: it breaks
/// something (it is no repair), and each of `broken` that it does not break is known
/// prevented by some candidate already.
pub(crate) fn tells_nothing_more(
    violated: &BTreeSet<Invariant>,
    broken: &BTreeSet<Invariant>,
    prevented: &BTreeSet<Invariant>,
) -> bool {
    !violated.is_empty() && broken.iter().all(|i| violated.contains(i) || prevented.contains(i))
}
