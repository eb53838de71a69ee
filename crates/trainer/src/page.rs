//! The training page: what the seed's operator sees, server-rendered, one form per button so
//! that it works without scripts and from the keyboard. Its frame: the header (the clock,
//! the waits, the end), what became of the last action, the hint and the red alerts; then
//! the cluster's manager ([`webui`](super::webui)) beside the procedure's checklist, and
//! below them each server's desktop ([`desktop`](super::desktop)).

use std::fmt::Write as _;

use procedure::backend::Backend as _;

use super::assets::{SCRIPT, STYLE};
use super::course::Course;
use super::forms::Button;
use super::session::{Invalid, Outcome, Training};
use super::text::{Lang, T};
use super::{desktop, events, guide, webui};
use run_report::escape;

/// How many alerts the page shows (newest first).
const ALERT_LINES: usize = 8;

/// The landing page: start a session.
pub fn landing(course: &Course, lang: Lang) -> String {
    let mut out = head(lang, lang.t(T::AppTitle));
    let _ = writeln!(out, "<main class=\"landing\"><h1>{}</h1>", lang.t(T::AppTitle));
    let _ =
        writeln!(out, "<p>{}: <strong>{}</strong></p>", lang.t(T::Checklist), escape(procedure_title(course, lang)));
    if !course.staged.is_empty() {
        // Not its title: it would tell the trainee what is coming.
        let _ = writeln!(out, "<p>{}</p>", lang.t(T::ScenarioPrepared));
    }
    let _ = writeln!(out, "<p>{}</p>", lang.t(T::StartIntro));
    let _ = writeln!(
        out,
        "<form method=\"post\" action=\"/sessions\">{}<button id=\"start\" type=\"submit\" autofocus>{}</button></form>",
        super::classroom::name_field(course, lang),
        lang.t(T::Start)
    );
    out.push_str(&switch(lang, "/"));
    out.push_str("</main></body></html>\n");
    out
}

/// The procedure's title in `lang`.
fn procedure_title(course: &Course, lang: Lang) -> &str {
    match (lang, &course.setup.procedure.title_ja) {
        (Lang::Ja, Some(title)) => title,
        _ => &course.setup.procedure.title,
    }
}

fn head(lang: Lang, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(title)
    )
}

fn switch(lang: Lang, path: &str) -> String {
    let link = |code: &str, words: &str| {
        if code == lang.code() {
            format!("<strong>{words}</strong>")
        } else {
            format!("<a id=\"lang-{code}\" href=\"{path}?lang={code}\" lang=\"{code}\">{words}</a>")
        }
    };
    format!(
        "<nav class=\"lang\" aria-label=\"{}\">{} | {}</nav>\n",
        lang.t(T::Language),
        link("en", "English"),
        link("ja", "日本語")
    )
}

/// The session's page.
pub fn session(training: &Training, id: &str, lang: Lang) -> String {
    let course = training.course();
    let setup = &course.setup;
    let sim = training.sim();
    // The procedure's title: a scenario's title would tell the trainee what is coming.
    let title = procedure_title(course, lang);
    let mut out = head(lang, &format!("{} — {title}", lang.t(T::AppTitle)));
    // Header: clock, waits, the end.
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"clock\">{}: <time id=\"clock\">{}</time> <span id=\"busy\" class=\"{}\">{}</span></p><div class=\"waits\">",
        escape(title),
        lang.t(T::Clock),
        events::clock_text(sim.now()),
        if training.busy() { "busy" } else { "quiet" },
        if training.busy() { lang.t(T::Busy) } else { lang.t(T::Quiet) }
    );
    let ended = training.end().is_some();
    if !ended {
        Button { session: id, act: "wait", fields: &[("seconds", "10")], label: lang.t(T::Wait10s), id: &["wait-10"] }
            .render(&mut out);
        Button { session: id, act: "wait", fields: &[("seconds", "60")], label: lang.t(T::Wait1m), id: &["wait-60"] }
            .render(&mut out);
        Button {
            session: id,
            act: "wait-until-done",
            fields: &[],
            label: lang.t(T::WaitUntilDone),
            id: &["wait-done"],
        }
        .render(&mut out);
        Button { session: id, act: "hint", fields: &[], label: lang.t(T::Hint), id: &["hint"] }.render(&mut out);
        Button { session: id, act: "finish", fields: &[], label: lang.t(T::Finish), id: &["finish"] }.render(&mut out);
        Button { session: id, act: "give-up", fields: &[], label: lang.t(T::GiveUp), id: &["give-up"] }
            .render(&mut out);
    } else {
        let _ = write!(out, "<a id=\"debrief\" href=\"/s/{id}/debrief\">{}</a>", lang.t(T::Debrief));
    }
    out.push_str("</div>");
    out.push_str(&switch(lang, &format!("/s/{id}")));
    out.push_str("</header>\n");
    // The last action's outcome, announced to screen readers.
    if let Some(last) = training.log().last() {
        let mut lines = Vec::new();
        match &last.outcome {
            Outcome::Done => {}
            Outcome::Refused(error) => lines.push(lang.fill(T::Refused, &[&events::error(setup, error, lang)])),
            // Those a trainee meets from the page itself (a stale tab, a second click on the
            // prompt or on a recovery button) in the page's language; the others come only
            // from hand-made requests and keep the log's English.
            Outcome::Invalid(Invalid::Ended) => lines.push(lang.t(T::SessionEnded).to_owned()),
            Outcome::Invalid(Invalid::NoPrompt(_)) => lines.push(lang.t(T::NoPromptOpen).to_owned()),
            Outcome::Invalid(Invalid::NotSuspended) => lines.push(lang.t(T::NotSuspended).to_owned()),
            Outcome::Invalid(Invalid::NotRecovering) => lines.push(lang.t(T::NotRecovering).to_owned()),
            Outcome::Invalid(Invalid::NothingToBringBack(node)) => {
                lines.push(lang.fill(T::NothingToBringBack, &[node.as_str()]));
            }
            Outcome::Invalid(other) => lines.push(lang.fill(T::Invalid, &[&other.to_string()])),
        }
        lines.extend(guide::out_of_order(training, last, lang));
        if !lines.is_empty() {
            let _ =
                writeln!(out, "<p id=\"outcome\" role=\"status\" class=\"outcome\">{}</p>", escape(&lines.join(" — ")));
        }
    }
    guide::hint(&mut out, training, lang);
    super::practice_page::panel(&mut out, training, id, lang);
    alerts(&mut out, training, id, lang);
    out.push_str("<div class=\"workspace\">\n");
    webui::window(&mut out, training, id, lang);
    guide::checklist(&mut out, training, lang);
    out.push_str("</div>\n<div class=\"desktops\">\n");
    for n in 0..training.sim().observation().nodes.len() {
        desktop::desktop(&mut out, training, id, lang, n);
    }
    out.push_str("</div>\n");
    webui::dialogs(&mut out, lang);
    out.push_str("<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The red alerts: consequences not acknowledged yet, newest first, with the button that
/// acknowledges them (and the monitors' last errors).
fn alerts(out: &mut String, training: &Training, id: &str, lang: Lang) {
    let open = training.open_alerts();
    if open.is_empty() {
        return;
    }
    let setup = &training.course().setup;
    let _ = write!(out, "<section id=\"alerts\" role=\"alert\"><h2>{}</h2><ul>", lang.t(T::Alerts));
    for &index in open.iter().rev().take(ALERT_LINES) {
        if let Some(event) = training.sim().trace().get(index) {
            let _ = write!(out, "<li>{}</li>", escape(&events::line(setup, event, lang)));
        }
    }
    out.push_str("</ul>");
    if training.end().is_none() {
        Button { session: id, act: "clear-alerts", fields: &[], label: lang.t(T::ClearAlerts), id: &["clear-alerts"] }
            .render(out);
    }
    out.push_str("</section>\n");
}
