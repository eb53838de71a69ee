//! The cluster time of a span: the last event at or before the observation, never before
//! the span's start.

use std::time::Duration;

use crate::cluster::{GroupId, NodeId};
use crate::engine::NodeSpan;
use crate::event::{Event, EventKind};

use super::SpanTime;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn event(at: u64) -> Event {
    Event { at: secs(at), kind: EventKind::GroupOnline { group: GroupId(0), node: NodeId(0) } }
}

#[track_caller]
fn check(started: u64, observed: u64, events: &[u64], took: u64, seen_after: u64) {
    let events: Vec<Event> = events.iter().map(|&at| event(at)).collect();
    let time = SpanTime::between(secs(started), secs(observed), &events);
    assert_eq!(time, SpanTime { took: secs(took), seen_after: secs(seen_after) });
}

#[test]
fn ends_at_the_last_event_before_the_observation() {
    check(100, 255, &[100, 105, 230, 300], 130, 25);
}

#[test]
fn an_event_at_the_observation_counts() {
    check(100, 230, &[230], 130, 0);
}

#[test]
fn what_follows_the_next_step_mark_at_the_same_instant_is_not_the_span_s() {
    let mut events: Vec<Event> = [100, 230, 255].iter().map(|&at| event(at)).collect();
    events.push(Event { at: secs(255), kind: EventKind::StepStarted { step: 3 } });
    events.push(event(255));
    let time = SpanTime::between(secs(100), secs(255), &events);
    assert_eq!(time, SpanTime { took: secs(155), seen_after: Duration::ZERO }, "the event before the mark counts");
    let time = SpanTime::between(secs(100), secs(255), &[&events[..2], &events[3..]].concat());
    assert_eq!(time, SpanTime { took: secs(130), seen_after: secs(25) }, "the events after the mark do not");
}

#[test]
fn never_before_the_span_began() {
    check(100, 160, &[10, 50], 0, 60);
}

#[test]
fn without_events_the_observed_time_is_all_there_is() {
    check(100, 100, &[], 0, 0);
    check(100, 120, &[], 20, 0);
}

#[test]
fn events_after_the_observation_do_not_count_even_at_the_same_instant() {
    let span = NodeSpan {
        node: NodeId(0),
        started: secs(100),
        ended: secs(255),
        operations: Vec::new(),
        restart_reboot: false,
        notes: Vec::new(),
        events_before_end: Some(2),
    };
    // The third event, at the observation's instant, came after it (the next node's work).
    let events: Vec<Event> = [100, 230, 255].iter().map(|&at| event(at)).collect();
    assert_eq!(SpanTime::of(&span, &events), SpanTime { took: secs(130), seen_after: secs(25) });
    let unknown = NodeSpan { events_before_end: None, ..span };
    assert_eq!(SpanTime::of(&unknown, &events), SpanTime { took: secs(155), seen_after: Duration::ZERO });
}

#[test]
fn describes_the_lag_only_when_there_is_one() {
    let time = SpanTime { took: secs(130), seen_after: secs(25) };
    assert_eq!(time.describe(), "2m 10s, seen 25s later");
    assert_eq!(SpanTime { took: secs(35), seen_after: Duration::ZERO }.describe(), "35s");
}
