//! A simulator with faults staged at step boundaries: each fault is injected when the
//! engine marks the step it is staged before. This is how `run --scenario` and `check` put
//! faults into a run, and how a journal is replayed to rebuild a simulated cluster.

use std::time::Duration;

use procedure::backend::{Backend, BackendError, Observation, Operation};
use procedure::event::{Event, Fault};
use procedure::journal::Record;
use procedure::setup::Setup;

use crate::sim::Sim;

/// A fault staged before a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StagedFault {
    /// Index of the step.
    pub before_step: usize,
    /// The fault.
    pub fault: Fault,
}

/// A [`Sim`] that injects staged faults as steps begin.
#[derive(Debug, Clone)]
pub struct StagedSim {
    /// The simulator.
    pub sim: Sim,
    faults: Vec<StagedFault>,
}

impl StagedSim {
    /// Wraps `sim` with `faults`.
    pub fn new(sim: Sim, faults: Vec<StagedFault>) -> StagedSim {
        StagedSim { sim, faults }
    }

    /// Rebuilds the simulated cluster of an interrupted run by replaying its journal: the same
    /// seed, the same faults at the same steps, the same operations at the same virtual times.
    /// The simulator is deterministic, so this reaches the state the run was in.
    pub fn replay(mut self, setup: &Setup, records: &[Record], until: Duration) -> StagedSim {
        for record in records {
            match record {
                Record::StepStarted { step, at_ms, .. } => {
                    self.advance_to(Duration::from_millis(*at_ms));
                    self.mark_step(*step);
                }
                Record::Intent { operation, at_ms, .. } => {
                    self.advance_to(Duration::from_millis(*at_ms));
                    if let Ok(operation) = operation.to_operation(setup) {
                        let _ = self.sim.execute(&operation);
                    }
                }
                _ => {}
            }
        }
        self.advance_to(until);
        self
    }

    fn advance_to(&mut self, at: Duration) {
        let now = self.sim.now();
        if at > now {
            self.sim.advance(at - now);
        }
    }
}

impl Backend for StagedSim {
    fn observe(&mut self) -> Result<&Observation, BackendError> {
        self.sim.observe()
    }

    fn execute(&mut self, operation: &Operation) -> Result<(), BackendError> {
        self.sim.execute(operation)
    }

    fn wait(&mut self, length: Duration) {
        self.sim.wait(length);
    }

    fn now(&self) -> Duration {
        self.sim.now()
    }

    fn mark_step(&mut self, step: usize) {
        self.sim.mark_step(step);
        let due: Vec<Fault> = self.faults.iter().filter(|f| f.before_step == step).map(|f| f.fault).collect();
        self.faults.retain(|f| f.before_step != step);
        for fault in due {
            self.sim.inject(fault);
        }
    }

    fn events(&self) -> &[Event] {
        self.sim.trace()
    }
}
