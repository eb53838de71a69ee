//! Resources and registry sync: activating and deactivating resources, capturing the
//! owner's keys into the image, and restoring the image when the resource comes online;
//! and the .reg exports of the module's keys, which an import writes back.

use super::*;

impl Sim {
    pub(super) fn activate_resource(&mut self, node: NodeId, resource: ResourceId, by: Actor) -> bool {
        if self.strikes(FaultKind::ResourceFails, Struck::resource(resource)) {
            self.obs.resources.make_mut()[resource.index()] =
                ResourceState { status: ResourceStatus::OnlineFailure, node: Some(node) };
            self.emit(EventKind::ResourceFailed { node, resource });
            return false;
        }
        let setup = Arc::clone(&self.setup);
        match &setup.cluster.resources[resource.index()].kind {
            ResourceKind::RegistrySync { .. } => self.restore_image(node, resource),
            ResourceKind::Service { services } => {
                for &service in services {
                    if !self.set_service_started(node, service, by) {
                        self.obs.resources.make_mut()[resource.index()] =
                            ResourceState { status: ResourceStatus::OnlineFailure, node: Some(node) };
                        self.emit(EventKind::ResourceFailed { node, resource });
                        return false;
                    }
                }
                // Inferred: services started through the cluster are watched again by the Task
                // Manager watch (the ARMLOAD watch starts with the service).
                for &service in services {
                    if self.setup.cluster.services[service.index()].watched {
                        self.node_mut(node).watches[service.index()] = Watch::Monitoring;
                    }
                }
            }
            ResourceKind::MirrorDisk { .. } | ResourceKind::FloatingIp { .. } => {}
        }
        self.obs.resources.make_mut()[resource.index()] =
            ResourceState { status: ResourceStatus::Online, node: Some(node) };
        self.emit(EventKind::ResourceOnline { node, resource });
        true
    }

    pub(super) fn deactivate_resource(&mut self, node: NodeId, resource: ResourceId) {
        let setup = Arc::clone(&self.setup);
        match &setup.cluster.resources[resource.index()].kind {
            ResourceKind::Service { services } => {
                for &service in services.iter().rev() {
                    self.node_mut(node).watches[service.index()] = Watch::Absent;
                    self.set_service_stopped(node, service, Actor::Cluster);
                }
            }
            ResourceKind::RegistrySync { .. } => {
                // Inferred: saved when taken offline, as long as the cluster runs here (as WSFC
                // checkpoints are, KB174070).
                if self.obs.nodes[node.index()].cluster == ClusterService::Running {
                    self.capture(node, resource);
                }
            }
            ResourceKind::MirrorDisk { .. } | ResourceKind::FloatingIp { .. } => {}
        }
        self.obs.resources.make_mut()[resource.index()] = ResourceState { status: ResourceStatus::Offline, node: None };
        self.emit(EventKind::ResourceOffline { node, resource, orderly: true });
    }

    /// Registry sync activation: the node's synchronized values are overwritten from the
    /// resource's saved image; whatever was not captured is lost.
    ///
    /// Inferred in part (research/domain.md section 2.2): NEC documents that keys may be
    /// rolled back "when the resources are started"; WSFC's checkpointing documents the same
    /// restore-before-online rule.
    pub(super) fn restore_image(&mut self, node: NodeId, resource: ResourceId) {
        let mut overwritten = Vec::new();
        for (s, slot) in self.setup.registry.iter().enumerate() {
            if !slot.synced_by.contains(&resource) {
                continue;
            }
            let image = self.images[resource.index()][s];
            let current = self.obs.nodes[node.index()].registry[s];
            if image != current {
                overwritten.push(Overwrite {
                    slot: SlotId(s as u16),
                    lost: current,
                    restored: image,
                    installer_write: self.provenance[node.index()][s],
                });
                self.obs.nodes[node.index()].make_mut().registry[s] = image;
            }
            if self.provenance[node.index()][s] {
                self.provenance.make_mut()[node.index()][s] = false;
            }
        }
        self.emit(EventKind::RegistryRestored { resource, node, overwritten });
    }

    /// Copies the node's synchronized values into the image; returns how many changed.
    pub(super) fn capture(&mut self, node: NodeId, resource: ResourceId) -> u16 {
        let mut changed = 0;
        for (s, slot) in self.setup.registry.iter().enumerate() {
            if slot.synced_by.contains(&resource) {
                let current = self.obs.nodes[node.index()].registry[s];
                if self.images[resource.index()][s] != current {
                    self.images.make_mut()[resource.index()][s] = current;
                    changed += 1;
                }
            }
        }
        changed
    }

    /// On resume, every registry-sync resource online on the node captures its keys.
    ///
    /// Inferred: capture resumes with the cluster and takes the keys as they are then
    /// (research/domain.md section 2.2) — which is why NEC says to resume before rebooting.
    pub(super) fn capture_all_on(&mut self, node: NodeId) {
        let resources: Vec<ResourceId> = self.setup.cluster.registry_sync_resources().collect();
        for resource in resources {
            let state = self.obs.resources[resource.index()];
            if state.status == ResourceStatus::Online && state.node == Some(node) {
                let changed = self.capture(node, resource);
                self.emit(EventKind::RegistryCaptured { resource, node, changed });
            }
        }
    }

    /// A value written on a node is captured at once if a registry-sync resource covering it
    /// is online there and the cluster runs (not suspended).
    ///
    /// Inferred: NEC documents only that changes made while the resource is active reach the
    /// other server (research/domain.md section 2.1); that capture stops while the cluster is
    /// suspended is inferred from the warning about rebooting while suspended.
    pub(super) fn write_registry(&mut self, node: NodeId, slot: SlotId, data: DataId) {
        self.node_mut(node).registry[slot.index()] = Some(data);
        self.provenance.make_mut()[node.index()][slot.index()] = true;
        self.emit(EventKind::RegistryWritten { node, slot, data });
        if self.obs.nodes[node.index()].cluster != ClusterService::Running {
            return;
        }
        let synced_by = self.setup.registry[slot.index()].synced_by.clone();
        for resource in synced_by {
            let state = self.obs.resources[resource.index()];
            if state.status == ResourceStatus::Online && state.node == Some(node) {
                self.images.make_mut()[resource.index()][slot.index()] = Some(data);
                self.emit(EventKind::RegistryCaptured { resource, node, changed: 1 });
            }
        }
    }

    /// `reg export` of the module's keys (and their subkeys) into `file` on `node`, replacing
    /// an earlier export to the same file (`/y`). Values absent from the node are not in it.
    pub(super) fn keep_export(&mut self, node: NodeId, file: Arc<str>) {
        let setup = Arc::clone(&self.setup);
        let keys: Vec<&str> = setup
            .module_writes
            .iter()
            .flat_map(|component| component.writes.iter())
            .map(|(slot, _)| setup.registry[slot.index()].key.as_str())
            .collect();
        let state = &self.obs.nodes[node.index()];
        let values: Arc<[Exported]> = setup
            .registry
            .iter()
            .enumerate()
            .filter(|(_, slot)| keys.iter().any(|key| procedure::cluster::key_is_under(&slot.key, key)))
            .filter_map(|(s, _)| {
                let data = state.registry[s]?;
                Some(Exported { slot: SlotId(s as u16), data, installer_write: self.provenance[node.index()][s] })
            })
            .collect();
        let exports = self.exports.make_mut();
        exports.retain(|export| !(export.node == node && same_path(&export.file, &file)));
        exports.push(Export { node, file, values });
    }

    /// What the export `file` on `node` holds, if the node has that file.
    pub(super) fn export_on(&self, node: NodeId, file: &str) -> Option<Arc<[Exported]>> {
        self.exports
            .iter()
            .find(|export| export.node == node && same_path(&export.file, file))
            .map(|export| Arc::clone(&export.values))
    }

    /// `reg import`: the values of the export overwrite the node's; values not in it stay.
    /// Registry sync captures them as it captures any write: at once, if it is online on the
    /// node and the cluster runs there.
    pub(super) fn import_values(&mut self, node: NodeId, values: &[Exported]) {
        let mut changed: Vec<(SlotId, DataId)> = Vec::new();
        for value in values {
            let s = value.slot.index();
            if self.obs.nodes[node.index()].registry[s] != Some(value.data) {
                self.node_mut(node).registry[s] = Some(value.data);
                changed.push((value.slot, value.data));
            }
            if self.provenance[node.index()][s] != value.installer_write {
                self.provenance.make_mut()[node.index()][s] = value.installer_write;
            }
        }
        self.emit(EventKind::RegistryImported { node, changed: changed.len() as u16 });
        if changed.is_empty() || self.obs.nodes[node.index()].cluster != ClusterService::Running {
            return;
        }
        let resources: Vec<ResourceId> = self.setup.cluster.registry_sync_resources().collect();
        for resource in resources {
            let state = self.obs.resources[resource.index()];
            if state.status != ResourceStatus::Online || state.node != Some(node) {
                continue;
            }
            let mut captured = 0;
            for &(slot, data) in &changed {
                if self.setup.registry[slot.index()].synced_by.contains(&resource) {
                    self.images.make_mut()[resource.index()][slot.index()] = Some(data);
                    captured += 1;
                }
            }
            if captured > 0 {
                self.emit(EventKind::RegistryCaptured { resource, node, changed: captured });
            }
        }
    }

    pub(super) fn dependents_in_stop_order(&self, resource: ResourceId) -> Vec<ResourceId> {
        let cluster = &self.setup.cluster;
        let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
        let mut affected = vec![resource];
        for &candidate in &group.resources {
            if cluster.resources[candidate.index()].depends.iter().any(|d| affected.contains(d))
                && !affected.contains(&candidate)
            {
                affected.push(candidate);
            }
        }
        let mut order: Vec<ResourceId> =
            group.resources.iter().rev().copied().filter(|r| affected.contains(r)).collect();
        order.dedup();
        order
    }

    pub(super) fn dependencies_in_start_order(&self, resource: ResourceId) -> Vec<ResourceId> {
        let cluster = &self.setup.cluster;
        let mut needed = vec![resource];
        let mut i = 0;
        while i < needed.len() {
            for &dependency in &cluster.resources[needed[i].index()].depends {
                if !needed.contains(&dependency) {
                    needed.push(dependency);
                }
            }
            i += 1;
        }
        let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
        group.resources.iter().copied().filter(|r| needed.contains(r)).collect()
    }
}
