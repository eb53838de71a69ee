//! The instructor's faults: a fault of the vocabulary (`procedure::fault`) built from the
//! names an instructor picks (a kind, and the node, service, monitor, group or resource it
//! strikes), to strike a session at once or just before the trainee's first operation of a
//! step, as a scenario's `[[fault]] before-step` does.

use procedure::cluster::{GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use procedure::event::Fault;
use procedure::fault::{FaultKind, Targets};
use procedure::setup::Setup;
use serde::{Deserialize, Serialize};

/// The names an instructor gave, for the cluster of `setup`; an empty one is not given.
struct Named<'a> {
    setup: &'a Setup,
    asked: &'a Injection,
}

fn given<'a>(field: &str, name: &'a str) -> Result<&'a str, String> {
    let name = name.trim();
    if name.is_empty() { Err(format!("this fault needs a {field}")) } else { Ok(name) }
}

impl Targets for Named<'_> {
    type Error = String;
    fn node(&mut self) -> Result<NodeId, String> {
        let name = given("node", &self.asked.node)?;
        self.setup.cluster.node_by_name(name).ok_or_else(|| format!("no server {name:?}"))
    }
    fn service(&mut self) -> Result<ServiceId, String> {
        let name = given("service", &self.asked.service)?;
        self.setup.cluster.service_by_name(name).ok_or_else(|| format!("no service {name:?}"))
    }
    fn monitor(&mut self) -> Result<MonitorId, String> {
        let name = given("monitor", &self.asked.monitor)?;
        self.setup.cluster.monitor_by_name(name).ok_or_else(|| format!("no monitor {name:?}"))
    }
    fn group(&mut self) -> Result<GroupId, String> {
        let name = given("group", &self.asked.group)?;
        self.setup.cluster.group_by_name(name).ok_or_else(|| format!("no group {name:?}"))
    }
    fn resource(&mut self) -> Result<ResourceId, String> {
        let name = given("resource", &self.asked.resource)?;
        self.setup.cluster.resource_by_name(name).ok_or_else(|| format!("no resource {name:?}"))
    }
}

/// What an instructor asks for, by names: the body the instructor's page sends, and the
/// action the session's log keeps (`Act::Inject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injection {
    /// The fault's kind, by its name in files.
    pub kind: String,
    /// The node, service, monitor, group and resource it strikes ('' where it strikes none).
    #[serde(default)]
    pub node: String,
    /// See `node`.
    #[serde(default)]
    pub service: String,
    /// See `node`.
    #[serde(default)]
    pub monitor: String,
    /// See `node`.
    #[serde(default)]
    pub group: String,
    /// See `node`.
    #[serde(default)]
    pub resource: String,
    /// The step (its id) before whose first operation it strikes; '' for at once.
    #[serde(default)]
    pub step: String,
}

/// The fault, and the step (index) it waits for, if any; an error names what is wrong.
pub fn build(setup: &Setup, asked: &Injection) -> Result<(Fault, Option<usize>), String> {
    let kind = FaultKind::parse(asked.kind.trim())
        .ok_or_else(|| format!("no fault {:?} (the faults: {})", asked.kind, FaultKind::names()))?;
    let mut named = Named { setup, asked };
    let fault = kind.build(&mut named)?;
    let step = asked.step.trim();
    if step.is_empty() {
        return Ok((fault, None));
    }
    let index = setup
        .procedure
        .steps
        .iter()
        .position(|s| s.id == step)
        .ok_or_else(|| format!("the procedure has no step {step:?}"))?;
    Ok((fault, Some(index)))
}
