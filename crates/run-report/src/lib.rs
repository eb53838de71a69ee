//! Run reports: what each step did on which node and when, the invariants' verdicts, and a
//! timeline picture (SVG, one lane per node) — as JSON for tools and HTML for people.

use std::time::Duration;

use procedure::backend::Operation;
use procedure::engine::{Ending, RunRecord, StepStatus};
use procedure::event::Event;
use procedure::invariant::{Invariant, Violation};
use procedure::journal::OperationRecord;
use procedure::setup::Setup;
use procedure::span_time::SpanTime;
use serde::Serialize;

use timeline::{Picture, svg, timeline};

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
    pub registry_drift: Vec<String>,
    /// On real nodes: the commands run before the first step (the pre-flight checks, the first
    /// observation); empty on the simulator.
    pub commands_before: Vec<ReportCommand>,
    /// On real nodes: the commands run once the last step had ended (the last observation, the
    /// registry reads of the drift detector); empty on the simulator.
    pub commands_after: Vec<ReportCommand>,
    /// On the simulator, for a run that stopped: what the cluster did next with nobody acting.
    pub aftermath: Option<Aftermath>,
    /// For a run that did not complete: how to go on or back, as the terminal says.
    pub advice: Option<Advice>,
}

/// A command a run on real nodes ran: the record an operator files with the run.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCommand {
    /// The node (or `REST API`).
    pub node: String,
    /// The command as shown to people (its argv, words quoted where needed).
    pub command: String,
    /// How long it took, transport included, ms.
    pub took_ms: u64,
    /// Its exit code; `None` when it was killed, for a REST exchange, or when it did not run.
    pub exit_code: Option<i32>,
    /// Why it could not be run or did not finish (the transport's error).
    pub error: Option<String>,
    /// What it printed (standard output, then standard error), cut at [`OUTPUT_LIMIT`]
    /// characters with a note of how many more there were.
    pub output: String,
}

/// The most characters of one command's output a report keeps.
pub const OUTPUT_LIMIT: usize = 16_000;

/// A command's output as a report keeps it: cut at [`OUTPUT_LIMIT`] characters, saying so.
pub fn kept_output(output: &str) -> String {
    let count = output.chars().count();
    if count <= OUTPUT_LIMIT {
        return output.to_owned();
    }
    let kept: String = output.chars().take(OUTPUT_LIMIT).collect();
    format!("{kept}\n[... {} more characters not kept]", count - OUTPUT_LIMIT)
}

/// What the simulated cluster did after the run stopped, with nobody acting.
#[derive(Debug, Clone, Serialize)]
pub struct Aftermath {
    /// When the run stopped, ms: the aftermath starts here.
    pub from_ms: u64,
    /// Where the simulator stopped looking, ms: the timeline runs to here.
    pub until_ms: u64,
    /// What happened, one line each, as the terminal tells it.
    pub story: Vec<String>,
}

/// How to go on from a run that did not complete, or back to a serving cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// The command that resumes the run, when there is one.
    pub resume: Option<String>,
    /// The command that brings the cluster back to serving (`clusterproc recover`).
    pub recover: Option<String>,
    /// What the cluster lacks of serving, as last observed (after the aftermath on the
    /// simulator): one line each.
    pub shortfalls: Vec<String>,
    /// The steps the recovery planner gives for the cluster as last observed, as
    /// `clusterproc recover` shows them (its plan text, one line each).
    pub plan: Vec<String>,
    /// Where the installer's rolled-back registry values are found again, one line each.
    pub registry: Vec<String>,
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
    /// On real nodes: every command run from this step's start to the next one's, on any
    /// node (the observations that verified it included); empty on the simulator.
    pub commands: Vec<ReportCommand>,
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
                    commands: Vec::new(),
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
            module: setup.procedure.modules_label(),
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
            commands_before: Vec::new(),
            commands_after: Vec::new(),
            aftermath: None,
            advice: None,
        }
    }

    /// Adds what the cluster did after the run stopped, with nobody acting (`events` hold it,
    /// after the run's own): the timeline is drawn again to its end.
    pub fn add_aftermath(
        &mut self,
        setup: &Setup,
        events: &[Event],
        from: Duration,
        until: Duration,
        story: Vec<String>,
    ) {
        self.timeline = timeline(setup, events, until.max(Duration::from_millis(self.duration_ms)));
        self.aftermath = Some(Aftermath { from_ms: ms(from), until_ms: ms(until), story });
    }

    /// Where the timeline ends: the end of the aftermath, or of the run.
    pub fn timeline_end_ms(&self) -> u64 {
        self.aftermath.as_ref().map_or(self.duration_ms, |a| a.until_ms.max(self.duration_ms))
    }

    /// The timeline picture of events that no engine ran (a training session): the same lanes
    /// and bars as a run report's, without step marks.
    pub fn timeline_svg(setup: &Setup, events: &[Event], end: Duration) -> String {
        svg(&Picture::of_events(ms(end), &timeline(setup, events, end)), &|words| words.to_owned())
    }

    /// [`RunReport::timeline_svg`] with every word it shows (the legend, each bar's hover
    /// text, the picture's label) passed through `words`: the trainer's pages in another
    /// language. `words` gets the English: a fixed phrase, or `"NAME" stopped` for a service.
    pub fn timeline_svg_in(setup: &Setup, events: &[Event], end: Duration, words: &dyn Fn(&str) -> String) -> String {
        svg(&Picture::of_events(ms(end), &timeline(setup, events, end)), words)
    }

    /// Pretty JSON.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report is plain data");
        text.push('\n');
        text
    }

    /// The timeline as an inline SVG: one lane per node, time left to right, to the end of
    /// the aftermath when there is one.
    pub fn render_svg(&self) -> String {
        let picture = Picture {
            end_ms: self.timeline_end_ms(),
            steps: &self.steps,
            lanes: &self.timeline,
            aftermath_from_ms: self.aftermath.as_ref().map(|a| a.from_ms),
        };
        svg(&picture, &|words| words.to_owned())
    }
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
rect.service-stop{fill:#888}rect.failover{fill:#9b59b6}rect.rollback{fill:#ff0000}rect.aftermath{fill:#ececec}\
tr.nonzero td:nth-child(4){color:#b00}td pre{margin:0;max-height:12em;overflow:auto;font-size:12px}#advice pre{white-space:pre-wrap;overflow-wrap:anywhere}";

mod html;
mod timeline;

#[cfg(test)]
mod tests;
