//! `stop-cluster-service`: stop the EXPRESSCLUSTER cluster service on the node (`clpcl -t`);
//! its groups fail over to another node that runs the cluster, or stop.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::ClusterService;
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, groups_settled, pending};

/// Stop the EXPRESSCLUSTER cluster service on the node (`clpcl -t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopClusterService;

impl Kind for StopClusterService {
    const KEYWORD: &'static str = "stop-cluster-service";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(StopClusterService)
    }
}

impl Behaviour for StopClusterService {
    fn plan(&self, plan: &mut PlanText<'_>) {
        plan.warnings.push(
            "a stopped cluster service runs no registry sync and no monitor: its groups fail over or stop".to_owned(),
        );
        let does = format!("stop the cluster service on {} ({})", plan.on, plan.per_node("clpcl -t -h ", ""));
        plan.says(does, "the cluster service is stopped on each node");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if at.state().cluster == ClusterService::Stopped {
            Vec::new()
        } else {
            vec![Operation::StopClusterService { node: at.node }]
        }
    }

    /// Stopping a node's cluster service moves or stops groups: the step is done once they
    /// have settled, so that the next step finds them at rest.
    fn verify(&self, at: &At<'_>) -> Verdict {
        if at.state().cluster != ClusterService::Stopped {
            return pending!(at.explain, "the cluster service still runs on {}", at.name());
        }
        groups_settled(at.cluster, at.observation, at.explain)
    }
}
