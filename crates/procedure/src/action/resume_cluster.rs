//! `resume-cluster`: resume the cluster (`clpcl --resume`), then wait until every group is
//! online and every icon of the cluster tree is green.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Milestone, PlanText};
use crate::operation::Operation;
use crate::cluster::Cluster;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, groups_online, monitors_green, pending};

/// Resume the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeCluster;

impl Kind for ResumeCluster {
    const KEYWORD: &'static str = "resume-cluster";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(ResumeCluster)
    }

    /// A dropped or misplaced resume is the commonest gap a repair closes.
    fn candidate(_: &Cluster) -> Option<Self> {
        Some(ResumeCluster)
    }
}

impl Behaviour for ResumeCluster {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let does =
            format!("resume the cluster from {} (clpcl --resume); registry sync captures the current keys", plan.on);
        plan.says(does, "every node runs the cluster and every resource of every group is online");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if at.observation.cluster_running() { Vec::new() } else { vec![Operation::ResumeCluster { via: at.node }] }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if !at.observation.cluster_running() {
            return pending!(at.explain, "the cluster is not running on every node yet");
        }
        match groups_online(at.cluster, at.observation, at.explain) {
            Verdict::Holds => monitors_green(at.cluster, at.observation, at.explain),
            other => other,
        }
    }

    fn is_cluster_wide(&self) -> bool {
        true
    }

    fn same_from_any_node(&self) -> bool {
        true
    }

    fn milestone(&self) -> Option<Milestone> {
        Some(Milestone::ResumesCluster)
    }
}
