//! `clusterproc run`'s arguments: where to run (`--backend`), the inputs, the journal and
//! `--resume`, reports, and the guards.

use std::path::PathBuf;

use clap::ValueEnum;

#[derive(Debug, clap::Args)]
#[command(after_long_help = crate::connect::CONNECTION_HELP)]
pub struct RunArgs {
    /// The procedure file (TOML).
    pub procedure: PathBuf,
    /// Where to run: `sim`, the built-in simulated cluster, or `expresscluster`, real nodes
    /// reached as the --connection file says.
    #[arg(long, value_enum, default_value_t = BackendChoice::Sim, hide_possible_values = true)]
    pub backend: BackendChoice,
    /// The connection file (TOML) for `--backend expresscluster`: nodes, transports,
    /// credentials by reference, timeouts, the module archive and its installer command.
    /// Refused without `--backend expresscluster`.
    #[arg(long, value_name = "FILE")]
    pub connection: Option<PathBuf>,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// A scenario: its cluster, seed, `guards` (unless --guards is given) and faults staged
    /// before steps. It must name the same procedure (the same text) as the one given; its
    /// `[expect]` table is checked by the scenario tests, not by `run`.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The simulator's seed [default: the scenario's seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// The run directory holding the journal; `runs/<module>-<n>` when omitted.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Continue the run in --journal DIR from where it stopped.
    #[arg(long)]
    pub resume: bool,
    /// Confirm manual steps without asking.
    #[arg(long)]
    pub yes: bool,
    /// Write a report: FILE.html for people, FILE.json for tools (may be repeated).
    #[arg(long)]
    pub report: Vec<PathBuf>,
    /// `off` runs without the guards that refuse unsafe operations, as an operator following
    /// the text would; only on the simulator [default: on, or the scenario's `guards`].
    #[arg(long, value_enum)]
    pub guards: Option<GuardsSwitch>,
}

/// Whether `run` uses its guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GuardsSwitch {
    /// Refuse unsafe operations (the default).
    On,
    /// Do what the procedure says, even when unsafe (simulator only: for training and for
    /// seeing what a mistake does).
    Off,
}

/// Where `run` runs the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    /// The built-in simulated cluster.
    Sim,
    /// Real EXPRESSCLUSTER nodes, reached as the --connection file says.
    #[value(name = "expresscluster")]
    ExpressCluster,
}
