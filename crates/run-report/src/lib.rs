//! Run reports: what each step did on which node and when, the invariants' verdicts, and a
//! timeline picture (SVG, one lane per node) — as JSON for tools and HTML for people.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::backend::Operation;
use procedure::duration::{clock, human};
use procedure::engine::{Ending, RunRecord, StepStatus};
use procedure::event::{Event, EventKind};
use procedure::invariant::{Invariant, Violation};
use procedure::journal::OperationRecord;
use procedure::setup::Setup;
use procedure::span_time::SpanTime;
use serde::Serialize;

/// A run report; serializes to the `.json` report.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The procedure's title.
    pub title: String,
    /// The module.
    pub module: String,
    /// The cluster.
    pub cluster: String,
    /// `sim` or `expresscluster`.
    pub backend: String,
    /// The simulator's seed.
    pub seed: Option<u64>,
    /// `completed`, `refused`, or `stopped`.
    pub result: String,
    /// Why it did not complete.
    pub reason: Option<String>,
    /// Total run time (virtual on the simulator), ms.
    pub duration_ms: u64,
    /// When the cluster was suspended, ms from the start.
    pub suspended_ms: Option<(u64, u64)>,
    /// Steps.
    pub steps: Vec<ReportStep>,
    /// Every invariant's verdict.
    pub invariants: Vec<ReportInvariant>,
    /// Timeline items, by node.
    pub timeline: Vec<Lane>,
    /// On real nodes: registry values an installer wrote that later read back otherwise, one
    /// line each (the witness of `registry-rolled-back`); empty on the simulator.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registry_drift: Vec<String>,
}

/// A step in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportStep {
    /// Vendor number.
    pub number: Option<u32>,
    /// The vendor's number, `6`, or for an unnumbered step its place, `#3`.
    pub tag: String,
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `done`, `skipped`, `ended`, `done-earlier`.
    pub status: String,
    /// Why skipped.
    pub reason: Option<String>,
    /// Per node.
    pub nodes: Vec<ReportNode>,
}

/// A step on one node.
#[derive(Debug, Clone, Serialize)]
pub struct ReportNode {
    /// The node.
    pub node: String,
    /// Began, ms.
    pub started_ms: u64,
    /// Ended: the observation that found the postcondition true (or the end of the run), ms.
    pub ended_ms: u64,
    /// How long the cluster took: to the last event at or before `ended_ms`, ms.
    pub took_ms: u64,
    /// How much later the engine's polling saw it, ms.
    pub seen_after_ms: u64,
    /// Operations issued.
    pub operations: Vec<OperationRecord>,
    /// The restart rule's reboot.
    pub restart_reboot: bool,
}

/// An invariant's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInvariant {
    /// Its id.
    pub id: String,
    /// `safety` or `final`.
    pub kind: String,
    /// `ok`, `violated` or `not judged`.
    pub verdict: String,
    /// What happened, when violated.
    pub detail: Option<String>,
    /// When, ms.
    pub at_ms: Option<u64>,
}

/// One node's lane in the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Lane {
    /// The node.
    pub node: String,
    /// Bars.
    pub items: Vec<Item>,
}

/// A bar or a mark on a lane.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// `suspended`, `group-online`, `install`, `reboot`, `service-stop`, `failover`, `rollback`.
    pub kind: String,
    /// From, ms.
    pub from_ms: u64,
    /// To, ms (equal to `from_ms` for a mark).
    pub to_ms: u64,
    /// Hover text.
    pub label: String,
}

/// A moment in whole milliseconds, as the reports write it.
pub fn ms(at: Duration) -> u64 {
    at.as_millis() as u64
}

impl RunReport {
    /// Builds the report of a finished run.
    #[expect(clippy::too_many_arguments, reason = "a report gathers everything about a run")]
    pub fn new(
        setup: &Setup,
        backend: &str,
        seed: Option<u64>,
        record: &RunRecord,
        ending: Option<&Ending>,
        events: &[Event],
        violations: &[Violation],
        final_judged: bool,
    ) -> RunReport {
        let ending = ending.unwrap_or(&Ending::Completed);
        let (result, reason) = (ending.word().to_owned(), ending.reason(setup));
        let end = record.ended.or(events.last().map(|e| e.at)).unwrap_or_default();
        let steps = record
            .steps
            .iter()
            .map(|step| {
                let spec = &setup.procedure.steps[step.step];
                let (status, reason) = match &step.status {
                    StepStatus::Done => ("done", None),
                    StepStatus::Skipped(why) => ("skipped", Some(why.clone())),
                    StepStatus::Ended => ("ended", None),
                    StepStatus::DoneEarlier => ("done-earlier", None),
                };
                ReportStep {
                    number: spec.number,
                    tag: spec.tag(),
                    id: spec.id.clone(),
                    title: spec.title.clone(),
                    status: status.to_owned(),
                    reason,
                    nodes: step
                        .nodes
                        .iter()
                        .map(|span| {
                            let time = SpanTime::of(span, events);
                            ReportNode {
                                node: setup.node_name(span.node).to_owned(),
                                started_ms: ms(span.started),
                                ended_ms: ms(span.ended),
                                took_ms: ms(time.took),
                                seen_after_ms: ms(time.seen_after),
                                operations: span
                                    .operations
                                    .iter()
                                    .map(|(_, op): &(Duration, Operation)| OperationRecord::from_operation(setup, op))
                                    .collect(),
                                restart_reboot: span.restart_reboot,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let invariants = Invariant::ALL
            .iter()
            .map(|&invariant| {
                let violation = violations.iter().find(|v| v.invariant == invariant);
                let verdict = match (violation, invariant.is_safety() || final_judged) {
                    (Some(_), _) => "violated",
                    (None, true) => "ok",
                    (None, false) => "not judged",
                };
                ReportInvariant {
                    id: invariant.id().to_owned(),
                    kind: if invariant.is_safety() { "safety" } else { "final" }.to_owned(),
                    verdict: verdict.to_owned(),
                    detail: violation.map(|v| v.detail.clone()),
                    at_ms: violation.map(|v| ms(v.at)),
                }
            })
            .collect();
        RunReport {
            title: setup.procedure.title.clone(),
            module: setup.procedure.module.id.clone(),
            cluster: setup.cluster.name.clone(),
            backend: backend.to_owned(),
            seed,
            result,
            reason,
            duration_ms: ms(end),
            suspended_ms: record.suspended_from.map(|from| (ms(from), ms(record.suspended_until.unwrap_or(end)))),
            steps,
            invariants,
            timeline: timeline(setup, events, end),
            registry_drift: Vec::new(),
        }
    }

    /// The timeline picture of events that no engine ran (a training session): the same lanes
    /// and bars as a run report's, without step marks.
    pub fn timeline_svg(setup: &Setup, events: &[Event], end: Duration) -> String {
        svg(ms(end), &[], &timeline(setup, events, end), &|words| words.to_owned())
    }

    /// [`RunReport::timeline_svg`] with every word it shows (the legend, each bar's hover
    /// text, the picture's label) passed through `words`: the trainer's pages in another
    /// language. `words` gets the English: a fixed phrase, or `"NAME" stopped` for a service.
    pub fn timeline_svg_in(setup: &Setup, events: &[Event], end: Duration, words: &dyn Fn(&str) -> String) -> String {
        svg(ms(end), &[], &timeline(setup, events, end), words)
    }

    /// Pretty JSON.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report is plain data");
        text.push('\n');
        text
    }

    /// A self-contained HTML page: summary, timeline, invariants, steps.
    pub fn render_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>clusterproc run: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            escape(&self.module)
        );
        let _ = writeln!(out, "<h1>{}</h1>", escape(&self.title));
        let _ = writeln!(
            out,
            "<p class=\"summary result-{}\" id=\"result\"><strong>{}</strong>{}</p>",
            self.result,
            escape(&self.result),
            self.reason.as_ref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "<p>Cluster {} on the {} backend{}; run time {}.{}</p>",
            escape(&self.cluster),
            escape(&self.backend),
            self.seed.map(|s| format!(" (seed {s}, virtual time)")).unwrap_or_default(),
            human(Duration::from_millis(self.duration_ms)),
            match self.suspended_ms {
                Some((from, to)) => format!(
                    " The cluster was suspended from {} to {} ({}).",
                    clock(Duration::from_millis(from)),
                    clock(Duration::from_millis(to)),
                    human(Duration::from_millis(to.saturating_sub(from)))
                ),
                None => String::new(),
            }
        );
        out.push_str("<h2>Timeline</h2>\n");
        out.push_str(&self.render_svg());
        out.push_str("<h2>Invariants</h2>\n<table id=\"invariants\">\n<tr><th>invariant</th><th>kind</th><th>verdict</th><th>detail</th></tr>\n");
        for invariant in &self.invariants {
            let _ = writeln!(
                out,
                "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                invariant.verdict.replace(' ', "-"),
                escape(&invariant.id),
                invariant.kind,
                invariant.verdict,
                invariant
                    .detail
                    .as_ref()
                    .map(|d| format!(
                        "{} (at {})",
                        escape(d),
                        clock(Duration::from_millis(invariant.at_ms.unwrap_or_default()))
                    ))
                    .unwrap_or_default()
            );
        }
        out.push_str("</table>\n");
        if !self.registry_drift.is_empty() {
            out.push_str("<h2>Registry drift</h2>\n<ul id=\"registry-drift\">\n");
            for line in &self.registry_drift {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("<h2>Steps</h2>\n<table id=\"steps\">\n<tr><th>#</th><th>step</th><th>status</th><th>node</th><th>from</th><th>to</th><th>took</th><th>operations</th></tr>\n");
        for step in &self.steps {
            let number = &step.tag;
            if step.nodes.is_empty() {
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td>{number}</td><td>{}</td><td>{}{}</td><td></td><td></td><td></td><td></td><td></td></tr>",
                    step.status,
                    escape(&step.id),
                    step.status,
                    step.reason.as_ref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
                );
            }
            for node in &step.nodes {
                let operations: Vec<String> = node
                    .operations
                    .iter()
                    .map(|op| {
                        let target = op.service.as_ref().or(op.to.as_ref()).or(op.resource.as_ref());
                        match target {
                            Some(target) => format!("{} {}", op.verb, target),
                            None => op.verb.clone(),
                        }
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td>{number}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    step.status,
                    escape(&step.id),
                    if node.restart_reboot { " (restart reboot)" } else { "" },
                    step.status,
                    escape(&node.node),
                    clock(Duration::from_millis(node.started_ms)),
                    clock(Duration::from_millis(node.ended_ms)),
                    SpanTime {
                        took: Duration::from_millis(node.took_ms),
                        seen_after: Duration::from_millis(node.seen_after_ms)
                    }
                    .describe(),
                    escape(&operations.join(", "))
                );
            }
        }
        out.push_str("</table>\n</body>\n</html>\n");
        out
    }

    /// The timeline as an inline SVG: one lane per node, time left to right.
    pub fn render_svg(&self) -> String {
        svg(self.duration_ms, &self.steps, &self.timeline, &|words| words.to_owned())
    }
}

fn timeline(setup: &Setup, events: &[Event], end: Duration) -> Vec<Lane> {
    let node_count = setup.cluster.nodes.len();
    let mut lanes: Vec<Lane> =
        setup.cluster.nodes.iter().map(|n| Lane { node: n.name.clone(), items: Vec::new() }).collect();
    let mut suspended_since: Vec<Option<Duration>> = vec![None; node_count];
    let mut online_since: Vec<Option<Duration>> = vec![None; node_count];
    let mut install_since: Vec<Option<Duration>> = vec![None; node_count];
    let mut down_since: Vec<Option<Duration>> = vec![None; node_count];
    let push = |lanes: &mut Vec<Lane>, node: usize, kind: &str, from: Duration, to: Duration, label: String| {
        lanes[node].items.push(Item { kind: kind.to_owned(), from_ms: ms(from), to_ms: ms(to), label });
    };
    // The group starts online on its first node.
    if let Some(group) = setup.cluster.groups.first() {
        online_since[group.policy[0].index()] = Some(Duration::ZERO);
    }
    for event in events {
        let Some(node) = event.kind.node() else { continue };
        let n = node.index();
        match &event.kind {
            EventKind::ClusterSuspending { .. } => {
                suspended_since[n].get_or_insert(event.at);
            }
            EventKind::ClusterResumed { .. } | EventKind::NodeDown { .. } => {
                if let Some(from) = suspended_since[n].take() {
                    push(&mut lanes, n, "suspended", from, event.at, "cluster suspended".to_owned());
                }
                if let EventKind::NodeDown { .. } = event.kind {
                    down_since[n] = Some(event.at);
                    if let Some(from) = online_since[n].take() {
                        push(&mut lanes, n, "group-online", from, event.at, "group online here".to_owned());
                    }
                }
            }
            EventKind::NodeBooted { .. } => {
                if let Some(from) = down_since[n].take() {
                    push(&mut lanes, n, "reboot", from, event.at, "down / rebooting".to_owned());
                }
            }
            EventKind::GroupOnline { group, .. } if group.index() == 0 => {
                online_since[n].get_or_insert(event.at);
            }
            EventKind::GroupStopping { group, .. } | EventKind::GroupOffline { group, .. } if group.index() == 0 => {
                if let Some(from) = online_since[n].take() {
                    push(&mut lanes, n, "group-online", from, event.at, "group online here".to_owned());
                }
            }
            EventKind::GroupStarting { group, .. } if group.index() == 0 && event.at > Duration::ZERO => {
                push(&mut lanes, n, "failover", event.at, event.at, "group starting here".to_owned());
            }
            EventKind::InstallerStarted { .. } => install_since[n] = Some(event.at),
            EventKind::InstallerFinished { .. }
            | EventKind::InstallerFailed { .. }
            | EventKind::InstallerInterrupted { .. } => {
                if let Some(from) = install_since[n].take() {
                    let outcome = match event.kind {
                        EventKind::InstallerFinished { .. } => "install",
                        EventKind::InstallerFailed { .. } => "install failed",
                        _ => "install interrupted",
                    };
                    push(&mut lanes, n, "install", from, event.at, outcome.to_owned());
                }
            }
            EventKind::ServiceStopped {
                service,
                by: procedure::event::Actor::Operator | procedure::event::Actor::Installer,
                ..
            } => {
                let label = format!("{:?} stopped", setup.cluster.services[service.index()].name);
                push(&mut lanes, n, "service-stop", event.at, event.at, label);
            }
            EventKind::RegistryRestored { overwritten, .. } if overwritten.iter().any(|o| o.installer_write) => {
                push(&mut lanes, n, "rollback", event.at, event.at, "registry rolled back".to_owned());
            }
            _ => {}
        }
    }
    for n in 0..node_count {
        if let Some(from) = suspended_since[n].take() {
            push(&mut lanes, n, "suspended", from, end, "cluster suspended".to_owned());
        }
        if let Some(from) = online_since[n].take() {
            push(&mut lanes, n, "group-online", from, end, "group online here".to_owned());
        }
        if let Some(from) = install_since[n].take() {
            push(&mut lanes, n, "install", from, end, "install (running)".to_owned());
        }
        if let Some(from) = down_since[n].take() {
            push(&mut lanes, n, "reboot", from, end, "down".to_owned());
        }
    }
    lanes
}

/// Escapes text for HTML and XML 1.0, in element content and in attribute values: markup
/// characters become entities, line breaks and tabs character references (so attributes
/// keep them), and characters XML 1.0 does not allow at all (other C0 and C1 controls,
/// U+FFFE, U+FFFF) the replacement character U+FFFD.
pub fn escape(text: &str) -> String {
    // Most text is plain: printable ASCII without markup characters goes out as it is.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:14px}\
tr.violated td{background:#fdd}tr.ok td:nth-child(3){color:#070}tr.skipped td{color:#888}\
.result-completed{color:#070}.result-refused,.result-stopped{color:#b00}\
svg text{font-size:11px;fill:#333}svg .tick{stroke:#eee}svg .axis{text-anchor:middle}\
svg line.step{stroke:#999;stroke-dasharray:2 3}svg text.step{text-anchor:middle;font-size:10px;fill:#666}\
rect.suspended{fill:#fff3c4}rect.group-online{fill:#7cc47c}rect.install{fill:#4a7fd6}rect.reboot{fill:#d64a4a}\
rect.service-stop{fill:#888}rect.failover{fill:#9b59b6}rect.rollback{fill:#ff0000}";

/// The timeline picture: one lane per node, time left to right, a mark per step.
fn svg(duration_ms: u64, steps: &[ReportStep], lanes: &[Lane], words: &dyn Fn(&str) -> String) -> String {
    const LEFT: f64 = 110.0;
    const WIDTH: f64 = 900.0;
    // Room for half of the last time label, which is centred on the end.
    const RIGHT: f64 = 40.0;
    const LANE: f64 = 54.0;
    const TOP: f64 = 30.0;
    const LEGEND: [(&str, &str); 7] = [
        ("suspended", "cluster suspended"),
        ("group-online", "group online here"),
        ("install", "installer"),
        ("reboot", "down / rebooting"),
        ("service-stop", "service stopped"),
        ("failover", "group starts here"),
        ("rollback", "registry rolled back"),
    ];
    let total = duration_ms.max(1) as f64;
    let x = |at: u64| LEFT + WIDTH * at as f64 / total;
    let lanes_bottom = TOP + LANE * lanes.len() as f64;
    let height = lanes_bottom + 60.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"{}\">",
        LEFT + WIDTH + RIGHT,
        LEFT + WIDTH + RIGHT,
        escape(&words("timeline"))
    );
    for tick in 0..=8u64 {
        let at = duration_ms * tick / 8;
        let tx = x(at);
        let _ = writeln!(
            out,
            "<line class=\"tick\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{lanes_bottom:.1}\"/><text class=\"axis\" x=\"{tx:.1}\" y=\"{:.1}\">{}</text>",
            lanes_bottom + 14.0,
            clock(Duration::from_secs(at / 1000))
        );
    }
    // Where each step began, numbered along the top.
    for step in steps {
        let Some(first) = step.nodes.first() else { continue };
        let sx = x(first.started_ms);
        let label = &step.tag;
        let _ = writeln!(
            out,
            "<line class=\"step\" x1=\"{sx:.1}\" y1=\"{:.1}\" x2=\"{sx:.1}\" y2=\"{lanes_bottom:.1}\"><title>{}</title></line><text class=\"step\" x=\"{sx:.1}\" y=\"{:.1}\">{}</text>",
            TOP - 12.0,
            escape(&format!("step {label} {} at {}", step.id, clock(Duration::from_millis(first.started_ms)))),
            TOP - 14.0,
            escape(label)
        );
    }
    for (i, (kind, legend)) in LEGEND.iter().enumerate() {
        let lx = LEFT + 130.0 * i as f64;
        let _ = writeln!(
            out,
            "<rect class=\"{kind}\" x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"10\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lanes_bottom + 30.0,
            lx + 16.0,
            lanes_bottom + 39.0,
            escape(&words(legend))
        );
    }
    for (lane_index, lane) in lanes.iter().enumerate() {
        let y = TOP + LANE * lane_index as f64;
        let _ = writeln!(
            out,
            "<g class=\"lane\" data-node=\"{}\"><text class=\"node\" x=\"4\" y=\"{:.1}\">{}</text>",
            escape(&lane.node),
            y + LANE / 2.0 + 4.0,
            escape(&lane.node)
        );
        // Backgrounds first, marks last, so that nothing hides a bar.
        let mut items: Vec<&Item> = lane.items.iter().collect();
        items.sort_by_key(|item| match item.kind.as_str() {
            "suspended" => 0,
            "group-online" | "install" | "reboot" => 1,
            _ => 2,
        });
        for item in items {
            let (row, bar_height) = match item.kind.as_str() {
                "suspended" => (0.0, LANE - 6.0),
                "group-online" => (4.0, 10.0),
                "install" => (18.0, 12.0),
                "reboot" => (18.0, 12.0),
                _ => (32.0, 12.0),
            };
            let x1 = x(item.from_ms);
            let width = (x(item.to_ms) - x1).max(2.0);
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{bar_height:.1}\"><title>{}</title></rect>",
                item.kind,
                y + 3.0 + row,
                escape(&words(&item.label))
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests;
