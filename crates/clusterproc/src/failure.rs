//! Why a command failed and how that is shown: [`Failure`] and its exit codes (2 bad input,
//! 3 output not written), printed once on stderr; clap's own errors, help and version text.

use std::io::Write as _;
use std::process::ExitCode;

use procedure::diagnostic::FileError;

/// Why the command could not do its job; each maps to an exit code.
#[derive(Debug)]
pub enum Failure {
    /// A file is malformed or invalid: exit 2.
    File(Box<FileError>),
    /// Anything else that stops the command before it starts: exit 2.
    Usage(anyhow::Error),
    /// A journal that cannot be created or resumed: exit 2, nothing done.
    Journal(procedure::journal::JournalError),
    /// Output could not be written: stdout or stderr closed or full, or an output file not
    /// saved: exit 3.
    Output {
        /// What was being written: `stdout`, `stderr`, or a file.
        target: String,
        /// Why it failed.
        error: std::io::Error,
    },
}

/// A [`FileError`] without its message: its code, the excerpt with the caret, and the help,
/// shown under the one-line summary that already gives the message. (Rendered with the
/// message, miette wraps a long one over several lines, and no line of it reads as the
/// message to leave out: it was printed twice.)
#[derive(Debug)]
struct Excerpt(Box<FileError>);

impl std::fmt::Display for Excerpt {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Excerpt {}

impl miette::Diagnostic for Excerpt {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Whether a line of miette's rendering is its header with no message: `×` (or `x`), perhaps
/// coloured.
fn is_empty_header(line: &str) -> bool {
    matches!(strip_ansi(line).trim(), "x" | "×")
}

/// `text` without ANSI colour sequences (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1B}' {
            // Skip to the end of the sequence: its final byte is a letter.
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The exit code of a command whose output could not be written.
pub const EXIT_OUTPUT: u8 = 3;

impl Failure {
    /// A failed write to `target` (a stream's name or a file).
    pub fn output(target: impl Into<String>, error: std::io::Error) -> Failure {
        Failure::Output { target: target.into(), error }
    }
}

impl From<(&'static str, std::io::Error)> for Failure {
    fn from((stream, error): (&'static str, std::io::Error)) -> Failure {
        Failure::output(stream, error)
    }
}

impl From<procedure::journal::JournalError> for Failure {
    fn from(error: procedure::journal::JournalError) -> Failure {
        Failure::Journal(error)
    }
}

impl From<FileError> for Failure {
    fn from(error: FileError) -> Failure {
        Failure::File(Box::new(error))
    }
}

impl Failure {
    /// Prints the failure on stderr and returns its exit code. Messages are escaped for the
    /// terminal: a damaged file cannot send control sequences through them.
    pub fn report(self) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        let shown = |text: String| procedure::safe_text::for_terminal(&text, false).into_owned();
        match self {
            Failure::File(error) => {
                // The message once, on the first line; then, for an error at a place in the
                // file, miette's excerpt with the caret and the help, without the message again.
                // (A `FileError` holds only escaped text: miette's colours pass through.)
                let _ = writeln!(stderr, "error: {}", error.one_line());
                if error.line_column().is_some() {
                    let rendered = format!("{:?}", miette::Report::new(Excerpt(error)));
                    for line in rendered.lines().filter(|line| !is_empty_header(line)) {
                        let _ = writeln!(stderr, "{line}");
                    }
                }
            }
            Failure::Usage(error) => {
                let _ = writeln!(stderr, "error: {}", shown(format!("{error:#}")));
            }
            Failure::Journal(error) => {
                let _ = writeln!(stderr, "error: {}", shown(error.to_string()));
            }
            Failure::Output { target, error } => {
                // A reader that went away (`| head`) needs no message, as with cargo and rg.
                if error.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(stderr, "error: cannot write to {}: {error}", shown(target));
                }
                return ExitCode::from(EXIT_OUTPUT);
            }
        }
        ExitCode::from(2)
    }
}

/// Prints clap's error, help or version text, and exits as clap would, or with
/// [`EXIT_OUTPUT`] when that text could not be written.
pub(crate) fn usage_error(error: &clap::Error) -> ExitCode {
    let printed = error.print().and_then(|()| std::io::stdout().flush());
    let stream = if error.use_stderr() { "stderr" } else { "stdout" };
    match printed {
        Ok(()) => ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)),
        Err(error) => Failure::output(stream, error).report(),
    }
}

/// How miette draws diagnostics: colours and Unicode only on a terminal, and not with
/// `NO_COLOR`.
pub(crate) fn install_diagnostic_style() {
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).unicode(color).width(100).build())
    }));
}
