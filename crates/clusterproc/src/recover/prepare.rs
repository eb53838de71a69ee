//! A recovery made ready to run: a setup of its own (the run's cluster and module, the
//! planned steps), its journal directory beside the run's (`DIR/recover-N`), and the
//! skeleton's `Prepared` with an engine started where the recovery starts, guards on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use procedure::backend::Observation;
use procedure::engine::{Engine, EngineConfig};
use procedure::journal::{Journal, Resumption};
use procedure::recovery::planner::Recovery;
use procedure::setup::Setup;

use super::args::RecoverArgs;
use crate::run::skeleton::Prepared;

/// The journal directory of the `n`th recovery of the run in `dir`.
pub(super) fn recovery_dir(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("recover-{n}"))
}

/// The recovery as a setup of its own: the run's cluster and module, the planned steps.
pub(super) fn recovery_setup(setup: &Setup, recovery: &Recovery) -> Arc<Setup> {
    Arc::new(Setup::new(setup.cluster.clone(), recovery.procedure(setup)))
}

/// The recovery ready to run through the run's skeleton, its engine started at `start` with
/// the guards on; on the simulator (the caller says otherwise, with its header lines).
pub(super) fn prepared(
    args: &RecoverArgs,
    recovery_setup: &Arc<Setup>,
    start: &Resumption,
    journal: Journal,
    initial: Observation,
) -> Prepared {
    Prepared {
        setup: Arc::clone(recovery_setup),
        engine: Engine::resumed(Arc::clone(recovery_setup), EngineConfig::standard().with_guards(true), start),
        journal,
        initial,
        described: Vec::new(),
        guards_off: None,
        notes: Vec::new(),
        yes: args.yes,
        reports: args.report.clone(),
        resumed: false,
        how_to_resume: None,
        how_to_recover: Some(args.command()),
        backend_name: "sim",
        seed: None,
    }
}
