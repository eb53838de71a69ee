//! The recovery advice a run report carries when the run did not complete or broke an
//! invariant: the commands to resume and to recover that the summary prints, where the
//! rolled-back registry values are found again, and what the recovery planner would do on
//! the cluster as last observed (as `clusterproc recover` shows its plan).

use std::path::Path;

use procedure::backend::Observation;
use procedure::journal::{Record, Resumption};
use procedure::plan::Plan;
use procedure::recovery::planner::plan;
use procedure::setup::Setup;
use run_report::Advice;

/// The advice for a run whose journal is at `journal` and whose cluster was last seen as
/// `last`.
pub(crate) fn advice(
    setup: &Setup,
    journal: &Path,
    last: &Observation,
    resume: Option<&str>,
    recover: Option<&str>,
    registry: Vec<String>,
) -> Advice {
    let resumption = read_back(setup, journal);
    let recovery = plan(setup, resumption.as_ref(), last);
    let plan_lines = if recovery.shortfalls.is_empty() {
        Vec::new()
    } else {
        let procedure = recovery.procedure(setup);
        let text = Plan::new(&setup.cluster, &procedure).render_text();
        text.trim_end().lines().map(str::to_owned).collect()
    };
    Advice {
        resume: resume.map(str::to_owned),
        recover: recover.map(str::to_owned),
        shortfalls: recovery.shortfalls.iter().map(|shortfall| shortfall.describe(setup)).collect(),
        plan: plan_lines,
        registry,
    }
}

/// The run's journal read back as `recover` reads it (the roles, the installs, the exports),
/// or `None` when it cannot be: the planner then plans from the observation alone.
fn read_back(setup: &Setup, journal: &Path) -> Option<Resumption> {
    let text = procedure::bounded::read_text(journal, procedure::bounded::MAX_FILE_BYTES).ok()?;
    // The journal names the cluster it was written for on its first line.
    let Ok(Record::RunStarted { cluster_identity, .. }) = serde_json::from_str(text.lines().next()?) else {
        return None;
    };
    Resumption::parse(journal, &text, setup, &cluster_identity).ok()
}
