//! Roles: which node a step runs on, named in procedure files (`active`, `standby`, ...),
//! and bound to the cluster's nodes when a run starts.

use crate::cluster::{Cluster, NodeId};

/// The node role a step runs on, resolved when a run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The node that owns the failover group when the run starts.
    Active,
    /// The first standby node.
    Standby,
    /// Each standby node in turn.
    EveryStandby,
    /// Each node in turn, the active one first.
    EveryNode,
}

impl Role {
    /// Every role, in the order procedure files are documented with.
    pub const ALL: [Role; 4] = [Role::Active, Role::Standby, Role::EveryStandby, Role::EveryNode];

    /// The keyword used in procedure files.
    pub fn keyword(self) -> &'static str {
        match self {
            Role::Active => "active",
            Role::Standby => "standby",
            Role::EveryStandby => "every-standby",
            Role::EveryNode => "every-node",
        }
    }

    /// The role a keyword names; every role is parsed from its own keyword, so the schema of
    /// procedure files (which lists `ALL`) and the loader agree.
    pub fn parse(keyword: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.keyword() == keyword)
    }
}

/// The nodes that hold each role, bound when the run starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Roles {
    /// The node that owned the first group at the start.
    pub active: NodeId,
    /// The other nodes, in cluster order.
    pub standbys: Vec<NodeId>,
}

impl Roles {
    /// The roles as the cluster description starts: the first group's initial owner active.
    pub fn initial(cluster: &Cluster) -> Roles {
        Roles { active: cluster.initial_active(), standbys: cluster.initial_standbys() }
    }

    /// The nodes of a role, in order.
    pub fn nodes(&self, role: Role) -> Vec<NodeId> {
        match role {
            Role::Active => vec![self.active],
            Role::Standby => self.standbys.first().copied().into_iter().collect(),
            Role::EveryStandby => self.standbys.clone(),
            Role::EveryNode => std::iter::once(self.active).chain(self.standbys.iter().copied()).collect(),
        }
    }
}
