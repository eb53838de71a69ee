//! `clusterproc preflight`: the pre-flight checks on real nodes, as text, JSON or JUnit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use real_backend::preflight::{self, Check, Inputs, Outcome};

use crate::cli::{Failure, load};
use crate::connect::{Connected, connect};
use run_report::escape;

/// How the connection file looks; shown by `preflight --help` and `run --help`.
pub const CONNECTION_HELP: &str = "\
The connection file (TOML) says how to reach each node. Secrets are never written in it:
keys come from a file or the SSH agent, passwords from a file or an environment variable.

  version = 1

  [timeouts]                      # optional; these are the defaults
  connect = \"10s\"
  command = \"60s\"
  install = \"2h\"
  copy = \"10m\"

  [module]
  archive = \"SSC0307-0006.zip\"    # on this machine; relative to the connection file
  installer = [\"setup.exe\", \"/s\"] # the silent command, inside the extracted folder
  min-free-space-mib = 1024

  [services]                      # display name = service key name, where they differ
  \"DeploymentManager API Service\" = \"DepMgrAPISvc\"

  [watch]                         # optional: the Task Manager watch commands
  stop = [\"armstop.exe\", \"{service}\"]
  start = [\"armstart.exe\", \"{service}\"]

  [[node]]
  name = \"ssc-node1\"              # as in the cluster description
  role = \"active\"                 # optional hint, checked against the live cluster
  transport = \"ssh\"               # local | ssh (russh) | openssh (system client) | winrm
  host = \"10.0.0.11\"
  port = 22
  user = \"Administrator\"
  identity-file = \"keys/id_ed25519\" # omit to use the SSH agent
  known-hosts = \"known_hosts\"     # host keys are verified against this file
  shell = \"windows\"               # windows (cmd/PowerShell) | posix

A node where clusterproc itself runs may use transport = \"local\" (with optional
env = { NAME = \"value\" }). WinRM over HTTPS (Basic authentication; the certificate is always
verified, against the system's roots plus an optional CA file):

  transport = \"winrm\"
  url = \"https://10.0.0.11:5986/wsman\"
  user = \"Administrator\"
  password-env = \"SSC_NODE1_PASSWORD\"   # or password-file = \"secrets/node1\"
  ca-file = \"site-ca.pem\"               # optional

The cluster itself (servers, groups, resources, monitors; suspend, resume, moves) is
observed and operated with the EXPRESSCLUSTER commands on the nodes, or, with api = \"rest\"
at the top, through its REST API (X 4.2 and later; Windows services, the registry and the
installer still go through the nodes' transports):

  api = \"rest\"
  [rest]
  url = \"https://10.0.0.10:29009\"       # HTTPS; the certificate is always verified
  user = \"Administrator\"
  password-env = \"ECX_API_PASSWORD\"     # or password-file = \"secrets/api\"
  ca-file = \"site-ca.pem\"               # optional";

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

pub fn preflight(args: PreflightArgs) -> Result<ExitCode, Failure> {
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

/// Runs the checks with what the connection file says.
pub fn run_checks(connected: &mut Connected, setup: &procedure::setup::Setup) -> Vec<Check> {
    let archive = connected.connection.archive.clone();
    let inputs = Inputs {
        setup,
        hints: &connected.hints,
        min_free_bytes: connected.connection.min_free_bytes,
        archive: archive.as_deref(),
    };
    preflight::run(&mut connected.backend, inputs)
}

pub fn render_text(checks: &[Check]) -> String {
    let mut out = String::from("Pre-flight checks\n");
    for check in checks {
        let mark = match check.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAIL",
            Outcome::Unknown => "UNKNOWN",
        };
        out += &format!("  {mark:<7} {:<24} {}\n", check.id, check.title);
        for detail in &check.detail {
            out += &format!("            {detail}\n");
        }
        match check.outcome {
            Outcome::Passed => {}
            Outcome::Failed => {
                out += &format!("            impact: {}\n            fix: {}\n", check.impact, check.fix);
            }
            // Its own fix would be a guess: what it needs is what it could not see.
            Outcome::Unknown => out += &format!("            impact: {}\n", check.impact),
        }
    }
    let failed = count(checks, Outcome::Failed);
    let unknown = count(checks, Outcome::Unknown);
    out += &match (failed, unknown) {
        (0, 0) => format!("All {} checks passed.\n", checks.len()),
        (failed, 0) => format!("{failed} of {} checks failed.\n", checks.len()),
        (failed, unknown) => format!(
            "{} of {} checks did not pass: {failed} failed, {unknown} could not be run (unknown).\n",
            failed + unknown,
            checks.len()
        ),
    };
    out
}

fn count(checks: &[Check], outcome: Outcome) -> usize {
    checks.iter().filter(|check| check.outcome == outcome).count()
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
