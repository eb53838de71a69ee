//! `clusterproc recover`'s arguments: the run to recover (its procedure, cluster or
//! scenario, journal), the backend it ran on, `--yes` and reports; the command itself, to
//! copy; and the check that the run's journal was written on the backend given.

use std::path::PathBuf;

use procedure::journal::{Record, Resumption};

use crate::failure::Failure;
use crate::run::args::{BackendChoice, RunArgs};
use crate::run::commands::recover_command;

/// `clusterproc recover`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_long_help = crate::connect::CONNECTION_HELP)]
pub struct RecoverArgs {
    /// The procedure file (TOML) of the run to recover from.
    pub procedure: PathBuf,
    /// Where the run was: `sim`, the built-in simulated cluster, or `expresscluster`, real
    /// nodes reached as the --connection file says.
    #[arg(long, value_enum, default_value_t = BackendChoice::Sim, hide_possible_values = true)]
    pub backend: BackendChoice,
    /// The connection file (TOML) for `--backend expresscluster`, as the run was given it.
    #[arg(long, value_name = "FILE")]
    pub connection: Option<PathBuf>,
    /// The cluster description, as the run was given it; the built-in two-node SSC cluster
    /// when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// The scenario the run was given (its cluster, seed and staged faults).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The simulator's seed; the run's journal records it, and another one is refused.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The run directory holding the run's journal; each recovery writes its own journal in
    /// `DIR/recover-N`.
    #[arg(long, value_name = "DIR")]
    pub journal: PathBuf,
    /// Run the planned steps (and confirm manual ones) without asking.
    #[arg(long)]
    pub yes: bool,
    /// Write a report of the recovery: FILE.html for people, FILE.json for tools (may be
    /// repeated).
    #[arg(long)]
    pub report: Vec<PathBuf>,
}

impl RecoverArgs {
    /// The run's arguments as `run --resume` would take them, to load the same inputs.
    pub(super) fn as_run(&self) -> RunArgs {
        RunArgs {
            procedure: self.procedure.clone(),
            backend: self.backend,
            connection: self.connection.clone(),
            cluster: self.cluster.clone(),
            scenario: self.scenario.clone(),
            seed: self.seed,
            journal: Some(self.journal.clone()),
            resume: true,
            yes: self.yes,
            report: self.report.clone(),
            guards: None,
        }
    }

    /// This command, to copy (for "run it again"), each word quoted for a POSIX shell where
    /// needed.
    pub(super) fn command(&self) -> String {
        recover_command(&self.as_run(), &self.journal)
    }
}

/// A journal is recovered on the backend it ran on: a simulated run's cluster is not real
/// nodes, and the other way round.
pub(super) fn same_backend(resumption: &Resumption, args: &RecoverArgs) -> Result<(), Failure> {
    let ran_on = resumption.records.iter().find_map(|record| match record {
        Record::RunStarted { backend, .. } => Some(backend.as_str()),
        _ => None,
    });
    let (given, other) = match args.backend {
        BackendChoice::Sim => ("sim", "--backend expresscluster --connection FILE"),
        BackendChoice::ExpressCluster => ("expresscluster", "--backend sim"),
    };
    match ran_on {
        Some(ran_on) if ran_on != given => Err(Failure::Usage(anyhow::anyhow!(
            "the run in {} ran on {ran_on}, not on {given}: recover it with {other}",
            args.journal.display()
        ))),
        _ => Ok(()),
    }
}
