//! Monitor resources: polling on their grid, and recovery escalation (reactivate the
//! target, fail the group over, then the final action).

use super::*;

impl Sim {
    /// Whether a monitor watches on `node` now.
    ///
    /// Inferred: while the cluster is suspended, monitors are frozen (research/domain.md
    /// section 2.3; the SSC procedure suspends the cluster to prevent failovers).
    pub(super) fn monitor_active(&self, node: NodeId, monitor: MonitorId) -> bool {
        let state = &self.obs.nodes[node.index()];
        let target = self.setup.cluster.monitors[monitor.index()].target;
        let resource = self.obs.resources[target.index()];
        state.power == Power::Up
            && state.cluster == ClusterService::Running
            && state.monitors[monitor.index()] != MonitorStatus::Suspended
            && resource.status == ResourceStatus::Online
            && resource.node == Some(node)
    }

    pub(super) fn monitor_condition_ok(&self, node: NodeId, monitor: MonitorId) -> bool {
        if self.false_alarm.get(self.nm(node, monitor)) {
            return false;
        }
        let target = self.setup.cluster.monitors[monitor.index()].target;
        match &self.setup.cluster.resources[target.index()].kind {
            ResourceKind::Service { services } => {
                services.iter().all(|s| self.obs.nodes[node.index()].services[s.index()] == ServiceStatus::Running)
            }
            _ => true,
        }
    }

    pub(super) fn refresh_monitor_status(&mut self) {
        for n in 0..self.obs.nodes.len() {
            let node = NodeId(n as u8);
            for m in 0..self.setup.cluster.monitors.len() {
                let monitor = MonitorId(m as u16);
                if self.obs.nodes[n].monitors[m] == MonitorStatus::Suspended {
                    continue;
                }
                let status = if self.monitor_active(node, monitor) {
                    if self.obs.nodes[n].monitors[m] == MonitorStatus::Error {
                        MonitorStatus::Error
                    } else {
                        MonitorStatus::Normal
                    }
                } else {
                    MonitorStatus::Offline
                };
                // Written only when it changes: a write copies a node that a copy of this
                // run still shares.
                if self.obs.nodes[n].monitors[m] != status {
                    self.obs.nodes[n].make_mut().monitors[m] = status;
                    // Polls are scheduled only where they can see a change; with counts to
                    // clear once healthy, the monitor's first poll after it watches again
                    // is one.
                    if status == MonitorStatus::Normal
                        && self.setup.cluster.recovery_counts == RecoveryCounts::ResetOnNormal
                        && self.escalation[self.nm(node, monitor)] != Escalation::default()
                    {
                        self.schedule_monitor_poll(node, monitor);
                    }
                }
            }
        }
    }

    pub(super) fn schedule_monitor_poll(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        if self.monitor_poll_pending.get(index) {
            return;
        }
        self.monitor_poll_pending.set(index, true);
        let interval = self.setup.cluster.monitors[monitor.index()].interval;
        let phase = self.origin.unwrap_or_default() + self.monitor_phase[monitor.index()];
        // The next tick of this monitor's polling grid, strictly after now. In u128 and
        // saturating: a clock read from a damaged journal must not wrap into the past.
        let since = self.now.saturating_sub(phase).as_millis();
        let step = interval.as_millis().max(1);
        let next_ms = u64::try_from((since / step + 1) * step).unwrap_or(u64::MAX);
        let next = phase.saturating_add(Duration::from_millis(next_ms));
        self.schedule(next.saturating_sub(self.now), Timer::MonitorPoll { node, monitor });
    }

    pub(super) fn schedule_monitor_poll_now(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        self.monitor_poll_pending.set(index, true);
        self.schedule(Duration::ZERO, Timer::MonitorPoll { node, monitor });
    }

    /// A monitor's poll: on error, reactivate the target up to the restart threshold, then
    /// fail the group over up to the failover threshold, then take the final action (the
    /// escalation of NEC's monitor parameters, research/domain.md section 4).
    pub(super) fn monitor_poll(&mut self, node: NodeId, monitor: MonitorId) {
        let index = self.nm(node, monitor);
        self.monitor_poll_pending.set(index, false);
        if !self.monitor_active(node, monitor) {
            self.false_alarm.set(index, false);
            return;
        }
        if self.monitor_condition_ok(node, monitor) {
            if self.obs.nodes[node.index()].monitors[monitor.index()] != MonitorStatus::Normal {
                self.node_mut(node).monitors[monitor.index()] = MonitorStatus::Normal;
            }
            if self.setup.cluster.recovery_counts == RecoveryCounts::ResetOnNormal {
                self.clear_recovery_counts(index);
            }
            return;
        }
        let false_alarm = self.false_alarm.take(index);
        self.node_mut(node).monitors[monitor.index()] = MonitorStatus::Error;
        self.emit(EventKind::MonitorError { node, monitor, false_alarm });
        let setup = Arc::clone(&self.setup);
        let spec = &setup.cluster.monitors[monitor.index()];
        let escalation = self.escalation[index];
        let target = spec.target;
        let group = self.setup.cluster.resources[target.index()].group;
        if escalation.restarts < spec.restart_threshold {
            self.escalation.make_mut()[index].restarts += 1;
            self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::Restart });
            self.deactivate_resource(node, target);
            self.activate_resource(node, target, Actor::Monitor);
            self.node_mut(node).monitors[monitor.index()] = MonitorStatus::Normal;
            self.schedule_monitor_poll(node, monitor);
            return;
        }
        if escalation.failovers < spec.failover_threshold
            && let Some(destination) = self.failover_destination(group, node)
        {
            self.escalation.make_mut()[index].failovers += 1;
            self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::Failover });
            self.begin_group_stop(group, node, Then::StartOn { node: destination, fail: false });
            return;
        }
        self.emit(EventKind::MonitorRecovery { node, monitor, action: Recovery::FinalAction(spec.final_action) });
        match spec.final_action {
            FinalAction::NoOperation => {}
            FinalAction::StopGroup => self.begin_group_stop(group, node, Then::Nothing),
            FinalAction::StopClusterService => self.stop_cluster_service(node),
            FinalAction::StopClusterServiceAndShutdown => {
                self.stop_cluster_service(node);
                self.node_down(node, DownCause::FinalAction);
            }
            FinalAction::StopClusterServiceAndReboot => {
                self.stop_cluster_service(node);
                self.node_down(node, DownCause::FinalAction);
                self.boot(node);
            }
        }
    }

    /// Clears the recovery counts of every monitor on `node` (a resume, when the cluster
    /// description says `recovery-counts = "reset-on-resume"`).
    pub(super) fn clear_recovery_counts_on(&mut self, node: NodeId) {
        if self.setup.cluster.recovery_counts != RecoveryCounts::ResetOnResume {
            return;
        }
        for m in 0..self.setup.cluster.monitors.len() {
            self.clear_recovery_counts(self.nm(node, MonitorId(m as u16)));
        }
    }

    /// Inferred (see [`RecoveryCounts`]): the counts go back to zero only when the site's
    /// cluster description says so; written only when there is something to clear, since a
    /// write copies what a copy of this run still shares.
    fn clear_recovery_counts(&mut self, index: usize) {
        if self.escalation[index] != Escalation::default() {
            self.escalation.make_mut()[index] = Escalation::default();
        }
    }
}
