//! Subcommands and the shared loading of procedure and cluster files.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use procedure::diagnostic::{FileError, SourceFile};
use procedure::plan::Plan;
use procedure::setup::Setup;

/// The cluster description used when no --cluster is given.
pub const DEFAULT_CLUSTER: &str = include_str!("../../../scenarios/cluster/ssc-two-node.toml");
pub const DEFAULT_CLUSTER_NAME: &str = "<built-in ssc-two-node cluster>";

/// Plan, simulate, check, rehearse and run cluster maintenance procedures.
#[derive(Debug, Parser)]
#[command(name = "clusterproc", version, about, max_term_width = 100)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what the procedure will do, step by step, on which node.
    Plan(PlanArgs),
    /// Run the procedure, one verified step at a time, on the simulated cluster or, with
    /// `--backend expresscluster --connection FILE`, on real nodes.
    Run(RunArgs),
    /// Check real nodes before a run: cluster running and not suspended, every node online,
    /// the group online on the active node, monitors Normal, the module archive, the working
    /// folder and its free space, registry sync, and the services the procedure names.
    #[command(after_long_help = crate::preflight::CONNECTION_HELP)]
    Preflight(crate::preflight::PreflightArgs),
    /// Run the procedure on the simulator under every single or double fault, random fault
    /// schedules and mutants, and judge every invariant (for CI).
    Check(CheckArgs),
    /// Run a counterexample saved by `check` again, exactly.
    Replay(ReplayArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The procedure file (TOML).
    pub procedure: PathBuf,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// Which faults to inject at every step boundary on every node.
    #[arg(long, value_enum, default_value_t = FaultDepth::Single)]
    pub faults: FaultDepth,
    /// Also run the procedure's mutants (dropped, swapped, misplaced steps; restart at prompt).
    #[arg(long)]
    pub mutants: bool,
    /// Also run this many random fault schedules, shrunk to minimal counterexamples.
    #[arg(long)]
    pub cases: Option<usize>,
    /// The seed of the simulator and of random schedules.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Where counterexample files are saved.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FaultDepth {
    /// Only the run with no fault.
    None,
    /// Every single fault.
    Single,
    /// Every ordered pair of faults.
    Double,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A counterexample file saved by `check`.
    pub counterexample: PathBuf,
}

#[derive(Debug, clap::Args)]
#[command(after_long_help = crate::preflight::CONNECTION_HELP)]
pub struct RunArgs {
    /// The procedure file (TOML).
    pub procedure: PathBuf,
    /// Where to run: `sim`, the built-in simulated cluster, or `expresscluster`, real nodes
    /// reached as the --connection file says.
    #[arg(long, default_value = "sim")]
    pub backend: String,
    /// The connection file (TOML) for `--backend expresscluster`: nodes, transports,
    /// credentials by reference, timeouts, the module archive and its installer command.
    #[arg(long, value_name = "FILE")]
    pub connection: Option<PathBuf>,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// A scenario: its cluster, seed and faults staged before steps.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The simulator's seed.
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
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// The procedure file (TOML).
    procedure: PathBuf,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    cluster: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlanFormat {
    Text,
    Json,
    Mermaid,
}

/// Why the command could not do its job; each maps to an exit code.
#[derive(Debug)]
pub enum Failure {
    /// A file is malformed or invalid: exit 2.
    File(Box<FileError>),
    /// Anything else that stops the command before it starts: exit 2.
    Usage(anyhow::Error),
    /// A journal that cannot be created or resumed: exit 2, nothing done.
    Journal(procedure::journal::JournalError),
}

impl From<procedure::journal::JournalError> for Failure {
    fn from(error: procedure::journal::JournalError) -> Failure {
        Failure::Journal(error)
    }
}

impl From<FileError> for Failure {
    fn from(error: FileError) -> Failure {
        Failure::File(Box::new(error))
    }
}

impl Failure {
    /// Prints the failure on stderr and returns its exit code.
    pub fn report(self) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        match self {
            Failure::File(error) => {
                let _ = writeln!(stderr, "error: {}", error.one_line());
                let _ = write!(stderr, "{:?}", miette::Report::new(*error));
                let _ = writeln!(stderr);
            }
            Failure::Usage(error) => {
                let _ = writeln!(stderr, "error: {error:#}");
            }
            Failure::Journal(error) => {
                let _ = writeln!(stderr, "error: {error}");
            }
        }
        ExitCode::from(2)
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<ExitCode, Failure> {
    install_diagnostic_style();
    match args.command {
        Command::Plan(args) => plan(args),
        Command::Run(args) => crate::run::run(args),
        Command::Preflight(args) => crate::preflight::preflight(args),
        Command::Check(args) => crate::check::check(args),
        Command::Replay(args) => crate::check::replay(args),
    }
}

fn install_diagnostic_style() {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).unicode(color).width(100).build())
    }));
}

/// The text of the cluster description named on the command line, or of the built-in one.
pub fn cluster_source(path: Option<&Path>) -> Result<SourceFile, Failure> {
    Ok(match path {
        Some(path) => SourceFile::read(path)?,
        None => SourceFile::new(DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER),
    })
}

/// A procedure resolved against its cluster description, and that description's identity.
pub struct Loaded {
    /// The procedure and the cluster.
    pub setup: Arc<Setup>,
    /// The cluster file as given, `None` for the built-in one.
    pub cluster_path: Option<String>,
    /// Hash of the cluster description's text.
    pub cluster_hash: String,
}

/// Loads a procedure file and validates it against the cluster description named (or the
/// built-in one).
pub fn load(procedure: &Path, cluster: Option<&Path>) -> Result<Loaded, Failure> {
    let source = cluster_source(cluster)?;
    let cluster_value = procedure::cluster::load(&source)?;
    let procedure_value = procedure::procedure::load(&SourceFile::read(procedure)?, &cluster_value)?;
    Ok(Loaded {
        setup: Arc::new(Setup::new(cluster_value, procedure_value)),
        cluster_path: cluster.map(|p| p.display().to_string()),
        cluster_hash: source.content_hash(),
    })
}

fn plan(args: PlanArgs) -> Result<ExitCode, Failure> {
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    let plan = Plan::new(&loaded.setup.cluster, &loaded.setup.procedure);
    let text = match args.format {
        PlanFormat::Text => plan.render_text(),
        PlanFormat::Json => plan.render_json(),
        PlanFormat::Mermaid => plan.render_mermaid(),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
