//! `clusterproc run --backend expresscluster`: the procedure on real nodes, after the
//! pre-flight checks pass, with the same engine, guards, journal and judgement as on the
//! simulator, and the registry drift detector's findings at the end.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use procedure::backend::Backend as _;
use procedure::engine::{Ending, Engine, EngineConfig, drive};
use procedure::invariant::judge;
use procedure::journal::{Journal, Record, cluster_identity};
use procedure::text::counted;

use super::args::RunArgs;
use super::console::Console;
use super::journal::{default_run_dir, run_started};
use super::reports::{report_format, write_reports};
use super::summary::{SummaryConfig, summarize};
use crate::connect::connect;
use crate::failure::Failure;
use crate::load::load;
use crate::preflight_checks::{render_text, run_checks};
use run_report::RunReport;

/// The connection file, which a real run needs, and the arguments it refuses.
fn check_arguments(args: &RunArgs) -> Result<PathBuf, Failure> {
    let Some(connection_path) = args.connection.clone() else {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--backend expresscluster needs --connection FILE: how to reach each node (see `clusterproc run --help`)"
        )));
    };
    for (given, flag) in
        [(args.scenario.is_some(), "--scenario"), (args.seed.is_some(), "--seed"), (args.resume, "--resume")]
    {
        if given {
            return Err(Failure::Usage(anyhow::anyhow!("{flag} is not available with --backend expresscluster")));
        }
    }
    Ok(connection_path)
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
    // A report that cannot be written is found out before the run, not after it; an
    // existing report is left as it is until the new one is complete.
    for report in &args.report {
        report_format(report)?;
        crate::atomic_file::check_writable(report)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot write the report {}: {e}", report.display())))?;
    }
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    let setup = Arc::clone(&loaded.setup);
    let mut connected = connect(&setup, &connection_path)?;
    let mut stdout = crate::output::stdout();

    let checks = run_checks(&mut connected, &setup);
    if !checks.iter().all(real_backend::preflight::Check::passed) {
        let _ = stdout.write_all(render_text(&checks).as_bytes());
        let _ = writeln!(stdout, "The run did not start: every check must pass first.");
        stdout.finish()?;
        return Ok(ExitCode::from(1));
    }

    let identity = cluster_identity(&setup, &loaded.cluster_hash);
    let dir = args.journal.clone().unwrap_or_else(|| default_run_dir(&setup.procedure.module.id));
    let mut journal =
        Journal::create(&dir, &run_started(&args.procedure, &setup, identity, "expresscluster", None, None))?;
    let backend = &mut connected.backend;
    let initial = backend
        .observe()
        .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot observe the cluster: {error}")))?
        .clone();
    let _ = writeln!(stdout, "Run: {}", setup.procedure.title);
    let _ = writeln!(
        stdout,
        "  backend  expresscluster, {} (pre-flight: {} passed)",
        connection_path.display(),
        counted(checks.len() as u64, "check", "checks")
    );
    let _ = writeln!(stdout, "  journal  {}", journal.path().display());
    let _ = stdout.flush();

    let mut engine = Engine::new(Arc::clone(&setup), EngineConfig::standard());
    let mut console = Console::new(setup.procedure.steps.len(), args.yes);
    let driven = drive(&mut engine, backend, Some(&mut journal), &mut console);
    let interrupted = console.was_interrupted();
    let mut stderr = console.done();
    if let Err(error) = driven {
        return Err(Failure::Usage(anyhow::anyhow!("the run stopped: {error}")));
    }
    let completed = matches!(engine.ending(), Some(Ending::Completed));
    let last = backend.observe().cloned().unwrap_or(initial.clone());
    let violations = judge(&setup, &initial, backend.events(), &last, &engine, true);
    // No --resume on real nodes (see the README): the summary gives no command to resume.
    let summary = SummaryConfig { judged_final: true, resumed: false, how_to_resume: None };
    summarize(&mut stdout, &setup, &engine, backend.events(), &violations, &summary);

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
    let drift = backend.drift().render(&setup);
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
    if let Some(manifest) = backend.manifest() {
        let _ = writeln!(
            stdout,
            "Module archive: sha256 {}, {}, each checked by SHA-256 on the nodes it was copied to",
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
    let mut report = RunReport::new(
        &setup,
        "expresscluster",
        None,
        engine.record(),
        engine.ending(),
        backend.events(),
        &violations,
        true,
    );
    report.registry_drift = drift.lines().map(|line| line.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    write_reports(&report, &args.report, &mut stdout)?;
    if interrupted {
        let _ = writeln!(stderr, "interrupted: the run stopped; the journal {} says where", journal.path().display());
    }
    stdout.finish()?;
    stderr.finish()?;
    let drifted = !backend.drift().findings().is_empty();
    Ok(if interrupted {
        ExitCode::from(crate::interrupt::EXIT_CODE)
    } else if completed && violations.is_empty() && !drifted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
