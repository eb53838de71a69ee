//! `clusterproc train`: the arguments of the web trainer (the `trainer` crate), the course
//! they describe, and serving it until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::failure::Failure;
use trainer::course::{Course, CourseError};
use trainer::server;

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The procedure to rehearse [default: the built-in SSC0307-0006 procedure].
    #[arg(conflicts_with = "scenario")]
    pub procedure: Option<PathBuf>,
    /// The cluster description; the built-in two-node SSC cluster when omitted.
    #[arg(long, conflicts_with = "scenario")]
    pub cluster: Option<PathBuf>,
    /// A scenario file: its cluster, procedure, seed and faults (`[[fault]] before-step`:
    /// the fault strikes just before the trainee's first operation of that step).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// The simulator's seed (a scenario gives its own).
    #[arg(long, default_value_t = 1, conflicts_with = "scenario")]
    pub seed: u64,
    /// Where to listen (`IP:PORT` or `HOST:PORT`); port 0 takes a free one (printed). The
    /// default is the port of the seed's Cluster Manager. The pages have no login: an address
    /// other than loopback is served with a warning.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:29003", value_parser = crate::address::parse_listen)]
    pub listen: SocketAddr,
    /// Minutes after which an untouched session is forgotten.
    #[arg(long, value_name = "MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=10_080))]
    pub idle_minutes: u64,
    /// The most sessions at once.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_sessions: u64,
    /// Teach a class: serve the instructor's page at /instructor (every session live,
    /// faults, pause, results as CSV and JUnit) behind a password generated now and printed
    /// once; trainees may give their name.
    #[arg(long)]
    pub classroom: bool,
}

/// The course the arguments describe.
pub fn course(args: &TrainArgs) -> Result<Course, Failure> {
    if let Some(path) = &args.scenario {
        return Course::from_scenario(path).map_err(|error| match error {
            CourseError::File(error) => Failure::File(error),
            error @ CourseError::ScriptsOperations(_) => Failure::Usage(anyhow::anyhow!(error)),
        });
    }
    let setup = match &args.procedure {
        Some(path) => crate::load::load(path, args.cluster.as_deref())?.setup,
        None if args.cluster.is_some() => {
            return Err(Failure::Usage(anyhow::anyhow!(
                "--cluster needs a procedure file: the built-in procedure is written for the built-in cluster"
            )));
        }
        None => crate::load::default_setup()?,
    };
    Ok(Course::new(setup.procedure.title.clone(), setup, args.seed, Vec::new()))
}

/// Runs the trainer until SIGINT or SIGTERM.
pub fn exec(args: TrainArgs) -> Result<ExitCode, Failure> {
    let mut course = course(&args)?;
    course.classroom = args.classroom;
    let course = Arc::new(course);
    let classroom = if args.classroom {
        let classroom = trainer::classroom::Classroom::generate()
            .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot make the instructor's password: {error}")))?;
        Some(classroom)
    } else {
        None
    };
    let password = classroom.as_ref().map(|classroom| classroom.password().to_owned());
    let config = server::Config {
        course: Arc::clone(&course),
        idle: Duration::from_secs(args.idle_minutes * 60),
        max_sessions: args.max_sessions as usize,
        classroom,
    };
    let (listener, signalled) = crate::interrupt::listen(args.listen)?;
    let server = server::start(config, listener)
        .map_err(|error| Failure::Usage(anyhow::anyhow!("cannot serve on {}: {error}", args.listen)))?;
    let mut stdout = crate::output::stdout();
    // An address on every interface is not one to open: the loopback one is, on this machine.
    let mut open = server.address;
    if open.ip().is_unspecified() {
        open.set_ip(match open.ip() {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let _ = writeln!(stdout, "http://{open}/");
    if open != server.address {
        let _ = writeln!(stdout, "Listening on {} (every interface of this machine).", server.address);
    }
    let _ = writeln!(stdout, "Training on {}: {}", course.setup.cluster.name, course.title);
    if !course.staged.is_empty() {
        let faults = procedure::text::counted(course.staged.len() as u64, "fault", "faults");
        let _ = writeln!(stdout, "  with {faults} from the scenario");
    }
    if let Some(password) = &password {
        // Printed once, here: it is not stored anywhere.
        let _ = writeln!(stdout, "Instructor: http://{open}/instructor (any user name, password {password})");
    }
    let _ = writeln!(stdout, "Open the address in a browser. Stop with Ctrl-C.");
    stdout.finish()?;
    if !server.address.ip().is_loopback() && password.is_none() {
        // Deliberate for a classroom, but worth saying: the pages have no login.
        let mut stderr = crate::output::stderr();
        let _ = writeln!(
            stderr,
            "warning: the trainer has no login and serves plain HTTP: anyone who can reach {} can open sessions",
            server.address
        );
    }
    Ok(crate::interrupt::serve_until_signalled(signalled, server, "the trainer"))
}
