//! Asking the operator, once before a recovery runs and for the manual steps that bring
//! nodes back first: `--yes` answers for them; without it and without a terminal to ask on,
//! the recovery is refused, as `run` refuses manual steps.

use std::io::{IsTerminal as _, Write as _};

use procedure::recovery::planner::Recovery;

use super::args::RecoverArgs;
use crate::failure::Failure;
use crate::run::skeleton;

/// The operator's confirmation of the manual steps that bring nodes back: `--yes`, or
/// `done` typed at a terminal; without either, refused as `run` refuses manual steps.
pub(super) fn confirmed_by_hand(
    args: &RecoverArgs,
    recovery: &Recovery,
    stdout: &mut skeleton::Stdout,
) -> Result<bool, Failure> {
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "the recovery starts with manual steps that need an operator's confirmation, and there is no terminal \
             to ask on; run it in a terminal, or pass --yes to confirm them unattended"
        )));
    }
    for step in &recovery.steps {
        let instruction = step.action.manual_instruction().unwrap_or(&step.title);
        let _ = write!(stdout, "{instruction}\nType `done` when it is done (anything else stops): ");
        let _ = stdout.flush();
        let mut line = String::new();
        if !matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0) || line.trim() != "done" {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Asks once before running the plan; `--yes` answers for the operator. Without a terminal
/// to ask on, and without `--yes`, the recovery is refused, as `run` refuses manual steps.
pub(super) fn confirmed(args: &RecoverArgs, steps: usize, stdout: &mut skeleton::Stdout) -> Result<bool, Failure> {
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "recover runs {steps} step(s) on the cluster and asks first, and there is no terminal to ask on; \
             run it in a terminal, or pass --yes to run the plan unattended"
        )));
    }
    let _ = write!(stdout, "Run these {steps} step(s) on the cluster? Type `yes` to run them: ");
    let _ = stdout.flush();
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    Ok(matches!(read, Ok(n) if n > 0) && line.trim() == "yes")
}
