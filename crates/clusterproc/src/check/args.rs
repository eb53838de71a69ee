//! `clusterproc check`'s arguments: how deep the fault search goes, which ways, how many
//! threads and which shard, mutants and random schedules, and the output.

use std::path::PathBuf;

use clap::ValueEnum;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The procedure file (TOML).
    #[arg(required_unless_present = "merge")]
    pub procedure: Option<PathBuf>,
    /// Combine the JSON outputs of `check --shard I/N --format json` runs into one verdict,
    /// printed in --format.
    #[arg(long, num_args = 1.., value_name = "JSON", conflicts_with_all = [
        "procedure", "cluster", "faults", "memory_limit", "mutants", "cases", "seed", "guards", "jobs", "shard",
        "min_mutation_score", "save", "suggest", "write_fix", "no_recovery", "accept",
    ])]
    pub merge: Vec<PathBuf>,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// Up to how many faults a run gets: `none`, 1, 2, 3, ... (`single` = 1, `double` = 2).
    /// Each may strike at any point where the cluster changes (mid-install, mid-move,
    /// between two nodes' resume), on any node; every schedule is explored breadth-first
    /// with deduplicated states. Any number: each more fault takes about 3.5 times the time
    /// (the seed, both ways, on two cores: 4 faults 0.8 s and 40 MiB, 6 faults 10 s and
    /// 194 MiB), and --memory-limit stops a search that would outgrow the machine.
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
    /// Write the report (text, JSON, JUnit or SARIF) to FILE (replaced only once complete) instead of
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
    /// When the check fails, search for repairs: a step of the vocabulary's candidates
    /// (verify-cluster, suspend-cluster, resume-cluster) inserted at each place, a step moved
    /// to another place, or a step run on another node role; each offered only once the same
    /// check passes on the repaired procedure, earliest first; shown as a diff of the file.
    #[arg(long)]
    pub suggest: bool,
    /// Judge each run with faults where it ends, without the recovery that `clusterproc
    /// recover` would run after it (by default a run that ends short of a serving cluster
    /// goes on with that recovery, and what it puts right is `recovered`, not `violated`).
    #[arg(long)]
    pub no_recovery: bool,
    /// The accepted-risks file (TOML): violations reviewed and accepted, each by invariant,
    /// way and fault schedule, with a reason and a reviewer; an accepted violation does not
    /// fail the check. By default `<procedure>.accept.toml` beside the procedure, when it
    /// exists.
    #[arg(long, value_name = "FILE")]
    pub accept: Option<PathBuf>,
    /// Fail (exit 1) when an entry of the accepted-risks file matches nothing (stale: the
    /// procedure's steps changed, or the violation no longer happens).
    #[arg(long)]
    pub strict_accept: bool,
    /// With --suggest: write the first repaired procedure to FILE.
    #[arg(long, value_name = "FILE", requires = "suggest")]
    pub write_fix: Option<PathBuf>,
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
    /// SARIF 2.1.0, for code scanning: each broken invariant a result at its step's line.
    Sarif,
}
