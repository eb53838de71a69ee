//! Observing: the commands of one observation and how their outputs map onto the engine's
//! [`Observation`].

use std::sync::Arc;

use procedure::backend::{
    BackendError, ClusterService, GroupState, GroupStatus, MonitorStatus, Power, ResourceState, ResourceStatus,
    ServiceStatus,
};
use procedure::cluster::{NodeId, ResourceKind, key_is_under};
use procedure::setup::DataId;
use remote::argv::Argv;

use super::RealBackend;
use crate::commands;
use crate::parse::ParseError;
use crate::parse::clpstat::{self, ClusterStatus, Status};
use crate::parse::reg_query::{self, RegQuery};
use crate::parse::sc::{self, ServiceState};
use crate::registry::RegValue;

impl RealBackend {
    /// Observes every node; an unreachable node is marked, not an error, unless no node
    /// answers at all.
    pub(super) fn observe_all(&mut self) -> Result<(), BackendError> {
        let nodes: Vec<NodeId> = self.setup.cluster.node_ids().collect();
        let before = self.observation.clone();
        let mut views: Vec<Option<ClusterStatus>> = vec![None; nodes.len()];
        let mut answered = false;
        for &node in &nodes {
            match self.observe_node(node) {
                Ok(view) => {
                    answered = true;
                    views[node.index()] = view;
                }
                Err(BackendError::Unreachable { .. }) => {
                    self.observation.nodes[node.index()].make_mut().reachable = false
                }
                Err(other) => return Err(other),
            }
        }
        if !answered {
            return Err(BackendError::Unreachable { node: nodes[0] });
        }
        if self.uses_rest_api() {
            let via = nodes.iter().copied().find(|n| self.observation.nodes[n.index()].reachable).unwrap_or(nodes[0]);
            self.observe_through_rest(via)?;
            self.observation.at = self.clock.now();
            self.record_changes(&before);
            return Ok(());
        }
        // Groups and resources as the first node whose cluster service answers sees them.
        let first = views.iter().enumerate().find_map(|(i, view)| view.clone().map(|view| (NodeId(i as u8), view)));
        match first {
            Some((via, view)) => self.read_groups(via, &view)?,
            None => {
                for group in &mut self.observation.groups {
                    *group = GroupState { status: GroupStatus::Offline, owner: None };
                }
                for resource in self.observation.resources.make_mut() {
                    *resource = ResourceState { status: ResourceStatus::Offline, node: None };
                }
            }
        }
        self.observation.at = self.clock.now();
        self.record_changes(&before);
        Ok(())
    }

    /// Observed events from what changed since the previous observation.
    fn record_changes(&mut self, before: &procedure::backend::Observation) {
        use procedure::event::{Event, EventKind};
        let at = self.observation.at;
        for (n, (old, new)) in before.nodes.iter().zip(&self.observation.nodes).enumerate() {
            let node = NodeId(n as u8);
            let suspended = |state: ClusterService| {
                matches!(state, ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming)
            };
            if !new.reachable {
                continue;
            }
            if !suspended(old.cluster) && suspended(new.cluster) {
                self.events.push(Event { at, kind: EventKind::ClusterSuspended { node } });
            }
            if suspended(old.cluster) && new.cluster == ClusterService::Running {
                self.events.push(Event { at, kind: EventKind::ClusterResumed { node } });
            }
        }
        for (g, (old, new)) in before.groups.iter().zip(&self.observation.groups).enumerate() {
            let group = procedure::cluster::GroupId(g as u8);
            let Some(node) = new.owner else { continue };
            let was_starting_here = old.owner == Some(node) && old.status == GroupStatus::OnlinePending;
            let was_online_here = old.owner == Some(node) && old.status == GroupStatus::Online;
            let starting = new.status == GroupStatus::OnlinePending && !was_starting_here;
            let online = new.status == GroupStatus::Online && !was_online_here;
            if starting || (online && !was_starting_here) {
                self.events.push(Event { at, kind: EventKind::GroupStarting { group, node } });
            }
            if online {
                self.events.push(Event { at, kind: EventKind::GroupOnline { group, node } });
            }
        }
    }

    /// The clpstat view of one node: `clpstat --long` (wide names), or plain `clpstat` on a
    /// node that refused `--long`.
    ///
    /// `--long` is seen on X 4.3 (Linux) and X 5.0 (Windows) outputs; NEC's X 4.x Windows
    /// update scripts (EXPRESSCLUSTER/Tools, `UM8700*Update.ps1`) call plain `clpstat`.
    /// Where `--long` exits non-zero and plain `clpstat` then answers with a view, the node
    /// is asked plainly from then on; where both fail, the `--long` failure is the answer.
    pub(crate) fn cluster_status(&mut self, node: NodeId) -> Result<Result<ClusterStatus, ParseError>, BackendError> {
        let long = self.config.clpstat_long && !self.plain_clpstat[node.index()];
        let output = self.run_on(node, &commands::cluster_status(long), self.config.command_timeout)?;
        if long && output.code != Some(0) {
            let plain = self.run_on(node, &commands::cluster_status(false), self.config.command_timeout)?;
            if let Ok(view) = clpstat::parse(&plain) {
                self.plain_clpstat[node.index()] = true;
                return Ok(Ok(view));
            }
        }
        Ok(clpstat::parse(&output))
    }

    /// Whether a node refused `clpstat --long`, so is asked with plain `clpstat`.
    pub fn refuses_clpstat_long(&self, node: NodeId) -> bool {
        self.plain_clpstat[node.index()]
    }

    /// One node: its clpstat view (`None` when its cluster service is stopped: its own
    /// server line shows `Offline`), services and registry.
    /// With the REST API, clpstat is not run: the API's view replaces it afterwards.
    fn observe_node(&mut self, node: NodeId) -> Result<Option<ClusterStatus>, BackendError> {
        let name = self.node_name(node).to_owned();
        let view = if self.uses_rest_api() {
            None
        } else {
            let view = self.cluster_status(node)?.map_err(|error| self.failed(node, error))?;
            if view.server(&name).is_none() {
                return Err(self.failed(node, format!("clpstat shows no server named {name}")));
            }
            // Inferred: a node whose own cluster service is stopped shows the whole cluster
            // `Offline` (the capture of a stopped cluster); its view of the others is not
            // used.
            view.shows_running(&name).then_some(view)
        };
        let cluster_state = match &view {
            None => ClusterService::Stopped,
            Some(view) => {
                let server = view.server(&name).expect("checked above");
                match server.status {
                    Status::Online | Status::Caution => ClusterService::Running,
                    // Inferred: a suspended cluster shows its servers as `Suspend`.
                    Status::Suspend => ClusterService::Suspended,
                    other => {
                        return Err(self.failed(node, format!("clpstat shows server {name} as {}", other.as_str())));
                    }
                }
            }
        };
        let monitors = match &view {
            Some(view) => self.read_monitors(node, view)?,
            None => vec![MonitorStatus::Offline; self.setup.cluster.monitors.len()],
        };
        let services = self.read_services(node)?;
        if let Some(watches) = self.read_watches(node)? {
            self.watches[node.index()] = watches;
        }
        let registry = self.read_registry(node)?;
        let slots = self.registry_slots(&registry);
        self.drift.check(node, &registry);
        let state = self.observation.nodes[node.index()].make_mut();
        state.reachable = true;
        state.power = Power::Up;
        state.cluster = cluster_state;
        state.monitors = monitors;
        state.services = services;
        state.registry = slots;
        state.watches = self.watches[node.index()].clone();
        Ok(view)
    }

    fn read_groups(&mut self, via: NodeId, view: &ClusterStatus) -> Result<(), BackendError> {
        for (g, group) in self.setup.cluster.groups.iter().enumerate() {
            let shown = view
                .group(&group.name)
                .ok_or_else(|| self.failed(via, format!("clpstat shows no group named {}", group.name)))?;
            let owner = match &shown.current {
                Some(name) => Some(self.setup.cluster.node_by_name(name).ok_or_else(|| {
                    self.failed(
                        via,
                        format!("clpstat shows group {} on {name}, which is not a node of the cluster", group.name),
                    )
                })?),
                None => None,
            };
            let status = shown.status.group_status().ok_or_else(|| {
                self.failed(via, format!("clpstat shows group {} as {}", group.name, shown.status.as_str()))
            })?;
            self.observation.groups[g] = GroupState { status, owner };
            for &resource in &group.resources {
                let name = &self.setup.cluster.resources[resource.index()].name;
                let (_, item) = view
                    .resource(name)
                    .ok_or_else(|| self.failed(via, format!("clpstat shows no resource named {name}")))?;
                let status = item.status.resource_status().ok_or_else(|| {
                    self.failed(via, format!("clpstat shows resource {name} as {}", item.status.as_str()))
                })?;
                let node = if status == ResourceStatus::Offline { None } else { owner };
                self.observation.resources.make_mut()[resource.index()] = ResourceState { status, node };
            }
        }
        Ok(())
    }

    /// Inferred: the monitor line of the clpstat that runs on a node is that monitor's
    /// status on that node.
    fn read_monitors(&self, node: NodeId, view: &ClusterStatus) -> Result<Vec<MonitorStatus>, BackendError> {
        self.setup
            .cluster
            .monitors
            .iter()
            .map(|monitor| {
                let item = view
                    .monitor(&monitor.name)
                    .ok_or_else(|| self.failed(node, format!("clpstat shows no monitor named {}", monitor.name)))?;
                Ok(match item.status {
                    Status::Normal | Status::Caution => MonitorStatus::Normal,
                    Status::Error => MonitorStatus::Error,
                    Status::Suspend => MonitorStatus::Suspended,
                    Status::Offline | Status::Unused => MonitorStatus::Offline,
                    other => {
                        return Err(
                            self.failed(node, format!("clpstat shows monitor {} as {}", monitor.name, other.as_str()))
                        );
                    }
                })
            })
            .collect()
    }

    /// Every service of the cluster description, from one `sc.exe query` listing.
    fn read_services(&mut self, node: NodeId) -> Result<Vec<ServiceStatus>, BackendError> {
        let argv = commands::list_services();
        let output = self.run_on(node, &argv, self.config.command_timeout)?;
        let listing = sc::parse(&output).map_err(|error| self.failed(node, error))?;
        if let Some(error) = listing.errors.first() {
            return Err(self.failed(node, format!("`{argv}` failed with error {}: {}", error.code, error.message)));
        }
        let mut states = Vec::with_capacity(self.setup.cluster.services.len());
        for service in 0..self.setup.cluster.services.len() {
            let key = self.service_key(procedure::cluster::ServiceId(service as u16));
            let record =
                listing.services.iter().find(|record| record.name.eq_ignore_ascii_case(key)).ok_or_else(|| {
                    self.failed(node, format!("service {key:?} is not installed (sc.exe lists no such service)"))
                })?;
            states.push(match record.state {
                ServiceState::Stopped => ServiceStatus::Stopped,
                ServiceState::StartPending | ServiceState::ContinuePending => ServiceStatus::StartPending,
                ServiceState::StopPending | ServiceState::PausePending => ServiceStatus::StopPending,
                ServiceState::Running => ServiceStatus::Running,
                ServiceState::Paused => {
                    return Err(
                        self.failed(node, format!("service {key:?} is PAUSED, which the procedure does not expect"))
                    );
                }
            });
        }
        Ok(states)
    }

    /// The Task Manager watch through the connection file's `[watch] list` command, when it
    /// has one.
    fn read_watches(&mut self, node: NodeId) -> Result<Option<Vec<procedure::backend::Watch>>, BackendError> {
        use procedure::backend::Watch;
        let Some(list) = self.config.watch.as_ref().and_then(|watch| watch.list.clone()) else { return Ok(None) };
        let Some((program, args)) = list.split_first() else { return Ok(None) };
        let argv = Argv { program: program.clone(), args: args.to_vec() };
        let output = self.run_on(node, &argv, self.config.command_timeout)?;
        if output.code != Some(0) {
            return Err(
                self.failed(node, format!("`{argv}` exited with code {:?}: {}", output.code, output.text().trim()))
            );
        }
        let mut watches = vec![Watch::Absent; self.setup.cluster.services.len()];
        let text = output.stdout_text();
        for (number, line) in remote::text::lines(&text) {
            if line.trim().is_empty() {
                continue;
            }
            let parsed = line.rsplit_once(" : ").and_then(|(name, state)| {
                let state = match state.trim() {
                    "Monitoring" => Watch::Monitoring,
                    "Not monitoring" => Watch::NotMonitoring,
                    _ => return None,
                };
                let service = (0..self.setup.cluster.services.len()).find(|&s| {
                    self.service_key(procedure::cluster::ServiceId(s as u16)).eq_ignore_ascii_case(name.trim())
                })?;
                Some((service, state))
            });
            match parsed {
                Some((service, state)) => watches[service] = state,
                None => {
                    let error = crate::parse::ParseError::line(
                        "watch list",
                        number,
                        line,
                        "expected `SERVICE : Monitoring` or `SERVICE : Not monitoring` for a known service",
                    );
                    return Err(self.failed(node, error));
                }
            }
        }
        Ok(Some(watches))
    }

    /// The values under every key that registry sync covers or the module writes.
    pub(super) fn read_registry(&mut self, node: NodeId) -> Result<Vec<RegValue>, BackendError> {
        let mut values = Vec::new();
        for key in registry_keys(&self.setup) {
            let argv = commands::query_registry(&key).map_err(|error| self.failed(node, error))?;
            let output = self.run_on(node, &argv, self.config.command_timeout)?;
            match reg_query::parse(&output).map_err(|error| self.failed(node, error))? {
                RegQuery::Values(found) => values.extend(found),
                RegQuery::KeyNotFound => {}
            }
        }
        Ok(values)
    }

    /// Registry values by slot. Data the setup does not know get ids past the setup's own,
    /// so that they compare unequal to every known value.
    fn registry_slots(&mut self, values: &[RegValue]) -> Vec<Option<DataId>> {
        let slots: Vec<(String, String)> =
            self.setup.registry.iter().map(|slot| (slot.key.clone(), slot.value.clone())).collect();
        slots
            .iter()
            .map(|(key, name)| {
                let value = values
                    .iter()
                    .find(|value| value.key.eq_ignore_ascii_case(key) && value.name.eq_ignore_ascii_case(name))?;
                let text = value.data.text();
                Some(match self.setup.data.iter().position(|known| **known == *text) {
                    Some(i) => DataId(i as u16),
                    None => {
                        let i = match self.foreign_data.iter().position(|known| **known == *text) {
                            Some(i) => i,
                            None => {
                                self.foreign_data.push(Arc::from(text.as_str()));
                                self.foreign_data.len() - 1
                            }
                        };
                        DataId((self.setup.data.len() + i) as u16)
                    }
                })
            })
            .collect()
    }
}

/// The registry keys to read: those registry sync covers, then those of values the setup
/// knows that no synced key covers.
pub(super) fn registry_keys(setup: &procedure::setup::Setup) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for resource in &setup.cluster.resources {
        if let ResourceKind::RegistrySync { keys: synced } = &resource.kind {
            for key in synced {
                if !keys.iter().any(|known| key_is_under(key, known)) {
                    keys.push(key.clone());
                }
            }
        }
    }
    for slot in &setup.registry {
        if !keys.iter().any(|known| key_is_under(&slot.key, known)) {
            keys.push(slot.key.clone());
        }
    }
    keys
}
