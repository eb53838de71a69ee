//! `start-cluster-service`: start the EXPRESSCLUSTER cluster service on the node
//! (`clpcl -s`); a group offline everywhere starts on its best node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::ClusterService;
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, groups_settled, pending};

/// Start the EXPRESSCLUSTER cluster service on the node (`clpcl -s`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartClusterService;

impl Kind for StartClusterService {
    const KEYWORD: &'static str = "start-cluster-service";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(StartClusterService)
    }
}

impl Behaviour for StartClusterService {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let does = format!(
            "start the cluster service on {} ({}); a group offline everywhere starts on its best node, \
             and registry sync restores its saved keys there",
            plan.on,
            plan.per_node("clpcl -s -h ", "")
        );
        plan.says(does, "the cluster service runs on each node");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if at.state().cluster == ClusterService::Stopped {
            vec![Operation::StartClusterService { node: at.node }]
        } else {
            Vec::new()
        }
    }

    /// Starting a node's cluster service starts or moves groups: the step is done once they
    /// have settled.
    fn verify(&self, at: &At<'_>) -> Verdict {
        if at.state().cluster == ClusterService::Stopped {
            return pending!(at.explain, "the cluster service is not running on {} yet", at.name());
        }
        groups_settled(at.cluster, at.observation, at.explain)
    }
}
