//! Ctrl-C and SIGTERM: the first asks the running command to stop at the next safe point
//! (for `check`, between two runs of the simulator, so that it can still print and save what
//! it found); a second one ends the process at once, with the same exit code 130.

use std::io::Write as _;
use std::sync::Arc;

use sim_cluster::watch::{Stop, Watch};

/// The exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report).
pub const EXIT_CODE: u8 = 130;

/// Routes SIGINT and SIGTERM to `watch`. Returns false when a handler could not be installed
/// (the command then runs on, and a signal ends it the default way).
pub fn stop_on_signal(watch: &Arc<Watch>) -> bool {
    let watch = Arc::clone(watch);
    // Its own flag: a stop asked by something else (the memory limit) is not a first signal.
    let signalled = std::sync::atomic::AtomicBool::new(false);
    ctrlc::set_handler(move || {
        if signalled.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_CODE));
        }
        watch.stop();
    })
    .is_ok()
}

/// A server command's start: its listener bound to `address`, and [`signals`].
pub fn listen(
    address: std::net::SocketAddr,
) -> Result<(std::net::TcpListener, std::sync::mpsc::Receiver<()>), crate::cli::Failure> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|error| crate::cli::Failure::Usage(anyhow::anyhow!("cannot listen on {address}: {error}")))?;
    Ok((listener, signals()?))
}

/// A server command's end: blocks until a signal (a closed channel, which cannot happen while
/// the handler holds the sender, would end it too), stops `server`, says that `what` stopped,
/// and gives the exit code of an interrupted command.
pub fn serve_until_signalled<S>(
    signalled: std::sync::mpsc::Receiver<()>,
    server: S,
    what: &str,
) -> std::process::ExitCode {
    let _ = signalled.recv();
    drop(server);
    let mut stderr = crate::output::stderr();
    let _ = writeln!(stderr, "interrupted: {what} stopped");
    std::process::ExitCode::from(EXIT_CODE)
}

/// For a server that runs until stopped: a channel that receives at SIGINT or SIGTERM. Once
/// the server has stopped listening (the receiver is gone), a further signal ends the
/// process at once.
fn signals() -> Result<std::sync::mpsc::Receiver<()>, crate::cli::Failure> {
    let (signal, signalled) = std::sync::mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        if signal.send(()).is_err() {
            std::process::exit(i32::from(EXIT_CODE));
        }
    })
    .map_err(|error| crate::cli::Failure::Usage(anyhow::anyhow!("cannot handle Ctrl-C: {error}")))?;
    Ok(signalled)
}

/// Ends a command that a stop cut short (`interrupted` says how far it got): says so on
/// stderr, and in its output `out` too when that is text for people; the exit code, when
/// it was cut short: 130 for a signal, 4 for the memory limit.
pub fn conclude(
    interrupted: Option<&str>,
    reason: Option<Stop>,
    text: bool,
    out: &mut String,
) -> Option<std::process::ExitCode> {
    let how_far = interrupted?;
    let (heading, word, code) = match reason {
        Some(Stop::MemoryLimit) => ("Stopped", "stopped", crate::memory_limit::EXIT_CODE),
        Some(Stop::Signal) | None => ("Interrupted", "interrupted", EXIT_CODE),
    };
    if text {
        out.push_str(&format!("\n{heading}: {how_far}\n"));
    }
    let mut stderr = crate::output::stderr();
    let _ = writeln!(stderr, "{word}: {how_far}");
    Some(std::process::ExitCode::from(code))
}
