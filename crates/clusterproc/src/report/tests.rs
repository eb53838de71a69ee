//! Escaping for HTML and XML 1.0: whatever a name or a message holds, the document parses
//! and reads back the same text, with characters XML cannot carry replaced.

use super::escape;

fn round_trip(text: &str) -> (String, String) {
    let document = format!("<r a=\"{}\">{}</r>", escape(text), escape(text));
    let parsed = roxmltree::Document::parse(&document).unwrap_or_else(|e| panic!("{e}: {document}"));
    let root = parsed.root_element();
    (root.attribute("a").unwrap().to_owned(), root.text().unwrap_or_default().to_owned())
}

#[test]
fn every_character_survives_or_is_replaced() {
    let all: String = (0u32..0x250).chain(0xFFF0..0x1_0000).filter_map(char::from_u32).collect();
    let (attribute, text) = round_trip(&all);
    let expect: String = all
        .chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') || c == '\u{FFFE}' || c == '\u{FFFF}' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    assert_eq!(attribute, expect, "attribute values keep tabs and line breaks");
    assert_eq!(text.replace("\r\n", "\n"), expect.replace("\r\n", "\n"));
}

#[test]
fn markup_is_inert() {
    assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    assert_eq!(round_trip("node\u{1}name\u{1B}[31m").0, "node\u{FFFD}name\u{FFFD}[31m");
}
