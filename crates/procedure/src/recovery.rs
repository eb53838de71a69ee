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

pub mod planner;
pub mod serving;
#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::action::kind::Milestone;
use crate::cluster::NodeId;
use crate::procedure::Procedure;
use crate::run_record::{RunRecord, StepStatus};

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
