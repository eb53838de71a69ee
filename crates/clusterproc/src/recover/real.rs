//! `recover --backend expresscluster`: the way back on real nodes. Nothing is rebuilt: the
//! connection and the pre-flight checks are those of `run --backend expresscluster`, and the
//! cluster is observed afresh through the real backend, once it has taken in what the
//! journals (the run's, then each earlier recovery's) say its commands did and no command
//! shows (`RealBackend::recall`: installs, the unzipped folder, exports, the watch). The
//! run's journal gives the roles, the apply window and a pending restart. Nothing is done
//! for the operator: after the manual steps that bring nodes back, the cluster is observed
//! and planned again, and a node that still cannot be seen ends the command with what is
//! left to do.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use procedure::backend::{Backend as _, Observation};
use procedure::journal::done::done_operations;
use procedure::journal::{FILE_NAME, Journal, Resumption, cluster_identity};
use procedure::recovery::planner::plan;
use procedure::recovery::serving::Shortfall;
use procedure::setup::Setup;
use procedure::text::counted;
use real_backend::backend::RealBackend;
use real_backend::preflight::{Check, Outcome};

use super::args::{RecoverArgs, same_backend};
use super::ask::{confirmed, confirmed_by_hand};
use super::ending::RealEndState;
use super::prepare::{prepared, recovery_dir, recovery_setup};
use super::shown::{nothing_ran, serves_already, show, why_nothing_ran};
use crate::failure::Failure;
use crate::load::load;
use crate::run::journal::run_started;
use crate::run::real::{DriftAndManifest, connect_checked, connection_file, journal_probe};
use crate::run::reports::{check_reports, report_format};
use crate::run::skeleton::{self, Prepared};

/// The pre-flight checks that judge what a recovery puts right (or asks the operator to):
/// nodes that answer, the cluster running and not suspended, the group and registry sync
/// online, monitors Normal. A stopped run leaves some of them failing; the others (services,
/// the archive, the working folder, free space) the recovery needs as `run` does.
const PUT_RIGHT: [&str; 6] = [
    "nodes-reachable",
    "cluster-running",
    "nodes-online",
    "group-online-on-active",
    "monitors-normal",
    "registry-sync-present",
];

/// A check that stops a recovery: one it needs, and that failed. A check that could not be
/// run because a node does not answer is left to the plan, which asks for the node first.
fn stops_recovery(check: &Check) -> bool {
    check.outcome == Outcome::Failed && !PUT_RIGHT.contains(&check.id)
}

fn refused(args: &RecoverArgs) -> [(bool, &'static str); 2] {
    [(args.scenario.is_some(), "--scenario"), (args.seed.is_some(), "--seed")]
}

/// Checks the arguments and loads the procedure, cluster, connection file and the run's
/// journal, without reaching a node or writing anything.
pub(super) fn load_inputs(args: &RecoverArgs) -> Result<(), Failure> {
    let connection_path = connection_file(args.connection.as_deref(), &refused(args), "recover")?;
    for report in &args.report {
        report_format(report)?;
    }
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    real_backend::connection::load(&procedure::diagnostic::SourceFile::read(&connection_path)?)?;
    let identity = cluster_identity(&loaded.setup, &loaded.cluster_hash);
    let path = args.journal.join(FILE_NAME);
    let text = procedure::bounded::read_text(&path, procedure::bounded::MAX_FILE_BYTES)
        .map_err(|e| Failure::Usage(anyhow::anyhow!("{}: {e}", path.display())))?;
    Resumption::parse(&path, &text, &loaded.setup, &identity)?;
    Ok(())
}

/// Plans the way back from the cluster as the nodes show it and runs it: exit 0 when the
/// cluster serves at the end with every invariant holding (or nothing was to do), 1 when
/// something is left to do by hand, 2 for bad input.
pub(super) fn exec(args: RecoverArgs) -> Result<ExitCode, Failure> {
    let connection_path = connection_file(args.connection.as_deref(), &refused(&args), "recover")?;
    check_reports(&args.report)?;
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    let setup = Arc::clone(&loaded.setup);
    let identity = cluster_identity(&setup, &loaded.cluster_hash);
    // The run's journal stays locked while the recovery runs.
    let (_run_journal, resumption) = Journal::resume(&args.journal, &setup, &identity)?;
    same_backend(&resumption, &args)?;
    let mut stdout = crate::output::stdout();
    let why = "Nothing was run: a check the recovery needs failed (the others judge what it puts right).";
    let Some((mut connected, checks)) = connect_checked(&setup, &connection_path, stops_recovery, why, &mut stdout)?
    else {
        stdout.finish()?;
        return Ok(ExitCode::from(1));
    };
    let backend = &mut connected.backend;
    let earlier = recall_journals(backend, &setup, &identity, &args.journal)?;

    let mut observation = observe(backend)?;
    let mut recovery = plan(&setup, Some(&resumption), &observation);
    let described = format!(
        "  backend  expresscluster, {} (pre-flight: {}, {} passed)",
        connection_path.display(),
        counted(checks.len() as u64, "check", "checks"),
        checks.iter().filter(|check| check.passed()).count()
    );
    let _ = writeln!(stdout, "Recover: the run in {}", args.journal.display());
    let _ = writeln!(stdout, "{described}");
    if earlier > 0 {
        let _ = writeln!(stdout, "  earlier  {earlier} recovery journal(s) read");
    }
    if recovery.shortfalls.is_empty() {
        return serves_already(stdout, &setup, &recovery.roles, &observation, "nothing to recover");
    }
    show(&mut stdout, &setup, &recovery);
    if recovery.needs_operator_first {
        let brings_back =
            recovery.shortfalls.iter().all(|s| matches!(s, Shortfall::Down(_) | Shortfall::Unreachable(_)));
        if !brings_back || !confirmed_by_hand(&args, &recovery, &mut stdout)? {
            return nothing_ran(stdout, why_nothing_ran(&recovery, false), &args);
        }
        // What the operator confirmed is checked, not assumed: the nodes are observed again.
        observation = observe(backend)?;
        recovery = plan(&setup, Some(&resumption), &observation);
        let _ = writeln!(stdout, "Confirmed: the cluster observed again.");
        if recovery.shortfalls.is_empty() {
            return serves_already(stdout, &setup, &recovery.roles, &observation, "nothing more to recover");
        }
        if recovery.needs_operator_first {
            let left: Vec<String> = recovery.shortfalls.iter().map(|s| s.describe(&setup)).collect();
            let _ = writeln!(stdout, "Still left to do by hand: {}.", left.join("; "));
            return nothing_ran(stdout, why_nothing_ran(&recovery, false), &args);
        }
        let _ = writeln!(stdout, "Planned again:");
        show(&mut stdout, &setup, &recovery);
    }
    if !confirmed(&args, recovery.steps.len(), &mut stdout)? {
        let _ = writeln!(stdout, "Nothing was run.");
        stdout.finish()?;
        return Ok(ExitCode::from(1));
    }

    let recovery_setup = recovery_setup(&setup, &recovery);
    let dir = recovery_dir(&args.journal, earlier + 1);
    let mut journal =
        Journal::create(&dir, &run_started(&args.procedure, &recovery_setup, identity, "expresscluster", None, None))?;
    journal_probe(&mut journal, backend)?;
    let start = recovery.start(observation.at, None);
    let prepared = Prepared {
        described: vec![described],
        backend_name: "expresscluster",
        ..prepared(&args, &recovery_setup, &start, journal, observation)
    };
    let end = RealEndState {
        first_event: backend.events().len(),
        roles: recovery.roles.clone(),
        nodes: DriftAndManifest::default(),
    };
    skeleton::run(prepared, backend, end, stdout)
}

/// Takes in what the run's journal, then each earlier recovery's (`DIR/recover-N`), say was
/// done, in order; gives how many earlier recoveries there were.
fn recall_journals(backend: &mut RealBackend, setup: &Setup, identity: &str, dir: &Path) -> Result<usize, Failure> {
    let mut earlier = 0;
    let mut path = dir.join(FILE_NAME);
    loop {
        let text = procedure::bounded::read_text(&path, procedure::bounded::MAX_FILE_BYTES)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{}: {e}", path.display())))?;
        for operation in done_operations(&path, &text, setup, identity)? {
            backend.recall(&operation);
        }
        let next = recovery_dir(dir, earlier + 1).join(FILE_NAME);
        if !next.exists() {
            return Ok(earlier);
        }
        earlier += 1;
        path = next;
    }
}

fn observe(backend: &mut RealBackend) -> Result<Observation, Failure> {
    match backend.observe() {
        Ok(observation) => Ok(observation.clone()),
        Err(error) => {
            Err(Failure::Usage(anyhow::anyhow!("cannot observe the cluster: {}", backend.describe_error(&error))))
        }
    }
}
