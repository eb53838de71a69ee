//! `clusterproc serve`: a simulated cluster behind the EXPRESSCLUSTER X REST API on
//! loopback, so that a tool written against the real API can rehearse against it. The same
//! sessions answer the command shims (`clusterproc sim-node`) at `/sessions/{id}/exec`, so a
//! run can drive the cluster through the API and Windows through the shims, on one cluster.
//!
//! The server listens on 127.0.0.1 only: the API is plain HTTP with Basic auth, and a
//! rehearsal cluster has no business on a network. With no `--users` file, one user
//! `clusterproc` gets a random password for this run, printed in the base URL.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use sim_server::rest::users::Users;

use crate::failure::Failure;
use crate::load::default_setup;

/// The user made when no users file is given.
const DEFAULT_USER: &str = "clusterproc";

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The loopback address and port to listen on; port 0 takes a free one (printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:29009", value_parser = crate::address::parse_listen)]
    pub listen: SocketAddr,
    /// A scenario file: its cluster and seed make the default session [default: the
    /// built-in two-node SSC cluster, seed 1].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Who may log in (TOML: `version = 1`, `[[user]] name, password`) [default: one user
    /// `clusterproc` with a random password, printed].
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Virtual seconds per wall-clock second; 0 stops the clock, which then moves only through
    /// `POST /sim/v1/sessions/{id}/advance`.
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub speed: f64,
}

/// Runs `serve` until SIGINT or SIGTERM.
pub fn exec(args: ServeArgs) -> Result<ExitCode, Failure> {
    let (config, password) = load_serve_inputs(&args)?;
    let cluster_name = config.setup.cluster.name.clone();
    let (listener, signalled) = crate::interrupt::listen(args.listen)?;
    let server = sim_server::rest::start(config, listener).map_err(|error| Failure::Usage(error.into()))?;
    let address = server.address;
    let credentials = password.map_or(String::new(), |password| format!("{DEFAULT_USER}:{password}@"));
    let mut stdout = crate::output::stdout();
    let _ = writeln!(stdout, "http://{credentials}{address}/");
    let _ = writeln!(stdout, "Serving the simulated cluster {cluster_name} through the EXPRESSCLUSTER REST API:");
    let _ = writeln!(stdout, "  GET http://{address}/api/v1/cluster, /servers, /groups, /resources, /monitors");
    let _ = writeln!(stdout, "  sessions: http://{address}/sim/v1/sessions (speed {}x)", args.speed);
    let _ = writeln!(
        stdout,
        "  command shims (sim-node): CLUSTERPROC_SIM=http://{address}/sessions/default, with CLUSTERPROC_SIM_USER and CLUSTERPROC_SIM_PASSWORD"
    );
    let _ = writeln!(stdout, "Stop with Ctrl-C.");
    // Flushes: the URL line must reach a reader before the server waits.
    stdout.finish()?;
    Ok(crate::interrupt::serve_until_signalled(signalled, server, "the server"))
}

/// Everything `serve` reads and checks before it listens: the scenario, the users, the speed;
/// and the password made for this run when there is no users file.
pub fn load_serve_inputs(args: &ServeArgs) -> Result<(sim_server::rest::Config, Option<String>), Failure> {
    if !args.listen.ip().is_loopback() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--listen {}: the simulated API serves plain HTTP with Basic auth on loopback only (127.0.0.1 or ::1)",
            args.listen
        )));
    }
    let (setup, seed) = match &args.scenario {
        Some(path) => {
            let scenario = sim_cluster::scenario::Scenario::load(path)?;
            (scenario.setup, scenario.seed)
        }
        None => (default_setup()?, 1),
    };
    let (users, password) = match &args.users {
        Some(path) => (Users::load(path).map_err(|error| Failure::Usage(error.into()))?, None),
        None => {
            let password = random_password()?;
            (Users::single(DEFAULT_USER, password.clone()), Some(password))
        }
    };
    let config = sim_server::rest::Config { setup, seed, speed: args.speed, users };
    config.check().map_err(|error| Failure::Usage(anyhow::anyhow!("--speed: {error}")))?;
    Ok((config, password))
}

/// 128 bits from the operating system's generator, as 32 hex digits.
fn random_password() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot make a password ({error}); give --users FILE")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
