//! Recovery practice and the classroom on the trainee's page, and the debrief's recovery
//! section: the instructor's pause (and the script that reloads the page when the
//! instructor changes the session), the "stop and recover" button, the recovery panel with
//! the planner's plan when asked, and the judgement of the recovery in the debrief.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::duration::clock;
use procedure::recovery::serving::Shortfall;
use run_report::{escape, ms};
use serde::Serialize;

use super::act::Act;
use super::classroom_text::{self, C};
use super::practice::{Began, lacks};
use super::score::{PER_HINT, RecoveryPoints};
use super::session::Training;
use super::text::Lang;
use super::words::describe;

/// A one-button form, as the page's own.
fn button(out: &mut String, session: &str, act: &str, fields: &[(&str, &str)], label: &str, id: &str) {
    let _ = write!(out, "<form method=\"post\" action=\"/s/{session}/act\" class=\"act\">");
    let _ = write!(out, "<input type=\"hidden\" name=\"do\" value=\"{act}\">");
    for (name, value) in fields {
        let _ = write!(out, "<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    }
    let _ = write!(out, "<button type=\"submit\" id=\"{id}\">{}</button></form>", escape(label));
}

/// How often a classroom's page asks whether the instructor changed its session.
const FOLLOW_MS: u32 = 700;

/// The look of what this module adds to the page (the page's own style knows nothing of it).
const STYLE: &str = "<style>section.recovery{border:2px solid #c77700;background:#fff8e6;padding:.3em .8em;margin:.4em 0}\
section.recovery h2{margin:.2em 0;font-size:1.1em}section.recovery form.act{display:inline-block;margin-right:.4em}\
#recovery-offer{border-width:1px;background:#f6f6f6}p.serving{color:#137333;font-weight:bold}\
section.paused{border:2px solid #b00020;background:#fde7e9;padding:.5em .8em;margin:.4em 0;font-size:1.1em}</style>";

/// What the page shows of the classroom and of recovery practice, below its header.
pub fn panel(out: &mut String, training: &Training, session: &str, lang: Lang) {
    out.push_str(STYLE);
    if training.in_classroom() {
        // The instructor's pause and faults reach the page without the trainee clicking.
        let _ = writeln!(
            out,
            "<script>(function(){{var seen={};setInterval(function(){{fetch('/s/{session}/state.json').then(function(r){{return r.json()}}).then(function(s){{if(s.instructed!==seen){{location.reload()}}}}).catch(function(){{}})}},{FOLLOW_MS})}})()</script>",
            training.instructed()
        );
    }
    if let Some(reason) = training.paused() {
        let _ = write!(
            out,
            "<section id=\"paused\" role=\"alert\" class=\"paused\"><strong>{}</strong>",
            lang.c(C::Paused)
        );
        if !reason.is_empty() {
            let _ = write!(out, " <span id=\"pause-reason\">{}</span>", escape(reason));
        }
        // Nothing can be clicked while paused (the server refuses it anyway).
        out.push_str("<style>form.act button{pointer-events:none;opacity:.45}</style></section>\n");
    }
    if training.end().is_some() {
        return;
    }
    let course = training.course();
    let setup = &course.setup;
    let sim = training.sim();
    let Some(practice) = training.practice() else {
        let _ = write!(
            out,
            "<section id=\"recovery-offer\" class=\"recovery\"><span>{}</span> ",
            lang.c(C::StopAndRecoverNote)
        );
        button(out, session, "stop-and-recover", &[], lang.c(C::StopAndRecover), "stop-and-recover");
        out.push_str("</section>\n");
        return;
    };
    let _ =
        write!(out, "<section id=\"recovery\" class=\"recovery\" role=\"note\"><h2>{}</h2>", lang.c(C::RecoveryTitle));
    let at = clock(practice.began);
    let asked = match practice.why {
        Began::Mistake(invariant) => classroom_text::asked_after_mistake(lang, &at, invariant.id()),
        Began::Stopped => lang.c_fill(C::AfterStop, &[&at]),
    };
    let _ = write!(out, "<p>{}</p>", escape(&asked));
    let now_lacks = lacks(course, sim);
    if now_lacks.is_empty()
        && let Some(since) = practice.serving_at
    {
        let _ = write!(
            out,
            "<p id=\"serving-again\" class=\"serving\">{}</p>",
            lang.c_fill(C::ServingAgain, &[&clock(since)])
        );
    }
    out.push_str("<div class=\"recovery-actions\">");
    button(out, session, "recovery-plan", &[], &lang.c_fill(C::AskPlan, &[&PER_HINT.to_string()]), "recovery-plan");
    for shortfall in now_lacks.iter().filter(|s| s.brought_back_by().is_some()) {
        if let Shortfall::Down(node) | Shortfall::Unreachable(node) = shortfall {
            let name = setup.node_name(*node);
            let slug = &course.names.nodes[node.index()].slug;
            button(
                out,
                session,
                "bring-back",
                &[("node", name)],
                &lang.c_fill(C::BringBack, &[name]),
                &format!("bring-back-{slug}"),
            );
        }
    }
    out.push_str("</div>");
    let just_asked = matches!(training.log().last().map(|logged| &logged.act), Some(Act::RecoveryPlan));
    if let Some(shown) = practice.plans.last().filter(|_| just_asked) {
        let _ = write!(out, "<div id=\"recovery-plan-box\"><h3>{}</h3>", lang.c(C::PlanTitle));
        if shown.lacks.is_empty() {
            let _ = write!(out, "<p>{}</p>", lang.c(C::PlanNothing));
        } else {
            list(
                out,
                "plan-lacks",
                lang.c(C::PlanLacks),
                shown.lacks.iter().map(|s| classroom_text::shortfall(setup, s, lang)),
            );
        }
        if !shown.first_by_hand.is_empty() {
            list(
                out,
                "plan-by-hand",
                lang.c(C::PlanFirstByHand),
                shown.first_by_hand.iter().map(|s| classroom_text::shortfall(setup, s, lang)),
            );
        }
        if !shown.operations.is_empty() {
            let _ = write!(out, "<p>{}:</p><ol id=\"plan-steps\">", lang.c(C::PlanSteps));
            for operation in &shown.operations {
                let _ = write!(out, "<li>{}</li>", escape(&describe(setup, operation, lang)));
            }
            out.push_str("</ol>");
        }
        if shown.first_by_hand.is_empty() && !shown.lacks.is_empty() && !shown.still_lacks.is_empty() {
            list(
                out,
                "plan-still-lacks",
                lang.c(C::PlanStillLacks),
                shown.still_lacks.iter().map(|s| classroom_text::shortfall(setup, s, lang)),
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

fn list(out: &mut String, id: &str, heading: &str, items: impl Iterator<Item = String>) {
    let _ = write!(out, "<p>{heading}:</p><ul id=\"{id}\">");
    for item in items {
        let _ = write!(out, "<li>{}</li>", escape(&item));
    }
    out.push_str("</ul>");
}

/// The debrief's judgement of a recovery exercise.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryVerdict {
    /// When it began, ms.
    pub began_ms: u64,
    /// Why.
    pub began: Began,
    /// Recovery plans shown.
    pub plans: u32,
    /// The invariants the recovery broke: `id hh:mm:ss node: what`, in the debrief's language.
    pub mistakes: Vec<String>,
    /// The invariants the recovery broke, by id (once each).
    pub broken: Vec<String>,
    /// The cluster ends serving (or serves now, while the session goes on).
    pub serving: bool,
    /// The first moment since the recovery began that it served, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serving_since_ms: Option<u64>,
    /// What it lacks of serving, in the debrief's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<String>,
}

impl RecoveryVerdict {
    /// The recovery of `training`, if one began.
    pub fn of(training: &Training, lang: Lang) -> Option<RecoveryVerdict> {
        let practice = training.practice()?;
        let course = training.course();
        let setup = &course.setup;
        let lacking = lacks(course, training.sim());
        let mut broken: Vec<String> = Vec::new();
        let mistakes = practice
            .judge
            .violations()
            .iter()
            .map(|v| {
                let id = v.invariant.id();
                if !broken.iter().any(|b| b == id) {
                    broken.push(id.to_owned());
                }
                let node = v.node.map(|n| setup.node_name(n));
                let detail = lang.detail(v.invariant, &v.detail, node);
                format!("{id} {} {}: {detail}", clock(v.at), node.unwrap_or("-"))
            })
            .collect();
        Some(RecoveryVerdict {
            began_ms: ms(practice.began),
            began: practice.why,
            plans: practice.plans.len() as u32,
            mistakes,
            broken,
            serving: lacking.is_empty(),
            serving_since_ms: practice.serving_at.filter(|_| lacking.is_empty()).map(ms),
            lacks: lacking.iter().map(|s| classroom_text::shortfall(setup, s, lang)).collect(),
        })
    }

    /// What it takes from the score.
    pub fn points(&self) -> RecoveryPoints {
        RecoveryPoints { broken: self.broken.len() as u32, plans: self.plans, serving: self.serving }
    }

    /// The debrief's section.
    pub fn render(&self, out: &mut String, lang: Lang) {
        let _ = write!(out, "<section id=\"recovery-verdict\"><h2>{}</h2>", lang.c(C::Recovery));
        let at = clock(Duration::from_millis(self.began_ms));
        let began = match self.began {
            Began::Mistake(invariant) => classroom_text::began_after_mistake(lang, &at, invariant.id()),
            Began::Stopped => lang.c_fill(C::BeganAfterStop, &[&at]),
        };
        let _ = write!(out, "<p>{} {}</p>", escape(&began), lang.c_fill(C::PlansAsked, &[&self.plans.to_string()]));
        if self.mistakes.is_empty() {
            let _ = write!(out, "<p id=\"recovery-clean\">{}</p>", lang.c(C::RecoveryClean));
        } else {
            list(out, "recovery-mistakes", lang.c(C::RecoveryMistakes), self.mistakes.iter().cloned());
        }
        if self.serving {
            let since = clock(Duration::from_millis(self.serving_since_ms.unwrap_or(self.began_ms)));
            let _ =
                write!(out, "<p id=\"recovery-end\" class=\"serving\">{}</p>", lang.c_fill(C::EndsServing, &[&since]));
        } else {
            let _ = write!(out, "<div id=\"recovery-end\" class=\"short\">");
            list(out, "recovery-lacks", lang.c(C::EndsShort), self.lacks.iter().cloned());
            out.push_str("</div>");
        }
        out.push_str("</section>\n");
    }
}
