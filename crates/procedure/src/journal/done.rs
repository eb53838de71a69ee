//! What a journal says was done: the operations whose outcome it records as `ok`, in the
//! order they ran, whatever procedure wrote it. `recover` on real nodes reads them from the
//! run's journal and from the journals of earlier recoveries (whose plans it does not
//! rebuild), because no command shows some of what they did: which installers finished,
//! the unzipped folder, registry exports, the Task Manager watch.

use std::path::Path;

use crate::journal::error::JournalError;
use crate::journal::record::{Record, records};
use crate::operation::Operation;
use crate::setup::Setup;

/// The operations the journal at `path` (its `text`) records as done, in order. Checked
/// against the cluster only: the journal must be written for `cluster_identity`, and name
/// its nodes and resources; its steps are not read against a procedure.
pub fn done_operations(
    path: &Path,
    text: &str,
    setup: &Setup,
    cluster_identity: &str,
) -> Result<Vec<Operation>, JournalError> {
    let mismatch = |reason: String| JournalError::Mismatch { path: path.display().to_string(), reason };
    // Any step number is accepted: the journal's procedure is not the one of `setup`.
    let records = records(path, text, usize::MAX, setup.cluster.nodes.len())?;
    match records.first() {
        Some(Record::RunStarted { cluster_identity: written_for, .. }) if written_for == cluster_identity => {}
        Some(Record::RunStarted { cluster_identity: written_for, .. }) => {
            return Err(mismatch(format!(
                "it was written for cluster {written_for:?}, and this is {cluster_identity:?}"
            )));
        }
        _ => return Err(mismatch("it does not begin with a run-started record".to_owned())),
    }
    let mut pending: Vec<(u64, Operation)> = Vec::new();
    let mut done = Vec::new();
    for record in &records {
        match record {
            Record::Intent { op, operation, .. } => {
                pending.push((*op, operation.to_operation(setup).map_err(mismatch)?));
            }
            Record::Outcome { op, result, .. } => {
                if let Some(place) = pending.iter().position(|(intended, _)| intended == op) {
                    let (_, operation) = pending.remove(place);
                    if result == "ok" {
                        done.push(operation);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(done)
}
