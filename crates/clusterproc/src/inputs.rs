//! Loading every input a command line names, without running anything: what the fuzz
//! harness drives in-process, so that parsing arguments and reading files is checked for
//! panics the way a user meets them.

use std::ffi::OsString;

use clap::Parser as _;

use crate::cli::{Args, Command};
use crate::failure::Failure;
use crate::load::load;

/// Parses `argv` (with the program name first) as the command line would, and loads the
/// files it names: procedure, cluster, scenario, journal, counterexample.
pub fn load_inputs(argv: &[OsString]) -> Result<(), Failure> {
    let args = Args::try_parse_from(argv).map_err(|error| Failure::Usage(anyhow::anyhow!("{error}")))?;
    match &args.command {
        Command::Plan(plan) => load(&plan.procedure, plan.cluster.as_deref()).map(drop),
        Command::Check(check) => match &check.procedure {
            Some(procedure) => load(procedure, check.cluster.as_deref()).map(drop),
            None => Ok(()),
        },
        Command::Run(run) => crate::run::load_inputs(run),
        Command::Preflight(preflight) => load(&preflight.procedure, preflight.cluster.as_deref()).map(drop),
        Command::Replay(replay) => crate::counterexample::read(&replay.counterexample).map(drop),
        Command::Serve(serve) => crate::serve::load_serve_inputs(serve).map(drop),
        Command::Train(train) => crate::train::course(train).map(drop),
    }
}
