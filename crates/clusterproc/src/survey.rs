//! `clusterproc survey`: a read-only first look at a real cluster. Runs the observations the
//! real backend would make on every node (and the REST GETs when the connection uses the
//! API), keeps every answer in a bundle folder, and reports what it found: capabilities,
//! parses, the inferred behaviours the backend relies on, the cluster description against
//! the cluster, and registry drift. `--replay DIR` reports on a bundle offline, byte for
//! byte the same; `--emit-cluster FILE` writes the cluster description the survey saw.

mod bundle;
mod emit;
mod gather;
mod report;
mod seen;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;

use crate::failure::Failure;

/// Arguments of `clusterproc survey`.
#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// The connection file: how to reach each node (see `preflight --help`).
    #[arg(long, value_name = "FILE", required_unless_present = "replay", conflicts_with = "replay")]
    pub connection: Option<PathBuf>,
    /// The cluster description to compare with (default: the built-in SSC two-node cluster).
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    pub cluster: Option<PathBuf>,
    /// A procedure whose registry values are compared with the nodes' (drift).
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    pub procedure: Option<PathBuf>,
    /// The bundle folder to write (new or empty; default `survey-bundle`).
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub output: Option<PathBuf>,
    /// Report on a bundle written earlier, without reaching any node.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// Also write the cluster description of what the survey saw to FILE.
    #[arg(long, value_name = "FILE")]
    pub emit_cluster: Option<PathBuf>,
}

/// Runs `clusterproc survey`: exit 0 when the backend can run here, 1 when something it
/// relies on is contradicted or unparsed, 2 for bad input.
pub fn exec(args: SurveyArgs) -> Result<ExitCode, Failure> {
    let bundle = match (&args.replay, &args.connection) {
        (Some(dir), _) => bundle::Bundle::read(dir)?,
        (None, Some(connection)) => {
            let output = args.output.clone().unwrap_or_else(|| PathBuf::from("survey-bundle"));
            bundle::check_empty(&output)?;
            let bundle = gather::gather(connection, args.cluster.as_deref(), args.procedure.as_deref())?;
            bundle.write(&output)?;
            bundle
        }
        (None, None) => return Err(Failure::Usage(anyhow::anyhow!("survey needs --connection FILE or --replay DIR"))),
    };
    let (cluster, setup) = inputs(&bundle)?;
    let seen = seen::Seen::read(&bundle, &cluster);
    let report = report::render(&bundle, &cluster, setup.as_ref(), &seen);
    if args.replay.is_none() {
        // The report beside what it was made from: replaying the bundle must give it again
        // (a bundle kept in tests/data/surveys is a conformance test of the parsers).
        let output = args.output.clone().unwrap_or_else(|| PathBuf::from("survey-bundle"));
        crate::atomic_file::write(&output.join(bundle::REPORT), report.text.as_bytes())
            .map_err(|error| Failure::output(output.display().to_string(), error))?;
    }
    if let Some(file) = &args.emit_cluster {
        let text = emit::render(&bundle, &cluster, &seen);
        crate::output::emit(&text, Some(file))?;
    }
    crate::output::emit(&report.text, None)?;
    Ok(ExitCode::from(if report.blocked { 1 } else { 0 }))
}

/// The cluster description and procedure a bundle carries.
fn inputs(bundle: &bundle::Bundle) -> Result<(procedure::cluster::Cluster, Option<Setup>), Failure> {
    let cluster = procedure::cluster::load(&SourceFile::new(&bundle.manifest.cluster_origin, &bundle.cluster_text))?;
    let setup = match (&bundle.procedure_text, &bundle.manifest.procedure_origin) {
        (Some(text), Some(origin)) => {
            let procedure = procedure::procedure::load(&SourceFile::new(origin, text), &cluster)?;
            Some(Setup::new(cluster.clone(), procedure))
        }
        _ => None,
    };
    Ok((cluster, setup))
}

/// Loads what a survey command line names, without reaching a node (for the fuzz harness).
pub(crate) fn load_inputs(args: &SurveyArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.replay {
        let bundle = bundle::Bundle::read(dir)?;
        return inputs(&bundle).map(drop);
    }
    let source = crate::load::cluster_source(args.cluster.as_deref())?;
    let cluster = procedure::cluster::load(&source)?;
    if let Some(procedure) = &args.procedure {
        procedure::procedure::load(&SourceFile::read(procedure)?, &cluster)?;
    }
    if let Some(connection) = &args.connection {
        real_backend::connection::load(&SourceFile::read(connection)?)?;
    }
    Ok(())
}
