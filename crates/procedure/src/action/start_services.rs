//! `start-services`: start Windows services on the node (those a step stopped before the
//! install, say, so that a monitor does not find them stopped when the cluster resumes).

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::cluster::ServiceId;
use crate::diagnostic::FileError;
use crate::observation::ServiceStatus;
use crate::operation::Operation;
use crate::postcondition::{Verdict, pending};

/// Start Windows services on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartServices {
    /// The services.
    pub services: Vec<ServiceId>,
}

impl Kind for StartServices {
    const KEYWORD: &'static str = "start-services";
    const TAKES: &'static [&'static str] = &["services"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StartServices { services: args.services(true)?.unwrap_or_default() })
    }
}

impl Behaviour for StartServices {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let does = format!("start {} on {}", plan.services(&self.services), plan.on);
        plan.says(does, "each of them is Running");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        self.services
            .iter()
            .copied()
            .filter(|s| matches!(state.services[s.index()], ServiceStatus::Stopped | ServiceStatus::StopPending))
            .map(|service| Operation::StartService { node: at.node, service })
            .collect()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        match self.services.iter().find(|s| state.services[s.index()] != ServiceStatus::Running) {
            None => Verdict::Holds,
            Some(s) => pending!(at.explain, "{:?} is not running", at.cluster.services[s.index()].name),
        }
    }
}
