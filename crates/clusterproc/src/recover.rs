//! `clusterproc recover`: after a run that stopped (a fault, a guard refusal, a timeout), a
//! verified way back to a serving cluster. The simulated cluster is rebuilt from the run's
//! journal as `run --resume` rebuilds it (and from the journals of earlier recoveries), the
//! planner (`procedure::recovery::planner`) plans from a fresh observation, the plan is shown
//! and confirmed once, and the engine runs it with its guards on, with a journal of its own
//! in `DIR/recover-N`. On real nodes (`--backend expresscluster`), `recover/real.rs`
//! observes the cluster afresh instead of rebuilding it.

mod args;
mod ask;
mod ending;
mod prepare;
mod real;
mod shown;

pub use args::RecoverArgs;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use procedure::backend::{Backend, Observation};
use procedure::journal::{FILE_NAME, Journal, Resumption};
use procedure::recovery::planner::{Recovery, plan};
use procedure::recovery::serving::Shortfall;
use sim_cluster::staged::StagedSim;

use crate::failure::Failure;
use crate::run::args::BackendChoice;
use crate::run::journal::run_started;
use crate::run::reports::check_reports;
use crate::run::simulated::{RunInputs, load_run_inputs, rebuild};
use crate::run::skeleton::{self, Prepared};
use args::same_backend;
use ask::{confirmed, confirmed_by_hand};
use ending::EndState;
use prepare::{prepared, recovery_dir, recovery_setup};
use shown::{nothing_ran, serves_already, show, why_nothing_ran};

/// Loads every input `recover` names and reads the run's journal, without writing anything:
/// what the fuzz harness drives.
pub fn load_inputs(args: &RecoverArgs) -> Result<(), Failure> {
    if args.backend == BackendChoice::ExpressCluster {
        return real::load_inputs(args);
    }
    let inputs = load_run_inputs(&args.as_run())?;
    inputs.check_journal(&args.journal)
}

fn observe(backend: &mut StagedSim) -> Result<Observation, Failure> {
    backend.observe().cloned().map_err(|e| Failure::Usage(anyhow::anyhow!("cannot observe the simulated cluster: {e}")))
}

/// Plans the way back to a serving cluster from where the run in `--journal` left it, and
/// runs it: exit 0 when the cluster serves at the end with every invariant holding (or
/// nothing was to do), 1 when something is left to do by hand, 2 for bad input.
pub fn exec(args: RecoverArgs) -> Result<ExitCode, Failure> {
    if args.backend == BackendChoice::ExpressCluster {
        return real::exec(args);
    }
    let inputs = load_run_inputs(&args.as_run())?;
    check_reports(&args.report)?;
    let RunInputs { setup, identity, staged, .. } = &inputs;
    // The run's journal stays locked while the recovery runs: no `run --resume` meanwhile.
    let (_run_journal, resumption) = Journal::resume(&args.journal, setup, identity)?;
    same_backend(&resumption, &args)?;
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
        return serves_already(stdout, setup, &recovery.roles, &observation, "nothing to recover");
    }
    show(&mut stdout, setup, &recovery);
    if recovery.needs_operator_first {
        // Nothing is planned or run until every node can be seen. On the simulator, what the
        // operator confirms is done for them; an installer that still runs is not.
        let simulated = recovery.shortfalls.iter().all(|s| matches!(s, Shortfall::Down(_) | Shortfall::Unreachable(_)));
        if !simulated || !confirmed_by_hand(&args, &recovery, &mut stdout)? {
            return nothing_ran(stdout, why_nothing_ran(&recovery, true), &args);
        }
        bring_back(&mut backend, &recovery);
        observation = observe(&mut backend)?;
        recovery = plan(setup, Some(&resumption), &observation);
        let _ = writeln!(stdout, "Confirmed: on the simulator, the nodes are back. Planned again:");
        if recovery.shortfalls.is_empty() {
            return serves_already(stdout, setup, &recovery.roles, &observation, "nothing more to recover");
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
    let prepared = Prepared {
        described: vec![format!("  backend  simulated cluster {}, seed {seed} (virtual time)", setup.cluster.name)],
        seed: Some(seed),
        ..prepared(&args, &recovery_setup, &start, journal, observation)
    };
    let end = EndState { first_event: backend.sim.trace().len(), roles: recovery.roles.clone() };
    skeleton::run(prepared, &mut backend, end, stdout)
}

/// On the simulator, the nodes a plan asks the operator to bring back first are brought
/// back as the operator confirmed: a node that is down boots, one that does not answer
/// answers again, and the cluster settles. Says whether the plan asked for any.
fn bring_back(backend: &mut StagedSim, recovery: &Recovery) -> bool {
    let mut any = false;
    for fault in recovery.shortfalls.iter().filter_map(Shortfall::brought_back_by) {
        backend.sim.inject(fault);
        any = true;
    }
    if any {
        backend.sim.settle(Duration::from_secs(3600));
    }
    any
}
