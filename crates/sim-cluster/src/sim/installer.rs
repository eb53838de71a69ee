//! A module's installer: its phases (stop services, replace files, write registry
//! values, start services, finish and perhaps ask for a restart) and what cuts it short.

use super::*;

impl Sim {
    pub(super) fn interrupt_installer(&mut self, node: NodeId, cause: Interruption) {
        if self.installers[node.index()].is_some() {
            self.installers.make_mut()[node.index()] = None;
            self.installer_generation.make_mut()[node.index()] += 1;
            self.node_mut(node).installer = Installer::Interrupted(cause);
            self.emit(EventKind::InstallerInterrupted { node, cause });
        }
    }

    pub(super) fn end_installer(&mut self, node: NodeId, outcome: Installer) {
        if self.installers[node.index()].is_some() {
            self.installers.make_mut()[node.index()] = None;
        }
        self.installer_generation.make_mut()[node.index()] += 1;
        self.node_mut(node).installer = outcome;
    }

    pub(super) fn start_installer(&mut self, node: NodeId, module: ModuleId, folder: &str, answer: RestartAnswer) {
        let on_mirror = self.setup.cluster.is_mirror_drive(folder);
        self.emit(EventKind::InstallerStarted { node, from_mirror: on_mirror });
        self.installer_generation.make_mut()[node.index()] += 1;
        if self.obs.nodes[node.index()].installer_module != module {
            self.node_mut(node).installer_module = module;
        }
        // The installer in a folder is the module unzipped there.
        let readable = if on_mirror {
            self.mirror_readable(node) && self.obs.mirror_unzipped.get(module).is_some_and(|f| same_path(f, folder))
        } else {
            self.obs.nodes[node.index()].unzipped.get(module).is_some_and(|f| same_path(f, folder))
        };
        if !readable {
            self.node_mut(node).installer = Installer::Failed(InstallerFailure::ModuleNotFound);
            self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::ModuleNotFound });
            return;
        }
        let in_use = self.setup.procedure.module(module).requires_stopped.iter().copied().find(|s| {
            matches!(
                self.obs.nodes[node.index()].services[s.index()],
                ServiceStatus::Running | ServiceStatus::StartPending
            )
        });
        if let Some(service) = in_use {
            self.node_mut(node).installer = Installer::Failed(InstallerFailure::ServiceInUse { service });
            self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::ServiceInUse { service } });
            return;
        }
        let fail = self.strikes(FaultKind::InstallerFails, Struck::node(node));
        let hang = self.strikes(FaultKind::InstallerHangs, Struck::node(node));
        let length = self.duration(self.setup.cluster.timing.install);
        self.installers.make_mut()[node.index()] = Some(InstallerRun {
            module,
            answer,
            stopped: Vec::new(),
            files_only: !self.mirror_readable(node),
            fail,
            hang,
            started_at: self.now,
            length,
        });
        self.node_mut(node).installer = Installer::Running;
        self.schedule_phase(node, Phase::Stop(0), self.setup.cluster.timing.service);
    }

    pub(super) fn mirror_readable(&self, node: NodeId) -> bool {
        self.setup.cluster.mirror_drives().any(|(resource, _)| {
            let state = self.obs.resources[resource.index()];
            state.status == ResourceStatus::Online && state.node == Some(node)
        })
    }

    pub(super) fn schedule_phase(&mut self, node: NodeId, phase: Phase, after: Duration) {
        let generation = self.installer_generation[node.index()];
        self.schedule(after, Timer::Installer { node, generation, phase });
    }

    /// The installer's part of the run at `fraction` of its length, measured from its start.
    pub(super) fn phase_time(&self, node: NodeId, tenths: u32) -> Duration {
        let run = self.installers[node.index()].as_ref().expect("a running installer");
        let at = run.started_at + run.length * tenths / 10;
        at.saturating_sub(self.now)
    }

    pub(super) fn installer_phase(&mut self, node: NodeId, phase: Phase) {
        let setup = Arc::clone(&self.setup);
        let module_id = self.installers[node.index()].as_ref().expect("a running installer").module;
        let module = setup.procedure.module(module_id);
        let service_time = self.setup.cluster.timing.service;
        match phase {
            Phase::Stop(i) => {
                let service = module.services().nth(usize::from(i));
                if let Some(service) = service {
                    if self.obs.nodes[node.index()].services[service.index()] != ServiceStatus::Stopped {
                        if let Some(run) = &mut self.installers.make_mut()[node.index()] {
                            run.stopped.push(service);
                        }
                        self.set_service_stopped(node, service, Actor::Installer);
                        if self.installers[node.index()].is_none() {
                            return;
                        }
                    }
                    if module.services().nth(usize::from(i) + 1).is_some() {
                        self.schedule_phase(node, Phase::Stop(i + 1), service_time);
                        return;
                    }
                }
                // A hung installer stops here, with its services stopped, and never finishes.
                if self.installers[node.index()].as_ref().is_some_and(|run| run.hang) {
                    return;
                }
                let at = self.phase_time(node, 6);
                self.schedule_phase(node, Phase::Files, at);
            }
            Phase::Files => {
                if self.installers[node.index()].as_ref().is_some_and(|run| run.fail) {
                    self.end_installer(node, Installer::Failed(InstallerFailure::Fault));
                    self.emit(EventKind::InstallerFailed { node, reason: InstallerFailure::Fault });
                    return;
                }
                for component in &module.components {
                    let id = component.component;
                    let version: Arc<str> = Arc::from(component.version.as_str());
                    self.node_mut(node).components[id.index()] = version;
                    self.emit(EventKind::ComponentUpdated { node, component: id });
                }
                let at = self.phase_time(node, 7);
                self.schedule_phase(node, Phase::Registry, at);
            }
            Phase::Registry => {
                for (slot, data) in setup.writes_of(module).flat_map(|c| c.writes.iter().copied()) {
                    self.write_registry(node, slot, data);
                }
                let at = self.phase_time(node, 8);
                self.schedule_phase(node, Phase::Start(0), at);
            }
            Phase::Start(i) => {
                let stopped = self.installers[node.index()].as_ref().map(|run| run.stopped.clone()).unwrap_or_default();
                if let Some(&service) = stopped.get(usize::from(i)) {
                    if !self.set_service_started(node, service, Actor::Installer) {
                        self.end_installer(node, Installer::Failed(InstallerFailure::ServiceDidNotStart { service }));
                        self.emit(EventKind::InstallerFailed {
                            node,
                            reason: InstallerFailure::ServiceDidNotStart { service },
                        });
                        return;
                    }
                    if usize::from(i) + 1 < stopped.len() {
                        self.schedule_phase(node, Phase::Start(i + 1), service_time);
                        return;
                    }
                }
                let at = self.phase_time(node, 10);
                self.schedule_phase(node, Phase::Finish, at);
            }
            Phase::Finish => {
                let run = self.installers[node.index()].clone().expect("a running installer");
                // A module that always asks never reads the fault.
                let asked = module.asks_for_restart || self.strikes(FaultKind::RestartRequest, Struck::node(node));
                let answer_now = asked && !self.operator_answers;
                if answer_now {
                    self.emit(EventKind::InstallerPrompt { node, answer: run.answer });
                }
                self.end_installer(node, Installer::Finished { restart_requested: asked });
                self.emit(EventKind::InstallerFinished { node, restart_requested: asked, files_only: run.files_only });
                if asked && self.operator_answers {
                    self.prompts.set(node.index(), true);
                }
                if answer_now && run.answer == RestartAnswer::Restart {
                    self.node_down(node, DownCause::InstallerPrompt);
                    self.boot(node);
                }
            }
        }
    }
}

impl Sim {
    /// Whether the installer's restart prompt is open on `node`, waiting for a person (see
    /// [`Builder::operator_answers`](crate::sim::Builder::operator_answers)).
    pub fn prompt_open(&self, node: NodeId) -> bool {
        self.prompts.get(node.index())
    }

    /// Answers the open restart prompt on `node`: Yes restarts the node at once, as the
    /// installer's dialog does; No leaves the restart pending. Returns whether a prompt was
    /// open.
    pub fn answer_prompt(&mut self, node: NodeId, answer: RestartAnswer) -> bool {
        if !self.prompts.take(node.index()) {
            return false;
        }
        self.emit(EventKind::InstallerPrompt { node, answer });
        if answer == RestartAnswer::Restart {
            self.node_down(node, DownCause::InstallerPrompt);
            self.boot(node);
        }
        true
    }
}
