//! The status GETs' JSON read into typed views, and a view applied to an [`Observation`].
//!
//! As NEC's clients read them (CLUSTERPRO/REST-API_App `statpanel/src/clusterapi.ts`
//! `getClusterStatus`, EXPRESSCLUSTER/Integrated-Cluster-WebUI `python/cluster_rsc.py`):
//! resource status from `GET resources`, each resource naming its `group`; `GET groups`
//! for a group's own status and `current` only, whether it embeds its resources or not.
//!
//! Status words are read strictly: a word this reader does not know is an error naming
//! it, never a default. Unknown JSON fields are ignored, unlike in this project's own
//! files: NEC publishes no payload, so the real API may well send fields these readers do
//! not know (research/domain.md §3).

use procedure::backend::{ClusterService, GroupStatus, MonitorStatus, Observation, ResourceStatus};
use procedure::setup::Setup;
use serde::Deserialize;

use crate::parse::clpstat::Status;
use serde_json::Value;

/// Every status the API shows, as words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterView {
    /// The cluster's name.
    pub name: String,
    /// Its status word.
    pub status: String,
    /// Each server's name and status word.
    pub servers: Vec<(String, String)>,
    /// Groups.
    pub groups: Vec<GroupView>,
    /// Group resources, each naming its group.
    pub resources: Vec<ResourceView>,
    /// Monitors.
    pub monitors: Vec<MonitorView>,
}

/// A group. What it embeds under `resources` (objects or names) is not read: resources
/// come from `GET resources`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GroupView {
    /// Name.
    pub name: String,
    /// Status word.
    pub status: String,
    /// The owner, `"None"` when it has none.
    pub current: String,
}

/// A group resource.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResourceView {
    /// Name.
    pub name: String,
    /// Status word.
    pub status: String,
    /// The server it is on, `"None"` when offline.
    pub current: String,
    /// The group it belongs to.
    pub group: String,
}

/// A monitor and its status on each server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MonitorView {
    /// Name.
    pub name: String,
    /// Overall status word.
    pub status: String,
    /// Per server.
    pub servers: Vec<NamedStatus>,
}

/// A name and a status word.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NamedStatus {
    /// Name.
    pub name: String,
    /// Status word.
    pub status: String,
}

#[derive(Deserialize)]
struct ClusterAnswer {
    cluster: NamedStatus,
}

#[derive(Deserialize)]
struct ServersAnswer {
    servers: Vec<NamedStatus>,
}

#[derive(Deserialize)]
struct GroupsAnswer {
    groups: Vec<GroupView>,
}

#[derive(Deserialize)]
struct ResourcesAnswer {
    resources: Vec<ResourceView>,
}

#[derive(Deserialize)]
struct MonitorsAnswer {
    monitors: Vec<MonitorView>,
}

fn field<T: for<'de> Deserialize<'de>>(what: &str, value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|error| format!("{what}: {error}"))
}

impl ClusterView {
    /// Reads the answers of `GET cluster`, `servers`, `groups`, `resources` and `monitors`.
    pub fn read(
        cluster: &Value,
        servers: &Value,
        groups: &Value,
        resources: &Value,
        monitors: &Value,
    ) -> Result<ClusterView, String> {
        let cluster: ClusterAnswer = field("cluster", cluster)?;
        let servers: ServersAnswer = field("servers", servers)?;
        let groups: GroupsAnswer = field("groups", groups)?;
        let resources: ResourcesAnswer = field("resources", resources)?;
        let monitors: MonitorsAnswer = field("monitors", monitors)?;
        Ok(ClusterView {
            name: cluster.cluster.name,
            status: cluster.cluster.status,
            servers: servers.servers.into_iter().map(|s| (s.name, s.status)).collect(),
            groups: groups.groups,
            resources: resources.resources,
            monitors: monitors.monitors,
        })
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&GroupView> {
        self.groups.iter().find(|group| group.name == name)
    }

    /// The resources of a group, as `GET resources` names their group.
    pub fn resources_of<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a ResourceView> + 'a {
        self.resources.iter().filter(move |resource| resource.group == group)
    }

    /// A server's status word.
    pub fn server(&self, name: &str) -> Option<&str> {
        self.servers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, status)| status.as_str())
    }

    /// The view as `clpstat` on server `local` shows it, for checks written against
    /// clpstat (pre-flight): monitors with their status on `local`, no heartbeats (the API
    /// has none), `None` as the current server of a group that has none. A status word that
    /// is not one of EXPRESSCLUSTER's is an error naming it.
    pub fn as_clpstat(&self, local: &str) -> Result<crate::parse::clpstat::ClusterStatus, String> {
        use crate::parse::clpstat::{ClusterStatus, Group, Item, Server};
        let word = |what: &str, name: &str, status: &str| {
            Status::from_word(status)
                .ok_or_else(|| format!("{what} {name} shows status {status:?}, which is not known"))
        };
        let item = |what: &str, name: &str, status: &str| -> Result<Item, String> {
            Ok(Item { name: name.to_owned(), status: word(what, name, status)?, comment: String::new() })
        };
        let servers = self
            .servers
            .iter()
            .map(|(name, status)| {
                Ok(Server {
                    name: name.clone(),
                    local: name.eq_ignore_ascii_case(local),
                    status: word("server", name, status)?,
                    comment: String::new(),
                    heartbeats: Vec::new(),
                })
            })
            .collect::<Result<_, String>>()?;
        let groups = self
            .groups
            .iter()
            .map(|group| {
                Ok(Group {
                    name: group.name.clone(),
                    status: word("group", &group.name, &group.status)?,
                    comment: String::new(),
                    current: (group.current != "None" && !group.current.is_empty()).then(|| group.current.clone()),
                    resources: self
                        .resources_of(&group.name)
                        .map(|r| item("resource", &r.name, &r.status))
                        .collect::<Result<_, String>>()?,
                })
            })
            .collect::<Result<_, String>>()?;
        let monitors = self
            .monitors
            .iter()
            .map(|monitor| {
                let here = monitor.servers.iter().find(|s| s.name.eq_ignore_ascii_case(local));
                item("monitor", &monitor.name, here.map_or(&monitor.status, |s| &s.status))
            })
            .collect::<Result<_, String>>()?;
        Ok(ClusterStatus { cluster: self.name.clone(), servers, groups, monitors })
    }
}

fn cluster_service(word: &str) -> Result<ClusterService, String> {
    match word {
        "Online" => Ok(ClusterService::Running),
        // Inferred: servers of a suspended cluster show `Suspend` (as in clpstat).
        "Suspend" => Ok(ClusterService::Suspended),
        "Offline" => Ok(ClusterService::Stopped),
        other => Err(format!("server status {other:?} is not known")),
    }
}

fn group_status(word: &str) -> Result<GroupStatus, String> {
    Status::from_word(word).and_then(Status::group_status).ok_or_else(|| format!("group status {word:?} is not known"))
}

fn resource_status(word: &str) -> Result<ResourceStatus, String> {
    Status::from_word(word)
        .and_then(Status::resource_status)
        .ok_or_else(|| format!("resource status {word:?} is not known"))
}

fn monitor_status(word: &str) -> Result<MonitorStatus, String> {
    match word {
        "Normal" => Ok(MonitorStatus::Normal),
        "Error" => Ok(MonitorStatus::Error),
        "Suspend" => Ok(MonitorStatus::Suspended),
        "Offline" => Ok(MonitorStatus::Offline),
        other => Err(format!("monitor status {other:?} is not known")),
    }
}

/// Writes what `view` shows into `observation`: each node's cluster service, groups with
/// owners, resources, and each node's monitors. Everything the cluster description names
/// must be in the view.
pub fn apply(setup: &Setup, view: &ClusterView, observation: &mut Observation) -> Result<(), String> {
    let cluster = &setup.cluster;
    let node_of = |name: &str| -> Result<Option<procedure::cluster::NodeId>, String> {
        if name == "None" {
            return Ok(None);
        }
        cluster.node_by_name(name).map(Some).ok_or_else(|| format!("server {name:?} is not a node of the cluster"))
    };
    for (n, node) in cluster.nodes.iter().enumerate() {
        let word = view.server(&node.name).ok_or_else(|| format!("the API shows no server {}", node.name))?;
        observation.nodes[n].make_mut().cluster = cluster_service(word)?;
    }
    for (g, group) in cluster.groups.iter().enumerate() {
        let shown = view.group(&group.name).ok_or_else(|| format!("the API shows no group {}", group.name))?;
        observation.groups[g].status = group_status(&shown.status)?;
        observation.groups[g].owner = node_of(&shown.current)?;
        for resource in &group.resources {
            let name = &cluster.resources[resource.index()].name;
            let shown = view
                .resources_of(&group.name)
                .find(|r| &r.name == name)
                .ok_or_else(|| format!("the API shows no resource {name} in group {}", group.name))?;
            let state = &mut observation.resources.make_mut()[resource.index()];
            state.status = resource_status(&shown.status)?;
            state.node = node_of(&shown.current)?;
        }
    }
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        let shown = view
            .monitors
            .iter()
            .find(|shown| shown.name == monitor.name)
            .ok_or_else(|| format!("the API shows no monitor {}", monitor.name))?;
        for (n, node) in cluster.nodes.iter().enumerate() {
            let on_node = shown
                .servers
                .iter()
                .find(|server| server.name.eq_ignore_ascii_case(&node.name))
                .ok_or_else(|| format!("the API shows monitor {} without server {}", monitor.name, node.name))?;
            observation.nodes[n].make_mut().monitors[m] = monitor_status(&on_node.status)?;
        }
    }
    Ok(())
}
