//! `move-group`: move a failover group to the node of a role (`clpgrp -m`), and check its
//! resources there.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Patience, PlanText};
use crate::observation::GroupStatus;
use crate::operation::Operation;
use crate::cluster::{GroupId, ResourceKind};
use crate::diagnostic::{FileError, FileErrorKind};
use crate::postcondition::{Verdict, pending};
use crate::roles::Role;

/// Move a failover group to the node of a role, and check its resources there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveGroup {
    /// The group.
    pub group: GroupId,
    /// Destination role.
    pub to: Role,
}

impl Kind for MoveGroup {
    const KEYWORD: &'static str = "move-group";
    const TAKES: &'static [&'static str] = &["group", "to"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let (names, cluster) = (&args.names, args.names.cluster);
        let group = args.group()?;
        let to_keyword = args.required(args.to, "to")?;
        let to = names.role(to_keyword)?;
        if matches!(to, Role::EveryNode | Role::EveryStandby) {
            return Err(names.err(
                FileErrorKind::InvalidValue,
                format!("a group moves to one node; `{}` names several", to_keyword.get_ref()),
                to_keyword.span(),
                "use `active` or `standby`",
            ));
        }
        let policy = &cluster.groups[group.index()].policy;
        let target = match to {
            Role::Active => Some(cluster.initial_active()),
            _ => cluster.initial_standbys().first().copied(),
        };
        if target.is_none_or(|node| !policy.contains(&node)) {
            return Err(names.err(
                FileErrorKind::MissingRole,
                format!(
                    "group `{}` may not run on the {} node: its failover policy lists {}",
                    cluster.groups[group.index()].name,
                    to_keyword.get_ref(),
                    policy
                        .iter()
                        .map(|n| format!("`{}`", cluster.nodes[n.index()].name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                to_keyword.span(),
                "not a node of the group's policy",
            ));
        }
        Ok(MoveGroup { group, to })
    }
}

impl Behaviour for MoveGroup {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let cluster = plan.cluster;
        let target = plan.nodes_of(self.to).first().map(|&n| plan.node(n).to_owned()).unwrap_or_default();
        let group = &cluster.groups[self.group.index()];
        let name = &group.name;
        let synced =
            group.resources.iter().any(|r| matches!(cluster.resources[r.index()].kind, ResourceKind::RegistrySync { .. }));
        plan.does.push(format!("move group {name} to {target} (clpgrp -m {name} -a {target}), from {}", plan.on));
        if synced {
            plan.does.push(format!("registry sync restores the saved keys on {target} as the group starts there"));
        }
        plan.verifies.push(format!("group {name} is online on {target} with every resource online"));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let target = at.roles.nodes(self.to)[0];
        let resources = &at.cluster.groups[self.group.index()].resources;
        if at.observation.group_online_on(self.group, resources, target) {
            Vec::new()
        } else {
            vec![Operation::MoveGroup { via: at.node, group: self.group, to: Some(target) }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let (cluster, observation) = (at.cluster, at.observation);
        let target = at.roles.nodes(self.to)[0];
        let target_name = &cluster.nodes[target.index()].name;
        let resources = &cluster.groups[self.group.index()].resources;
        if observation.group_online_on(self.group, resources, target) {
            return Verdict::Holds;
        }
        let group_state = observation.groups[self.group.index()];
        let group_name = &cluster.groups[self.group.index()].name;
        if group_state.status == GroupStatus::OnlineFailure {
            return Verdict::Failed(format!("group {group_name} failed to come online"));
        }
        if group_state.status == GroupStatus::Online && group_state.owner != Some(target) {
            let owner = group_state.owner.map_or("no node", |o| cluster.nodes[o.index()].name.as_str());
            return Verdict::Failed(format!("group {group_name} is online on {owner}, not on {target_name}"));
        }
        pending!(at.explain, "group {group_name} is not online on {target_name} yet")
    }

    fn is_cluster_wide(&self) -> bool {
        true
    }

    fn patience(&self) -> Patience {
        Patience::Move
    }

    fn move_to_other_node(&mut self) {
        self.to = match self.to {
            Role::Active => Role::Standby,
            _ => Role::Active,
        };
    }
}
