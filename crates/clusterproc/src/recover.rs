//! `clusterproc recover`: after a run that stopped (a fault, a guard refusal, a timeout), a
//! verified way back to a serving cluster. The simulated cluster is rebuilt from the run's
//! journal as `run --resume` rebuilds it (and from the journals of earlier recoveries), the
//! planner (`procedure::recovery::planner`) plans from a fresh observation, the plan is shown
//! and confirmed once, and the engine runs it with its guards on, with a journal of its own
//! in `DIR/recover-N`. On the simulator only, for now.

mod ending;

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend, Observation};
use procedure::engine::{Engine, EngineConfig};
use procedure::event::Fault;
use procedure::journal::{FILE_NAME, Journal, Resumption};
use procedure::plan::Plan;
use procedure::recovery::planner::{Recovery, plan};
use procedure::recovery::serving::Shortfall;
use procedure::setup::Setup;
use sim_cluster::staged::StagedSim;

use crate::failure::Failure;
use crate::run::args::{BackendChoice, RunArgs};
use crate::run::journal::run_started;
use crate::run::reports::report_format;
use crate::run::simulated::{RunInputs, load_run_inputs, rebuild};
use crate::run::skeleton::{self, Prepared};
use crate::shell_word::shell_word;
use ending::EndState;

/// `clusterproc recover`'s arguments.
#[derive(Debug, clap::Args)]
pub struct RecoverArgs {
    /// The procedure file (TOML) of the run to recover from.
    pub procedure: PathBuf,
    /// Where the run was: `sim`, the built-in simulated cluster. `expresscluster` is not
    /// built yet for `recover`.
    #[arg(long, value_enum, default_value_t = BackendChoice::Sim, hide_possible_values = true)]
    pub backend: BackendChoice,
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
    fn as_run(&self) -> RunArgs {
        RunArgs {
            procedure: self.procedure.clone(),
            backend: self.backend,
            connection: None,
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
    fn command(&self) -> String {
        let path = |path: &Path| shell_word(&path.to_string_lossy());
        let mut words = vec!["clusterproc".to_owned(), "recover".to_owned(), path(&self.procedure)];
        if let Some(cluster) = &self.cluster {
            words.extend(["--cluster".to_owned(), path(cluster)]);
        }
        if let Some(scenario) = &self.scenario {
            words.extend(["--scenario".to_owned(), path(scenario)]);
        }
        words.extend(["--journal".to_owned(), path(&self.journal)]);
        words.join(" ")
    }
}

/// `recover --backend expresscluster` is refused until it is built.
fn simulator_only(args: &RecoverArgs) -> Result<(), Failure> {
    if args.backend != BackendChoice::Sim {
        return Err(Failure::Usage(anyhow::anyhow!(
            "recover --backend expresscluster is not built yet: recovery runs on the simulator only (--backend sim); \
             on real nodes, continue the run with `run --backend expresscluster` or follow the procedure by hand"
        )));
    }
    Ok(())
}

/// Loads every input `recover` names and reads the run's journal, without writing anything:
/// what the fuzz harness drives.
pub fn load_inputs(args: &RecoverArgs) -> Result<(), Failure> {
    simulator_only(args)?;
    let inputs = load_run_inputs(&args.as_run())?;
    inputs.check_journal(&args.journal)
}

/// The journal directory of the `n`th recovery of the run in `dir`.
fn recovery_dir(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("recover-{n}"))
}

/// The recovery as a setup of its own: the run's cluster and module, the planned steps.
fn recovery_setup(setup: &Setup, recovery: &Recovery) -> Arc<Setup> {
    Arc::new(Setup::new(setup.cluster.clone(), recovery.procedure(setup)))
}

fn observe(backend: &mut StagedSim) -> Result<Observation, Failure> {
    backend.observe().cloned().map_err(|e| Failure::Usage(anyhow::anyhow!("cannot observe the simulated cluster: {e}")))
}

/// Plans the way back to a serving cluster from where the run in `--journal` left it, and
/// runs it: exit 0 when the cluster serves at the end with every invariant holding (or
/// nothing was to do), 1 when something is left to do by hand, 2 for bad input.
pub fn exec(args: RecoverArgs) -> Result<ExitCode, Failure> {
    simulator_only(&args)?;
    let inputs = load_run_inputs(&args.as_run())?;
    for path in &args.report {
        report_format(path)?;
        crate::atomic_file::check_writable(path)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot write the report {}: {e}", path.display())))?;
    }
    let RunInputs { setup, identity, staged, .. } = &inputs;
    // The run's journal stays locked while the recovery runs: no `run --resume` meanwhile.
    let (_run_journal, resumption) = Journal::resume(&args.journal, setup, identity)?;
    if let (Some(given), Some(recorded)) = (args.seed, resumption.seed)
        && given != recorded
    {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--seed {given}: the run in {} used seed {recorded}; recover it with that seed, or without --seed",
            args.journal.display()
        )));
    }
    let (rebuilt, _, seed) = rebuild(setup, staged, &resumption);
    // The run's faults stay with the run: none is staged for the recovery's steps.
    let mut backend = StagedSim::new(rebuilt.sim, Vec::new());

    // Earlier recoveries of this run, replayed in order: each was planned from the cluster
    // as it was then, which the replay reaches again, so its journal is read against the
    // same plan (its hash tells when it is not).
    let mut earlier = 0;
    while recovery_dir(&args.journal, earlier + 1).join(FILE_NAME).exists() {
        earlier += 1;
        let path = recovery_dir(&args.journal, earlier).join(FILE_NAME);
        let mut observation = observe(&mut backend)?;
        let mut recovery = plan(setup, Some(&resumption), &observation);
        // That recovery ran, so the operator brought back the nodes it asked for first.
        if bring_back(&mut backend, &recovery) {
            observation = observe(&mut backend)?;
            recovery = plan(setup, Some(&resumption), &observation);
        }
        let recovery_setup = recovery_setup(setup, &recovery);
        let text = procedure::bounded::read_text(&path, procedure::bounded::MAX_FILE_BYTES)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{}: {e}", path.display())))?;
        let journal = Resumption::parse(&path, &text, &recovery_setup, identity)?;
        backend = backend.replay(&recovery_setup, &journal.records, journal.last_at);
    }

    let mut observation = observe(&mut backend)?;
    let mut recovery = plan(setup, Some(&resumption), &observation);
    let mut stdout = crate::output::stdout();
    let _ = writeln!(stdout, "Recover: the run in {}", args.journal.display());
    let _ = writeln!(stdout, "  backend  simulated cluster {}, seed {seed} (virtual time)", setup.cluster.name);
    if earlier > 0 {
        let _ = writeln!(stdout, "  earlier  {earlier} recovery journal(s) replayed");
    }
    // The faults that stopped the run are undone, as the operator would fix them first (a
    // crashed node powered on, an unreachable one answering): said, not assumed silently.
    for fault in staged.iter().filter(|f| f.before_step <= resumption.next_step && f.fault.healed_by().is_some()) {
        let _ = writeln!(
            stdout,
            "  undone   {} (a fault of the run, fixed as an operator would first)",
            fault.fault.describe(setup)
        );
    }
    if recovery.shortfalls.is_empty() {
        let _ = writeln!(stdout, "\nThe cluster serves: nothing to recover.");
        ending::print_end_state(&mut stdout, setup, &recovery.roles, &observation);
        stdout.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    show(&mut stdout, setup, &recovery);
    if recovery.needs_operator_first {
        // Nothing is planned or run until every node can be seen. On the simulator, what the
        // operator confirms is done for them; an installer that still runs is not.
        let simulated = recovery.shortfalls.iter().all(|s| matches!(s, Shortfall::Down(_) | Shortfall::Unreachable(_)));
        if !simulated || !confirmed_by_hand(&args, &recovery, &mut stdout)? {
            let installer = recovery.shortfalls.iter().any(|s| matches!(s, Shortfall::InstallerRunning(_)));
            let unseen =
                recovery.shortfalls.iter().any(|s| matches!(s, Shortfall::Down(_) | Shortfall::Unreachable(_)));
            let why = if installer {
                "an installer still runs (on the simulator, one that hangs never finishes: it is left to do by \
                 hand). Once it has finished, run again"
            } else if unseen {
                "every node must be seen first. Do the steps above, then run again"
            } else {
                "the registry values must be put back by hand first (the step above): registry sync captures them \
                 as they are written. Then run again"
            };
            let _ = writeln!(stdout, "Nothing was run: {why}:\n  {}", args.command());
            stdout.finish()?;
            return Ok(ExitCode::from(1));
        }
        bring_back(&mut backend, &recovery);
        observation = observe(&mut backend)?;
        recovery = plan(setup, Some(&resumption), &observation);
        let _ = writeln!(stdout, "Confirmed: on the simulator, the nodes are back. Planned again:");
        if recovery.shortfalls.is_empty() {
            let _ = writeln!(stdout, "\nThe cluster serves: nothing more to recover.");
            ending::print_end_state(&mut stdout, setup, &recovery.roles, &observation);
            stdout.finish()?;
            return Ok(ExitCode::SUCCESS);
        }
        show(&mut stdout, setup, &recovery);
    }
    let recovery_setup = recovery_setup(setup, &recovery);
    if !confirmed(&args, recovery.steps.len(), &mut stdout)? {
        let _ = writeln!(stdout, "Nothing was run.");
        stdout.finish()?;
        return Ok(ExitCode::from(1));
    }

    let dir = recovery_dir(&args.journal, earlier + 1);
    let journal = Journal::create(
        &dir,
        &run_started(
            &args.procedure,
            &recovery_setup,
            identity.clone(),
            "sim",
            Some(seed),
            args.scenario.as_ref().map(|p| p.display().to_string()),
        ),
    )?;
    let start = recovery.start(observation.at, Some(seed));
    let engine = Engine::resumed(Arc::clone(&recovery_setup), EngineConfig::standard().with_guards(true), &start);
    let prepared = Prepared {
        setup: Arc::clone(&recovery_setup),
        engine,
        journal,
        initial: observation,
        described: vec![format!("  backend  simulated cluster {}, seed {seed} (virtual time)", setup.cluster.name)],
        guards_off: None,
        notes: Vec::new(),
        yes: args.yes,
        reports: args.report.clone(),
        resumed: false,
        how_to_resume: None,
        how_to_recover: Some(args.command()),
        backend_name: "sim",
        seed: Some(seed),
    };
    let end = EndState { first_event: backend.sim.trace().len(), roles: recovery.roles.clone() };
    skeleton::run(prepared, &mut backend, end, stdout)
}

/// What the cluster lacks, and the plan.
fn show(stdout: &mut skeleton::Stdout, setup: &Setup, recovery: &Recovery) {
    let _ = writeln!(stdout, "\nThe cluster does not serve:");
    for shortfall in &recovery.shortfalls {
        let _ = writeln!(stdout, "  - {}", shortfall.describe(setup));
    }
    let _ = writeln!(stdout);
    let procedure = recovery.procedure(setup);
    let _ = write!(stdout, "{}", Plan::new(&setup.cluster, &procedure).render_text());
}

/// On the simulator, the nodes a plan asks the operator to bring back first are brought
/// back as the operator confirmed: a node that is down boots, one that does not answer
/// answers again, and the cluster settles. Says whether the plan asked for any.
fn bring_back(backend: &mut StagedSim, recovery: &Recovery) -> bool {
    let mut any = false;
    for shortfall in &recovery.shortfalls {
        let fault = match shortfall {
            Shortfall::Down(node) => Fault::Restart { node: *node },
            Shortfall::Unreachable(node) => Fault::Reachable { node: *node },
            _ => continue,
        };
        backend.sim.inject(fault);
        any = true;
    }
    if any {
        backend.sim.settle(Duration::from_secs(3600));
    }
    any
}

/// The operator's confirmation of the manual steps that bring nodes back: `--yes`, or
/// `done` typed at a terminal; without either, refused as `run` refuses manual steps.
fn confirmed_by_hand(args: &RecoverArgs, recovery: &Recovery, stdout: &mut skeleton::Stdout) -> Result<bool, Failure> {
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "the recovery starts with manual steps that need an operator's confirmation, and there is no terminal \
             to ask on; run it in a terminal, or pass --yes to confirm them unattended"
        )));
    }
    for step in &recovery.steps {
        let instruction = step.action.manual_instruction().unwrap_or(&step.title);
        let _ = write!(stdout, "{instruction}\nType `done` when it is done (anything else stops): ");
        let _ = stdout.flush();
        let mut line = String::new();
        if !matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0) || line.trim() != "done" {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Asks once before running the plan; `--yes` answers for the operator. Without a terminal
/// to ask on, and without `--yes`, the recovery is refused, as `run` refuses manual steps.
fn confirmed(args: &RecoverArgs, steps: usize, stdout: &mut skeleton::Stdout) -> Result<bool, Failure> {
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "recover runs {steps} step(s) on the cluster and asks first, and there is no terminal to ask on; \
             run it in a terminal, or pass --yes to run the plan unattended"
        )));
    }
    let _ = write!(stdout, "Run these {steps} step(s) on the cluster? Type `yes` to run them: ");
    let _ = stdout.flush();
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    Ok(matches!(read, Ok(n) if n > 0) && line.trim() == "yes")
}
