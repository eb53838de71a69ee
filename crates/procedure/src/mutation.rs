//! Mutants of a procedure: the operator deviations that `check --mutants` explores — drop a
//! step, swap two adjacent steps, run a step on the other node, restart at the installer's
//! prompt. A good procedure and a good set of invariants catch every mutant of a step that
//! matters.

use crate::procedure::{Action, Procedure, RestartAnswer, Role};

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
    /// The operator answers Restart at this install step's prompt, and the installer asks.
    RestartAtPrompt {
        /// Step index.
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
            | Mutation::RestartAtPrompt { step } => step,
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
                if let Action::MoveGroup { to, .. } = &mut mutant.steps[step].action {
                    *to = match *to {
                        Role::Active => Role::Standby,
                        _ => Role::Active,
                    };
                }
            }
            Mutation::RestartAtPrompt { step } => {
                if let Action::InstallModule { restart_answer, .. } = &mut mutant.steps[step].action {
                    *restart_answer = RestartAnswer::Restart;
                }
                mutant.module.asks_for_restart = true;
            }
        }
        // A mutant is a different procedure: a journal of the original must not resume it.
        mutant.content_hash = format!("{}+{}", procedure.content_hash, self.describe(procedure));
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
        if matches!(step.action, Action::InstallModule { restart_answer: RestartAnswer::Decline, .. }) {
            all.push(Mutation::RestartAtPrompt { step: index });
        }
    }
    all
}

/// Swapping two steps that do the same thing on the same nodes changes nothing.
fn same_effect(a: &crate::procedure::Step, b: &crate::procedure::Step) -> bool {
    a.action == b.action && a.role == b.role && a.condition == b.condition
}
