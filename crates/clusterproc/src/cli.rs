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
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Judge the procedure on the simulator, as written and guarded: every schedule of up to N
    /// faults at any point where the cluster changes, random schedules and mutants (for CI).
    Check(CheckArgs),
    /// Run a counterexample saved by `check` again, exactly: exits 1 when the invariant is
    /// violated again with the same trace, 5 when the replay does not reproduce it.
    Replay(ReplayArgs),
    /// Serve a simulated cluster through the EXPRESSCLUSTER X REST API (`/api/v1/...`, Basic
    /// auth) on loopback, for tools written against the real API; runs until Ctrl-C.
    Serve(crate::serve::ServeArgs),
    /// Rehearse the procedure in a browser on a simulated cluster with no guards, and get a
    /// debrief (English and Japanese); serves http://127.0.0.1:29003/ until Ctrl-C.
    Train(crate::train::TrainArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The procedure file (TOML).
    #[arg(required_unless_present = "merge")]
    pub procedure: Option<PathBuf>,
    /// Combine the JSON outputs of `check --shard I/N --format json` runs into one verdict,
    /// printed in --format.
    #[arg(long, num_args = 1.., value_name = "JSON", conflicts_with_all = [
        "procedure", "cluster", "faults", "memory_limit", "mutants", "cases", "seed", "guards", "jobs", "shard",
        "min_mutation_score", "save",
    ])]
    pub merge: Vec<PathBuf>,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// Up to how many faults a run gets: `none`, 1, 2, 3, ... (`single` = 1, `double` = 2).
    /// Each may strike at any point where the cluster changes (mid-install, mid-move,
    /// between two nodes' resume), on any node; every schedule is explored breadth-first
    /// with deduplicated states. Any number: each more fault takes about 3.5 times the time
    /// and memory (the seed, both ways: 4 faults 0.5 s and 140 MB, 6 faults 8 s and 1.4 GB),
    /// and --memory-limit stops a search that would outgrow the machine.
    #[arg(long, default_value = "single", value_parser = parse_fault_depth)]
    pub faults: FaultDepth,
    /// Stop the search, as Ctrl-C would, once the process holds more than SIZE of memory
    /// (like 512MiB or 2GiB; `none`: no limit): it then reports what it found so far and
    /// exits 4. By default (`auto`) three quarters of the memory available when it starts,
    /// or of its container's memory limit if that is less. Linux only (read from /proc).
    #[arg(long, value_name = "SIZE", default_value = "auto", value_parser = crate::memory_limit::parse)]
    pub memory_limit: crate::memory_limit::MemoryLimit,
    /// Also run the procedure's mutants (dropped, swapped, misplaced steps; restart at the
    /// installer's prompt; the cluster service stopped instead of suspended), both ways; each
    /// survivor says why no invariant saw it.
    #[arg(long)]
    pub mutants: bool,
    /// Also run this many random fault schedules, shrunk to minimal counterexamples
    /// [default: none].
    #[arg(long)]
    pub cases: Option<usize>,
    /// The seed of the simulator and of random schedules.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Where counterexample files are saved.
    #[arg(long, value_name = "DIR", default_value = "counterexamples")]
    pub save: PathBuf,
    /// Show progress on stderr even when it is not a terminal (on a terminal it always shows).
    #[arg(long)]
    pub progress: bool,
    /// Write the report (text, JSON or JUnit) to FILE (replaced only once complete) instead of
    /// stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which ways to run the procedure: `off` as written (no guards: an operator following
    /// the text), `on` guarded (as `clusterproc run` runs it), or `both`.
    #[arg(long, value_enum, default_value_t = GuardsChoice::Both)]
    pub guards: GuardsChoice,
    /// Threads for the search, 1 to 256, or `auto`: one per core. The result is the same for
    /// any number.
    #[arg(long, value_name = "N", default_value = "auto", value_parser = parse_jobs)]
    pub jobs: usize,
    /// Explore only part I of N of the fault schedules (runs whose first fault is the I-th
    /// modulo N), for a CI job matrix; `check --merge` combines the parts' JSON outputs.
    #[arg(long, value_name = "I/N", default_value = "0/1", value_parser = parse_shard)]
    pub shard: sim_cluster::model::search::Shard,
    /// With --mutants: fail (exit 1) when fewer than PCT percent of the mutants that can
    /// differ from the procedure are caught.
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u8).range(0..=100), requires = "mutants")]
    pub min_mutation_score: Option<u8>,
}

/// Which ways `check` runs the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GuardsChoice {
    /// Guarded only.
    On,
    /// As written only.
    Off,
    /// Both.
    Both,
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

/// A `--listen` address: `IP:PORT`, or `HOST:PORT` for a name the machine resolves
/// (`localhost:0`), the first address it resolves to.
pub fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!("expected an address and port like 127.0.0.1:29003 or localhost:0, not {text:?}"));
    };
    let port: u16 = port.parse().map_err(|_| format!("{port:?} is not a port number (0 to 65535)"))?;
    match (host, port).to_socket_addrs() {
        Ok(mut addresses) => addresses.next().ok_or_else(|| format!("{host:?} resolves to no address")),
        Err(error) => Err(format!("cannot resolve {host:?}: {error}")),
    }
}

/// The most threads `check --jobs` takes: more than any machine it runs on has cores, few
/// enough that starting them is instant.
pub const MAX_JOBS: usize = 256;

fn parse_jobs(text: &str) -> Result<usize, String> {
    if text == "auto" {
        return Ok(std::thread::available_parallelism().map_or(1, usize::from).min(MAX_JOBS));
    }
    match text.parse::<usize>() {
        Ok(jobs @ 1..=MAX_JOBS) => Ok(jobs),
        _ => Err(format!("expected auto or a number of threads from 1 to {MAX_JOBS}, not {text:?}")),
    }
}

fn parse_shard(text: &str) -> Result<sim_cluster::model::search::Shard, String> {
    let (index, count) = text.split_once('/').ok_or_else(|| format!("expected I/N, like 0/4, not {text:?}"))?;
    let index: usize = index.trim().parse().map_err(|_| format!("{index:?} is not a shard number"))?;
    let count: usize = count.trim().parse().map_err(|_| format!("{count:?} is not a number of shards"))?;
    if count == 0 || index >= count {
        return Err(format!("shard {index}/{count} does not exist: I counts from 0 and must be less than N"));
    }
    Ok(sim_cluster::model::search::Shard { index, count })
}

/// Up to how many faults `check` puts in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultDepth(pub usize);

fn parse_fault_depth(text: &str) -> Result<FaultDepth, String> {
    match text {
        "none" => Ok(FaultDepth(0)),
        "single" => Ok(FaultDepth(1)),
        "double" => Ok(FaultDepth(2)),
        number => match number.parse::<usize>() {
            Ok(n) => Ok(FaultDepth(n)),
            Err(_) => Err(format!("expected none, single, double or a number of faults, not {number:?}")),
        },
    }
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

#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The procedure file (TOML).
    pub(crate) procedure: PathBuf,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub(crate) cluster: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
    /// Write the plan to FILE (replaced only once complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
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
    /// Output could not be written: stdout or stderr closed or full, or an output file not
    /// saved: exit 3.
    Output {
        /// What was being written: `stdout`, `stderr`, or a file.
        target: String,
        /// Why it failed.
        error: std::io::Error,
    },
}

/// A [`FileError`] without its message: its code, the excerpt with the caret, and the help,
/// shown under the one-line summary that already gives the message. (Rendered with the
/// message, miette wraps a long one over several lines, and no line of it reads as the
/// message to leave out: it was printed twice.)
#[derive(Debug)]
struct Excerpt(Box<FileError>);

impl std::fmt::Display for Excerpt {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Excerpt {}

impl miette::Diagnostic for Excerpt {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Whether a line of miette's rendering is its header with no message: `×` (or `x`), perhaps
/// coloured.
fn is_empty_header(line: &str) -> bool {
    matches!(strip_ansi(line).trim(), "x" | "×")
}

/// `text` without ANSI colour sequences (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1B}' {
            // Skip to the end of the sequence: its final byte is a letter.
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The exit code of a command whose output could not be written.
pub const EXIT_OUTPUT: u8 = 3;

impl Failure {
    /// A failed write to `target` (a stream's name or a file).
    pub fn output(target: impl Into<String>, error: std::io::Error) -> Failure {
        Failure::Output { target: target.into(), error }
    }
}

impl From<(&'static str, std::io::Error)> for Failure {
    fn from((stream, error): (&'static str, std::io::Error)) -> Failure {
        Failure::output(stream, error)
    }
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
    /// Prints the failure on stderr and returns its exit code. Messages are escaped for the
    /// terminal: a damaged file cannot send control sequences through them.
    pub fn report(self) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        let shown = |text: String| procedure::safe_text::for_terminal(&text, false).into_owned();
        match self {
            Failure::File(error) => {
                // The message once, on the first line; then, for an error at a place in the
                // file, miette's excerpt with the caret and the help, without the message again.
                // (A `FileError` holds only escaped text: miette's colours pass through.)
                let _ = writeln!(stderr, "error: {}", error.one_line());
                if error.line_column().is_some() {
                    let rendered = format!("{:?}", miette::Report::new(Excerpt(error)));
                    for line in rendered.lines().filter(|line| !is_empty_header(line)) {
                        let _ = writeln!(stderr, "{line}");
                    }
                }
            }
            Failure::Usage(error) => {
                let _ = writeln!(stderr, "error: {}", shown(format!("{error:#}")));
            }
            Failure::Journal(error) => {
                let _ = writeln!(stderr, "error: {}", shown(error.to_string()));
            }
            Failure::Output { target, error } => {
                // A reader that went away (`| head`) needs no message, as with cargo and rg.
                if error.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(stderr, "error: cannot write to {}: {error}", shown(target));
                }
                return ExitCode::from(EXIT_OUTPUT);
            }
        }
        ExitCode::from(2)
    }
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

/// Prints clap's error, help or version text, and exits as clap would, or with
/// [`EXIT_OUTPUT`] when that text could not be written.
fn usage_error(error: &clap::Error) -> ExitCode {
    let printed = error.print().and_then(|()| std::io::stdout().flush());
    let stream = if error.use_stderr() { "stderr" } else { "stdout" };
    match printed {
        Ok(()) => ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)),
        Err(error) => Failure::output(stream, error).report(),
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<ExitCode, Failure> {
    install_diagnostic_style();
    match args.command {
        Command::Plan(args) => plan(args),
        Command::Run(args) => crate::run::simulated::run(args),
        Command::Preflight(args) => crate::preflight::preflight(args),
        Command::Check(args) => crate::check::check(args),
        Command::Replay(args) => crate::replay::replay(args),
        Command::Serve(args) => crate::serve::serve(args),
        Command::Train(args) => crate::train::train(args),
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
#[derive(Debug)]
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
    let inputs: Vec<&Path> = [Some(args.procedure.as_path()), args.cluster.as_deref()].into_iter().flatten().collect();
    crate::output::check_output(args.output.as_deref(), &inputs)?;
    let plan = Plan::new(&loaded.setup.cluster, &loaded.setup.procedure);
    let text = match args.format {
        PlanFormat::Text => plan.render_text(),
        PlanFormat::Json => plan.render_json(),
        PlanFormat::Mermaid => plan.render_mermaid(),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
