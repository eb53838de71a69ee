//! Windows services and the ExpressCluster "Task Manager" service watch: starting and
//! stopping services, and the watch that restarts a stopped service one interval later.

use super::*;

impl Sim {
    /// The monitor watching `service` on `node` right now, if one is active.
    pub(super) fn active_monitor_of_service(&self, node: NodeId, service: ServiceId) -> Option<MonitorId> {
        self.setup.service_monitors[service.index()].iter().copied().find(|&monitor| self.monitor_active(node, monitor))
    }

    pub(super) fn watch_active(&self, node: NodeId, service: ServiceId) -> bool {
        self.obs.nodes[node.index()].watches[service.index()] == Watch::Monitoring
    }

    pub(super) fn set_service_stopped(&mut self, node: NodeId, service: ServiceId, by: Actor) {
        if self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::Stopped {
            return;
        }
        self.node_mut(node).services[service.index()] = ServiceStatus::Stopped;
        let watch_active = self.watch_active(node, service);
        let monitor_active = self.active_monitor_of_service(node, service);
        self.emit(EventKind::ServiceStopped { node, service, by, watch_active, monitor_active });
        if watch_active {
            self.schedule_watch_poll(node, service);
        }
        if let Some(monitor) = monitor_active {
            self.schedule_monitor_poll(node, monitor);
        }
    }

    /// Starts a service now; false when an armed fault makes it fail.
    pub(super) fn set_service_started(&mut self, node: NodeId, service: ServiceId, by: Actor) -> bool {
        if self.strikes(FaultKind::ServiceFailsToStart, Struck::service(node, service)) {
            self.node_mut(node).services[service.index()] = ServiceStatus::Stopped;
            self.emit(EventKind::ServiceStartFailed { node, service });
            return false;
        }
        if self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::Running {
            return true;
        }
        self.node_mut(node).services[service.index()] = ServiceStatus::Running;
        let watch_active = self.watch_active(node, service);
        let monitor_active = self.active_monitor_of_service(node, service);
        self.emit(EventKind::ServiceStarted { node, service, by, watch_active, monitor_active });
        // A service of the component being exchanged, started under a running installer, holds
        // the files it replaces: the installer is cut short.
        if by != Actor::Installer
            && let Some(run) = &self.installers[node.index()]
            && (run.stopped.contains(&service)
                || self.setup.procedure.module(run.module).requires_stopped.contains(&service)
                || self.setup.procedure.module(run.module).services().any(|s| s == service))
        {
            self.interrupt_installer(node, Interruption::ServiceRestarted { service, by });
        }
        true
    }

    /// Inferred: the Task Manager watch (an ARMLOAD-style watch, research/domain.md section 4)
    /// restarts a stopped service one polling interval later, whether or not the cluster is
    /// suspended.
    pub(super) fn schedule_watch_poll(&mut self, node: NodeId, service: ServiceId) {
        let index = self.ns(node, service);
        if self.watch_poll_pending.get(index) {
            return;
        }
        self.watch_poll_pending.set(index, true);
        let interval = self.setup.cluster.timing.watch_interval;
        self.schedule(interval, Timer::WatchPoll { node, service });
    }

    pub(super) fn watch_poll(&mut self, node: NodeId, service: ServiceId) {
        let index = self.ns(node, service);
        self.watch_poll_pending.set(index, false);
        let state = &self.obs.nodes[node.index()];
        if state.power == Power::Up
            && state.watches[service.index()] == Watch::Monitoring
            && state.services[service.index()] == ServiceStatus::Stopped
        {
            self.set_service_started(node, service, Actor::Watch);
        }
    }

    /// After a node's cluster resumes, or a watch is turned back on, the watchers look again.
    pub(super) fn recheck_watchers(&mut self, node: NodeId) {
        for s in 0..self.setup.cluster.services.len() {
            let service = ServiceId(s as u16);
            if self.obs.nodes[node.index()].services[s] != ServiceStatus::Stopped {
                continue;
            }
            if self.watch_active(node, service) {
                self.schedule_watch_poll(node, service);
            }
            if let Some(monitor) = self.active_monitor_of_service(node, service) {
                self.schedule_monitor_poll(node, monitor);
            }
        }
    }
}
