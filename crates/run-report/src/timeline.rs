//! The timeline of a run report: the bars and marks of each node's lane, gathered from the
//! events, and the SVG picture of them, with the step numbers kept apart and the aftermath
//! of a stopped run shaded.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::duration::clock;
use procedure::event::{Event, EventKind};
use procedure::setup::Setup;

use crate::{Item, Lane, ReportStep, escape, ms};

pub(crate) fn timeline(setup: &Setup, events: &[Event], end: Duration) -> Vec<Lane> {
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

/// What a timeline picture shows.
pub(crate) struct Picture<'a> {
    /// Where time ends on the right, ms.
    pub(crate) end_ms: u64,
    /// The steps, each marked where it began.
    pub(crate) steps: &'a [ReportStep],
    /// One lane per node.
    pub(crate) lanes: &'a [Lane],
    /// When the run stopped, when what follows is the aftermath.
    pub(crate) aftermath_from_ms: Option<u64>,
}

impl<'a> Picture<'a> {
    /// Lanes of events that no engine ran: no steps, no aftermath.
    pub(crate) fn of_events(end_ms: u64, lanes: &'a [Lane]) -> Picture<'a> {
        Picture { end_ms, steps: &[], lanes, aftermath_from_ms: None }
    }
}

const LEFT: f64 = 110.0;
const WIDTH: f64 = 900.0;
// Room for half of the last time label, which is centred on the end.
const RIGHT: f64 = 40.0;
const LANE: f64 = 54.0;
/// The height of a row of step labels.
const LABEL_ROW: f64 = 12.0;
/// How wide a step label's character is taken to be at its 10 px (a little wider than most
/// fonts draw digits), and the room kept between two labels of a row.
const LABEL_CHAR: f64 = 6.5;
const LABEL_GAP: f64 = 4.0;

/// The row each step label goes in, so that no two labels of a row overlap: the first row
/// whose last label ends before this one begins. Labels are centred on `x`.
pub(crate) fn label_rows(labels: &[(f64, usize)]) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    labels
        .iter()
        .map(|&(x, chars)| {
            let half = LABEL_CHAR * chars as f64 / 2.0;
            let row = row_ends.iter().position(|&end| end + LABEL_GAP <= x - half).unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(x + half);
            } else {
                row_ends[row] = x + half;
            }
            row
        })
        .collect()
}

/// The timeline picture: one lane per node, time left to right, a mark per step (its number
/// in as many rows as keep the numbers apart), and the aftermath shaded after the stop.
pub(crate) fn svg(picture: &Picture<'_>, words: &dyn Fn(&str) -> String) -> String {
    const LEGEND: [(&str, &str); 7] = [
        ("suspended", "cluster suspended"),
        ("group-online", "group online here"),
        ("install", "installer"),
        ("reboot", "down / rebooting"),
        ("service-stop", "service stopped"),
        ("failover", "group starts here"),
        ("rollback", "registry rolled back"),
    ];
    let Picture { end_ms, steps, lanes, aftermath_from_ms } = *picture;
    let total = end_ms.max(1) as f64;
    let x = |at: u64| LEFT + WIDTH * at as f64 / total;
    let marks: Vec<(&ReportStep, u64)> =
        steps.iter().filter_map(|step| step.nodes.first().map(|first| (step, first.started_ms))).collect();
    let rows = label_rows(&marks.iter().map(|(step, at)| (x(*at), step.tag.chars().count())).collect::<Vec<_>>());
    let row_count = rows.iter().max().map_or(1, |last| last + 1);
    // The first row's labels sit where they always have; more rows push the lanes down.
    let top = 30.0 + LABEL_ROW * (row_count - 1) as f64;
    let lanes_bottom = top + LANE * lanes.len() as f64;
    let height = lanes_bottom + 60.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"{}\">",
        LEFT + WIDTH + RIGHT,
        LEFT + WIDTH + RIGHT,
        escape(&words("timeline"))
    );
    if let Some(from) = aftermath_from_ms {
        let ax = x(from);
        let _ = writeln!(
            out,
            "<rect class=\"aftermath\" x=\"{ax:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}</title></rect>",
            (LEFT + WIDTH - ax).max(0.0),
            lanes_bottom - top,
            escape(&format!(
                "after the stop at {}: what the cluster did with nobody acting",
                clock(Duration::from_millis(from))
            ))
        );
    }
    for tick in 0..=8u64 {
        let at = end_ms * tick / 8;
        let tx = x(at);
        let _ = writeln!(
            out,
            "<line class=\"tick\" x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{lanes_bottom:.1}\"/><text class=\"axis\" x=\"{tx:.1}\" y=\"{:.1}\">{}</text>",
            lanes_bottom + 14.0,
            clock(Duration::from_secs(at / 1000))
        );
    }
    // Where each step began, numbered along the top: the last row just above the lanes.
    for ((step, at), row) in marks.iter().zip(&rows) {
        let sx = x(*at);
        let label = &step.tag;
        let label_y = top - 14.0 - LABEL_ROW * (row_count - 1 - row) as f64;
        let _ = writeln!(
            out,
            "<line class=\"step\" x1=\"{sx:.1}\" y1=\"{:.1}\" x2=\"{sx:.1}\" y2=\"{lanes_bottom:.1}\"><title>{}</title></line><text class=\"step\" x=\"{sx:.1}\" y=\"{label_y:.1}\">{}</text>",
            label_y + 2.0,
            escape(&format!("step {label} {} at {}", step.id, clock(Duration::from_millis(*at)))),
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
        let y = top + LANE * lane_index as f64;
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
