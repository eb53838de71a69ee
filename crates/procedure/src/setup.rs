//! A procedure resolved against a cluster: the world that the engine, the simulator, the
//! invariants and the renderers share.
//!
//! Besides the two halves it interns the registry: every value the cluster starts with or
//! the module writes gets a `SlotId`, and every distinct data string a `DataId`, so that
//! registries are small vectors of ids and comparing two of them is cheap.

use std::sync::Arc;

use crate::cluster::{
    Cluster, ComponentId, GroupId, MonitorId, NodeId, ResourceId, ResourceKind, ServiceId, key_is_under,
};
use crate::procedure::Procedure;
pub use crate::registry_id::{ComponentWrites, DataId, SlotId};

/// One registry value the world knows about.
#[derive(Debug, Clone)]
pub struct RegistrySlot {
    /// Key path.
    pub key: String,
    /// Value name.
    pub value: String,
    /// Data before the update, if the value exists then.
    pub baseline: Option<DataId>,
    /// The registry-sync resources whose keys cover it.
    pub synced_by: Vec<ResourceId>,
}

/// A procedure and the cluster it runs on.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The cluster description.
    pub cluster: Cluster,
    /// The validated procedure.
    pub procedure: Procedure,
    /// Every registry value of the world.
    pub registry: Vec<RegistrySlot>,
    /// Interned data strings, by `DataId`.
    pub data: Vec<Arc<str>>,
    /// What each component of each module writes, in module order.
    pub module_writes: Vec<ComponentWrites>,
    /// By service: the monitors that watch it (through the service resources that start it).
    pub service_monitors: Vec<Vec<MonitorId>>,
    /// The services the installers stop and restart, over every module's components.
    pub module_services: Vec<ServiceId>,
    /// The services that no group resource starts: they run on every node from boot.
    pub standalone_services: Vec<ServiceId>,
}

impl Setup {
    /// Resolves the registry of `cluster` and `procedure`.
    pub fn new(cluster: Cluster, procedure: Procedure) -> Setup {
        let service_monitors = (0..cluster.services.len() as u16)
            .map(|service| {
                cluster
                    .resources_of_service(ServiceId(service))
                    .flat_map(|resource| cluster.monitors_of_resource(resource))
                    .collect()
            })
            .collect();
        let mut module_services: Vec<ServiceId> = Vec::new();
        for service in procedure.modules.iter().flat_map(|module| module.services()) {
            if !module_services.contains(&service) {
                module_services.push(service);
            }
        }
        let standalone_services = (0..cluster.services.len() as u16)
            .map(ServiceId)
            .filter(|&service| cluster.resources_of_service(service).next().is_none())
            .collect();
        let mut setup = Setup {
            cluster,
            procedure,
            registry: Vec::new(),
            data: Vec::new(),
            module_writes: Vec::new(),
            service_monitors,
            module_services,
            standalone_services,
        };
        let baseline = setup.cluster.registry.clone();
        for value in &baseline {
            let slot = setup.slot(&value.key, &value.value);
            let data = setup.intern(&value.data);
            setup.registry[slot.index()].baseline = Some(data);
        }
        let components: Vec<_> =
            setup.procedure.modules.iter().flat_map(|module| module.components.iter().cloned()).collect();
        for component in &components {
            let mut writes = Vec::new();
            for value in &component.registry {
                let slot = setup.slot(&value.key, &value.value);
                writes.push((slot, setup.intern(&value.data)));
            }
            setup.module_writes.push(ComponentWrites { component: component.component, writes });
        }
        setup
    }

    fn slot(&mut self, key: &str, value: &str) -> SlotId {
        if let Some(i) = self
            .registry
            .iter()
            .position(|slot| slot.key.eq_ignore_ascii_case(key) && slot.value.eq_ignore_ascii_case(value))
        {
            return SlotId(i as u16);
        }
        let synced_by = self
            .cluster
            .resources
            .iter()
            .enumerate()
            .filter(|(_, resource)| match &resource.kind {
                ResourceKind::RegistrySync { keys } => keys.iter().any(|prefix| key_is_under(key, prefix)),
                _ => false,
            })
            .map(|(i, _)| ResourceId(i as u16))
            .collect();
        self.registry.push(RegistrySlot { key: key.to_owned(), value: value.to_owned(), baseline: None, synced_by });
        SlotId((self.registry.len() - 1) as u16)
    }

    fn intern(&mut self, data: &str) -> DataId {
        if let Some(i) = self.data.iter().position(|known| &**known == data) {
            return DataId(i as u16);
        }
        self.data.push(Arc::from(data));
        DataId((self.data.len() - 1) as u16)
    }

    /// A node's host name.
    pub fn node_name(&self, node: NodeId) -> &str {
        &self.cluster.nodes[node.index()].name
    }

    /// A service's name.
    pub fn service_name(&self, service: ServiceId) -> &str {
        &self.cluster.services[service.index()].name
    }

    /// A resource's name.
    pub fn resource_name(&self, resource: ResourceId) -> &str {
        &self.cluster.resources[resource.index()].name
    }

    /// A group's name.
    pub fn group_name(&self, group: GroupId) -> &str {
        &self.cluster.groups[group.index()].name
    }

    /// A monitor's name.
    pub fn monitor_name(&self, monitor: MonitorId) -> &str {
        &self.cluster.monitors[monitor.index()].name
    }

    /// The text of a data id.
    pub fn data_text(&self, data: DataId) -> &str {
        &self.data[data.0 as usize]
    }

    /// `KEY\value` of a slot.
    pub fn slot_name(&self, slot: SlotId) -> String {
        let slot = &self.registry[slot.index()];
        format!("{}\\{}", slot.key, slot.value)
    }

    /// The version a module installs for a cluster component, if one updates it.
    pub fn module_version(&self, component: ComponentId) -> Option<&str> {
        self.procedure.module_of_component(component).map(|c| c.version.as_str())
    }

    /// What `module`'s components write.
    pub fn writes_of<'a>(&'a self, module: &'a crate::module::Module) -> impl Iterator<Item = &'a ComponentWrites> {
        self.module_writes.iter().filter(|w| module.components.iter().any(|c| c.component == w.component))
    }
}
