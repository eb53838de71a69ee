//! Postconditions: what must hold on the cluster for a step to count as done, and what
//! means it never will.

use crate::backend::{
    ClusterService, GroupStatus, Installer, MonitorStatus, NodeState, Observation, Power, ServiceStatus, Watch,
    same_path,
};
use crate::cluster::{NodeId, ResourceKind, ServiceId};
use crate::event::InstallerFailure;
use crate::procedure::{Action, ManualCheck, Step};
use crate::setup::Setup;

use super::Roles;

/// A pending verdict whose reason is only formatted when it will be shown (on a timeout):
/// polling a postcondition must not allocate.
macro_rules! pending {
    ($explain:expr, $($format:tt)+) => {
        Verdict::Pending(if $explain { format!($($format)+) } else { String::new() })
    };
}

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

fn services_running(state: &NodeState, services: &[ServiceId]) -> Result<(), ServiceId> {
    match services.iter().find(|s| state.services[s.index()] != ServiceStatus::Running) {
        Some(service) => Err(*service),
        None => Ok(()),
    }
}

fn not_running(setup: &Setup, service: ServiceId, explain: bool) -> Verdict {
    pending!(explain, "{:?} is not running", setup.cluster.services[service.index()].name)
}

/// The postcondition of `step` on `node`. `boots_before` is the node's boot count when a
/// reboot-node step rebooted it (unknown when an earlier run did).
///
/// With `explain` false a pending verdict carries no reason; ask again with `explain` true
/// to get one.
pub fn step(
    setup: &Setup,
    step: &Step,
    observation: &Observation,
    node: NodeId,
    roles: &Roles,
    boots_before: Option<u32>,
    explain: bool,
) -> Verdict {
    let state = &observation.nodes[node.index()];
    let name = setup.node_name(node);
    let cluster = &setup.cluster;
    match &step.action {
        Action::UnzipModule { folder } => {
            let done = if cluster.is_mirror_drive(folder) {
                observation.mirror_unzipped.as_deref().is_some_and(|f| same_path(f, folder))
            } else {
                state.unzipped.as_deref().is_some_and(|f| same_path(f, folder))
            };
            if done { Verdict::Holds } else { pending!(explain, "the module is not yet unzipped in {folder}") }
        }
        Action::BackupRegistry { file } => {
            if state.registry_backups.iter().any(|done| same_path(done, file)) {
                Verdict::Holds
            } else {
                pending!(explain, "the registry export is not there yet")
            }
        }
        Action::SuspendCluster => {
            if all_suspended(observation) {
                Verdict::Holds
            } else {
                pending!(explain, "the cluster is not suspended yet")
            }
        }
        Action::StopMonitoring { services } => {
            let still = setup
                .cluster
                .listed_or_watched(services.as_deref())
                .find(|s| state.watches[s.index()] == Watch::Monitoring);
            match still {
                None => Verdict::Holds,
                Some(s) => pending!(explain, "{:?} still reads Monitoring", cluster.services[s.index()].name),
            }
        }
        Action::StartMonitoring { services } => {
            let still = setup
                .cluster
                .listed_or_watched(services.as_deref())
                .find(|s| state.watches[s.index()] == Watch::NotMonitoring);
            match still {
                None => Verdict::Holds,
                Some(s) => {
                    pending!(explain, "{:?} still reads Not monitoring", cluster.services[s.index()].name)
                }
            }
        }
        Action::StopServices { services } => {
            match services.iter().find(|s| state.services[s.index()] != ServiceStatus::Stopped) {
                None => Verdict::Holds,
                Some(s) => pending!(explain, "{:?} is not stopped", cluster.services[s.index()].name),
            }
        }
        Action::InstallModule { .. } => match state.installer {
            Installer::Failed(reason) => {
                let why = match reason {
                    InstallerFailure::ModuleNotFound => {
                        "the module's files cannot be read from the folder here".to_owned()
                    }
                    InstallerFailure::Fault => "it failed midway".to_owned(),
                    InstallerFailure::ServiceInUse { service } => format!(
                        "{:?} is running and holds files it replaces; stop it first",
                        cluster.services[service.index()].name
                    ),
                    InstallerFailure::ServiceDidNotStart { service } => {
                        format!("{:?} did not start again", cluster.services[service.index()].name)
                    }
                };
                Verdict::Failed(format!("the installer failed on {name}: {why}"))
            }
            Installer::Interrupted(_) => Verdict::Failed(format!("the installer on {name} was interrupted")),
            Installer::Finished { .. } if module_installed(setup, state) => Verdict::Holds,
            Installer::Finished { .. } => {
                Verdict::Failed(format!("the installer finished on {name} but the module's versions are not installed"))
            }
            Installer::Idle | Installer::Running => {
                pending!(explain, "the installer is still running on {name}")
            }
        },
        Action::ResumeCluster => {
            if !observation.cluster_running() {
                return pending!(explain, "the cluster is not running on every node yet");
            }
            match groups_online(setup, observation, explain) {
                Verdict::Holds => monitors_green(setup, observation, explain),
                other => other,
            }
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
            pending!(explain, "group {group_name} is not online on {} yet", setup.node_name(target))
        }
        Action::CheckResources { group } => {
            let resources = &cluster.groups[group.index()].resources;
            if observation.group_online_on(*group, resources, node) {
                Verdict::Holds
            } else {
                pending!(
                    explain,
                    "group {} is not online on {name} with every resource",
                    cluster.groups[group.index()].name
                )
            }
        }
        Action::CheckServices(check) => {
            if let Err(service) = services_running(state, &check.services) {
                return pending!(explain, "{:?} is not running on {name}", cluster.services[service.index()].name);
            }
            if !check.one_of.is_empty() && !check.one_of.iter().any(|set| services_running(state, set).is_ok()) {
                return pending!(explain, "no database service set is running on {name}");
            }
            Verdict::Holds
        }
        Action::RebootCluster => reboot(setup, observation, roles, explain),
        Action::StopResource { resource } => {
            let state = observation.resources[resource.index()];
            if state.status == crate::backend::ResourceStatus::Offline {
                Verdict::Holds
            } else {
                pending!(explain, "resource {} is not offline yet", cluster.resources[resource.index()].name)
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
                    pending!(explain, "resource {} is not online yet", cluster.resources[resource.index()].name)
                }
            }
        }
        // Stopping or starting a node's cluster service moves, stops or starts groups: the
        // step is done once they have settled, so that the next step finds them at rest.
        Action::StopClusterService => {
            if state.cluster != ClusterService::Stopped {
                return pending!(explain, "the cluster service still runs on {name}");
            }
            groups_settled(setup, observation, explain)
        }
        Action::StartClusterService => {
            if state.cluster == ClusterService::Stopped {
                return pending!(explain, "the cluster service is not running on {name} yet");
            }
            groups_settled(setup, observation, explain)
        }
        // Like the restart rule's reboot, judged by the node itself: it is up again, and it
        // booted since the reboot was issued (Windows' last boot time, as a counter).
        Action::RebootNode => {
            let booted = boots_before.is_none_or(|before| state.boots > before);
            if state.power == Power::Up && booted {
                Verdict::Holds
            } else {
                pending!(explain, "{name} is not back from its reboot yet")
            }
        }
        Action::SuspendMonitor { monitors } => {
            let still = cluster
                .listed_or_all_monitors(monitors.as_deref())
                .find(|m| state.monitors[m.index()] != MonitorStatus::Suspended);
            match still {
                None => Verdict::Holds,
                Some(m) => pending!(explain, "monitor {} is not suspended on {name}", cluster.monitors[m.index()].name),
            }
        }
        Action::ResumeMonitor { monitors } => {
            let still = cluster
                .listed_or_all_monitors(monitors.as_deref())
                .find(|m| state.monitors[m.index()] == MonitorStatus::Suspended);
            match still {
                None => Verdict::Holds,
                Some(m) => {
                    pending!(explain, "monitor {} is still suspended on {name}", cluster.monitors[m.index()].name)
                }
            }
        }
        Action::Manual { check, .. } => match check {
            None => Verdict::Holds,
            Some(ManualCheck::ClusterRunning) if observation.cluster_running() => Verdict::Holds,
            Some(ManualCheck::ClusterRunning) => pending!(explain, "the cluster is not running on every node"),
            Some(ManualCheck::ClusterSuspended) if all_suspended(observation) => Verdict::Holds,
            Some(ManualCheck::ClusterSuspended) => pending!(explain, "the cluster is not suspended"),
            Some(ManualCheck::GroupOnline(group))
                if observation.groups[group.index()].status == GroupStatus::Online =>
            {
                Verdict::Holds
            }
            Some(ManualCheck::GroupOnline(group)) => {
                pending!(explain, "group {} is not online", cluster.groups[group.index()].name)
            }
            Some(ManualCheck::ServicesRunning(services)) => match services_running(state, services) {
                Ok(()) => Verdict::Holds,
                Err(service) => not_running(setup, service, explain),
            },
        },
    }
}

/// No group is starting or stopping; a group that failed to start fails the step.
fn groups_settled(setup: &Setup, observation: &Observation, explain: bool) -> Verdict {
    for (g, group) in setup.cluster.groups.iter().enumerate() {
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

fn groups_online(setup: &Setup, observation: &Observation, explain: bool) -> Verdict {
    for (g, group) in setup.cluster.groups.iter().enumerate() {
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
fn monitors_green(setup: &Setup, observation: &Observation, explain: bool) -> Verdict {
    let cluster = &setup.cluster;
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
pub fn reboot(setup: &Setup, observation: &Observation, roles: &Roles, explain: bool) -> Verdict {
    for (n, node) in observation.nodes.iter().enumerate() {
        if node.power != Power::Up || node.cluster != ClusterService::Running {
            return pending!(explain, "{} is not back yet", setup.cluster.nodes[n].name);
        }
    }
    for (g, group) in setup.cluster.groups.iter().enumerate() {
        if !observation.group_online_on(crate::cluster::GroupId(g as u8), &group.resources, roles.active) {
            if observation.groups[g].status == GroupStatus::OnlineFailure {
                return Verdict::Failed(format!("group {} failed to come online after the reboot", group.name));
            }
            return pending!(explain, "group {} is not online on {} yet", group.name, setup.node_name(roles.active));
        }
        for resource in &group.resources {
            if let ResourceKind::Service { services } = &setup.cluster.resources[resource.index()].kind
                && let Err(service) = services_running(&observation.nodes[roles.active.index()], services)
            {
                return not_running(setup, service, explain);
            }
        }
    }
    if let Some(node) = observation.nodes.iter().position(|n| n.monitors.contains(&MonitorStatus::Error)) {
        return pending!(explain, "a monitor on {} reports an error", setup.cluster.nodes[node].name);
    }
    Verdict::Holds
}
