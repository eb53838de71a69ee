//! `clusterproc replay FILE`: a counterexample saved by `check`, run again, and whether the
//! run is the one `check` found. A replay that does not reproduce its counterexample (the
//! trace differs, or the invariant holds) exits [`EXIT_NOT_REPRODUCED`], so that a script
//! cannot take it for a confirmation.

use std::io::Write as _;
use std::process::ExitCode;

use procedure::diagnostic::content_hash;

use crate::cli::{Failure, ReplayArgs};
use crate::counterexample::Replayable;

/// The exit code of a replay that did not reproduce its counterexample.
pub const EXIT_NOT_REPRODUCED: u8 = 5;

/// Runs the counterexample in `args`, shows its trace and verdict (`check::replay`), and
/// exits 1 when it reproduced the violation exactly, [`EXIT_NOT_REPRODUCED`] when not.
pub fn replay(args: ReplayArgs) -> Result<ExitCode, Failure> {
    let path = args.counterexample.clone();
    // The run is deterministic: the one `check::replay` shows is this one.
    let Replayable { file, explorer, faults, .. } = crate::counterexample::read(&path)?;
    let (violations, sim) = explorer.run_schedule(&faults);
    let identical = content_hash(&explorer.render(sim.trace())) == file.trace_hash;
    let violated_again = violations.iter().any(|v| v.invariant.id() == file.invariant);
    let shown = crate::check::replay(args)?;
    if identical && violated_again {
        return Ok(shown);
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
