//! Postconditions: what must hold on the cluster for a step to count as done, and what
//! means it never will.

use crate::backend::{
    ClusterService, GroupStatus, Installer, MonitorStatus, NodeState, Observation, Power, ServiceStatus, Watch,
};
use crate::cluster::{NodeId, ResourceKind, ServiceId};
use crate::procedure::{Action, ManualCheck, Step};
use crate::setup::Setup;

use super::Roles;

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
pub fn module_installed(setup: &Setup, state: &NodeState) -> bool {
    setup.procedure.module.components.iter().all(|c| state.component(c.component) == c.version)
}

fn services_running(setup: &Setup, state: &NodeState, services: &[ServiceId]) -> Result<(), String> {
    match services.iter().find(|s| state.services[s.index()] != ServiceStatus::Running) {
        Some(service) => Err(format!("{:?} is not running", setup.cluster.services[service.index()].name)),
        None => Ok(()),
    }
}

fn pending(result: Result<(), String>) -> Verdict {
    match result {
        Ok(()) => Verdict::Holds,
        Err(reason) => Verdict::Pending(reason),
    }
}

/// The postcondition of `step` on `node`.
pub fn step(setup: &Setup, step: &Step, observation: &Observation, node: NodeId, roles: &Roles) -> Verdict {
    let state = &observation.nodes[node.index()];
    let name = setup.node_name(node);
    let cluster = &setup.cluster;
    match &step.action {
        Action::UnzipModule { folder } => {
            let done = if cluster.is_mirror_drive(folder) {
                observation.mirror_unzipped.as_deref() == Some(folder.as_str())
            } else {
                state.unzipped.as_deref() == Some(folder.as_str())
            };
            if done { Verdict::Holds } else { Verdict::Pending(format!("the module is not yet unzipped in {folder}")) }
        }
        Action::BackupRegistry { .. } => {
            if state.registry_backup {
                Verdict::Holds
            } else {
                Verdict::Pending("the registry export is not there yet".to_owned())
            }
        }
        Action::SuspendCluster => {
            if all_suspended(observation) {
                Verdict::Holds
            } else {
                Verdict::Pending("the cluster is not suspended yet".to_owned())
            }
        }
        Action::StopMonitoring { services } => {
            let still = watched(setup, services.as_deref()).find(|s| state.watches[s.index()] == Watch::Monitoring);
            match still {
                None => Verdict::Holds,
                Some(s) => Verdict::Pending(format!("{:?} still reads Monitoring", cluster.services[s.index()].name)),
            }
        }
        Action::StartMonitoring { services } => {
            let still = watched(setup, services.as_deref()).find(|s| state.watches[s.index()] == Watch::NotMonitoring);
            match still {
                None => Verdict::Holds,
                Some(s) => {
                    Verdict::Pending(format!("{:?} still reads Not monitoring", cluster.services[s.index()].name))
                }
            }
        }
        Action::StopServices { services } => {
            match services.iter().find(|s| state.services[s.index()] != ServiceStatus::Stopped) {
                None => Verdict::Holds,
                Some(s) => Verdict::Pending(format!("{:?} is not stopped", cluster.services[s.index()].name)),
            }
        }
        Action::InstallModule { .. } => match state.installer {
            Installer::Failed => Verdict::Failed(format!("the installer failed on {name}")),
            Installer::Interrupted => Verdict::Failed(format!("the installer on {name} was interrupted")),
            Installer::Finished { .. } if module_installed(setup, state) => Verdict::Holds,
            Installer::Finished { .. } => {
                Verdict::Failed(format!("the installer finished on {name} but the module's versions are not installed"))
            }
            Installer::Idle | Installer::Running => {
                Verdict::Pending(format!("the installer is still running on {name}"))
            }
        },
        Action::ResumeCluster => {
            if !observation.cluster_running() {
                return Verdict::Pending("the cluster is not running on every node yet".to_owned());
            }
            groups_online(setup, observation)
        }
        Action::MoveGroup { group, to } => {
            let target = roles.nodes(*to)[0];
            let resources = &cluster.groups[group.index()].resources;
            if observation.group_online_on(*group, resources, target) {
                return Verdict::Holds;
            }
            let group_state = observation.groups[group.index()];
            let group_name = &cluster.groups[group.index()].name;
            if group_state.status == GroupStatus::OnlineFailure {
                return Verdict::Failed(format!("group {group_name} failed to come online"));
            }
            if group_state.status == GroupStatus::Online && group_state.owner != Some(target) {
                let owner = group_state.owner.map_or("no node", |o| setup.node_name(o));
                return Verdict::Failed(format!(
                    "group {group_name} is online on {owner}, not on {}",
                    setup.node_name(target)
                ));
            }
            Verdict::Pending(format!("group {group_name} is not online on {} yet", setup.node_name(target)))
        }
        Action::CheckResources { group } => {
            let resources = &cluster.groups[group.index()].resources;
            if observation.group_online_on(*group, resources, node) {
                Verdict::Holds
            } else {
                Verdict::Pending(format!(
                    "group {} is not online on {name} with every resource",
                    cluster.groups[group.index()].name
                ))
            }
        }
        Action::CheckServices(check) => {
            if let Err(reason) = services_running(setup, state, &check.services) {
                return Verdict::Pending(format!("{reason} on {name}"));
            }
            if !check.one_of.is_empty() && !check.one_of.iter().any(|set| services_running(setup, state, set).is_ok()) {
                return Verdict::Pending(format!("no database service set is running on {name}"));
            }
            Verdict::Holds
        }
        Action::RebootCluster => reboot(setup, observation, roles),
        Action::StopResource { resource } => {
            let state = observation.resources[resource.index()];
            if state.status == crate::backend::ResourceStatus::Offline {
                Verdict::Holds
            } else {
                Verdict::Pending(format!("resource {} is not offline yet", cluster.resources[resource.index()].name))
            }
        }
        Action::StartResource { resource } => {
            let state = observation.resources[resource.index()];
            match state.status {
                crate::backend::ResourceStatus::Online => Verdict::Holds,
                crate::backend::ResourceStatus::OnlineFailure => {
                    Verdict::Failed(format!("resource {} failed to start", cluster.resources[resource.index()].name))
                }
                _ => {
                    Verdict::Pending(format!("resource {} is not online yet", cluster.resources[resource.index()].name))
                }
            }
        }
        Action::Manual { check, .. } => match check {
            None => Verdict::Holds,
            Some(ManualCheck::ClusterRunning) => pending(if observation.cluster_running() {
                Ok(())
            } else {
                Err("the cluster is not running on every node".to_owned())
            }),
            Some(ManualCheck::ClusterSuspended) => pending(if all_suspended(observation) {
                Ok(())
            } else {
                Err("the cluster is not suspended".to_owned())
            }),
            Some(ManualCheck::GroupOnline(group)) => {
                let online = observation.groups[group.index()].status == GroupStatus::Online;
                pending(if online {
                    Ok(())
                } else {
                    Err(format!("group {} is not online", cluster.groups[group.index()].name))
                })
            }
            Some(ManualCheck::ServicesRunning(services)) => pending(services_running(setup, state, services)),
        },
    }
}

fn watched<'a>(setup: &'a Setup, services: Option<&'a [ServiceId]>) -> Box<dyn Iterator<Item = ServiceId> + 'a> {
    match services {
        Some(list) => Box::new(list.iter().copied()),
        None => Box::new(
            (0..setup.cluster.services.len() as u16)
                .map(ServiceId)
                .filter(|s| setup.cluster.services[s.index()].watched),
        ),
    }
}

fn groups_online(setup: &Setup, observation: &Observation) -> Verdict {
    for (g, group) in setup.cluster.groups.iter().enumerate() {
        let state = observation.groups[g];
        match state.owner {
            Some(owner) if observation.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, owner) => {}
            _ if state.status == GroupStatus::OnlineFailure => {
                return Verdict::Failed(format!("group {} failed to come online", group.name));
            }
            _ => return Verdict::Pending(format!("group {} is not online with every resource", group.name)),
        }
    }
    Verdict::Holds
}

/// After a cluster-safe reboot: every node up, the cluster running, each group online on the
/// active node with its services running, and no monitor in error.
pub fn reboot(setup: &Setup, observation: &Observation, roles: &Roles) -> Verdict {
    for (n, node) in observation.nodes.iter().enumerate() {
        if node.power != Power::Up || node.cluster != ClusterService::Running {
            return Verdict::Pending(format!("{} is not back yet", setup.cluster.nodes[n].name));
        }
    }
    for (g, group) in setup.cluster.groups.iter().enumerate() {
        if !observation.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, roles.active) {
            if observation.groups[g].status == GroupStatus::OnlineFailure {
                return Verdict::Failed(format!("group {} failed to come online after the reboot", group.name));
            }
            return Verdict::Pending(format!(
                "group {} is not online on {} yet",
                group.name,
                setup.node_name(roles.active)
            ));
        }
        for resource in &group.resources {
            if let ResourceKind::Service { services } = &setup.cluster.resources[resource.index()].kind
                && let Err(reason) = services_running(setup, &observation.nodes[roles.active.index()], services)
            {
                return Verdict::Pending(reason);
            }
        }
    }
    if let Some(node) = observation.nodes.iter().position(|n| n.monitors.contains(&MonitorStatus::Error)) {
        return Verdict::Pending(format!("a monitor on {} reports an error", setup.cluster.nodes[node].name));
    }
    Verdict::Holds
}
