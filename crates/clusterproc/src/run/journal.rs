//! Where a run keeps its journal: the run directory chosen when none is given, and the
//! journal's first line.

use std::path::{Path, PathBuf};

use procedure::journal::Record;
use procedure::setup::Setup;

/// A journal's first line: the run of `procedure` (as named on the command line) on the
/// cluster of `setup`, through `backend` (`sim` or `expresscluster`).
pub(crate) fn run_started(
    procedure: &Path,
    setup: &Setup,
    cluster_identity: String,
    backend: &str,
    seed: Option<u64>,
    scenario: Option<String>,
) -> Record {
    Record::RunStarted {
        version: 1,
        procedure: procedure.display().to_string(),
        procedure_hash: setup.procedure.content_hash.clone(),
        module: setup.procedure.modules_label(),
        cluster: setup.cluster.name.clone(),
        cluster_identity,
        backend: backend.to_owned(),
        seed,
        scenario,
    }
}

/// `runs/<module>-<n>` for the first free `n`.
pub(crate) fn default_run_dir(module: &str) -> PathBuf {
    let safe: String = module.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    (1..).map(|n| PathBuf::from("runs").join(format!("{safe}-{n}"))).find(|dir| !dir.exists()).expect("a free name")
}
