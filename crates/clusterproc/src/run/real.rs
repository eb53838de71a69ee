//! A run on real nodes (`run --backend expresscluster`): the connection made and every
//! pre-flight check passed first, then the same run as on the simulator, and its ending: the
//! registry drift detector's findings, the module archive's manifest, the commands run.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend as _, Observation};
use procedure::engine::{Engine, EngineConfig};
use procedure::journal::{Journal, Record, cluster_identity};
use procedure::setup::Setup;
use procedure::text::counted;
use real_backend::backend::{CommandRecord, RealBackend};
use real_backend::preflight::Check;
use run_report::{ReportCommand, kept_output};

use super::advice::advice;
use super::args::RunArgs;
use super::commands::recover_command;
use super::journal::{default_run_dir, run_started};
use super::reports::{check_reports, report_format};
use super::skeleton::{self, BackendEnding, Conclusion, Finished, Judged, Place, Prepared, Stdout};
use crate::connect::{Connected, connect};
use crate::failure::Failure;
use crate::load::load;
use crate::preflight_checks::{render_text, run_checks};

/// The connection file, which a real run needs, and the arguments it refuses.
fn check_arguments(args: &RunArgs) -> Result<PathBuf, Failure> {
    let refused = [(args.scenario.is_some(), "--scenario"), (args.seed.is_some(), "--seed"), (args.resume, "--resume")];
    connection_file(args.connection.as_deref(), &refused, "run")
}

/// The `--connection` file a command on real nodes needs; each flag given in `refused` is
/// refused, as it means nothing on real nodes. `command` names the command whose help shows
/// the file's format.
pub(crate) fn connection_file(
    connection: Option<&Path>,
    refused: &[(bool, &str)],
    command: &str,
) -> Result<PathBuf, Failure> {
    let Some(connection_path) = connection else {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--backend expresscluster needs --connection FILE: how to reach each node (see `clusterproc {command} --help`)"
        )));
    };
    for (given, flag) in refused {
        if *given {
            return Err(Failure::Usage(anyhow::anyhow!("{flag} is not available with --backend expresscluster")));
        }
    }
    Ok(connection_path.to_owned())
}

/// Checks the arguments and loads the procedure, cluster and connection file of a real run,
/// as [`run`] would, without reaching a node or writing anything.
pub fn load_inputs(args: &RunArgs) -> Result<(), Failure> {
    let connection_path = check_arguments(args)?;
    for report in &args.report {
        report_format(report)?;
    }
    load(&args.procedure, args.cluster.as_deref())?;
    real_backend::connection::load(&procedure::diagnostic::SourceFile::read(&connection_path)?)?;
    Ok(())
}

/// Runs the procedure on real nodes once every pre-flight check passes.
pub fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let connection_path = check_arguments(&args)?;
    // A report that cannot be written is found out before the run, not after it.
    check_reports(&args.report)?;
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    let setup = Arc::clone(&loaded.setup);
    let mut stdout = crate::output::stdout();
    let every_check = |check: &Check| !check.passed();
    let why = "The run did not start: every check must pass first.";
    let Some((mut connected, checks)) = connect_checked(&setup, &connection_path, every_check, why, &mut stdout)?
    else {
        stdout.finish()?;
        return Ok(ExitCode::from(1));
    };

    let identity = cluster_identity(&setup, &loaded.cluster_hash);
    let dir = args.journal.clone().unwrap_or_else(|| default_run_dir(&setup.procedure.modules_label()));
    let mut journal =
        Journal::create(&dir, &run_started(&args.procedure, &setup, identity, "expresscluster", None, None))?;
    let backend = &mut connected.backend;
    journal_probe(&mut journal, backend)?;
    let initial = backend
        .observe()
        .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot observe the cluster: {error}")))?
        .clone();
    let described = vec![format!(
        "  backend  expresscluster, {} (pre-flight: {} passed)",
        connection_path.display(),
        counted(checks.len() as u64, "check", "checks")
    )];
    let how_to_recover = recover_command(&args, &dir);
    let prepared = Prepared {
        engine: Engine::new(Arc::clone(&setup), EngineConfig::standard()),
        setup,
        journal,
        initial,
        described,
        guards_off: None,
        notes: Vec::new(),
        yes: args.yes,
        reports: args.report.clone(),
        // No --resume on real nodes (see the README): the summary gives no command to resume.
        resumed: false,
        how_to_resume: None,
        how_to_recover: Some(how_to_recover),
        backend_name: "expresscluster",
        seed: None,
    };
    skeleton::run(prepared, backend, DriftAndManifest::default(), stdout)
}

/// Writes what the capability probe found into the journal, before the first step.
pub(crate) fn journal_probe(journal: &mut Journal, backend: &RealBackend) -> Result<(), Failure> {
    let found = backend.capabilities().map(|found| found.lines()).unwrap_or_default();
    for line in found {
        journal
            .probed(line, backend.now())
            .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot write the journal: {error}")))?;
    }
    Ok(())
}

/// Connects to the nodes as the connection file at `path` says and runs the pre-flight
/// checks. When a check `stops` the command, prints every check and `why`, and gives
/// `None`: the caller exits 1 having run nothing.
pub(crate) fn connect_checked(
    setup: &Arc<Setup>,
    path: &Path,
    stops: impl Fn(&Check) -> bool,
    why: &str,
    stdout: &mut Stdout,
) -> Result<Option<(Connected, Vec<Check>)>, Failure> {
    let mut connected = connect(setup, path)?;
    // Capabilities first, once per node: what the backend may ask each node, and how.
    match connected.backend.probe() {
        Ok(found) => {
            let _ = writeln!(stdout, "Capabilities (probed once per node):");
            for line in found.lines() {
                let _ = writeln!(stdout, "  {line}");
            }
        }
        Err(error) => {
            let _ = writeln!(stdout, "The capability probe stopped: {}", connected.backend.describe_error(&error));
            let _ = writeln!(stdout, "{why}");
            return Ok(None);
        }
    }
    let checks = run_checks(&mut connected, setup);
    if checks.iter().any(stops) {
        let _ = stdout.write_all(render_text(&checks).as_bytes());
        let _ = writeln!(stdout, "{why}");
        return Ok(None);
    }
    Ok(Some((connected, checks)))
}

/// How a run ends on real nodes: judged on the cluster as last observed; then the registry
/// drift detector's findings (recorded in the journal; a drift fails the run), the module
/// archive's manifest, and the commands run.
#[derive(Default)]
pub(crate) struct DriftAndManifest {
    /// The cluster as last observed, or as the run started when it cannot be observed.
    last: Option<Observation>,
    /// How many commands had run when the engine finished: the later ones are the ending's.
    commands_in_run: usize,
}

impl DriftAndManifest {
    /// The cluster as last observed, once settled.
    pub(crate) fn last(&self) -> &Observation {
        self.last.as_ref().expect("a run is judged once settled")
    }
}

impl DriftAndManifest {
    /// Every command `backend` ran, each where it belongs in the run, for the report.
    pub(crate) fn commands(&self, backend: &RealBackend) -> Vec<(Place, ReportCommand)> {
        let commands = backend.commands().iter().enumerate();
        commands
            .map(|(index, record)| {
                let place = match record.step {
                    _ if index >= self.commands_in_run => Place::After,
                    Some(step) => Place::Step(step),
                    None => Place::Before,
                };
                (place, report_command(record))
            })
            .collect()
    }
}

impl BackendEnding<RealBackend> for DriftAndManifest {
    fn settle(&mut self, backend: &mut RealBackend, initial: &Observation, _completed: bool) {
        self.commands_in_run = backend.commands().len();
        self.last = Some(backend.observe().cloned().unwrap_or(initial.clone()));
    }

    fn judged<'a>(&'a self, backend: &'a RealBackend) -> Judged<'a> {
        Judged { events: backend.events(), last: self.last(), judged_final: true }
    }

    fn conclude(&self, finished: Finished<'_, RealBackend>) -> Conclusion {
        let (setup, engine, backend) = (finished.setup, finished.engine, finished.backend);
        let (journal, violations) = (finished.journal.path().to_owned(), finished.violations);
        let (resume, recover) = (finished.how_to_resume, finished.how_to_recover);
        let completed = matches!(engine.ending(), Some(procedure::engine::Ending::Completed));
        let advice = (!completed || !violations.is_empty())
            .then(|| advice(setup, &journal, self.last(), resume, recover, Vec::new()));
        let commands = self.commands(backend);
        Conclusion { advice, commands, ..drift_and_manifest(finished) }
    }
}

/// A command as the report shows it.
pub(crate) fn report_command(record: &CommandRecord) -> ReportCommand {
    let (exit_code, error) = match &record.outcome {
        Ok(code) => (*code, None),
        Err(error) => (None, Some(error.clone())),
    };
    ReportCommand {
        node: record.node.clone(),
        command: record.command.clone(),
        took_ms: record.took.as_millis() as u64,
        exit_code,
        error,
        output: kept_output(&record.output),
    }
}

/// What a run on real nodes says after its summary: the registry drift found (recorded in
/// the journal; a drift fails the run), the module archive's manifest, the commands run.
pub(crate) fn drift_and_manifest(finished: Finished<'_, RealBackend>) -> Conclusion {
    let Finished { setup, backend, journal, stdout, stderr, .. } = finished;
    for finding in backend.drift().findings() {
        let record = Record::RegistryDrift {
            node: setup.node_name(finding.written.node).to_owned(),
            value: finding.written.path(),
            wrote: finding.written.data.clone(),
            now: finding.now.clone(),
            moment: finding.moment.clone(),
            at_ms: backend.now().as_millis() as u64,
        };
        if let Err(error) = journal.registry_drift(record) {
            let _ = writeln!(stderr, "warning: cannot record the registry drift in the journal: {error}");
        }
    }
    let drift = backend.drift().render(setup);
    if drift.is_empty() {
        let _ = writeln!(
            stdout,
            "Registry drift: none ({} written by installers stayed)",
            counted(backend.drift().written().len() as u64, "value", "values")
        );
    } else {
        let _ = writeln!(stdout, "Registry drift:");
        let _ = stdout.write_all(drift.as_bytes());
    }
    let several = setup.procedure.modules.len() > 1;
    for (module, manifest) in backend.manifests() {
        let which = if several { format!(" of {}", setup.procedure.module(module).id) } else { String::new() };
        let _ = writeln!(
            stdout,
            "Module archive{which}: sha256 {}, {}, each checked by SHA-256 on the nodes it was copied to",
            manifest.archive_sha256,
            counted(manifest.files.len() as u64, "file", "files")
        );
    }
    let commands = backend.commands();
    if !commands.is_empty() {
        let total: Duration = commands.iter().map(|command| command.took).sum();
        let _ = writeln!(
            stdout,
            "Commands: {} run, {} ms each on average",
            commands.len(),
            total.as_millis() / commands.len() as u128
        );
    }
    let registry_drift = drift.lines().map(|line| line.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    Conclusion { registry_drift, failed: !backend.drift().findings().is_empty(), ..Conclusion::default() }
}
