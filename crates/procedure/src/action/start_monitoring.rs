//! `start-monitoring`: set the Task Manager watch of services back to Monitoring on the
//! node where it is not.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::Watch;
use crate::operation::Operation;
use crate::cluster::ServiceId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Check the watch of services and start it where it is not monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartMonitoring {
    /// The services; every watched service when absent.
    pub services: Option<Vec<ServiceId>>,
}

impl Kind for StartMonitoring {
    const KEYWORD: &'static str = "start-monitoring";
    const TAKES: &'static [&'static str] = &["services"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StartMonitoring { services: args.services(false)? })
    }
}

impl Behaviour for StartMonitoring {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let list: Vec<ServiceId> = plan.cluster.listed_or_watched(self.services.as_deref()).collect();
        let does = format!(
            "set the Task Manager watch of {} back to Monitoring on {} where it is not",
            plan.services(&list),
            plan.on
        );
        plan.says(does, "each of them reads Monitoring");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        at.cluster
            .listed_or_watched(self.services.as_deref())
            .filter(|s| state.watches[s.index()] == Watch::NotMonitoring)
            .map(|service| Operation::StartWatch { node: at.node, service })
            .collect()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        let still = at
            .cluster
            .listed_or_watched(self.services.as_deref())
            .find(|s| state.watches[s.index()] == Watch::NotMonitoring);
        match still {
            None => Verdict::Holds,
            Some(s) => pending!(at.explain, "{:?} still reads Not monitoring", at.cluster.services[s.index()].name),
        }
    }
}
