//! Every page and debrief a trainee sees, rendered in Japanese along careful and careless
//! sessions, holds no untranslated Latin-script sentence: what is left of its text (and its
//! tooltips) once the names, ids, paths and product terms are taken out has no two Latin
//! words in a row. The same check finds sentences in the English pages, so it can fail.

use std::sync::Arc;

use super::{correct_acts, scenario_course, seed_course};
use crate::act::Act;
use crate::course::Course;
use crate::debrief::Debrief;
use crate::page;
use crate::session::Training;
use crate::text::Lang;

/// Product terms and the words the screens show as the product does, in either language.
const TERMS: &[&str] = &[
    "EXPRESSCLUSTER X 3.3",
    "ExpressCluster Server",
    "Cluster Manager",
    "Application / Service Name",
    "Monitoring Status",
    "Not monitoring",
    "Monitoring",
    "Suspended",
    "Online",
    "NEC ESMPRO Manager",
    "SigmaSystemCenter",
    "System Monitor",
    "Release.txt",
    "Install.txt",
    "http://localhost:29003/",
    "Administrator",
    "clpstdn -r",
    "clusterproc",
    "English",
    "Windows",
    "HTML",
    "JSON",
    "Web",
    "SSC",
    "OS",
];

/// Visible text, tooltips and the questions asked before acting of a page, without its style
/// and script.
fn visible(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag_end = rest[open..].find('>').map_or(rest.len(), |end| open + end + 1);
        let tag = &rest[open..tag_end];
        for attribute in ["title=\"", "aria-label=\"", "data-confirm=\""] {
            if let Some(start) = tag.find(attribute) {
                let value = &tag[start + attribute.len()..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                text.push(' ');
            }
        }
        rest = &rest[tag_end..];
        for hidden in ["<style", "<script"] {
            if tag.starts_with(hidden) {
                let close = format!("</{}", &hidden[1..]);
                rest = &rest[rest.find(&close).unwrap_or(rest.len())..];
            }
        }
    }
    text.push_str(rest);
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// What may stay in Latin script: the course's names, ids, versions, folders and files, and
/// the product's terms; longest first, so that a name is taken out before a part of it.
fn allowed(course: &Course) -> Vec<String> {
    let setup = &course.setup;
    let cluster = &setup.cluster;
    let mut words: Vec<String> = TERMS.iter().map(|term| (*term).to_owned()).collect();
    words.extend(cluster.nodes.iter().map(|n| n.name.clone()));
    words.extend(cluster.services.iter().map(|s| s.name.clone()));
    words.extend(cluster.groups.iter().map(|g| g.name.clone()));
    words.extend(cluster.resources.iter().map(|r| r.name.clone()));
    words.extend(cluster.monitors.iter().map(|m| m.name.clone()));
    words.extend(cluster.components.iter().map(|c| c.name.clone()));
    words.extend(setup.procedure.modules.iter().flat_map(|m| m.components.iter()).map(|c| c.version.clone()));
    words.extend(setup.procedure.steps.iter().map(|s| s.id.clone()));
    words.extend(setup.procedure.steps.iter().map(|s| s.action.keyword().to_owned()));
    words.extend(["move-group", "suspend-cluster", "resume-cluster"].map(str::to_owned));
    words.extend(setup.procedure.notes.iter().map(|n| n.id.clone()));
    words.extend(procedure::invariant::Invariant::ALL.iter().map(|i| i.id().to_owned()));
    words.extend(setup.procedure.modules.iter().flat_map(|m| [m.id.clone(), m.archive.clone()]));
    words.extend([course.folder.clone(), course.backup_file.clone()]);
    words.extend(course.scenario_file.clone());
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    words
}

/// The first two Latin words in a row left in `text` once the allowed words are out.
fn latin_sentence(text: &str, allowed: &[String]) -> Option<String> {
    let mut text = text.to_owned();
    for word in allowed {
        text = text.replace(word.as_str(), " ");
    }
    // Paths and the like (`E:\Temp\...`) are names too.
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || "()[]「」、。:,;!?\"“”—–-/|".contains(c)).collect();
    let is_word = |w: &str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '\'');
    let mut previous: Option<&str> = None;
    for word in words {
        if word.is_empty() {
            continue;
        }
        if is_word(word) {
            if let Some(first) = previous {
                return Some(format!("{first} {word}"));
            }
            previous = Some(word);
        } else {
            previous = None;
        }
    }
    None
}

/// The pages a session shows after each of `acts`, and its debriefs, in `lang`.
fn pages(course: &Arc<Course>, acts: &[Act], lang: Lang) -> Vec<(String, String)> {
    let mut training = Training::new(Arc::clone(course));
    let mut out = vec![("landing".to_owned(), page::landing(course, lang))];
    for (index, act) in acts.iter().enumerate() {
        training.act(act.clone());
        out.push((format!("after {index} {act:?}"), page::session(&training, "s", lang)));
        if index % 10 == 0 {
            out.push((format!("debrief after {index}"), Debrief::page(&training, lang, "s")));
        }
    }
    out.push(("debrief".to_owned(), Debrief::page(&training, lang, "s")));
    out
}

/// Careful and careless sessions on the seed and on scenarios.
fn sessions() -> Vec<(Arc<Course>, Vec<Act>)> {
    let seed = seed_course();
    let correct = correct_acts(&seed);
    let mut careless: Vec<Act> = correct
        .iter()
        .filter(|act| !matches!(act, Act::SuspendCluster | Act::StopMonitoring { .. } | Act::OpenServices { .. }))
        .cloned()
        .collect();
    careless.insert(0, Act::ResumeCluster);
    careless.insert(1, Act::Hint);
    careless.insert(5, Act::Reboot { node: "ssc-node2".into() });
    let restart = scenario_course("run-restart-request.toml");
    let mut yes = correct_acts(&restart);
    let install = yes.iter().position(|act| matches!(act, Act::RunInstaller { .. })).expect("an install");
    yes.insert(install + 1, Act::Wait { seconds: "3600".into() });
    yes.insert(install + 2, Act::AnswerPrompt { node: "ssc-node1".into(), answer: "yes".into() });
    let mut gave_up = correct[..12].to_vec();
    gave_up.push(Act::GiveUp);
    // Recovery practice: after a mistake, with the plan; after an instructor's crash, with a
    // server to bring back by hand.
    let recovered = vec![
        Act::SuspendCluster,
        Act::WaitUntilDone,
        Act::Reboot { node: "ssc-node1".into() },
        Act::WaitUntilDone,
        Act::RecoveryPlan,
        Act::ResumeCluster,
        Act::WaitUntilDone,
        Act::Finish,
    ];
    let crash = Act::Inject(crate::inject::Injection {
        kind: "crash".into(),
        node: "ssc-node2".into(),
        step: String::new(),
        ..Default::default()
    });
    let brought_back = vec![
        crash,
        Act::WaitUntilDone,
        Act::StopAndRecover,
        Act::RecoveryPlan,
        Act::BringBack { node: "ssc-node2".into() },
        Act::WaitUntilDone,
        Act::RecoveryPlan,
        Act::Finish,
    ];
    vec![
        (Arc::clone(&seed), correct),
        (Arc::clone(&seed), careless),
        (restart, yes),
        (Arc::clone(&seed), gave_up),
        (Arc::clone(&seed), recovered),
        (seed, brought_back),
    ]
}

#[test]
fn the_instructors_page_in_japanese_has_no_untranslated_sentence() {
    let course = seed_course();
    let mut allowed = allowed(&course);
    // The faults' kinds are their names in files, as the instructor writes them in scenarios.
    allowed.extend(procedure::fault::FaultKind::ALL.iter().map(|kind| kind.name().to_owned()));
    allowed.extend(["JUnit XML", "CSV"].map(str::to_owned));
    allowed.sort_by_key(|word| std::cmp::Reverse(word.len()));
    let html = crate::instructor_page::page(&course, Lang::Ja);
    assert_eq!(latin_sentence(&visible(&html), &allowed), None, "{}", visible(&html));
    assert!(latin_sentence(&visible(&crate::instructor_page::page(&course, Lang::En)), &allowed).is_some());
}

#[test]
fn every_page_and_debrief_in_japanese_has_no_untranslated_sentence() {
    for (course, acts) in sessions() {
        let allowed = allowed(&course);
        for (when, html) in pages(&course, &acts, Lang::Ja) {
            if let Some(sentence) = latin_sentence(&visible(&html), &allowed) {
                panic!("{when}: untranslated \"{sentence}\" in\n{}", visible(&html));
            }
        }
    }
}

#[test]
fn the_check_finds_the_sentences_of_the_english_pages() {
    let course = seed_course();
    let allowed = allowed(&course);
    let acts = correct_acts(&course);
    for (when, html) in pages(&course, &acts[..3], Lang::En) {
        assert!(latin_sentence(&visible(&html), &allowed).is_some(), "{when}");
    }
}

/// A recovery plan may hold operations no screen has a button for (a monitor resumed, the
/// whole cluster restarted, values imported): the plan names them in the page's language too.
#[test]
fn operations_without_a_button_are_named_in_japanese() {
    use procedure::backend::Operation;
    use procedure::cluster::{GroupId, MonitorId, NodeId};
    let course = seed_course();
    let setup = &course.setup;
    let allowed = allowed(&course);
    let (node, monitor) = (NodeId(1), MonitorId(0));
    let operations = [
        Operation::SuspendMonitor { node, monitor },
        Operation::ResumeMonitor { node, monitor },
        Operation::ImportRegistry { node, file: course.backup_file.as_str().into() },
        Operation::RebootCluster { via: node },
        Operation::MoveGroup { via: node, group: GroupId(0), to: None },
    ];
    for operation in &operations {
        let japanese = crate::words::describe(setup, operation, Lang::Ja);
        assert_eq!(latin_sentence(&japanese, &allowed), None, "{operation:?}: {japanese}");
        assert!(!japanese.contains(operation.verb()), "{operation:?}: {japanese}");
        let english = crate::words::describe(setup, operation, Lang::En);
        assert_ne!(english, japanese, "{operation:?}");
    }
}
