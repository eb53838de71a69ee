//! Ctrl-C and SIGTERM: the first asks the running command to stop at the next safe point
//! (for `check`, between two runs of the simulator, so that it can still print and save what
//! it found); a second one ends the process at once, with the same exit code 130.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sim_cluster::control::{Control, Stop};

/// The exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report).
pub const EXIT_CODE: u8 = 130;

/// Routes SIGINT and SIGTERM to `watch`. Returns false when a handler could not be installed
/// (the command then runs on, and a signal ends it the default way).
pub fn stop_on_signal(watch: &Arc<Control>) -> bool {
    let watch = Arc::clone(watch);
    on_first_signal(Arc::default(), move || watch.stop())
}

/// Installs a handler of SIGINT and SIGTERM that sets `signalled` and runs `first` at the
/// first signal, and ends the process with [`EXIT_CODE`] at a second. `signalled` is its own
/// flag: a stop asked by something else (the memory limit) is not a first signal. False when
/// a handler could not be installed (a signal then ends the process the default way).
fn on_first_signal(signalled: Arc<AtomicBool>, first: impl Fn() + Send + 'static) -> bool {
    ctrlc::set_handler(move || {
        if signalled.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_CODE));
        }
        first();
    })
    .is_ok()
}

/// A server command's start: its listener bound to `address`, and [`signals`].
pub fn listen(
    address: std::net::SocketAddr,
) -> Result<(std::net::TcpListener, std::sync::mpsc::Receiver<()>), crate::failure::Failure> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|error| crate::failure::Failure::Usage(anyhow::anyhow!("cannot listen on {address}: {error}")))?;
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
fn signals() -> Result<std::sync::mpsc::Receiver<()>, crate::failure::Failure> {
    let (signal, signalled) = std::sync::mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        if signal.send(()).is_err() {
            std::process::exit(i32::from(EXIT_CODE));
        }
    })
    .map_err(|error| crate::failure::Failure::Usage(anyhow::anyhow!("cannot handle Ctrl-C: {error}")))?;
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

/// What a question to the operator got: a line typed, the end of the input, or a signal.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Line(String),
    Closed,
    Interrupted,
}

/// SIGINT and SIGTERM for a command that asks the operator questions (`run`): the first
/// signal is remembered, and a question waiting for its answer gets [`Answer::Interrupted`]
/// at once, so that the command can end as it does when the answer is no (its summary, its
/// journal, how to resume); a second signal ends the process at once, with exit code 130.
pub struct Questions {
    signalled: Arc<AtomicBool>,
    answers: std::sync::mpsc::Receiver<Answer>,
    answer: std::sync::mpsc::Sender<Answer>,
}

impl Questions {
    /// Installs the handler. When it cannot be installed (one is already there), signals
    /// end the process the default way and questions wait for their answer only.
    pub fn install() -> Questions {
        let signalled = Arc::new(AtomicBool::new(false));
        let (answer, answers) = std::sync::mpsc::channel();
        let wake = answer.clone();
        on_first_signal(Arc::clone(&signalled), move || {
            let _ = wake.send(Answer::Interrupted);
        });
        Questions { signalled, answers, answer }
    }

    /// Whether a signal came.
    pub fn interrupted(&self) -> bool {
        self.signalled.load(Ordering::SeqCst)
    }

    /// Waits for a line on stdin or a signal, whichever comes first. The line is read on a
    /// thread of its own: a read from a terminal is not cut short by a signal whose handler
    /// restarts it. After a signal that thread may wait on; the command is ending then.
    pub fn read_line(&self) -> Answer {
        if self.interrupted() {
            return Answer::Interrupted;
        }
        let answer = self.answer.clone();
        let reader = std::thread::Builder::new().name("stdin".to_owned()).spawn(move || {
            let mut line = String::new();
            let read = std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line);
            let _ = answer.send(match read {
                Ok(0) | Err(_) => Answer::Closed,
                Ok(_) => Answer::Line(line),
            });
        });
        if reader.is_err() {
            return Answer::Closed;
        }
        // The handler and this struct hold senders, so the channel cannot close.
        self.answers.recv().unwrap_or(Answer::Closed)
    }
}
