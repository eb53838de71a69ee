//! `certutil -hashfile FILE SHA256`: a file's hash as the node computes it.
//!
//! Inferred from Microsoft's documentation and common transcripts (no capture is kept): a
//! line `SHA256 hash of FILE:`, the hash in hex (older Windows separate the bytes with
//! spaces), and `CertUtil: -hashfile command completed successfully.`; a failure prints a
//! `CertUtil:` error and exits non-zero.

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;

const COMMAND: &str = "certutil -hashfile";

/// The SHA-256 in lowercase hex.
pub fn parse(output: &Output) -> Result<String, ParseError> {
    if output.code != Some(0) {
        return Err(ParseError::failed(COMMAND, output));
    }
    let text = output.stdout_text();
    let mut hash = None;
    let mut completed = false;
    for (number, line) in text::lines(&text) {
        let line = line.trim();
        if line.is_empty() || (line.starts_with("SHA256 hash of ") && line.ends_with(':')) {
            continue;
        }
        if line == "CertUtil: -hashfile command completed successfully." {
            completed = true;
            continue;
        }
        let digits: String = line.chars().filter(|c| *c != ' ').collect();
        if hash.is_none() && digits.len() == 64 && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            hash = Some(digits.to_ascii_lowercase());
            continue;
        }
        return Err(ParseError::line(COMMAND, number, line, "expected the hash or certutil's closing line"));
    }
    match (hash, completed) {
        (Some(hash), true) => Ok(hash),
        (None, _) => Err(ParseError::whole(COMMAND, "no SHA-256 line")),
        (Some(_), false) => Err(ParseError::whole(COMMAND, "no `command completed successfully` line")),
    }
}
