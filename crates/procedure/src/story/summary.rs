//! The sentences that open a counterexample, drawn from its events and its violation: what
//! the faults did, which step the procedure went on to, why that broke the invariant, and
//! how the recovery after the run ended. Nothing here knows a procedure: each sentence is
//! put together from the kinds of events the run holds.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cluster::{GroupId, NodeId};
use crate::event::{DownCause, Event, EventKind, Recovery, Renderer};
use crate::invariant::Violation;
use crate::setup::Setup;
use crate::text::{and_list, counted};

/// How many of the faults' consequences the first sentence names at most.
const MAX_EFFECTS: usize = 3;

/// How many steps the second sentence names one by one before it counts them.
const MAX_STEPS_NAMED: usize = 3;

/// Two to four sentences for `violation`, which ended the run of `events`.
pub(super) fn sentences(setup: &Setup, events: &[Event], violation: &Violation) -> Vec<String> {
    // What counts is what happened up to the violation (a recovered one was broken before
    // the recovery began).
    let until = events.iter().take_while(|e| e.at <= violation.at).count();
    let mut out = vec![faults_sentence(setup, &events[..until])];
    out.extend(step_sentence(setup, &events[..until], violation));
    out.push(format!("That broke {}: {}.", violation.invariant.id(), trimmed(&violation.detail)));
    out.extend(recovery_sentence(events, Some(violation)));
    out
}

/// Two or three sentences for a run that broke nothing it is asked about.
pub(super) fn run_sentences(setup: &Setup, events: &[Event]) -> Vec<String> {
    let mut out = vec![faults_sentence(setup, events)];
    let steps = &setup.procedure.steps;
    let last = events.iter().rev().find_map(|e| match e.kind {
        EventKind::StepStarted { step } => Some(steps[usize::from(step)].label()),
        _ => None,
    });
    let stopped = events.iter().any(|e| e.kind == EventKind::RunStopped);
    out.extend(last.map(|last| match stopped {
        true => format!("The run stopped in step {last}."),
        false => format!("The procedure ran to its last step, {last}."),
    }));
    out.extend(recovery_sentence(events, None));
    out
}

fn trimmed(text: &str) -> &str {
    text.trim_end_matches('.')
}

/// Where the run was when each event happened: the step, or the recovery.
fn place_of(setup: &Setup, events: &[Event], index: usize) -> String {
    for event in events[..index].iter().rev() {
        match event.kind {
            EventKind::StepStarted { step } => {
                return format!("step {}", setup.procedure.steps[usize::from(step)].label());
            }
            EventKind::RecoveryStarted { .. } | EventKind::RecoveryStep { .. } => {
                return "the recovery after the run".to_owned();
            }
            EventKind::RunStopped => return "the aftermath of the stop".to_owned(),
            _ => {}
        }
    }
    "the start".to_owned()
}

/// `Two faults struck during step 1 unzip (…): monitor … restarted its target on …, …`.
fn faults_sentence(setup: &Setup, events: &[Event]) -> String {
    let renderer = Renderer::new(setup);
    let faults: Vec<(usize, String)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::FaultInjected { fault } => Some((i, renderer.fault(fault))),
            _ => None,
        })
        .collect();
    let Some(&(first, _)) = faults.first() else {
        return "No fault struck: the procedure itself led here.".to_owned();
    };
    // The same fault twice in a row reads as one, `twice`.
    let mut told: Vec<(String, String, usize)> = Vec::new();
    for (index, words) in &faults {
        let place = place_of(setup, events, *index);
        match told.last_mut() {
            Some((last_words, last_place, times)) if *last_words == *words && *last_place == place => *times += 1,
            _ => told.push((words.clone(), place, 1)),
        }
    }
    let times = |n: usize| match n {
        1 => String::new(),
        2 => ", twice".to_owned(),
        n => format!(", {n} times"),
    };
    let count = match faults.len() {
        1 => "One fault".to_owned(),
        2 => "Two faults".to_owned(),
        n => format!("{n} faults"),
    };
    let places: Vec<&str> = told.iter().map(|(_, place, _)| place.as_str()).collect();
    let head = if places.windows(2).all(|w| w[0] == w[1]) {
        let what: Vec<String> = told.iter().map(|(words, _, n)| format!("{words}{}", times(*n))).collect();
        format!("{count} struck during {} ({})", places[0], what.join("; "))
    } else {
        // Grouped by where they struck, in order: `during step 1 unzip, a and b; during ...`.
        let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
        for (words, place, n) in &told {
            let fault = format!("{words}{}", times(*n));
            match groups.last_mut() {
                Some((last, faults)) if *last == place.as_str() => faults.push(fault),
                _ => groups.push((place.as_str(), vec![fault])),
            }
        }
        let what: Vec<String> =
            groups.iter().map(|(place, faults)| format!("during {place}, {}", and_list(faults))).collect();
        format!("{count} struck: {}", what.join("; "))
    };
    let effects = effects(setup, events, first);
    if effects.is_empty() { format!("{head}.") } else { format!("{head}: {}.", and_list(&effects)) }
}

/// What happened because of the faults, from the first fault on: the cluster's own reactions
/// and what broke, each told once.
fn effects(setup: &Setup, events: &[Event], from: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (index, event) in events.iter().enumerate().skip(from) {
        let node = |node: NodeId| setup.node_name(node);
        let effect = match &event.kind {
            EventKind::MonitorRecovery { node: at, monitor, action } => {
                let monitor = setup.monitor_name(*monitor);
                Some(match action {
                    Recovery::Restart => format!("monitor {monitor} restarted its target on {}", node(*at)),
                    Recovery::Failover => match moved_to(events, index, *at) {
                        Some((group, to)) => format!(
                            "monitor {monitor} failed group {} over from {} to {}",
                            setup.group_name(group),
                            node(*at),
                            node(to)
                        ),
                        None => format!("monitor {monitor} failed the group over from {}", node(*at)),
                    },
                    Recovery::FinalAction(action) => {
                        format!("monitor {monitor} took its final action ({action:?}) on {}", node(*at))
                    }
                })
            }
            EventKind::NodeDown { node: at, cause, .. } => {
                let cause = match cause {
                    DownCause::Crash => "crashed",
                    DownCause::NetworkPartition => "shut down, cut off by a heartbeat loss",
                    DownCause::FinalAction => "went down by a monitor's final action",
                    DownCause::Reboot => "restarted",
                    DownCause::InstallerPrompt | DownCause::ClusterReboot => continue,
                };
                let moved = moved_to(events, index, *at).map_or(String::new(), |(group, to)| {
                    format!(" (group {} then started on {})", setup.group_name(group), node(to))
                });
                Some(format!("{} {cause}{moved}", node(*at)))
            }
            EventKind::NodeUnreachable { node: at } => Some(format!("{} stopped answering", node(*at))),
            EventKind::InstallerInterrupted { node: at, .. } => {
                Some(format!("the installer on {} was interrupted", node(*at)))
            }
            EventKind::InstallerFailed { node: at, .. } => Some(format!("the installer on {} failed", node(*at))),
            EventKind::ServiceStopped { node: at, service, by: crate::event::Actor::Fault, .. } => {
                Some(format!("{:?} died on {}", setup.service_name(*service), node(*at)))
            }
            EventKind::ServiceStartFailed { node: at, service } => {
                Some(format!("{:?} did not start on {}", setup.service_name(*service), node(*at)))
            }
            EventKind::ResourceFailed { node: at, resource } => {
                Some(format!("resource {} failed to start on {}", setup.resource_name(*resource), node(*at)))
            }
            EventKind::GroupMoveFailed { node: at, group } => {
                Some(format!("group {} failed to start on {}", setup.group_name(*group), node(*at)))
            }
            EventKind::RegistryRestored { node: at, resource, overwritten } if !overwritten.is_empty() => {
                Some(format!(
                    "registry sync {} overwrote {} on {}",
                    setup.resource_name(*resource),
                    counted(overwritten.len() as u64, "value", "values"),
                    node(*at)
                ))
            }
            _ => None,
        };
        if let Some(effect) = effect
            && !out.contains(&effect)
        {
            out.push(effect);
        }
        if out.len() == MAX_EFFECTS {
            break;
        }
    }
    out
}

/// The group that starts on another node than `from` after the event at `index`, and where.
fn moved_to(events: &[Event], index: usize, from: NodeId) -> Option<(GroupId, NodeId)> {
    events[index + 1..].iter().find_map(|event| match event.kind {
        EventKind::GroupStarting { group, node } if node != from => Some((group, node)),
        _ => None,
    })
}

/// `The procedure went on with steps 3, 4 and 5, then ran step 6 install-active
/// (install-module on ssc-node1), with group failover starting on ssc-node2, not on ssc-node1.`
fn step_sentence(setup: &Setup, events: &[Event], violation: &Violation) -> Option<String> {
    let steps = &setup.procedure.steps;
    let last_fault = events.iter().rposition(|e| matches!(e.kind, EventKind::FaultInjected { .. }));
    let started_after = |from: usize| -> Vec<usize> {
        events[from..]
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::StepStarted { step } => Some(usize::from(step)),
                _ => None,
            })
            .collect()
    };
    let groups = groups_moved(setup, events, violation.at);
    let Some(step) = violation.step else {
        // A final invariant is judged where the run ends.
        let stopped = events.iter().any(|e| e.kind == EventKind::RunStopped);
        let last = started_after(0).last().map(|&s| steps[s].label());
        return Some(match (stopped, last) {
            (true, Some(last)) => format!("The run stopped in step {last}{groups}."),
            (false, Some(last)) => format!("The procedure went on to its last step, {last}{groups}."),
            (_, None) => return None,
        });
    };
    let label = steps[step].label();
    let on = violation.node.map_or_else(
        || format!("on the {} node(s)", steps[step].role.keyword()),
        |node| format!("on {}", setup.node_name(node)),
    );
    let ran = format!("step {label} ({} {on})", steps[step].action.keyword());
    let before: Vec<usize> = match last_fault {
        Some(fault) => started_after(fault).into_iter().take_while(|&s| s != step).collect(),
        None => Vec::new(),
    };
    let sentence = match (last_fault, before.as_slice()) {
        (None, _) => format!("The procedure ran {ran}{groups}"),
        (Some(_), []) if started_after(last_fault.unwrap_or(0)).contains(&step) => {
            format!("The procedure then ran {ran}{groups}")
        }
        (Some(_), []) => format!("The procedure was in {ran} then{groups}"),
        (Some(_), before) if before.len() <= MAX_STEPS_NAMED => {
            let named: Vec<String> = before.iter().map(|&s| steps[s].label()).collect();
            let noun = if named.len() == 1 { "step" } else { "steps" };
            format!("The procedure went on with {noun} {}, then ran {ran}{groups}", and_list(&named))
        }
        (Some(_), before) => {
            format!("The procedure went on with {} more steps, then ran {ran}{groups}", before.len())
        }
    };
    Some(format!("{sentence}."))
}

/// `, with group failover starting on ssc-node2, not on ssc-node1`: the groups that are not
/// where they were at the start of `events`, as of `at`; empty when none moved.
fn groups_moved(setup: &Setup, events: &[Event], at: Duration) -> String {
    // Per group: where it was first seen, and where it is now and how.
    let mut seen: BTreeMap<GroupId, (NodeId, NodeId, &str)> = BTreeMap::new();
    for event in events.iter().take_while(|e| e.at <= at) {
        let (group, node, state) = match event.kind {
            EventKind::GroupStarting { group, node } => (group, node, "starting"),
            EventKind::GroupOnline { group, node } => (group, node, "online"),
            EventKind::GroupStopping { group, node } => (group, node, "stopping"),
            EventKind::GroupOffline { group, node } => (group, node, "offline"),
            _ => continue,
        };
        let first = seen.get(&group).map_or(node, |&(first, _, _)| first);
        seen.insert(group, (first, node, state));
    }
    let moved: Vec<String> = seen
        .iter()
        .filter(|(_, (first, now, state))| first != now && *state != "offline")
        .map(|(group, (first, now, state))| {
            format!(
                "group {} {state} on {}, not on {}",
                setup.group_name(*group),
                setup.node_name(*now),
                setup.node_name(*first)
            )
        })
        .collect();
    if moved.is_empty() { String::new() } else { format!(", with {}", and_list(&moved)) }
}

/// How the recovery after the run ended, for this violation; none without a recovery.
fn recovery_sentence(events: &[Event], violation: Option<&Violation>) -> Option<String> {
    let rounds = events.iter().filter(|e| matches!(e.kind, EventKind::RecoveryStarted { .. })).count();
    let steps: usize = events
        .iter()
        .map(|e| match e.kind {
            EventKind::RecoveryStarted { steps, .. } => usize::from(steps),
            _ => 0,
        })
        .sum();
    let planned =
        format!("{}, {} planned", counted(rounds as u64, "round", "rounds"), counted(steps as u64, "step", "steps"));
    let ended = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::RecoveryEnded { serving, detail } => Some((*serving, detail.to_string())),
        _ => None,
    });
    let stopped = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::RecoveryStopped { reason } => Some(reason.to_string()),
        _ => None,
    });
    Some(match (ended, stopped) {
        (Some((true, _)), _) if violation.is_some_and(|v| v.recovered) => {
            format!("The recovery after the run put it right ({planned}): the cluster serves again.")
        }
        (Some((true, _)), _) if violation.is_none() => {
            format!("The recovery after the run ({planned}) brought the cluster back to serving.")
        }
        (Some((true, _)), _) => {
            format!("The recovery after the run ({planned}) brought the cluster back to serving, but cannot undo this.")
        }
        (Some((false, detail)), None) if rounds == 0 => {
            format!("No recovery could begin without a person: {}.", trimmed(&detail))
        }
        (Some((false, detail)), stopped) => {
            let why =
                stopped.map_or(String::new(), |reason| format!(" (its last round stopped: {})", trimmed(&reason)));
            format!(
                "The recovery after the run ({planned}) could not put it right; it ended short of a serving cluster: \
                 {}{why}.",
                trimmed(&detail)
            )
        }
        (None, Some(reason)) => format!("The recovery after the run stopped: {}.", trimmed(&reason)),
        (None, None) => return None,
    })
}
