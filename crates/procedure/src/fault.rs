//! Faults: what the checker, scenarios, counterexample files and the trainer can inject into
//! the simulated cluster. Each kind is described here once: its name in files, what it
//! strikes, its help text, how it is built from named targets and named back, and how it
//! reads in a trace. The simulator's mechanisms decide what a fault does (`sim-cluster`).
//!
//! To add a fault: a variant of [`Fault`], its line in [`FaultKind`]'s table, and its
//! effect in the simulator. See ARCHITECTURE.md, "How to add a fault".

use crate::cluster::{Cluster, GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use crate::setup::Setup;

/// A fault injected into the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// The node crashes and stays down until restarted.
    Crash {
        /// The node.
        node: NodeId,
    },
    /// A crashed node starts again.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// The next installer on the node fails midway.
    InstallerFails {
        /// The node.
        node: NodeId,
    },
    /// The next installer on the node asks for a restart.
    RestartRequest {
        /// The node.
        node: NodeId,
    },
    /// The next start of the service on the node fails.
    ServiceFailsToStart {
        /// The node.
        node: NodeId,
        /// The service.
        service: ServiceId,
    },
    /// The next move of the group fails to bring it online on the destination.
    GroupMoveFails {
        /// The group.
        group: GroupId,
    },
    /// The monitor reports an error that is not there.
    MonitorFalseAlarm {
        /// The node.
        node: NodeId,
        /// The monitor.
        monitor: MonitorId,
    },
    /// The node stops answering commands.
    Unreachable {
        /// The node.
        node: NodeId,
    },
    /// The node answers again.
    Reachable {
        /// The node.
        node: NodeId,
    },
    /// The next installer on the node hangs after stopping its services: it never finishes.
    InstallerHangs {
        /// The node.
        node: NodeId,
    },
    /// A running service dies (it stops by itself).
    ServiceDies {
        /// The node.
        node: NodeId,
        /// The service.
        service: ServiceId,
    },
    /// The next activation of the resource fails.
    ResourceFails {
        /// The resource.
        resource: ResourceId,
    },
    /// The node loses the heartbeat with every other node.
    HeartbeatLoss {
        /// The node.
        node: NodeId,
    },
}

/// What a fault's kind strikes, besides (for most) a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A node, by name.
    Node,
    /// A service, by name.
    Service,
    /// A monitor resource, by name.
    Monitor,
    /// A failover group, by name.
    Group,
    /// A group resource, by name.
    Resource,
}

impl Field {
    /// Its field name in files: `node`, `service`, ...
    pub fn name(self) -> &'static str {
        match self {
            Field::Node => "node",
            Field::Service => "service",
            Field::Monitor => "monitor",
            Field::Group => "group",
            Field::Resource => "resource",
        }
    }
}

/// Finds the targets a fault of some kind needs, by whatever names the caller has (a
/// scenario's fields with their place in the file, a counterexample's, the checker's own
/// candidates). Each is asked for only when the kind strikes it.
pub trait Targets {
    /// Why a target cannot be had.
    type Error;
    /// The node.
    fn node(&mut self) -> Result<NodeId, Self::Error>;
    /// The service.
    fn service(&mut self) -> Result<ServiceId, Self::Error>;
    /// The monitor.
    fn monitor(&mut self) -> Result<MonitorId, Self::Error>;
    /// The group.
    fn group(&mut self) -> Result<GroupId, Self::Error>;
    /// The resource.
    fn resource(&mut self) -> Result<ResourceId, Self::Error>;
}

/// Declares the fault kinds: each with its variant, its name in files, the fields it
/// strikes, and its help text.
macro_rules! kinds {
    ($($kind:ident $name:literal [$($field:ident),*] $help:literal,)*) => {
        /// A kind of fault, without its targets.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FaultKind {
            $(
                #[doc = $help]
                $kind,
            )*
        }

        impl FaultKind {
            /// Every kind, in the order help texts list them.
            pub const ALL: &'static [FaultKind] = &[$(FaultKind::$kind),*];

            /// Its name in scenarios, counterexample files and help texts.
            pub fn name(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $name,)*
                }
            }

            /// The fields it strikes, in the order files give them.
            pub fn fields(self) -> &'static [Field] {
                match self {
                    $(FaultKind::$kind => &[$(kinds!(@field $field)),*],)*
                }
            }

            /// What it does, for help texts.
            pub fn help(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $help,)*
                }
            }

            /// The fault of this kind on the targets `targets` finds.
            pub fn build<T: Targets>(self, targets: &mut T) -> Result<Fault, T::Error> {
                Ok(match self {
                    $(FaultKind::$kind => Fault::$kind { $($field: kinds!(@get targets $field),)* },)*
                })
            }
        }

        impl Fault {
            /// Its kind.
            pub fn kind(&self) -> FaultKind {
                match self {
                    $(Fault::$kind { .. } => FaultKind::$kind,)*
                }
            }

            /// What it strikes, by id.
            pub fn targets(&self) -> Struck {
                let mut struck = Struck::default();
                match *self {
                    $(Fault::$kind { $($field),* } => { $(kinds!(@set struck $field $field);)* })*
                }
                struck
            }
        }
    };
    (@field node) => { Field::Node };
    (@field service) => { Field::Service };
    (@field monitor) => { Field::Monitor };
    (@field group) => { Field::Group };
    (@field resource) => { Field::Resource };
    (@get $targets:ident node) => { $targets.node()? };
    (@get $targets:ident service) => { $targets.service()? };
    (@get $targets:ident monitor) => { $targets.monitor()? };
    (@get $targets:ident group) => { $targets.group()? };
    (@get $targets:ident resource) => { $targets.resource()? };
    (@set $struck:ident $field:ident $value:ident) => { $struck.$field = Some($value) };
}

kinds! {
    Crash "crash" [node] "The node crashes and stays down until restarted.",
    Restart "restart" [node] "A crashed node starts again.",
    HeartbeatLoss "heartbeat-loss" [node] "The node loses the heartbeat with every other node.",
    InstallerFails "installer-fails" [node] "The next installer on the node fails midway.",
    InstallerHangs "installer-hangs" [node] "The next installer on the node hangs after stopping its services.",
    RestartRequest "restart-request" [node] "The next installer on the node asks for a restart.",
    ServiceFailsToStart "service-fails-to-start" [node, service] "The next start of the service on the node fails.",
    ServiceDies "service-dies" [node, service] "A running service dies on the node.",
    GroupMoveFails "group-move-fails" [group] "The next move of the group fails to bring it online.",
    ResourceFails "resource-fails" [resource] "The next activation of the resource fails.",
    MonitorFalseAlarm "monitor-false-alarm" [node, monitor] "The monitor reports an error that is not there.",
    Unreachable "unreachable" [node] "The node stops answering commands.",
    Reachable "reachable" [node] "The node answers again.",
}

/// What a fault strikes, by id; a field it does not strike is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Struck {
    /// The node.
    pub node: Option<NodeId>,
    /// The service.
    pub service: Option<ServiceId>,
    /// The monitor.
    pub monitor: Option<MonitorId>,
    /// The group.
    pub group: Option<GroupId>,
    /// The resource.
    pub resource: Option<ResourceId>,
}

impl FaultKind {
    /// The kind of this name.
    pub fn parse(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.iter().copied().find(|kind| kind.name() == name)
    }

    /// Every kind's name, for an error's help: `crash, restart, ...`.
    pub fn names() -> String {
        FaultKind::ALL.iter().map(|kind| kind.name()).collect::<Vec<_>>().join(", ")
    }
}

impl Fault {
    /// Whether the fault waits in the cluster for what it spoils (the next install, the next
    /// start of a service, the next move...) rather than striking at once.
    pub fn is_armed(self) -> bool {
        matches!(
            self,
            Fault::InstallerFails { .. }
                | Fault::InstallerHangs { .. }
                | Fault::RestartRequest { .. }
                | Fault::ServiceFailsToStart { .. }
                | Fault::GroupMoveFails { .. }
                | Fault::ResourceFails { .. }
        )
    }

    /// The fault that undoes this one where one does: a crashed node restarts, an
    /// unreachable node answers again.
    pub fn healed_by(self) -> Option<Fault> {
        match self {
            Fault::Crash { node } => Some(Fault::Restart { node }),
            Fault::Unreachable { node } => Some(Fault::Reachable { node }),
            _ => None,
        }
    }

    /// The fault in words, for traces and stories.
    pub fn describe(&self, setup: &Setup) -> String {
        let node = |node: NodeId| setup.node_name(node);
        match *self {
            Fault::Crash { node: n } => format!("{} crashes", node(n)),
            Fault::Restart { node: n } => format!("{} restarts", node(n)),
            Fault::InstallerFails { node: n } => format!("the next installer on {} fails", node(n)),
            Fault::RestartRequest { node: n } => format!("the next installer on {} asks for a restart", node(n)),
            Fault::ServiceFailsToStart { node: n, service } => {
                format!("{:?} fails to start next on {}", setup.service_name(service), node(n))
            }
            Fault::GroupMoveFails { group } => format!("the next move of group {} fails", setup.group_name(group)),
            Fault::MonitorFalseAlarm { node: n, monitor } => {
                format!("monitor {} raises a false alarm on {}", setup.monitor_name(monitor), node(n))
            }
            Fault::Unreachable { node: n } => format!("{} becomes unreachable", node(n)),
            Fault::Reachable { node: n } => format!("{} is reachable again", node(n)),
            Fault::InstallerHangs { node: n } => format!("the next installer on {} hangs", node(n)),
            Fault::ServiceDies { node: n, service } => {
                format!("{:?} dies on {}", setup.service_name(service), node(n))
            }
            Fault::ResourceFails { resource } => {
                format!("the next activation of resource {} fails", setup.resource_name(resource))
            }
            Fault::HeartbeatLoss { node: n } => format!("{} loses the heartbeat with the other nodes", node(n)),
        }
    }

    /// The names of what it strikes, as files give them.
    pub fn target_names(&self, cluster: &Cluster) -> TargetNames {
        let struck = self.targets();
        TargetNames {
            node: struck.node.map(|n| cluster.nodes[n.index()].name.clone()),
            service: struck.service.map(|s| cluster.services[s.index()].name.clone()),
            monitor: struck.monitor.map(|m| cluster.monitors[m.index()].name.clone()),
            group: struck.group.map(|g| cluster.groups[g.index()].name.clone()),
            resource: struck.resource.map(|r| cluster.resources[r.index()].name.clone()),
        }
    }
}

/// What a fault strikes, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetNames {
    /// The node's name.
    pub node: Option<String>,
    /// The service's name.
    pub service: Option<String>,
    /// The monitor's name.
    pub monitor: Option<String>,
    /// The group's name.
    pub group: Option<String>,
    /// The resource's name.
    pub resource: Option<String>,
}

impl Struck {
    /// A node.
    pub fn node(node: NodeId) -> Struck {
        Struck { node: Some(node), ..Struck::default() }
    }

    /// A service on a node.
    pub fn service(node: NodeId, service: ServiceId) -> Struck {
        Struck { node: Some(node), service: Some(service), ..Struck::default() }
    }

    /// A group.
    pub fn group(group: GroupId) -> Struck {
        Struck { group: Some(group), ..Struck::default() }
    }

    /// A resource.
    pub fn resource(resource: ResourceId) -> Struck {
        Struck { resource: Some(resource), ..Struck::default() }
    }
}

/// Targets already chosen: a kind builds on them when they are the ones it strikes.
impl Targets for Struck {
    type Error = ();

    fn node(&mut self) -> Result<NodeId, ()> {
        self.node.ok_or(())
    }

    fn service(&mut self) -> Result<ServiceId, ()> {
        self.service.ok_or(())
    }

    fn monitor(&mut self) -> Result<MonitorId, ()> {
        self.monitor.ok_or(())
    }

    fn group(&mut self) -> Result<GroupId, ()> {
        self.group.ok_or(())
    }

    fn resource(&mut self) -> Result<ResourceId, ()> {
        self.resource.ok_or(())
    }
}
