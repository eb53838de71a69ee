//! A classroom's results: one row per session, as the instructor's page shows it live and
//! as CSV exports it, and each session as a JUnit test suite (one test case per invariant,
//! and one for the recovery when there was one).
//!
//! A session's score is the debrief's once it has ended; while it goes on, the row shows
//! what it would score if it were finished now (the invariants judged at the end not
//! counted yet).

use std::fmt::Write as _;
use std::time::Duration;

use procedure::backend::Backend as _;
use procedure::duration::clock;
use run_report::escape;
use serde::Serialize;

use super::classroom_text::C;
use super::debrief::{Debrief, broken_outside_recovery};
use super::guide;
use super::practice_page::RecoveryVerdict;
use super::score::Score;
use super::session::{End, Training};
use super::text::Lang;

/// One session's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The session's id.
    pub id: String,
    /// The name the trainee gave, if any (else the session is anonymous).
    pub name: Option<String>,
    /// The step expected now, as the checklist names it, or that every step is done.
    pub step: String,
    /// Steps ticked, of the steps that run.
    pub steps_done: usize,
    /// Steps that run for this module.
    pub steps_total: usize,
    /// Invariants broken so far.
    pub mistakes: usize,
    /// Operations out of the procedure's order.
    pub out_of_order: usize,
    /// Hints asked for.
    pub hints: usize,
    /// Recovery plans shown.
    pub plans: usize,
    /// `running`, `paused`, `recovering`, `finished`, `gave-up`.
    pub state: &'static str,
    /// The state in the page's language.
    pub state_text: &'static str,
    /// The score (see the module documentation).
    pub score: u32,
    /// Whether the cluster serves, once a recovery began.
    pub serving: Option<bool>,
    /// Actions taken.
    pub actions: usize,
    /// Virtual time, `hh:mm:ss`.
    pub clock: String,
}

/// What a row depends on: the actions taken, the instructor's changes, the language.
pub type RowKey = (usize, u64, Lang);

/// The key of `training`'s row in `lang`.
pub fn row_key(training: &Training, lang: Lang) -> RowKey {
    (training.log().len(), training.instructed(), lang)
}

/// The number a session's id starts with: the order sessions were made in.
pub fn order_of(id: &str) -> u64 {
    id.split('-').next().and_then(|n| n.parse().ok()).unwrap_or(u64::MAX)
}

impl Row {
    /// The row of the session `id`.
    pub fn of(id: &str, name: Option<&str>, training: &Training, lang: Lang) -> Row {
        let course = training.course();
        let steps = &course.setup.procedure.steps;
        let runs = |s: usize| course.operated[s] || course.plan[s].0 == procedure::plan::StepStatus::Run;
        let step = match training.expected() {
            Some(s) => guide::label(&steps[s], lang),
            None => lang.c(C::AllStepsDone).to_owned(),
        };
        let mut broken: Vec<_> = training.judge().violations().iter().map(|v| v.invariant).collect();
        broken.sort();
        broken.dedup();
        let recovery = RecoveryVerdict::of(training, lang);
        let (state, text) = match (training.end(), training.paused(), &recovery) {
            (Some((End::Finished, _)), _, _) => ("finished", C::FinishedState),
            (Some((End::GaveUp, _)), _, _) => ("gave-up", C::GaveUpState),
            (None, Some(_), _) => ("paused", C::PausedState),
            (None, None, Some(_)) => ("recovering", C::Recovering),
            (None, None, None) => ("running", C::Running),
        };
        let score = if training.end().is_some() {
            Debrief::of(training, lang).score
        } else {
            let hints = training.hints().len() as u32;
            // The recovery's own mistakes count in its points, as in the debrief.
            let counted = broken_outside_recovery(training.judge().violations(), recovery.as_ref());
            let so_far = Score::new(true, counted, hints, training.sim().now(), course.reference_time);
            recovery.as_ref().map_or(so_far, |r| so_far.with_recovery(r.points())).total
        };
        Row {
            id: id.to_owned(),
            name: name.map(str::to_owned),
            step,
            steps_done: (0..steps.len()).filter(|&s| runs(s) && training.ticked(s).is_some()).count(),
            steps_total: (0..steps.len()).filter(|&s| runs(s)).count(),
            mistakes: broken.len(),
            out_of_order: training.log().iter().filter(|logged| logged.out_of_order.is_some()).count(),
            hints: training.hints().len(),
            plans: training.practice().map_or(0, |p| p.plans.len()),
            state,
            state_text: lang.c(text),
            score,
            serving: recovery.map(|r| r.serving),
            actions: training.log().len(),
            clock: clock(training.sim().now()),
        }
    }

    /// Where the row goes in a list: by when the session was made.
    pub fn order(&self) -> u64 {
        order_of(&self.id)
    }
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a text a
/// spreadsheet would read as a formula is prefixed with `'`.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The rows as CSV (RFC 4180, with a header line).
pub fn csv(rows: &[std::sync::Arc<Row>]) -> String {
    let mut out = String::from(
        "session,name,state,step,steps_done,steps_total,mistakes,out_of_order,hints,recovery_plans,serving,score,actions,virtual_time\r\n",
    );
    for row in rows {
        let serving = match row.serving {
            None => "",
            Some(true) => "yes",
            Some(false) => "no",
        };
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            field(&row.id),
            field(row.name.as_deref().unwrap_or("")),
            row.state,
            field(&row.step),
            row.steps_done,
            row.steps_total,
            row.mistakes,
            row.out_of_order,
            row.hints,
            row.plans,
            serving,
            row.score,
            row.actions,
            row.clock
        );
    }
    out
}

/// One session as a JUnit `<testsuite>`: each invariant a test case (violated: a failure;
/// not reached: skipped), and the recovery, when there was one, a test case that fails when
/// the cluster does not end serving or the recovery broke an invariant.
pub fn junit_suite(id: &str, name: Option<&str>, training: &Training) -> String {
    let debrief = Debrief::of(training, Lang::En);
    let mut cases = String::new();
    let (mut failures, mut skipped, mut tests) = (0, 0, 0);
    for verdict in &debrief.invariants {
        tests += 1;
        let _ = write!(cases, "<testcase classname=\"invariant\" name=\"{}\"", escape(&verdict.id));
        match verdict.verdict {
            "violated" => {
                failures += 1;
                let at = clock(Duration::from_millis(verdict.at_ms.unwrap_or_default()));
                let _ = write!(
                    cases,
                    "><failure message=\"{} at {at}\">{}</failure></testcase>",
                    escape(&verdict.id),
                    escape(verdict.detail.as_deref().unwrap_or(""))
                );
            }
            "not-reached" => {
                skipped += 1;
                cases.push_str("><skipped/></testcase>");
            }
            _ => cases.push_str("/>"),
        }
    }
    if let Some(recovery) = &debrief.recovery {
        tests += 1;
        cases.push_str("<testcase classname=\"recovery\" name=\"cluster-serving\"");
        if recovery.serving && recovery.mistakes.is_empty() {
            cases.push_str("/>");
        } else {
            failures += 1;
            let mut lines = recovery.mistakes.clone();
            lines.extend(recovery.lacks.iter().map(|lack| format!("lacks: {lack}")));
            let message =
                if recovery.serving { "the recovery broke an invariant" } else { "the cluster does not serve" };
            let _ = write!(cases, "><failure message=\"{message}\">{}</failure></testcase>", escape(&lines.join("\n")));
        }
    }
    let suite = match name {
        Some(name) => format!("session {id} ({name})"),
        None => format!("session {id}"),
    };
    format!(
        "<testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\"><properties><property name=\"score\" value=\"{}\"/><property name=\"ended\" value=\"{}\"/></properties>{cases}</testsuite>\n",
        escape(&suite),
        debrief.score,
        debrief.end.map_or("no", |end| if end == End::Finished { "finished" } else { "gave-up" })
    )
}

/// The suites as one JUnit document.
pub fn junit(suites: impl Iterator<Item = String>) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"clusterproc classroom\">\n");
    for suite in suites {
        out.push_str(&suite);
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Aiko"), "Aiko");
        assert_eq!(field("Sato, Aiko"), "\"Sato, Aiko\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
    }
}
