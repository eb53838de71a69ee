//! Issue 24, "look like the operator's tools": the seed procedure played in Chromium through
//! the trainer's Cluster WebUI-like manager and each server's Remote Desktop, careful and
//! careless, in English and Japanese, at 1024 and 1366 px (`tests/browser/webui.mjs`). Each
//! case asserts the tree and its right-click menu, the [OK]/[Cancel] questions (nothing is
//! done before [OK], nothing at all after [Cancel]), the Move Group server choice, the alert
//! log's types and times, the next-step marker, no sideways scroll and, in Japanese, no
//! untranslated words on the screens. Screenshots go to `target/browser-artifacts/`.

use crate::train_browser::browser_script;

fn play(case: &str) {
    browser_script("webui.mjs", case, &[]);
}

#[test]
fn careful_in_english_at_1024_pixels() {
    play("careful-en-1024");
}

#[test]
fn careful_in_english_at_1366_pixels() {
    play("careful-en-1366");
}

#[test]
fn careful_in_japanese_at_1024_pixels() {
    play("careful-ja-1024");
}

#[test]
fn careful_in_japanese_at_1366_pixels() {
    play("careful-ja-1366");
}

#[test]
fn careless_in_english_at_1024_pixels() {
    play("careless-en-1024");
}

#[test]
fn careless_in_english_at_1366_pixels() {
    play("careless-en-1366");
}

#[test]
fn careless_in_japanese_at_1024_pixels() {
    play("careless-ja-1024");
}

#[test]
fn careless_in_japanese_at_1366_pixels() {
    play("careless-ja-1366");
}

#[test]
fn without_the_script_every_pane_shows_and_every_form_acts_at_once() {
    play("no-script");
}
