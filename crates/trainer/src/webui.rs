//! The cluster's manager as its operator knows it (Cluster WebUI, reached on port 29003): a
//! menu bar, the tree of the cluster (servers, groups and their resources, monitors) on the
//! left, the status of the item chosen in the tree beside it, and the alert log below. Its
//! actions are one-button forms in the status panes and the menu bar; the page's script adds
//! the right-click menu, the [OK]/[Cancel] question before acting, and the Move Group dialog
//! that asks for the destination server. Without the script every pane is shown and every
//! form acts at once.

use std::fmt::Write as _;

use procedure::backend::{ClusterService, Power, ResourceStatus};
use procedure::event::{EventKind, is_routine};
use run_report::escape;

use super::alerts::{Severity, severity};
use super::events::{self, clock_text};
use super::forms::Button;
use super::session::Training;
use super::status::{self, Word};
use super::text::{Lang, T};

/// How many lines of the alert log the page shows (newest first).
const LOG_LINES: usize = 40;

/// One item of the tree: its pane's id, what it is called, its status, and the buttons (by
/// element id) its right-click menu offers.
struct Item<'a> {
    pane: String,
    label: &'a str,
    badge: String,
    menu: Vec<String>,
}

impl Item<'_> {
    fn open(&self, out: &mut String) {
        let _ = write!(
            out,
            "<li role=\"treeitem\"><a class=\"item\" href=\"#{0}\" id=\"tree-{0}\" data-pane=\"{0}\" data-menu=\"{1}\">{2}</a> {3}",
            self.pane,
            self.menu.join(" "),
            self.label,
            self.badge
        );
    }
}

/// The whole manager window.
pub fn window(out: &mut String, training: &Training, id: &str, lang: Lang) {
    let ended = training.end().is_some();
    let _ = write!(
        out,
        "<section id=\"cluster-manager\" class=\"window webui\"><h2 class=\"titlebar\">{} <small>http://localhost:29003/</small></h2>",
        lang.t(T::ClusterManager)
    );
    if !ended {
        let _ = write!(
            out,
            "<div class=\"menubar\" role=\"toolbar\" aria-label=\"{0}\"><span class=\"menu-title\">{0}</span>",
            lang.t(T::ServiceMenu)
        );
        let whole = lang.t(T::Cluster);
        for (act, label) in [("suspend-cluster", T::SuspendCluster), ("resume-cluster", T::ResumeCluster)] {
            let label = lang.t(label);
            let question = escape(&lang.fill(T::ConfirmAct, &[whole, label]));
            Button { session: id, act, fields: &[], label, id: &[act] }.render_asking(out, Some(&question));
        }
        out.push_str("</div>");
    }
    out.push_str("<div class=\"webui-body\">");
    tree(out, training, lang);
    let _ = write!(out, "<div id=\"panes\"><p class=\"hint tree-hint\">{}</p>", lang.t(T::TreeHint));
    cluster_pane(out, training, lang);
    server_panes(out, training, id, lang);
    group_panes(out, training, id, lang);
    resource_panes(out, training, id, lang);
    monitor_panes(out, training, lang);
    out.push_str("</div></div>");
    alert_log(out, training, lang);
    out.push_str("</section>\n");
}

/// The cluster's overall word: suspended while any server is, else online while any runs.
fn cluster_word(training: &Training) -> Word {
    let nodes = &training.sim().observation().nodes;
    let suspended = nodes.iter().find(|node| {
        node.power == Power::Up
            && matches!(node.cluster, ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming)
    });
    let running = nodes.iter().find(|node| node.power == Power::Up && node.cluster == ClusterService::Running);
    match suspended.or(running) {
        Some(node) => status::server(node.power, node.cluster),
        None => status::server(Power::Up, ClusterService::Stopped),
    }
}

fn tree(out: &mut String, training: &Training, lang: Lang) {
    let course = training.course();
    let names = &course.names;
    let cluster = &course.setup.cluster;
    let obs = training.sim().observation();
    let ended = training.end().is_some();
    let menu = |ids: &[String]| if ended { Vec::new() } else { ids.to_vec() };
    let _ =
        write!(out, "<nav id=\"tree\" aria-label=\"{0}\"><ul role=\"tree\" aria-label=\"{0}\">", lang.t(T::TreeLabel));
    Item {
        pane: "pane-cluster".to_owned(),
        label: lang.t(T::Cluster),
        badge: cluster_word(training).badge(lang),
        menu: menu(&["suspend-cluster".to_owned(), "resume-cluster".to_owned()]),
    }
    .open(out);
    let _ = write!(
        out,
        "<ul role=\"group\"><li role=\"treeitem\"><span class=\"folder\">{}</span><ul role=\"group\">",
        lang.t(T::Servers)
    );
    for (n, node) in obs.nodes.iter().enumerate() {
        let name = &names.nodes[n];
        let button = match node.cluster {
            ClusterService::Stopped => format!("start-cluster-{}", name.slug),
            _ => format!("stop-cluster-{}", name.slug),
        };
        let item = Item {
            pane: format!("pane-server-{}", name.slug),
            label: &name.html,
            badge: status::server(node.power, node.cluster).badge(lang),
            menu: menu(&[button]),
        };
        item.open(out);
        out.push_str("</li>");
    }
    let _ = write!(
        out,
        "</ul></li><li role=\"treeitem\"><span class=\"folder\">{}</span><ul role=\"group\">",
        lang.t(T::Groups)
    );
    for (g, group) in cluster.groups.iter().enumerate() {
        let name = &names.groups[g];
        let item = Item {
            pane: format!("pane-group-{}", name.slug),
            label: &name.html,
            badge: status::group(obs.groups[g].status).badge(lang),
            menu: menu(&[format!("move-{}", name.slug)]),
        };
        item.open(out);
        out.push_str("<ul role=\"group\">");
        for resource in &group.resources {
            let state = obs.resources[resource.index()].status;
            let name = &names.resources[resource.index()];
            let item = Item {
                pane: format!("pane-resource-{}", name.slug),
                label: &name.html,
                badge: status::resource(state).badge(lang),
                menu: menu(&[format!("{}-{}", resource_act(state).0, name.slug)]),
            };
            item.open(out);
            out.push_str("</li>");
        }
        out.push_str("</ul></li>");
    }
    let _ = write!(
        out,
        "</ul></li><li role=\"treeitem\"><span class=\"folder\">{}</span><ul role=\"group\">",
        lang.t(T::Monitors)
    );
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        let worst = obs.nodes.iter().map(|node| status::monitor(node.monitors[m])).find(|w| w.colour == "error");
        let word = worst.unwrap_or_else(|| status::monitor(obs.nodes[0].monitors[m]));
        let mut badge = word.badge(lang);
        if (0..obs.nodes.len()).any(|n| training.monitor_error(n, m).is_some()) {
            badge.push_str(" <span class=\"last-error-mark\">⚠</span>");
        }
        let label = escape(&monitor.name);
        let item = Item { pane: format!("pane-monitor-{m}"), label: &label, badge, menu: Vec::new() };
        item.open(out);
        out.push_str("</li>");
    }
    out.push_str("</ul></li></ul></li></ul></nav>");
}

/// A resource's button: to start it when it is down, else to stop it (act, label, id prefix).
fn resource_act(state: ResourceStatus) -> (&'static str, T) {
    match state {
        ResourceStatus::Offline | ResourceStatus::OnlineFailure => ("start-resource", T::StartService),
        _ => ("stop-resource", T::StopService),
    }
}

fn pane_open(out: &mut String, pane: &str, kind: T, title: &str, badge: &str, lang: Lang) {
    let _ = write!(
        out,
        "<section class=\"pane\" id=\"{pane}\"><h3><span class=\"kind\">{}</span> {title} {badge}</h3>",
        lang.t(kind)
    );
}

fn cluster_pane(out: &mut String, training: &Training, lang: Lang) {
    let course = training.course();
    let setup = &course.setup;
    let obs = training.sim().observation();
    pane_open(out, "pane-cluster", T::Cluster, "", &cluster_word(training).badge(lang), lang);
    let _ = write!(out, "<table class=\"servers\"><caption>{}</caption>", lang.t(T::Servers));
    for (n, node) in obs.nodes.iter().enumerate() {
        let word = status::server(node.power, node.cluster).badge(lang);
        let _ = write!(out, "<tr data-server=\"{0}\"><td>{0}</td><td>{1}</td></tr>", course.names.nodes[n].html, word);
    }
    let _ = write!(out, "</table><table class=\"groups\"><caption>{}</caption>", lang.t(T::Groups));
    for (g, state) in obs.groups.iter().enumerate() {
        let owner = state.owner.map_or("-", |o| setup.node_name(o));
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}: {}</td></tr>",
            course.names.groups[g].html,
            status::group(state.status).badge(lang),
            lang.t(T::CurrentServer),
            escape(owner)
        );
    }
    out.push_str("</table>");
    monitor_table(out, training, lang, None);
    out.push_str("</section>");
}

/// The monitors (all, or one) per server, each with its last error until acknowledged.
fn monitor_table(out: &mut String, training: &Training, lang: Lang, only: Option<usize>) {
    let cluster = &training.course().setup.cluster;
    let obs = training.sim().observation();
    let _ = write!(out, "<table class=\"monitors\"><caption>{}</caption><tr><th></th>", lang.t(T::Monitors));
    for name in &training.course().names.nodes {
        let _ = write!(out, "<th>{}</th>", name.html);
    }
    out.push_str("</tr>");
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        if only.is_some_and(|only| only != m) {
            continue;
        }
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
    out.push_str("</table>");
}

fn server_panes(out: &mut String, training: &Training, id: &str, lang: Lang) {
    let names = &training.course().names;
    let ended = training.end().is_some();
    for (n, node) in training.sim().observation().nodes.iter().enumerate() {
        let name = &names.nodes[n];
        let word = status::server(node.power, node.cluster).badge(lang);
        pane_open(out, &format!("pane-server-{}", name.slug), T::Node, &name.html, &word, lang);
        // The server's cluster service (clpcl -t / -s): what an operator might do instead of
        // suspending.
        if !ended && node.power == Power::Up {
            let (act, label, prefix) = match node.cluster {
                ClusterService::Stopped => ("start-cluster-service", T::StartClusterService, "start-cluster"),
                _ => ("stop-cluster-service", T::StopClusterService, "stop-cluster"),
            };
            let label = lang.t(label);
            let question = escape(&lang.fill(T::ConfirmAct, &[&name.html, label]));
            Button { session: id, act, fields: &[("node", &name.html)], label, id: &[prefix, "-", &name.slug] }
                .render_asking(out, Some(&question));
        }
        out.push_str("</section>");
    }
}

fn group_panes(out: &mut String, training: &Training, id: &str, lang: Lang) {
    let course = training.course();
    let setup = &course.setup;
    let names = &course.names;
    let obs = training.sim().observation();
    let ended = training.end().is_some();
    for (g, group) in setup.cluster.groups.iter().enumerate() {
        let state = obs.groups[g];
        let name = &names.groups[g];
        let owner = state.owner.map_or("-", |o| setup.node_name(o));
        let pane = format!("pane-group-{}", name.slug);
        pane_open(out, &pane, T::Group, &name.html, &status::group(state.status).badge(lang), lang);
        let _ = write!(
            out,
            "<div class=\"group\" id=\"group-{}\"><p class=\"owner\">{}: {}</p><table class=\"resources\"><caption>{}</caption>",
            name.slug,
            lang.t(T::CurrentServer),
            escape(owner),
            lang.t(T::Resources)
        );
        for resource in &group.resources {
            let word = status::resource(obs.resources[resource.index()].status).badge(lang);
            let _ = write!(out, "<tr><td>{}</td><td>{word}</td></tr>", names.resources[resource.index()].html);
        }
        out.push_str("</table></div>");
        if !ended {
            // Without the script the server is chosen in the form; with it, in the dialog.
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/s/{id}/act\" class=\"act move\" id=\"move-form-{0}\"><input type=\"hidden\" name=\"do\" value=\"move-group\"><input type=\"hidden\" name=\"group\" value=\"{1}\"><label class=\"choice\">{2} <select name=\"to\" id=\"move-to-{0}\">",
                name.slug,
                name.html,
                lang.t(T::MoveTo)
            );
            let mut dialog = String::new();
            let _ = write!(
                dialog,
                "<dialog id=\"move-dialog-{0}\" class=\"dialog\" data-form=\"move-form-{0}\" aria-labelledby=\"move-title-{0}\"><h3 id=\"move-title-{0}\" class=\"titlebar\">{1}</h3><p>{2}</p><fieldset>",
                name.slug,
                escape(&lang.fill(T::MoveTitle, &[&name.html])),
                lang.t(T::MoveChoose)
            );
            let mut chosen = false;
            for &node in &group.policy {
                let server = &names.nodes[node.index()];
                let other = Some(node) != state.owner;
                let selected = if other && !chosen { " selected" } else { "" };
                let checked = if other && !chosen { " checked" } else { "" };
                chosen |= other;
                let _ = write!(out, "<option value=\"{0}\"{selected}>{0}</option>", server.html);
                let word = status::server(obs.nodes[node.index()].power, obs.nodes[node.index()].cluster);
                let _ = write!(
                    dialog,
                    "<label><input type=\"radio\" name=\"move-choice-{}\" id=\"move-choice-{}-{}\" value=\"{}\"{checked}> {} {}</label>",
                    name.slug,
                    name.slug,
                    server.slug,
                    server.html,
                    server.html,
                    word.badge(lang)
                );
            }
            let _ = write!(
                dialog,
                "</fieldset><div class=\"buttons\"><button type=\"button\" class=\"ok\" id=\"move-ok-{0}\">{1}</button><button type=\"button\" class=\"cancel\" id=\"move-cancel-{0}\">{2}</button></div></dialog>",
                name.slug,
                lang.t(T::Ok),
                lang.t(T::Cancel)
            );
            let _ = write!(
                out,
                "</select></label> <button type=\"submit\" id=\"move-{}\" data-move-dialog=\"move-dialog-{}\">{}</button></form>",
                name.slug,
                name.slug,
                lang.t(T::Move)
            );
            out.push_str(&dialog);
        }
        out.push_str("</section>");
    }
}

fn resource_panes(out: &mut String, training: &Training, id: &str, lang: Lang) {
    let course = training.course();
    let names = &course.names;
    let obs = training.sim().observation();
    let ended = training.end().is_some();
    for (r, resource) in course.setup.cluster.resources.iter().enumerate() {
        let state = obs.resources[r].status;
        let name = &names.resources[r];
        pane_open(
            out,
            &format!("pane-resource-{}", name.slug),
            T::Resource,
            &name.html,
            &status::resource(state).badge(lang),
            lang,
        );
        let _ = write!(out, "<p>{}: {}</p>", lang.t(T::Group), names.groups[resource.group.index()].html);
        // Right-click → Stop / Start on the real manager: one resource, and what depends on it.
        if !ended {
            let (act, label) = resource_act(state);
            let label = lang.t(label);
            let question = escape(&lang.fill(T::ConfirmAct, &[&name.html, label]));
            Button { session: id, act, fields: &[("resource", &name.html)], label, id: &[act, "-", &name.slug] }
                .render_asking(out, Some(&question));
        }
        out.push_str("</section>");
    }
}

fn monitor_panes(out: &mut String, training: &Training, lang: Lang) {
    let cluster = &training.course().setup.cluster;
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        pane_open(out, &format!("pane-monitor-{m}"), T::Monitor, &escape(&monitor.name), "", lang);
        monitor_table(out, training, lang, Some(m));
        out.push_str("</section>");
    }
}

/// The alert log, newest first: each event's type, time, server and message; the alerts not
/// yet acknowledged are highlighted.
fn alert_log(out: &mut String, training: &Training, lang: Lang) {
    let setup = &training.course().setup;
    let alerting = training.alerts();
    let shown = training
        .sim()
        .trace()
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, e)| !is_routine(&e.kind) && !matches!(e.kind, EventKind::FaultInjected { .. }))
        .take(LOG_LINES);
    let _ = write!(out, "<section id=\"event-log\"><h3>{}</h3>", lang.t(T::AlertLog));
    let mut any = false;
    for (index, event) in shown {
        if !any {
            any = true;
            let _ = write!(
                out,
                "<div class=\"log-scroll\" tabindex=\"0\"><table id=\"events\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                lang.t(T::LogType),
                lang.t(T::LogTime),
                lang.t(T::Node),
                lang.t(T::LogMessage)
            );
        }
        let severity = severity(&event.kind);
        let word = match severity {
            Severity::Error => T::SeverityError,
            Severity::Warning => T::SeverityWarning,
            Severity::Info => T::SeverityInfo,
        };
        let node = event.kind.node().map_or("-", |node| setup.node_name(node));
        let text = escape(&events::describe(setup, &event.kind, lang));
        let _ = write!(
            out,
            "<tr class=\"sev-{0}\" data-severity=\"{0}\"><td><span class=\"sev\">{1}</span></td><td>{2}</td><td>{3}</td><td>",
            severity.code(),
            lang.t(word),
            clock_text(event.at),
            escape(node)
        );
        if alerting.binary_search(&index).is_ok() {
            let _ = write!(out, "<mark class=\"alert-line\">{text}</mark>");
        } else {
            out.push_str(&text);
        }
        out.push_str("</td></tr>");
    }
    if any {
        out.push_str("</tbody></table></div>");
    } else {
        let _ = write!(out, "<p>{}</p>", lang.t(T::NothingYet));
    }
    out.push_str("</section>");
}

/// The question asked before acting and the right-click menu, filled by the page's script.
pub fn dialogs(out: &mut String, lang: Lang) {
    let _ = write!(
        out,
        "<dialog id=\"confirm-dialog\" class=\"dialog\" aria-labelledby=\"confirm-title\"><h3 id=\"confirm-title\" class=\"titlebar\">{}</h3><p id=\"confirm-message\"></p><div class=\"buttons\"><button type=\"button\" class=\"ok\" id=\"confirm-ok\">{}</button><button type=\"button\" class=\"cancel\" id=\"confirm-cancel\">{}</button></div></dialog>",
        lang.t(T::ConfirmTitle),
        lang.t(T::Ok),
        lang.t(T::Cancel)
    );
    let _ = write!(
        out,
        "<div id=\"context-menu\" role=\"menu\" aria-label=\"{}\" hidden></div><p id=\"context-empty\" hidden>{}</p>",
        lang.t(T::Actions),
        lang.t(T::NoActions)
    );
}
