//! The procedure beside the screens, as the operator has it printed: the procedure's notes
//! first, then each step's title, text and notes in the page's language, the next step marked
//! and open; and the hint, which shows what the next step asks and the click that does it.
//!
//! The checklist ticks a step only once the trainee has done it and seen its result (see
//! [`Training::ticked`]); the next step is [`Training::expected`].

use std::fmt::Write as _;

use procedure::plan::StepStatus;
use procedure::procedure::Step;
use run_report::escape;

use super::act::Act;
use super::session::{Logged, Training};
use super::text::{Lang, T};
use super::words::describe;

/// A step's title in `lang` (the English one when the procedure has no Japanese).
pub fn title(step: &Step, lang: Lang) -> &str {
    match (lang, &step.ja) {
        (Lang::Ja, Some(ja)) => &ja.title,
        _ => &step.title,
    }
}

/// A step's text and notes in `lang`.
fn text_and_notes(step: &Step, lang: Lang) -> (&str, &[String]) {
    match (lang, &step.ja) {
        (Lang::Ja, Some(ja)) => (&ja.text, &ja.notes),
        _ => (&step.text, &step.notes),
    }
}

/// `3 Suspend the cluster`: how the page names a step.
pub fn label(step: &Step, lang: Lang) -> String {
    format!("{} {}", step.tag(), title(step, lang))
}

/// A text of the procedure file as paragraphs (its line breaks are the file's wrapping).
fn prose(text: &str) -> String {
    escape(&text.trim().replace('\n', " "))
}

/// The checklist: the procedure's notes, then every step.
pub fn checklist(out: &mut String, training: &Training, lang: Lang) {
    let course = training.course();
    let procedure = &course.setup.procedure;
    let _ = write!(out, "<aside id=\"checklist\"><h2>{}</h2>", lang.t(T::Checklist));
    if !procedure.notes.is_empty() {
        let _ = write!(out, "<details open id=\"procedure-notes\"><summary>{}</summary><ul>", lang.t(T::ReadFirst));
        for note in &procedure.notes {
            let text = match (lang, &note.text_ja) {
                (Lang::Ja, Some(text)) => text,
                _ => &note.text,
            };
            let _ = write!(out, "<li data-note=\"{}\">{}</li>", escape(&note.id), prose(text));
        }
        out.push_str("</ul></details>");
    }
    let _ = write!(out, "<p class=\"hint\">{}</p><ol class=\"steps\">", lang.t(T::ChecklistHint));
    let next = training.expected();
    for (index, step) in procedure.steps.iter().enumerate() {
        let is_next = next == Some(index);
        let (class, mark, tooltip) = match (&course.plan[index], training.ticked(index)) {
            (_, Some(_)) => ("done", "✓", None),
            ((StepStatus::Skipped, _), None) => ("skipped", "–", Some(lang.t(T::NotNeeded))),
            ((StepStatus::Conditional, _), None) => ("conditional", "?", Some(lang.t(T::IfNeeded))),
            (_, None) if is_next => ("next", "▶", None),
            (_, None) if training.operations_done(index) => ("working", "…", None),
            (_, None) => ("todo", "", None),
        };
        let tooltip = tooltip.map(|t| format!(" title=\"{t}\"")).unwrap_or_default();
        let current = if is_next { " aria-current=\"step\"" } else { "" };
        let _ = write!(
            out,
            "<li class=\"{class}\" data-step=\"{}\"{tooltip}{current}><span class=\"mark\">{mark}</span><b>{}</b> {}",
            escape(&step.id),
            escape(&step.tag()),
            escape(title(step, lang))
        );
        let (text, notes) = text_and_notes(step, lang);
        // Warnings stay in sight on every step; the text is open on the next one.
        if !notes.is_empty() {
            out.push_str("<ul class=\"notes\">");
            for note in notes {
                let _ = write!(out, "<li>⚠ {}</li>", prose(note));
            }
            out.push_str("</ul>");
        }
        if !text.trim().is_empty() && class != "skipped" {
            let open = if is_next { " open" } else { "" };
            let _ = write!(
                out,
                "<details class=\"step-text\"{open}><summary>{}</summary><p>{}</p></details>",
                lang.t(T::StepText),
                prose(text)
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></aside>\n");
}

/// The hint box, after a click on Hint: the next step's text and the click that does it.
pub fn hint(out: &mut String, training: &Training, lang: Lang) {
    if !matches!(training.log().last().map(|logged| &logged.act), Some(Act::Hint)) {
        return;
    }
    let Some((_, expected)) = training.hints().last() else { return };
    let course = training.course();
    let _ = write!(out, "<section id=\"hint-box\" role=\"note\"><h2>{}</h2>", lang.t(T::HintTitle));
    match expected {
        None => {
            let _ = write!(out, "<p>{}</p>", lang.t(T::AllDone));
        }
        Some(step_index) => {
            let step = &course.setup.procedure.steps[*step_index];
            let (text, _) = text_and_notes(step, lang);
            let _ = write!(out, "<p><strong>{}</strong></p><p>{}</p>", escape(&label(step, lang)), prose(text));
            let next = course
                .reference
                .iter()
                .zip(training.claimed())
                .find(|(reference, claimed)| reference.step == *step_index && claimed.is_none());
            if let Some((reference, _)) = next {
                let _ = write!(
                    out,
                    "<p class=\"do\"><strong>{}:</strong> {}</p>",
                    lang.t(T::OnTheScreens),
                    escape(&describe(&course.setup, &reference.operation, lang))
                );
            }
        }
    }
    out.push_str("</section>\n");
}

/// What the page says of an action out of the procedure's order, if it was.
pub fn out_of_order(training: &Training, logged: &Logged, lang: Lang) -> Option<String> {
    let out_of_order = logged.out_of_order?;
    let steps = &training.course().setup.procedure.steps;
    Some(match out_of_order.expected {
        Some(step) => lang.fill(T::OutOfOrder, &[&label(&steps[step], lang)]),
        None => lang.t(T::NothingLeft).to_owned(),
    })
}
