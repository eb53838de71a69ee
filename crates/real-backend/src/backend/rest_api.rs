//! The cluster through the EXPRESSCLUSTER REST API instead of its command lines: with a
//! [`RestClient`] set, observations take servers, groups, resources and monitors from the
//! status GETs, and cluster operations become POSTs; Windows services, the registry, the
//! Task Manager watch, the module and its installer still go through each node's transport.
//!
//! A suspend or resume is confirmed by what the sources agree on ([`crate::evidence`]): the
//! REST cluster word, the server words, and each node's own clpstat view where the probe
//! found a clpstat; polled until they agree, as `clpcl` returns once the cluster got there.
//! A word not known, or nothing changing for two minutes, or ten minutes without agreement,
//! stops the run as unknown, naming what each source showed. Other operations return once
//! accepted, and the engine polls their postconditions as it does with the commands.

use std::time::{Duration, Instant};

use procedure::backend::{BackendError, Operation, Refusal};
use procedure::cluster::NodeId;
use serde_json::json;

use super::{CommandRecord, RealBackend};
use crate::evidence::{self, Agreement, Seen, Source, Target};
use crate::rest::{ClusterView, RestClient, RestError, apply};

/// Between two polls that confirm a suspend or resume.
const CONFIRM_POLL: Duration = Duration::from_secs(5);

/// The longest a suspend or resume may take to show.
const CONFIRM_WITHIN: Duration = Duration::from_secs(10 * 60);

/// How long every source may show what it showed right after the POST before the backend
/// stops: a cluster that accepted the operation and changes nothing shows it in no word
/// the backend knows.
const UNCHANGED_WITHIN: Duration = Duration::from_secs(2 * 60);

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
        let result = client.post(&path, body.as_ref());
        self.record_rest(&format!("POST /api/v1/{path}"), started, &result);
        let confirmed = match (&result, operation) {
            (Ok(()), Operation::SuspendCluster { .. }) => self.confirm(&client, &path, Target::Suspended, via),
            (Ok(()), Operation::ResumeCluster { .. }) => self.confirm(&client, &path, Target::Running, via),
            _ => Ok(()),
        };
        self.rest = Some(client);
        if let Err(error) = result {
            let group_operation = matches!(operation, Operation::MoveGroup { .. });
            return Some(Err(self.rest_error_of(via, error, group_operation)));
        }
        if let Err(error) = confirmed {
            return Some(Err(error));
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

    pub(super) fn rest_error(&self, via: NodeId, error: RestError) -> BackendError {
        self.rest_error_of(via, error, false)
    }

    /// A refused group move: read by its shape and the state last seen
    /// ([`evidence::refused`]), never by its wording alone.
    fn rest_error_of(&self, via: NodeId, error: RestError, group_operation: bool) -> BackendError {
        match error {
            RestError::Unreachable { .. } => BackendError::Unreachable { node: via },
            RestError::Refused { status, code, ref message, .. } if group_operation => {
                let failed = evidence::Failed::Rest { status, code, message: message.clone() };
                match evidence::refused(&failed, self.seen_suspended()) {
                    evidence::RefusalCause::Suspended => {
                        BackendError::Refused { node: via, reason: Refusal::ClusterSuspended }
                    }
                    evidence::RefusalCause::Unknown(what) => {
                        self.failed(via, format!("REST API: {error}: unknown: {what}; stopping here"))
                    }
                }
            }
            other => self.failed(via, format!("REST API: {other}")),
        }
    }

    /// Every word the sources show now: the REST cluster and servers, and each reachable
    /// node's own line in its clpstat where the probe found one.
    fn sources_now(&mut self, client: &RestClient, via: NodeId) -> Result<Vec<Seen>, BackendError> {
        let view: ClusterView = client.cluster_view().map_err(|error| self.rest_error(via, error))?;
        let mut seen = vec![Seen::new(Source::RestCluster, view.status.clone())];
        for (name, word) in &view.servers {
            seen.push(Seen::new(Source::RestServer(name.clone()), word.clone()));
        }
        for node in self.setup.cluster.node_ids() {
            if !self.observation.nodes[node.index()].reachable || !self.has_clpstat(node) {
                continue;
            }
            let name = self.node_name(node).to_owned();
            let output = match self.cluster_status(node) {
                Ok(output) => output,
                Err(BackendError::Unreachable { .. }) => continue,
                Err(other) => return Err(other),
            };
            let view = output.map_err(|error| self.failed(node, error))?;
            if let Some(server) = view.server(&name) {
                seen.push(Seen::new(Source::NodeView(name), server.status.as_str()));
            }
        }
        Ok(seen)
    }

    /// Polls the sources until they agree that the cluster shows `target`; a word not
    /// known, nothing changing for [`UNCHANGED_WITHIN`], or [`CONFIRM_WITHIN`] without
    /// agreement stops the run as unknown, naming what each source showed last.
    fn confirm(&mut self, client: &RestClient, path: &str, target: Target, via: NodeId) -> Result<(), BackendError> {
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut first: Option<Vec<Seen>> = None;
        let mut changed = false;
        loop {
            let seen = self.sources_now(client, via)?;
            let verdict = evidence::judge(target, &seen);
            let (outcome, output) = match &verdict {
                Agreement::Confirmed(how) => (Ok(None), format!("confirmed: {how}")),
                Agreement::NotYet => (Ok(None), format!("not yet: {}", evidence::describe(&seen))),
                Agreement::Unknown(what) => (Err(format!("unknown: {what}")), String::new()),
            };
            self.commands.push(CommandRecord {
                node: "REST API".to_owned(),
                command: format!("confirm {path}"),
                took: started.elapsed(),
                outcome,
                output,
                step: self.step,
            });
            match verdict {
                Agreement::Confirmed(_) => return Ok(()),
                Agreement::Unknown(what) => {
                    return Err(self.failed(via, format!("POST {path} was accepted; unknown: {what}; stopping here")));
                }
                Agreement::NotYet => {}
            }
            match &first {
                None => first = Some(seen.clone()),
                Some(first) => changed |= *first != seen,
            }
            let unchanged_too_long = !changed && waited >= UNCHANGED_WITHIN;
            if unchanged_too_long || waited >= CONFIRM_WITHIN || started.elapsed() >= CONFIRM_WITHIN.saturating_mul(2) {
                let how_long = if unchanged_too_long { UNCHANGED_WITHIN } else { CONFIRM_WITHIN };
                return Err(self.failed(
                    via,
                    format!(
                        "POST {path} was accepted, but after {} s the sources do not agree that the cluster is {}: unknown: {}; stopping here (check the cluster in its manager)",
                        how_long.as_secs(),
                        if target == Target::Suspended { "suspended" } else { "running" },
                        evidence::describe(&seen)
                    ),
                ));
            }
            self.clock.sleep(CONFIRM_POLL);
            waited += CONFIRM_POLL;
        }
    }
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
