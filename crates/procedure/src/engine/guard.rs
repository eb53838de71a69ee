//! Guards: the engine refuses an unsafe operation given the live state, whatever the
//! procedure file says, naming the step and the invariant it protects.

use crate::action::kind::Milestone;
use crate::cluster::{NodeId, ResourceId, ResourceKind};
use crate::invariant::Invariant;
use crate::observation::{ClusterService, MonitorStatus, Observation, ResourceStatus, Watch, same_path};
use crate::operation::Operation;
use crate::operation::RestartAnswer;
use crate::setup::Setup;

/// Where the run stands, for the rules that depend on it.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// An install has been issued.
    pub apply_started: bool,
    /// The cluster was resumed after the first install.
    pub resumed: bool,
}

impl Context {
    fn in_apply_window(self) -> bool {
        self.apply_started && !self.resumed
    }
}

/// A refused operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuardRefusal {
    /// The step that asked for it.
    pub step: usize,
    /// The operation.
    pub operation: Operation,
    /// The invariant it would break.
    pub invariant: Invariant,
    /// Why, for people.
    pub message: String,
}

/// Refuses `operation` if it would break an invariant in the observed state.
pub fn guard(
    setup: &Setup,
    observation: &Observation,
    operation: &Operation,
    step: usize,
    context: &Context,
) -> Option<GuardRefusal> {
    let cluster = &setup.cluster;
    let node = operation.node();
    let name = setup.node_name(node);
    let refuse = |invariant: Invariant, message: String| {
        Some(GuardRefusal { step, operation: operation.clone(), invariant, message })
    };
    let suspended = observation.cluster_suspended();
    match operation {
        Operation::RebootNode { .. } | Operation::RebootCluster { .. } if suspended => refuse(
            Invariant::RebootWhileSuspended,
            format!("a reboot of {name} while the cluster is suspended would roll the synchronized registry keys back"),
        ),
        Operation::InstallModule { restart_answer: RestartAnswer::Restart, .. } if suspended => refuse(
            Invariant::RebootWhileSuspended,
            format!(
                "answering Restart at the installer's prompt on {name} would reboot it while the cluster is suspended; \
                 decline, resume, then reboot the cluster"
            ),
        ),
        Operation::InstallModule { folder, .. } if cluster.is_mirror_drive(folder) => refuse(
            Invariant::ModuleOnMirrorDrive,
            format!("{folder} is on the mirror drive; install from a local drive of {name}"),
        ),
        Operation::UnzipModule { folder, .. } if cluster.is_mirror_drive(folder) => refuse(
            Invariant::ModuleOnMirrorDrive,
            format!("{folder} is on the mirror drive, which the standby cannot read; unzip to a local drive"),
        ),
        Operation::InstallModule { module, .. } => {
            let state = &observation.nodes[node.index()];
            let module = setup.procedure.module(*module);
            let offline_sync = cluster
                .registry_sync_resources()
                .find(|r| observation.resources[r.index()].status != crate::observation::ResourceStatus::Online);
            if let Some(sync) = offline_sync {
                return refuse(
                    Invariant::RegistrySyncStoppedDuringApply,
                    format!(
                        "registry sync {} is not online: the installer's keys would not be captured, and would roll back \
                         when it starts again",
                        cluster.resources[sync.index()].name
                    ),
                );
            }
            // The services the installer needs stopped, then those it stops and restarts:
            // no watch or monitor may see either change under it.
            let needed = module.requires_stopped.iter().map(|&s| (s, "must be stopped before the install"));
            let restarted = module.services().map(|s| (s, "is stopped and restarted by the installer"));
            for (service, role) in needed.chain(restarted) {
                let service_name = &cluster.services[service.index()].name;
                if state.watches[service.index()] == Watch::Monitoring {
                    return refuse(
                        Invariant::MonitoringDuringApply,
                        format!(
                            "the Task Manager watch of {service_name:?} on {name} is Monitoring, and that service \
                             {role}; stop monitoring it first"
                        ),
                    );
                }
                let monitor = setup.service_monitors[service.index()]
                    .iter()
                    .find(|m| matches!(state.monitors[m.index()], MonitorStatus::Normal | MonitorStatus::Error));
                if state.cluster == ClusterService::Running
                    && let Some(monitor) = monitor
                {
                    return refuse(
                        Invariant::MonitoringDuringApply,
                        format!(
                            "monitor {} watches {service_name:?} on {name} and the cluster is not suspended, \
                             but that service {role}; suspend the cluster first",
                            cluster.monitors[monitor.index()].name
                        ),
                    );
                }
            }
            None
        }
        Operation::MoveGroup { group, .. } => {
            if let Some(running) = observation.installer_running() {
                return refuse(
                    Invariant::InstallerInterrupted,
                    format!(
                        "an installer is running on {}; moving group {} would cut it short",
                        setup.node_name(running),
                        cluster.groups[group.index()].name
                    ),
                );
            }
            let group_name = &cluster.groups[group.index()].name;
            if suspended {
                return refuse(
                    Invariant::FailoverDuringApply,
                    format!(
                        "the cluster is still suspended: group {group_name} cannot move before the cluster is \
                         resumed, and moving it during the apply would restart it"
                    ),
                );
            }
            if context.in_apply_window() {
                return refuse(
                    Invariant::FailoverDuringApply,
                    format!("group {group_name} would change owner between the first install and the resume"),
                );
            }
            None
        }
        Operation::StopResource { resource, .. } if context.in_apply_window() => {
            let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
            // Stopping a resource stops everything that depends on it.
            let mut stopped = vec![*resource];
            for &candidate in &group.resources {
                if cluster.resources[candidate.index()].depends.iter().any(|d| stopped.contains(d)) {
                    stopped.push(candidate);
                }
            }
            let sync =
                stopped.iter().find(|r| matches!(cluster.resources[r.index()].kind, ResourceKind::RegistrySync { .. }));
            match sync {
                Some(sync) => refuse(
                    Invariant::RegistrySyncStoppedDuringApply,
                    format!(
                        "stopping {} stops registry sync {} between the first install and the resume",
                        cluster.resources[resource.index()].name,
                        cluster.resources[sync.index()].name
                    ),
                ),
                None => None,
            }
        }
        Operation::StopClusterService { .. } if context.in_apply_window() => refuse(
            Invariant::RegistrySyncStoppedDuringApply,
            format!("stopping the cluster service on {name} during the apply stops registry sync there"),
        ),
        Operation::ImportRegistry { file, .. } => import_refusal(setup, observation, node, file)
            .and_then(|message| refuse(Invariant::RegistryRolledBack, message)),
        _ => None,
    }
}

/// Why importing `file` on `node` would leave the module's values to be rolled back (or roll
/// them back itself): an export taken before the first install holds the values the installer
/// replaced; and registry sync captures an import only on the node that holds it, while the
/// cluster runs.
fn import_refusal(setup: &Setup, observation: &Observation, node: NodeId, file: &str) -> Option<String> {
    let name = setup.node_name(node);
    let steps = &setup.procedure.steps;
    let first_install = steps.iter().position(|s| s.action.is(Milestone::InstallsModule)).unwrap_or(steps.len());
    if let Some(early) =
        steps[..first_install].iter().find(|s| s.action.registry_export().is_some_and(|export| same_path(export, file)))
    {
        return Some(format!(
            "{file} is the export of step {}, taken before the module's first install: importing it on {name} would \
             write back the values the installer replaced; import an export taken after the install",
            early.label()
        ));
    }
    if observation.cluster_suspended() {
        return Some(format!(
            "the cluster is suspended: registry sync captures nothing now, so values imported on {name} would roll \
             back the next time registry sync restores its image there; import after the resume"
        ));
    }
    let mut syncs: Vec<ResourceId> = setup
        .module_writes
        .iter()
        .flat_map(|component| component.writes.iter())
        .flat_map(|(slot, _)| setup.registry[slot.index()].synced_by.iter().copied())
        .collect();
    syncs.sort();
    syncs.dedup();
    let offline = syncs.into_iter().find(|r| {
        let state = observation.resources[r.index()];
        state.status != ResourceStatus::Online || state.node != Some(node)
    })?;
    let group = &setup.cluster.groups[setup.cluster.resources[offline.index()].group.index()].name;
    Some(format!(
        "registry sync {} is not online on {name}: values imported there would not be captured, and would roll \
         back when it next starts there; import on the node that holds group {group}, with the cluster running",
        setup.cluster.resources[offline.index()].name
    ))
}
