//! How `check`'s reports word a way and a violation, the same in text, JUnit and SARIF.

use sim_cluster::explore::Mode;

use super::model::ViolationReport;

/// `as written` or `guarded`, from the id a report carries.
pub(super) fn way_words(id: &str) -> &str {
    match Mode::from_id(id) {
        Some(mode) => mode.words(),
        None => id,
    }
}

/// A violation as the text report tells it: `at 01:02:03, on ssc-node1, step 6
/// install-active: what happened`.
pub(super) fn violation_words(violation: &ViolationReport) -> String {
    let place = [
        Some(format!("at {}", violation.at)),
        violation.node.as_ref().map(|n| format!("on {n}")),
        violation.step.as_ref().map(|s| format!("step {s}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    format!("{place}: {}", violation.detail)
}
