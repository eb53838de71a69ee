//! How long a step took on the cluster, as opposed to when the engine saw it finish.
//!
//! The engine polls with back-off (5 s doubling to 2 minutes), so the observation that finds
//! a postcondition true can come long after the cluster got there: a group move that took
//! 2m 10s is seen 25 s later. A span's cluster time ends at the last event at or before that
//! observation, and not before the span began; what remains is the polling lag. Events are
//! the backend's ground truth (the simulator's trace); with none, the lag is zero.
//!
//! Events stamped with the very instant of the observation may follow it (the next step
//! begins and its first operation acts at once): when the driver noted how many events there
//! were at the observation (`NodeSpan::events_before_end`), only those count; otherwise those
//! after a `StepStarted` mark at that instant are left out.

use std::time::Duration;

use crate::duration::human;
use crate::event::{Event, EventKind};
use crate::run_record::NodeSpan;

/// A span's time, split into the cluster's and the engine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanTime {
    /// From the span's start to the last event before the postcondition was observed.
    pub took: Duration,
    /// From that event to the observation: the polling lag.
    pub seen_after: Duration,
}

impl SpanTime {
    /// The time of a span on one node, judged by `events` (the backend's, in order).
    pub fn of(span: &NodeSpan, events: &[Event]) -> SpanTime {
        let events = match span.events_before_end {
            Some(count) => &events[..count.min(events.len())],
            None => events,
        };
        SpanTime::between(span.started, span.ended, events)
    }

    /// The time from `started` to the observation at `observed`, judged by `events`. A
    /// backend that records no events leaves the observed time as all there is to tell.
    pub fn between(started: Duration, observed: Duration, events: &[Event]) -> SpanTime {
        let observed = observed.max(started);
        if events.is_empty() {
            return SpanTime { took: observed - started, seen_after: Duration::ZERO };
        }
        let mut upto = events.partition_point(|event| event.at <= observed);
        let same_instant = events[..upto].iter().rev().take_while(|event| event.at == observed).count();
        if let Some(mark) = events[upto - same_instant..upto]
            .iter()
            .position(|event| matches!(event.kind, EventKind::StepStarted { .. }))
        {
            upto = upto - same_instant + mark;
        }
        let last = events[..upto]
            .iter()
            .rev()
            .find(|event| !matches!(event.kind, EventKind::StepStarted { .. }))
            .map_or(started, |event| event.at);
        let done = last.clamp(started, observed);
        SpanTime { took: done - started, seen_after: observed - done }
    }

    /// `2m 10s`, or `2m 10s, seen 25s later` when the engine saw it later.
    pub fn describe(self) -> String {
        if self.seen_after.is_zero() {
            human(self.took)
        } else {
            format!("{}, seen {} later", human(self.took), human(self.seen_after))
        }
    }
}

#[cfg(test)]
mod tests;
