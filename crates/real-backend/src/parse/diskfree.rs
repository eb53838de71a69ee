//! `fsutil volume diskfree C:`: the free bytes of a drive.
//!
//! Inferred (no capture is kept): older Windows print `Total # of free bytes        : N`,
//! newer ones `Total free bytes                : 12,345,678 (11.8 GB)`; the number may
//! carry thousands separators. Other lines (total bytes, available quota) are skipped.

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

const COMMAND: &str = "fsutil volume diskfree";

/// The free bytes of the drive.
pub fn parse(output: &Output) -> Result<u64, ParseError> {
    if output.code != Some(0) {
        return Err(ParseError::failed(COMMAND, output));
    }
    let text = output.stdout_text();
    for (number, line) in text::lines(&text) {
        let Some((label, value)) = line.split_once(':') else { continue };
        let label = label.trim();
        if label != "Total # of free bytes" && label != "Total free bytes" {
            continue;
        }
        let digits: String =
            value.trim().split(' ').next().unwrap_or("").chars().filter(|c| *c != ',' && *c != '.').collect();
        return digits.parse().map_err(|_| ParseError::line(COMMAND, number, line, "expected a number of bytes"));
    }
    Err(ParseError::whole(COMMAND, "no `Total free bytes` line"))
}
