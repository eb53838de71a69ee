//! `clusterproc run`: the procedure, one verified step at a time, on the simulated cluster
//! (`--backend sim`) or on real nodes (`--backend expresscluster`), with a crash-safe
//! journal and reports.

mod advice;
pub(crate) mod args;
pub(crate) mod commands;
mod console;
pub(crate) mod journal;
pub(crate) mod real;
pub(crate) mod reports;
pub(crate) mod simulated;
pub(crate) mod skeleton;
mod summary;

use std::process::ExitCode;

use crate::failure::Failure;
use args::{BackendChoice, GuardsSwitch, RunArgs};

/// Runs the procedure on the backend the arguments name.
pub fn exec(args: RunArgs) -> Result<ExitCode, Failure> {
    guards_off_only_on_the_simulator(&args)?;
    match args.backend {
        BackendChoice::Sim => simulated::run(args),
        BackendChoice::ExpressCluster => real::run(args),
    }
}

/// Checks the arguments and loads every file a run names, as the run would before it starts,
/// without writing anything or reaching a node: what the fuzz harness drives.
pub fn load_inputs(args: &RunArgs) -> Result<(), Failure> {
    guards_off_only_on_the_simulator(args)?;
    match args.backend {
        BackendChoice::Sim => {
            let inputs = simulated::load_run_inputs(args)?;
            match (&args.journal, args.resume) {
                (Some(dir), true) => inputs.check_journal(dir),
                _ => Ok(()),
            }
        }
        BackendChoice::ExpressCluster => real::load_inputs(args),
    }
}

/// The guards stay on on real nodes: `--guards off` is refused there.
fn guards_off_only_on_the_simulator(args: &RunArgs) -> Result<(), Failure> {
    if args.guards == Some(GuardsSwitch::Off) && args.backend != BackendChoice::Sim {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--guards off exists only on the simulator (--backend sim): on real nodes the guards stay on"
        )));
    }
    Ok(())
}
