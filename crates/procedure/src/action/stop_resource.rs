//! `stop-resource`: stop one group resource, and the resources that depend on it
//! (`clprsc -t`).

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::ResourceStatus;
use crate::operation::Operation;
use crate::cluster::{ResourceId, ResourceKind};
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Stop one group resource, and the resources that depend on it (`clprsc -t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopResource {
    /// The resource.
    pub resource: ResourceId,
}

impl Kind for StopResource {
    const KEYWORD: &'static str = "stop-resource";
    const TAKES: &'static [&'static str] = &["resource"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(StopResource { resource: args.resource()? })
    }
}

impl Behaviour for StopResource {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let resource = &plan.cluster.resources[self.resource.index()];
        if matches!(resource.kind, ResourceKind::RegistrySync { .. }) {
            plan.warnings.push(format!(
                "stops registry sync {}: keys written while it is offline roll back when it starts",
                resource.name
            ));
        }
        let name = &resource.name;
        let does = format!("stop resource {name} from {} (clprsc -t {name})", plan.on);
        plan.says(does, format!("resource {name} is offline"));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if at.observation.resources[self.resource.index()].status == ResourceStatus::Offline {
            Vec::new()
        } else {
            vec![Operation::StopResource { via: at.node, resource: self.resource }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if at.observation.resources[self.resource.index()].status == ResourceStatus::Offline {
            Verdict::Holds
        } else {
            pending!(at.explain, "resource {} is not offline yet", at.cluster.resources[self.resource.index()].name)
        }
    }
}
