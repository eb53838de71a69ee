//! Mutants of a procedure: the operator deviations that `check --mutants` explores — drop a
//! step, swap two adjacent steps, run a step on the other node, reboot the node at the
//! installer's restart prompt, stop the cluster service instead of suspending the cluster.
//! A good procedure and a good set of invariants catch every mutant of a step that matters.

use crate::action::kind::Milestone;
use crate::action::{StartClusterService, StopClusterService};
use crate::procedure::{Procedure, Role};

/// How a mutant differs from its procedure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutation {
    /// The step is left out.
    Drop {
        /// Step index.
        step: usize,
    },
    /// The step and the next one trade places.
    SwapWithNext {
        /// Step index.
        step: usize,
    },
    /// The step runs on the other role (active and standby trade places).
    OtherNode {
        /// Step index.
        step: usize,
    },
    /// The operator reboots the node at the installer's prompt: the installer of this step
    /// asks for a restart and the operator answers Restart, so the node reboots there and
    /// then (a plain OS reboot, whatever state the cluster is in).
    RestartAtPrompt {
        /// Step index.
        step: usize,
    },
    /// The operator stops the cluster service on every node (`clpcl -t`) instead of this
    /// suspend-cluster step, and starts it on every node (`clpcl -s`) instead of the
    /// resume-cluster step that follows, if one does.
    StopClusterServiceInsteadOfSuspend {
        /// Index of the suspend-cluster step.
        step: usize,
    },
}

impl Mutation {
    /// The step it is about.
    pub fn step(&self) -> usize {
        match *self {
            Mutation::Drop { step }
            | Mutation::SwapWithNext { step }
            | Mutation::OtherNode { step }
            | Mutation::RestartAtPrompt { step }
            | Mutation::StopClusterServiceInsteadOfSuspend { step } => step,
        }
    }

    /// What the operator does differently, in a sentence.
    pub fn explain(&self, procedure: &Procedure) -> String {
        let id = |step: usize| procedure.steps.get(step).map_or("?", |s| s.id.as_str());
        match *self {
            Mutation::Drop { step } => format!("the operator leaves out step {}", id(step)),
            Mutation::SwapWithNext { step } => {
                format!("the operator does step {} after step {}", id(step), id(step + 1))
            }
            Mutation::OtherNode { step } => format!("the operator does step {} on the other node", id(step)),
            Mutation::RestartAtPrompt { step } => format!(
                "the installer of step {} asks for a restart and the operator reboots the node at the prompt",
                id(step)
            ),
            Mutation::StopClusterServiceInsteadOfSuspend { step } => format!(
                "the operator stops the cluster service on every node instead of step {}, and starts it again \
                 instead of resuming",
                id(step)
            ),
        }
    }

    /// A stable, readable name: `drop suspend-cluster`, `swap stop-services install-active`.
    pub fn describe(&self, procedure: &Procedure) -> String {
        let id = |step: usize| procedure.steps.get(step).map_or("?", |s| s.id.as_str());
        match *self {
            Mutation::Drop { step } => format!("drop {}", id(step)),
            Mutation::SwapWithNext { step } => format!("swap {} {}", id(step), id(step + 1)),
            Mutation::OtherNode { step } => format!("other-node {}", id(step)),
            Mutation::RestartAtPrompt { step } => format!("restart-at-prompt {}", id(step)),
            Mutation::StopClusterServiceInsteadOfSuspend { step } => {
                format!("stop-cluster-service-instead-of-suspend {}", id(step))
            }
        }
    }

    /// Parses [`Mutation::describe`]'s text back, against the same procedure.
    pub fn parse(text: &str, procedure: &Procedure) -> Option<Mutation> {
        let mut words = text.split_whitespace();
        let kind = words.next()?;
        let step = procedure.steps.iter().position(|s| Some(s.id.as_str()) == words.clone().next())?;
        let mutation = match kind {
            "drop" => Mutation::Drop { step },
            "swap" => Mutation::SwapWithNext { step },
            "other-node" => Mutation::OtherNode { step },
            "restart-at-prompt" => Mutation::RestartAtPrompt { step },
            "stop-cluster-service-instead-of-suspend" => Mutation::StopClusterServiceInsteadOfSuspend { step },
            _ => return None,
        };
        (mutation.describe(procedure) == text && mutations(procedure).contains(&mutation)).then_some(mutation)
    }

    /// The mutated procedure.
    pub fn apply(&self, procedure: &Procedure) -> Procedure {
        let mut mutant = procedure.clone();
        match *self {
            Mutation::Drop { step } => {
                mutant.steps.remove(step);
            }
            Mutation::SwapWithNext { step } => mutant.steps.swap(step, step + 1),
            Mutation::OtherNode { step } => {
                let role = &mut mutant.steps[step].role;
                *role = match *role {
                    Role::Active => Role::Standby,
                    Role::Standby | Role::EveryStandby => Role::Active,
                    Role::EveryNode => Role::EveryNode,
                };
                mutant.steps[step].action.move_to_other_node();
            }
            Mutation::RestartAtPrompt { step } => {
                mutant.steps[step].action.restart_at_prompt();
                let module = mutant.steps[step].action.module().unwrap_or_default();
                mutant.modules[module.index()].asks_for_restart = true;
            }
            Mutation::StopClusterServiceInsteadOfSuspend { step } => {
                let resume = mutant.steps[step + 1..]
                    .iter()
                    .position(|s| s.action.is(Milestone::ResumesCluster))
                    .map(|offset| step + 1 + offset);
                let stop = &mut mutant.steps[step];
                stop.role = Role::EveryNode;
                stop.action = StopClusterService.into();
                stop.title = "Stop the cluster service on every node (instead of suspending)".to_owned();
                if let Some(resume) = resume {
                    let start = &mut mutant.steps[resume];
                    start.role = Role::EveryNode;
                    start.action = StartClusterService.into();
                    start.title = "Start the cluster service on every node (instead of resuming)".to_owned();
                }
            }
        }
        for (index, step) in mutant.steps.iter_mut().enumerate() {
            step.position = index + 1;
        }
        // A mutant is a different procedure: a journal of the original must not resume it.
        mutant.content_hash = format!("{}+{}", procedure.content_hash, self.describe(procedure));
        mutant.behaviour_hash = format!("{}+{}", procedure.behaviour_hash, self.describe(procedure));
        mutant
    }
}

/// Every mutant of `procedure` that differs from it.
pub fn mutations(procedure: &Procedure) -> Vec<Mutation> {
    let steps = &procedure.steps;
    let mut all = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if steps.len() > 1 {
            all.push(Mutation::Drop { step: index });
        }
        if index + 1 < steps.len() && !same_effect(step, &steps[index + 1]) {
            all.push(Mutation::SwapWithNext { step: index });
        }
        if step.role != Role::EveryNode {
            all.push(Mutation::OtherNode { step: index });
        }
        if step.action.may_restart_at_prompt() {
            all.push(Mutation::RestartAtPrompt { step: index });
        }
        if step.action.is(Milestone::SuspendsCluster) {
            all.push(Mutation::StopClusterServiceInsteadOfSuspend { step: index });
        }
    }
    all
}

/// Swapping two steps that do the same thing on the same nodes changes nothing.
fn same_effect(a: &crate::procedure::Step, b: &crate::procedure::Step) -> bool {
    a.action == b.action && a.role == b.role && a.condition == b.condition
}
