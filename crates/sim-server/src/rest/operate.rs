//! The operation POSTs of the REST API, as the simulator's operations.
//!
//! As on the real API, a POST answers once the operation is accepted: the simulator starts
//! it (its timers run in virtual time) and the status GETs show it Pending until it
//! completes. An operation the cluster refuses in its present state (a group move while
//! suspended, a node that is down) answers with a non-zero `result.code` at once.
//!
//! Inferred: a server's `reboot` is the simulator's plain reboot of that node; cluster
//! `start`/`stop` start or stop the cluster service on every server that is up; an
//! operation is issued on the first server that is up, as if the client had called that
//! server's API.

use procedure::backend::{Backend as _, BackendError, ClusterService, Operation, Power};
use procedure::cluster::NodeId;
use serde::Deserialize;
use sim_cluster::sim::Sim;

use super::envelope::ApiError;

/// The body some operations take.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A server name.
    pub target: Option<String>,
}

/// Reads an operation's body: empty, or `{"target": ...}`.
pub fn target(body: &[u8]) -> Result<Target, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Target::default());
    }
    serde_json::from_slice(body).map_err(|error| ApiError::BadBody(error.to_string()))
}

fn node(sim: &Sim, name: &str) -> Result<NodeId, ApiError> {
    sim.setup()
        .cluster
        .node_by_name(name)
        .ok_or_else(|| ApiError::UnknownName { kind: "server", name: name.to_owned() })
}

fn required(sim: &Sim, target: &Target) -> Result<NodeId, ApiError> {
    let name = target.target.as_deref().ok_or_else(|| ApiError::BadBody("\"target\" is required".to_owned()))?;
    node(sim, name)
}

fn first_up(sim: &Sim) -> Result<NodeId, ApiError> {
    let nodes = &sim.observation().nodes;
    let up = |node: &procedure::backend::NodeState| node.power == Power::Up;
    let running = nodes.iter().position(|node| up(node) && node.cluster != ClusterService::Stopped);
    running.or_else(|| nodes.iter().position(|node| up(node))).map(|i| NodeId(i as u8)).ok_or(ApiError::NoServerUp)
}

fn issue(sim: &mut Sim, operation: Operation) -> Result<(), ApiError> {
    sim.execute(&operation).map_err(|error| match error {
        BackendError::Unreachable { .. } => ApiError::NoServerUp,
        BackendError::Refused { reason, .. } => ApiError::Refused(format!("refused: {reason}")),
        BackendError::Failed { message, .. } => ApiError::Refused(format!("failed: {message}")),
    })
}

/// `POST /api/v1/cluster/{verb}`.
pub fn cluster(sim: &mut Sim, verb: &str) -> Result<(), ApiError> {
    match verb {
        "suspend" => {
            let via = first_up(sim)?;
            issue(sim, Operation::SuspendCluster { via })
        }
        "resume" => {
            let via = first_up(sim)?;
            issue(sim, Operation::ResumeCluster { via })
        }
        "reboot" => {
            let via = first_up(sim)?;
            issue(sim, Operation::RebootCluster { via })
        }
        "start" | "stop" => {
            first_up(sim)?;
            let wanted = if verb == "start" { ClusterService::Stopped } else { ClusterService::Running };
            let nodes: Vec<NodeId> = (0..sim.observation().nodes.len())
                .map(|i| NodeId(i as u8))
                .filter(|n| {
                    let state = &sim.observation().nodes[n.index()];
                    state.power == Power::Up && state.cluster == wanted
                })
                .collect();
            for node in nodes {
                let operation = if verb == "start" {
                    Operation::StartClusterService { node }
                } else {
                    Operation::StopClusterService { node }
                };
                issue(sim, operation)?;
            }
            Ok(())
        }
        _ => Err(ApiError::NotSimulated(format!("cluster {verb}"))),
    }
}

/// `POST /api/v1/servers/{name}/{verb}`.
pub fn server(sim: &mut Sim, name: &str, verb: &str) -> Result<(), ApiError> {
    let node = node(sim, name)?;
    match verb {
        "start" => issue(sim, Operation::StartClusterService { node }),
        "stop" => issue(sim, Operation::StopClusterService { node }),
        "reboot" => issue(sim, Operation::RebootNode { node }),
        _ => Err(ApiError::NotSimulated(format!("server {verb}"))),
    }
}

/// `POST /api/v1/groups/{name}/move` with an optional target (omitted: failover policy).
pub fn move_group(sim: &mut Sim, name: &str, body: &Target) -> Result<(), ApiError> {
    let group = sim
        .setup()
        .cluster
        .group_by_name(name)
        .ok_or_else(|| ApiError::UnknownName { kind: "group", name: name.to_owned() })?;
    let to = body.target.as_deref().map(|target| node(sim, target)).transpose()?;
    let via = first_up(sim)?;
    issue(sim, Operation::MoveGroup { via, group, to })
}

/// `POST /api/v1/resources/{name}/start` (target required) or `stop`.
pub fn resource(sim: &mut Sim, name: &str, verb: &str, body: &Target) -> Result<(), ApiError> {
    let resource = sim
        .setup()
        .cluster
        .resource_by_name(name)
        .ok_or_else(|| ApiError::UnknownName { kind: "resource", name: name.to_owned() })?;
    if verb == "start" {
        let node = required(sim, body)?;
        issue(sim, Operation::StartResource { node, resource })
    } else {
        let via = match sim.observation().resources[resource.index()].node {
            Some(owner) => owner,
            None => first_up(sim)?,
        };
        issue(sim, Operation::StopResource { via, resource })
    }
}

/// `POST /api/v1/monitors/{name}/suspend|resume` with a required target.
pub fn monitor(sim: &mut Sim, name: &str, suspend: bool, body: &Target) -> Result<(), ApiError> {
    let monitor = sim
        .setup()
        .cluster
        .monitor_by_name(name)
        .ok_or_else(|| ApiError::UnknownName { kind: "monitor", name: name.to_owned() })?;
    let node = required(sim, body)?;
    let operation =
        if suspend { Operation::SuspendMonitor { node, monitor } } else { Operation::ResumeMonitor { node, monitor } };
    issue(sim, operation)
}
