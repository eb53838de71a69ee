//! What `recover` prints before it runs anything: what the cluster lacks and the plan, a
//! cluster that serves already, and why nothing was run (with the command to run again).

use std::io::Write as _;
use std::process::ExitCode;

use procedure::backend::Observation;
use procedure::plan::Plan;
use procedure::recovery::planner::Recovery;
use procedure::recovery::serving::Shortfall;
use procedure::roles::Roles;
use procedure::setup::Setup;

use super::args::RecoverArgs;
use super::ending::print_end_state;
use crate::failure::Failure;
use crate::run::skeleton;

/// Why a plan that starts with steps for the operator runs nothing yet, and what to do.
pub(super) fn why_nothing_ran(recovery: &Recovery, simulated: bool) -> &'static str {
    let installer = recovery.shortfalls.iter().any(|s| matches!(s, Shortfall::InstallerRunning(_)));
    let unseen = recovery.shortfalls.iter().any(|s| matches!(s, Shortfall::Down(_) | Shortfall::Unreachable(_)));
    if installer && simulated {
        "an installer still runs (on the simulator, one that hangs never finishes: it is left to do by \
         hand). Once it has finished, run again"
    } else if installer {
        "an installer still runs there. Once it has finished, run again"
    } else if unseen {
        "every node must be seen first. Do the steps above, then run again"
    } else {
        "the registry values must be put back by hand first (the step above): registry sync captures them \
         as they are written. Then run again"
    }
}

/// The cluster serves: nothing is run, and the end state is shown.
pub(super) fn serves_already(
    mut stdout: skeleton::Stdout,
    setup: &Setup,
    roles: &Roles,
    observation: &Observation,
    what: &str,
) -> Result<ExitCode, Failure> {
    let _ = writeln!(stdout, "\nThe cluster serves: {what}.");
    print_end_state(&mut stdout, setup, roles, observation);
    stdout.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Nothing was run, `why`, and the command to run again once it is done.
pub(super) fn nothing_ran(mut stdout: skeleton::Stdout, why: &str, args: &RecoverArgs) -> Result<ExitCode, Failure> {
    let _ = writeln!(stdout, "Nothing was run: {why}:\n  {}", args.command());
    stdout.finish()?;
    Ok(ExitCode::from(1))
}

/// What the cluster lacks, and the plan.
pub(super) fn show(stdout: &mut skeleton::Stdout, setup: &Setup, recovery: &Recovery) {
    let _ = writeln!(stdout, "\nThe cluster does not serve:");
    for shortfall in &recovery.shortfalls {
        let _ = writeln!(stdout, "  - {}", shortfall.describe(setup));
    }
    let _ = writeln!(stdout);
    let procedure = recovery.procedure(setup);
    let _ = write!(stdout, "{}", Plan::new(&setup.cluster, &procedure).render_text());
}
