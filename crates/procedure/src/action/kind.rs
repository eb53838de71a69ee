//! What an action kind is: how a procedure file gives it ([`Kind`]), and what it does
//! ([`Behaviour`]): the plan's words for it, the operations it issues on a node, its
//! postcondition, and the few facts the engine, mutations and the checker need to know.

use std::fmt::Debug;

use crate::action::args::Args;
use crate::cluster::{Cluster, MonitorId, NodeId, ServiceId};
use crate::diagnostic::FileError;
use crate::module::{Module, ModuleId};
use crate::observation::{NodeState, Observation};
use crate::operation::Operation;
use crate::postcondition::Verdict;
use crate::registry_id::ComponentWrites;
use crate::roles::{Role, Roles};
use crate::text::and_list;

/// An action kind as a procedure file gives it.
pub trait Kind: Behaviour + Sized {
    /// Its `action = "..."` keyword.
    const KEYWORD: &'static str;
    /// The step fields beside `action` that it reads; any other one is refused.
    const TAKES: &'static [&'static str];
    /// Reads it from its step's fields, checked against the cluster.
    fn read(args: &Args<'_>) -> Result<Self, FileError>;

    /// The action of this kind that `check --suggest` tries inserting into a failing
    /// procedure, if this kind is one it tries; it must then write its fields back
    /// ([`Behaviour::fields`]).
    fn candidate(_cluster: &Cluster) -> Option<Self> {
        None
    }
}

/// What an action does, for everything that runs, plans, mutates or checks a procedure.
pub trait Behaviour: Debug {
    /// What the plan says the step does on its nodes, what it verifies, and its warnings.
    fn plan(&self, plan: &mut PlanText<'_>);
    /// The operations the step still needs on `at.node`, given what is observed: what
    /// already holds is not redone.
    fn operations(&self, at: &At<'_>) -> Vec<Operation>;
    /// The step's postcondition on `at.node`.
    fn verify(&self, at: &At<'_>) -> Verdict;

    /// It acts once for the whole cluster rather than per node.
    fn is_cluster_wide(&self) -> bool {
        false
    }
    /// It does the same from whichever node it is issued (a mutant that moves it to the
    /// other node is equivalent).
    fn same_from_any_node(&self) -> bool {
        false
    }
    /// Its place in the update, for the engine's restart rule, resumption and mutations.
    fn milestone(&self) -> Option<Milestone> {
        None
    }
    /// How long its postcondition may take.
    fn patience(&self) -> Patience {
        Patience::Step
    }
    /// It reboots nodes: nodes going down while it waits are expected.
    fn reboots(&self) -> bool {
        false
    }
    /// It changes nothing on the cluster: it only reads, or asks a person to confirm.
    fn changes_nothing(&self) -> bool {
        false
    }
    /// What the operator is asked to do, for a manual step.
    fn manual_instruction(&self) -> Option<&str> {
        None
    }
    /// The folder the module is unzipped into, for the step that unzips it.
    fn working_folder(&self) -> Option<&str> {
        None
    }
    /// The .reg file the step exports the module's keys into.
    fn registry_export(&self) -> Option<&str> {
        None
    }
    /// The module the step acts on (its `module` field; the only one when it names none),
    /// for the kinds that act on one.
    fn module(&self) -> Option<ModuleId> {
        None
    }
    /// Services reported, never required, once the step holds.
    fn optional_services(&self) -> &[String] {
        &[]
    }
    /// The "other node" mutation: what else changes when the step's role is swapped (a
    /// group move goes to the other role too).
    fn move_to_other_node(&mut self) {}
    /// Whether the "restart at the prompt" mutation applies: an installer whose restart
    /// prompt is declined.
    fn may_restart_at_prompt(&self) -> bool {
        false
    }
    /// The "restart at the prompt" mutation: the operator answers Restart.
    fn restart_at_prompt(&mut self) {}

    /// The same action with the installer's restart prompt declined, for a recovery (which
    /// never reboots a node at the prompt).
    fn decline_restart(&mut self) {}

    /// The same action run again where it already ran: for a recovery that re-applies a
    /// module whose values were rolled back on a node where its installer had finished.
    fn reapply(&mut self) {}

    /// Its fields beside `action`, as a procedure file writes them (`group = "failover"`), for
    /// a repair that inserts it. Only repair candidates ([`Kind::candidate`]) need them.
    fn fields(&self, _cluster: &Cluster) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Where an action stands in the update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// It suspends the cluster.
    SuspendsCluster,
    /// It resumes the cluster (the restart rule's reboot follows it).
    ResumesCluster,
    /// It runs the module's installer.
    InstallsModule,
    /// It reboots the cluster the cluster-safe way (a pending restart is done).
    RebootsCluster,
}

/// Which of the engine's timeouts bounds a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// An install (about 30 minutes).
    Install,
    /// A reboot.
    Reboot,
    /// A group move.
    Move,
    /// A check waiting to see what it wants.
    Check,
    /// Any other step.
    Step,
}

/// Where an action is judged during a run: the cluster, the module, what is observed, the
/// node of the task, and the roles bound at the start.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The cluster description.
    pub cluster: &'a Cluster,
    /// The module the step acts on (the first for a step that acts on none).
    pub module: &'a Module,
    /// The registry values every module writes, by component, in module order.
    pub module_writes: &'a [ComponentWrites],
    /// What the cluster shows now.
    pub observation: &'a Observation,
    /// The node the task runs on.
    pub node: NodeId,
    /// The roles bound when the run started.
    pub roles: &'a Roles,
    /// The node's boot count when a reboot of this step was issued (unknown when an
    /// earlier run issued it).
    pub boots_before: Option<u32>,
    /// Whether a pending verdict must say why (it is shown only on a timeout: polling must
    /// not allocate).
    pub explain: bool,
}

impl At<'_> {
    /// The task's node as observed.
    pub fn state(&self) -> &NodeState {
        &self.observation.nodes[self.node.index()]
    }

    /// The task's node's name.
    pub fn name(&self) -> &str {
        &self.cluster.nodes[self.node.index()].name
    }
}

/// What the plan says of one step, filled in by its action.
#[derive(Debug)]
pub struct PlanText<'a> {
    /// The cluster planned against.
    pub cluster: &'a Cluster,
    /// The module the step acts on (the first for a step that acts on none).
    pub module: &'a Module,
    /// The roles as the cluster description starts.
    pub roles: &'a Roles,
    /// The step's nodes.
    pub nodes: &'a [NodeId],
    /// The step's nodes, as a list for a sentence.
    pub on: String,
    /// What it does.
    pub does: Vec<String>,
    /// What it verifies afterwards.
    pub verifies: Vec<String>,
    /// What can go wrong.
    pub warnings: Vec<String>,
}

impl PlanText<'_> {
    /// A node's name.
    pub fn node(&self, node: NodeId) -> &str {
        &self.cluster.nodes[node.index()].name
    }

    /// Services by name, shortened past three: `12 services (a ... z)`.
    pub fn services(&self, services: &[ServiceId]) -> String {
        let names: Vec<&str> = services.iter().map(|&s| self.cluster.services[s.index()].name.as_str()).collect();
        match names.len() {
            0..=3 => and_list(&names),
            n => format!("{n} services ({} ... {})", names[0], names[n - 1]),
        }
    }

    /// One command per node of the step, in order: `clpcl -t -h node1, then clpcl -t -h node2`.
    pub fn per_node(&self, before: &str, after: &str) -> String {
        let commands: Vec<String> = self.nodes.iter().map(|&n| format!("{before}{}{after}", self.node(n))).collect();
        commands.join(", then ")
    }

    /// The nodes of a role.
    pub fn nodes_of(&self, role: Role) -> Vec<NodeId> {
        self.roles.nodes(role)
    }

    /// Says what the step does and verifies, one sentence each.
    pub fn says(&mut self, does: String, verifies: impl Into<String>) {
        self.does.push(does);
        self.verifies.push(verifies.into());
    }

    /// A monitor step's sentences: `{verb} every monitor (N)` or `{verb} monitor a and b` on
    /// the step's nodes, with the `clpmonctrl` command for each node, and what then holds.
    pub fn monitors(&mut self, monitors: Option<&[MonitorId]>, verb: &str, command: &str, then: &str) {
        let names: Vec<&str> = self
            .cluster
            .listed_or_all_monitors(monitors)
            .map(|m| self.cluster.monitors[m.index()].name.as_str())
            .collect();
        let which = match monitors {
            None => format!("every monitor ({})", names.len()),
            Some(_) => format!("monitor {}", and_list(&names)),
        };
        let which_flag = match names.as_slice() {
            [one] if monitors.is_some() => format!(" -m {one}"),
            _ if monitors.is_some() => " -m <each of them>".to_owned(),
            _ => String::new(),
        };
        let does = format!("{verb} {which} on {} ({})", self.on, self.per_node(command, &which_flag));
        self.says(does, then);
    }
}
