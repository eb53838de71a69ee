//! Faults placed by the step they strike in: a counterexample's faults struck after
//! transitions counted from the start of the run would land elsewhere once a step is
//! inserted before them, so a counterexample file also records how many transitions after
//! its step began (or after the recovery began) each fault struck, and a replay against an
//! edited procedure strikes it that many transitions after the same step begins there.

use procedure::event::Fault;

use super::{Machine, TimedFault, Transition};

/// What a fault's place is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The start of the run (files of earlier builds, and faults before the first step).
    Start,
    /// The first time the step (its index in the procedure run) begins.
    Step(usize),
    /// The moment the recovery after the run begins.
    Recovery,
}

/// A fault struck `offset` transitions after its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchoredFault {
    /// What it is counted from.
    pub anchor: Anchor,
    /// How many transitions after the anchor.
    pub offset: u32,
    /// The fault.
    pub fault: Fault,
}

/// The transitions at which the anchors came, as a run meets them.
#[derive(Debug, Default)]
struct Anchors {
    steps: Vec<(usize, u32)>,
    recovery: Option<u32>,
}

impl Anchors {
    /// Notes what the transition just made (`transition`, the count so far) began.
    fn note(&mut self, machine: &Machine, transition: Transition) {
        if let Transition::StepBegun(step) = transition
            && !self.steps.iter().any(|&(known, _)| known == step)
        {
            self.steps.push((step, machine.transitions));
        }
        if self.recovery.is_none() && machine.in_recovery() {
            self.recovery = Some(machine.transitions);
        }
    }

    fn at(&self, anchor: Anchor) -> Option<u32> {
        match anchor {
            Anchor::Start => Some(0),
            Anchor::Step(step) => self.steps.iter().find(|&&(known, _)| known == step).map(|&(_, at)| at),
            Anchor::Recovery => self.recovery,
        }
    }
}

impl Machine {
    /// Runs to the end with `faults` struck after their transitions, as [`Machine::run_with`]
    /// does, and tells how many transitions after its anchor each struck: after its step
    /// began, or the recovery for one struck during it (none for one struck at the start).
    pub fn run_noting_anchors(mut self, faults: &[TimedFault]) -> (Machine, Vec<Option<u32>>) {
        let mut anchors = Anchors::default();
        let mut pending = faults.iter().peekable();
        while let Some(fault) = pending.next_if(|f| f.after == 0) {
            self.inject(fault.fault);
        }
        loop {
            let transition = self.step();
            if transition == Transition::Finished {
                break;
            }
            anchors.note(&self, transition);
            while let Some(fault) = pending.next_if(|f| f.after == self.transitions) {
                self.inject(fault.fault);
            }
        }
        let offsets = faults
            .iter()
            .map(|fault| {
                let anchor = if fault.in_recovery { Anchor::Recovery } else { Anchor::Step(fault.step) };
                let from = anchors.at(anchor).filter(|_| fault.after > 0)?;
                fault.after.checked_sub(from)
            })
            .collect();
        (self, offsets)
    }

    /// Runs to the end striking each of `faults` `offset` transitions after its anchor came;
    /// tells, for each, the transition it struck after, or none when its anchor never came.
    pub fn run_anchored(mut self, faults: &[AnchoredFault]) -> (Machine, Vec<Option<u32>>) {
        let mut anchors = Anchors::default();
        let mut struck: Vec<Option<u32>> = vec![None; faults.len()];
        let strike_due = |machine: &mut Machine, anchors: &Anchors, struck: &mut Vec<Option<u32>>| {
            for (index, fault) in faults.iter().enumerate() {
                let due = anchors.at(fault.anchor).map(|from| from.saturating_add(fault.offset));
                if struck[index].is_none() && due == Some(machine.transitions) {
                    machine.inject(fault.fault);
                    struck[index] = Some(machine.transitions);
                }
            }
        };
        strike_due(&mut self, &anchors, &mut struck);
        loop {
            let transition = self.step();
            if transition == Transition::Finished {
                break;
            }
            anchors.note(&self, transition);
            strike_due(&mut self, &anchors, &mut struck);
        }
        (self, struck)
    }
}
