//! Characters that must not reach a reader as they are: control characters, invisible and
//! bidirectional formatting characters (which make a name display as something else,
//! "Trojan Source"), line separators. Names may hold none of them, prose only line breaks
//! and tabs; whatever else reaches a terminal is escaped ([`for_terminal`]) or masked in
//! place ([`masked`]).

use std::borrow::Cow;
use std::fmt::Write as _;

/// A character that a name or a text must not hold, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsafe {
    /// The character.
    pub character: char,
    /// Its byte offset in the text checked.
    pub offset: usize,
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (U+{:04X})", describe(self.character), u32::from(self.character))
    }
}

/// Checks an id or a name: no control character (line breaks included), no invisible or
/// bidirectional formatting character.
pub fn check_name(text: &str) -> Result<(), Unsafe> {
    match text.char_indices().find(|&(_, c)| is_unsafe(c)) {
        Some((offset, character)) => Err(Unsafe { character, offset }),
        None => Ok(()),
    }
}

/// Checks prose: line breaks and tabs are allowed, other control and formatting characters
/// are not.
pub fn check_prose(text: &str) -> Result<(), Unsafe> {
    let allowed = |c: char| matches!(c, '\n' | '\r' | '\t');
    match text.char_indices().find(|&(_, c)| !allowed(c) && (c.is_control() || is_format(c))) {
        Some((offset, character)) => Err(Unsafe { character, offset }),
        None => Ok(()),
    }
}

/// A character no name may hold, and that reaches a terminal only escaped: a control
/// character (line breaks included), an invisible or bidirectional formatting character, a
/// line separator.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_format(c) || is_line_separator(c)
}

/// Invisible characters that change how text around them displays: bidirectional
/// embeddings, overrides, isolates and marks; zero-width characters; the byte-order mark.
fn is_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{0085}')
}

/// A character's name for an error message.
pub fn describe(c: char) -> &'static str {
    match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{1B}' => "an escape character",
        '\u{0}' => "a NUL character",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{200E}' | '\u{200F}' => {
            "a bidirectional formatting character"
        }
        '\u{2028}' | '\u{2029}' | '\u{0085}' => "a line separator",
        c if c.is_control() => "a control character",
        _ => "an invisible formatting character",
    }
}

/// Text for a terminal: control, formatting and line-separator characters are shown as
/// `\u{..}` escapes (line breaks too when `one_line`), everything else as it is.
pub fn for_terminal(text: &str, one_line: bool) -> Cow<'_, str> {
    let escape = |c: char| {
        if c == '\n' || c == '\t' { one_line } else { is_unsafe(c) }
    };
    if !text.chars().any(escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal with every byte offset kept: each control, formatting or
/// line-separator character (tabs and line breaks aside) becomes a visible character of the
/// same UTF-8 length (`?`, `¿` or U+FFFD), so spans into the text stay valid. Diagnostics
/// show source lines through it.
pub fn masked(text: &str) -> Cow<'_, str> {
    let mask = |c: char| !matches!(c, '\n' | '\r' | '\t') && is_unsafe(c);
    if !text.chars().any(mask) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match (mask(c), c.len_utf8()) {
                (false, _) => c,
                (true, 1) => '?',
                (true, 2) => '¿',
                (true, _) => '\u{FFFD}',
            })
            .collect(),
    )
}
