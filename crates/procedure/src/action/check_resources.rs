//! `check-resources`: wait until every resource of a group is online on the node.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Patience, PlanText};
use crate::operation::Operation;
use crate::cluster::GroupId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Check that every resource of a group is online on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResources {
    /// The group.
    pub group: GroupId,
}

impl Kind for CheckResources {
    const KEYWORD: &'static str = "check-resources";
    const TAKES: &'static [&'static str] = &["group"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(CheckResources { group: args.group()? })
    }
}

impl Behaviour for CheckResources {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let name = &plan.cluster.groups[self.group.index()].name;
        let (does, verifies) = (
            format!("read the status of group {name} (clpstat)"),
            format!("every resource of {name} is online on {}", plan.on),
        );
        plan.says(does, verifies);
    }

    fn operations(&self, _: &At<'_>) -> Vec<Operation> {
        Vec::new()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let group = &at.cluster.groups[self.group.index()];
        if at.observation.group_online_on(self.group, &group.resources, at.node) {
            Verdict::Holds
        } else {
            pending!(at.explain, "group {} is not online on {} with every resource", group.name, at.name())
        }
    }

    fn patience(&self) -> Patience {
        Patience::Check
    }

    fn changes_nothing(&self) -> bool {
        true
    }
}
