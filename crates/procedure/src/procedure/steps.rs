//! The typed procedure: its title, the modules it applies, notes, and the ordered steps, each
//! with its role, action and condition.

use crate::action::Action;
use crate::module::{Module, ModuleId};
use crate::roles::Role;

/// A validated procedure file.
#[derive(Debug, Clone)]
pub struct Procedure {
    /// One line saying what the procedure does.
    pub title: String,
    /// The title in Japanese (`title-ja`); a procedure that has it has every step's and
    /// note's Japanese too.
    pub title_ja: Option<String>,
    /// Where the procedure comes from (vendor document), if stated.
    pub source: Option<String>,
    /// The update modules it applies, in the file's order (at least one).
    pub modules: Vec<Module>,
    /// Procedure-wide warnings and rules, for people.
    pub notes: Vec<Note>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Hash of the file's text; a journal refuses to resume under an edited procedure.
    pub content_hash: String,
    /// Hash of what decides a run (the module, and each step's id, number, role, action,
    /// condition and arguments), not of its wording: a counterexample is replayed exactly
    /// while this is unchanged.
    pub behaviour_hash: String,
}

impl Procedure {
    /// One of its modules.
    pub fn module(&self, module: ModuleId) -> &Module {
        &self.modules[module.index()]
    }

    /// Its modules with their ids.
    pub fn module_ids(&self) -> impl Iterator<Item = (ModuleId, &Module)> {
        self.modules.iter().enumerate().map(|(i, module)| (ModuleId(i as u8), module))
    }

    /// How outputs name what it applies: `SSC0307-0006`, or the ids joined by `+`.
    pub fn modules_label(&self) -> String {
        let ids: Vec<&str> = self.modules.iter().map(|module| module.id.as_str()).collect();
        ids.join("+")
    }

    /// The module `step` acts on: the one it names, or the first.
    pub fn module_of(&self, step: &Step) -> &Module {
        self.module(step.action.module().unwrap_or_default())
    }

    /// The module whose steps work in `folder` (unzip it there, install from there): the one
    /// an installer run from that folder installs. The first module where no step says.
    pub fn module_in_folder(&self, folder: &str) -> ModuleId {
        self.steps
            .iter()
            .find(|step| step.action.working_folder().is_some_and(|known| crate::observation::same_path(known, folder)))
            .and_then(|step| step.action.module())
            .unwrap_or_default()
    }

    /// What a module installs of `component` (its version, services and values), if one
    /// updates it: the loader lets one module at most update a component.
    pub fn module_of_component(
        &self,
        component: crate::cluster::ComponentId,
    ) -> Option<&crate::module::ModuleComponent> {
        self.modules.iter().flat_map(|module| module.components.iter()).find(|c| c.component == component)
    }
}

/// A procedure-wide note.
#[derive(Debug, Clone)]
pub struct Note {
    /// Stable id.
    pub id: String,
    /// Text for people.
    pub text: String,
    /// The text in Japanese (`text-ja`), when the procedure is in Japanese too.
    pub text_ja: Option<String>,
}

/// One step of the procedure.
#[derive(Debug, Clone)]
pub struct Step {
    /// Stable id, unique in the procedure.
    pub id: String,
    /// The vendor's step number, when the step comes from a numbered document.
    pub number: Option<u32>,
    /// Short title.
    pub title: String,
    /// Which node(s) the step runs on.
    pub role: Role,
    /// What it does.
    pub action: Action,
    /// Runs only if this holds.
    pub condition: Option<Condition>,
    /// What the operator does, in words.
    pub text: String,
    /// Warnings attached to the step.
    pub notes: Vec<String>,
    /// Line of the step's `[[step]]` header in the file.
    pub line: usize,
    /// The step's place in its procedure, from 1 (a mutant that moves steps sets it again).
    pub position: usize,
    /// The title, text and notes in Japanese, when the procedure file gives them.
    pub ja: Option<Box<StepJa>>,
}

/// A step's words in Japanese (`title-ja`, `text-ja`, `notes-ja`): the same sentences as the
/// English ones, for the trainer's Japanese pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepJa {
    /// The title.
    pub title: String,
    /// What the operator does (empty when the step has no `text`).
    pub text: String,
    /// The notes, one for each English note, in order.
    pub notes: Vec<String>,
}

impl Step {
    /// How every renderer says which step this is: the vendor's number, `6`, or for a step
    /// without one its place in the procedure, `#3` (the mark keeps a place from reading as
    /// a vendor's number).
    pub fn tag(&self) -> String {
        match self.number {
            Some(number) => number.to_string(),
            None => format!("#{}", self.position),
        }
    }

    /// `6 install-active`, or `#3 install-active` for an unnumbered step.
    pub fn label(&self) -> String {
        format!("{} {}", self.tag(), self.id)
    }
}

/// When a conditional step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Only if the module writes registry values.
    ModuleWritesRegistry,
    /// Only if an installer asked for a restart that has not happened yet.
    RestartRequested,
}

impl Condition {
    /// The keyword used in procedure files.
    pub fn keyword(self) -> &'static str {
        match self {
            Condition::ModuleWritesRegistry => "module-writes-registry",
            Condition::RestartRequested => "restart-requested",
        }
    }
}
