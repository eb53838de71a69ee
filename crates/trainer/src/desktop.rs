//! Each server's own screens, as the seed's operator reaches them over Remote Desktop: the
//! ExpressCluster Server Task Manager (the watch list), the Services window (what it shows
//! counts as seen, so it is opened and closed through the trainer), the files (extract the
//! module, export the registry), the update module's installer in its own dialog with its
//! restart prompt, and Restart Windows.

use std::fmt::Write as _;

use procedure::backend::{Installer, Power, ServiceStatus, Watch};
use procedure::cluster::NodeId;
use procedure::event::EventKind;
use run_report::escape;

use super::events;
use super::forms::{Button, ServiceRow};
use super::session::Training;
use super::status;
use super::text::{Lang, T};

/// The folders the file window offers: the procedure's folder on each local drive of the
/// node, and on the mirror drive.
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

/// One server's desktop.
pub fn desktop(out: &mut String, training: &Training, id: &str, lang: Lang, n: usize) {
    let course = training.course();
    let setup = &course.setup;
    let cluster = &setup.cluster;
    let sim = training.sim();
    let node = &sim.observation().nodes[n];
    let node_id = NodeId(n as u8);
    let names = &course.names;
    let html = &names.nodes[n].html;
    let s = &names.nodes[n].slug;
    let ended = training.end().is_some();
    let _ = write!(
        out,
        "<section class=\"desktop node\" id=\"node-{s}\" data-node=\"{html}\"><h2 class=\"titlebar\">{}",
        escape(&lang.fill(T::RemoteDesktop, &[html]))
    );
    if node.power != Power::Up {
        let _ = write!(out, " {}", status::server(node.power, node.cluster).badge(lang));
    }
    out.push_str("</h2><div class=\"windows\">");
    // Task Manager.
    let _ = write!(
        out,
        "<section class=\"window taskmanager\"><h3 class=\"titlebar\">{}</h3><table><tr><th>{}</th><th>{}</th><th></th></tr>",
        lang.t(T::TaskManager),
        lang.t(T::ServiceNameColumn),
        lang.t(T::MonitoringStatusColumn)
    );
    for i in 0..cluster.services.len() {
        let Some(word) = status::watch(node.watches[i]) else { continue };
        let toggle = if node.watches[i] == Watch::Monitoring {
            ("stop-monitoring", lang.t(T::StopMonitoring), "stopmon")
        } else {
            ("start-monitoring", lang.t(T::StartMonitoring), "startmon")
        };
        let row = ServiceRow { session: id, node: &names.nodes[n], service: &names.services[i] };
        row.render(out, "data-watch", &word.badge(lang), (!ended).then_some(toggle));
    }
    out.push_str("</table></section>");
    // Services: opened and closed through the server, what an open window shows counts as seen.
    let open = training.services_open(node_id);
    let _ = write!(
        out,
        "<section class=\"window services\" data-open=\"{open}\"><h3 class=\"titlebar\">{}</h3>",
        lang.t(T::ServicesPanel)
    );
    if !ended {
        let (act, label, prefix) = if open {
            ("close-services", lang.t(T::CloseServices), "close-services-")
        } else {
            ("open-services", lang.t(T::OpenServices), "open-services-")
        };
        Button { session: id, act, fields: &[("node", html)], label, id: &[prefix, s] }.render(out);
    }
    if open {
        let _ = write!(
            out,
            "<table><tr><th>{}</th><th>{}</th><th></th></tr>",
            lang.t(T::NameColumn),
            lang.t(T::StatusColumn)
        );
        for i in 0..cluster.services.len() {
            let word = status::service(node.services[i]).badge(lang);
            let toggle = if node.services[i] == ServiceStatus::Stopped {
                ("start-service", lang.t(T::StartService), "start")
            } else {
                ("stop-service", lang.t(T::StopService), "stop")
            };
            let row = ServiceRow { session: id, node: &names.nodes[n], service: &names.services[i] };
            row.render(out, "data-service", &word, (!ended).then_some(toggle));
        }
        out.push_str("</table>");
    }
    out.push_str("</section>");
    files(out, training, id, lang, n);
    installer(out, training, id, lang, n);
    out.push_str("</div>");
    if !ended {
        out.push_str("<div class=\"taskbar\">");
        Button { session: id, act: "reboot", fields: &[("node", html)], label: lang.t(T::Reboot), id: &["reboot-", s] }
            .render(out);
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

/// Extract the module, export the registry.
fn files(out: &mut String, training: &Training, id: &str, lang: Lang, n: usize) {
    let course = training.course();
    let node = &training.sim().observation().nodes[n];
    let html = &course.names.nodes[n].html;
    let s = &course.names.nodes[n].slug;
    let choices = folders(training, NodeId(n as u8));
    let options = |out: &mut String| {
        for (folder, mirror) in &choices {
            let note = if *mirror { format!(" ({})", lang.t(T::MirrorDrive)) } else { String::new() };
            let _ = write!(out, "<option value=\"{}\">{}{}</option>", escape(folder), escape(folder), note);
        }
    };
    let _ = write!(out, "<section class=\"window files\"><h3 class=\"titlebar\">{}</h3>", lang.t(T::Files));
    if let Some(folder) = &node.unzipped {
        let _ = write!(out, "<p class=\"unzipped\">{}</p>", escape(&lang.fill(T::Unzipped, &[folder])));
    }
    if training.end().is_none() {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"unzip\"><input type=\"hidden\" name=\"node\" value=\"{html}\"><label>{} <select name=\"folder\" id=\"unzip-folder-{s}\">",
            lang.t(T::UnzipInto)
        );
        options(out);
        let _ = write!(
            out,
            "</select></label> <button type=\"submit\" id=\"unzip-{s}\">{}</button></form>",
            lang.t(T::Unzip)
        );
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"backup-registry\"><input type=\"hidden\" name=\"node\" value=\"{html}\"><label>{} {} <input name=\"file\" id=\"backup-file-{s}\" value=\"{}\"></label> <button type=\"submit\" id=\"backup-{s}\">{}</button></form>",
            lang.t(T::BackupRegistry),
            lang.t(T::BackupFile),
            escape(&course.backup_file),
            lang.t(T::BackupRegistry)
        );
    }
    out.push_str("</section>");
}

/// The installer's own dialog: its state, its progress while it runs, its restart prompt.
fn installer(out: &mut String, training: &Training, id: &str, lang: Lang, n: usize) {
    let course = training.course();
    let setup = &course.setup;
    let sim = training.sim();
    let node = &sim.observation().nodes[n];
    let node_id = NodeId(n as u8);
    let html = &course.names.nodes[n].html;
    let s = &course.names.nodes[n].slug;
    let ended = training.end().is_some();
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
    let state = match node.installer {
        Installer::Idle => "idle",
        Installer::Running => "running",
        Installer::Finished { .. } => "finished",
        Installer::Failed(_) | Installer::Interrupted(_) => "failed",
    };
    let _ = write!(
        out,
        "<section class=\"window installer\" data-installer=\"{state}\"><h3 class=\"titlebar\">{}</h3><p id=\"installer-{s}\">{}</p>",
        lang.t(T::Installer),
        escape(&word)
    );
    if matches!(node.installer, Installer::Running) {
        let _ = write!(out, "<progress aria-label=\"{}\"></progress>", lang.t(T::InstallerRunning));
    }
    if sim.prompt_open(node_id) && !ended {
        let _ = write!(
            out,
            "<div class=\"prompt\" role=\"alertdialog\" aria-labelledby=\"prompt-text-{s}\" id=\"prompt-{s}\"><p id=\"prompt-text-{s}\">{}</p><div class=\"buttons\">",
            lang.t(T::RestartPrompt)
        );
        for (answer, label) in [("yes", T::Yes), ("no", T::No)] {
            Button {
                session: id,
                act: "answer-prompt",
                fields: &[("node", html), ("answer", answer)],
                label: lang.t(label),
                id: &["prompt-", answer, "-", s],
            }
            .render(out);
        }
        out.push_str("</div></div>");
    }
    if !ended {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/s/{id}/act\" class=\"act\"><input type=\"hidden\" name=\"do\" value=\"run-installer\"><input type=\"hidden\" name=\"node\" value=\"{html}\"><select name=\"folder\" id=\"install-folder-{s}\" aria-label=\"{}\">",
            lang.t(T::Folder)
        );
        for (folder, mirror) in folders(training, node_id) {
            let note = if mirror { format!(" ({})", lang.t(T::MirrorDrive)) } else { String::new() };
            let _ = write!(out, "<option value=\"{}\">{}{}</option>", escape(&folder), escape(&folder), note);
        }
        let _ = write!(
            out,
            "</select> <button type=\"submit\" id=\"install-{s}\">{}</button></form>",
            lang.t(T::RunInstaller)
        );
    }
    let versions: Vec<String> = setup
        .cluster
        .components
        .iter()
        .enumerate()
        .map(|(c, comp)| format!("{} {}", comp.name, node.components[c]))
        .collect();
    let _ = write!(
        out,
        "<p class=\"components\">{}: {}</p></section>",
        lang.t(T::Components),
        escape(&versions.join(", "))
    );
}
