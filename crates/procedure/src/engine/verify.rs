//! A step's postcondition on a node: its action's (see `crate::action`), judged at that
//! node with the roles of the run. The conditions themselves are in `crate::postcondition`.

use crate::action::kind::At;
use crate::cluster::NodeId;
use crate::observation::Observation;
use crate::procedure::Step;
use crate::roles::Roles;
use crate::setup::Setup;

pub use crate::postcondition::{Verdict, all_suspended, module_installed, reboot};

/// Where `step` is judged on `node`. `boots_before` is the node's boot count when a
/// reboot-node step rebooted it (unknown when an earlier run did).
pub fn at<'a>(
    setup: &'a Setup,
    step: &Step,
    observation: &'a Observation,
    node: NodeId,
    roles: &'a Roles,
    boots_before: Option<u32>,
    explain: bool,
) -> At<'a> {
    At {
        cluster: &setup.cluster,
        module: setup.procedure.module_of(step),
        module_writes: &setup.module_writes,
        observation,
        node,
        roles,
        boots_before,
        explain,
    }
}

/// The postcondition of `step` on `node`. With `explain` false a pending verdict carries no
/// reason; ask again with `explain` true to get one.
pub fn step(
    setup: &Setup,
    step: &Step,
    observation: &Observation,
    node: NodeId,
    roles: &Roles,
    boots_before: Option<u32>,
    explain: bool,
) -> Verdict {
    step.action.verify(&at(setup, step, observation, node, roles, boots_before, explain))
}
