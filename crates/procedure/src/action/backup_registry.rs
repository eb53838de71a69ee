//! `backup-registry`: export the registry keys a module changes into a .reg file in its
//! working folder, before the install.

use std::sync::Arc;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::module::ModuleId;
use crate::observation::same_path;
use crate::operation::Operation;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Export the registry keys the module changes into a .reg file in the working folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRegistry {
    /// The export file: `<working folder>\registry-<step id>.reg`.
    pub file: String,
    /// The module whose keys it exports.
    pub module: ModuleId,
}

impl BackupRegistry {
    fn done(&self, at: &At<'_>) -> bool {
        at.state().registry_backups.iter().any(|done| same_path(done, &self.file))
    }
}

impl Kind for BackupRegistry {
    const KEYWORD: &'static str = "backup-registry";
    const TAKES: &'static [&'static str] = &["module"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let module = args.module_id()?;
        let folder = args.last_folder_of(module).or(args.last_folder).unwrap_or(r"C:\Temp");
        Ok(BackupRegistry { file: format!("{folder}\\registry-{}.reg", args.step_id.get_ref()), module })
    }
}

impl Behaviour for BackupRegistry {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let mut keys: Vec<String> =
            plan.module.components.iter().flat_map(|c| c.registry.iter().map(|v| v.key.clone())).collect();
        keys.dedup();
        let does = format!("export {} to {} on {}", crate::text::and_list(&keys), self.file, plan.on);
        plan.says(does, "the export file exists on each node");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        if self.done(at) {
            Vec::new()
        } else {
            vec![Operation::BackupRegistry { node: at.node, file: Arc::from(self.file.as_str()) }]
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        if self.done(at) { Verdict::Holds } else { pending!(at.explain, "the registry export is not there yet") }
    }

    fn registry_export(&self) -> Option<&str> {
        Some(&self.file)
    }

    fn module(&self) -> Option<ModuleId> {
        Some(self.module)
    }
}
