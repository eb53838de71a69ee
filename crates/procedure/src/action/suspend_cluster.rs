//! `suspend-cluster`: suspend the cluster (`clpcl --suspend`), cluster-wide, from the node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Milestone, PlanText};
use crate::operation::Operation;
use crate::cluster::Cluster;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, all_suspended, pending};

/// Suspend the cluster (cluster-wide; issued on the node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspendCluster;

impl Kind for SuspendCluster {
    const KEYWORD: &'static str = "suspend-cluster";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(SuspendCluster)
    }

    /// A dropped or misplaced suspend is the commonest gap a repair closes.
    fn candidate(_: &Cluster) -> Option<Self> {
        Some(SuspendCluster)
    }
}

impl Behaviour for SuspendCluster {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let does = format!("suspend the cluster from {} (clpcl --suspend): monitors freeze, no failover", plan.on);
        plan.says(does, "every node reports the cluster Suspended");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if all_suspended(at.observation) { Vec::new() } else { vec![Operation::SuspendCluster { via: at.node }] }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if all_suspended(at.observation) {
            Verdict::Holds
        } else {
            pending!(at.explain, "the cluster is not suspended yet")
        }
    }

    fn is_cluster_wide(&self) -> bool {
        true
    }

    fn same_from_any_node(&self) -> bool {
        true
    }

    fn milestone(&self) -> Option<Milestone> {
        Some(Milestone::SuspendsCluster)
    }
}
