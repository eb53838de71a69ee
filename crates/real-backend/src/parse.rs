//! Parsers of command outputs: stdout, stderr and the exit code in, typed data or a
//! [`ParseError`] out.
//!
//! A line a parser does not understand is an error that quotes the line and names the
//! command; nothing falls back to a default.

pub mod certutil;
pub mod clpcmd;
pub mod clpstat;
pub mod diskfree;
pub mod reg_export;
pub mod reg_import;
pub mod reg_query;
pub mod sc;

use std::fmt;

use remote::output::Output;

/// An output a parser could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The command, as `clpstat` or `sc.exe query`.
    pub command: &'static str,
    /// The 1-based line number; 0 when the problem is not one line's.
    pub line_number: usize,
    /// The line, verbatim (without its line ending).
    pub line: String,
    /// What was expected.
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line_number == 0 {
            write!(f, "cannot read the output of `{}`: {}", self.command, self.reason)
        } else {
            write!(
                f,
                "cannot read line {} of the output of `{}`: {:?}: {}",
                self.line_number, self.command, self.line, self.reason
            )
        }
    }
}

impl ParseError {
    /// A line that does not fit.
    pub fn line(command: &'static str, line_number: usize, line: &str, reason: impl Into<String>) -> ParseError {
        ParseError { command, line_number, line: line.to_owned(), reason: reason.into() }
    }

    /// A problem with the output as a whole.
    pub fn whole(command: &'static str, reason: impl Into<String>) -> ParseError {
        ParseError { command, line_number: 0, line: String::new(), reason: reason.into() }
    }

    /// A command that failed: its exit code (or the signal) and everything it printed.
    pub fn failed(command: &'static str, output: &Output) -> ParseError {
        let exit = output.code.map_or_else(|| "a signal".to_owned(), |code| format!("code {code}"));
        ParseError::whole(command, format!("it exited with {exit} and printed {:?}", output.text().trim()))
    }
}
