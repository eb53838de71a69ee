//! Failover groups: stopping and starting them in dependency order, moves, failover of a
//! lost owner's groups.

use super::*;

impl Sim {
    pub(super) fn failover_destination(&self, group: GroupId, from: NodeId) -> Option<NodeId> {
        self.setup.cluster.groups[group.index()].policy.iter().copied().find(|&node| {
            node != from
                && self.obs.nodes[node.index()].power == Power::Up
                && self.obs.nodes[node.index()].cluster == ClusterService::Running
        })
    }

    /// The group's resources in activation order, from a shared handle so that the caller
    /// can change the simulator while it walks them.
    pub(super) fn group_resources(&self, group: GroupId) -> GroupResources {
        GroupResources { setup: Arc::clone(&self.setup), group }
    }

    pub(super) fn begin_group_stop(&mut self, group: GroupId, node: NodeId, then: Then) {
        self.group_generation.make_mut()[group.index()] += 1;
        self.group_busy.set(group.index(), true);
        self.obs.groups[group.index()].status = GroupStatus::OfflinePending;
        for resource in self.group_resources(group) {
            if self.obs.resources[resource.index()].status != ResourceStatus::Offline {
                self.obs.resources.make_mut()[resource.index()].status = ResourceStatus::OfflinePending;
            }
        }
        self.emit(EventKind::GroupStopping { group, node });
        if let Some(run) = &self.installers[node.index()]
            && !run.files_only
        {
            self.interrupt_installer(node, Interruption::GroupLeft { group });
        }
        let per_resource = self.setup.cluster.timing.resource;
        let count = self.setup.cluster.groups[group.index()].resources.len() as u32;
        let length = self.duration(per_resource * count);
        let generation = self.group_generation[group.index()];
        self.schedule(length, Timer::GroupStopped { group, node, generation, then });
    }

    pub(super) fn finish_group_stop(&mut self, group: GroupId, node: NodeId, then: Then) {
        // GroupStopping was announced when the stop began.
        self.take_group_offline(group, node, Offline::Quiet);
        if let Then::StartOn { node: target, fail } = then
            && self.obs.nodes[target.index()].power == Power::Up
        {
            self.begin_group_start(group, target, if fail { Some(node) } else { None });
        }
    }

    /// Takes a group offline on its node at once: its resources in reverse activation order,
    /// deactivated in order or dropped.
    pub(super) fn take_group_offline(&mut self, group: GroupId, node: NodeId, how: Offline) {
        self.group_generation.make_mut()[group.index()] += 1;
        self.group_busy.set(group.index(), false);
        if how == Offline::Announced {
            self.emit(EventKind::GroupStopping { group, node });
        }
        for resource in self.group_resources(group).into_iter().rev() {
            if self.obs.resources[resource.index()].status == ResourceStatus::Offline {
                continue;
            }
            if how == Offline::Dropped {
                self.obs.resources.make_mut()[resource.index()] =
                    ResourceState { status: ResourceStatus::Offline, node: None };
                self.emit(EventKind::ResourceOffline { node, resource, orderly: false });
            } else {
                self.deactivate_resource(node, resource);
            }
        }
        self.obs.groups[group.index()] = GroupState { status: GroupStatus::Offline, owner: None };
        self.emit(EventKind::GroupOffline { group, node });
        self.refresh_monitor_status();
    }

    pub(super) fn begin_group_start(&mut self, group: GroupId, node: NodeId, fail_back_to: Option<NodeId>) {
        self.group_generation.make_mut()[group.index()] += 1;
        self.group_busy.set(group.index(), true);
        self.obs.groups[group.index()] = GroupState { status: GroupStatus::OnlinePending, owner: Some(node) };
        for resource in self.group_resources(group) {
            self.obs.resources.make_mut()[resource.index()] =
                ResourceState { status: ResourceStatus::OnlinePending, node: Some(node) };
        }
        self.emit(EventKind::GroupStarting { group, node });
        let per_resource = self.setup.cluster.timing.resource;
        let count = self.setup.cluster.groups[group.index()].resources.len() as u32;
        let length = self.duration(per_resource * count);
        let generation = self.group_generation[group.index()];
        self.schedule(length, Timer::GroupStarted { group, node, generation, fail_back_to });
    }

    pub(super) fn finish_group_start(&mut self, group: GroupId, node: NodeId, fail_back_to: Option<NodeId>) {
        if let Some(source) = fail_back_to {
            // The move's destination cannot bring the group online: the first resource fails
            // and the group goes back to where it came from.
            let first = self.setup.cluster.groups[group.index()].resources[0];
            self.obs.resources.make_mut()[first.index()] =
                ResourceState { status: ResourceStatus::OnlineFailure, node: Some(node) };
            self.emit(EventKind::ResourceFailed { node, resource: first });
            for resource in self.group_resources(group) {
                self.obs.resources.make_mut()[resource.index()] =
                    ResourceState { status: ResourceStatus::Offline, node: None };
            }
            self.emit(EventKind::GroupMoveFailed { group, node });
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::Offline, owner: None };
            if self.obs.nodes[source.index()].power == Power::Up {
                self.begin_group_start(group, source, None);
            } else {
                self.group_busy.set(group.index(), false);
            }
            return;
        }
        let mut failed = false;
        for resource in self.group_resources(group) {
            if failed {
                self.obs.resources.make_mut()[resource.index()] =
                    ResourceState { status: ResourceStatus::Offline, node: None };
                continue;
            }
            if !self.activate_resource(node, resource, Actor::Cluster) {
                failed = true;
            }
        }
        self.group_busy.set(group.index(), false);
        if failed {
            // Inferred: the activation-failure action is "no operation (stop)", the default
            // (research/domain.md section 4); the group stays in Online Failure here.
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::OnlineFailure, owner: Some(node) };
        } else {
            self.obs.groups[group.index()] = GroupState { status: GroupStatus::Online, owner: Some(node) };
            self.emit(EventKind::GroupOnline { group, node });
        }
        self.refresh_monitor_status();
        self.recheck_watchers(node);
    }

    /// Groups whose owner vanished start on the best surviving node that runs the cluster.
    pub(super) fn fail_over_groups_of_lost(&mut self, lost: NodeId) {
        for g in 0..self.setup.cluster.groups.len() {
            let group = GroupId(g as u8);
            let state = self.obs.groups[g];
            if state.owner.is_some() || self.group_busy.get(g) {
                continue;
            }
            if let Some(destination) = self.failover_destination(group, lost) {
                self.begin_group_start(group, destination, None);
            }
        }
    }

    /// A node's resources go offline at once, without deactivation (crash) or with it
    /// (orderly shutdown).
    pub(super) fn drop_groups_of(&mut self, node: NodeId, orderly: bool) {
        let how = if orderly { Offline::Quiet } else { Offline::Dropped };
        for g in 0..self.setup.cluster.groups.len() {
            if self.obs.groups[g].owner == Some(node) {
                self.take_group_offline(GroupId(g as u8), node, how);
            }
        }
    }
}

/// A group's resources, borrowed through a shared handle on the setup.
pub(super) struct GroupResources {
    setup: Arc<Setup>,
    group: GroupId,
}

impl GroupResources {
    pub(super) fn slice(&self) -> &[ResourceId] {
        &self.setup.cluster.groups[self.group.index()].resources
    }
}

impl IntoIterator for GroupResources {
    type Item = ResourceId;
    type IntoIter = GroupResourcesIter;

    fn into_iter(self) -> GroupResourcesIter {
        let back = self.slice().len();
        GroupResourcesIter { resources: self, front: 0, back }
    }
}

pub(super) struct GroupResourcesIter {
    resources: GroupResources,
    front: usize,
    back: usize,
}

impl Iterator for GroupResourcesIter {
    type Item = ResourceId;

    fn next(&mut self) -> Option<ResourceId> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.resources.slice()[self.front - 1]
        })
    }
}

impl DoubleEndedIterator for GroupResourcesIter {
    fn next_back(&mut self) -> Option<ResourceId> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.resources.slice()[self.back]
        })
    }
}
