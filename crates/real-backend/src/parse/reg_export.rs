//! `.reg` files as `reg export` writes them: UTF-16LE with a byte order mark (or ASCII for
//! `REGEDIT4`), a version line, `[KEY]` headers and `"name"=data` lines, long `hex:` data
//! continued with a trailing backslash.
//!
//! Real files (shared/captures/reg) show `dword:`, strings with `\\` escapes, `;` comments in
//! hand-written files, and a last line without a line ending.

use remote::text;

use crate::parse::ParseError;
use crate::registry::{RegData, RegValue};

const COMMAND: &str = "reg export";

/// Reads a `.reg` file's bytes into its values, in file order.
pub fn parse(bytes: &[u8]) -> Result<Vec<RegValue>, ParseError> {
    let text = text::decode(bytes);
    let mut lines = text::lines(&text).skip_while(|(_, line)| line.trim().is_empty());
    match lines.next() {
        Some((_, "Windows Registry Editor Version 5.00" | "REGEDIT4")) => {}
        Some((number, line)) => {
            return Err(ParseError::line(COMMAND, number, line, "expected `Windows Registry Editor Version 5.00`"));
        }
        None => return Err(ParseError::whole(COMMAND, "the file is empty")),
    }
    let mut values = Vec::new();
    let mut key: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    for (number, line) in lines {
        let (number, line) = match pending.take() {
            Some((first, mut joined)) => {
                joined.push_str(line.trim_start());
                (first, joined)
            }
            None => (number, line.to_owned()),
        };
        if let Some(start) = line.strip_suffix('\\')
            && start.contains("=hex")
        {
            pending = Some((number, start.to_owned()));
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        if let Some(inner) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            if inner.starts_with('-') {
                return Err(ParseError::line(COMMAND, number, &line, "a key deletion, which an export never holds"));
            }
            key = Some(inner.to_owned());
            continue;
        }
        let Some(key) = &key else {
            return Err(ParseError::line(COMMAND, number, &line, "a value before any `[KEY]`"));
        };
        let (name, data) = split_value(trimmed)
            .ok_or_else(|| ParseError::line(COMMAND, number, &line, "expected `\"name\"=data` or `@=data`"))?;
        let data = parse_data(data).map_err(|reason| ParseError::line(COMMAND, number, &line, reason))?;
        values.push(RegValue { key: key.clone(), name, data });
    }
    if let Some((number, line)) = pending {
        return Err(ParseError::line(COMMAND, number, &line, "the file ends inside a continued value"));
    }
    Ok(values)
}

/// `"name"=rest` or `@=rest` -> (name, rest).
fn split_value(line: &str) -> Option<(String, &str)> {
    if let Some(rest) = line.strip_prefix("@=") {
        return Some((String::new(), rest));
    }
    let (name, rest) = quoted(line)?;
    Some((name, rest.strip_prefix('=')?))
}

/// A `"..."` string with `\\` and `\"` escapes at the start of `text` -> (unescaped, rest).
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[i + 2..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

fn parse_data(data: &str) -> Result<RegData, String> {
    if data == "-" {
        return Ok(RegData::Delete);
    }
    if data.starts_with('"') {
        return match quoted(data) {
            Some((text, "")) => Ok(RegData::String(text)),
            Some(_) => Err("text after the closing quote".to_owned()),
            None => Err("the string has no closing quote".to_owned()),
        };
    }
    if let Some(digits) = data.strip_prefix("dword:") {
        // Real files hold `dword:0ffffffff`: more digits than eight, yet a 32-bit value.
        let number = u64::from_str_radix(digits, 16).map_err(|_| "expected hex digits after `dword:`".to_owned())?;
        return u32::try_from(number).map(RegData::Dword).map_err(|_| "the DWORD is wider than 32 bits".to_owned());
    }
    let (kind, bytes) = if let Some(bytes) = data.strip_prefix("hex:") {
        (3, bytes)
    } else if let Some(rest) = data.strip_prefix("hex(") {
        let (kind, bytes) = rest.split_once("):").ok_or("expected `hex(N):`")?;
        (u32::from_str_radix(kind, 16).map_err(|_| "expected a hex type number in `hex(N)`")?, bytes)
    } else {
        return Err("unknown data type".to_owned());
    };
    let bytes: Vec<u8> = if bytes.trim().is_empty() {
        Vec::new()
    } else {
        bytes
            .split(',')
            .map(|b| u8::from_str_radix(b.trim(), 16))
            .collect::<Result<_, _>>()
            .map_err(|_| "expected comma-separated hex bytes".to_owned())?
    };
    Ok(match kind {
        2 => RegData::ExpandString(utf16_strings(&bytes)?.into_iter().next().unwrap_or_default()),
        7 => RegData::MultiString(utf16_strings(&bytes)?),
        0xb => RegData::Qword(u64::from_le_bytes(bytes.as_slice().try_into().map_err(|_| "a QWORD has 8 bytes")?)),
        kind => RegData::Binary { kind, bytes },
    })
}

/// NUL-separated UTF-16LE strings, without the empty ones at the end.
fn utf16_strings(bytes: &[u8]) -> Result<Vec<String>, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 data of odd length".to_owned());
    }
    let units: Vec<u16> = bytes.chunks(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect();
    let mut strings: Vec<String> = units.split(|unit| *unit == 0).map(String::from_utf16_lossy).collect();
    while strings.last().is_some_and(String::is_empty) {
        strings.pop();
    }
    Ok(strings)
}
