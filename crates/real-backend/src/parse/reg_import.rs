//! `reg import FILE`: exit code 0 with one line, the success message; exit code 1 with
//! `ERROR: ...`, the reason.
//!
//! The exit codes (0 done, 1 failed) and errors on standard error are reg's documented
//! behaviour. `reg import` also prints its success message on standard error, a known quirk
//! (MicrosoftDocs/windowsserverdocs#2060), localized as every message of reg is, so on success
//! only standard output is read: empty, or one line that is not an error. Inferred: the
//! wording of a missing file, `ERROR: Error opening the file. There may be a disk or file
//! system error.`; it is reported as given, never matched.

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

const COMMAND: &str = "reg import";

/// What `reg import` told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegImport {
    /// The file's values are in the registry.
    Imported,
    /// reg refused or failed, with its message (without `ERROR: `).
    Failed {
        /// What reg said.
        message: String,
    },
}

/// Reads the output of `reg import FILE`.
pub fn parse(output: &Output) -> Result<RegImport, ParseError> {
    match output.code {
        Some(0) => {
            let stdout = output.stdout_text();
            let lines: Vec<(usize, &str)> = text::lines(&stdout).filter(|(_, line)| !line.trim().is_empty()).collect();
            if let Some((number, line)) = lines.iter().find(|(_, line)| line.trim_start().starts_with("ERROR:")) {
                return Err(ParseError::line(COMMAND, *number, line, "an error, yet the exit code is 0"));
            }
            if let Some((number, line)) = lines.get(1) {
                return Err(ParseError::line(COMMAND, *number, line, "expected one line at most: the success message"));
            }
            Ok(RegImport::Imported)
        }
        Some(1) => {
            let all = output.text();
            let said: Vec<&str> = text::lines(&all).map(|(_, line)| line.trim()).filter(|l| !l.is_empty()).collect();
            if said.is_empty() {
                return Err(ParseError::whole(COMMAND, "it exited with code 1 and printed nothing"));
            }
            let message = said.join(" ");
            let message = message.strip_prefix("ERROR:").map_or(message.as_str(), str::trim_start).to_owned();
            Ok(RegImport::Failed { message })
        }
        _ => Err(ParseError::failed(COMMAND, output)),
    }
}
