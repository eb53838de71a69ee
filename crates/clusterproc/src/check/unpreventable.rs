//! What `check --suggest` says of an invariant that no candidate step prevents: marked
//! `unpreventable` in the report, with what the recovery after the run did about it (read
//! from its counterexample's trace), so that a CI engineer sees the procedure is not what to
//! change, and what brings the cluster back instead.

use super::model::{CounterexampleReport, FailureReport, WayReport};

/// Marks each invariant of `ids` violated in a way as unpreventable, in the way's report and
/// in its failure.
pub(super) fn mark(
    ids: &[String],
    ways: &mut [WayReport],
    failures: &mut [FailureReport],
    counterexamples: &[CounterexampleReport],
) {
    for way in ways.iter_mut() {
        for invariant in way.invariants.iter_mut().filter(|i| i.verdict == "violated" && ids.contains(&i.id)) {
            let example = counterexamples.iter().find(|c| c.way == way.way && c.invariant == invariant.id);
            let why = format!(
                "no change to the procedure prevents this (no single edit does: a candidate step inserted at any place, a step moved, a step run on another node role); recovery: {}",
                recovery(example)
            );
            for failure in failures.iter_mut().filter(|f| {
                f.kind == "invariant"
                    && f.way.as_deref() == Some(&way.way)
                    && f.invariant.as_deref() == Some(&invariant.id)
            }) {
                failure.reason = format!("{} (unpreventable: {why})", failure.reason);
            }
            invariant.unpreventable = Some(why);
        }
    }
}

/// How the recovery after the counterexample's run ended, from its trace's last recovery
/// line; what to run when none followed.
fn recovery(example: Option<&CounterexampleReport>) -> String {
    let line = example.and_then(|c| {
        let text = if c.trace.is_empty() { &c.story } else { &c.trace };
        text.lines().rev().find(|line| line.contains("== the recovery ended"))
    });
    match line.and_then(|line| line.split_once("== ")) {
        Some((_, said)) => said.trim().to_owned(),
        None => {
            "none followed the run in this check; `clusterproc recover` plans the way back after such a stop".to_owned()
        }
    }
}
