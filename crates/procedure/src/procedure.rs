//! The typed procedure: the update module, notes, and ordered steps with typed actions.
//!
//! A `Procedure` only exists resolved against a [`crate::cluster::Cluster`]: its services,
//! groups and components are ids into that cluster, so a procedure that names a service the
//! cluster lacks never gets this far (see `procedure::file`).

mod file;

use crate::cluster::{ComponentId, GroupId, MonitorId, RegistryValue, ResourceId, ServiceId};

pub use file::load;

/// A validated procedure file.
#[derive(Debug, Clone)]
pub struct Procedure {
    /// One line saying what the procedure does.
    pub title: String,
    /// Where the procedure comes from (vendor document), if stated.
    pub source: Option<String>,
    /// The update module it applies.
    pub module: Module,
    /// Procedure-wide warnings and rules, for people.
    pub notes: Vec<Note>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Hash of the file's text; a journal refuses to resume under an edited procedure.
    pub content_hash: String,
}

/// The update module: what it installs and what its installer does.
#[derive(Debug, Clone)]
pub struct Module {
    /// Module id, `SSC0307-0006`.
    pub id: String,
    /// Archive file name, `SSC0307-0006.zip`.
    pub archive: String,
    /// Whether its installer asks for a restart when it finishes.
    pub asks_for_restart: bool,
    /// Components it updates.
    pub components: Vec<ModuleComponent>,
    /// Services that must be stopped before its installer runs (other components use the
    /// files it replaces); the installer fails while one of them runs.
    pub requires_stopped: Vec<ServiceId>,
}

impl Module {
    /// Whether any component writes registry values.
    pub fn writes_registry(&self) -> bool {
        self.components.iter().any(|component| !component.registry.is_empty())
    }

    /// The services the installer stops and restarts, over all components.
    pub fn services(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.components.iter().flat_map(|component| component.services.iter().copied())
    }
}

/// One component the module updates.
#[derive(Debug, Clone)]
pub struct ModuleComponent {
    /// The cluster's component.
    pub component: ComponentId,
    /// Version the module installs.
    pub version: String,
    /// Services the installer stops before exchanging files and restarts after.
    pub services: Vec<ServiceId>,
    /// Registry values the installer writes.
    pub registry: Vec<RegistryValue>,
}

/// A procedure-wide note.
#[derive(Debug, Clone)]
pub struct Note {
    /// Stable id.
    pub id: String,
    /// Text for people.
    pub text: String,
}

/// One step of the procedure.
#[derive(Debug, Clone)]
pub struct Step {
    /// Stable id, unique in the procedure.
    pub id: String,
    /// The vendor's step number, when the step comes from a numbered document.
    pub number: Option<u32>,
    /// Short title.
    pub title: String,
    /// Which node(s) the step runs on.
    pub role: Role,
    /// What it does.
    pub action: Action,
    /// Runs only if this holds.
    pub condition: Option<Condition>,
    /// What the operator does, in words.
    pub text: String,
    /// Warnings attached to the step.
    pub notes: Vec<String>,
    /// Line of the step's `[[step]]` header in the file.
    pub line: usize,
    /// The step's place in its procedure, from 1 (a mutant that moves steps sets it again).
    pub position: usize,
}

impl Step {
    /// How every renderer says which step this is: the vendor's number, `6`, or for a step
    /// without one its place in the procedure, `#3` (the mark keeps a place from reading as
    /// a vendor's number).
    pub fn tag(&self) -> String {
        match self.number {
            Some(number) => number.to_string(),
            None => format!("#{}", self.position),
        }
    }

    /// `6 install-active`, or `#3 install-active` for an unnumbered step.
    pub fn label(&self) -> String {
        format!("{} {}", self.tag(), self.id)
    }
}

/// The node role a step runs on, resolved when a run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The node that owns the failover group when the run starts.
    Active,
    /// The first standby node.
    Standby,
    /// Each standby node in turn.
    EveryStandby,
    /// Each node in turn, the active one first.
    EveryNode,
}

impl Role {
    /// The keyword used in procedure files.
    pub fn keyword(self) -> &'static str {
        match self {
            Role::Active => "active",
            Role::Standby => "standby",
            Role::EveryStandby => "every-standby",
            Role::EveryNode => "every-node",
        }
    }

    pub(crate) fn parse(keyword: &str) -> Option<Role> {
        Some(match keyword {
            "active" => Role::Active,
            "standby" => Role::Standby,
            "every-standby" => Role::EveryStandby,
            "every-node" => Role::EveryNode,
            _ => return None,
        })
    }
}

/// When a conditional step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Only if the module writes registry values.
    ModuleWritesRegistry,
    /// Only if an installer asked for a restart that has not happened yet.
    RestartRequested,
}

impl Condition {
    /// The keyword used in procedure files.
    pub fn keyword(self) -> &'static str {
        match self {
            Condition::ModuleWritesRegistry => "module-writes-registry",
            Condition::RestartRequested => "restart-requested",
        }
    }
}

/// How the installer's restart prompt is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartAnswer {
    /// Decline; the engine reboots the cluster safely after resume-cluster.
    Decline,
    /// Restart the node at once (unsafe while the cluster is suspended).
    Restart,
}

/// A typed action with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Extract the module archive into `folder` on the node.
    UnzipModule {
        /// Working folder, `C:\Temp\SSC0307-0006`.
        folder: String,
    },
    /// Export the registry keys the module changes into a .reg file in the working folder.
    BackupRegistry {
        /// The export file: `<working folder>\\registry-<step id>.reg`.
        file: String,
    },
    /// Suspend the cluster (cluster-wide; issued on the node).
    SuspendCluster,
    /// Set the "Task Manager" watch of services to Not monitoring on the node.
    StopMonitoring {
        /// The services; every watched service when absent.
        services: Option<Vec<ServiceId>>,
    },
    /// Stop Windows services on the node.
    StopServices {
        /// The services.
        services: Vec<ServiceId>,
    },
    /// Run the module's installer on the node.
    InstallModule {
        /// Where the module was unzipped.
        folder: String,
        /// Answer to the installer's restart prompt.
        restart_answer: RestartAnswer,
    },
    /// Resume the cluster.
    ResumeCluster,
    /// Check the watch of services and start it where it is not monitoring.
    StartMonitoring {
        /// The services; every watched service when absent.
        services: Option<Vec<ServiceId>>,
    },
    /// Move a failover group to the node of a role, and check its resources there.
    MoveGroup {
        /// The group.
        group: GroupId,
        /// Destination role.
        to: Role,
    },
    /// Check that every resource of a group is online on the node.
    CheckResources {
        /// The group.
        group: GroupId,
    },
    /// Check that services are running on the node.
    CheckServices(ServiceCheck),
    /// Reboot the whole cluster the cluster-safe way (stop the cluster, reboot, start).
    RebootCluster,
    /// Stop one group resource, and the resources that depend on it (`clprsc -t`).
    StopResource {
        /// The resource.
        resource: ResourceId,
    },
    /// Start one group resource, and the stopped resources it depends on (`clprsc -s`).
    StartResource {
        /// The resource.
        resource: ResourceId,
    },
    /// Stop the EXPRESSCLUSTER cluster service on the node (`clpcl -t`); its groups fail
    /// over to another node that runs the cluster, or stop.
    StopClusterService,
    /// Start the EXPRESSCLUSTER cluster service on the node (`clpcl -s`).
    StartClusterService,
    /// Reboot the node's operating system, as at the installer's prompt. Not cluster-safe:
    /// a reboot while the cluster is suspended rolls the synchronized registry keys back.
    RebootNode,
    /// Suspend monitor resources on the node (`clpmonctrl -s`).
    SuspendMonitor {
        /// The monitors; every monitor of the cluster when absent.
        monitors: Option<Vec<MonitorId>>,
    },
    /// Resume suspended monitor resources on the node (`clpmonctrl -r`).
    ResumeMonitor {
        /// The monitors; every monitor of the cluster when absent.
        monitors: Option<Vec<MonitorId>>,
    },
    /// Something only a person can do; the run waits for confirmation.
    Manual {
        /// What to do.
        instruction: String,
        /// What to verify afterwards.
        check: Option<ManualCheck>,
    },
}

impl Action {
    /// The keyword used in procedure files.
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::UnzipModule { .. } => "unzip-module",
            Action::BackupRegistry { .. } => "backup-registry",
            Action::SuspendCluster => "suspend-cluster",
            Action::StopMonitoring { .. } => "stop-monitoring",
            Action::StopServices { .. } => "stop-services",
            Action::InstallModule { .. } => "install-module",
            Action::ResumeCluster => "resume-cluster",
            Action::StartMonitoring { .. } => "start-monitoring",
            Action::MoveGroup { .. } => "move-group",
            Action::CheckResources { .. } => "check-resources",
            Action::CheckServices(_) => "check-services",
            Action::RebootCluster => "reboot-cluster",
            Action::StopResource { .. } => "stop-resource",
            Action::StartResource { .. } => "start-resource",
            Action::StopClusterService => "stop-cluster-service",
            Action::StartClusterService => "start-cluster-service",
            Action::RebootNode => "reboot-node",
            Action::SuspendMonitor { .. } => "suspend-monitor",
            Action::ResumeMonitor { .. } => "resume-monitor",
            Action::Manual { .. } => "manual",
        }
    }

    /// Every action keyword, for help texts.
    pub const KEYWORDS: [&'static str; 20] = [
        "unzip-module",
        "backup-registry",
        "suspend-cluster",
        "stop-monitoring",
        "stop-services",
        "install-module",
        "resume-cluster",
        "start-monitoring",
        "move-group",
        "check-resources",
        "check-services",
        "reboot-cluster",
        "stop-resource",
        "start-resource",
        "stop-cluster-service",
        "start-cluster-service",
        "reboot-node",
        "suspend-monitor",
        "resume-monitor",
        "manual",
    ];

    /// Whether the action acts once for the whole cluster rather than per node.
    pub fn is_cluster_wide(&self) -> bool {
        matches!(
            self,
            Action::SuspendCluster | Action::ResumeCluster | Action::RebootCluster | Action::MoveGroup { .. }
        )
    }
}

/// The services a check-services step requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCheck {
    /// Must all be running.
    pub services: Vec<ServiceId>,
    /// Reported, never required (environment-dependent), by name: they may not exist.
    pub optional: Vec<String>,
    /// At least one of these sets must be running entirely; only the sets whose services
    /// all exist in the cluster are kept.
    pub one_of: Vec<Vec<ServiceId>>,
}

/// What a manual step verifies once the operator confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualCheck {
    /// The cluster service runs, not suspended, on every node.
    ClusterRunning,
    /// The cluster is suspended.
    ClusterSuspended,
    /// The group is online with all its resources.
    GroupOnline(GroupId),
    /// The services run on the step's node.
    ServicesRunning(Vec<ServiceId>),
}
