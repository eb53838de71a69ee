//! `stop-services`: stop Windows services on the node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::ServiceStatus;
use crate::operation::Operation;
use crate::cluster::ServiceId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Stop Windows services on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopServices {
    /// The services.
    pub services: Vec<ServiceId>,
}

impl Kind for StopServices {
    const KEYWORD: &'static str = "stop-services";
    const TAKES: &'static [&'static str] = &["services"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StopServices { services: args.services(true)?.unwrap_or_default() })
    }
}

impl Behaviour for StopServices {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let does = format!("stop {} on {}", plan.services(&self.services), plan.on);
        plan.says(does, "each of them is Stopped");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        self.services
            .iter()
            .copied()
            .filter(|s| matches!(state.services[s.index()], ServiceStatus::Running | ServiceStatus::StartPending))
            .map(|service| Operation::StopService { node: at.node, service })
            .collect()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        match self.services.iter().find(|s| state.services[s.index()] != ServiceStatus::Stopped) {
            None => Verdict::Holds,
            Some(s) => pending!(at.explain, "{:?} is not stopped", at.cluster.services[s.index()].name),
        }
    }
}
