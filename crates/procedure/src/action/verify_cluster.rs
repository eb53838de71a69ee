//! `verify-cluster`: stop the run unless the cluster is as the next steps assume: the group
//! online on the step's node with every resource, no group starting or stopping, and no
//! monitor reporting an error or suspended. It waits for nothing: a cluster that has moved
//! on its own (a failover before the suspend) is a reason to stop, not to wait.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Patience, PlanText};
use crate::observation::{GroupStatus, MonitorStatus, Power};
use crate::operation::Operation;
use crate::cluster::{Cluster, GroupId};
use crate::diagnostic::FileError;
use crate::postcondition::Verdict;

/// Stop unless the group is online on the node with every resource, no group is moving, and
/// no monitor is in error or suspended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyCluster {
    /// The group that must be online on the step's node.
    pub group: GroupId,
}

impl Kind for VerifyCluster {
    const KEYWORD: &'static str = "verify-cluster";
    const TAKES: &'static [&'static str] = &["group"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(VerifyCluster { group: args.group()? })
    }

    /// A check that the cluster is still where the next steps assume: what a procedure lacks
    /// when faults move the group before it acts.
    fn candidate(cluster: &Cluster) -> Option<Self> {
        (!cluster.groups.is_empty()).then_some(VerifyCluster { group: GroupId(0) })
    }
}

impl Behaviour for VerifyCluster {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let name = &plan.cluster.groups[self.group.index()].name;
        plan.does.push(format!("read the cluster's status (clpstat) from {}", plan.on));
        plan.verifies.push(format!(
            "group {name} is online on {} with every resource, no group is starting or stopping, and no monitor \
             reports an error or is suspended; otherwise the run stops here",
            plan.on
        ));
    }

    fn operations(&self, _: &At<'_>) -> Vec<Operation> {
        Vec::new()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let (cluster, observation) = (at.cluster, at.observation);
        for (g, group) in cluster.groups.iter().enumerate() {
            let moving = match observation.groups[g].status {
                GroupStatus::OnlinePending => "starting",
                GroupStatus::OfflinePending => "stopping",
                _ => continue,
            };
            return Verdict::Failed(format!("group {} is {moving}: the cluster is not at rest", group.name));
        }
        let group = &cluster.groups[self.group.index()];
        if !observation.group_online_on(self.group, &group.resources, at.node) {
            let state = observation.groups[self.group.index()];
            let where_ = match state.owner {
                Some(owner) if owner != at.node => format!("it is on {}", cluster.nodes[owner.index()].name),
                _ => format!("it is {:?} with not every resource online", state.status),
            };
            return Verdict::Failed(format!("group {} is not online on {}: {where_}", group.name, at.name()));
        }
        for (n, node) in observation.nodes.iter().enumerate() {
            if node.power != Power::Up {
                continue;
            }
            for (m, status) in node.monitors.iter().enumerate() {
                let problem = match status {
                    MonitorStatus::Error => "reports an error",
                    MonitorStatus::Suspended => "is suspended",
                    MonitorStatus::Normal | MonitorStatus::Offline => continue,
                };
                let (monitor, node) = (&cluster.monitors[m].name, &cluster.nodes[n].name);
                return Verdict::Failed(format!("monitor {monitor} {problem} on {node}"));
            }
        }
        Verdict::Holds
    }

    fn patience(&self) -> Patience {
        Patience::Check
    }

    fn changes_nothing(&self) -> bool {
        true
    }

    fn fields(&self, cluster: &Cluster) -> Vec<(&'static str, String)> {
        vec![("group", cluster.groups[self.group.index()].name.clone())]
    }
}
