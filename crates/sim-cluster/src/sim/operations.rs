//! Operations: what the engine asks of the cluster, checked against the cluster's own
//! rules (refusals) and turned into state changes and timers.

use super::*;

impl Sim {
    pub(super) fn refuse(&mut self, node: NodeId, operation: &Operation, reason: Refusal) -> Result<(), BackendError> {
        self.emit(EventKind::OperationRefused { node, operation: operation.verb(), reason });
        Err(BackendError::Refused { node, reason })
    }

    pub(super) fn drive_readable(&self, node: NodeId, folder: &str) -> bool {
        if self.setup.cluster.is_mirror_drive(folder) {
            return self.mirror_readable(node);
        }
        let drive = procedure::cluster::drive_of(folder).to_ascii_uppercase();
        self.setup.cluster.nodes[node.index()].drives.contains(&drive)
    }

    pub(super) fn run_operation(&mut self, operation: &Operation) -> Result<(), BackendError> {
        let node = operation.node();
        let state = &self.obs.nodes[node.index()];
        if !state.reachable {
            return Err(BackendError::Unreachable { node });
        }
        if state.power != Power::Up {
            return self.refuse(node, operation, Refusal::NodeDown);
        }
        if matches!(
            operation,
            Operation::StopWatch { .. }
                | Operation::StartWatch { .. }
                | Operation::SuspendMonitor { .. }
                | Operation::ResumeMonitor { .. }
        ) {
            // Inferred: a console operation (Task Manager's Stop/Start Monitoring, clpmonctrl)
            // takes the operator `timing.console` of clicks and confirmations before the state
            // changes; the cluster goes on meanwhile.
            let clicks = self.duration(self.setup.cluster.timing.console);
            self.advance(clicks);
            let state = &self.obs.nodes[node.index()];
            if !state.reachable {
                return Err(BackendError::Unreachable { node });
            }
            if state.power != Power::Up {
                return self.refuse(node, operation, Refusal::NodeDown);
            }
        }
        let generation = self.node_generation[node.index()];
        let timing = self.setup.cluster.timing.clone();
        match operation {
            Operation::SuspendCluster { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                // Inferred: each server suspends and resumes on its own, so they finish at
                // slightly different moments (each draws its own duration).
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up && self.obs.nodes[n].cluster == ClusterService::Running {
                        let length = self.duration(timing.suspend);
                        self.node_mut(target).cluster = ClusterService::Suspending;
                        self.emit(EventKind::ClusterSuspending { node: target });
                        let generation = self.node_generation[n];
                        self.schedule(length, Timer::ClusterSuspended { node: target, generation });
                    }
                }
                self.refresh_monitor_status();
            }
            Operation::ResumeCluster { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up
                        && matches!(self.obs.nodes[n].cluster, ClusterService::Suspended | ClusterService::Suspending)
                    {
                        let length = self.duration(timing.resume);
                        self.node_mut(target).cluster = ClusterService::Resuming;
                        self.emit(EventKind::ClusterResuming { node: target });
                        let generation = self.node_generation[n];
                        self.schedule(length, Timer::ClusterResumed { node: target, generation });
                    }
                }
            }
            Operation::StartClusterService { .. } => {
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    self.node_mut(node).cluster = ClusterService::Running;
                    self.emit(EventKind::ClusterServiceStarted { node });
                    self.auto_start_groups();
                    self.refresh_monitor_status();
                }
            }
            Operation::StopClusterService { .. } => self.stop_cluster_service(node),
            Operation::SuspendMonitor { monitor, .. } => {
                self.node_mut(node).monitors[monitor.index()] = MonitorStatus::Suspended;
                self.emit(EventKind::MonitorSuspended { node, monitor: *monitor });
            }
            Operation::ResumeMonitor { monitor, .. } => {
                if self.obs.nodes[node.index()].monitors[monitor.index()] == MonitorStatus::Suspended {
                    self.node_mut(node).monitors[monitor.index()] = MonitorStatus::Offline;
                    self.emit(EventKind::MonitorResumed { node, monitor: *monitor });
                    self.refresh_monitor_status();
                    self.recheck_watchers(node);
                }
            }
            Operation::StopWatch { service, .. } | Operation::StartWatch { service, .. } => {
                let monitoring = matches!(operation, Operation::StartWatch { .. });
                let watch = self.obs.nodes[node.index()].watches[service.index()];
                if watch == Watch::Absent {
                    return self.refuse(node, operation, Refusal::NotWatched);
                }
                let wanted = if monitoring { Watch::Monitoring } else { Watch::NotMonitoring };
                if watch != wanted {
                    self.node_mut(node).watches[service.index()] = wanted;
                    self.emit(EventKind::WatchSet { node, service: *service, monitoring });
                    if monitoring && self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::Stopped {
                        self.schedule_watch_poll(node, *service);
                    }
                }
            }
            Operation::StopService { service, .. } => {
                let status = self.obs.nodes[node.index()].services[service.index()];
                if matches!(status, ServiceStatus::Running | ServiceStatus::StartPending) {
                    self.node_mut(node).services[service.index()] = ServiceStatus::StopPending;
                    let length = self.duration(timing.service);
                    self.schedule(length, Timer::ServiceStopped { node, service: *service, generation });
                }
            }
            Operation::StartService { service, .. } => {
                let status = self.obs.nodes[node.index()].services[service.index()];
                if matches!(status, ServiceStatus::Stopped | ServiceStatus::StopPending) {
                    self.node_mut(node).services[service.index()] = ServiceStatus::StartPending;
                    let length = self.duration(timing.service);
                    self.schedule(length, Timer::ServiceStarted { node, service: *service, generation });
                }
            }
            Operation::StopResource { resource, .. } => {
                // Inferred: single-resource control (clprsc) is not refused while suspended,
                // unlike group operations; NEC's warning 1 presumes it can be done.
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.group_busy.get(group.index()) {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                let owner = self.obs.resources[resource.index()].node;
                if let Some(owner) = owner {
                    let length = self.duration(timing.resource);
                    for dependent in self.dependents_in_stop_order(*resource) {
                        if self.obs.resources[dependent.index()].status == ResourceStatus::Online {
                            self.obs.resources.make_mut()[dependent.index()].status = ResourceStatus::OfflinePending;
                        }
                    }
                    let generation = self.node_generation[owner.index()];
                    self.schedule(length, Timer::ResourceStopped { resource: *resource, node: owner, generation });
                }
            }
            Operation::StartResource { resource, .. } => {
                let group = self.setup.cluster.resources[resource.index()].group;
                if self.obs.nodes[node.index()].cluster == ClusterService::Stopped {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                if self.obs.groups[group.index()].owner.is_some_and(|owner| owner != node) {
                    return self.refuse(node, operation, Refusal::TargetUnavailable);
                }
                if self.group_busy.get(group.index()) {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                if self.obs.resources[resource.index()].status != ResourceStatus::Online {
                    if self.obs.groups[group.index()].owner.is_none() {
                        // Starting one resource of an offline group brings the group up here,
                        // partly.
                        self.obs.groups[group.index()] =
                            GroupState { status: GroupStatus::OnlinePending, owner: Some(node) };
                    }
                    for needed in self.dependencies_in_start_order(*resource) {
                        if self.obs.resources[needed.index()].status == ResourceStatus::Offline {
                            self.obs.resources.make_mut()[needed.index()] =
                                ResourceState { status: ResourceStatus::OnlinePending, node: Some(node) };
                        }
                    }
                    let length = self.duration(timing.resource);
                    self.schedule(length, Timer::ResourceStarted { resource: *resource, node, generation });
                }
            }
            Operation::MoveGroup { group, to, .. } => {
                // Inferred: group operations are refused while the cluster is suspended
                // (research/domain.md section 2.3).
                if self.obs.cluster_suspended() {
                    return self.refuse(node, operation, Refusal::ClusterSuspended);
                }
                if self.obs.nodes[node.index()].cluster != ClusterService::Running {
                    return self.refuse(node, operation, Refusal::ClusterNotRunning);
                }
                if self.group_busy.get(group.index()) {
                    return self.refuse(node, operation, Refusal::Busy);
                }
                let owner = self.obs.groups[group.index()].owner;
                let destination = match to {
                    Some(target) => {
                        let state = &self.obs.nodes[target.index()];
                        let allowed = self.setup.cluster.groups[group.index()].policy.contains(target);
                        if !allowed || state.power != Power::Up || state.cluster != ClusterService::Running {
                            return self.refuse(node, operation, Refusal::TargetUnavailable);
                        }
                        *target
                    }
                    None => match owner.and_then(|owner| self.failover_destination(*group, owner)) {
                        Some(target) => target,
                        None => {
                            return self.refuse(node, operation, Refusal::TargetUnavailable);
                        }
                    },
                };
                if owner == Some(destination) {
                    return Ok(());
                }
                let fail = self.strikes(FaultKind::GroupMoveFails, Struck::group(*group));
                match owner {
                    Some(owner) => self.begin_group_stop(*group, owner, Then::StartOn { node: destination, fail }),
                    None => self.begin_group_start(*group, destination, None),
                }
            }
            Operation::UnzipModule { folder, module, .. } => {
                if !self.drive_readable(node, folder) {
                    return self.refuse(node, operation, Refusal::DriveNotAccessible);
                }
                let length = self.duration(timing.unzip);
                self.schedule(
                    length,
                    Timer::Unzipped { node, folder: Arc::clone(folder), module: *module, generation },
                );
            }
            Operation::BackupRegistry { file, .. } => {
                if !self.drive_readable(node, file) {
                    return self.refuse(node, operation, Refusal::DriveNotAccessible);
                }
                let length = self.duration(timing.backup);
                self.schedule(length, Timer::BackedUp { node, file: Arc::clone(file), generation });
            }
            Operation::ImportRegistry { file, .. } => {
                // reg import reads the file as it is now: what a later export writes there is
                // not imported.
                let Some(values) = self.export_on(node, file) else {
                    let name = &self.setup.cluster.nodes[node.index()].name;
                    return Err(BackendError::Failed {
                        node,
                        message: format!(
                            "reg import {file} on {name}: error opening the file (there is no such file on {name})"
                        ),
                    });
                };
                let length = self.duration(timing.backup);
                self.schedule(length, Timer::Imported { node, values, generation });
            }
            Operation::InstallModule { folder, module, restart_answer, .. } => {
                if self.installers[node.index()].is_some() {
                    return self.refuse(node, operation, Refusal::InstallerRunning);
                }
                self.start_installer(node, *module, folder, *restart_answer);
            }
            Operation::RebootNode { .. } => {
                self.node_down(node, DownCause::Reboot);
                self.boot(node);
            }
            Operation::RebootCluster { .. } => {
                self.emit(EventKind::ClusterRebootStarted { via: node });
                // clpstdn: every group stops in order (saving registry sync while the cluster
                // runs), every cluster service stops, every node reboots.
                for g in 0..self.setup.cluster.groups.len() {
                    if let Some(owner) = self.obs.groups[g].owner {
                        self.take_group_offline(GroupId(g as u8), owner, Offline::Announced);
                    }
                }
                for n in 0..self.obs.nodes.len() {
                    let target = NodeId(n as u8);
                    if self.obs.nodes[n].power == Power::Up {
                        self.node_down(target, DownCause::ClusterReboot);
                        self.boot(target);
                    }
                }
            }
        }
        Ok(())
    }
}
