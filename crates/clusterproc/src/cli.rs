//! The command line: the commands, and the dispatch of the one given to its module (to run
//! it, or only to load what it names, for the fuzz harness). Each
//! command module owns its arguments and its `exec`; what they share sits in modules that
//! import no command (`failure`, `load`, `output`, ...).

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::{Failure, install_diagnostic_style, usage_error};
use crate::load::load;

/// Plan, simulate, check, rehearse and run cluster maintenance procedures.
#[derive(Debug, Parser)]
#[command(name = "clusterproc", version, about, max_term_width = 100)]
pub struct Args {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show what the procedure will do, step by step, on which node.
    Plan(crate::plan::PlanArgs),
    /// Run the procedure, one verified step at a time, on the simulated cluster or, with
    /// `--backend expresscluster --connection FILE`, on real nodes.
    Run(crate::run::args::RunArgs),
    /// After a run that stopped, bring the cluster back to serving: plan from where the run
    /// left it (its journal), show the plan, ask once, and run it with the guards on, on the
    /// simulated cluster or, with `--backend expresscluster --connection FILE`, on real nodes.
    Recover(crate::recover::RecoverArgs),
    /// Check real nodes before a run: cluster running and not suspended, every node online,
    /// the group online on the active node, monitors Normal, the module archive, the working
    /// folder and its free space, registry sync, and the services the procedure names.
    #[command(after_long_help = crate::connect::CONNECTION_HELP)]
    Preflight(crate::preflight::PreflightArgs),
    /// Judge the procedure on the simulator, as written and guarded: every schedule of up to N
    /// faults at any point where the cluster changes, random schedules and mutants (for CI).
    Check(crate::check::args::CheckArgs),
    /// Run a counterexample saved by `check` again, exactly: exits 1 when the invariant is
    /// violated again with the same trace, 5 when the replay does not reproduce it.
    Replay(crate::replay::ReplayArgs),
    /// Look at a real cluster without changing it: run every observation the backend would
    /// make, keep the answers in a bundle folder, and report whether the backend can run
    /// there; `--replay DIR` reports on a bundle offline.
    #[command(after_long_help = crate::connect::CONNECTION_HELP)]
    Survey(crate::survey::SurveyArgs),
    /// Serve a simulated cluster through the EXPRESSCLUSTER X REST API (`/api/v1/...`, Basic
    /// auth) on loopback, for tools written against the real API; runs until Ctrl-C.
    Serve(crate::serve::ServeArgs),
    /// Rehearse the procedure in a browser on a simulated cluster with no guards, and get a
    /// debrief (English and Japanese); serves http://127.0.0.1:29003/ until Ctrl-C.
    Train(crate::train::TrainArgs),
}

/// The whole command line: parses the arguments, runs the command, reports a failure.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => return usage_error(&error),
    };
    match run(args) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<ExitCode, Failure> {
    install_diagnostic_style();
    match args.command {
        Command::Plan(args) => crate::plan::exec(args),
        Command::Run(args) => crate::run::exec(args),
        Command::Recover(args) => crate::recover::exec(args),
        Command::Preflight(args) => crate::preflight::exec(args),
        Command::Check(args) => crate::check::exec(args),
        Command::Replay(args) => crate::replay::exec(args),
        Command::Survey(args) => crate::survey::exec(args),
        Command::Serve(args) => crate::serve::exec(args),
        Command::Train(args) => crate::train::exec(args),
    }
}

/// Loading every input a command line names, without running anything: what the fuzz
/// harness drives in-process, so that parsing arguments and reading files is checked for
/// panics the way a user meets them.
///
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
        Command::Recover(recover) => crate::recover::load_inputs(recover),
        Command::Preflight(preflight) => load(&preflight.procedure, preflight.cluster.as_deref()).map(drop),
        Command::Replay(replay) => {
            crate::counterexample::read_against(&replay.counterexample, replay.procedure.as_deref()).map(drop)
        }
        Command::Survey(survey) => crate::survey::load_inputs(survey),
        Command::Serve(serve) => crate::serve::load_serve_inputs(serve).map(drop),
        Command::Train(train) => crate::train::course(train).map(drop),
    }
}
