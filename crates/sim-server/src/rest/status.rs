//! The status GETs of the REST API (`cluster`, `servers`, `groups`, `resources`,
//! `monitors`), drawn from one observation of the simulated cluster, with the real API's
//! field names and status words (research/domain.md §1.4 and §3).
//!
//! Inferred (NEC publishes no captured payload): the cluster's own status word, the
//! `type` strings, a group's `resources` as whole resource objects in the plain groups GET
//! (statpanel's `GroupInfo` type declares them so; no NEC client reads them), what `?select=` keeps,
//! and a monitor's overall status drawn from its per-server ones.

use procedure::backend::{ClusterService, MonitorStatus, Observation, Power};
use procedure::cluster::{NodeId, ResourceKind};
use procedure::setup::Setup;
use serde_json::{Value, json};

use super::envelope::ApiError;
use crate::render::{group_word, monitor_word, resource_word, server_word};

/// `GET /api/v1/cluster`.
pub fn cluster(setup: &Setup, observation: &Observation) -> Value {
    let up = || observation.nodes.iter().filter(|node| node.power == Power::Up);
    // Inferred: `Suspend` while any server is suspended, `Online` while any runs the
    // cluster service, `Offline` when none does.
    let status = if up().any(|node| server_word(node) == "Suspend") {
        "Suspend"
    } else if up().any(|node| node.cluster == ClusterService::Running) {
        "Online"
    } else {
        "Offline"
    };
    json!({ "cluster": { "name": setup.cluster.name, "status": status } })
}

/// Which fields `?select=` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Everything.
    All,
    /// `?select=name`: the names only.
    Name,
    /// `?select=resources` (groups): each group's name and resources.
    Resources,
}

/// Reads the query string of a status GET.
pub fn select(query: Option<&str>, resources_allowed: bool) -> Result<Select, ApiError> {
    let Some(query) = query.filter(|query| !query.is_empty()) else { return Ok(Select::All) };
    match query {
        "select=name" => Ok(Select::Name),
        "select=resources" if resources_allowed => Ok(Select::Resources),
        _ => Err(ApiError::BadQuery(query.to_owned())),
    }
}

fn keep(list: Vec<Value>, key: &str, name: Option<&str>, kind: &'static str) -> Result<Value, ApiError> {
    let list: Vec<Value> = match name {
        None => list,
        Some(name) => {
            let found: Vec<Value> = list.into_iter().filter(|item| item["name"] == name).collect();
            if found.is_empty() {
                return Err(ApiError::UnknownName { kind, name: name.to_owned() });
            }
            found
        }
    };
    Ok(json!({ key: list }))
}

/// `GET /api/v1/servers[/{name}]`.
pub fn servers(
    setup: &Setup,
    observation: &Observation,
    name: Option<&str>,
    select: Select,
) -> Result<Value, ApiError> {
    let list = setup
        .cluster
        .nodes
        .iter()
        .zip(&observation.nodes)
        .map(|(node, state)| match select {
            Select::Name => json!({ "name": node.name }),
            _ => json!({ "name": node.name, "status": server_word(state) }),
        })
        .collect();
    keep(list, "servers", name, "server")
}

fn node_name(setup: &Setup, node: Option<NodeId>) -> &str {
    node.map_or("None", |node| setup.cluster.nodes[node.index()].name.as_str())
}

/// Resource type strings as EXPRESSCLUSTER names them (Inferred).
fn resource_type(kind: &ResourceKind) -> &'static str {
    match kind {
        ResourceKind::MirrorDisk { .. } => "md",
        ResourceKind::FloatingIp { .. } => "fip",
        ResourceKind::RegistrySync { .. } => "regsync",
        ResourceKind::Service { .. } => "service",
    }
}

/// Monitor type strings, from the monitored resource's type (Inferred).
fn monitor_type(kind: &ResourceKind) -> &'static str {
    match kind {
        ResourceKind::MirrorDisk { .. } => "mdw",
        ResourceKind::FloatingIp { .. } => "fipw",
        ResourceKind::RegistrySync { .. } => "regsyncw",
        ResourceKind::Service { .. } => "servicew",
    }
}

fn resource_value(setup: &Setup, observation: &Observation, r: usize) -> Value {
    let resource = &setup.cluster.resources[r];
    let state = observation.resources[r];
    json!({
        "name": resource.name,
        "type": resource_type(&resource.kind),
        "status": resource_word(state.status),
        "current": node_name(setup, state.node),
        "group": setup.cluster.groups[resource.group.index()].name,
    })
}

/// `GET /api/v1/groups[/{name}]`.
pub fn groups(setup: &Setup, observation: &Observation, name: Option<&str>, select: Select) -> Result<Value, ApiError> {
    let list = setup
        .cluster
        .groups
        .iter()
        .zip(&observation.groups)
        .map(|(group, state)| {
            let resources: Vec<Value> =
                group.resources.iter().map(|r| resource_value(setup, observation, r.index())).collect();
            match select {
                Select::Name => json!({ "name": group.name }),
                // NEC's clients read only the names from `?select=resources`
                // (Integrated-Cluster-WebUI `cluster_grp_do_rsc.py`) and the status from
                // `GET resources`; the simulated API gives the names alone, so a client
                // that reads more from here fails against it.
                Select::Resources => {
                    let names: Vec<Value> = group
                        .resources
                        .iter()
                        .map(|r| json!({ "name": setup.cluster.resources[r.index()].name }))
                        .collect();
                    json!({ "name": group.name, "resources": names })
                }
                Select::All => json!({
                    "name": group.name,
                    "status": group_word(state.status),
                    "current": node_name(setup, state.owner),
                    "resources": resources,
                }),
            }
        })
        .collect();
    keep(list, "groups", name, "group")
}

/// `GET /api/v1/resources[/{name}]`.
pub fn resources(
    setup: &Setup,
    observation: &Observation,
    name: Option<&str>,
    select: Select,
) -> Result<Value, ApiError> {
    let list = (0..setup.cluster.resources.len())
        .map(|r| match select {
            Select::Name => json!({ "name": setup.cluster.resources[r].name }),
            _ => resource_value(setup, observation, r),
        })
        .collect();
    keep(list, "resources", name, "resource")
}

/// `GET /api/v1/monitors[/{name}]`.
pub fn monitors(
    setup: &Setup,
    observation: &Observation,
    name: Option<&str>,
    select: Select,
) -> Result<Value, ApiError> {
    let list = setup
        .cluster
        .monitors
        .iter()
        .enumerate()
        .map(|(m, monitor)| {
            if select == Select::Name {
                return json!({ "name": monitor.name });
            }
            let per_server: Vec<MonitorStatus> = observation.nodes.iter().map(|node| node.monitors[m]).collect();
            // Inferred: Error when any server reports an error, else Normal when any
            // watches normally, else Suspend when any is suspended, else Offline.
            let overall = [MonitorStatus::Error, MonitorStatus::Normal, MonitorStatus::Suspended]
                .into_iter()
                .find(|status| per_server.contains(status))
                .unwrap_or(MonitorStatus::Offline);
            let servers: Vec<Value> = setup
                .cluster
                .nodes
                .iter()
                .zip(&per_server)
                .map(|(node, status)| json!({ "name": node.name, "status": monitor_word(*status) }))
                .collect();
            let kind = &setup.cluster.resources[monitor.target.index()].kind;
            json!({ "name": monitor.name, "type": monitor_type(kind), "status": monitor_word(overall), "servers": servers })
        })
        .collect();
    keep(list, "monitors", name, "monitor")
}
