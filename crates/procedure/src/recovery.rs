//! Ways back after a run that did not end well, planned from what the run did (its record)
//! and what it left: here, how a node's rolled-back registry values are put back;
//! `serving` says what a serving cluster is, and `planner` plans the steps back to one.
//!
//! Registry sync restores its saved image over a node's keys when the group starts there
//! after an install it never captured (a reboot or a crash while suspended). The installer's
//! values are then gone from that node. They are in an export of that node taken after its
//! install and before the rollback, if the procedure took one (steps 7 and 9 of the seed),
//! and only there: an export taken before the install (step 2) holds the old values, the
//! very ones the rollback restored, so importing it changes nothing.
//!
//! Two readings of the same rule: [`registry_way_back`] from the run's record (what `run`
//! advises at a stop), [`exports_after_install`] from its journal (what `recover` plans).

pub mod planner;
pub mod serving;
#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::action::kind::Milestone;
use crate::cluster::NodeId;
use crate::journal::Record;
use crate::module::ModuleId;
use crate::procedure::Procedure;
use crate::run_record::{RunRecord, StepStatus};
use crate::setup::Setup;

/// How a node's rolled-back registry values are put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryWayBack {
    /// Import this export on the node: it was taken there after its install and before the
    /// rollback.
    Import {
        /// The step that took it (index into the procedure's steps).
        step: usize,
        /// The .reg file on the node.
        file: String,
    },
    /// No export holds the values: run the module's installer on the node again.
    Reinstall,
}

/// Where `node`'s values, rolled back at `rolled_back_at`, can be had again: the last
/// export the run took on that node after the install there finished and before the
/// rollback; else the installer again.
pub fn registry_way_back(
    procedure: &Procedure,
    record: &RunRecord,
    node: NodeId,
    rolled_back_at: Duration,
) -> RegistryWayBack {
    let done = |status: &StepStatus| matches!(status, StepStatus::Done | StepStatus::DoneEarlier);
    let installed_at = record
        .steps
        .iter()
        .filter(|step| done(&step.status) && procedure.steps[step.step].action.is(Milestone::InstallsModule))
        .flat_map(|step| step.nodes.iter().filter(|span| span.node == node && !span.restart_reboot))
        .map(|span| span.ended)
        .max();
    let Some(installed_at) = installed_at else { return RegistryWayBack::Reinstall };
    record
        .steps
        .iter()
        .rev()
        .filter(|step| done(&step.status))
        .find_map(|step| {
            let file = procedure.steps[step.step].action.registry_export()?;
            let span = step.nodes.iter().find(|span| span.node == node)?;
            (span.started >= installed_at && span.ended <= rolled_back_at).then_some((step.step, file))
        })
        .map_or(RegistryWayBack::Reinstall, |(step, file)| RegistryWayBack::Import { step, file: file.to_owned() })
}

/// The exports the run took on `node` after the module's install there, oldest first, read
/// from its journal's `records`: a backup-registry of a later step than an install-module on
/// the node, both carried out. A stop and resume between them voids the install for the
/// exports after it: the node may have been rolled back meanwhile (a crash while suspended),
/// and an export taken then holds the old values. An export the run began but that never
/// finished is listed too: the caller checks that the file is on the node.
pub fn exports_after_install(setup: &Setup, records: &[Record], node: NodeId, module: ModuleId) -> Vec<String> {
    let name = setup.node_name(node);
    // Each module's install and exports are its own steps' (a record names its step).
    let of_module =
        |step: usize| setup.procedure.steps.get(step).is_some_and(|s| s.action.module().unwrap_or_default() == module);
    let mut installed_in: Option<usize> = None;
    let mut intents: Vec<(u64, usize, &str, Option<&str>)> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    for record in records {
        match record {
            Record::Resumed { .. } => installed_in = None,
            Record::Intent { op, step, operation, .. }
                if operation.node.eq_ignore_ascii_case(name) && of_module(*step) =>
            {
                intents.push((*op, *step, operation.verb.as_str(), operation.file.as_deref()));
            }
            Record::Outcome { op, result, .. } if result == "ok" => {
                let Some(at) = intents.iter().position(|(known, ..)| known == op) else { continue };
                let (_, step, verb, file) = intents.swap_remove(at);
                match (verb, file) {
                    ("install-module", _) => installed_in = Some(step),
                    ("backup-registry", Some(file)) if installed_in.is_some_and(|install| step > install) => {
                        found.retain(|known| !crate::observation::same_path(known, file));
                        found.push(file.to_owned());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    found
}
