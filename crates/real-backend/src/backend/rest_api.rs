//! The cluster through the EXPRESSCLUSTER REST API instead of its command lines: with a
//! [`RestClient`] set, observations take servers, groups, resources and monitors from the
//! status GETs, and cluster operations become POSTs; Windows services, the registry, the
//! Task Manager watch, the module and its installer still go through each node's transport.
//!
//! A suspend or resume is confirmed by polling the status GETs until every server that is
//! up shows it, as `clpcl` returns once the cluster got there; other operations return once
//! accepted, and the engine polls their postconditions as it does with the commands.

use std::time::{Duration, Instant};

use procedure::backend::{BackendError, Operation, Refusal};
use procedure::cluster::NodeId;
use serde_json::json;

use super::{CommandRecord, RealBackend};
use crate::rest::{ClusterView, Confirm, RestClient, RestError, apply};

/// Between two polls that confirm a suspend or resume.
const CONFIRM_POLL: Duration = Duration::from_secs(5);

/// The longest a suspend or resume may take to show.
const CONFIRM_WITHIN: Duration = Duration::from_secs(10 * 60);

impl RealBackend {
    /// Observe and operate the cluster through its REST API from now on.
    pub fn use_rest_api(&mut self, client: RestClient) {
        self.rest = Some(client);
    }

    /// Whether the REST API is used.
    pub(super) fn uses_rest_api(&self) -> bool {
        self.rest.is_some()
    }

    /// With the REST API in use, every status at once from its GETs (recorded as a command);
    /// `None` when the cluster is reached through its command lines.
    pub fn rest_cluster_view(&mut self) -> Option<Result<ClusterView, RestError>> {
        let client = self.rest.take()?;
        let started = Instant::now();
        let view = client.cluster_view();
        self.record_rest("GET /api/v1/cluster, servers, groups, monitors", started, &view);
        self.rest = Some(client);
        Some(view)
    }

    /// Servers, groups, resources and monitors from the status GETs.
    pub(super) fn observe_through_rest(&mut self, via: NodeId) -> Result<(), BackendError> {
        let Some(view) = self.rest_cluster_view() else { return Ok(()) };
        let view = view.map_err(|error| self.rest_error(via, error))?;
        apply(&self.setup, &view, &mut self.observation).map_err(|message| self.failed(via, message))
    }

    /// The POST an operation maps to, when the API has one; `None` for what only a node's
    /// own commands do.
    pub(super) fn execute_through_rest(&mut self, operation: &Operation) -> Option<Result<(), BackendError>> {
        let cluster = &self.setup.cluster;
        let node = |n: NodeId| cluster.nodes[n.index()].name.clone();
        let target = |n: NodeId| json!({ "target": node(n) });
        let (path, body) = match *operation {
            Operation::SuspendCluster { .. } => ("cluster/suspend".to_owned(), None),
            Operation::ResumeCluster { .. } => ("cluster/resume".to_owned(), None),
            Operation::StartClusterService { node: n } => (format!("servers/{}/start", segment(&node(n))), None),
            Operation::StopClusterService { node: n } => (format!("servers/{}/stop", segment(&node(n))), None),
            Operation::SuspendMonitor { node: n, monitor } => {
                (format!("monitors/{}/suspend", segment(&cluster.monitors[monitor.index()].name)), Some(target(n)))
            }
            Operation::ResumeMonitor { node: n, monitor } => {
                (format!("monitors/{}/resume", segment(&cluster.monitors[monitor.index()].name)), Some(target(n)))
            }
            Operation::StopResource { resource, .. } => {
                (format!("resources/{}/stop", segment(&cluster.resources[resource.index()].name)), None)
            }
            Operation::StartResource { node: n, resource } => {
                (format!("resources/{}/start", segment(&cluster.resources[resource.index()].name)), Some(target(n)))
            }
            Operation::MoveGroup { group, to, .. } => {
                (format!("groups/{}/move", segment(&cluster.groups[group.index()].name)), to.map(target))
            }
            Operation::RebootCluster { .. } => ("cluster/reboot".to_owned(), None),
            _ => return None,
        };
        let via = operation.node();
        let client = self.rest.take()?;
        let started = Instant::now();
        let result = match operation {
            Operation::SuspendCluster { .. } | Operation::ResumeCluster { .. } => {
                let (expected, word) = match operation {
                    Operation::SuspendCluster { .. } => ("every server Suspend", "Suspend"),
                    _ => ("every server Online", "Online"),
                };
                let done = |view: &ClusterView| all_servers(view, word);
                let confirm = Confirm { expected, done: &done, poll: CONFIRM_POLL, within: CONFIRM_WITHIN };
                let clock = &mut self.clock;
                client.post_confirmed(&path, body.as_ref(), &confirm, &mut |length| clock.sleep(length))
            }
            _ => client.post(&path, body.as_ref()),
        };
        self.record_rest(&format!("POST /api/v1/{path}"), started, &result);
        self.rest = Some(client);
        if let Err(error) = result {
            return Some(Err(self.rest_error(via, error)));
        }
        match operation {
            Operation::ResumeCluster { .. } => self.drift.set_moment("after resume-cluster".to_owned()),
            Operation::MoveGroup { .. } => self.drift.set_moment("after move-group".to_owned()),
            // Inferred: a cluster reboot reboots every node; the boot counter follows it.
            Operation::RebootCluster { .. } => {
                self.observation.nodes.iter_mut().for_each(|state| state.make_mut().boots += 1)
            }
            _ => {}
        }
        Some(Ok(()))
    }

    fn record_rest<T>(&mut self, command: &str, started: Instant, result: &Result<T, RestError>) {
        self.commands.push(CommandRecord {
            node: "REST API".to_owned(),
            command: command.to_owned(),
            took: started.elapsed(),
            outcome: result.as_ref().map(|_| None).map_err(ToString::to_string),
            output: String::new(),
            step: self.step,
        });
    }

    fn rest_error(&self, via: NodeId, error: RestError) -> BackendError {
        match error {
            RestError::Unreachable { .. } => BackendError::Unreachable { node: via },
            // Inferred: NEC documents no refusal wording; as with clpgrp, a refusal that
            // names the suspended cluster is recognised by the word.
            RestError::Refused { ref message, .. } if message.to_ascii_lowercase().contains("suspend") => {
                BackendError::Refused { node: via, reason: Refusal::ClusterSuspended }
            }
            other => self.failed(via, format!("REST API: {other}")),
        }
    }
}

/// Every server that is not offline shows `word`.
fn all_servers(view: &ClusterView, word: &str) -> bool {
    view.servers.iter().all(|(_, status)| status == word || status == "Offline")
        && view.servers.iter().any(|(_, status)| status == word)
}

/// A name as one URL path segment: characters outside the unreserved set are %-escaped.
fn segment(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
