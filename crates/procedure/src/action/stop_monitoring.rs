//! `stop-monitoring`: set the Task Manager watch of services to Not monitoring on the node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::Watch;
use crate::operation::Operation;
use crate::cluster::ServiceId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Set the "Task Manager" watch of services to Not monitoring on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopMonitoring {
    /// The services; every watched service when absent.
    pub services: Option<Vec<ServiceId>>,
}

impl Kind for StopMonitoring {
    const KEYWORD: &'static str = "stop-monitoring";
    const TAKES: &'static [&'static str] = &["services"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StopMonitoring { services: args.services(false)? })
    }
}

impl Behaviour for StopMonitoring {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let list: Vec<ServiceId> = plan.cluster.listed_or_watched(self.services.as_deref()).collect();
        let does = format!("set the Task Manager watch of {} to Not monitoring on {}", plan.services(&list), plan.on);
        plan.says(does, "each of them reads Not monitoring");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        at.cluster
            .listed_or_watched(self.services.as_deref())
            .filter(|s| state.watches[s.index()] == Watch::Monitoring)
            .map(|service| Operation::StopWatch { node: at.node, service })
            .collect()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        let still =
            at.cluster.listed_or_watched(self.services.as_deref()).find(|s| state.watches[s.index()] == Watch::Monitoring);
        match still {
            None => Verdict::Holds,
            Some(s) => pending!(at.explain, "{:?} still reads Monitoring", at.cluster.services[s.index()].name),
        }
    }
}
