//! The debrief of a training session: each invariant passed, violated (when, where, the
//! events that show it, why it matters, and what the procedure itself says) or not reached;
//! a score; the first mistake and what the procedure would have done next; the timeline.
//! As JSON for records and as a self-contained HTML page that can be saved.

use procedure::action::kind::Kind as _;
use procedure::action::{StopMonitoring, SuspendCluster, UnzipModule};
use procedure::backend::Backend as _;
use std::fmt::Write as _;
use std::time::Duration;

use procedure::duration::clock;
use procedure::invariant::{Invariant, Violation};
use procedure::setup::Setup;
use serde::Serialize;

use super::act::Act;
use super::events;
use super::guide;
use super::practice_page::RecoveryVerdict;
use super::score::Score;
use super::session::{End, Logged, Training};
use super::text::{Lang, T};
use super::words::{act_words, describe};
use run_report::{RunReport, STYLE, escape, ms};

/// See the module documentation.
#[derive(Debug, Clone, Serialize)]
pub struct Debrief {
    /// The procedure's title, in the debrief's language.
    pub title: String,
    /// The scenario rehearsed, when the course has one: its title (in Japanese, its file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// The language of the texts.
    pub lang: Lang,
    /// `finished`, `gave-up`, or absent while the session goes on.
    pub end: Option<End>,
    /// Virtual time at the end (or now), ms.
    pub at_ms: u64,
    /// The score, 0 to 100 (see [`Score`]).
    pub score: u32,
    /// How it was made.
    pub score_parts: Score,
    /// The actions out of the procedure's order: `hh:mm:ss action — the step expected`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub out_of_order: Vec<String>,
    /// Every invariant's verdict.
    pub invariants: Vec<Verdict>,
    /// The first mistake, if there was one.
    pub first_mistake: Option<Mistake>,
    /// The recovery exercise, when one began: how it went and whether the cluster serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoveryVerdict>,
    /// What the trainee did.
    pub actions: Vec<Logged>,
    /// The scenario's faults, as they struck: `hh:mm:ss what`, in the debrief's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenario_faults: Vec<String>,
}

/// One invariant's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Its id.
    pub id: String,
    /// `passed`, `violated`, `not-reached`.
    pub verdict: &'static str,
    /// When it broke, ms.
    pub at_ms: Option<u64>,
    /// On which node.
    pub node: Option<String>,
    /// During which step (the step the trainee's operations were in).
    pub step: Option<String>,
    /// What broke it.
    pub detail: Option<String>,
    /// The events that show it, as trace lines (in the debrief's language).
    pub events: Vec<String>,
    /// Why it matters, in plain words.
    pub why: &'static str,
    /// What the procedure file says about it, in its own words.
    pub procedure_says: Vec<String>,
}

/// The first mistake.
#[derive(Debug, Clone, Serialize)]
pub struct Mistake {
    /// The invariant that broke first.
    pub invariant: String,
    /// When, ms.
    pub at_ms: u64,
    /// The trainee's last action before it, in words.
    pub action: Option<String>,
    /// The correct next action, in words.
    pub correct: Option<String>,
}

/// How many invariants `violations` break, leaving out those first broken by the recovery
/// (at or after it began, and among what it broke): they are the recovery's mistakes,
/// counted in its points. The debrief's score and the instructor's live one both count so.
pub(crate) fn broken_outside_recovery(violations: &[Violation], recovery: Option<&RecoveryVerdict>) -> u32 {
    let broken = Invariant::ALL.into_iter().filter(|&invariant| {
        let Some(first) = violations.iter().find(|v| v.invariant == invariant) else { return false };
        !recovery.is_some_and(|r| ms(first.at) >= r.began_ms && r.broken.iter().any(|id| id == invariant.id()))
    });
    broken.count() as u32
}

impl Debrief {
    /// The debrief of a session as it stands (final invariants only once it finished).
    pub fn of(training: &Training, lang: Lang) -> Debrief {
        let course = training.course();
        let setup = &course.setup;
        let sim = training.sim();
        let end = training.end();
        let mut judge = training.judge().clone();
        if let Some((End::Finished, _)) = end {
            // The final state as observed at the end (the stored observation is dated at its
            // last reading).
            let mut last = sim.observation().clone();
            last.at = sim.now();
            judge.finish(setup, &last, setup.cluster.initial_active(), &setup.cluster.initial_standbys());
        }
        let violations = judge.violations();
        let invariants: Vec<Verdict> = Invariant::ALL
            .into_iter()
            .map(|invariant| {
                let violation = violations.iter().find(|v| v.invariant == invariant);
                let verdict = match violation {
                    Some(_) => "violated",
                    None if invariant.is_safety() || matches!(end, Some((End::Finished, _))) => "passed",
                    None => "not-reached",
                };
                Verdict {
                    id: invariant.id().to_owned(),
                    verdict,
                    at_ms: violation.map(|v| ms(v.at)),
                    node: violation.and_then(|v| v.node).map(|n| setup.node_name(n).to_owned()),
                    step: violation.and_then(|v| v.step).map(|s| guide::label(&setup.procedure.steps[s], lang)),
                    detail: violation
                        .map(|v| lang.detail(invariant, &v.detail, v.node.map(|node| setup.node_name(node)))),
                    events: violation
                        .map(|v| {
                            v.evidence
                                .iter()
                                .filter_map(|&i| sim.trace().get(i))
                                .map(|e| events::line(setup, e, lang))
                                .collect()
                        })
                        .unwrap_or_default(),
                    why: lang.why(invariant),
                    procedure_says: procedure_says(setup, invariant, lang),
                }
            })
            .collect();
        // Only a session carried to its end earns a score: one given up (or not over yet)
        // has broken nothing it did not reach, and doing nothing must not score.
        let recovery = RecoveryVerdict::of(training, lang);
        let broken = broken_outside_recovery(violations, recovery.as_ref());
        let finished = matches!(end, Some((End::Finished, _)));
        let mut score = Score::new(finished, broken, training.hints().len() as u32, sim.now(), course.reference_time);
        if let Some(recovery) = &recovery {
            score = score.with_recovery(recovery.points());
        }
        let first_mistake = first(violations).map(|violation| mistake(training, violation, lang));
        let now = sim.now();
        let procedure = &setup.procedure;
        let title = match (lang, &procedure.title_ja) {
            (Lang::Ja, Some(title)) => title.clone(),
            _ => procedure.title.clone(),
        };
        let subtitle = match (lang, &course.scenario_file) {
            (_, None) => None,
            (Lang::En, Some(_)) => Some(lang.fill(T::Scenario, &[&course.title])),
            (Lang::Ja, Some(file)) => Some(lang.fill(T::Scenario, &[file])),
        };
        let out_of_order = training
            .log()
            .iter()
            .filter_map(|logged| {
                let said = guide::out_of_order(training, logged, lang)?;
                let at = clock(Duration::from_millis(logged.at_ms));
                Some(format!("{at} {} — {said}", act_words(&logged.act, lang)))
            })
            .collect();
        Debrief {
            title,
            subtitle,
            lang,
            end: end.map(|(end, _)| end),
            at_ms: ms(now),
            score: score.total,
            score_parts: score,
            out_of_order,
            invariants,
            first_mistake,
            recovery,
            actions: training.log().to_vec(),
            scenario_faults: training
                .log()
                .iter()
                .flat_map(|logged| {
                    let at = clock(Duration::from_millis(logged.at_ms));
                    logged.struck.iter().map(move |fault| format!("{at} {}", events::fault(setup, fault, lang)))
                })
                .collect(),
        }
    }

    /// Pretty JSON.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a debrief is plain data");
        text.push('\n');
        text
    }

    /// The debrief of `training` in `lang` as a self-contained page (with the timeline of its
    /// cluster) for session `session`.
    pub fn page(training: &Training, lang: Lang, session: &str) -> String {
        Debrief::of(training, lang).render_html(training, session)
    }

    /// A self-contained page; `training` is the one the debrief is [of](Debrief::of).
    fn render_html(&self, training: &Training, session: &str) -> String {
        let lang = self.lang;
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}: {}</title>\n<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n<style>{STYLE}{DEBRIEF_STYLE}</style>\n</head>\n<body>\n",
            lang.code(),
            lang.t(T::Debrief),
            escape(&self.title)
        );
        let _ = writeln!(out, "<h1>{}: {}</h1>", lang.t(T::Debrief), escape(&self.title));
        if let Some(subtitle) = &self.subtitle {
            let _ = writeln!(out, "<p class=\"subtitle\" id=\"subtitle\">{}</p>", escape(subtitle));
        }
        let when = clock(Duration::from_millis(self.at_ms));
        let ended = match self.end {
            Some(End::Finished) => lang.fill(T::Finished, &[&when]),
            Some(End::GaveUp) => lang.fill(T::GaveUp, &[&when]),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<p class=\"summary\">{} <strong id=\"score\">{}</strong> / 100{}{}{}</p>",
            lang.t(T::Score),
            self.score,
            lang.t(T::FullStop),
            // A Japanese full stop takes its own space.
            if lang == Lang::Ja { "" } else { " " },
            escape(&ended)
        );
        self.score_parts.render(&mut out, lang);
        let _ = writeln!(out, "<section id=\"first-mistake\"><h2>{}</h2>", lang.t(T::FirstMistake));
        match &self.first_mistake {
            None if self.invariants.iter().any(|v| v.verdict == "not-reached") => {
                let _ = writeln!(out, "<p>{}</p>", lang.t(T::NothingBrokenYet));
            }
            None => {
                let _ = writeln!(out, "<p>{}</p>", lang.t(T::NoMistake));
            }
            Some(mistake) => {
                let _ = writeln!(
                    out,
                    "<p><code>{}</code> {}{}</p>",
                    escape(&mistake.invariant),
                    clock(Duration::from_millis(mistake.at_ms)),
                    mistake.action.as_ref().map(|a| format!(": {}", escape(a))).unwrap_or_default()
                );
                if let Some(correct) = &mistake.correct {
                    let _ = writeln!(
                        out,
                        "<p class=\"correct\"><strong>{}:</strong> {}</p>",
                        lang.t(T::CorrectNext),
                        escape(correct)
                    );
                }
            }
        }
        out.push_str("</section>\n");
        if let Some(recovery) = &self.recovery {
            recovery.render(&mut out, lang);
        }
        if !self.out_of_order.is_empty() {
            let _ = writeln!(
                out,
                "<section id=\"out-of-order\"><h2>{}</h2><ul>{}</ul></section>",
                lang.t(T::OutOfOrderList),
                self.out_of_order.iter().map(|line| format!("<li>{}</li>", escape(line))).collect::<String>()
            );
        }
        let struck = &self.scenario_faults;
        if !struck.is_empty() {
            let _ = writeln!(
                out,
                "<section id=\"scenario-faults\"><h2>{}</h2><ul>{}</ul></section>",
                lang.t(T::FaultsOfScenario),
                struck.iter().map(|line| format!("<li>{}</li>", escape(line))).collect::<String>()
            );
        }
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n{}",
            lang.t(T::Timeline),
            RunReport::timeline_svg_in(
                &training.course().setup,
                training.sim().trace(),
                training.sim().now(),
                &|words| { lang.timeline(words) }
            )
        );
        out.push_str("<table id=\"invariants\">\n");
        for verdict in &self.invariants {
            let word = match verdict.verdict {
                "violated" => lang.t(T::Violated),
                "passed" => lang.t(T::Passed),
                _ => lang.t(T::NotReached),
            };
            let _ = write!(
                out,
                "<tr class=\"{}\" data-invariant=\"{}\"><td><code>{}</code></td><td class=\"verdict\">{}</td><td>",
                verdict.verdict,
                escape(&verdict.id),
                escape(&verdict.id),
                word
            );
            if verdict.verdict == "violated" {
                let moment = lang.fill(
                    T::Moment,
                    &[
                        &clock(Duration::from_millis(verdict.at_ms.unwrap_or_default())),
                        verdict.node.as_deref().unwrap_or(lang.t(T::Nobody)),
                    ],
                );
                let _ = write!(out, "<p class=\"moment\">{}", escape(&moment));
                if let Some(step) = &verdict.step {
                    let _ = write!(out, ", {}", escape(&lang.fill(T::DuringStep, &[step])));
                }
                out.push_str("</p>");
                if let Some(detail) = &verdict.detail {
                    let _ = write!(out, "<p class=\"detail\">{}</p>", escape(detail));
                }
                if !verdict.events.is_empty() {
                    let _ = write!(
                        out,
                        "<p>{}:</p><pre class=\"events\">{}</pre>",
                        lang.t(T::Evidence),
                        escape(&verdict.events.join("\n"))
                    );
                }
                let _ = write!(out, "<p class=\"why\">{}</p>", escape(verdict.why));
                for said in &verdict.procedure_says {
                    let _ = write!(
                        out,
                        "<blockquote class=\"procedure\"><strong>{}:</strong> {}</blockquote>",
                        lang.t(T::ProcedureSays),
                        escape(said)
                    );
                }
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</table>\n");
        let _ = writeln!(
            out,
            "<p class=\"links\"><a id=\"save-html\" download=\"debrief-{session}.html\" href=\"/s/{session}/debrief?lang={code}&amp;download=1\">{}</a> · <a id=\"save-json\" download=\"debrief-{session}.json\" href=\"/s/{session}/debrief.json?lang={code}\">{}</a> · <a id=\"action-log\" download=\"actions-{session}.json\" href=\"/s/{session}/actions.json\">{}</a> · <a href=\"/?lang={code}\">{}</a></p>",
            lang.t(T::SaveHtml),
            lang.t(T::SaveJson),
            lang.t(T::ActionLog),
            lang.t(T::Again),
            code = lang.code()
        );
        out.push_str("</body>\n</html>\n");
        out
    }
}

const DEBRIEF_STYLE: &str = "body{max-width:1100px;margin:0 auto;padding:0 .8em;overflow-wrap:anywhere}svg#timeline{max-width:100%;height:auto}\
td.verdict,td.points{white-space:nowrap;word-break:keep-all}#score-parts td{padding:1px 8px}#score-parts tr.total{font-weight:bold;border-top:1px solid #999}\
p.subtitle{color:#555;margin-top:-.4em}tr.violated .verdict{color:#b00020;font-weight:bold}tr.passed .verdict{color:#137333}\
tr.not-reached .verdict{color:#666}blockquote.procedure{border-left:4px solid #999;margin:.4em 0;padding:.2em .8em;background:#f6f6f6}\
pre.events{white-space:pre-wrap;font-size:90%}p.correct{background:#e8f0fe;padding:.5em}";

/// The violation that came first; at the same moment, the one listed first (the reboot
/// before the registry-sync resource it took down, a safety one before a final one).
fn first(violations: &[Violation]) -> Option<&Violation> {
    violations.iter().min_by_key(|v| (v.at, v.invariant))
}

/// What the procedure file says that this invariant protects: its notes, in its own words.
fn procedure_says(setup: &Setup, invariant: Invariant, lang: Lang) -> Vec<String> {
    let procedure = &setup.procedure;
    let note = |id: &'static str| {
        procedure.notes.iter().filter(move |n| n.id == id).map(move |n| {
            let text = match (lang, &n.text_ja) {
                (Lang::Ja, Some(text)) => text,
                _ => &n.text,
            };
            text.replace('\n', " ")
        })
    };
    let step_notes = |keyword: &'static str| {
        procedure
            .steps
            .iter()
            .filter(move |s| s.action.keyword() == keyword)
            .flat_map(move |s| match (lang, &s.ja) {
                (Lang::Ja, Some(ja)) => ja.notes.iter().cloned(),
                _ => s.notes.iter().cloned(),
            })
            .take(1)
    };
    match invariant {
        Invariant::RegistrySyncStoppedDuringApply | Invariant::RegistryRolledBack => note("registry-sync").collect(),
        Invariant::RebootWhileSuspended | Invariant::PendingRestartSkipped => note("restart-request").collect(),
        Invariant::PartialUpdate => note("partial-update").collect(),
        Invariant::ModuleOnMirrorDrive => step_notes(UnzipModule::KEYWORD).collect(),
        Invariant::MonitoringDuringApply => step_notes(StopMonitoring::KEYWORD).collect(),
        Invariant::FailoverDuringApply => step_notes(SuspendCluster::KEYWORD).collect(),
        _ => Vec::new(),
    }
}

/// The first mistake: the trainee's last action before the violation, and the first
/// operation of the reference run the trainee had not done by then.
fn mistake(training: &Training, violation: &Violation, lang: Lang) -> Mistake {
    let course = training.course();
    let setup = &course.setup;
    let at = ms(violation.at);
    let action = training.log().iter().rev().filter(|logged| logged.at_ms <= at).find(|logged| {
        !matches!(
            logged.act,
            Act::Wait { .. }
                | Act::WaitUntilDone
                | Act::Finish
                | Act::GiveUp
                | Act::OpenServices { .. }
                | Act::CloseServices { .. }
                | Act::Hint
                | Act::ClearAlerts
                | Act::StopAndRecover
                | Act::RecoveryPlan
                | Act::Inject(_)
        )
    });
    let next = course
        .reference
        .iter()
        .zip(training.claimed())
        .find(|(_, claimed)| claimed.is_none_or(|when| when > violation.at))
        .map(|(reference, _)| {
            let step = &setup.procedure.steps[reference.step];
            format!("{}: {}", guide::label(step, lang), describe(setup, &reference.operation, lang))
        });
    let said_yes =
        action.is_some_and(|logged| matches!(&logged.act, Act::AnswerPrompt { answer, .. } if answer == "yes"));
    let correct = if said_yes { Some(lang.fill(T::AnswerNoThen, &[next.as_deref().unwrap_or("")])) } else { next };
    Mistake {
        invariant: violation.invariant.id().to_owned(),
        at_ms: at,
        action: action.map(|logged| act_words(&logged.act, lang)),
        correct,
    }
}
