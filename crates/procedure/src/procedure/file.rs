//! The procedure file format (TOML, `version = 1`) and its validation against a cluster.
//!
//! Steps are flat tables: `action` names the action and its arguments sit beside it. Serde
//! only checks shapes (unknown fields, types); everything else — the action vocabulary,
//! which arguments an action takes, names the cluster must know — is checked here so that
//! each error can point at the exact field.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::cluster::{Cluster, GroupId, MonitorId, RegistryValue, ServiceId};
use crate::diagnostic::{FileError, FileErrorKind, LineIndex, SourceFile, edit_distance};
use crate::procedure::{
    Action, Condition, ManualCheck, Module, ModuleComponent, Note, Procedure, RestartAnswer, Role, ServiceCheck, Step,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProcedureFile {
    version: Spanned<u32>,
    title: String,
    #[serde(default)]
    source: Option<String>,
    module: ModuleFile,
    #[serde(default)]
    note: Vec<NoteFile>,
    #[serde(default)]
    step: Option<Spanned<Vec<StepFile>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ModuleFile {
    id: String,
    archive: String,
    #[serde(default)]
    asks_for_restart: bool,
    #[serde(default)]
    requires_stopped: Vec<Spanned<String>>,
    component: Spanned<Vec<ComponentFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ComponentFile {
    name: Spanned<String>,
    version: String,
    #[serde(default)]
    services: Vec<Spanned<String>>,
    #[serde(default)]
    registry: Vec<RegistryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RegistryFile {
    key: String,
    value: String,
    data: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NoteFile {
    id: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StepFile {
    id: Spanned<String>,
    #[serde(default)]
    number: Option<Spanned<u32>>,
    title: String,
    on: Spanned<String>,
    action: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    // Arguments; which ones an action takes is checked in `Loader::action`.
    #[serde(default)]
    folder: Option<Spanned<String>>,
    #[serde(default)]
    services: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    optional_services: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    one_of: Option<Spanned<Vec<Vec<Spanned<String>>>>>,
    #[serde(default)]
    group: Option<Spanned<String>>,
    #[serde(default)]
    to: Option<Spanned<String>>,
    #[serde(default)]
    restart_answer: Option<Spanned<String>>,
    #[serde(default)]
    resource: Option<Spanned<String>>,
    #[serde(default)]
    monitors: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    instruction: Option<Spanned<String>>,
    #[serde(default)]
    check: Option<Spanned<String>>,
}

/// Parses a procedure file and validates it against `cluster`.
pub fn load(source: &SourceFile, cluster: &Cluster) -> Result<Procedure, FileError> {
    let file: ProcedureFile = crate::safe_text::from_toml(source, crate::safe_text::FileKind::Procedure)?;
    Loader { source, cluster, lines: LineIndex::new(source.text()) }.procedure(file)
}

struct Loader<'a> {
    source: &'a SourceFile,
    cluster: &'a Cluster,
    lines: LineIndex,
}

impl Loader<'_> {
    fn err(&self, kind: FileErrorKind, message: String, span: Range<usize>, label: &str) -> FileError {
        self.source.error(kind, message, Some(span), label)
    }

    fn procedure(&self, file: ProcedureFile) -> Result<Procedure, FileError> {
        if *file.version.get_ref() != 1 {
            return Err(self.err(
                FileErrorKind::UnsupportedVersion,
                format!("unsupported procedure file version {}", file.version.get_ref()),
                file.version.span(),
                "this build reads version 1",
            ));
        }
        let module = self.module(file.module)?;
        let (step_span, step_files) = match file.step {
            Some(steps) => (steps.span(), steps.into_inner()),
            None => (0..0, Vec::new()),
        };
        if step_files.is_empty() {
            let span = if step_span.is_empty() { 0..self.source.text().find('\n').unwrap_or(0) } else { step_span };
            return Err(self
                .err(FileErrorKind::Empty, "the procedure has no steps".to_owned(), span, "no [[step]] in this file")
                .with_help("add at least one [[step]] table"));
        }
        let mut steps: Vec<Step> = Vec::with_capacity(step_files.len());
        // Step ids seen so far, with the line each starts on: finding a duplicate stays
        // logarithmic, so loading is linear in the number of steps.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        // Step numbers seen so far, with the step's id and first line.
        let mut numbers: BTreeMap<u32, (String, usize)> = BTreeMap::new();
        let mut last_folder: Option<String> = None;
        for step in step_files {
            if let Some(first_line) = seen.get(step.id.get_ref()) {
                return Err(self
                    .err(
                        FileErrorKind::Duplicate,
                        format!("step id `{}` is used twice", step.id.get_ref()),
                        step.id.span(),
                        "second use",
                    )
                    .with_help(format!("the first step with this id starts on line {first_line}")));
            }
            // Every output names a numbered step by its number: two steps with one number
            // would read as one.
            if let Some(number) = &step.number
                && let Some((first_id, first_line)) = numbers.get(number.get_ref())
            {
                return Err(self
                    .err(
                        FileErrorKind::Duplicate,
                        format!("step number {} is used twice", number.get_ref()),
                        number.span(),
                        "second use",
                    )
                    .with_help(format!(
                        "step `{first_id}` (line {first_line}) already has number {}",
                        number.get_ref()
                    )));
            }
            let parsed = self.step(step, steps.len() + 1, last_folder.as_deref())?;
            seen.insert(parsed.id.clone(), parsed.line);
            if let Some(number) = parsed.number {
                numbers.insert(number, (parsed.id.clone(), parsed.line));
            }
            if let Action::UnzipModule { folder } = &parsed.action {
                last_folder = Some(folder.clone());
            }
            steps.push(parsed);
        }
        Ok(Procedure {
            title: file.title,
            source: file.source,
            module,
            notes: file.note.into_iter().map(|note| Note { id: note.id, text: note.text }).collect(),
            steps,
            content_hash: self.source.content_hash(),
        })
    }

    fn module(&self, file: ModuleFile) -> Result<Module, FileError> {
        let span = file.component.span();
        let components_file = file.component.into_inner();
        if components_file.is_empty() {
            return Err(self.err(FileErrorKind::Empty, "the module updates no component".to_owned(), span, "empty"));
        }
        let mut components: Vec<ModuleComponent> = Vec::new();
        for component in components_file {
            let id = self.cluster.component_by_name(component.name.get_ref()).ok_or_else(|| {
                self.err(
                    FileErrorKind::UnknownName,
                    format!("the cluster has no component `{}`", component.name.get_ref()),
                    component.name.span(),
                    "unknown component",
                )
                .with_help(format!(
                    "the cluster's components: {}",
                    self.names(self.cluster.components.iter().map(|c| &c.name))
                ))
            })?;
            if components.iter().any(|known| known.component == id) {
                return Err(self.err(
                    FileErrorKind::Duplicate,
                    format!("component `{}` is listed twice", component.name.get_ref()),
                    component.name.span(),
                    "second entry",
                ));
            }
            let services = component.services.iter().map(|name| self.service(name)).collect::<Result<Vec<_>, _>>()?;
            let registry = component
                .registry
                .into_iter()
                .map(|value| RegistryValue { key: value.key, value: value.value, data: value.data })
                .collect();
            components.push(ModuleComponent { component: id, version: component.version, services, registry });
        }
        let requires_stopped =
            file.requires_stopped.iter().map(|name| self.service(name)).collect::<Result<Vec<_>, _>>()?;
        Ok(Module {
            id: file.id,
            archive: file.archive,
            asks_for_restart: file.asks_for_restart,
            components,
            requires_stopped,
        })
    }

    fn names<'n>(&self, names: impl Iterator<Item = &'n String>) -> String {
        names.map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    }

    fn service(&self, name: &Spanned<String>) -> Result<ServiceId, FileError> {
        self.cluster.service_by_name(name.get_ref()).ok_or_else(|| {
            let mut error = self.err(
                FileErrorKind::UnknownName,
                format!("unknown service `{}`", name.get_ref()),
                name.span(),
                "the cluster has no such service",
            );
            if let Some(close) = self.closest_service(name.get_ref()) {
                error = error.with_help(format!("did you mean `{close}`?"));
            }
            error
        })
    }

    fn closest_service(&self, name: &str) -> Option<&str> {
        let wanted = name.to_lowercase();
        self.cluster
            .services
            .iter()
            .map(|service| (edit_distance(&wanted, &service.name.to_lowercase()), service.name.as_str()))
            .filter(|(distance, _)| *distance <= 3.max(wanted.len() / 5))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, name)| name)
    }

    /// The `monitors` list of a monitor step: `None` (every monitor) when absent.
    fn monitors(&self, step: &StepFile) -> Result<Option<Vec<MonitorId>>, FileError> {
        let Some(list) = &step.monitors else { return Ok(None) };
        if list.get_ref().is_empty() {
            return Err(self
                .err(
                    FileErrorKind::InvalidValue,
                    "an empty monitor list".to_owned(),
                    list.span(),
                    "name at least one monitor",
                )
                .with_help("leave `monitors` out to mean every monitor"));
        }
        // A monitor named twice is suspended or resumed once.
        let mut ids: Vec<MonitorId> = Vec::with_capacity(list.get_ref().len());
        for name in list.get_ref() {
            let id = self.monitor(name)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    fn monitor(&self, name: &Spanned<String>) -> Result<MonitorId, FileError> {
        let known = self.cluster.monitors.iter().map(|m| &m.name);
        self.cluster.monitor_by_name(name.get_ref()).ok_or_else(|| self.unknown("monitor", name, known))
    }

    fn group(&self, name: &Spanned<String>) -> Result<GroupId, FileError> {
        let known = self.cluster.groups.iter().map(|g| &g.name);
        self.cluster.group_by_name(name.get_ref()).ok_or_else(|| self.unknown("group", name, known))
    }

    /// A name the cluster has no `what` by, with the names it has.
    fn unknown<'n>(&self, what: &str, name: &Spanned<String>, known: impl Iterator<Item = &'n String>) -> FileError {
        let label = format!("the cluster has no such {what}");
        self.err(FileErrorKind::UnknownName, format!("unknown {what} `{}`", name.get_ref()), name.span(), &label)
            .with_help(format!("the cluster's {what}s: {}", self.names(known)))
    }

    fn role(&self, keyword: &Spanned<String>) -> Result<Role, FileError> {
        let role = Role::parse(keyword.get_ref()).ok_or_else(|| {
            self.err(
                FileErrorKind::UnknownKeyword,
                format!("unknown node role `{}`", keyword.get_ref()),
                keyword.span(),
                "not a role",
            )
            .with_help("roles: active, standby, every-standby, every-node")
        })?;
        if matches!(role, Role::Standby | Role::EveryStandby) && self.cluster.nodes.len() < 2 {
            return Err(self.err(
                FileErrorKind::MissingRole,
                format!(
                    "role `{}` needs a standby node, and cluster `{}` has only one node",
                    keyword.get_ref(),
                    self.cluster.name
                ),
                keyword.span(),
                "no standby node in this cluster",
            ));
        }
        Ok(role)
    }

    /// The step at `position` (from 1) in the file.
    fn step(&self, step: StepFile, position: usize, last_folder: Option<&str>) -> Result<Step, FileError> {
        if step.id.get_ref().trim().is_empty() {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                "a step id is empty".to_owned(),
                step.id.span(),
                "empty id",
            ));
        }
        let role = self.role(&step.on)?;
        let condition = match &step.when {
            None => None,
            Some(keyword) => Some(match keyword.get_ref().as_str() {
                "module-writes-registry" => Condition::ModuleWritesRegistry,
                "restart-requested" => Condition::RestartRequested,
                other => {
                    return Err(self
                        .err(
                            FileErrorKind::UnknownKeyword,
                            format!("unknown condition `{other}`"),
                            keyword.span(),
                            "not a condition",
                        )
                        .with_help("conditions: module-writes-registry, restart-requested"));
                }
            }),
        };
        let action = self.action(&step, last_folder)?;
        if action.is_cluster_wide() && matches!(role, Role::EveryNode | Role::EveryStandby) {
            return Err(self.err(
                FileErrorKind::Argument,
                format!(
                    "`{}` acts on the whole cluster once; run it on one node, not `{}`",
                    action.keyword(),
                    step.on.get_ref()
                ),
                step.on.span(),
                "use `active` or `standby`",
            ));
        }
        let line = self.lines.line(step.id.span().start);
        Ok(Step {
            id: step.id.into_inner(),
            number: step.number.map(Spanned::into_inner),
            title: step.title,
            role,
            action,
            condition,
            text: step.text.unwrap_or_default(),
            notes: step.notes,
            line,
            position,
        })
    }

    fn action(&self, step: &StepFile, last_folder: Option<&str>) -> Result<Action, FileError> {
        let keyword = step.action.get_ref().as_str();
        let takes: &[&str] = match keyword {
            "unzip-module" => &["folder"],
            "backup-registry"
            | "suspend-cluster"
            | "resume-cluster"
            | "reboot-cluster"
            | "stop-cluster-service"
            | "start-cluster-service"
            | "reboot-node" => &[],
            "suspend-monitor" | "resume-monitor" => &["monitors"],
            "stop-monitoring" | "start-monitoring" | "stop-services" => &["services"],
            "install-module" => &["folder", "restart-answer"],
            "move-group" => &["group", "to"],
            "check-resources" => &["group"],
            "check-services" => &["services", "optional-services", "one-of"],
            "manual" => &["instruction", "check", "group", "services"],
            "stop-resource" | "start-resource" => &["resource"],
            other => {
                return Err(self
                    .err(
                        FileErrorKind::UnknownKeyword,
                        format!("unknown action `{other}`"),
                        step.action.span(),
                        "not an action",
                    )
                    .with_help(format!("actions: {}", Action::KEYWORDS.join(", "))));
            }
        };
        let given: [(&str, Option<Range<usize>>); 11] = [
            ("resource", step.resource.as_ref().map(Spanned::span)),
            ("monitors", step.monitors.as_ref().map(Spanned::span)),
            ("folder", step.folder.as_ref().map(Spanned::span)),
            ("services", step.services.as_ref().map(Spanned::span)),
            ("optional-services", step.optional_services.as_ref().map(Spanned::span)),
            ("one-of", step.one_of.as_ref().map(Spanned::span)),
            ("group", step.group.as_ref().map(Spanned::span)),
            ("to", step.to.as_ref().map(Spanned::span)),
            ("restart-answer", step.restart_answer.as_ref().map(Spanned::span)),
            ("instruction", step.instruction.as_ref().map(Spanned::span)),
            ("check", step.check.as_ref().map(Spanned::span)),
        ];
        for (field, span) in given {
            if let Some(span) = span
                && !takes.contains(&field)
            {
                let help = match takes {
                    [] => format!("`{keyword}` takes no arguments"),
                    _ => format!("`{keyword}` takes: {}", takes.join(", ")),
                };
                return Err(self
                    .err(
                        FileErrorKind::Argument,
                        format!("action `{keyword}` does not take `{field}`"),
                        span,
                        "argument not used by this action",
                    )
                    .with_help(help));
            }
        }
        let missing = |field: &str| {
            self.err(
                FileErrorKind::Argument,
                format!("action `{keyword}` in step `{}` needs `{field}`", step.id.get_ref()),
                step.action.span(),
                "this action",
            )
        };
        let services = |required: bool| -> Result<Option<Vec<ServiceId>>, FileError> {
            match &step.services {
                None if required => Err(missing("services")),
                None => Ok(None),
                Some(list) if list.get_ref().is_empty() => Err(self.err(
                    FileErrorKind::InvalidValue,
                    "an empty service list".to_owned(),
                    list.span(),
                    "name at least one service",
                )),
                Some(list) => Ok(Some(list.get_ref().iter().map(|name| self.service(name)).collect::<Result<_, _>>()?)),
            }
        };
        Ok(match keyword {
            "unzip-module" => {
                let folder = step.folder.as_ref().ok_or_else(|| missing("folder"))?;
                Action::UnzipModule { folder: self.folder(folder)? }
            }
            "backup-registry" => {
                let folder = last_folder.unwrap_or(r"C:\Temp");
                Action::BackupRegistry { file: format!("{folder}\\registry-{}.reg", step.id.get_ref()) }
            }
            "suspend-cluster" => Action::SuspendCluster,
            "resume-cluster" => Action::ResumeCluster,
            "reboot-cluster" => Action::RebootCluster,
            "stop-cluster-service" => Action::StopClusterService,
            "start-cluster-service" => Action::StartClusterService,
            "reboot-node" => Action::RebootNode,
            "suspend-monitor" => Action::SuspendMonitor { monitors: self.monitors(step)? },
            "resume-monitor" => Action::ResumeMonitor { monitors: self.monitors(step)? },
            "stop-monitoring" => Action::StopMonitoring { services: services(false)? },
            "start-monitoring" => Action::StartMonitoring { services: services(false)? },
            "stop-services" => Action::StopServices { services: services(true)?.unwrap_or_default() },
            "install-module" => {
                let folder = match (&step.folder, last_folder) {
                    (Some(folder), _) => self.folder(folder)?,
                    (None, Some(folder)) => folder.to_owned(),
                    (None, None) => {
                        return Err(missing("folder")
                            .with_help("give `folder`, or unzip the module in an earlier unzip-module step"));
                    }
                };
                let restart_answer = match &step.restart_answer {
                    None => RestartAnswer::Decline,
                    Some(answer) => match answer.get_ref().as_str() {
                        "decline" => RestartAnswer::Decline,
                        "restart" => RestartAnswer::Restart,
                        other => {
                            return Err(self
                                .err(
                                    FileErrorKind::UnknownKeyword,
                                    format!("unknown restart answer `{other}`"),
                                    answer.span(),
                                    "not an answer",
                                )
                                .with_help("answers: decline, restart"));
                        }
                    },
                };
                Action::InstallModule { folder, restart_answer }
            }
            "move-group" => {
                let group = self.group(step.group.as_ref().ok_or_else(|| missing("group"))?)?;
                let to_keyword = step.to.as_ref().ok_or_else(|| missing("to"))?;
                let to = self.role(to_keyword)?;
                if matches!(to, Role::EveryNode | Role::EveryStandby) {
                    return Err(self.err(
                        FileErrorKind::InvalidValue,
                        format!("a group moves to one node; `{}` names several", to_keyword.get_ref()),
                        to_keyword.span(),
                        "use `active` or `standby`",
                    ));
                }
                let policy = &self.cluster.groups[group.index()].policy;
                let target = match to {
                    Role::Active => Some(self.cluster.initial_active()),
                    _ => self.cluster.initial_standbys().first().copied(),
                };
                if target.is_none_or(|node| !policy.contains(&node)) {
                    return Err(self.err(
                        FileErrorKind::MissingRole,
                        format!(
                            "group `{}` may not run on the {} node: its failover policy lists {}",
                            self.cluster.groups[group.index()].name,
                            to_keyword.get_ref(),
                            policy
                                .iter()
                                .map(|n| format!("`{}`", self.cluster.nodes[n.index()].name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        to_keyword.span(),
                        "not a node of the group's policy",
                    ));
                }
                Action::MoveGroup { group, to }
            }
            "stop-resource" | "start-resource" => {
                let name = step.resource.as_ref().ok_or_else(|| missing("resource"))?;
                let resource = self.cluster.resource_by_name(name.get_ref()).ok_or_else(|| {
                    self.err(
                        FileErrorKind::UnknownName,
                        format!("unknown resource `{}`", name.get_ref()),
                        name.span(),
                        "the cluster has no such resource",
                    )
                })?;
                if keyword == "stop-resource" {
                    Action::StopResource { resource }
                } else {
                    Action::StartResource { resource }
                }
            }
            "check-resources" => {
                Action::CheckResources { group: self.group(step.group.as_ref().ok_or_else(|| missing("group"))?)? }
            }
            "check-services" => Action::CheckServices(self.service_check(step, services(true)?.unwrap_or_default())?),
            _ => {
                let instruction = step.instruction.as_ref().ok_or_else(|| missing("instruction"))?.get_ref().clone();
                let check = match &step.check {
                    None => None,
                    Some(check) => Some(match check.get_ref().as_str() {
                        "cluster-running" => ManualCheck::ClusterRunning,
                        "cluster-suspended" => ManualCheck::ClusterSuspended,
                        "group-online" => {
                            ManualCheck::GroupOnline(self.group(step.group.as_ref().ok_or_else(|| missing("group"))?)?)
                        }
                        "services-running" => ManualCheck::ServicesRunning(services(true)?.unwrap_or_default()),
                        other => {
                            return Err(self
                                .err(
                                    FileErrorKind::UnknownKeyword,
                                    format!("unknown check `{other}`"),
                                    check.span(),
                                    "not a check",
                                )
                                .with_help(
                                    "checks: cluster-running, cluster-suspended, group-online, services-running",
                                ));
                        }
                    }),
                };
                Action::Manual { instruction, check }
            }
        })
    }

    fn folder(&self, folder: &Spanned<String>) -> Result<String, FileError> {
        let text = folder.get_ref();
        let bytes = text.as_bytes();
        let has_drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\';
        if !has_drive {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!("`{text}` is not an absolute Windows folder"),
                folder.span(),
                r"expected a folder such as C:\Temp\module",
            ));
        }
        let drive = crate::cluster::drive_of(text).to_ascii_uppercase();
        let known =
            self.cluster.nodes.iter().any(|node| node.drives.contains(&drive)) || self.cluster.is_mirror_drive(&drive);
        if !known {
            return Err(self.err(
                FileErrorKind::UnknownName,
                format!("no node of cluster `{}` has drive {drive}", self.cluster.name),
                folder.span(),
                "unknown drive",
            ));
        }
        Ok(text.clone())
    }

    fn service_check(&self, step: &StepFile, services: Vec<ServiceId>) -> Result<ServiceCheck, FileError> {
        let optional = step.optional_services.as_ref().map(|list| list.get_ref().clone()).unwrap_or_default();
        let mut one_of = Vec::new();
        if let Some(sets) = &step.one_of {
            for set in sets.get_ref() {
                let ids: Option<Vec<ServiceId>> =
                    set.iter().map(|name| self.cluster.service_by_name(name.get_ref())).collect();
                if let Some(ids) = ids
                    && !ids.is_empty()
                {
                    one_of.push(ids);
                }
            }
            if one_of.is_empty() {
                return Err(self
                    .err(
                        FileErrorKind::UnknownName,
                        format!(
                            "none of the `one-of` sets of step `{}` exists in cluster `{}`",
                            step.id.get_ref(),
                            self.cluster.name
                        ),
                        sets.span(),
                        "no set whose services the cluster has",
                    )
                    .with_help("at least one set must name only services the cluster description declares"));
            }
        }
        Ok(ServiceCheck { services, optional, one_of })
    }
}
