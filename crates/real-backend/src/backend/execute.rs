//! Acting: the command each [`Operation`] maps to, and how its result is read.

use procedure::backend::{BackendError, Installer, Operation, Power, Refusal, same_path};
use procedure::cluster::NodeId;
use procedure::event::{Event, EventKind, InstallerFailure};
use procedure::module::ModuleId;
use procedure::procedure::RestartAnswer;
use remote::archive;
use remote::argv::{Argv, NameError};
use remote::transport::TransportError;

use super::RealBackend;
use crate::commands;
use crate::evidence;
use crate::parse::clpcmd::{self, ClpResult};
use crate::parse::reg_import::{self, RegImport};
use crate::parse::{certutil, sc};

/// `ERROR_SUCCESS_REBOOT_REQUIRED`: Windows installers' "done, restart needed".
const EXIT_RESTART_REQUIRED: i32 = 3010;

impl RealBackend {
    pub(super) fn execute_operation(&mut self, operation: &Operation) -> Result<(), BackendError> {
        if let Some(result) = self.execute_through_rest(operation) {
            return result;
        }
        let node = operation.node();
        let setup = std::sync::Arc::clone(&self.setup);
        let cluster = &setup.cluster;
        let name = |node: NodeId| cluster.nodes[node.index()].name.as_str();
        let named = |result: Result<Argv, NameError>| result.map_err(|error| self.failed(node, error));
        match *operation {
            Operation::SuspendCluster { via } => self.clp(via, "clpcl --suspend", &commands::suspend_cluster()),
            Operation::ResumeCluster { via } => {
                self.clp(via, "clpcl --resume", &commands::resume_cluster())?;
                self.drift.set_moment("after resume-cluster".to_owned());
                Ok(())
            }
            Operation::StartClusterService { node } => {
                self.clp(node, "clpcl -s", &named(commands::start_cluster_service(name(node)))?)
            }
            Operation::StopClusterService { node } => {
                self.clp(node, "clpcl -t", &named(commands::stop_cluster_service(name(node)))?)
            }
            Operation::SuspendMonitor { node, monitor } => {
                let argv = named(commands::suspend_monitor(name(node), &cluster.monitors[monitor.index()].name))?;
                self.check_monitor_host(node, &argv)?;
                self.clp(node, "clpmonctrl -s", &argv)
            }
            Operation::ResumeMonitor { node, monitor } => {
                let argv = named(commands::resume_monitor(name(node), &cluster.monitors[monitor.index()].name))?;
                self.check_monitor_host(node, &argv)?;
                self.clp(node, "clpmonctrl -r", &argv)
            }
            Operation::StopWatch { node, service } | Operation::StartWatch { node, service } => {
                let stop = matches!(operation, Operation::StopWatch { .. });
                self.set_watch(node, service, stop)
            }
            Operation::StopService { node, service } => {
                let argv = named(commands::stop_service(self.service_key(service)))?;
                self.service_control(node, &argv, sc::ScErrorKind::NotStarted)
            }
            Operation::StartService { node, service } => {
                let argv = named(commands::start_service(self.service_key(service)))?;
                self.service_control(node, &argv, sc::ScErrorKind::AlreadyRunning)
            }
            Operation::StopResource { via, resource } => {
                let argv = named(commands::stop_resource(&cluster.resources[resource.index()].name, name(via)))?;
                self.clp(via, "clprsc -t", &argv)
            }
            Operation::StartResource { node, resource } => {
                let argv = named(commands::start_resource(&cluster.resources[resource.index()].name, name(node)))?;
                self.clp(node, "clprsc -s", &argv)
            }
            Operation::MoveGroup { via, group, to } => {
                let argv = named(commands::move_group(&cluster.groups[group.index()].name, to.map(name)))?;
                self.clp(via, "clpgrp -m", &argv)?;
                self.drift.set_moment("after move-group".to_owned());
                Ok(())
            }
            Operation::UnzipModule { node, ref folder, module } => self.unzip(node, folder, module),
            Operation::BackupRegistry { node, ref file } => self.backup_registry(node, file),
            Operation::ImportRegistry { node, ref file } => self.import_registry(node, file),
            Operation::InstallModule { node, ref folder, module, restart_answer } => {
                self.install(node, folder, module, restart_answer)
            }
            Operation::RebootNode { node } => {
                self.reboot(node, &commands::reboot_node())?;
                self.observation.nodes[node.index()].make_mut().boots += 1;
                Ok(())
            }
            Operation::RebootCluster { via } => {
                self.clp(via, "clpstdn -r", &commands::reboot_cluster())?;
                // Inferred: clpstdn -r reboots every node; the boot counter follows it.
                for state in &mut self.observation.nodes {
                    state.make_mut().boots += 1;
                }
                Ok(())
            }
        }
    }

    /// Whether the last observation shows every node that answered suspended.
    pub(super) fn seen_suspended(&self) -> bool {
        use procedure::backend::ClusterService;
        let answered: Vec<_> = self.observation.nodes.iter().filter(|node| node.reachable).collect();
        !answered.is_empty() && answered.iter().all(|node| node.cluster == ClusterService::Suspended)
    }

    /// Runs an EXPRESSCLUSTER command and reads its result.
    fn clp(&mut self, node: NodeId, command: &'static str, argv: &Argv) -> Result<(), BackendError> {
        let output = self.run_on(node, argv, self.config.command_timeout)?;
        match clpcmd::parse_result(command, &output).map_err(|error| self.failed(node, error))? {
            ClpResult::Succeeded => Ok(()),
            ClpResult::Failed { code, message } if command == "clpgrp -m" => {
                // A refused move is read by its shape and the state last seen, never by its
                // wording alone (`evidence::refused`).
                let failed = evidence::Failed::Exit { code, message: message.clone() };
                match evidence::refused(&failed, self.seen_suspended()) {
                    evidence::RefusalCause::Suspended => {
                        Err(BackendError::Refused { node, reason: Refusal::ClusterSuspended })
                    }
                    evidence::RefusalCause::Unknown(what) => {
                        Err(self.failed(node, format!("`{argv}`: unknown: {what}; stopping here")))
                    }
                }
            }
            ClpResult::Failed { code, message } => {
                Err(self.failed(node, format!("`{argv}` exited with code {code:?}: {message}")))
            }
        }
    }

    /// `sc.exe stop|start`: the state comes later from `sc.exe query`; an error that says
    /// the service is already where it was asked to go is no failure.
    fn service_control(&mut self, node: NodeId, argv: &Argv, already: sc::ScErrorKind) -> Result<(), BackendError> {
        let output = self.run_on(node, argv, self.config.command_timeout)?;
        let result = sc::parse(&output).map_err(|error| self.failed(node, error))?;
        match result.errors.first() {
            None if !result.services.is_empty() => Ok(()),
            None => Err(self.failed(node, format!("`{argv}` printed neither a service record nor an error"))),
            Some(error) if error.kind() == already => Ok(()),
            Some(error) if error.kind() == sc::ScErrorKind::NotInstalled => Err(self.failed(
                node,
                format!(
                    "`{argv}`: the service is not installed ({} error {}: {})",
                    error.api, error.code, error.message
                ),
            )),
            Some(error) => {
                Err(self
                    .failed(node, format!("`{argv}` failed: {} error {}: {}", error.api, error.code, error.message)))
            }
        }
    }

    /// The Task Manager watch, through the commands the connection file declares.
    fn set_watch(
        &mut self,
        node: NodeId,
        service: procedure::cluster::ServiceId,
        stop: bool,
    ) -> Result<(), BackendError> {
        let Some(watch) = &self.config.watch else {
            return Err(self.failed(
                node,
                "no command is known for the Task Manager watch; declare [watch] stop and start in the connection file",
            ));
        };
        let template = if stop { &watch.stop } else { &watch.start };
        let key = self.service_key(service).to_owned();
        let mut elements =
            template.iter().map(|element| if element == "{service}" { key.clone() } else { element.clone() });
        let Some(program) = elements.next() else {
            return Err(self.failed(node, "the [watch] command is empty"));
        };
        let argv = Argv { program, args: elements.collect() };
        let output = self.run_on(node, &argv, self.config.command_timeout)?;
        if output.code != Some(0) {
            return Err(
                self.failed(node, format!("`{argv}` exited with code {:?}: {}", output.code, output.text().trim()))
            );
        }
        // Inferred: the watch is what the last successful command set.
        self.watches[node.index()][service.index()] =
            if stop { procedure::backend::Watch::NotMonitoring } else { procedure::backend::Watch::Monitoring };
        Ok(())
    }

    /// Extracts the archive locally once, copies every file to the node's folder, and checks
    /// each file's SHA-256 there.
    fn unzip(&mut self, node: NodeId, folder: &str, module: ModuleId) -> Result<(), BackendError> {
        if self.setup.cluster.is_mirror_drive(folder) {
            return Err(self.failed(node, format!("refusing to unzip into {folder}: it is on the mirror drive")));
        }
        let drive = procedure::cluster::drive_of(folder);
        if !self.setup.cluster.nodes[node.index()].drives.iter().any(|local| local.eq_ignore_ascii_case(drive)) {
            return Err(BackendError::Refused { node, reason: Refusal::DriveNotAccessible });
        }
        let id = self.setup.procedure.module(module).id.clone();
        let staging = if module == ModuleId(0) {
            self.config.staging.clone()
        } else {
            self.config.staging.with_file_name(format!("module-{id}"))
        };
        if self.manifests.get(module.index()).is_none_or(Option::is_none) {
            let given = super::archive_of(self.config.archive.as_deref(), &self.config.archives, module, &id);
            let Some(archive) = given.map(std::path::Path::to_path_buf) else {
                let message = if self.setup.procedure.modules.len() == 1 {
                    "no module archive is given (connection file: [module] archive)".to_owned()
                } else {
                    format!("no archive is given for module {id} (connection file: [module.archives] \"{id}\" = FILE)")
                };
                return Err(self.failed(node, message));
            };
            let manifest = archive::extract(&archive, &staging, archive::Limits::default())
                .map_err(|error| self.failed(node, error))?;
            if self.manifests.len() <= module.index() {
                self.manifests.resize(module.index() + 1, None);
            }
            self.manifests[module.index()] = Some(manifest);
        }
        let files = self.manifests[module.index()].as_ref().map(|m| m.files.clone()).unwrap_or_default();
        for file in &files {
            let local = file.path.split('/').fold(staging.clone(), |path, c| path.join(c));
            let remote = commands::windows_join(folder, &file.path.replace('/', "\\"));
            let started = std::time::Instant::now();
            let copied = self.links[node.index()].transport.copy_file(&local, &remote, self.config.copy_timeout);
            self.commands.push(super::CommandRecord {
                node: self.node_name(node).to_owned(),
                command: format!("copy {} -> {remote}", file.path),
                took: started.elapsed(),
                outcome: copied.as_ref().map(|()| Some(0)).map_err(ToString::to_string),
                output: String::new(),
                step: self.step,
            });
            copied.map_err(|error| self.transport_error(node, &Argv::new("copy").arg(&remote), error))?;
            let argv = commands::hash_file(&remote).map_err(|error| self.failed(node, error))?;
            let output = self.run_on(node, &argv, self.config.command_timeout)?;
            let hash = certutil::parse(&output).map_err(|error| self.failed(node, error))?;
            if hash != file.sha256 {
                return Err(self.failed(
                    node,
                    format!("{remote} has SHA-256 {hash} on the node, but {} in the archive", file.sha256),
                ));
            }
        }
        let state = self.observation.nodes[node.index()].make_mut();
        state.unzipped.set(module, Some(folder.into()));
        Ok(())
    }

    /// `reg import` of `file`, and of `file-2.reg`... that `backup_registry` wrote beside it
    /// when the module writes under several keys.
    fn import_registry(&mut self, node: NodeId, file: &str) -> Result<(), BackendError> {
        for target in self.export_files(file) {
            let argv = commands::import_registry(&target).map_err(|error| self.failed(node, error))?;
            let output = self.run_on(node, &argv, self.config.command_timeout)?;
            match reg_import::parse(&output).map_err(|error| self.failed(node, error))? {
                RegImport::Imported => {}
                RegImport::Failed { message } => {
                    return Err(self.failed(node, format!("`{argv}` failed: {message}")));
                }
            }
        }
        Ok(())
    }

    /// The keys the module writes, each once, in the module's order: one export file each.
    fn module_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for writes in &self.setup.module_writes {
            for (slot, _) in &writes.writes {
                let key = &self.setup.registry[slot.index()].key;
                if !keys.iter().any(|known| known.eq_ignore_ascii_case(key)) {
                    keys.push(key.clone());
                }
            }
        }
        keys
    }

    /// The files an export to `file` writes: `file` for the first key, `file-2.reg`... for
    /// the others.
    fn export_files(&self, file: &str) -> Vec<String> {
        let stem = file.strip_suffix(".reg").unwrap_or(file);
        (0..self.module_keys().len())
            .map(|i| if i == 0 { file.to_owned() } else { format!("{stem}-{}.reg", i + 1) })
            .collect()
    }

    /// `reg export` of every key the module writes, into `file` (or `file-2.reg`... when
    /// the module writes under several keys).
    fn backup_registry(&mut self, node: NodeId, file: &str) -> Result<(), BackendError> {
        let keys = self.module_keys();
        for (key, target) in keys.iter().zip(self.export_files(file)) {
            let argv = commands::export_registry(key, &target).map_err(|error| self.failed(node, error))?;
            let output = self.run_on(node, &argv, self.config.command_timeout)?;
            if output.code != Some(0) {
                return Err(
                    self.failed(node, format!("`{argv}` exited with code {:?}: {}", output.code, output.text().trim()))
                );
            }
        }
        let backups = &mut self.observation.nodes[node.index()].make_mut().registry_backups;
        if !backups.iter().any(|known| same_path(known, file)) {
            backups.push(file.into());
        }
        Ok(())
    }

    /// Runs the installer's silent command; reads the registry before and after for the
    /// drift detector.
    fn install(
        &mut self,
        node: NodeId,
        folder: &str,
        module: ModuleId,
        answer: RestartAnswer,
    ) -> Result<(), BackendError> {
        let Some(installer) = self.config.installer.clone() else {
            return Err(self.failed(node, "no installer command is given (connection file: [module] installer)"));
        };
        let argv = commands::install_module(folder, &installer.program, &installer.args)
            .map_err(|error| self.failed(node, error))?;
        let before = self.read_registry(node)?;
        let state = self.observation.nodes[node.index()].make_mut();
        state.installer = Installer::Running;
        state.installer_module = module;
        let from_mirror = self.setup.cluster.is_mirror_drive(folder);
        let at = self.clock.now();
        self.events.push(Event { at, kind: EventKind::InstallerStarted { node, from_mirror } });
        // An installer that outlives its timeout is not an unreachable node: it may still run.
        let output = match self.run_raw(node, &argv, self.config.install_timeout) {
            Ok(output) => output,
            Err(TransportError::Timeout { after }) => {
                return Err(self.failed(
                    node,
                    format!(
                        "the installer `{argv}` did not finish within {} min; it may still be running there",
                        after.as_secs() / 60
                    ),
                ));
            }
            Err(error) => return Err(self.transport_error(node, &argv, error)),
        };
        let restart_requested = match output.code {
            Some(0) => false,
            Some(EXIT_RESTART_REQUIRED) => true,
            code => {
                self.observation.nodes[node.index()].make_mut().installer = Installer::Failed(InstallerFailure::Fault);
                let at = self.clock.now();
                self.events
                    .push(Event { at, kind: EventKind::InstallerFailed { node, reason: InstallerFailure::Fault } });
                return Err(self.failed(
                    node,
                    format!("the installer `{argv}` exited with code {code:?}: {}", output.text().trim()),
                ));
            }
        };
        let at = self.clock.now();
        // Inferred: whether an installer did only the files-only part is not visible; the
        // standby's run is reported like the active one's.
        let finished = EventKind::InstallerFinished { node, restart_requested, files_only: false };
        self.events.push(Event { at, kind: finished });
        let after = self.read_registry(node)?;
        self.drift.installed(node, &before, &after);
        let state = self.observation.nodes[node.index()].make_mut();
        state.installer = Installer::Finished { restart_requested };
        // Inferred: a successful installer leaves every component of the module at the
        // module's version; no command reads SSC component versions.
        for component in &self.setup.procedure.module(module).components {
            state.components[component.component.index()] = component.version.as_str().into();
        }
        if restart_requested && answer == RestartAnswer::Restart {
            self.reboot(node, &commands::reboot_node())?;
            self.observation.nodes[node.index()].make_mut().boots += 1;
        }
        Ok(())
    }

    /// A reboot command: the connection may drop as the node goes down, which is success.
    fn reboot(&mut self, node: NodeId, argv: &Argv) -> Result<(), BackendError> {
        match self.run_on(node, argv, self.config.command_timeout) {
            Ok(output) if output.code == Some(0) => {}
            Ok(output) => {
                return Err(
                    self.failed(node, format!("`{argv}` exited with code {:?}: {}", output.code, output.text().trim()))
                );
            }
            Err(BackendError::Unreachable { .. }) => {}
            Err(other) => return Err(other),
        }
        self.observation.nodes[node.index()].make_mut().power = Power::Booting;
        Ok(())
    }
}
