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

/// A real run's registry drift reaches both reports; the simulator's HTML leaves it out.
#[test]
fn registry_drift_is_in_the_html_and_json_reports() {
    let mut report = super::RunReport {
        title: "t".to_owned(),
        module: "m".to_owned(),
        cluster: "c".to_owned(),
        backend: "expresscluster".to_owned(),
        seed: None,
        result: "completed".to_owned(),
        reason: None,
        duration_ms: 0,
        suspended_ms: None,
        steps: Vec::new(),
        invariants: Vec::new(),
        timeline: Vec::new(),
        registry_drift: Vec::new(),
        commands_before: Vec::new(),
        commands_after: Vec::new(),
        aftermath: None,
        advice: None,
    };
    assert!(report.render_json().contains("\"registry_drift\": []"), "every report has the same keys");
    assert!(!report.render_html().contains("Registry drift"));
    report.registry_drift =
        vec![r#"ssc-node2 HKLM\SOFTWARE\NEC\PVM\Version: wrote "3.7.0001", now "3.7" after move-group"#.to_owned()];
    let json: serde_json::Value = serde_json::from_str(&report.render_json()).unwrap();
    assert_eq!(json["registry_drift"][0], report.registry_drift[0]);
    let html = report.render_html();
    let section = html.find("<h2>Registry drift</h2>").expect("a drift section");
    assert!(html[section..].contains("wrote &quot;3.7.0001&quot;, now &quot;3.7&quot;"), "{html}");
}

/// A command's output is kept whole up to the limit, and cut beyond it saying how much.
#[test]
fn long_outputs_are_cut_saying_so() {
    let short = "x".repeat(super::OUTPUT_LIMIT);
    assert_eq!(super::kept_output(&short), short);
    let long = "y".repeat(super::OUTPUT_LIMIT + 5);
    let kept = super::kept_output(&long);
    assert!(kept.ends_with("\n[... 5 more characters not kept]"), "{}", &kept[kept.len() - 60..]);
    assert_eq!(kept.chars().filter(|&c| c == 'y').count(), super::OUTPUT_LIMIT);
}

/// Step numbers that begin close together go in rows of their own instead of overlapping.
#[test]
fn close_step_labels_take_separate_rows() {
    let rows = super::timeline::label_rows(&[(100.0, 1), (103.0, 2), (106.0, 2), (120.0, 2), (200.0, 2)]);
    assert_eq!(rows, vec![0, 1, 2, 0, 0]);
}
