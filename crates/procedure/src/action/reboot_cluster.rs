//! `reboot-cluster`: reboot every node the cluster-safe way (`clpstdn -r`), and wait until
//! the cluster serves again on the active node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Milestone, Patience, PlanText};
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, reboot};

/// Reboot the whole cluster the cluster-safe way (stop the cluster, reboot, start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootCluster;

impl Kind for RebootCluster {
    const KEYWORD: &'static str = "reboot-cluster";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(RebootCluster)
    }
}

impl Behaviour for RebootCluster {
    fn plan(&self, plan: &mut PlanText<'_>) {
        plan.says(
            "reboot every node the cluster-safe way (clpstdn -r)".to_owned(),
            "every node is back, the cluster runs, the group is online on the active server",
        );
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        vec![Operation::RebootCluster { via: at.node }]
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        reboot(at.cluster, at.observation, at.roles, at.explain)
    }

    fn is_cluster_wide(&self) -> bool {
        true
    }

    fn same_from_any_node(&self) -> bool {
        true
    }

    fn milestone(&self) -> Option<Milestone> {
        Some(Milestone::RebootsCluster)
    }

    fn patience(&self) -> Patience {
        Patience::Reboot
    }

    fn reboots(&self) -> bool {
        true
    }
}
