//! A run report as a self-contained HTML page: the summary, the timeline, the aftermath and
//! the recovery advice of a run that stopped, the invariants, the steps and, on real nodes,
//! every command with its exit code and output.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::duration::{clock, human};
use procedure::span_time::SpanTime;

use crate::{ReportCommand, RunReport, STYLE, escape};

impl RunReport {
    /// A self-contained HTML page: summary, timeline, invariants, steps.
    pub fn render_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>clusterproc run: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            escape(&self.module)
        );
        let _ = writeln!(out, "<h1>{}</h1>", escape(&self.title));
        let _ = writeln!(
            out,
            "<p class=\"summary result-{}\" id=\"result\"><strong>{}</strong>{}</p>",
            self.result,
            escape(&self.result),
            self.reason.as_ref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "<p>Cluster {} on the {} backend{}; run time {}.{}</p>",
            escape(&self.cluster),
            escape(&self.backend),
            self.seed.map(|s| format!(" (seed {s}, virtual time)")).unwrap_or_default(),
            human(Duration::from_millis(self.duration_ms)),
            match self.suspended_ms {
                Some((from, to)) => format!(
                    " The cluster was suspended from {} to {} ({}).",
                    clock(Duration::from_millis(from)),
                    clock(Duration::from_millis(to)),
                    human(Duration::from_millis(to.saturating_sub(from)))
                ),
                None => String::new(),
            }
        );
        out.push_str("<h2>Timeline</h2>\n");
        out.push_str(&self.render_svg());
        self.aftermath_html(&mut out);
        self.advice_html(&mut out);
        out.push_str("<h2>Invariants</h2>\n<table id=\"invariants\">\n<tr><th>invariant</th><th>kind</th><th>verdict</th><th>detail</th></tr>\n");
        for invariant in &self.invariants {
            let _ = writeln!(
                out,
                "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                invariant.verdict.replace(' ', "-"),
                escape(&invariant.id),
                invariant.kind,
                invariant.verdict,
                invariant
                    .detail
                    .as_ref()
                    .map(|d| format!(
                        "{} (at {})",
                        escape(d),
                        clock(Duration::from_millis(invariant.at_ms.unwrap_or_default()))
                    ))
                    .unwrap_or_default()
            );
        }
        out.push_str("</table>\n");
        if !self.registry_drift.is_empty() {
            out.push_str("<h2>Registry drift</h2>\n<ul id=\"registry-drift\">\n");
            for line in &self.registry_drift {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("<h2>Steps</h2>\n<table id=\"steps\">\n<tr><th>#</th><th>step</th><th>status</th><th>node</th><th>from</th><th>to</th><th>took</th><th>operations</th></tr>\n");
        for step in &self.steps {
            let number = &step.tag;
            if step.nodes.is_empty() {
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td>{number}</td><td>{}</td><td>{}{}</td><td></td><td></td><td></td><td></td><td></td></tr>",
                    step.status,
                    escape(&step.id),
                    step.status,
                    step.reason.as_ref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
                );
            }
            for node in &step.nodes {
                let operations: Vec<String> = node
                    .operations
                    .iter()
                    .map(|op| {
                        let target = op.service.as_ref().or(op.to.as_ref()).or(op.resource.as_ref());
                        match target {
                            Some(target) => format!("{} {}", op.verb, target),
                            None => op.verb.clone(),
                        }
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td>{number}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    step.status,
                    escape(&step.id),
                    if node.restart_reboot { " (restart reboot)" } else { "" },
                    step.status,
                    escape(&node.node),
                    clock(Duration::from_millis(node.started_ms)),
                    clock(Duration::from_millis(node.ended_ms)),
                    SpanTime {
                        took: Duration::from_millis(node.took_ms),
                        seen_after: Duration::from_millis(node.seen_after_ms)
                    }
                    .describe(),
                    escape(&operations.join(", "))
                );
            }
        }
        out.push_str("</table>\n");
        self.commands_html(&mut out);
        out.push_str("</body>\n</html>\n");
        out
    }

    /// What the cluster did after the stop with nobody acting.
    fn aftermath_html(&self, out: &mut String) {
        let Some(aftermath) = &self.aftermath else { return };
        let _ = writeln!(
            out,
            "<h2>Aftermath</h2>\n<p>What the cluster did after the stop at {} with nobody acting, to {} \
             (shaded on the timeline){}</p>",
            clock(Duration::from_millis(aftermath.from_ms)),
            clock(Duration::from_millis(aftermath.until_ms)),
            if aftermath.story.is_empty() { ": nothing." } else { ":" }
        );
        list(out, "aftermath", &aftermath.story);
    }

    /// How to go on, or back to a serving cluster.
    fn advice_html(&self, out: &mut String) {
        let Some(advice) = &self.advice else { return };
        out.push_str("<h2>Recovery</h2>\n<div id=\"advice\">\n");
        if let Some(command) = &advice.resume {
            let _ = writeln!(out, "<p>Once it is fixed, resume the run with:</p>\n<pre>{}</pre>", escape(command));
        }
        if let Some(command) = &advice.recover {
            let lead = if advice.resume.is_some() { "Or bring" } else { "Bring" };
            let _ = writeln!(
                out,
                "<p>{lead} the cluster back to serving (planned from where it stopped) with:</p>\n<pre>{}</pre>",
                escape(command)
            );
        }
        if !advice.registry.is_empty() {
            list(out, "registry-advice", &advice.registry);
        }
        if advice.shortfalls.is_empty() {
            out.push_str("<p>As last seen, the cluster serves: a recovery would find nothing to do.</p>\n");
        } else {
            out.push_str("<p>As last seen, the cluster does not serve:</p>\n");
            list(out, "shortfalls", &advice.shortfalls);
            out.push_str("<p>The recovery planner's steps for the cluster as last seen:</p>\n");
            let _ = writeln!(out, "<pre id=\"recovery-plan\">{}</pre>", escape(&advice.plan.join("\n")));
        }
        out.push_str("</div>\n");
    }

    /// Every command run on real nodes, step by step, with its exit code and output.
    fn commands_html(&self, out: &mut String) {
        let any = !self.commands_before.is_empty()
            || !self.commands_after.is_empty()
            || self.steps.iter().any(|step| !step.commands.is_empty());
        if !any {
            return;
        }
        out.push_str("<h2>Commands</h2>\n<table id=\"commands\">\n<tr><th>#</th><th>node</th><th>command</th><th>exit</th><th>took</th><th>output</th></tr>\n");
        let mut group = |label: &str, commands: &[ReportCommand]| {
            for command in commands {
                let exit = match (&command.error, command.exit_code) {
                    (Some(error), _) => format!("not run: {}", escape(error)),
                    (None, Some(code)) => code.to_string(),
                    (None, None) => String::new(),
                };
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{exit}</td><td>{} ms</td><td><pre>{}</pre></td></tr>",
                    if command.error.is_some() || command.exit_code.is_some_and(|c| c != 0) {
                        "nonzero"
                    } else {
                        "zero"
                    },
                    escape(label),
                    escape(&command.node),
                    escape(&command.command),
                    command.took_ms,
                    escape(&command.output)
                );
            }
        };
        group("before", &self.commands_before);
        for step in &self.steps {
            group(&step.tag, &step.commands);
        }
        group("after", &self.commands_after);
        out.push_str("</table>\n");
    }
}

/// A list of lines, by id.
fn list(out: &mut String, id: &str, lines: &[String]) {
    let _ = writeln!(out, "<ul id=\"{id}\">");
    for line in lines {
        let _ = writeln!(out, "<li>{}</li>", escape(line));
    }
    out.push_str("</ul>\n");
}
