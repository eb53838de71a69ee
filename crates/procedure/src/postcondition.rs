//! Postconditions: what must hold on the cluster for a step to count as done, and what
//! means it never will. The conditions several actions share live here; each action's own
//! postcondition is in its file under `action/`.

use crate::cluster::{Cluster, NodeId, ResourceKind, ServiceId};
use crate::module::Module;
use crate::observation::{
    ClusterService, GroupStatus, Installer, MonitorStatus, NodeState, Observation, Power, ResourceStatus, ServiceStatus,
};
use crate::operation::Operation;
use crate::registry_id::ComponentWrites;
use crate::roles::Roles;

/// A pending verdict whose reason is only formatted when it will be shown (on a timeout):
/// polling a postcondition must not allocate.
macro_rules! pending {
    ($explain:expr, $($format:tt)+) => {
        $crate::postcondition::Verdict::Pending(if $explain { format!($($format)+) } else { String::new() })
    };
}
pub(crate) use pending;

/// A postcondition's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It holds.
    Holds,
    /// Not yet; why, for the timeout message.
    Pending(String),
    /// It never will.
    Failed(String),
}

/// Every node that is up reports the cluster suspended.
pub fn all_suspended(observation: &Observation) -> bool {
    observation.nodes.iter().filter(|n| n.power == Power::Up).all(|n| n.cluster == ClusterService::Suspended)
}

/// Every component of the module is at the module's version on the node.
pub fn module_installed(module: &Module, state: &NodeState) -> bool {
    module.components.iter().all(|c| state.component(c.component) == c.version)
}

/// Every value the module writes is on the node with the module's data (what `reg query`
/// of the module's keys shows).
pub fn module_values_in_place<'a>(writes: impl IntoIterator<Item = &'a ComponentWrites>, state: &NodeState) -> bool {
    writes
        .into_iter()
        .flat_map(|component| component.writes.iter())
        .all(|(slot, data)| state.registry.get(slot.index()).copied().flatten() == Some(*data))
}

pub(crate) fn services_running(state: &NodeState, services: &[ServiceId]) -> Result<(), ServiceId> {
    match services.iter().find(|s| state.services[s.index()] != ServiceStatus::Running) {
        Some(service) => Err(*service),
        None => Ok(()),
    }
}

pub(crate) fn not_running(cluster: &Cluster, service: ServiceId, explain: bool) -> Verdict {
    pending!(explain, "{:?} is not running", cluster.services[service.index()].name)
}

/// No group is starting or stopping; a group that failed to start fails the step.
pub(crate) fn groups_settled(cluster: &Cluster, observation: &Observation, explain: bool) -> Verdict {
    for (g, group) in cluster.groups.iter().enumerate() {
        match observation.groups[g].status {
            GroupStatus::OnlineFailure => {
                return Verdict::Failed(format!("group {} failed to come online", group.name));
            }
            GroupStatus::OnlinePending => return pending!(explain, "group {} is still starting", group.name),
            GroupStatus::OfflinePending => return pending!(explain, "group {} is still stopping", group.name),
            GroupStatus::Online | GroupStatus::Offline => {}
        }
    }
    Verdict::Holds
}

pub(crate) fn groups_online(cluster: &Cluster, observation: &Observation, explain: bool) -> Verdict {
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = observation.groups[g];
        match state.owner {
            Some(owner) if observation.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, owner) => {}
            _ if state.status == GroupStatus::OnlineFailure => {
                return Verdict::Failed(format!("group {} failed to come online", group.name));
            }
            _ => return pending!(explain, "group {} is not online with every resource", group.name),
        }
    }
    Verdict::Holds
}

/// Every icon of the cluster tree is green (the seed's step 10): no monitor in error or
/// suspended, and what each service monitor watches is running where its resource is online.
///
/// Inferred: a service stopped by hand while the cluster was suspended (PVMService, step 5)
/// is not seen by its monitor until the monitor's first poll after the resume; it then reports
/// an error and its recovery reactivates the resource, which starts the service again. Until
/// then the icon is about to turn red, so the step waits for the service to run.
pub(crate) fn monitors_green(cluster: &Cluster, observation: &Observation, explain: bool) -> Verdict {
    for (n, node) in observation.nodes.iter().enumerate() {
        if node.power != Power::Up {
            continue;
        }
        let name = &cluster.nodes[n].name;
        for (m, status) in node.monitors.iter().enumerate() {
            let monitor = &cluster.monitors[m];
            match status {
                MonitorStatus::Error => {
                    return pending!(explain, "monitor {} reports an error on {name}", monitor.name);
                }
                MonitorStatus::Suspended => {
                    return pending!(explain, "monitor {} is suspended on {name}", monitor.name);
                }
                MonitorStatus::Normal | MonitorStatus::Offline => {}
            }
            let target = observation.resources[monitor.target.index()];
            if target.node != Some(NodeId(n as u8)) {
                continue;
            }
            if let ResourceKind::Service { services } = &cluster.resources[monitor.target.index()].kind
                && let Err(service) = services_running(node, services)
            {
                return pending!(
                    explain,
                    "{:?} is not running on {name}: monitor {} will report an error until its recovery starts it",
                    cluster.services[service.index()].name,
                    monitor.name
                );
            }
        }
    }
    Verdict::Holds
}

/// After a cluster-safe reboot: every node up, the cluster running, each group online on the
/// active node with its services running, and no monitor in error.
pub fn reboot(cluster: &Cluster, observation: &Observation, roles: &Roles, explain: bool) -> Verdict {
    for (n, node) in observation.nodes.iter().enumerate() {
        if node.power != Power::Up || node.cluster != ClusterService::Running {
            return pending!(explain, "{} is not back yet", cluster.nodes[n].name);
        }
    }
    for (g, group) in cluster.groups.iter().enumerate() {
        if !observation.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, roles.active) {
            if observation.groups[g].status == GroupStatus::OnlineFailure {
                return Verdict::Failed(format!("group {} failed to come online after the reboot", group.name));
            }
            return pending!(
                explain,
                "group {} is not online on {} yet",
                group.name,
                cluster.nodes[roles.active.index()].name
            );
        }
        for resource in &group.resources {
            if let ResourceKind::Service { services } = &cluster.resources[resource.index()].kind
                && let Err(service) = services_running(&observation.nodes[roles.active.index()], services)
            {
                return not_running(cluster, service, explain);
            }
        }
    }
    if let Some(node) = observation.nodes.iter().position(|n| n.monitors.contains(&MonitorStatus::Error)) {
        return pending!(explain, "a monitor on {} reports an error", cluster.nodes[node].name);
    }
    Verdict::Holds
}

/// Whether an operation whose outcome was never recorded took effect, judged by the cluster.
pub(crate) fn took_effect(modules: &[Module], operation: &Operation, observation: &Observation, boots: &[u32]) -> bool {
    match operation {
        Operation::InstallModule { node, module, .. } => {
            let state = &observation.nodes[node.index()];
            state.installer_of(*module) != Installer::Idle || module_installed(&modules[module.index()], state)
        }
        Operation::MoveGroup { group, to, .. } => {
            let state = observation.groups[group.index()];
            state.owner == *to || matches!(state.status, GroupStatus::OnlinePending | GroupStatus::OfflinePending)
        }
        Operation::RebootNode { .. } | Operation::RebootCluster { .. } => observation
            .nodes
            .iter()
            .enumerate()
            .any(|(n, state)| state.power != Power::Up || boots.get(n).is_some_and(|&b| b != state.boots)),
        Operation::StartResource { resource, .. } => {
            observation.resources[resource.index()].status != ResourceStatus::Offline
        }
        Operation::StopResource { resource, .. } => {
            observation.resources[resource.index()].status != ResourceStatus::Online
        }
        _ => false,
    }
}

/// How a check step's optional services stand on a node: they are reported, never required.
pub(crate) fn optional_service_notes(
    cluster: &Cluster,
    optional: &[String],
    observation: &Observation,
    node: NodeId,
) -> Vec<String> {
    optional
        .iter()
        .map(|name| match cluster.service_by_name(name) {
            None => format!("{name:?} is not installed (optional)"),
            Some(service) => {
                let status = observation.nodes[node.index()].services[service.index()];
                let running = if status == ServiceStatus::Running { "running" } else { "not running" };
                format!("{name:?} is {running} (optional)")
            }
        })
        .collect()
}
