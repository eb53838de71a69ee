//! The cluster's types: nodes, components, services, groups and resources, monitors,
//! registry values and timing, each named by a small id.

use std::time::Duration;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            /// The index into the cluster's table of these.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A node (server) of the cluster.
    NodeId(u8)
);
id_type!(
    /// A Windows service known to the cluster description.
    ServiceId(u16)
);
id_type!(
    /// A group resource.
    ResourceId(u16)
);
id_type!(
    /// A failover group.
    GroupId(u8)
);
id_type!(
    /// A monitor resource.
    MonitorId(u16)
);
id_type!(
    /// An installed software component (SystemProvisioning, DeploymentManager, ...).
    ComponentId(u8)
);

/// The cluster description, resolved.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The cluster's name.
    pub name: String,
    /// The clustering product, for people.
    pub product: String,
    /// Servers, in file order.
    pub nodes: Vec<Node>,
    /// Installed components with their version before the update.
    pub components: Vec<Component>,
    /// Windows services on every node.
    pub services: Vec<Service>,
    /// Registry values present before the update.
    pub registry: Vec<RegistryValue>,
    /// Failover groups.
    pub groups: Vec<Group>,
    /// Group resources of all groups.
    pub resources: Vec<Resource>,
    /// Monitor resources.
    pub monitors: Vec<Monitor>,
    /// Virtual durations of operations on the simulator.
    pub timing: Timing,
    /// When monitors' recovery counts go back to zero.
    pub recovery_counts: RecoveryCounts,
}

/// When a monitor's recovery counts (reactivations and failovers done, per server) go back
/// to zero, as the site states it in its cluster description (`recovery-counts`).
///
/// Inferred: no NEC document or script within reach says when EXPRESSCLUSTER resets them
/// (research/domain.md §9 and §10; ARCHITECTURE.md's behaviour table). The default is the
/// most conservative reading: the counts stay for the whole run, through a suspend and
/// resume and after the monitor sees its target healthy again, so that a procedure which
/// spends them is caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RecoveryCounts {
    /// The counts stay for the whole run (the default; inferred, conservative).
    #[default]
    Kept,
    /// A server's resume of the cluster clears the counts of every monitor on that server.
    ResetOnResume,
    /// A monitor's poll that finds its target healthy clears that monitor's counts there.
    ResetOnNormal,
}

impl RecoveryCounts {
    /// Its name in cluster descriptions.
    pub fn keyword(self) -> &'static str {
        match self {
            RecoveryCounts::Kept => "kept",
            RecoveryCounts::ResetOnResume => "reset-on-resume",
            RecoveryCounts::ResetOnNormal => "reset-on-normal",
        }
    }
}

/// A server of the cluster.
#[derive(Debug, Clone)]
pub struct Node {
    /// Host name.
    pub name: String,
    /// Local drives (`C:`), never the mirror drive.
    pub drives: Vec<String>,
}

/// An installed SSC component.
#[derive(Debug, Clone)]
pub struct Component {
    /// Name as the update module names it.
    pub name: String,
    /// Version installed on every node before the update.
    pub version: String,
}

/// A Windows service.
#[derive(Debug, Clone)]
pub struct Service {
    /// The name the procedure uses (the display name in the Services console).
    pub name: String,
    /// The component that owns it, when it belongs to one.
    pub component: Option<ComponentId>,
    /// Listed by the ExpressCluster "Task Manager" service watch (inferred).
    pub watched: bool,
}

/// A registry value: `key` path, value name and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryValue {
    /// Full key path, `HKEY_LOCAL_MACHINE\SOFTWARE\...`.
    pub key: String,
    /// Value name within the key.
    pub value: String,
    /// Data, as text.
    pub data: String,
}

/// A failover group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Failover policy, highest priority first; the first node owns the group at start.
    pub policy: Vec<NodeId>,
    /// Resources in activation order (dependencies first).
    pub resources: Vec<ResourceId>,
}

/// A group resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Resource name.
    pub name: String,
    /// The group that holds it.
    pub group: GroupId,
    /// What it is.
    pub kind: ResourceKind,
    /// Resources that must be online before this one.
    pub depends: Vec<ResourceId>,
}

/// The resource types the simulator models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// A mirror disk: its drive is readable only where the resource is online.
    MirrorDisk {
        /// Drive letter, `E:`.
        drive: String,
    },
    /// A floating IP address.
    FloatingIp {
        /// The address.
        address: String,
    },
    /// Registry synchronization of a set of keys.
    RegistrySync {
        /// Key paths; values under them are synchronized.
        keys: Vec<String>,
    },
    /// One or more Windows services started and stopped with the group.
    Service {
        /// The services, in start order.
        services: Vec<ServiceId>,
    },
}

impl ResourceKind {
    /// The type name used in cluster files.
    pub fn type_name(&self) -> &'static str {
        match self {
            ResourceKind::MirrorDisk { .. } => "mirror-disk",
            ResourceKind::FloatingIp { .. } => "floating-ip",
            ResourceKind::RegistrySync { .. } => "registry-sync",
            ResourceKind::Service { .. } => "service",
        }
    }
}

/// A monitor resource and its recovery settings.
#[derive(Debug, Clone)]
pub struct Monitor {
    /// Monitor name.
    pub name: String,
    /// The monitored resource; recovery acts on it and its group.
    pub target: ResourceId,
    /// Reactivations of the target before failing over.
    pub restart_threshold: u8,
    /// Failovers before the final action.
    pub failover_threshold: u8,
    /// What to do when both thresholds are exhausted.
    pub final_action: FinalAction,
    /// Polling interval.
    pub interval: Duration,
}

/// The final action of a monitor (EXPRESSCLUSTER codes 1-5; 6, the intentional stop error,
/// is not modelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FinalAction {
    /// Do nothing more.
    NoOperation,
    /// Stop the group (what a monitor does when its description names no final action).
    #[default]
    StopGroup,
    /// Stop the cluster service on the node.
    StopClusterService,
    /// Stop the cluster service and shut the node down.
    StopClusterServiceAndShutdown,
    /// Stop the cluster service and reboot the node.
    StopClusterServiceAndReboot,
}

impl FinalAction {
    /// Each final action with its name in cluster descriptions, in EXPRESSCLUSTER's order.
    const NAMED: [(&'static str, FinalAction); 5] = [
        ("no-operation", FinalAction::NoOperation),
        ("stop-group", FinalAction::StopGroup),
        ("stop-cluster-service", FinalAction::StopClusterService),
        ("stop-cluster-service-and-shutdown", FinalAction::StopClusterServiceAndShutdown),
        ("stop-cluster-service-and-reboot", FinalAction::StopClusterServiceAndReboot),
    ];

    /// Its name in cluster descriptions.
    pub fn keyword(self) -> &'static str {
        FinalAction::NAMED.iter().find(|(_, action)| *action == self).map_or("", |(name, _)| name)
    }
}

/// The schema of a monitor's `final-action` in cluster descriptions: one of the names.
pub(super) fn final_action_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    crate::file_schema::one_of(FinalAction::NAMED.iter().map(|(name, _)| *name))
}

/// A final action's name that no final action has; its message lists the names there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFinalAction(pub String);

impl std::fmt::Display for UnknownFinalAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = FinalAction::NAMED.iter().map(|(name, _)| *name).collect();
        write!(f, "final actions: {}", names.join(", "))
    }
}

impl std::str::FromStr for FinalAction {
    type Err = UnknownFinalAction;

    /// The final action a cluster description names.
    fn from_str(name: &str) -> Result<FinalAction, UnknownFinalAction> {
        FinalAction::NAMED
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, action)| *action)
            .ok_or_else(|| UnknownFinalAction(name.to_owned()))
    }
}

/// Virtual durations of operations on the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// Suspending the cluster.
    pub suspend: Duration,
    /// Resuming the cluster.
    pub resume: Duration,
    /// Starting or stopping one resource.
    pub resource: Duration,
    /// Starting or stopping one Windows service.
    pub service: Duration,
    /// Extracting the module archive.
    pub unzip: Duration,
    /// Exporting registry keys.
    pub backup: Duration,
    /// A whole module installation on one node.
    pub install: Duration,
    /// Shutting a node down and booting it again.
    pub reboot: Duration,
    /// Polling interval of the "Task Manager" service watch.
    pub watch_interval: Duration,
    /// Changing one monitor's or one watch's state from the console.
    pub console: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            suspend: Duration::from_secs(20),
            resume: Duration::from_secs(30),
            resource: Duration::from_secs(5),
            service: Duration::from_secs(3),
            unzip: Duration::from_secs(30),
            backup: Duration::from_secs(10),
            install: Duration::from_secs(30 * 60),
            reboot: Duration::from_secs(5 * 60),
            watch_interval: Duration::from_secs(10),
            console: Duration::from_secs(2),
        }
    }
}

/// Monitor polling interval when a cluster file gives none.
pub const DEFAULT_MONITOR_INTERVAL: Duration = Duration::from_secs(60);

impl Cluster {
    /// Node ids in file order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.nodes.len() as u8).map(NodeId)
    }

    /// The services a monitoring step covers: `services` when listed, else every service the
    /// Task Manager watch lists.
    pub fn listed_or_watched<'a>(&'a self, services: Option<&'a [ServiceId]>) -> impl Iterator<Item = ServiceId> + 'a {
        let listed = services.into_iter().flatten().copied();
        let watched = services
            .is_none()
            .then(|| (0..self.services.len() as u16).map(ServiceId).filter(|s| self.services[s.index()].watched))
            .into_iter()
            .flatten();
        listed.chain(watched)
    }

    /// The monitors a monitor step covers: `monitors` when listed, else every monitor.
    pub fn listed_or_all_monitors<'a>(
        &'a self,
        monitors: Option<&'a [MonitorId]>,
    ) -> impl Iterator<Item = MonitorId> + 'a {
        let listed = monitors.into_iter().flatten().copied();
        let all = monitors.is_none().then(|| (0..self.monitors.len() as u16).map(MonitorId)).into_iter().flatten();
        listed.chain(all)
    }

    /// The node with this host name (case-insensitive, as Windows host names are).
    pub fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|node| node.name.eq_ignore_ascii_case(name)).map(|i| NodeId(i as u8))
    }

    /// The service with this name.
    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.services.iter().position(|service| service.name == name).map(|i| ServiceId(i as u16))
    }

    /// The group with this name.
    pub fn group_by_name(&self, name: &str) -> Option<GroupId> {
        self.groups.iter().position(|group| group.name == name).map(|i| GroupId(i as u8))
    }

    /// The resource with this name.
    pub fn resource_by_name(&self, name: &str) -> Option<ResourceId> {
        self.resources.iter().position(|resource| resource.name == name).map(|i| ResourceId(i as u16))
    }

    /// The monitor with this name.
    pub fn monitor_by_name(&self, name: &str) -> Option<MonitorId> {
        self.monitors.iter().position(|monitor| monitor.name == name).map(|i| MonitorId(i as u16))
    }

    /// The component with this name.
    pub fn component_by_name(&self, name: &str) -> Option<ComponentId> {
        self.components.iter().position(|component| component.name == name).map(|i| ComponentId(i as u8))
    }

    /// The node that owns the first group when the procedure starts: the "active server".
    pub fn initial_active(&self) -> NodeId {
        self.groups.first().and_then(|group| group.policy.first().copied()).unwrap_or(NodeId(0))
    }

    /// Every node but the initial active one, the first group's failover policy first: the
    /// "standby servers".
    pub fn initial_standbys(&self) -> Vec<NodeId> {
        let active = self.initial_active();
        let policy: &[NodeId] = self.groups.first().map_or(&[], |group| &group.policy);
        let mut standbys: Vec<NodeId> = policy.iter().copied().filter(|&node| node != active).collect();
        standbys.extend(self.node_ids().filter(|node| *node != active && !policy.contains(node)));
        standbys
    }

    /// The mirror drives of the cluster and the resources that hold them.
    pub fn mirror_drives(&self) -> impl Iterator<Item = (ResourceId, &str)> {
        self.resources.iter().enumerate().filter_map(|(i, resource)| match &resource.kind {
            ResourceKind::MirrorDisk { drive } => Some((ResourceId(i as u16), drive.as_str())),
            _ => None,
        })
    }

    /// The registry-sync resources.
    pub fn registry_sync_resources(&self) -> impl Iterator<Item = ResourceId> + '_ {
        self.resources
            .iter()
            .enumerate()
            .filter(|(_, resource)| matches!(resource.kind, ResourceKind::RegistrySync { .. }))
            .map(|(i, _)| ResourceId(i as u16))
    }

    /// The service resources that start `service`.
    pub fn resources_of_service(&self, service: ServiceId) -> impl Iterator<Item = ResourceId> + '_ {
        self.resources.iter().enumerate().filter_map(move |(i, resource)| match &resource.kind {
            ResourceKind::Service { services } if services.contains(&service) => Some(ResourceId(i as u16)),
            _ => None,
        })
    }

    /// The monitors whose target is `resource`.
    pub fn monitors_of_resource(&self, resource: ResourceId) -> impl Iterator<Item = MonitorId> + '_ {
        self.monitors
            .iter()
            .enumerate()
            .filter(move |(_, monitor)| monitor.target == resource)
            .map(|(i, _)| MonitorId(i as u16))
    }

    /// Whether `drive` (`E:`, or a path on it) is a mirror drive.
    pub fn is_mirror_drive(&self, path: &str) -> bool {
        let drive = drive_of(path);
        self.mirror_drives().any(|(_, mirror)| mirror.eq_ignore_ascii_case(drive))
    }
}

/// The drive part of a Windows path: `C:` of `C:\Temp`; the whole text if it has none.
pub fn drive_of(path: &str) -> &str {
    match path.find(':') {
        Some(colon) => &path[..=colon],
        None => path,
    }
}

/// Whether registry value `key` lies under `prefix` (case-insensitive, at a key boundary).
pub fn key_is_under(key: &str, prefix: &str) -> bool {
    let key = key.trim_end_matches('\\');
    let prefix = prefix.trim_end_matches('\\');
    key.len() >= prefix.len()
        && key.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        && (key.len() == prefix.len() || key.as_bytes()[prefix.len()] == b'\\')
}
