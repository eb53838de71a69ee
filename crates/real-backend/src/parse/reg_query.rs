//! `reg query KEY /s`: keys at the left margin, values under them as
//! `    NAME    REG_TYPE    DATA`.
//!
//! No public capture of `reg query` was found; the layout follows Microsoft's documentation
//! and the project's constructed variants (test_data/reg-query). Inferred: the four-space
//! separators, `(Default)` for the default value, `\0` between the strings of a
//! REG_MULTI_SZ, and `ERROR: The system was unable to find the specified registry key or
//! value.` with exit code 1 for a missing key (other, localized, failures stay errors).

use remote::output::Output;
use remote::text;

use crate::parse::ParseError;
use crate::registry::{RegData, RegValue};

const COMMAND: &str = "reg query";

/// What `reg query` told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegQuery {
    /// The values found (possibly none).
    Values(Vec<RegValue>),
    /// The key does not exist.
    KeyNotFound,
}

/// Reads the output of `reg query KEY /s`.
pub fn parse(output: &Output) -> Result<RegQuery, ParseError> {
    if output.code != Some(0) {
        let text = output.text();
        if text.contains("unable to find the specified registry key") {
            return Ok(RegQuery::KeyNotFound);
        }
        return Err(ParseError::failed(COMMAND, output));
    }
    let text = output.stdout_text();
    let mut values = Vec::new();
    let mut key: Option<String> = None;
    for (number, line) in text::lines(&text) {
        if line.trim().is_empty() || line.starts_with("End of search:") {
            continue;
        }
        if line.starts_with("HKEY_") {
            key = Some(line.to_owned());
            continue;
        }
        let Some(rest) = line.strip_prefix("    ") else {
            return Err(ParseError::line(COMMAND, number, line, "expected a key or an indented value"));
        };
        let Some(key) = &key else {
            return Err(ParseError::line(COMMAND, number, line, "a value before any key"));
        };
        let Some(at) = rest.find("    REG_") else {
            return Err(ParseError::line(COMMAND, number, line, "expected `NAME    REG_TYPE    DATA`"));
        };
        let name = &rest[..at];
        let rest = &rest[at + 4..];
        let (type_name, data) = rest.split_once("    ").unwrap_or((rest, ""));
        let data = parse_data(type_name, data).map_err(|reason| ParseError::line(COMMAND, number, line, reason))?;
        let name = if name == "(Default)" { String::new() } else { name.to_owned() };
        values.push(RegValue { key: key.clone(), name, data });
    }
    Ok(RegQuery::Values(values))
}

fn parse_data(type_name: &str, data: &str) -> Result<RegData, String> {
    let hex_number = |data: &str| {
        let digits = data.strip_prefix("0x").ok_or_else(|| format!("expected 0x... for {type_name}"))?;
        u64::from_str_radix(digits, 16).map_err(|_| format!("expected hex digits for {type_name}"))
    };
    Ok(match type_name {
        "REG_SZ" => RegData::String(data.to_owned()),
        "REG_EXPAND_SZ" => RegData::ExpandString(data.to_owned()),
        "REG_MULTI_SZ" => RegData::MultiString(if data.is_empty() {
            Vec::new()
        } else {
            data.split("\\0").map(str::to_owned).collect()
        }),
        "REG_DWORD" => {
            RegData::Dword(u32::try_from(hex_number(data)?).map_err(|_| "the DWORD is wider than 32 bits".to_owned())?)
        }
        "REG_QWORD" => RegData::Qword(hex_number(data)?),
        "REG_BINARY" | "REG_NONE" => {
            let kind = if type_name == "REG_NONE" { 0 } else { 3 };
            RegData::Binary { kind, bytes: hex_bytes(data).ok_or("expected pairs of hex digits")? }
        }
        other => return Err(format!("unknown type {other}")),
    })
}

fn hex_bytes(data: &str) -> Option<Vec<u8>> {
    if !data.len().is_multiple_of(2) {
        return None;
    }
    (0..data.len()).step_by(2).map(|i| u8::from_str_radix(data.get(i..i + 2)?, 16).ok()).collect()
}
