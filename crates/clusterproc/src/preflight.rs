//! `clusterproc preflight`: the pre-flight checks on real nodes, as text, JSON or JUnit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use real_backend::preflight::{Check, Outcome};

use crate::connect::connect;
use crate::failure::Failure;
use crate::load::load;
use crate::preflight_checks::{count, render_text, run_checks};
use run_report::escape;

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The procedure file (TOML).
    pub procedure: PathBuf,
    /// The connection file: how to reach each node (see below).
    #[arg(long, value_name = "FILE")]
    pub connection: PathBuf,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PreflightFormat::Text)]
    pub format: PreflightFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreflightFormat {
    Text,
    Json,
    Junit,
}

/// Runs the checks and prints them in the format asked for; exits 1 unless all passed.
pub fn exec(args: PreflightArgs) -> Result<ExitCode, Failure> {
    let loaded = load(&args.procedure, args.cluster.as_deref())?;
    let mut connected = connect(&loaded.setup, &args.connection)?;
    let checks = run_checks(&mut connected, &loaded.setup);
    let text = match args.format {
        PreflightFormat::Text => render_text(&checks),
        PreflightFormat::Json => render_json(&checks),
        PreflightFormat::Junit => render_junit(&checks),
    };
    crate::output::emit(&text, None)?;
    Ok(if checks.iter().all(Check::passed) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn render_json(checks: &[Check]) -> String {
    let passed = checks.iter().all(Check::passed);
    let checks: Vec<serde_json::Value> = checks
        .iter()
        .map(|check| {
            serde_json::json!({
                "id": check.id,
                "title": check.title,
                "outcome": check.outcome.as_str(),
                "passed": check.passed(),
                "detail": check.detail,
                "impact": check.impact,
                "fix": check.fix,
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "passed": passed, "checks": checks }))
            .expect("JSON values serialize");
    text.push('\n');
    text
}

/// A failed check is a `<failure>`; one that could not be run is an `<error>`, which CI
/// counts as not passing too.
fn render_junit(checks: &[Check]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"clusterproc preflight\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        checks.len(),
        count(checks, Outcome::Failed),
        count(checks, Outcome::Unknown)
    );
    for check in checks {
        out += &format!("  <testcase classname=\"preflight\" name=\"{}\">\n", escape(check.id));
        match check.outcome {
            Outcome::Passed => {}
            Outcome::Failed => {
                out += &format!(
                    "    <failure message=\"{}\">{}\nimpact: {}\nfix: {}</failure>\n",
                    escape(check.title),
                    escape(&check.detail.join("\n")),
                    escape(check.impact),
                    escape(check.fix)
                );
            }
            Outcome::Unknown => {
                out += &format!(
                    "    <error type=\"unknown\" message=\"not run: {}\">{}\nimpact: {}</error>\n",
                    escape(check.title),
                    escape(&check.detail.join("\n")),
                    escape(check.impact)
                );
            }
        }
        out += "  </testcase>\n";
    }
    out += "</testsuite>\n";
    out
}
