//! The training page: what the seed's operator sees, server-rendered, one form per button so
//! that it works without scripts and from the keyboard. The Cluster Manager (servers, the
//! group, monitors; Service → Suspend / Resume Cluster; Move), then per server the Task
//! Manager watch list, the Services panel, the file panel, the registry export, the
//! installer with its restart prompt, and Restart Windows. Beside it the procedure's
//! checklist; above them the event log in virtual time, newest first.

use procedure::backend::Backend as _;
use std::fmt::Write as _;
use std::time::Duration;

use procedure::backend::{ClusterService, Installer, Power, ResourceStatus, ServiceStatus, Watch};
use procedure::cluster::NodeId;
use procedure::duration::clock;
use procedure::event::{EventKind, is_routine};

use super::course::Course;
use super::events;
use super::guide;
use super::names::Name;
use super::session::{Invalid, Outcome, Training};
use super::status;
use super::text::{Lang, T};
use run_report::escape;

/// How many lines of the event log the page shows (newest first).
const LOG_LINES: usize = 40;

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

/// A one-button form that posts an action. It is written piece by piece, with no formatting:
/// a page holds over a hundred of them.
struct Button<'a> {
    session: &'a str,
    act: &'a str,
    /// Hidden fields, their values already escaped for HTML (a [`Name`]'s `html`, or words
    /// that need none).
    fields: &'a [(&'a str, &'a str)],
    label: &'a str,
    /// The button's element id, in pieces written one after the other.
    id: &'a [&'a str],
}

impl Button<'_> {
    fn render(&self, out: &mut String) {
        for piece in ["<form method=\"post\" action=\"/s/", self.session, "/act\" class=\"act\">"] {
            out.push_str(piece);
        }
        for (name, value) in [("do", self.act)].iter().chain(self.fields) {
            for piece in ["<input type=\"hidden\" name=\"", name, "\" value=\"", value, "\">"] {
                out.push_str(piece);
            }
        }
        out.push_str("<button type=\"submit\" id=\"");
        for piece in self.id {
            out.push_str(piece);
        }
        for piece in ["\">", self.label, "</button></form>"] {
            out.push_str(piece);
        }
    }
}

/// A service's row in the Task Manager or the Services panel: its name, its state, and the
/// button that turns it the other way (`act`, label, id prefix), while the session runs.
struct ServiceRow<'a> {
    session: &'a str,
    node: &'a Name,
    service: &'a Name,
}

impl ServiceRow<'_> {
    fn render(&self, out: &mut String, data: &str, state: &str, toggle: Option<(&str, &str, &str)>) {
        let (node, service) = (self.node, &self.service.html);
        for piece in ["<tr ", data, "=\"", service, "\"><td>", service, "</td><td>", state, "</td><td>"] {
            out.push_str(piece);
        }
        if let Some((act, label, prefix)) = toggle {
            Button {
                session: self.session,
                act,
                fields: &[("node", &node.html), ("service", service)],
                label,
                id: &[prefix, "-", &node.slug, "-", &self.service.slug],
            }
            .render(out);
        }
        out.push_str("</td></tr>");
    }
}

/// The folders the file panel offers: the procedure's folder on each local drive of the node,
/// and on the mirror drive.
fn folders(training: &Training, node: NodeId) -> Vec<(String, bool)> {
    let course = training.course();
    let cluster = &course.setup.cluster;
    let rest = match course.folder.get(1..2) {
        Some(":") => &course.folder[2..],
        _ => course.folder.as_str(),
    };
    let mut out = vec![(course.folder.clone(), cluster.is_mirror_drive(&course.folder))];
    let drives = cluster.nodes[node.index()].drives.iter().map(|d| (d.as_str(), false));
    let mirrors = cluster.mirror_drives().map(|(_, d)| (d, true));
    for (drive, mirror) in drives.chain(mirrors) {
        let folder = format!("{}{rest}", drive.trim_end_matches('\\'));
        if !out.iter().any(|(f, _)| f.eq_ignore_ascii_case(&folder)) {
            out.push((folder, mirror));
        }
    }
    out
}

/// The session's page.
pub fn session(training: &Training, id: &str, lang: Lang) -> String {
    let course = training.course();
    let setup = &course.setup;
    let cluster = &setup.cluster;
    let sim = training.sim();
    let obs = sim.observation();
    let names = &course.names;
    // The procedure's title: a scenario's title would tell the trainee what is coming.
    let title = procedure_title(course, lang);
    let mut out = head(lang, &format!("{} — {title}", lang.t(T::AppTitle)));
    // Header: clock, waits, the end.
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"clock\">{}: <time id=\"clock\">{}</time> <span id=\"busy\" class=\"{}\">{}</span></p><div class=\"waits\">",
        escape(title),
        lang.t(T::Clock),
        clock_text(sim.now()),
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
            // The two a trainee meets from the page itself (a stale tab, a second click on
            // the prompt) in the page's language; the others come only from hand-made
            // requests and keep the log's English.
            Outcome::Invalid(Invalid::Ended) => lines.push(lang.t(T::SessionEnded).to_owned()),
            Outcome::Invalid(Invalid::NoPrompt(_)) => lines.push(lang.t(T::NoPromptOpen).to_owned()),
            Outcome::Invalid(Invalid::NotSuspended) => lines.push(lang.t(T::NotSuspended).to_owned()),
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
    // The event log, newest first, where it is seen without scrolling.
    let alerting = training.alerts();
    let shown: Vec<(usize, &procedure::event::Event)> = sim
        .trace()
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, e)| !is_routine(&e.kind) && !matches!(e.kind, EventKind::FaultInjected { .. }))
        .take(LOG_LINES)
        .collect();
    let _ = write!(out, "<section id=\"event-log\"><h2>{}</h2>", lang.t(T::EventLog));
    if shown.is_empty() {
        let _ = write!(out, "<p>{}</p>", lang.t(T::NothingYet));
    } else {
        out.push_str("<pre id=\"events\" tabindex=\"0\">");
        for (index, event) in shown {
            let text = escape(&events::line(setup, event, lang));
            if alerting.binary_search(&index).is_ok() {
                let _ = writeln!(out, "<mark class=\"alert-line\">{text}</mark>");
            } else {
                let _ = writeln!(out, "{text}");
            }
        }
        out.push_str("</pre>");
    }
    out.push_str("</section>\n<div class=\"grid\">\n");
    guide::checklist(&mut out, training, lang);
    out.push_str("<div class=\"screens\">\n");
    // The Cluster Manager.
    let _ = write!(
        out,
        "<section id=\"cluster-manager\" class=\"panel\"><h2>{} <small>:29003</small></h2>",
        lang.t(T::ClusterManager)
    );
    if !ended {
        let _ = write!(out, "<div class=\"menu\" role=\"menubar\"><span>{}:</span>", lang.t(T::ServiceMenu));
        Button {
            session: id,
            act: "suspend-cluster",
            fields: &[],
            label: lang.t(T::SuspendCluster),
            id: &["suspend-cluster"],
        }
        .render(&mut out);
        Button {
            session: id,
            act: "resume-cluster",
            fields: &[],
            label: lang.t(T::ResumeCluster),
            id: &["resume-cluster"],
        }
        .render(&mut out);
        out.push_str("</div>");
    }
    let _ = write!(out, "<table class=\"servers\"><caption>{}</caption>", lang.t(T::Servers));
    for (n, node) in obs.nodes.iter().enumerate() {
        let word = status::server(node.power, node.cluster).badge(lang);
        let server = &names.nodes[n];
        let _ = write!(out, "<tr data-server=\"{0}\"><td>{0}</td><td>{1}</td><td>", server.html, word);
        // The server's cluster service (clpcl -t / -s): what an operator might do instead of
        // suspending.
        if !ended && node.power == Power::Up {
            let (act, label, prefix) = match node.cluster {
                ClusterService::Stopped => ("start-cluster-service", lang.t(T::StartClusterService), "start-cluster"),
                _ => ("stop-cluster-service", lang.t(T::StopClusterService), "stop-cluster"),
            };
            Button { session: id, act, fields: &[("node", &server.html)], label, id: &[prefix, "-", &server.slug] }
                .render(&mut out);
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</table>");
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = obs.groups[g];
        let word = status::group(state.status).badge(lang);
        let owner = state.owner.map_or("-", |o| setup.node_name(o));
        let Name { html, slug: group_slug } = &course.names.groups[g];
        let _ = write!(
            out,
            "<div class=\"group\" id=\"group-{}\"><h3>{} {} {} <span class=\"owner\">({}: {})</span></h3><ul class=\"resources\">",
            group_slug,
            lang.t(T::Group),
            html,
            word,
            lang.t(T::Current),
            escape(owner)
        );
        for resource in &group.resources {
            let state = obs.resources[resource.index()];
            let word = status::resource(state.status).badge(lang);
            let resource_name = &names.resources[resource.index()];
            let _ = write!(out, "<li>{} {}", resource_name.html, word);
            // Right-click → Stop / Start on the real manager: one resource, and what depends on it.
            if !ended {
                let (act, label, prefix) = match state.status {
                    ResourceStatus::Offline | ResourceStatus::OnlineFailure => {
                        ("start-resource", lang.t(T::StartService), "start-resource")
                    }
                    _ => ("stop-resource", lang.t(T::StopService), "stop-resource"),
                };
                Button {
                    session: id,
                    act,
                    fields: &[("resource", &resource_name.html)],
                    label,
                    id: &[prefix, "-", &resource_name.slug],
                }
                .render(&mut out);
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
        if !ended {
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"move-group\"><input type=\"hidden\" name=\"group\" value=\"{}\"><label>{} <select name=\"to\" id=\"move-to-{}\">",
                html,
                lang.t(T::MoveTo),
                group_slug
            );
            for &node in &group.policy {
                let name = setup.node_name(node);
                let selected = if Some(node) == state.owner { "" } else { " selected" };
                let _ = write!(out, "<option value=\"{}\"{selected}>{}</option>", escape(name), escape(name));
            }
            let _ = write!(
                out,
                "</select></label> <button type=\"submit\" id=\"move-{}\">{}</button></form>",
                group_slug,
                lang.t(T::Move)
            );
        }
        out.push_str("</div>");
    }
    let _ = write!(out, "<table class=\"monitors\"><caption>{}</caption><tr><th></th>", lang.t(T::Monitors));
    for node in &cluster.nodes {
        let _ = write!(out, "<th>{}</th>", escape(&node.name));
    }
    out.push_str("</tr>");
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td>", escape(&monitor.name));
        for (n, node) in obs.nodes.iter().enumerate() {
            let _ = write!(out, "<td>{}", status::monitor(node.monitors[m]).badge(lang));
            // The last error stays until acknowledged, even once the monitor is green again.
            if let Some(at) = training.monitor_error(n, m) {
                let _ = write!(
                    out,
                    " <span class=\"last-error\" data-monitor=\"{}\">⚠ {}</span>",
                    escape(&monitor.name),
                    escape(&lang.fill(T::LastError, &[&clock_text(at)]))
                );
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></section>\n");
    // Each server's own screens.
    for (n, node) in obs.nodes.iter().enumerate() {
        let node_id = NodeId(n as u8);
        let html = &names.nodes[n].html;
        let s = &names.nodes[n].slug;
        let _ = write!(
            out,
            "<section class=\"panel node\" id=\"node-{s}\" data-node=\"{}\"><h2>{} {}",
            html,
            lang.t(T::Node),
            html
        );
        match node.power {
            Power::Up => {}
            Power::Down | Power::Booting => {
                let _ = write!(out, " {}", status::server(node.power, node.cluster).badge(lang));
            }
        }
        out.push_str("</h2>");
        if sim.prompt_open(node_id) && !ended {
            let _ = write!(
                out,
                "<div class=\"prompt\" role=\"alertdialog\" id=\"prompt-{s}\"><p>{}</p>",
                lang.t(T::RestartPrompt)
            );
            Button {
                session: id,
                act: "answer-prompt",
                fields: &[("node", html), ("answer", "yes")],
                label: lang.t(T::Yes),
                id: &["prompt-yes-", s],
            }
            .render(&mut out);
            Button {
                session: id,
                act: "answer-prompt",
                fields: &[("node", html), ("answer", "no")],
                label: lang.t(T::No),
                id: &["prompt-no-", s],
            }
            .render(&mut out);
            out.push_str("</div>");
        }
        // Task Manager.
        let _ = write!(out, "<details open class=\"taskmanager\"><summary>{}</summary><table>", lang.t(T::TaskManager));
        for i in 0..cluster.services.len() {
            let Some(word) = status::watch(node.watches[i]) else { continue };
            let toggle = if node.watches[i] == Watch::Monitoring {
                ("stop-monitoring", lang.t(T::StopMonitoring), "stopmon")
            } else {
                ("start-monitoring", lang.t(T::StartMonitoring), "startmon")
            };
            let chip = word.badge(lang);
            let row = ServiceRow { session: id, node: &names.nodes[n], service: &names.services[i] };
            row.render(&mut out, "data-watch", &chip, (!ended).then_some(toggle));
        }
        out.push_str("</table></details>");
        // Services.
        // Opened and closed through the server: what an open panel shows counts as seen.
        let open = training.services_open(node_id);
        let _ = write!(out, "<div class=\"services\" data-open=\"{open}\"><h3>{}</h3>", lang.t(T::ServicesPanel));
        if !ended {
            let (act, label, prefix) = if open {
                ("close-services", lang.t(T::CloseServices), "close-services-")
            } else {
                ("open-services", lang.t(T::OpenServices), "open-services-")
            };
            Button { session: id, act, fields: &[("node", html)], label, id: &[prefix, s] }.render(&mut out);
        }
        out.push_str("<table>");
        for i in 0..cluster.services.len().min(if open { usize::MAX } else { 0 }) {
            let word = status::service(node.services[i]).badge(lang);
            let toggle = if node.services[i] == ServiceStatus::Stopped {
                ("start-service", lang.t(T::StartService), "start")
            } else {
                ("stop-service", lang.t(T::StopService), "stop")
            };
            let row = ServiceRow { session: id, node: &names.nodes[n], service: &names.services[i] };
            row.render(&mut out, "data-service", &word, (!ended).then_some(toggle));
        }
        out.push_str("</table></div>");
        // Files, registry export, installer, reboot.
        let choices = folders(training, node_id);
        let options = |out: &mut String| {
            for (folder, mirror) in &choices {
                let note = if *mirror { format!(" ({})", lang.t(T::MirrorDrive)) } else { String::new() };
                let _ = write!(out, "<option value=\"{}\">{}{}</option>", escape(folder), escape(folder), note);
            }
        };
        let _ = write!(out, "<div class=\"files\"><h3>{}</h3>", lang.t(T::Files));
        if let Some(folder) = &node.unzipped {
            let _ = write!(out, "<p class=\"unzipped\">{}</p>", escape(&lang.fill(T::Unzipped, &[folder])));
        }
        if !ended {
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"unzip\"><input type=\"hidden\" name=\"node\" value=\"{}\"><label>{} <select name=\"folder\" id=\"unzip-folder-{s}\">",
                html,
                lang.t(T::UnzipInto)
            );
            options(&mut out);
            let _ = write!(
                out,
                "</select></label> <button type=\"submit\" id=\"unzip-{s}\">{}</button></form>",
                lang.t(T::Unzip)
            );
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"backup-registry\"><input type=\"hidden\" name=\"node\" value=\"{}\"><label>{} {} <input name=\"file\" size=\"40\" id=\"backup-file-{s}\" value=\"{}\"></label> <button type=\"submit\" id=\"backup-{s}\">{}</button></form>",
                html,
                lang.t(T::BackupRegistry),
                lang.t(T::BackupFile),
                escape(&course.backup_file),
                lang.t(T::BackupRegistry)
            );
        }
        out.push_str("</div>");
        let word = match node.installer {
            Installer::Idle => lang.t(T::InstallerIdle).to_owned(),
            Installer::Running => lang.t(T::InstallerRunning).to_owned(),
            Installer::Finished { .. } => lang.t(T::InstallerFinished).to_owned(),
            // What went wrong, in the event log's words.
            Installer::Failed(reason) => {
                events::describe(setup, &EventKind::InstallerFailed { node: node_id, reason }, lang)
            }
            Installer::Interrupted(cause) => {
                events::describe(setup, &EventKind::InstallerInterrupted { node: node_id, cause }, lang)
            }
        };
        let _ = write!(
            out,
            "<div class=\"installer\"><h3>{}</h3><p id=\"installer-{s}\">{}</p>",
            lang.t(T::Installer),
            escape(&word)
        );
        if !ended {
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"run-installer\"><input type=\"hidden\" name=\"node\" value=\"{}\"><select name=\"folder\" id=\"install-folder-{s}\" aria-label=\"{}\">",
                html,
                lang.t(T::Folder)
            );
            options(&mut out);
            let _ = write!(
                out,
                "</select> <button type=\"submit\" id=\"install-{s}\">{}</button></form>",
                lang.t(T::RunInstaller)
            );
        }
        let _ = write!(out, "<p class=\"components\">{}: ", lang.t(T::Components));
        let versions: Vec<String> = cluster
            .components
            .iter()
            .enumerate()
            .map(|(c, comp)| format!("{} {}", comp.name, node.components[c]))
            .collect();
        out.push_str(&escape(&versions.join(", ")));
        out.push_str("</p></div>");
        if !ended {
            Button {
                session: id,
                act: "reboot",
                fields: &[("node", html)],
                label: lang.t(T::Reboot),
                id: &["reboot-", s],
            }
            .render(&mut out);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</div>\n");
    out.push_str(
        "</div>
</body>
</html>
",
    );
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

/// Virtual time as the page's clock shows it.
pub fn clock_text(at: Duration) -> String {
    clock(at).split('.').next().unwrap_or_default().to_owned()
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK JP',sans-serif;margin:0;color:#222;font-size:14px}\
html{overflow-wrap:anywhere}header{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;padding:.4em .8em;background:#1f3b57;color:#fff}\
header h1{font-size:16px;margin:0 1em 0 0}header a{color:#fff}.clock{margin:0;font-variant-numeric:tabular-nums}\
#clock{font-weight:bold;font-size:18px}#busy.busy{color:#ffd54f}#busy.quiet{color:#a5d6a7}\
.waits{display:flex;gap:.3em}form.act{display:inline}.files form.act,.installer form.act{display:block;margin:.25em 0}nav.lang{margin-left:auto}\
.grid{display:grid;grid-template-columns:minmax(220px,300px) minmax(0,1fr);gap:.6em;padding:.6em}\
#checklist ol{list-style:none;padding:0;margin:0}#checklist li{margin:.25em 0}#checklist li.next{background:#e3f2fd;border-left:4px solid #1565c0;padding:.2em .3em}\
.notes{list-style:none;color:#8a4b00;font-size:12px;margin:.1em 0 .1em 1.4em;padding:0}.step-text{margin-left:1.4em;font-size:12px}.step-text summary{font-weight:normal;color:#1565c0}.step-text p{margin:.2em 0}\
#procedure-notes{font-size:12px;border:1px solid #f9a825;background:#fffde7;padding:.2em .4em;margin-bottom:.4em}#procedure-notes ul{margin:.2em 0;padding-left:1.2em}\
#alerts{margin:.4em .8em;padding:.3em .6em;background:#fdecea;border:2px solid #c62828;color:#8e0000}#alerts h2{font-size:14px;margin:.1em 0}#alerts ul{margin:.2em 0;padding-left:1.2em}\
#hint-box{margin:.4em .8em;padding:.3em .6em;background:#e8f0fe;border:1px solid #1565c0}#hint-box h2{font-size:14px;margin:.1em 0}#hint-box p{margin:.2em 0}\
mark.alert-line{background:#ffcdd2;color:#8e0000;font-weight:bold}.last-error{color:#b00020;font-size:12px;white-space:nowrap}#checklist li.done{color:#137333}#checklist li.skipped{color:#888}#checklist li.working{color:#1565c0}.mark{display:inline-block;width:1.3em;font-weight:bold}#checklist b{display:inline-block;min-width:1.6em}\
.hint{color:#555;font-size:12px}.screens{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.6em;min-width:0}\
.panel{min-width:0;border:1px solid #bbb;border-radius:4px;padding:.4em .6em;background:#fafafa}.panel h2{font-size:15px;margin:.2em 0}\
.panel h3{font-size:14px;margin:.4em 0}table{border-collapse:collapse;max-width:100%}td,th{padding:1px 4px;text-align:left}\
caption{text-align:left;font-weight:bold}.st{display:inline-block;padding:0 .4em;border-radius:3px;font-size:12px;white-space:nowrap}\
.st-ok{background:#2e7d32;color:#fff}.st-error{background:#c62828;color:#fff}.st-suspend{background:#f9a825;color:#000}\
.st-pending{background:#1565c0;color:#fff}.st-off{background:#9e9e9e;color:#fff}\
.prompt{border:2px solid #c62828;background:#fff3f3;padding:.4em;margin:.4em 0}\
.outcome{margin:.4em .8em;padding:.4em;background:#fff8e1;border:1px solid #f9a825}\
#event-log{margin:.4em .6em 0;border:1px solid #bbb;border-radius:4px;background:#fcfcf7;padding:.2em .6em}#event-log h2{font-size:13px;margin:.1em 0}#events{max-height:180px;overflow:auto;white-space:pre-wrap;font-size:12px;margin:0}\
button{font:inherit;padding:1px 6px;white-space:nowrap}button:focus,a:focus,select:focus,input:focus{outline:3px solid #ff9800}\
details summary{font-weight:bold;cursor:pointer}.components{font-size:12px;color:#444}main.landing{max-width:700px;margin:2em auto}";
