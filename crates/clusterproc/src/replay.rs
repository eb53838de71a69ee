//! `clusterproc replay FILE`: a counterexample saved by `check`, run again. Against the
//! procedure it was found on (or one reworded since: titles, texts, notes) the run is the
//! same, and the replay says whether it reproduced the counterexample: exit 1 when it did,
//! [`EXIT_NOT_REPRODUCED`] when not (the trace differs, or the invariant holds), so that a
//! script cannot take it for a confirmation. Against a procedure edited in what it does, the
//! same faults strike in the steps they name, and the replay says whether the invariant is
//! still broken (exit 1) or now holds (exit 0): how a fix is confirmed with the old
//! counterexample. It shows the focused story (`procedure::story`), or with `--full` every
//! event.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use procedure::diagnostic::content_hash;
use procedure::duration::clock;
use procedure::event::{Event, Renderer};
use procedure::invariant::Violation;
use procedure::story::FocusedStory;
use sim_cluster::explore::Explorer;
use sim_cluster::schedule::{Placed, placed};

use crate::counterexample::{Edit, Replayable};
use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A counterexample file saved by `check`.
    pub counterexample: PathBuf,
    /// Show every event of the run, not only its focused story.
    #[arg(long)]
    pub full: bool,
    /// Replay against this procedure file instead of the one the counterexample names (a
    /// fixed copy, such as the one `check --suggest --write-fix` writes).
    #[arg(long, value_name = "FILE")]
    pub procedure: Option<PathBuf>,
}

/// The exit code of a replay that did not reproduce its counterexample.
pub const EXIT_NOT_REPRODUCED: u8 = 5;

/// Runs the counterexample in `args` and shows its story and verdict. Against the same
/// procedure (or a reworded one): exits 1 when it reproduced the violation exactly,
/// [`EXIT_NOT_REPRODUCED`] when not. Against a procedure edited in what it does: exits 1
/// when the invariant is still broken, 0 when it now holds.
pub fn exec(args: ReplayArgs) -> Result<ExitCode, Failure> {
    let replayable = crate::counterexample::read_against(&args.counterexample, args.procedure.as_deref())?;
    match replayable.edit {
        None | Some(Edit::Wording) => exact(&args, replayable),
        Some(Edit::Behaviour | Edit::Unknown) => edited(&args, replayable),
    }
}

/// The counterexample run again on the procedure it was found on.
fn exact(args: &ReplayArgs, replayable: Replayable) -> Result<ExitCode, Failure> {
    let path = &args.counterexample;
    let Replayable { file, mode, explorer, faults, edit, procedure_path } = replayable;
    let (violations, sim) = explorer.run_schedule(&faults);
    let trace = explorer.render(sim.trace());
    let identical = content_hash(&trace) == file.trace_hash;
    let violated_again = violations.iter().any(|v| v.invariant.id() == file.invariant);

    let mut stdout = crate::output::stdout();
    let _ = writeln!(stdout, "Replay of {} (seed {}, {})", path.display(), file.seed, mode.words());
    if let Some(mutation) = &file.mutation {
        let _ = writeln!(stdout, "  mutant: {}", procedure::safe_text::for_terminal(mutation, true));
    }
    if edit == Some(Edit::Wording) {
        let _ = writeln!(
            stdout,
            "  {} was reworded since the counterexample was found; what it does is the same, so this is the same run.",
            shown(&procedure_path)
        );
    }
    show_run(&mut stdout, &explorer, sim.trace(), &violations, &file.invariant, args.full);
    let _ = writeln!(
        stdout,
        "{}",
        if identical {
            "The trace is identical to the one check found."
        } else {
            "The trace DIFFERS from the one check found."
        }
    );
    verdicts(&mut stdout, &violations);
    let recovered = violations.iter().any(|v| v.invariant.id() == file.invariant && v.recovered);
    let _ = writeln!(
        stdout,
        "{} {}",
        file.invariant,
        match (violated_again, recovered) {
            (true, true) => "is violated, then put right by the recovery after the run, again: reproduced.",
            (true, false) => "is violated again: reproduced.",
            _ => "is NOT violated: not reproduced.",
        }
    );
    stdout.finish()?;
    if identical && violated_again {
        return Ok(ExitCode::from(1));
    }
    let why = match (identical, violated_again) {
        (false, false) => format!("its trace differs from the one check found, and {} is not violated", file.invariant),
        (false, true) => "its trace differs from the one check found".to_owned(),
        _ => format!("{} is not violated", file.invariant),
    };
    let mut stderr = crate::output::stderr();
    let _ = writeln!(
        stderr,
        "error: {}: the replay did not reproduce the counterexample: {why}",
        procedure::safe_text::for_terminal(&path.display().to_string(), false)
    );
    stderr.finish()?;
    Ok(ExitCode::from(EXIT_NOT_REPRODUCED))
}

/// The counterexample's faults struck against the procedure as it is now, edited in what it
/// does: whether the invariant is still broken.
fn edited(args: &ReplayArgs, replayable: Replayable) -> Result<ExitCode, Failure> {
    let path = &args.counterexample;
    let Replayable { file, mode, explorer, faults, edit, procedure_path } = replayable;
    let renderer = Renderer::new(explorer.setup());
    let (violations, sim, missed) = match placed(&faults, &file.faults) {
        Placed::Staged(schedule) => {
            let (violations, sim) = explorer.run_schedule(&schedule);
            (violations, sim, Vec::new())
        }
        Placed::Anchored(anchored) => {
            let (violations, sim, struck) = explorer.run_anchored(&anchored);
            let missed: Vec<String> = anchored
                .iter()
                .zip(&struck)
                .zip(&file.faults)
                .enumerate()
                .filter(|(_, ((_, struck), _))| struck.is_none())
                .map(|(index, ((fault, _), record))| {
                    format!(
                        "fault {} ({}) did not strike: step {:?} never began where it did",
                        index + 1,
                        renderer.fault(&fault.fault),
                        record.before_step
                    )
                })
                .collect();
            (violations, sim, missed)
        }
    };
    let broken = violations.iter().any(|v| v.invariant.id() == file.invariant);

    let mut stdout = crate::output::stdout();
    let _ = writeln!(
        stdout,
        "Replay of {} (seed {}, {}) against the edited procedure",
        path.display(),
        file.seed,
        mode.words()
    );
    if let Some(mutation) = &file.mutation {
        let _ = writeln!(stdout, "  mutant: {}", procedure::safe_text::for_terminal(mutation, true));
    }
    let how = match edit {
        Some(Edit::Unknown) => format!(
            "  {} changed since the counterexample was found. The file is from an earlier build, which recorded \
             only the procedure's whole text, so whether what it does changed cannot be told: its faults strike \
             after the same transitions, counted from the start of the run.",
            shown(&procedure_path)
        ),
        _ => format!(
            "  {} changed in what it does since the counterexample was found: each fault strikes in the step it \
             names, as many transitions after that step begins as it did then.",
            shown(&procedure_path)
        ),
    };
    let _ = writeln!(stdout, "{how}");
    for line in &missed {
        let _ = writeln!(stdout, "  {line}");
    }
    show_run(&mut stdout, &explorer, sim.trace(), &violations, &file.invariant, args.full);
    verdicts(&mut stdout, &violations);
    let _ = writeln!(
        stdout,
        "{} {}",
        file.invariant,
        if broken {
            "is still broken: the edited procedure does not prevent this counterexample."
        } else {
            "now holds: the edited procedure prevents this counterexample."
        }
    );
    stdout.finish()?;
    Ok(ExitCode::from(u8::from(broken)))
}

/// The run's story: the sentences and the focused story of its violation of `invariant` (or
/// of the run, when the invariant held), or every event with `full`.
fn show_run(
    out: &mut impl std::io::Write,
    explorer: &Explorer,
    events: &[Event],
    violations: &[Violation],
    invariant: &str,
    full: bool,
) {
    let violation = violations.iter().find(|v| v.invariant.id() == invariant);
    match violation {
        _ if !full => {
            let story = match violation {
                Some(violation) => FocusedStory::new(explorer.setup(), events, violation),
                None => FocusedStory::without_violation(explorer.setup(), events),
            };
            for sentence in &story.sentences {
                let _ = writeln!(out, "{sentence}");
            }
            let _ = writeln!(out);
            let _ = write!(out, "{}", story.text());
            let _ = writeln!(
                out,
                "({} events, {} lines here: `>>` marks the decisive ones; --full shows every event)",
                events.len(),
                story.lines.len()
            );
        }
        _ => {
            let _ = write!(out, "{}", explorer.render(events));
        }
    }
    let _ = writeln!(out);
}

/// Every violation of the run, one line each.
fn verdicts(out: &mut impl std::io::Write, violations: &[Violation]) {
    for violation in violations {
        // Broken, then put right by the recovery after the run: a counterexample of that kind
        // is reproduced when it is recovered again.
        let word = if violation.recovered { "RECOVERED" } else { "VIOLATED" };
        let _ = writeln!(out, "{word} {} at {}: {}", violation.invariant.id(), clock(violation.at), violation.detail);
    }
}

/// A procedure's path for the terminal.
fn shown(path: &Path) -> String {
    procedure::safe_text::for_terminal(&path.display().to_string(), false).into_owned()
}
