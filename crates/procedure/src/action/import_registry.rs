//! `import-registry`: import a .reg export into the node's registry (`reg import FILE`), to
//! put back the module's values where registry sync rolled them back. Registry sync captures
//! what is written on the node that holds it while the cluster runs, so the import is only
//! useful there and then; the guards refuse it elsewhere (`engine/guard.rs`).

use std::sync::Arc;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::diagnostic::FileError;
use crate::module::ModuleId;
use crate::operation::Operation;
use crate::postcondition::{Verdict, module_values_in_place, pending};

/// Import the export `file` on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRegistry {
    /// The .reg file on the node: an export taken there after the module's install.
    pub file: String,
    /// The module whose values it puts back.
    pub module: ModuleId,
}

impl ImportRegistry {
    /// What `reg query` of the module's keys would show: every value the module writes.
    fn done(&self, at: &At<'_>) -> bool {
        let writes = at.module_writes.iter().filter(|w| at.module.components.iter().any(|c| c.component == w.component));
        module_values_in_place(writes, at.state())
    }
}

impl Kind for ImportRegistry {
    const KEYWORD: &'static str = "import-registry";
    const TAKES: &'static [&'static str] = &["file", "module"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let module = args.module_id()?;
        Ok(ImportRegistry { file: args.names.file(args.required(args.file, "file")?)?, module })
    }
}

impl Behaviour for ImportRegistry {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let file = &self.file;
        if !plan.module.writes_registry() {
            plan.warnings.push(format!(
                "{} writes no registry values: there is nothing for the import to put back",
                plan.module.id
            ));
        }
        let does = format!(
            "import {file} on {} (reg import {file}) where registry values the module writes are missing, with the \
             cluster running and registry sync online there, so that it captures them",
            plan.on
        );
        plan.says(does, format!("the registry values {} writes are in place on each node (reg query)", plan.module.id));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if self.done(at) {
            Vec::new()
        } else {
            vec![Operation::ImportRegistry { node: at.node, file: Arc::from(self.file.as_str()) }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if self.done(at) {
            Verdict::Holds
        } else {
            pending!(
                at.explain,
                "registry values {} writes are still missing on {} (does {} hold them?)",
                at.module.id,
                at.name(),
                self.file
            )
        }
    }

    fn module(&self) -> Option<ModuleId> {
        Some(self.module)
    }
}
