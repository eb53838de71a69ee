//! Run reports that tell the whole story, through the CLI: the timeline's labels never
//! overlap (the seed, a stopped run); a stopped run's report carries the aftermath, runs its
//! timeline to the aftermath's end, and gives the recovery advice the terminal gives with
//! the planner's steps; a run on real nodes (the simulator's command line over a real sshd)
//! writes the same report with every command, its exit code and its output, step by step.

use std::path::Path;
use std::sync::Arc;

use crate::conformance::{Shims, setup};
use crate::real_nodes::Keys;
use crate::support::{Run, clusterproc_in, root};

const SEED: &str = "procedures/ssc0307-0006.toml";

/// `clusterproc run PROCEDURE EXTRA... --yes --journal journal --report report.html --report
/// report.json` in `dir`, with the two reports read back.
fn run_with_reports(dir: &Path, procedure: &str, extra: &[&str]) -> (Run, String, serde_json::Value) {
    let procedure = root().join(procedure);
    let mut args = vec!["run", procedure.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--yes", "--journal", "journal", "--report", "report.html", "--report", "report.json"]);
    let run = clusterproc_in(dir, &args);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    let json = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    (run, html, json)
}

/// A text's box as a browser would about draw it: 0.6 em a character (wider than digits and
/// most letters of a sans-serif font), from 0.8 em above the baseline to 0.2 em below.
#[derive(Debug)]
struct LabelBox {
    text: String,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

/// Every text of the report's timeline, with its box.
fn label_boxes(html: &str) -> (Vec<LabelBox>, f64) {
    let start = html.find("<svg").expect("a timeline");
    let end = html.find("</svg>").unwrap() + "</svg>".len();
    let document = roxmltree::Document::parse(&html[start..end]).unwrap();
    let width: f64 = document.root_element().attribute("width").unwrap().parse().unwrap();
    let boxes = document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| {
            let class = node.attribute("class").unwrap_or_default();
            // The report's style: step numbers at 10 px, every other text at 11 px; step
            // numbers and time labels centred.
            let size = if class == "step" { 10.0 } else { 11.0 };
            let text = node.text().unwrap_or_default().to_owned();
            let x: f64 = node.attribute("x").unwrap().parse().unwrap();
            let y: f64 = node.attribute("y").unwrap().parse().unwrap();
            let length = 0.6 * size * text.chars().count() as f64;
            let left = if matches!(class, "step" | "axis") { x - length / 2.0 } else { x };
            LabelBox { text, left, right: left + length, top: y - 0.8 * size, bottom: y + 0.2 * size }
        })
        .collect();
    (boxes, width)
}

fn assert_no_label_overlaps(html: &str) {
    let (boxes, width) = label_boxes(html);
    assert!(boxes.iter().filter(|b| b.text.chars().all(|c| c.is_ascii_digit())).count() > 5, "{boxes:?}");
    for (i, a) in boxes.iter().enumerate() {
        assert!(a.left >= 0.0 && a.right <= width, "{a:?} leaves the picture ({width} wide)");
        for b in &boxes[i + 1..] {
            let apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
            assert!(apart, "the labels overlap:\n{a:?}\n{b:?}");
        }
    }
}

#[test]
fn the_seed_runs_timeline_labels_do_not_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let (run, html, json) = run_with_reports(dir.path(), SEED, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_no_label_overlaps(&html);
    assert!(json["aftermath"].is_null() && json["advice"].is_null(), "a completed run needs neither: {json}");
    assert!(!html.contains("<h2>Aftermath</h2>") && !html.contains("<h2>Recovery</h2>"));
}

#[test]
fn a_stopped_runs_report_tells_the_aftermath_and_the_recovery_advice() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/run-crash-while-suspended.toml");
    let (run, html, json) = run_with_reports(
        dir.path(),
        "procedures/examples/registry-changing-module.toml",
        &["--scenario", scenario.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_no_label_overlaps(&html);

    // The aftermath, as the terminal tells it, and the timeline drawn to its end.
    let told: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|line| !line.starts_with("What happens next if nobody acts"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(str::trim)
        .collect();
    assert!(!told.is_empty(), "{}", run.stdout);
    let aftermath = &json["aftermath"];
    let story: Vec<&str> = aftermath["story"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(story, told);
    let (from, until) = (aftermath["from_ms"].as_u64().unwrap(), aftermath["until_ms"].as_u64().unwrap());
    assert!(from <= json["duration_ms"].as_u64().unwrap() && until > from, "{aftermath}");
    let last_bar = json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|lane| lane["items"].as_array().unwrap())
        .map(|item| item["to_ms"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(last_bar, until, "a bar runs to the end of the aftermath");
    assert!(html.contains("<h2>Aftermath</h2>") && html.contains("<rect class=\"aftermath\""), "{html}");
    for line in &told {
        assert!(html.contains(&html_text(line)), "{line} in the HTML");
    }

    // The advice the terminal gives, and the planner's steps for the cluster as left.
    let recover = json["advice"]["recover"].as_str().expect("the recover command");
    assert!(
        recover.starts_with("clusterproc recover ") && run.stdout.contains(&format!("\n  {recover}\n")),
        "{recover}"
    );
    let resume = json["advice"]["resume"].as_str().expect("the resume command");
    assert!(run.stdout.contains(&format!("\n  {resume}\n")), "{resume}");
    assert!(!json["advice"]["shortfalls"].as_array().unwrap().is_empty(), "{json}");
    let plan: Vec<&str> = json["advice"]["plan"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(!plan.is_empty(), "{json}");
    assert!(html.contains("<h2>Recovery</h2>") && html.contains(&html_text(recover)), "{html}");
    assert!(html.contains(&html_text(plan[0])), "{html}");
}

/// With the guards off, the procedure as written reboots the active node while suspended and
/// the keys are rolled back: the report says what happened next and where the values are
/// found again, as the terminal does, and does not offer the export taken before the install.
#[test]
fn a_guards_off_runs_report_says_where_the_rolled_back_values_are() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/run-as-written-restart-at-prompt.toml");
    let (run, html, json) = run_with_reports(
        dir.path(),
        "tests/data/unsafe/reboot-at-prompt.toml",
        &["--scenario", scenario.to_str().unwrap(), "--guards", "off"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_no_label_overlaps(&html);
    assert!(!json["aftermath"]["story"].as_array().unwrap().is_empty(), "{json}");
    let registry: Vec<&str> =
        json["advice"]["registry"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(registry[0].starts_with("The installer's registry values were rolled back on ssc-node1"), "{registry:?}");
    for line in &registry {
        assert!(run.stdout.contains(&format!("{line}\n")), "the terminal says {line:?} too:\n{}", run.stdout);
        assert!(html.contains(&html_text(line)), "{line} in the HTML");
    }
    assert!(json["advice"]["recover"].is_string(), "{json}");
}

/// A run on real nodes (the simulator's command line over a real sshd) writes the report a
/// run on the simulator writes, with every command it ran, step by step.
#[test]
fn a_real_runs_report_carries_each_steps_commands_and_exit_codes() {
    // The simulated run's report, for its shape.
    let sim_dir = tempfile::tempdir().unwrap();
    let (_, _, simulated) = run_with_reports(sim_dir.path(), SEED, &[]);

    let setup = setup(SEED);
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, r"C:\Temp\SSC0307-0006");
    let keys = Keys::new(shims.path());
    let (connection, _servers) = shims.ssh_connection_with(&keys, &|_| shims.bin());
    let (run, html, real) = run_with_reports(
        shims.path(),
        SEED,
        &["--backend", "expresscluster", "--connection", connection.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let keys_of = |report: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = report.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys_of(&real), keys_of(&simulated), "the same top-level shape");
    let step_keys = |report: &serde_json::Value| keys_of(&report["steps"][0]);
    assert_eq!(step_keys(&real), step_keys(&simulated));
    assert_eq!(real["backend"], "expresscluster");
    assert!(simulated["steps"].as_array().unwrap().iter().all(|s| s["commands"].as_array().unwrap().is_empty()));

    let before = real["commands_before"].as_array().unwrap();
    assert!(before.iter().any(|c| c["command"].as_str().unwrap().starts_with("clpstat")), "{before:?}");
    // Every step that ran on a node (a skipped one runs nothing).
    for step in real["steps"].as_array().unwrap().iter().filter(|s| !s["nodes"].as_array().unwrap().is_empty()) {
        let commands = step["commands"].as_array().unwrap();
        assert!(!commands.is_empty(), "step {} ran no command: {step}", step["tag"]);
        for command in commands {
            let node = command["node"].as_str().unwrap();
            assert!(node == "ssc-node1" || node == "ssc-node2", "{command}");
            assert!(command["error"].is_null(), "{command}");
            assert!(command["exit_code"].is_i64(), "{command}");
        }
    }
    // The suspend step's own command, its exit code and what it printed; the observations
    // that verified it with clpstat's view.
    let suspend = real["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| {
            let operations = step["nodes"][0]["operations"].as_array();
            operations.is_some_and(|ops| ops.iter().any(|op| op["verb"] == "suspend-cluster"))
        })
        .expect("a suspend step");
    let commands = suspend["commands"].as_array().unwrap();
    let clpcl = commands.iter().find(|c| c["command"] == "clpcl --suspend").expect("clpcl --suspend");
    assert_eq!(clpcl["exit_code"], 0, "{clpcl}");
    let clpstat = commands.iter().find(|c| c["command"].as_str().unwrap().starts_with("clpstat"));
    let clpstat = clpstat.unwrap_or_else(|| panic!("no clpstat among {commands:?}"));
    assert!(clpstat["output"].as_str().unwrap().contains("ssc-node1"), "{clpstat}");
    assert!(!real["commands_after"].as_array().unwrap().is_empty(), "the last observation");

    assert!(html.contains("<h2>Commands</h2>") && html.contains("<code>clpcl --suspend</code>"), "{html}");
    assert_no_label_overlaps(&html);

    // The capabilities probed once per node before the run: printed, in the report (the
    // probe's commands and its findings before the first step), and in the journal.
    assert!(
        run.stdout.contains("Capabilities (probed once per node):\n  product: EXPRESSCLUSTER (clpstat answers)"),
        "{}",
        run.stdout
    );
    let finding = "ssc-node2: `clpstat --long` accepted; `clpmonctrl -h` accepted";
    assert!(run.stdout.contains(finding), "{}", run.stdout);
    assert!(before.iter().any(|c| c["command"] == "clpmonctrl -v -h ssc-node2"), "{before:?}");
    let probed = before.iter().find(|c| c["command"] == "capabilities probed").expect("the probe's findings");
    assert!(probed["output"].as_str().unwrap().contains(finding), "{probed}");
    let journal = std::fs::read_to_string(shims.path().join("journal/journal.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = journal.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let probed: Vec<&serde_json::Value> = records.iter().filter(|record| record["kind"] == "probed").collect();
    assert!(probed.iter().any(|record| record["found"] == finding), "{journal}");
    assert_eq!(records.iter().position(|r| r["kind"] == "probed"), Some(1), "right after the first line");
}

/// `text` as the HTML report writes it.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
