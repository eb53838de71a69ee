//! The focused story of a counterexample: a few sentences that say what happened
//! (`story/summary.rs`), then the run's events without routine detail, runs of service
//! stops and starts, of watch changes and of resources a crash dropped folded into one line
//! each, and the decisive events
//! (the faults, the violation's evidence, the stop, the recovery's end) marked `>>`.
//! The whole trace stays with `Renderer::trace`; this is what a person reads first.

mod summary;

use std::collections::BTreeSet;

use crate::cluster::{MonitorId, NodeId, ServiceId};
use crate::duration::clock;
use crate::event::{Actor, Event, EventKind, Recovery, Renderer, is_routine, line};
use crate::invariant::Violation;
use crate::setup::Setup;
use crate::text::counted;

/// What marks a decisive event's line; other lines begin with as many spaces.
pub const MARK: &str = ">> ";

/// A counterexample told for people: sentences, then the focused lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusedStory {
    /// Two to four sentences: the faults and what they did, the step the procedure let run,
    /// why that broke the invariant, and how the recovery after the run ended.
    pub sentences: Vec<String>,
    /// The story's lines, each `>> ` or three spaces, then `hh:mm:ss  node  what`.
    pub lines: Vec<String>,
}

impl FocusedStory {
    /// The story of `events` (a whole trace) that ended in `violation`.
    pub fn new(setup: &Setup, events: &[Event], violation: &Violation) -> FocusedStory {
        FocusedStory {
            sentences: summary::sentences(setup, events, violation),
            lines: lines(setup, events, &violation.evidence),
        }
    }

    /// The story of a run that broke nothing it is asked about: what the faults did and how
    /// the run and the recovery after it ended.
    pub fn without_violation(setup: &Setup, events: &[Event]) -> FocusedStory {
        FocusedStory { sentences: summary::run_sentences(setup, events), lines: lines(setup, events, &[]) }
    }

    /// The lines as one text, a line break after each.
    pub fn text(&self) -> String {
        self.lines.iter().map(|line| format!("{line}\n")).collect()
    }
}

/// Which events a reader must not miss: the faults, `evidence` (a violation's events), the
/// run's stop (the first: each round of a recovery that stops notes one too) and the
/// recovery's end.
fn decisive_events(events: &[Event], evidence: &[usize]) -> Vec<bool> {
    let first_stop = events.iter().position(|e| e.kind == EventKind::RunStopped);
    events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            evidence.contains(&index)
                || Some(index) == first_stop
                || matches!(event.kind, EventKind::FaultInjected { .. } | EventKind::RecoveryEnded { .. })
        })
        .collect()
}

/// What a line of the focused story may fold together with its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// A service stopped or started on a node.
    Service { node: NodeId },
    /// A Task Manager watch set on a node, to monitoring or not.
    Watch { node: NodeId, monitoring: bool },
    /// A resource dropped on a node (by a crash, not deactivated in order).
    Dropped { node: NodeId },
}

fn fold_of(kind: &EventKind) -> Option<Fold> {
    match *kind {
        EventKind::ServiceStopped { node, .. } | EventKind::ServiceStarted { node, .. } => Some(Fold::Service { node }),
        EventKind::WatchSet { node, monitoring, .. } => Some(Fold::Watch { node, monitoring }),
        EventKind::ResourceOffline { node, orderly: false, .. } => Some(Fold::Dropped { node }),
        _ => None,
    }
}

/// The focused lines: routine events left out (watch changes are kept, to be folded), runs of
/// the same fold on one node folded, decisive events marked and never folded.
fn lines(setup: &Setup, events: &[Event], evidence: &[usize]) -> Vec<String> {
    let renderer = Renderer::new(setup);
    let decisive = decisive_events(events, evidence);
    let shown: Vec<(usize, &Event)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| !is_routine(&e.kind) || matches!(e.kind, EventKind::WatchSet { .. }))
        .collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < shown.len() {
        let (index, event) = shown[at];
        let is_decisive = decisive[index];
        let fold = fold_of(&event.kind).filter(|_| !is_decisive);
        let run = match fold {
            Some(fold) => {
                shown[at..].iter().take_while(|(i, e)| fold_of(&e.kind) == Some(fold) && !decisive[*i]).count()
            }
            None => 1,
        };
        if run > 1 {
            let folded: Vec<&Event> = shown[at..at + run].iter().map(|(_, e)| *e).collect();
            let recent = &events[..index];
            out.push(format!("   {}", line(setup, event, &folded_words(setup, &folded, recent))));
        } else {
            let mark = if is_decisive { MARK } else { "   " };
            out.push(format!("{mark}{}", renderer.line(event)));
        }
        at += run;
    }
    out
}

/// One line for a run of service or watch events on one node.
fn folded_words(setup: &Setup, folded: &[&Event], recent: &[Event]) -> String {
    let first = folded[0].at;
    let last = folded[folded.len() - 1].at;
    let until = if last > first { format!(" (until {})", clock(last)) } else { String::new() };
    if let EventKind::WatchSet { monitoring, .. } = folded[0].kind {
        let state = if monitoring { "Monitoring" } else { "Not monitoring" };
        let watches = counted(folded.len() as u64, "Task Manager watch", "Task Manager watches");
        return format!("{watches} set to {state}{until}");
    }
    if let EventKind::ResourceOffline { .. } = folded[0].kind {
        let resources = counted(folded.len() as u64, "resource", "resources");
        return format!("{resources} dropped offline{until}");
    }
    let mut stopped: Vec<(ServiceId, Actor)> = Vec::new();
    let mut started: Vec<(ServiceId, Actor)> = Vec::new();
    let mut node = None;
    for event in folded {
        match event.kind {
            EventKind::ServiceStopped { service, by, node: at, .. } => {
                stopped.push((service, by));
                node = Some(at);
            }
            EventKind::ServiceStarted { service, by, node: at, .. } => {
                started.push((service, by));
                node = Some(at);
            }
            _ => {}
        }
    }
    let who = |part: &[(ServiceId, Actor)]| -> String {
        let actors: BTreeSet<String> = part.iter().map(|&(_, by)| actor_words(setup, by, node, recent)).collect();
        actors.into_iter().collect::<Vec<_>>().join(" and ")
    };
    let services = |part: &[(ServiceId, Actor)]| -> String {
        let ids: Vec<ServiceId> = part.iter().map(|&(service, _)| service).collect();
        services_words(setup, &ids)
    };
    let same_services = {
        let a: BTreeSet<ServiceId> = stopped.iter().map(|&(s, _)| s).collect();
        let b: BTreeSet<ServiceId> = started.iter().map(|&(s, _)| s).collect();
        a == b
    };
    match (stopped.is_empty(), started.is_empty()) {
        // A monitor's reactivation stops its target's services through the cluster: the
        // restart is the starter's.
        (false, false) if same_services && stopped.iter().all(|&(_, by)| by == Actor::Cluster) => {
            format!("{} restarted by {}{until}", services(&stopped), who(&started))
        }
        (false, false) if same_services => {
            format!(
                "{} restarted: stopped by {}, started by {}{until}",
                services(&stopped),
                who(&stopped),
                who(&started)
            )
        }
        (false, false) => format!(
            "{} stopped by {}, {} started by {}{until}",
            services(&stopped),
            who(&stopped),
            services(&started),
            who(&started)
        ),
        (false, true) => format!("{} stopped by {}{until}", services(&stopped), who(&stopped)),
        _ => format!("{} started by {}{until}", services(&started), who(&started)),
    }
}

/// `8 DeploymentManager services`, or `3 services` when they belong to several components.
fn services_words(setup: &Setup, services: &[ServiceId]) -> String {
    let distinct: BTreeSet<ServiceId> = services.iter().copied().collect();
    let cluster = &setup.cluster;
    let components: BTreeSet<_> = distinct.iter().map(|s| cluster.services[s.index()].component).collect();
    let owner = match components.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(component)] => format!("{} ", cluster.components[component.index()].name),
        _ => String::new(),
    };
    format!("{} {owner}{}", distinct.len(), if distinct.len() == 1 { "service" } else { "services" })
}

/// Who acted, in words; a monitor's recovery is named by the monitor whose recovery action
/// on `node` came last before the run.
fn actor_words(setup: &Setup, by: Actor, node: Option<NodeId>, recent: &[Event]) -> String {
    match last_monitor_recovery(node, recent) {
        Some(monitor) if by == Actor::Monitor => format!("monitor {}'s recovery", setup.monitor_name(monitor)),
        _ => crate::event::actor(by).to_owned(),
    }
}

/// The monitor whose recovery action on `node` is the last of `recent`.
fn last_monitor_recovery(node: Option<NodeId>, recent: &[Event]) -> Option<MonitorId> {
    recent.iter().rev().find_map(|event| match event.kind {
        EventKind::MonitorRecovery { node: at, monitor, action: Recovery::Restart } if Some(at) == node => {
            Some(monitor)
        }
        _ => None,
    })
}
