//! Turning a command's output bytes into text and lines, whatever the node's console did.
//!
//! Windows tools do not agree on an encoding: `reg export` writes UTF-16LE with a byte order
//! mark, consoles of Japanese Windows write CP932 (Shift_JIS), newer tools write UTF-8, and
//! documents copy outputs with CRLF endings and Markdown indents. Parsers work on the `&str`
//! this returns and on [`lines`], which strips the line endings and trailing blanks.

use std::borrow::Cow;

/// Decodes a command's output: UTF-16LE when it starts with that byte order mark, UTF-8
/// (without its mark) when it is valid UTF-8, and CP932 otherwise.
///
/// Inferred: a Japanese Windows console that does not write UTF-8 writes CP932; an output in
/// another legacy code page would decode to wrong characters, but the labels the parsers rely
/// on are ASCII, which every such code page keeps.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return Cow::Owned(text.into_owned());
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            let (text, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
            Cow::Owned(text.into_owned())
        }
    }
}

/// The lines of `text`, numbered from 1, without `\r` and without trailing blanks.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line.trim_end_matches([' ', '\t', '\r'])))
}

/// How many spaces a line starts with.
pub fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding_a_node_may_use() {
        assert_eq!(decode(b"STATE : 4  RUNNING"), "STATE : 4  RUNNING");
        assert_eq!(decode(&[0xEF, 0xBB, 0xBF, b'o', b'k']), "ok");
        assert_eq!(decode(&[0xFF, 0xFE, b'o', 0, b'k', 0]), "ok");
        // "グループ" in CP932.
        assert_eq!(decode(&[0x83, 0x4F, 0x83, 0x8B, 0x81, 0x5B, 0x83, 0x76]), "グループ");
    }

    #[test]
    fn lines_lose_carriage_returns_and_trailing_blanks() {
        let found: Vec<_> = lines("a \r\n  b\t\r\n\r\nc").collect();
        assert_eq!(found, [(1, "a"), (2, "  b"), (3, ""), (4, "c")]);
    }
}
