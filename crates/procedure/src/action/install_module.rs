//! `install-module`: run a module's installer on the node, and answer its restart prompt.

use std::sync::Arc;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Milestone, Patience, PlanText};
use crate::module::ModuleId;
use crate::observation::Installer;
use crate::operation::{Operation, RestartAnswer};
use crate::diagnostic::FileError;
use crate::observation::InstallerFailure;
use crate::postcondition::{Verdict, module_installed, pending};
use crate::text::and_list;

/// Run the module's installer on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallModule {
    /// Where the module was unzipped.
    pub folder: String,
    /// The module it installs.
    pub module: ModuleId,
    /// Answer to the installer's restart prompt.
    pub restart_answer: RestartAnswer,
    /// Run the installer even where it finished and the versions are in place (a recovery
    /// re-applying values that registry sync rolled back; never read from a file).
    pub reapply: bool,
}

impl Kind for InstallModule {
    const KEYWORD: &'static str = "install-module";
    const TAKES: &'static [&'static str] = &["folder", "restart-answer", "module"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let module = args.module_id()?;
        let folder = args.folder_or_last(module)?;
        let restart_answer = match args.restart_answer {
            None => RestartAnswer::Decline,
            Some(answer) => {
                args.keyword(answer, "restart answer", ("not an answer", "answers: decline, restart"), |word| {
                    match word {
                        "decline" => Some(RestartAnswer::Decline),
                        "restart" => Some(RestartAnswer::Restart),
                        _ => None,
                    }
                })?
            }
        };
        Ok(InstallModule { folder, module, restart_answer, reapply: false })
    }
}

impl Behaviour for InstallModule {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let (cluster, module, folder) = (plan.cluster, plan.module, &self.folder);
        if cluster.is_mirror_drive(folder) {
            plan.warnings.push(format!("installs from {folder}, on the mirror drive"));
        }
        if self.restart_answer == RestartAnswer::Restart {
            plan.warnings.push("answers Restart at the installer's prompt: a reboot while the cluster is suspended rolls the synchronized registry keys back".to_owned());
        }
        plan.does.push(format!("run the {} installer from {folder} on {}", module.id, plan.on));
        if !module.requires_stopped.is_empty() {
            let does = format!("it needs {} stopped first, and fails otherwise", plan.services(&module.requires_stopped));
            plan.does.push(does);
        }
        for component in &module.components {
            let name = &cluster.components[component.component.index()].name;
            let does = format!(
                "it stops and restarts {} and updates {name} to {}",
                plan.services(&component.services),
                component.version
            );
            plan.does.push(does);
            if !component.registry.is_empty() {
                plan.does.push(format!(
                    "it writes {}",
                    crate::text::counted(component.registry.len() as u64, "registry value", "registry values")
                ));
            }
        }
        if self.restart_answer == RestartAnswer::Decline {
            plan.does.push("a restart prompt is declined; the reboot follows resume-cluster".to_owned());
        }
        let versions: Vec<String> = module
            .components
            .iter()
            .map(|c| format!("{} {}", cluster.components[c.component.index()].name, c.version))
            .collect();
        plan.verifies.push(format!("the installer finished without error and {} is installed", and_list(&versions)));
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        match state.installer_of(self.module) {
            Installer::Running => Vec::new(),
            Installer::Finished { .. } if module_installed(at.module, state) && !self.reapply => Vec::new(),
            _ => vec![Operation::InstallModule {
                node: at.node,
                folder: Arc::from(self.folder.as_str()),
                module: self.module,
                restart_answer: self.restart_answer,
            }],
        }
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let (state, name, cluster) = (at.state(), at.name(), at.cluster);
        match state.installer_of(self.module) {
            Installer::Failed(reason) => {
                let why = match reason {
                    InstallerFailure::ModuleNotFound => {
                        "the module's files cannot be read from the folder here".to_owned()
                    }
                    InstallerFailure::Fault => "it failed midway".to_owned(),
                    InstallerFailure::ServiceInUse { service } => format!(
                        "{:?} is running and holds files it replaces; stop it first",
                        cluster.services[service.index()].name
                    ),
                    InstallerFailure::ServiceDidNotStart { service } => {
                        format!("{:?} did not start again", cluster.services[service.index()].name)
                    }
                };
                Verdict::Failed(format!("the installer failed on {name}: {why}"))
            }
            Installer::Interrupted(_) => Verdict::Failed(format!("the installer on {name} was interrupted")),
            Installer::Finished { .. } if module_installed(at.module, state) => Verdict::Holds,
            Installer::Finished { .. } => {
                Verdict::Failed(format!(
                    "the installer finished on {name} but the versions of {} are not installed",
                    at.module.id
                ))
            }
            Installer::Idle | Installer::Running => {
                pending!(at.explain, "the installer is still running on {name}")
            }
        }
    }

    fn module(&self) -> Option<ModuleId> {
        Some(self.module)
    }

    fn milestone(&self) -> Option<Milestone> {
        Some(Milestone::InstallsModule)
    }

    fn patience(&self) -> Patience {
        Patience::Install
    }

    fn may_restart_at_prompt(&self) -> bool {
        self.restart_answer == RestartAnswer::Decline
    }

    fn restart_at_prompt(&mut self) {
        self.restart_answer = RestartAnswer::Restart;
    }

    fn decline_restart(&mut self) {
        self.restart_answer = RestartAnswer::Decline;
    }

    fn reapply(&mut self) {
        self.reapply = true;
    }
}
