//! Nodes: the cluster service, going down (crash, reboot, shutdown), booting, and
//! starting groups that are offline everywhere.

use super::*;

impl Sim {
    pub(super) fn stop_cluster_service(&mut self, node: NodeId) {
        let state = self.obs.nodes[node.index()].cluster;
        if state == ClusterService::Stopped {
            return;
        }
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            if self.obs.groups[g].owner == Some(node) {
                let destination =
                    if state == ClusterService::Running { self.failover_destination(group, node) } else { None };
                match destination {
                    Some(destination) => {
                        // Stop here, start there, in one go (no timer: the service stop waits).
                        self.take_group_offline(group, node, Offline::Announced);
                        self.begin_group_start(group, destination, None);
                    }
                    None => self.take_group_offline(group, node, Offline::Announced),
                }
            }
        }
        self.node_mut(node).cluster = ClusterService::Stopped;
        self.emit(EventKind::ClusterServiceStopped { node });
        self.refresh_monitor_status();
    }

    /// The node goes down. An orderly shutdown deactivates its resources (registry sync saves
    /// its keys only if the cluster runs); a crash just drops them.
    pub(super) fn node_down(&mut self, node: NodeId, cause: DownCause) {
        let cluster_was = self.obs.nodes[node.index()].cluster;
        let suspended =
            matches!(cluster_was, ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming);
        if self.installers[node.index()].is_some() {
            self.interrupt_installer(node, Interruption::NodeDown { cause });
        }
        // A dialog does not survive its machine going down.
        self.prompts.set(node.index(), false);
        let orderly = !cause.is_fault();
        let owned_any = self.obs.groups.iter().any(|g| g.owner == Some(node));
        if orderly && cluster_was == ClusterService::Running && cause != DownCause::ClusterReboot {
            // An orderly shutdown of a running cluster node moves its groups away first.
            self.stop_cluster_service(node);
        } else {
            self.drop_groups_of(node, orderly);
        }
        let state = self.node_mut(node);
        state.power = Power::Down;
        state.cluster = ClusterService::Stopped;
        for service in &mut state.services {
            *service = ServiceStatus::Stopped;
        }
        for watch in &mut state.watches {
            *watch = Watch::Absent;
        }
        self.node_generation.make_mut()[node.index()] += 1;
        self.emit(EventKind::NodeDown { node, cause, cluster_suspended: suspended });
        self.refresh_monitor_status();
        if owned_any && cause.is_fault() {
            let generation = self.node_generation[node.index()];
            self.schedule(HEARTBEAT_TIMEOUT, Timer::PeerLost { node, generation });
        }
    }

    pub(super) fn boot(&mut self, node: NodeId) {
        self.node_mut(node).power = Power::Booting;
        let generation = self.node_generation[node.index()];
        let length = self.duration(self.setup.cluster.timing.reboot);
        self.schedule(length, Timer::Booted { node, generation });
    }

    /// Inferred: a node boots with its cluster service running, not suspended — the suspend
    /// does not survive a reboot — and starts any group that is offline everywhere when it is
    /// the best node for it. That is how a reboot while suspended re-activates registry sync
    /// from its old image (NEC's warning 2).
    pub(super) fn finish_boot(&mut self, node: NodeId) {
        let state = self.obs.nodes[node.index()].make_mut();
        state.power = Power::Up;
        state.cluster = ClusterService::Running;
        state.boots += 1;
        for service in &self.setup.standalone_services {
            state.services[service.index()] = ServiceStatus::Running;
        }
        self.emit(EventKind::NodeBooted { node });
        self.emit(EventKind::ClusterServiceStarted { node });
        self.auto_start_groups();
        self.refresh_monitor_status();
    }

    /// Starts each group that has no owner on the highest-priority node that is up or still
    /// booting (EXPRESSCLUSTER waits for its peers before starting groups); only a node that
    /// is up and running the cluster actually starts it.
    pub(super) fn auto_start_groups(&mut self) {
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            if self.obs.groups[g].owner.is_some() || self.group_busy.get(g) {
                continue;
            }
            let best = self.setup.cluster.groups[g].policy.iter().copied().find(|&n| {
                let state = &self.obs.nodes[n.index()];
                state.power == Power::Booting || (state.power == Power::Up && state.cluster != ClusterService::Stopped)
            });
            if let Some(best) = best {
                let state = &self.obs.nodes[best.index()];
                if state.power == Power::Up && state.cluster == ClusterService::Running {
                    self.begin_group_start(group, best, None);
                }
            }
        }
    }
}
