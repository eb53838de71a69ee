//! Which characters names and prose may hold, and how terminals see the rest.

use std::borrow::Cow;

use super::*;

fn check(text: &str, expect: Result<(), (char, usize)>) {
    assert_eq!(check_name(text).map_err(|u| (u.character, u.offset)), expect, "{text:?}");
}

#[test]
fn names() {
    check("install-active", Ok(()));
    check("DeploymentManager API Service", Ok(()));
    check("ノード1", Ok(()));
    check("node\n1", Err(('\n', 4)));
    check("a\u{202E}b", Err(('\u{202E}', 1)));
    check("\u{1B}[31mred", Err(('\u{1B}', 0)));
    check("x\u{200B}", Err(('\u{200B}', 1)));
}

#[test]
fn prose_may_break_lines() {
    assert_eq!(check_prose("one\ntwo\tthree"), Ok(()));
    assert_eq!(check_prose("bell\u{7}").map_err(|u| u.offset), Err(4));
    assert_eq!(check_prose("\u{2067}x").map_err(|u| u.character), Err('\u{2067}'));
}

#[test]
fn terminal_escapes() {
    assert_eq!(for_terminal("plain", true), "plain");
    assert_eq!(for_terminal("a\nb\u{202E}", true), "a\\u{a}b\\u{202e}");
    assert_eq!(for_terminal("a\nb", false), "a\nb");
}

#[test]
fn documents() {
    let error = |text: &str| check_document(&SourceFile::new("f.toml", text)).err().map(|e| e.one_line());
    assert_eq!(error("id = \"ok\"\ntext = \"\"\"\nline\nline\"\"\"\n"), None);
    assert_eq!(
        error("[[step]]\nid = \"a\\u202Eb\"\n"),
        Some(
            "f.toml:2:6: `id` holds a bidirectional formatting character (U+202E) at character 2 of the name"
                .to_owned()
        )
    );
    assert_eq!(
        error("names = [\"ok\", \"new\\nline\"]\n"),
        Some("f.toml:1:16: `names` holds a line break (U+000A) at character 4 of the name".to_owned())
    );
}

#[test]
fn masking_keeps_offsets() {
    let text = "a\u{1B}b\u{85}c\u{202E}d\te\n";
    let shown = masked(text);
    assert_eq!(shown, "a?b¿c\u{FFFD}d\te\n");
    assert_eq!(shown.len(), text.len());
    assert!(matches!(masked("plain\n"), Cow::Borrowed(_)));
}
