//! Faults in the simulated cluster: injected ones strike at once (a crash, a false alarm, a
//! lost heartbeat); armed ones wait for what they spoil (the next install, the next start of
//! a service, the next move), and the mechanisms ask whether one strikes when they get there.

use super::*;

impl Sim {
    /// From now on, notes each armed fault the cluster consults ([`Fault`]'s `is_armed`: the
    /// installer's at its start and end, a service's at its start, a group's at a move, a
    /// resource's at its activation), whether or not it is armed.
    pub fn note_consulted(&mut self) {
        self.reads = Some(Vec::new());
    }
    /// The armed faults consulted since [`Sim::note_consulted`], which stops noting.
    pub fn take_consulted(&mut self) -> Vec<Fault> {
        self.reads.take().unwrap_or_default()
    }
    /// The flag of a fault armed for later in [`Armed::flags`]; `None` for a service that
    /// will not start (listed apart) and for faults that strike at once.
    pub(super) fn armed_slot(&self, fault: Fault) -> Option<usize> {
        let (nodes, groups) = (self.obs.nodes.len(), self.obs.groups.len());
        match fault {
            Fault::InstallerFails { node } => Some(node.index()),
            Fault::InstallerHangs { node } => Some(nodes + node.index()),
            Fault::RestartRequest { node } => Some(2 * nodes + node.index()),
            Fault::GroupMoveFails { group } => Some(3 * nodes + group.index()),
            Fault::ResourceFails { resource } => Some(3 * nodes + groups + resource.index()),
            _ => None,
        }
    }
    /// Whether a fault armed for later strikes now: the cluster consults it here (noted during
    /// a look ahead, [`Sim::note_consulted`]), and if it is armed it is spent. Every place an
    /// armed fault spoils asks this; nothing else reads what is armed.
    pub(super) fn strikes(&mut self, kind: FaultKind, mut struck: Struck) -> bool {
        let Ok(fault) = kind.build(&mut struck) else { return false };
        if let Some(reads) = &mut self.reads {
            reads.push(fault);
        }
        if let Fault::ServiceFailsToStart { node, service } = fault {
            let Some(i) = self.armed.service_fails.iter().position(|&armed| armed == (node, service)) else {
                return false;
            };
            self.armed.make_mut().service_fails.remove(i);
            return true;
        }
        let Some(slot) = self.armed_slot(fault) else {
            return false;
        };
        // Read before writing: a write copies what a copy of this run still shares.
        self.armed.flags.get(slot) && self.armed.make_mut().flags.take(slot)
    }
    /// Whether injecting `fault` now would change anything: a crash of a node that is down,
    /// a false alarm of a monitor that does not run, a fault already armed, change nothing.
    pub fn fault_changes_state(&self, fault: Fault) -> bool {
        match fault {
            Fault::Crash { node } => self.obs.nodes[node.index()].power != Power::Down,
            Fault::Restart { node } => self.obs.nodes[node.index()].power == Power::Down,
            Fault::InstallerFails { .. }
            | Fault::InstallerHangs { .. }
            | Fault::RestartRequest { .. }
            | Fault::GroupMoveFails { .. }
            | Fault::ResourceFails { .. } => !self.armed_slot(fault).is_some_and(|slot| self.armed.flags.get(slot)),
            Fault::ServiceFailsToStart { node, service } => !self.armed.service_fails.contains(&(node, service)),
            Fault::MonitorFalseAlarm { node, monitor } => self.monitor_active(node, monitor),
            Fault::Unreachable { node } => self.obs.nodes[node.index()].reachable,
            Fault::Reachable { node } => !self.obs.nodes[node.index()].reachable,
            Fault::ServiceDies { node, service } => {
                self.obs.nodes[node.index()].services[service.index()] == ServiceStatus::Running
            }
            Fault::HeartbeatLoss { node } => self.obs.nodes[node.index()].power == Power::Up,
        }
    }
    /// Injects a fault now.
    pub fn inject(&mut self, fault: Fault) {
        self.emit(EventKind::FaultInjected { fault });
        // A fault that would change nothing (a crash of a node that is down, a false alarm of
        // a monitor that does not run, a fault already armed) is recorded and does nothing.
        if !self.fault_changes_state(fault) {
            return;
        }
        match fault {
            Fault::Crash { node } => self.node_down(node, DownCause::Crash),
            Fault::Restart { node } => self.boot(node),
            Fault::InstallerFails { .. }
            | Fault::InstallerHangs { .. }
            | Fault::RestartRequest { .. }
            | Fault::GroupMoveFails { .. }
            | Fault::ResourceFails { .. } => {
                if let Some(slot) = self.armed_slot(fault) {
                    self.armed.make_mut().flags.set(slot, true);
                }
            }
            Fault::ServiceFailsToStart { node, service } => self.armed.make_mut().service_fails.push((node, service)),
            Fault::MonitorFalseAlarm { node, monitor } => {
                let index = self.nm(node, monitor);
                self.false_alarm.set(index, true);
                self.schedule_monitor_poll_now(node, monitor);
            }
            Fault::Unreachable { node } => {
                self.node_mut(node).reachable = false;
                self.emit(EventKind::NodeUnreachable { node });
            }
            Fault::Reachable { node } => {
                self.node_mut(node).reachable = true;
                self.emit(EventKind::NodeReachable { node });
            }
            Fault::ServiceDies { node, service } => self.set_service_stopped(node, service, Actor::Fault),
            // Inferred: EXPRESSCLUSTER's network partition resolution shuts the isolated node
            // down at once (no orderly deactivation) so that only one side keeps the groups;
            // the others fail its groups over after the heartbeat timeout.
            Fault::HeartbeatLoss { node } => self.node_down(node, DownCause::NetworkPartition),
        }
    }
}
