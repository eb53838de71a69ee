//! The pre-flight checks on connected nodes, and their text for people: what `preflight`
//! prints, and what stops `run --backend expresscluster` before it starts.

use real_backend::preflight::{self, Check, Inputs, Outcome};

use crate::connect::Connected;

/// Runs the checks with what the connection file says.
pub fn run_checks(connected: &mut Connected, setup: &procedure::setup::Setup) -> Vec<Check> {
    let archive = connected.connection.archive.clone();
    let inputs = Inputs {
        setup,
        hints: &connected.hints,
        min_free_bytes: connected.connection.min_free_bytes,
        archive: archive.as_deref(),
        archives: &connected.connection.archives,
    };
    preflight::run(&mut connected.backend, inputs)
}

/// The checks as text for people, one line each, then how many passed, failed or are unknown.
pub fn render_text(checks: &[Check]) -> String {
    let mut out = String::from("Pre-flight checks\n");
    for check in checks {
        let mark = match check.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAIL",
            Outcome::Unknown => "UNKNOWN",
        };
        out += &format!("  {mark:<7} {:<24} {}\n", check.id, check.title);
        for detail in &check.detail {
            out += &format!("            {detail}\n");
        }
        match check.outcome {
            Outcome::Passed => {}
            Outcome::Failed => {
                out += &format!("            impact: {}\n            fix: {}\n", check.impact, check.fix);
            }
            // Its own fix would be a guess: what it needs is what it could not see.
            Outcome::Unknown => out += &format!("            impact: {}\n", check.impact),
        }
    }
    let failed = count(checks, Outcome::Failed);
    let unknown = count(checks, Outcome::Unknown);
    out += &match (failed, unknown) {
        (0, 0) => format!("All {} checks passed.\n", checks.len()),
        (failed, 0) => format!("{failed} of {} checks failed.\n", checks.len()),
        (failed, unknown) => format!(
            "{} of {} checks did not pass: {failed} failed, {unknown} could not be run (unknown).\n",
            failed + unknown,
            checks.len()
        ),
    };
    out
}

pub(crate) fn count(checks: &[Check], outcome: Outcome) -> usize {
    checks.iter().filter(|check| check.outcome == outcome).count()
}
