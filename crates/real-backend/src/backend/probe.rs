//! Probing each node's capabilities ([`crate::capabilities`]) once before a run. The probe
//! only reads; each command it runs is recorded like the others, so a run's report shows
//! what was probed and what it answered.
//!
//! The backend uses what was found: plain `clpstat` where `--long` is refused, a monitor
//! command refused before it is sent where `-h` is missing (naming the probe's answer),
//! node views from clpstat for confirming a REST suspend only where clpstat answers, and a
//! REST status word outside EXPRESSCLUSTER's vocabulary stops the run before it starts.

use std::collections::BTreeSet;

use procedure::backend::BackendError;
use procedure::cluster::NodeId;

use super::RealBackend;
use crate::capabilities::{Capabilities, ClpstatForm, NodeCapabilities};
use crate::commands;
use crate::parse::clpstat::{self, Status};

/// The first line of what a command printed, for a one-line reason.
fn first_line(output: &remote::output::Output) -> String {
    let text = output.text();
    let line = text.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("");
    format!("exit code {:?}: {line:?}", output.code)
}

impl RealBackend {
    /// Probes every node once; later calls return what the first found. A node that does
    /// not answer is probed as having nothing (pre-flight says why it does not answer).
    pub fn probe(&mut self) -> Result<&Capabilities, BackendError> {
        if self.capabilities.is_none() {
            let started = std::time::Instant::now();
            let found = self.probe_nodes()?;
            // The findings, beside the commands that found them, for the run's report.
            self.commands.push(super::CommandRecord {
                node: "clusterproc".to_owned(),
                command: "capabilities probed".to_owned(),
                took: started.elapsed(),
                outcome: Ok(None),
                output: found.lines().join("\n"),
                step: self.step,
            });
            self.capabilities = Some(found);
        }
        Ok(self.capabilities.as_ref().expect("set above"))
    }

    /// What the probe found, once run.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    fn probe_nodes(&mut self) -> Result<Capabilities, BackendError> {
        let timeout = self.config.command_timeout;
        let mut nodes = Vec::new();
        for n in 0..self.setup.cluster.nodes.len() {
            let node = NodeId(n as u8);
            let name = self.node_name(node).to_owned();
            let mut clpstat = ClpstatForm::Missing("not asked".to_owned());
            for long in [true, false] {
                if long && !self.config.clpstat_long {
                    continue;
                }
                clpstat = match self.run_raw(node, &commands::cluster_status(long), timeout) {
                    Ok(output) => match clpstat::parse(&output) {
                        Ok(_) if long => ClpstatForm::Long,
                        Ok(_) => ClpstatForm::Plain,
                        Err(_) => ClpstatForm::Missing(first_line(&output)),
                    },
                    Err(error) => ClpstatForm::Missing(error.to_string()),
                };
                if !matches!(clpstat, ClpstatForm::Missing(_)) {
                    break;
                }
            }
            self.plain_clpstat[n] = clpstat == ClpstatForm::Plain;
            let monitor_host = if self.uses_rest_api() {
                None
            } else {
                let argv = commands::list_monitors(&name).map_err(|error| self.failed(node, error))?;
                Some(match self.run_raw(node, &argv, timeout) {
                    Ok(output) if output.code == Some(0) => Ok(()),
                    Ok(output) => Err(first_line(&output)),
                    Err(error) => Err(error.to_string()),
                })
            };
            nodes.push(NodeCapabilities { name, clpstat, monitor_host });
        }
        let mut rest_words = None;
        let product = if self.uses_rest_api() {
            let via = NodeId(0);
            let view = match self.rest_cluster_view() {
                Some(view) => view.map_err(|error| self.rest_error(via, error))?,
                None => unreachable!("the REST API is in use"),
            };
            let mut words: BTreeSet<String> = BTreeSet::new();
            words.insert(view.status.clone());
            words.extend(view.servers.iter().map(|(_, word)| word.clone()));
            words.extend(view.groups.iter().map(|group| group.status.clone()));
            words.extend(view.resources.iter().map(|resource| resource.status.clone()));
            for monitor in &view.monitors {
                words.insert(monitor.status.clone());
                words.extend(monitor.servers.iter().map(|server| server.status.clone()));
            }
            if let Some(odd) = words.iter().find(|word| Status::from_word(word).is_none()) {
                return Err(self.failed(
                    via,
                    format!(
                        "unknown: the REST API shows the status word {odd:?}, which is not one of EXPRESSCLUSTER's; stopping before the run"
                    ),
                ));
            }
            rest_words = Some(words);
            "EXPRESSCLUSTER X 4.2 or later (its REST API answers; NEC added the API in X 4.2); the exact version is not shown by a read-only command clusterproc knows".to_owned()
        } else if nodes.iter().any(|node| !matches!(node.clpstat, ClpstatForm::Missing(_))) {
            "EXPRESSCLUSTER (clpstat answers); the version is not shown by a read-only command clusterproc knows"
                .to_owned()
        } else {
            "not found: no node answered clpstat".to_owned()
        };
        Ok(Capabilities { nodes, product, rest_words })
    }

    /// Refuses a monitor command on a node whose clpmonctrl did not take `-h` when probed.
    pub(super) fn check_monitor_host(&self, node: NodeId, argv: &remote::argv::Argv) -> Result<(), BackendError> {
        let probed = self.capabilities.as_ref().and_then(|found| found.nodes.get(node.index()));
        match probed.and_then(|found| found.monitor_host.as_ref()) {
            Some(Err(why)) => Err(self.failed(
                node,
                format!(
                    "refusing `{argv}`: it needs clpmonctrl's -h option, which this node did not accept when probed (`clpmonctrl -v -h {}`: {why}); suspend or resume the monitor from the cluster's manager instead",
                    self.node_name(node)
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Whether the probe found a clpstat on the node (not when it was not probed: with the
    /// REST API in use, a node may have no command line at all).
    pub(super) fn has_clpstat(&self, node: NodeId) -> bool {
        let probed = self.capabilities.as_ref().and_then(|found| found.nodes.get(node.index()));
        matches!(probed.map(|found| &found.clpstat), Some(ClpstatForm::Long | ClpstatForm::Plain))
    }
}
