//! What a serving cluster is, as recovery's target: every node up and answering with its
//! cluster service running and not suspended, the failover group online on the active node
//! with every resource, no monitor suspended, every Task Manager watch Monitoring, and each
//! module at its version on every node with the values it writes. [`shortfalls`] lists what
//! an observation lacks of it; the planner plans from the list, and `recover` judges its end
//! state by it.

use crate::cluster::{GroupId, NodeId};
use crate::module::ModuleId;
use crate::observation::{ClusterService, Installer, MonitorStatus, Observation, Power, Watch};
use crate::postcondition::{module_installed, module_values_in_place};
use crate::roles::Roles;
use crate::setup::Setup;

/// One way an observed cluster falls short of serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    /// The node does not answer.
    Unreachable(NodeId),
    /// The node is down or still booting.
    Down(NodeId),
    /// An installer still runs on the node.
    InstallerRunning(NodeId),
    /// The node's cluster service is stopped.
    ClusterServiceStopped(NodeId),
    /// The node's cluster service is suspended (or on its way to or from it).
    Suspended(NodeId),
    /// The module's components are not at its version on the node.
    ModuleMissing(NodeId, ModuleId),
    /// The module is installed on the node, but some of the values it writes are not there
    /// (registry sync rolled them back).
    ValuesRolledBack(NodeId, ModuleId),
    /// The failover group is not online on the active node with every resource.
    GroupNotOnActive {
        /// The group.
        group: GroupId,
        /// The node that holds it, if any node does.
        owner: Option<NodeId>,
    },
    /// Monitors are suspended on the node (clpmonctrl -s).
    MonitorsSuspended(NodeId),
    /// A Task Manager watch reads "Not monitoring" on the node.
    NotMonitoring(NodeId),
}

impl Shortfall {
    /// What the operator does on the simulator to make it good, as the fault that undoes it:
    /// a node that is down is powered on, one that does not answer answers again. None for
    /// what takes more than bringing a node back.
    pub fn brought_back_by(&self) -> Option<crate::fault::Fault> {
        match *self {
            Shortfall::Down(node) => Some(crate::fault::Fault::Restart { node }),
            Shortfall::Unreachable(node) => Some(crate::fault::Fault::Reachable { node }),
            _ => None,
        }
    }

    /// The shortfall in a sentence, with the names of the cluster.
    pub fn describe(&self, setup: &Setup) -> String {
        let node = |node: &NodeId| setup.node_name(*node).to_owned();
        match self {
            Shortfall::Unreachable(n) => format!("{} does not answer", node(n)),
            Shortfall::Down(n) => format!("{} is down", node(n)),
            Shortfall::InstallerRunning(n) => format!("the module's installer still runs on {}", node(n)),
            Shortfall::ClusterServiceStopped(n) => format!("the cluster service is stopped on {}", node(n)),
            Shortfall::Suspended(n) => format!("the cluster is suspended on {}", node(n)),
            Shortfall::ModuleMissing(n, m) => {
                format!("{} is not installed on {}", setup.procedure.module(*m).id, node(n))
            }
            Shortfall::ValuesRolledBack(n, m) => format!(
                "{} is installed on {} but registry values it writes were rolled back",
                setup.procedure.module(*m).id,
                node(n)
            ),
            Shortfall::GroupNotOnActive { group, owner } => {
                let group = setup.group_name(*group);
                match owner {
                    Some(owner) => format!(
                        "group {group} is not online with every resource on the active node (it is on {})",
                        node(owner)
                    ),
                    None => format!("group {group} is not online on any node"),
                }
            }
            Shortfall::MonitorsSuspended(n) => format!("monitors are suspended on {}", node(n)),
            Shortfall::NotMonitoring(n) => format!("a Task Manager watch reads Not monitoring on {}", node(n)),
        }
    }
}

/// Whether `node` has every value the modules write (those of components at their version).
pub fn values_in_place(setup: &Setup, observation: &Observation, node: NodeId) -> bool {
    module_values_in_place(&setup.module_writes, &observation.nodes[node.index()])
}

/// Whether `node` has every value `module` writes.
pub fn module_values_on(setup: &Setup, module: ModuleId, observation: &Observation, node: NodeId) -> bool {
    module_values_in_place(setup.writes_of(setup.procedure.module(module)), &observation.nodes[node.index()])
}

/// What `observation` lacks of a serving cluster whose active node is `roles.active`, in a
/// fixed order: nodes first, then the cluster service, the module, the group, monitors and
/// watches. Empty when the cluster serves.
pub fn shortfalls(setup: &Setup, roles: &Roles, observation: &Observation) -> Vec<Shortfall> {
    let cluster = &setup.cluster;
    let mut found = Vec::new();
    let nodes = roles.nodes(crate::roles::Role::EveryNode);
    for &node in &nodes {
        let state = &observation.nodes[node.index()];
        if !state.reachable {
            found.push(Shortfall::Unreachable(node));
        } else if state.power != Power::Up {
            found.push(Shortfall::Down(node));
        }
    }
    if !found.is_empty() {
        // What a node that cannot be seen shows is its last known state: no more is claimed.
        return found;
    }
    for &node in &nodes {
        let state = &observation.nodes[node.index()];
        if state.installer == Installer::Running {
            found.push(Shortfall::InstallerRunning(node));
        }
        match state.cluster {
            ClusterService::Stopped => found.push(Shortfall::ClusterServiceStopped(node)),
            ClusterService::Running => {}
            ClusterService::Suspending | ClusterService::Suspended | ClusterService::Resuming => {
                found.push(Shortfall::Suspended(node));
            }
        }
    }
    // A module that no node has any part of was never applied: the cluster serves on the
    // old version, and applying it is the procedure's to do again, not the recovery's.
    // Each module is judged on its own, in the procedure's order.
    for (id, module) in setup.procedure.module_ids() {
        let touched = nodes.iter().any(|node| {
            let state = &observation.nodes[node.index()];
            module.components.iter().any(|c| state.component(c.component) == c.version)
        });
        for &node in nodes.iter().filter(|_| touched) {
            let state = &observation.nodes[node.index()];
            if !module_installed(module, state) {
                found.push(Shortfall::ModuleMissing(node, id));
            } else if !module_values_on(setup, id, observation, node) {
                found.push(Shortfall::ValuesRolledBack(node, id));
            }
        }
    }
    if let Some(group) = cluster.groups.first() {
        let id = GroupId(0);
        if !observation.group_online_on(id, &group.resources, roles.active) {
            let owner = observation.groups[0]
                .owner
                .filter(|_| observation.groups[0].status == crate::observation::GroupStatus::Online);
            found.push(Shortfall::GroupNotOnActive { group: id, owner });
        }
    }
    for &node in &nodes {
        let state = &observation.nodes[node.index()];
        // A suspended cluster shows its monitors suspended: only monitors suspended on their
        // own count while the cluster service runs.
        if state.cluster == ClusterService::Running && state.monitors.contains(&MonitorStatus::Suspended) {
            found.push(Shortfall::MonitorsSuspended(node));
        }
        if cluster.listed_or_watched(None).any(|s| state.watches[s.index()] == Watch::NotMonitoring) {
            found.push(Shortfall::NotMonitoring(node));
        }
    }
    found
}
