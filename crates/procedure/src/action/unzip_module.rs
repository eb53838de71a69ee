//! `unzip-module`: extract a module's archive into a working folder on the node.

use std::sync::Arc;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::module::ModuleId;
use crate::observation::same_path;
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Extract the module archive into `folder` on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnzipModule {
    /// Working folder, `C:\Temp\SSC0307-0006`.
    pub folder: String,
    /// The module whose archive it extracts.
    pub module: ModuleId,
}

impl UnzipModule {
    /// The module is unzipped there (on the mirror drive, wherever the mirror is).
    fn done(&self, at: &At<'_>) -> bool {
        if at.cluster.is_mirror_drive(&self.folder) {
            at.observation.mirror_unzipped.get(self.module).is_some_and(|f| same_path(f, &self.folder))
        } else {
            at.state().unzipped.get(self.module).is_some_and(|f| same_path(f, &self.folder))
        }
    }
}

impl Kind for UnzipModule {
    const KEYWORD: &'static str = "unzip-module";
    const TAKES: &'static [&'static str] = &["folder", "module"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let module = args.module_id()?;
        Ok(UnzipModule { folder: args.names.folder(args.required(args.folder, "folder")?)?, module })
    }
}

impl Behaviour for UnzipModule {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let folder = &self.folder;
        if plan.cluster.is_mirror_drive(folder) {
            plan.warnings.push(format!(
                "{folder} is on the mirror drive: only the node that holds the mirror disk can read it"
            ));
        }
        let does = format!("extract {} into {folder} on {}", plan.module.archive, plan.on);
        plan.says(does, format!("the module's files are in {folder} on each node"));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if self.done(at) {
            Vec::new()
        } else {
            vec![Operation::UnzipModule { node: at.node, folder: Arc::from(self.folder.as_str()), module: self.module }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if self.done(at) {
            Verdict::Holds
        } else {
            pending!(at.explain, "{} is not yet unzipped in {}", at.module.id, self.folder)
        }
    }

    fn working_folder(&self) -> Option<&str> {
        Some(&self.folder)
    }

    fn module(&self) -> Option<ModuleId> {
        Some(self.module)
    }
}
