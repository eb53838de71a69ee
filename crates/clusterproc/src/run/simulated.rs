//! A run on the simulated cluster (`run --backend sim`): its inputs loaded and checked
//! (scenario, staged faults, guards), a new journal or `--resume` from one (the cluster rebuilt
//! by replaying it), and its ending: judged on what the cluster does next with nobody acting.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use procedure::action::kind::Milestone;
use procedure::backend::{Backend, Observation};
use procedure::cluster::NodeId;
use procedure::diagnostic::SourceFile;
use procedure::duration::human;
use procedure::engine::{Engine, EngineConfig};
use procedure::event::EventKind;
use procedure::fault::FaultKind;
use procedure::invariant::{Invariant, Violation};
use procedure::journal::{Journal, Resumption, cluster_identity};
use procedure::recovery::serving::values_in_place;
use procedure::recovery::{RegistryWayBack, registry_way_back};
use procedure::setup::Setup;
use sim_cluster::explore::aftermath;
use sim_cluster::scenario::Scenario;
use sim_cluster::sim::{AFTERMATH, Builder, Sim};
use sim_cluster::staged::{StagedFault, StagedSim};

use super::advice::advice;
use super::args::{GuardsSwitch, RunArgs};
use super::commands::{recover_command, resume_command};
use super::journal::{default_run_dir, run_started};
use super::reports::{check_reports, report_format};
use super::skeleton::{self, AftermathSeen, BackendEnding, Conclusion, Finished, Judged, Prepared};
use crate::failure::Failure;
use crate::load::cluster_source;

/// Seed of the simulator when neither `--seed` nor a scenario gives one.
const DEFAULT_SEED: u64 = 1;

/// What a run needs before it starts, every input loaded and checked.
pub struct RunInputs {
    pub(crate) scenario: Option<Scenario>,
    pub(crate) setup: Arc<Setup>,
    pub(crate) identity: String,
    pub(crate) staged: Vec<StagedFault>,
}

/// Checks the arguments and loads the scenario, cluster and procedure of a run; writes
/// nothing.
pub fn load_run_inputs(args: &RunArgs) -> Result<RunInputs, Failure> {
    // The simulator reaches no node: a connection file given to it would be ignored, and the
    // operator could believe the run touched the nodes it names.
    if let Some(connection) = &args.connection {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--connection {} needs --backend expresscluster: without it the run is on the simulated cluster \
             (--backend sim), which reaches no node",
            connection.display()
        )));
    }
    if args.resume && args.journal.is_none() {
        return Err(Failure::Usage(anyhow::anyhow!("--resume needs --journal DIR: the run directory to continue")));
    }
    if args.scenario.is_some() && args.cluster.is_some() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "give --cluster or --scenario, not both: a scenario names its cluster"
        )));
    }
    for report in &args.report {
        report_format(report)?;
    }

    // The cluster (from the scenario, the file given, or the built-in one) and the procedure.
    let scenario = match &args.scenario {
        Some(path) => Some(Scenario::load(path)?),
        None => None,
    };
    let (cluster, cluster_hash) = match (&scenario, &args.scenario) {
        (Some(scenario), Some(path)) => (scenario.setup.cluster.clone(), SourceFile::read(path)?.content_hash()),
        _ => {
            let source = cluster_source(args.cluster.as_deref())?;
            (procedure::cluster::load(&source)?, source.content_hash())
        }
    };
    let procedure_source = SourceFile::read(&args.procedure)?;
    let procedure = procedure::procedure::load(&procedure_source, &cluster)?;
    let setup = Arc::new(Setup::new(cluster, procedure));
    let identity = cluster_identity(&setup, &cluster_hash);

    // A scenario is written for one procedure: its faults, seed and guards mean what they do
    // for that one. A resume is checked against its journal instead.
    if let (Some(scenario), Some(path)) = (&scenario, &args.scenario)
        && !args.resume
        && scenario.setup.procedure.content_hash != setup.procedure.content_hash
    {
        return Err(Failure::Usage(anyhow::anyhow!(
            "{} is written for the procedure {}, not {}; run that procedure with it, or a scenario \
             written for this one",
            path.display(),
            scenario.procedure_path.display(),
            args.procedure.display()
        )));
    }
    if let (Some(scenario), Some(path)) = (&scenario, &args.scenario)
        && !scenario.is_engine_run()
    {
        return Err(Failure::Usage(anyhow::anyhow!(
            "{} schedules its own operations for the simulator; `run` takes scenarios that stage faults \
             before steps ([[fault]] with before-step) and schedule nothing",
            path.display()
        )));
    }
    // Faults the scenario stages, resolved against this procedure's step ids.
    let staged = match &scenario {
        Some(scenario) => restage(scenario, &setup)?,
        None => Vec::new(),
    };
    Ok(RunInputs { scenario, setup, identity, staged })
}

impl RunInputs {
    /// Reads and checks the journal in `dir` as a resume would, without locking it or
    /// writing to it.
    pub fn check_journal(&self, dir: &Path) -> Result<(), Failure> {
        let path = dir.join(procedure::journal::FILE_NAME);
        let text = procedure::bounded::read_text(&path, procedure::bounded::MAX_FILE_BYTES)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{}: {e}", path.display())))?;
        procedure::journal::Resumption::parse(&path, &text, &self.setup, &self.identity)?;
        Ok(())
    }
}

/// Runs the procedure on the simulated cluster, or resumes a run from its journal.
pub fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let RunInputs { scenario, setup, identity, staged } = load_run_inputs(&args)?;

    let needs_operator = setup.procedure.steps.iter().any(|s| s.action.manual_instruction().is_some());
    if needs_operator && !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "this procedure has manual steps that need an operator's confirmation, and there is no terminal to ask on; \
             run it in a terminal, or pass --yes to confirm them unattended"
        )));
    }

    // A report that cannot be written is found out before the run, not after it.
    check_reports(&args.report)?;

    // --guards decides; without it, a scenario written to show a procedure as written turns
    // the guards off.
    let guards = match args.guards {
        Some(switch) => switch == GuardsSwitch::On,
        None => scenario.as_ref().is_none_or(|s| s.guards),
    };
    let guards_from_scenario = args.guards.is_none() && !guards;
    let config = EngineConfig::standard().with_guards(guards);
    let mut stdout = crate::output::stdout();
    let fresh = Builder::new(Arc::clone(&setup))
        .seed(args.seed.or(scenario.as_ref().map(|s| s.seed)).unwrap_or(DEFAULT_SEED))
        .build();

    let dir = match &args.journal {
        Some(dir) => dir.clone(),
        None => default_run_dir(&setup.procedure.modules_label()),
    };
    let (journal, mut backend, engine, initial, seed) = if args.resume {
        let (mut journal, resumption) = Journal::resume(&dir, &setup, &identity)?;
        if let Some(ending) = &resumption.finished
            && ending == "completed"
        {
            let _ = writeln!(stdout, "The run in {} already completed; there is nothing to resume.", dir.display());
            stdout.finish()?;
            return Ok(ExitCode::SUCCESS);
        }
        let (mut backend, initial, seed) = rebuild(&setup, &staged, &resumption);
        let observation =
            backend.observe().map_err(|e| Failure::Usage(anyhow::anyhow!("cannot observe the cluster: {e}")))?;
        resumption.check_against(journal.path(), &setup, observation)?;
        journal.resumed(&resumption)?;
        let engine = Engine::resumed(Arc::clone(&setup), config.clone(), &resumption);
        let _ = writeln!(
            stdout,
            "Resuming {} at step {} ({}).",
            journal.path().display(),
            setup.procedure.steps[resumption.next_step].label(),
            setup.procedure.steps[resumption.next_step].title
        );
        (journal, backend, engine, initial, seed)
    } else {
        let seed = args.seed.or(scenario.as_ref().map(|s| s.seed)).unwrap_or(DEFAULT_SEED);
        let journal = Journal::create(
            &dir,
            &run_started(
                &args.procedure,
                &setup,
                identity.clone(),
                "sim",
                Some(seed),
                args.scenario.as_ref().map(|p| p.display().to_string()),
            ),
        )?;
        let initial = fresh.observation().clone();
        let backend = StagedSim::new(fresh.clone(), staged.clone());
        let engine = Engine::new(Arc::clone(&setup), config.clone());
        (journal, backend, engine, initial, seed)
    };

    let mut described =
        vec![format!("  backend  simulated cluster {}, seed {seed} (virtual time)", setup.cluster.name)];
    if let Some(path) = &args.scenario {
        described.push(format!("  scenario {}", path.display()));
    }
    let mut notes = Vec::new();
    if scenario.as_ref().is_some_and(Scenario::expects_anything) {
        notes.push(
            "note: the scenario's [expect] table is not checked by `run` (the scenario tests check it)".to_owned(),
        );
    }
    let prepared = Prepared {
        setup,
        engine,
        journal,
        initial,
        described,
        guards_off: (!guards).then_some(if guards_from_scenario { " (the scenario's `guards = false`)" } else { "" }),
        notes,
        yes: args.yes,
        reports: args.report.clone(),
        resumed: args.resume,
        how_to_resume: Some(resume_command(&args, &dir)),
        how_to_recover: Some(recover_command(&args, &dir)),
        backend_name: "sim",
        seed: Some(seed),
    };
    skeleton::run(prepared, &mut backend, Aftermath { faults_staged: !staged.is_empty(), settled: None }, stdout)
}

/// How a run ends on the simulator: a run that stops is judged on what the cluster does next
/// with nobody acting, which the summary tells, with where the installer's registry values
/// are found again when they were rolled back.
struct Aftermath {
    /// Whether the scenario staged faults: a run stopped by one is not judged on the final
    /// invariants.
    faults_staged: bool,
    /// The cluster after the run and its aftermath, and whether the run completed.
    settled: Option<(Sim, bool)>,
}

impl BackendEnding<StagedSim> for Aftermath {
    fn settle(&mut self, backend: &mut StagedSim, _initial: &Observation, completed: bool) {
        // A run that stops is judged on what the cluster does next with nobody acting, on a copy:
        // the journal and `--resume` go on from where the run stopped.
        let mut cluster = backend.sim.clone();
        if !completed {
            cluster.after_stop(AFTERMATH);
        }
        self.settled = Some((cluster, completed));
    }

    fn judged<'a>(&'a self, _backend: &'a StagedSim) -> Judged<'a> {
        let (cluster, completed) = self.settled.as_ref().expect("a run is judged once settled");
        // Final invariants judge a run that completed, or one that stopped with no fault injected:
        // a procedure must finish on a healthy cluster (`check` judges the same way).
        Judged { events: cluster.trace(), last: cluster.observation(), judged_final: *completed || !self.faults_staged }
    }

    fn conclude(&self, finished: Finished<'_, StagedSim>) -> Conclusion {
        let Finished { setup, engine, events, violations, journal, stdout, how_to_resume, how_to_recover, .. } =
            finished;
        let next = aftermath(setup, events);
        if !next.is_empty() {
            let _ = writeln!(stdout);
            let _ =
                writeln!(stdout, "What happens next if nobody acts (the next {} on the simulator):", human(AFTERMATH));
            for line in &next {
                let _ = writeln!(stdout, "  {line}");
            }
        }
        let (cluster, completed) = self.settled.as_ref().expect("a run is concluded once settled");
        let last = cluster.observation();
        let registry = restore_advice(setup, engine, violations, Some(last));
        if !registry.is_empty() {
            let _ = writeln!(stdout);
            for line in &registry {
                let _ = writeln!(stdout, "{line}");
            }
        }
        // The aftermath runs from the stop to where the simulator stopped looking.
        let stopped_at = events.iter().find(|e| matches!(e.kind, EventKind::RunStopped)).map(|e| e.at);
        let seen = stopped_at.map(|from| AftermathSeen { from, until: cluster.now(), story: next });
        let advice = (!*completed || !violations.is_empty())
            .then(|| advice(setup, journal.path(), last, how_to_resume, how_to_recover, registry));
        Conclusion { aftermath: seen, advice, ..Conclusion::default() }
    }
}

/// The simulated cluster of a run rebuilt from its journal, with its initial observation and
/// its seed. The simulated cluster lives in memory: it is rebuilt by replaying the journal
/// (the same seed, the same staged faults at the same steps, the same operations at the same
/// virtual times), then the faults that stopped the run are cleared, as the operator would
/// have fixed them before resuming or recovering.
pub(crate) fn rebuild(
    setup: &Arc<Setup>,
    staged: &[StagedFault],
    resumption: &Resumption,
) -> (StagedSim, Observation, u64) {
    let seed = resumption.seed.unwrap_or(DEFAULT_SEED);
    let sim = Builder::new(Arc::clone(setup)).seed(seed).build();
    let initial = sim.observation().clone();
    let mut backend = StagedSim::new(sim, staged.to_vec()).replay(setup, &resumption.records, resumption.last_at);
    clear_fired_faults(&mut backend, staged, resumption.next_step);
    (backend, initial, seed)
}

/// The scenario's staged faults, by step id, against the procedure of this run.
fn restage(scenario: &Scenario, setup: &Setup) -> Result<Vec<StagedFault>, Failure> {
    scenario
        .staged
        .iter()
        .map(|fault| {
            let id = &scenario.setup.procedure.steps[fault.before_step].id;
            match setup.procedure.steps.iter().position(|s| &s.id == id) {
                Some(step) => Ok(StagedFault { before_step: step, fault: fault.fault }),
                None => Err(Failure::Usage(anyhow::anyhow!(
                    "the scenario stages a fault before step `{id}`, which this procedure does not have"
                ))),
            }
        })
        .collect()
}

/// On resume, the faults that fired before the step to continue with are cleared, as the
/// operator would have done before resuming.
fn clear_fired_faults(backend: &mut StagedSim, staged: &[StagedFault], next_step: usize) {
    for fault in staged.iter().filter(|f| f.before_step <= next_step) {
        if let Some(heal) = fault.fault.healed_by() {
            backend.sim.inject(heal);
            if heal.kind() == FaultKind::Restart {
                // A restarted node boots and rejoins before the run goes on.
                backend.sim.settle(Duration::from_secs(3600));
            }
        }
    }
}

/// When the installer's registry values were rolled back, how to put them back on each node:
/// the export that node took after its install and before the rollback, or the installer
/// again. An export taken before the install holds the very values the rollback restored.
/// A node whose values are in place again by the end (`last`: an import-registry step put
/// them back) needs nothing.
fn restore_advice(setup: &Setup, engine: &Engine, violations: &[Violation], last: Option<&Observation>) -> Vec<String> {
    let mut out = Vec::new();
    let mut rolled_back: Vec<(NodeId, Duration)> = Vec::new();
    for violation in violations.iter().filter(|v| v.invariant == Invariant::RegistryRolledBack) {
        if let Some(node) = violation.node
            && !rolled_back.iter().any(|(known, _)| *known == node)
        {
            rolled_back.push((node, violation.at));
        }
    }
    if rolled_back.is_empty() {
        return out;
    }
    let names: Vec<&str> = rolled_back.iter().map(|(node, _)| setup.node_name(*node)).collect();
    out.push(format!("The installer's registry values were rolled back on {}.", names.join(", ")));
    let back: Vec<NodeId> = rolled_back
        .iter()
        .map(|(node, _)| *node)
        .filter(|node| last.is_some_and(|last| values_in_place(setup, last, *node)))
        .collect();
    for node in &back {
        out.push(format!("  {}: they are in place again at the end of the run.", setup.node_name(*node)));
    }
    rolled_back.retain(|(node, _)| !back.contains(node));
    if rolled_back.is_empty() {
        return out;
    }
    for (node, at) in rolled_back {
        let name = setup.node_name(node);
        match registry_way_back(&setup.procedure, engine.record(), node, at) {
            RegistryWayBack::Import { step, file } => {
                out.push(format!(
                    "  {name}: once the cluster runs again with the group and registry sync online, import on {name} \
                     the export of step {} ({file}), taken there after the install and before the rollback \
                     (reg import FILE), and check the values.",
                    setup.procedure.steps[step].label()
                ));
            }
            RegistryWayBack::Reinstall => {
                out.push(format!(
                    "  {name}: no export of this run holds them (none was taken there between the install and \
                     the rollback): once the cluster runs again, install the module on {name} again, in a \
                     suspend window as the procedure does."
                ));
            }
        }
    }
    let before: Vec<String> = setup
        .procedure
        .steps
        .iter()
        .enumerate()
        .filter(|(index, step)| {
            step.action.registry_export().is_some()
                && !setup.procedure.steps[..*index].iter().any(|earlier| earlier.action.is(Milestone::InstallsModule))
        })
        .map(|(_, step)| format!("step {}", step.label()))
        .collect();
    if !before.is_empty() {
        out.push(format!(
            "Do not import the export of {}: it was taken before the install and holds the values the \
             rollback restored.",
            before.join(" or ")
        ));
    }
    out
}
