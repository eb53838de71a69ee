//! `clusterproc plan`: what the procedure will do, step by step, on which node, as text,
//! JSON or a Mermaid diagram.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use procedure::plan::Plan;

use crate::failure::Failure;
use crate::load::load;

#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The procedure file (TOML).
    pub(crate) procedure: PathBuf,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub(crate) cluster: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub(crate) format: PlanFormat,
    /// Write the plan to FILE (replaced only once complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum PlanFormat {
    Text,
    Json,
    Mermaid,
}

/// Prints (or writes to `--output`) the plan in the format asked for.
pub fn exec(args: PlanArgs) -> Result<ExitCode, Failure> {
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
