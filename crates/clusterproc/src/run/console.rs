//! The operator's console during a run: progress on stderr (a bar on a terminal, lines
//! otherwise) and the confirmations of manual steps, answered or cut short by a signal.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use procedure::backend::Operation;
use procedure::driver::Operator;
use procedure::duration::{clock, human};
use procedure::engine::ManualPrompt;
use procedure::setup::Setup;

use super::summary::tag_width;
use crate::interrupt::{Answer, Questions};
use crate::output::Sink;

/// Progress on stderr and confirmations for manual steps; SIGINT and SIGTERM end a run at the
/// next safe point, and a question waiting for its answer at once, as the answer no would.
pub(crate) struct Console {
    yes: bool,
    bar: Option<ProgressBar>,
    stderr: Sink<std::io::Stderr>,
    questions: Questions,
    /// [`tag_width`], once known.
    tag_width: Option<usize>,
}

impl Console {
    pub(crate) fn new(steps: usize, yes: bool) -> Console {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(steps as u64);
            bar.set_style(
                // The bar shows how far through the procedure; the message names the step the way
                // every other output does (no second counter to disagree with its number).
                ProgressStyle::with_template("{bar:30} {msg}").expect("a valid template").progress_chars("=> "),
            );
            bar
        });
        Console { yes, bar, stderr: crate::output::stderr(), questions: Questions::install(), tag_width: None }
    }

    /// Whether a signal interrupted the run.
    pub(crate) fn was_interrupted(&self) -> bool {
        self.questions.interrupted()
    }

    pub(crate) fn line(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => {
                let _ = writeln!(self.stderr, "{text}");
            }
        }
    }

    /// Clears the bar; returns stderr, to learn whether everything reached it.
    pub(crate) fn done(self) -> Sink<std::io::Stderr> {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.stderr
    }
}

impl Operator for Console {
    fn confirm(&mut self, setup: &Setup, prompt: &ManualPrompt) -> bool {
        if self.yes {
            return true;
        }
        let step = &setup.procedure.steps[prompt.step];
        let text = format!(
            "Step {} on {}: {}\nType `done` when it is done (anything else stops the run): ",
            step.label(),
            setup.node_name(prompt.node),
            prompt.instruction
        );
        let (stderr, questions) = (&mut self.stderr, &self.questions);
        let mut ask = || {
            let _ = write!(stderr, "{text}");
            let _ = stderr.flush();
            // No one sees a question that could not be written: that is not a confirmation.
            if stderr.failed() {
                return Answer::Closed;
            }
            let answer = questions.read_line();
            if answer == Answer::Interrupted {
                // The prompt's line stays unfinished (the terminal may have echoed ^C).
                let _ = writeln!(stderr);
            }
            answer
        };
        // The bar stays out of the way until the operator has answered.
        let answer = match &self.bar {
            Some(bar) => bar.suspend(ask),
            None => ask(),
        };
        matches!(answer, Answer::Line(line) if line.trim() == "done")
    }

    fn interrupted(&mut self) -> bool {
        self.questions.interrupted()
    }

    fn step_started(&mut self, setup: &Setup, step: usize, at: Duration) {
        let spec = &setup.procedure.steps[step];
        let width = *self.tag_width.get_or_insert_with(|| tag_width(setup));
        let text = format!("[{:>width$}] {} {} {}", spec.tag(), clock(at), spec.id, spec.title);
        if let Some(bar) = &self.bar {
            bar.set_position(step as u64);
            bar.set_message(format!("step {}: {}", spec.label(), spec.title));
        }
        self.line(&text);
    }

    fn operation(&mut self, setup: &Setup, operation: &Operation, at: Duration) {
        if self.bar.is_none() {
            let record = procedure::journal::OperationRecord::from_operation(setup, operation);
            let target = record
                .service
                .or(record.resource)
                .or(record.monitor)
                .or(record.to.map(|to| format!("to {to}")))
                .or(record.folder);
            let target = target.map(|t| format!(" {t}")).unwrap_or_default();
            let width = *self.tag_width.get_or_insert_with(|| tag_width(setup));
            let _ = writeln!(
                self.stderr,
                "{:indent$}{} {}{target} on {}",
                "",
                clock(at),
                operation.verb(),
                record.node,
                indent = width + 7
            );
        }
    }

    fn waiting(&mut self, setup: &Setup, step: usize, since: Duration, now: Duration) {
        if let Some(bar) = &self.bar {
            let spec = &setup.procedure.steps[step];
            bar.set_message(format!("{} waiting {}", spec.id, human(now.saturating_sub(since))));
        }
    }
}
