//! `clusterproc replay FILE`: a counterexample saved by `check`, run again, and whether the
//! run is the one `check` found. A replay that does not reproduce its counterexample (the
//! trace differs, or the invariant holds) exits [`EXIT_NOT_REPRODUCED`], so that a script
//! cannot take it for a confirmation.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use procedure::diagnostic::content_hash;
use procedure::duration::clock;

use crate::counterexample::Replayable;
use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A counterexample file saved by `check`.
    pub counterexample: PathBuf,
}

/// The exit code of a replay that did not reproduce its counterexample.
pub const EXIT_NOT_REPRODUCED: u8 = 5;

/// Runs the counterexample in `args` and shows its trace and verdict; exits 1 when it
/// reproduced the violation exactly, [`EXIT_NOT_REPRODUCED`] when not.
pub fn exec(args: ReplayArgs) -> Result<ExitCode, Failure> {
    let path = &args.counterexample;
    let Replayable { file, mode, explorer, faults } = crate::counterexample::read(path)?;
    let (violations, sim) = explorer.run_schedule(&faults);
    let trace = explorer.render(sim.trace());
    let identical = content_hash(&trace) == file.trace_hash;
    let violated_again = violations.iter().any(|v| v.invariant.id() == file.invariant);

    let mut stdout = crate::output::stdout();
    let _ = writeln!(stdout, "Replay of {} (seed {}, {})", path.display(), file.seed, mode.words());
    if let Some(mutation) = &file.mutation {
        let _ = writeln!(stdout, "  mutant: {}", procedure::safe_text::for_terminal(mutation, true));
    }
    let _ = write!(stdout, "{trace}");
    let _ = writeln!(stdout);
    let _ = writeln!(
        stdout,
        "{}",
        if identical {
            "The trace is identical to the one check found."
        } else {
            "The trace DIFFERS from the one check found."
        }
    );
    for violation in &violations {
        // Broken, then put right by the recovery after the run: a counterexample of that kind
        // is reproduced when it is recovered again.
        let word = if violation.recovered { "RECOVERED" } else { "VIOLATED" };
        let _ =
            writeln!(stdout, "{word} {} at {}: {}", violation.invariant.id(), clock(violation.at), violation.detail);
    }
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
