//! `reboot-node`: restart the node's operating system, as at the installer's prompt. Not
//! cluster-safe: a reboot while the cluster is suspended rolls the synchronized registry
//! keys back.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Patience, PlanText};
use crate::observation::Power;
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Reboot the node's operating system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootNode;

impl Kind for RebootNode {
    const KEYWORD: &'static str = "reboot-node";
    const TAKES: &'static [&'static str] = &[];

    fn read(_: &Args<'_>) -> Result<Self, FileError> {
        Ok(RebootNode)
    }
}

impl Behaviour for RebootNode {
    fn plan(&self, plan: &mut PlanText<'_>) {
        plan.warnings.push(
            "a plain OS reboot, not cluster-safe: while the cluster is suspended it rolls the synchronized \
             registry keys back"
                .to_owned(),
        );
        let does =
            format!("restart the operating system of {} (on the node: shutdown /r /t 0), one node at a time", plan.on);
        plan.says(does, "each node is up again and has booted since (its last boot time changed)");
    }

    /// A reboot is asked for, not a state: it always runs (a resumed run does not repeat one
    /// the journal says completed).
    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        vec![Operation::RebootNode { node: at.node }]
    }

    /// Like the restart rule's reboot, judged by the node itself: it is up again, and it
    /// booted since the reboot was issued (Windows' last boot time, as a counter).
    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        let booted = at.boots_before.is_none_or(|before| state.boots > before);
        if state.power == Power::Up && booted {
            Verdict::Holds
        } else {
            pending!(at.explain, "{} is not back from its reboot yet", at.name())
        }
    }

    fn patience(&self) -> Patience {
        Patience::Reboot
    }

    fn reboots(&self) -> bool {
        true
    }
}
