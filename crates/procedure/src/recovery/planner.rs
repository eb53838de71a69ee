//! The recovery planner: from the run's journal (its [`Resumption`]) and a fresh observation,
//! the ordered steps, in the existing action vocabulary, that bring the cluster back to
//! serving ([`super::serving`]). Sans-IO: it reads data and returns data.
//!
//! The order is the one the guards need: nodes the operator must bring back first (and
//! nothing else planned until they can be seen), cluster services started, the apply
//! window finished while the cluster is suspended (watches stopped, required services
//! stopped, the module installed where it is missing, then the services stopped where their
//! resource is online started again), the resume, watches started, then
//! what only a resumed cluster allows (moving the group, resuming monitors).
//!
//! Registry values rolled back on a node whose installer finished are imported from the
//! export the run took there after its install ([`super::exports_after_install`]), once the
//! cluster runs and while the group (and with it registry sync) is online on that node, so
//! that registry sync captures them; with no such export, they are put back by hand.

use std::hash::Hasher as _;
use std::time::Duration;

use crate::action::kind::Milestone;
use crate::action::{
    Action, ImportRegistry, Manual, ManualCheck, MoveGroup, ResumeCluster, ResumeMonitor, StartClusterService,
    StartMonitoring, StartResource, StartServices, StopMonitoring, StopServices, SuspendCluster,
};
use crate::cluster::{GroupId, NodeId, ResourceId, ServiceId};
use crate::journal::Resumption;
use crate::module::ModuleId;
use crate::observation::{GroupStatus, Installer, Observation, ResourceStatus, ServiceStatus, Watch, same_path};
use crate::procedure::{Procedure, Step};
use crate::roles::{Role, Roles};
use crate::setup::Setup;
use crate::shared::FxHasher;

use super::serving::{Shortfall, shortfalls};

/// A recovery: what the cluster lacks, and the steps that bring it back.
#[derive(Debug, Clone)]
pub struct Recovery {
    /// What the observed cluster lacks of serving; empty when it serves.
    pub shortfalls: Vec<Shortfall>,
    /// The steps, in order, each titled with why it is there. Empty when nothing is to do.
    pub steps: Vec<Step>,
    /// The roles of the run: its active node is where the group goes back to.
    pub roles: Roles,
    /// The plan only asks the operator to bring nodes back (or to wait for an installer):
    /// the rest is planned once every node can be seen, by recovering again.
    pub needs_operator_first: bool,
    /// The apply window is open: an installer ran since the cluster was suspended.
    pub apply_started: bool,
    /// An installer asked for a restart that has not happened.
    pub restart_pending: bool,
}

/// Plans the recovery of the run described by `resumption` (none when the journal holds no
/// step) on the cluster as `observation` shows it.
pub fn plan(setup: &Setup, resumption: Option<&Resumption>, observation: &Observation) -> Recovery {
    let roles = resumption.and_then(|r| r.roles.clone()).unwrap_or_else(|| Roles::initial(&setup.cluster));
    let found = shortfalls(setup, &roles, observation);
    let mut planner = Planner { setup, resumption, roles: &roles, observation, steps: Vec::new() };
    let needs_operator_first = planner.plan(&found);
    let suspended = found.iter().any(|s| matches!(s, Shortfall::Suspended(_)));
    let installers_ran = observation.nodes.iter().any(|n| n.installer != Installer::Idle);
    let restart_asked =
        observation.nodes.iter().any(|n| n.installer == Installer::Finished { restart_requested: true });
    let mut steps = planner.steps;
    for (place, step) in steps.iter_mut().enumerate() {
        step.position = place + 1;
    }
    Recovery {
        shortfalls: found,
        steps,
        roles: roles.clone(),
        needs_operator_first,
        apply_started: suspended && (installers_ran || resumption.is_some_and(|r| r.apply_started)),
        restart_pending: restart_asked || resumption.is_some_and(|r| r.restart_pending),
    }
}

impl Recovery {
    /// The recovery as a procedure of the same module, for the engine and the plan renderers.
    /// Its hash is that of its steps, so that a recovery's journal is only read back against
    /// the same plan.
    pub fn procedure(&self, setup: &Setup) -> Procedure {
        let mut hasher = FxHasher::default();
        // Every step in full: two plans whose steps have the same ids and titles may differ
        // in an action's arguments (which services to start), and a recovery is told apart by
        // this hash (in the model checker's fingerprints too).
        for step in &self.steps {
            hasher.write(step.id.as_bytes());
            hasher.write(step.title.as_bytes());
            hasher.write(format!("{:?}", (&step.role, &step.action, &step.condition)).as_bytes());
        }
        let hash = format!("recovery-{:016x}", hasher.finish());
        Procedure {
            title: format!("Recover the cluster after a run of {}", setup.procedure.modules_label()),
            title_ja: None,
            source: None,
            modules: setup.procedure.modules.clone(),
            notes: Vec::new(),
            steps: self.steps.clone(),
            content_hash: hash.clone(),
            // The plan has no wording apart from what it does.
            behaviour_hash: hash,
        }
    }

    /// Where an engine running the recovery starts: the run's roles, the apply window as the
    /// cluster shows it, at `at`.
    pub fn start(&self, at: Duration, seed: Option<u64>) -> Resumption {
        Resumption {
            roles: Some(self.roles.clone()),
            next_step: 0,
            apply_started: self.apply_started,
            resumed: false,
            restart_pending: self.restart_pending,
            completed_operations: Vec::new(),
            unfinished: None,
            finished: None,
            last_at: at,
            seed,
            scenario: None,
            records: Vec::new(),
        }
    }
}

struct Planner<'a> {
    setup: &'a Setup,
    resumption: Option<&'a Resumption>,
    roles: &'a Roles,
    observation: &'a Observation,
    steps: Vec<Step>,
}

impl<'a> Planner<'a> {
    /// Plans from the shortfalls; says whether the plan only asks the operator first.
    fn plan(&mut self, found: &[Shortfall]) -> bool {
        let mut operator_first = false;
        for shortfall in found {
            let (node, instruction) = match shortfall {
                Shortfall::Down(node) => (node, format!("power on {}, then confirm", self.name(*node))),
                Shortfall::Unreachable(node) => {
                    (node, format!("make {} answer again (network, remote access), then confirm", self.name(*node)))
                }
                Shortfall::InstallerRunning(node) => {
                    (node, format!("wait until the installer on {} has finished, then confirm", self.name(*node)))
                }
                _ => continue,
            };
            let why = shortfall.describe(self.setup);
            self.manual(*node, instruction.clone(), None, format!("{why}: {instruction}"));
            operator_first = true;
        }
        if operator_first {
            return true;
        }

        for shortfall in found {
            if let Shortfall::ClusterServiceStopped(node) = shortfall {
                let title = format!("Start the cluster service on {}: it is stopped", self.name(*node));
                self.on(*node, StartClusterService.into(), title);
            }
        }
        let suspended = found.iter().any(|s| matches!(s, Shortfall::Suspended(_)));
        // Rolled-back values on a node whose installer reports it finished come back from an
        // export taken there after the install, by hand; without one, the installer is run
        // there again (inferred: a re-run writes its values again).
        let finished = |node: &NodeId, module: &ModuleId| {
            matches!(self.observation.nodes[node.index()].installer_of(*module), Installer::Finished { .. })
        };
        let exported = |node: &NodeId, module: &ModuleId| self.export_after_install(*node, *module).is_some();
        // Node by node, each node's modules in the procedure's order.
        let mut to_install: Vec<(NodeId, ModuleId, &'static str)> = found
            .iter()
            .filter_map(|s| match s {
                Shortfall::ModuleMissing(node, module) => Some((*node, *module, "the module is not installed there")),
                Shortfall::ValuesRolledBack(node, module) if !(finished(node, module) && exported(node, module)) => {
                    Some((*node, *module, "the values the module writes were rolled back"))
                }
                _ => None,
            })
            .collect();
        to_install.sort_by_key(|&(node, module, _)| (node, module));
        let mut to_import: Vec<(NodeId, ModuleId, String)> = Vec::new();
        for shortfall in found {
            if let Shortfall::ValuesRolledBack(node, module) = shortfall
                && finished(node, module)
                && let Some(file) = self.export_after_install(*node, *module)
            {
                to_import.push((*node, *module, file));
            }
        }
        let window = suspended || !to_install.is_empty();
        let mut watches_stopped: Vec<NodeId> = Vec::new();
        // A node that rebooted while the others stayed suspended runs again, with its
        // monitors: the installer needs every node suspended.
        let suspended_everywhere = self
            .roles
            .nodes(Role::EveryNode)
            .iter()
            .all(|node| found.iter().any(|s| matches!(s, Shortfall::Suspended(n) if n == node)));
        if !suspended_everywhere && !to_install.is_empty() {
            let mut nodes: Vec<NodeId> = to_install.iter().map(|(node, ..)| *node).collect();
            nodes.dedup();
            let names: Vec<&str> = nodes.iter().map(|&n| self.name(n)).collect();
            let title = format!(
                "Suspend the cluster: the module is to be put back on {}, with monitors frozen",
                names.join(", ")
            );
            self.on(self.roles.active, SuspendCluster.into(), title);
        }
        if !to_install.is_empty() {
            let mut install_nodes: Vec<NodeId> = to_install.iter().map(|(node, ..)| *node).collect();
            install_nodes.dedup();
            for node in install_nodes {
                let state = &self.observation.nodes[node.index()];
                let modules: Vec<ModuleId> =
                    to_install.iter().filter(|(n, ..)| *n == node).map(|(_, module, _)| *module).collect();
                let watched: Vec<ServiceId> = self.installer_services(&modules).collect();
                if watched.iter().any(|s| state.watches[s.index()] == Watch::Monitoring) {
                    let title = format!(
                        "Stop monitoring on {}: a watch would restart the services the installer stops",
                        self.name(node)
                    );
                    self.on(node, StopMonitoring { services: None }.into(), title);
                    watches_stopped.push(node);
                }
                let mut running: Vec<ServiceId> = modules
                    .iter()
                    .flat_map(|&m| self.setup.procedure.module(m).requires_stopped.iter().copied())
                    .filter(|s| state.services[s.index()] != ServiceStatus::Stopped)
                    .collect();
                running.sort();
                running.dedup();
                if !running.is_empty() {
                    let names: Vec<&str> =
                        running.iter().map(|s| self.setup.cluster.services[s.index()].name.as_str()).collect();
                    let title =
                        format!("Stop {} on {}: the installer fails while it runs", names.join(", "), self.name(node));
                    self.on(node, StopServices { services: running }.into(), title);
                }
            }
            for &(node, module, why) in &to_install {
                let id = &self.setup.procedure.module(module).id;
                let title = format!("Install {id} on {}: {why}", self.name(node));
                match self.install_action(module) {
                    Some(install) => {
                        self.unzip_first(node, module, &install);
                        let mut install = install.clone();
                        if matches!(
                            self.observation.nodes[node.index()].installer_of(module),
                            Installer::Finished { .. }
                        ) {
                            install.reapply();
                        }
                        self.on(node, install, title);
                    }
                    None => {
                        let instruction = format!(
                            "run the {id} installer on {} (the procedure names no install-module step to take its folder from), then confirm",
                            self.name(node)
                        );
                        self.manual(node, instruction, None, title);
                    }
                }
            }
        }
        if window {
            self.start_stopped_services(&to_install);
            let why = if to_install.is_empty() {
                "the cluster is suspended".to_owned()
            } else {
                "the module is on every node now".to_owned()
            };
            let title = format!("Resume the cluster: {why}");
            self.on(self.roles.active, ResumeCluster.into(), title);
        }
        // Imported where registry sync is online now, before a move spreads the owner's keys.
        let owner = self.observation.groups.first().filter(|g| g.status == GroupStatus::Online).and_then(|g| g.owner);
        let (now, later): (Vec<_>, Vec<_>) = to_import.into_iter().partition(|(node, ..)| Some(*node) == owner);
        for (node, module, file) in now {
            self.import(node, module, file);
        }
        let not_monitoring = found.iter().filter_map(|s| match s {
            Shortfall::NotMonitoring(node) => Some(*node),
            _ => None,
        });
        let mut to_watch: Vec<NodeId> = not_monitoring.chain(watches_stopped.iter().copied()).collect();
        to_watch.sort();
        to_watch.dedup();
        for node in to_watch {
            let title =
                format!("Start monitoring on {}: its Task Manager watches must read Monitoring", self.name(node));
            self.on(node, StartMonitoring { services: None }.into(), title);
        }
        for shortfall in found {
            match shortfall {
                // On the active node already, with resources offline (one failed to start):
                // they are started where the group is.
                Shortfall::GroupNotOnActive { group, owner: Some(owner) } if *owner == self.roles.active => {
                    let resources = &self.setup.cluster.groups[group.index()].resources;
                    let offline: Vec<ResourceId> = resources
                        .iter()
                        .copied()
                        .filter(|r| self.observation.resources[r.index()].status != ResourceStatus::Online)
                        .collect();
                    for resource in offline {
                        let title = format!(
                            "Start resource {} on {}: it is offline in group {}",
                            self.setup.resource_name(resource),
                            self.name(*owner),
                            self.setup.group_name(*group)
                        );
                        self.on(*owner, StartResource { resource }.into(), title);
                    }
                }
                Shortfall::GroupNotOnActive { group, owner: Some(owner) } => {
                    let title = format!(
                        "Move group {} back to {}: it is on {}",
                        self.setup.group_name(*group),
                        self.name(self.roles.active),
                        self.name(*owner)
                    );
                    let action = MoveGroup { group: *group, to: Role::Active };
                    self.on(self.roles.active, action.into(), title);
                }
                // Starting a cluster service starts a group that is offline everywhere on its
                // best node: only a group nothing will start needs the operator.
                Shortfall::GroupNotOnActive { group, owner: None }
                    if !found.iter().any(|s| matches!(s, Shortfall::ClusterServiceStopped(_))) =>
                {
                    // Left failed or half-started on another node: moved back (`clpgrp -m`).
                    let (active, held) = (self.roles.active, self.observation.groups[group.index()].owner);
                    match held.filter(|node| *node != active) {
                        Some(node) => {
                            let title = format!(
                                "Move group {} back to {}: it did not come online on {}",
                                self.setup.group_name(*group),
                                self.name(active),
                                self.name(node)
                            );
                            self.on(active, MoveGroup { group: *group, to: Role::Active }.into(), title);
                        }
                        None => self.group_by_hand(*group),
                    }
                }
                _ => {}
            }
        }
        for (node, module, file) in later {
            self.import_where_the_group_is_not(node, module, file);
        }
        for shortfall in found {
            if let Shortfall::MonitorsSuspended(node) = shortfall {
                let title = format!("Resume the monitors on {}: they are suspended", self.name(*node));
                self.on(*node, ResumeMonitor { monitors: None }.into(), title);
            }
        }
        false
    }

    /// Before the resume: the services stopped where they should run (a resource of theirs
    /// online on the node, or one the module needs stopped that runs on every node), now or
    /// by this plan's install, started again. The run's own stop-services step leaves them
    /// stopped; left so, each is an error for its monitor at the resume, and a monitor whose
    /// recovery count a fault spent takes its final action (stopping the group) instead of
    /// restarting it.
    fn start_stopped_services(&mut self, to_install: &[(NodeId, ModuleId, &'static str)]) {
        let cluster = &self.setup.cluster;
        let required: Vec<ServiceId> =
            self.setup.procedure.modules.iter().flat_map(|module| module.requires_stopped.iter().copied()).collect();
        for node in self.roles.nodes(Role::EveryNode) {
            let state = &self.observation.nodes[node.index()];
            let installs_here = to_install.iter().any(|(n, ..)| *n == node);
            // A service whose resource is online here (the group's, on its owner), or one the
            // module needs stopped that Windows runs on every node.
            let runs_here = |service: ServiceId| {
                cluster.resources_of_service(service).any(|r| {
                    let resource = &self.observation.resources[r.index()];
                    resource.status == ResourceStatus::Online && resource.node == Some(node)
                }) || (required.contains(&service) && self.setup.standalone_services.contains(&service))
            };
            // Stopped now, or stopped by this plan's install here.
            let stopped_here = |service: ServiceId| {
                state.services[service.index()] == ServiceStatus::Stopped
                    || (installs_here && required.contains(&service))
            };
            let stopped: Vec<ServiceId> = (0..cluster.services.len())
                .map(|s| ServiceId(s as u16))
                .filter(|&s| runs_here(s) && stopped_here(s))
                .collect();
            if stopped.is_empty() {
                continue;
            }
            let names: Vec<&str> = stopped.iter().map(|s| cluster.services[s.index()].name.as_str()).collect();
            let title = format!(
                "Start {} on {}: stopped for the install, its monitor would find it stopped at the resume",
                names.join(", "),
                self.name(node)
            );
            self.on(node, StartServices { services: stopped }.into(), title);
        }
    }

    /// The module unzipped on `node` into the folder `install` runs from, where the run left
    /// it elsewhere or nowhere: the procedure's own unzip step, on that node.
    fn unzip_first(&mut self, node: NodeId, module: ModuleId, install: &Action) {
        let Some(folder) = install.working_folder() else { return };
        let state = &self.observation.nodes[node.index()];
        if state.unzipped.get(module).is_some_and(|unzipped| same_path(unzipped, folder)) {
            return;
        }
        let unzip = self.setup.procedure.steps.iter().find(|step| {
            !step.action.is(Milestone::InstallsModule)
                && step.action.module() == Some(module)
                && step.action.working_folder().is_some_and(|other| same_path(other, folder))
        });
        let id = &self.setup.procedure.module(module).id;
        match unzip {
            Some(step) => {
                let title = format!("Unzip {id} on {} into {folder}: the installer runs from there", self.name(node));
                self.on(node, step.action.clone(), title);
            }
            None => {
                let instruction = format!(
                    "unzip {id} into {folder} on {} (the installer runs from there), then confirm",
                    self.name(node)
                );
                let title = format!("Unzip {id} on {}", self.name(node));
                self.manual(node, instruction, None, title);
            }
        }
    }

    /// The exports on `node` that no step before `module`'s first install takes (an export
    /// taken before the install holds the very values the rollback restored), and that no
    /// step of another module takes (those hold other keys).
    fn exports_on_node_after_install(&self, node: NodeId, module: ModuleId) -> Vec<&'a str> {
        let state = &self.observation.nodes[node.index()];
        let setup: &'a Setup = self.setup;
        let steps = &setup.procedure.steps;
        let of_module = |step: &Step| step.action.module().unwrap_or_default() == module;
        let first_install =
            steps.iter().position(|step| step.action.is(Milestone::InstallsModule) && of_module(step)).unwrap_or(0);
        let excluded: Vec<&str> = steps
            .iter()
            .enumerate()
            .filter(|(i, step)| *i < first_install || !of_module(step))
            .filter_map(|(_, step)| step.action.registry_export())
            .collect();
        state
            .registry_backups
            .iter()
            .map(|f| &**f)
            .filter(|file| !excluded.iter().any(|early| same_path(early, file)))
            .collect()
    }

    /// The last export the run took on `node` after its install that is on the node still.
    /// Without a journal's records (the model checker's recovery), the last export on the
    /// node that no step before the first install takes.
    fn export_after_install(&self, node: NodeId, module: ModuleId) -> Option<String> {
        let Some(records) = self.resumption.map(|r| &r.records).filter(|records| !records.is_empty()) else {
            return self.exports_on_node_after_install(node, module).last().map(|file| (*file).to_owned());
        };
        let backups = &self.observation.nodes[node.index()].registry_backups;
        super::exports_after_install(self.setup, records, node, module)
            .into_iter()
            .rev()
            .find(|file| backups.iter().any(|known| same_path(known, file)))
    }

    /// The import of `file` on `node`, planned where the group is online on it.
    fn import(&mut self, node: NodeId, module: ModuleId, file: String) {
        let (id, name) = (&self.setup.procedure.module(module).id, self.name(node));
        let title = format!(
            "Import {file} on {name}: registry sync rolled back the values {id} writes there, and this export \
             was taken there after its install; with the cluster running and the group on {name}, registry sync \
             captures them"
        );
        self.on(node, ImportRegistry { file, module }.into(), title);
    }

    /// The import on a node that does not hold the group when it is planned: the active node
    /// gets the group back before (the moves planned above); a standby gets it for the import,
    /// and the active node back after it.
    fn import_where_the_group_is_not(&mut self, node: NodeId, module: ModuleId, file: String) {
        if node == self.roles.active {
            self.import(node, module, file);
            return;
        }
        let Some(group) = self.setup.cluster.groups.first().map(|_| GroupId(0)) else {
            self.import(node, module, file);
            return;
        };
        let (group_name, name) = (self.setup.group_name(group).to_owned(), self.name(node).to_owned());
        let title = format!("Move group {group_name} to {name}: registry sync must be online there for the import");
        self.on(self.roles.active, MoveGroup { group, to: Role::Standby }.into(), title);
        self.import(node, module, file);
        let active = self.name(self.roles.active).to_owned();
        let title = format!("Move group {group_name} back to {active}: the values are captured");
        self.on(self.roles.active, MoveGroup { group, to: Role::Active }.into(), title);
    }

    fn group_by_hand(&mut self, group: GroupId) {
        let (name, active) = (self.setup.group_name(group).to_owned(), self.roles.active);
        let instruction = format!("start group {name} on {} (Cluster Manager: Start), then confirm", self.name(active));
        let title = format!("Start group {name} on {}: it is online nowhere", self.name(active));
        self.manual(active, instruction, Some(ManualCheck::GroupOnline(group)), title);
    }

    /// The services whose watches the install guard checks: those the installers of
    /// `modules` need stopped and those they restart.
    fn installer_services<'m>(&'m self, modules: &'m [ModuleId]) -> impl Iterator<Item = ServiceId> + 'm {
        modules.iter().flat_map(|&m| {
            let module = self.setup.procedure.module(m);
            module.requires_stopped.iter().copied().chain(module.services())
        })
    }

    /// The procedure's own install step's action for `module` (its folder), the restart
    /// prompt declined: a recovery never reboots a node at the prompt.
    fn install_action(&self, module: ModuleId) -> Option<Action> {
        let step = self.setup.procedure.steps.iter().find(|step| {
            step.action.is(Milestone::InstallsModule) && step.action.module().unwrap_or_default() == module
        })?;
        let mut action = step.action.clone();
        action.decline_restart();
        Some(action)
    }

    fn name(&self, node: NodeId) -> &str {
        self.setup.node_name(node)
    }

    /// The role that names `node` alone: the active node, or the first standby.
    fn role_of(&self, node: NodeId) -> Option<Role> {
        if node == self.roles.active {
            Some(Role::Active)
        } else if self.roles.standbys.first() == Some(&node) {
            Some(Role::Standby)
        } else {
            None
        }
    }

    /// A step of `action` on `node`; on a node no role names alone (a third node), a manual
    /// step asking the operator to do it there.
    fn on(&mut self, node: NodeId, action: Action, title: String) {
        match self.role_of(node) {
            Some(role) => self.push(role, action, node, title),
            None => {
                let instruction = format!("on {}: {} ({}), then confirm", self.name(node), title, action.keyword());
                self.manual(node, instruction, None, title);
            }
        }
    }

    fn manual(&mut self, node: NodeId, instruction: String, check: Option<ManualCheck>, title: String) {
        // A manual step for a node no role names is shown on the active node.
        let role = self.role_of(node).unwrap_or(Role::Active);
        self.push(role, Manual { instruction, check }.into(), node, title);
    }

    fn push(&mut self, role: Role, action: Action, node: NodeId, title: String) {
        let base = format!("{}-{}", action.keyword(), self.name(node));
        let mut id = base.clone();
        let mut n = 2;
        while self.steps.iter().any(|s| s.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.steps.push(Step {
            id,
            number: None,
            title: title.clone(),
            role,
            action,
            condition: None,
            text: title,
            notes: Vec::new(),
            line: 0,
            position: 0,
            ja: None,
        });
    }
}
