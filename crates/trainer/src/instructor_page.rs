//! The instructor's page: every session's row, kept live by a script that asks
//! `/instructor/sessions.json?after=N` again as soon as it answers (the server answers when
//! something changed), the fault and pause controls, and the export links. The rows are
//! written with `textContent`, never as markup: a trainee's name is the trainee's text.

use std::fmt::Write as _;

use procedure::fault::FaultKind;
use run_report::escape;

use super::classroom_text::C;
use super::course::Course;
use super::guide;
use super::text::Lang;

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK JP',sans-serif;margin:0 auto;max-width:1200px;padding:0 .8em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;white-space:nowrap}\
td.step{white-space:normal}tr.paused{background:#fff4d6}tr.recovering{background:#fde7e9}tr.finished{background:#e6f4ea}\
fieldset{margin:.6em 0;border:1px solid #bbb}label{margin-right:.8em;display:inline-block}#sent{color:#137333;min-height:1.2em}";

fn select(out: &mut String, id: &str, label: &str, options: &[(String, String)]) {
    let _ = write!(out, "<label>{} <select id=\"{id}\">", escape(label));
    for (value, text) in options {
        let _ = write!(out, "<option value=\"{}\">{}</option>", escape(value), escape(text));
    }
    out.push_str("</select></label>");
}

/// The page, in `lang`.
pub fn page(course: &Course, lang: Lang) -> String {
    let setup = &course.setup;
    let cluster = &setup.cluster;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        lang.c(C::InstructorTitle)
    );
    let _ = write!(out, "<h1>{}</h1><p>{}</p>", lang.c(C::InstructorTitle), lang.c(C::Live));
    let _ = write!(
        out,
        "<p>{}: <a id=\"export-csv\" href=\"/instructor/results.csv\" download>CSV</a> · <a id=\"export-junit\" href=\"/instructor/results.xml\" download>JUnit XML</a></p>",
        lang.c(C::Export)
    );
    let _ = write!(out, "<h2>{}</h2><table id=\"sessions\"><thead><tr>", lang.c(C::Sessions));
    for column in [
        C::ColSession,
        C::ColTrainee,
        C::ColStep,
        C::ColDone,
        C::ColMistakes,
        C::ColOutOfOrder,
        C::ColHints,
        C::ColScore,
        C::ColState,
    ] {
        let _ = write!(out, "<th>{}</th>", lang.c(column));
    }
    let _ = write!(
        out,
        "</tr></thead><tbody id=\"rows\"></tbody></table><p id=\"no-sessions\">{}</p>",
        lang.c(C::NoSessions)
    );
    // The controls act on the session chosen here.
    let _ = write!(out, "<fieldset><legend>{}</legend>", lang.c(C::InjectTitle));
    out.push_str("<label><select id=\"target-session\"></select></label>");
    let kinds: Vec<(String, String)> =
        FaultKind::ALL.iter().map(|kind| (kind.name().to_owned(), kind.name().to_owned())).collect();
    select(&mut out, "fault-kind", lang.c(C::FaultKind), &kinds);
    let none = || (String::new(), lang.c(C::None).to_owned());
    let names =
        |list: Vec<String>| std::iter::once(none()).chain(list.into_iter().map(|n| (n.clone(), n))).collect::<Vec<_>>();
    select(&mut out, "fault-node", lang.c(C::Server), &names(cluster.nodes.iter().map(|n| n.name.clone()).collect()));
    select(
        &mut out,
        "fault-service",
        lang.c(C::Service),
        &names(cluster.services.iter().map(|s| s.name.clone()).collect()),
    );
    select(
        &mut out,
        "fault-monitor",
        lang.c(C::Monitor),
        &names(cluster.monitors.iter().map(|m| m.name.clone()).collect()),
    );
    select(&mut out, "fault-group", lang.c(C::Group), &names(cluster.groups.iter().map(|g| g.name.clone()).collect()));
    select(
        &mut out,
        "fault-resource",
        lang.c(C::Resource),
        &names(cluster.resources.iter().map(|r| r.name.clone()).collect()),
    );
    let mut when = vec![(String::new(), lang.c(C::AtOnce).to_owned())];
    for step in &setup.procedure.steps {
        when.push((step.id.clone(), lang.c_fill(C::BeforeStep, &[&guide::label(step, lang)])));
    }
    select(&mut out, "fault-step", lang.c(C::When), &when);
    let _ = write!(out, "<button id=\"inject\" type=\"button\">{}</button></fieldset>", lang.c(C::Inject));
    let _ = write!(
        out,
        "<fieldset><legend>{}</legend><label>{} <input id=\"pause-reason\" maxlength=\"200\"></label><button id=\"pause\" type=\"button\">{}</button> <button id=\"resume\" type=\"button\">{}</button></fieldset><p id=\"sent\" role=\"status\"></p>",
        lang.c(C::PauseTitle),
        lang.c(C::Reason),
        lang.c(C::Pause),
        lang.c(C::Resume)
    );
    let _ = write!(
        out,
        "<script>const LANG='{}',ANON='{}',SENT='{}';{SCRIPT}</script>\n</body>\n</html>\n",
        lang.code(),
        lang.c(C::Anonymous),
        lang.c(C::Sent)
    );
    out
}

/// The page's script: the long poll that keeps the rows live, and the controls.
const SCRIPT: &str = r#"
const rows = document.getElementById('rows');
const chosen = document.getElementById('target-session');
let version = null;
function cell(tr, cls, text) { const td = document.createElement('td'); td.className = cls; td.textContent = text; tr.appendChild(td); }
function show(sessions) {
  document.getElementById('no-sessions').hidden = sessions.length > 0;
  const keep = chosen.value;
  rows.replaceChildren();
  chosen.replaceChildren();
  for (const s of sessions) {
    const tr = document.createElement('tr');
    tr.dataset.session = s.id; tr.className = s.state;
    cell(tr, 'id', s.id); cell(tr, 'name', s.name ?? ANON); cell(tr, 'step', s.step);
    cell(tr, 'done', `${s.steps_done} / ${s.steps_total}`); cell(tr, 'mistakes', String(s.mistakes));
    cell(tr, 'out-of-order', String(s.out_of_order)); cell(tr, 'hints', String(s.hints));
    cell(tr, 'score', String(s.score)); cell(tr, 'state', s.state_text);
    tr.dataset.actions = String(s.actions);
    rows.appendChild(tr);
    const option = document.createElement('option');
    option.value = s.id; option.textContent = `${s.id} ${s.name ?? ANON}`;
    chosen.appendChild(option);
  }
  if ([...chosen.options].some((o) => o.value === keep)) chosen.value = keep;
}
async function follow() {
  for (;;) {
    try {
      const after = version === null ? '' : `&after=${version}`;
      const answer = await fetch(`/instructor/sessions.json?lang=${LANG}${after}`, { cache: 'no-store' });
      if (!answer.ok) throw new Error(String(answer.status));
      const data = await answer.json();
      version = data.version;
      show(data.sessions);
      document.body.dataset.version = String(version);
    } catch (e) {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
async function send(path, body) {
  const said = document.getElementById('sent');
  said.textContent = '';
  const answer = await fetch(`/instructor/s/${encodeURIComponent(chosen.value)}/${path}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const data = await answer.json().catch(() => ({}));
  said.textContent = answer.ok ? SENT : (data.error ?? String(answer.status));
  said.className = answer.ok ? 'ok' : 'error';
}
const value = (id) => document.getElementById(id).value;
document.getElementById('inject').addEventListener('click', () => send('inject', {
  kind: value('fault-kind'), node: value('fault-node'), service: value('fault-service'), monitor: value('fault-monitor'),
  group: value('fault-group'), resource: value('fault-resource'), step: value('fault-step'),
}));
document.getElementById('pause').addEventListener('click', () => send('pause', { reason: value('pause-reason') }));
document.getElementById('resume').addEventListener('click', () => send('resume', {}));
follow();
"#;
