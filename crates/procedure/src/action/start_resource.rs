//! `start-resource`: start one group resource, and the stopped resources it depends on
//! (`clprsc -s`).

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::ResourceStatus;
use crate::operation::Operation;
use crate::cluster::ResourceId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Start one group resource, and the stopped resources it depends on (`clprsc -s`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartResource {
    /// The resource.
    pub resource: ResourceId,
}

impl Kind for StartResource {
    const KEYWORD: &'static str = "start-resource";
    const TAKES: &'static [&'static str] = &["resource"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StartResource { resource: args.resource()? })
    }
}

impl Behaviour for StartResource {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let name = &plan.cluster.resources[self.resource.index()].name;
        let does = format!("start resource {name} from {} (clprsc -s {name})", plan.on);
        plan.says(does, format!("resource {name} is online"));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if at.observation.resources[self.resource.index()].status == ResourceStatus::Online {
            Vec::new()
        } else {
            vec![Operation::StartResource { node: at.node, resource: self.resource }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let name = &at.cluster.resources[self.resource.index()].name;
        match at.observation.resources[self.resource.index()].status {
            ResourceStatus::Online => Verdict::Holds,
            ResourceStatus::OnlineFailure => Verdict::Failed(format!("resource {name} failed to start")),
            _ => pending!(at.explain, "resource {name} is not online yet"),
        }
    }
}
