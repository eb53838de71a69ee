//! A step's fields as a procedure file gives them, and the checks every action shares when
//! it reads them: names the cluster must know, folders on a drive it has, roles it can hold.
//! Each error points at the exact field.

use std::ops::Range;

use toml::Spanned;

use crate::cluster::{Cluster, GroupId, MonitorId, ResourceId, ServiceId};
use crate::diagnostic::{FileError, FileErrorKind, SourceFile, edit_distance};
use crate::module::ModuleId;
use crate::roles::Role;

/// Names in a file, resolved against a cluster, with errors at their place.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// The file read.
    pub source: &'a SourceFile,
    /// The cluster it is checked against.
    pub cluster: &'a Cluster,
}

impl Names<'_> {
    /// An error at `span` of the file.
    pub fn err(&self, kind: FileErrorKind, message: String, span: Range<usize>, label: &str) -> FileError {
        self.source.error(kind, message, Some(span), label)
    }

    /// Names as a list for a help line: `` `a`, `b` ``.
    pub fn list<'n>(&self, names: impl Iterator<Item = &'n String>) -> String {
        names.map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    }

    /// A service of the cluster, or an error with the closest name.
    pub fn service(&self, name: &Spanned<String>) -> Result<ServiceId, FileError> {
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

    /// A monitor of the cluster.
    pub fn monitor(&self, name: &Spanned<String>) -> Result<MonitorId, FileError> {
        let known = self.cluster.monitors.iter().map(|m| &m.name);
        self.cluster.monitor_by_name(name.get_ref()).ok_or_else(|| self.unknown("monitor", name, known))
    }

    /// A failover group of the cluster.
    pub fn group(&self, name: &Spanned<String>) -> Result<GroupId, FileError> {
        let known = self.cluster.groups.iter().map(|g| &g.name);
        self.cluster.group_by_name(name.get_ref()).ok_or_else(|| self.unknown("group", name, known))
    }

    /// A group resource of the cluster.
    pub fn resource(&self, name: &Spanned<String>) -> Result<ResourceId, FileError> {
        self.cluster.resource_by_name(name.get_ref()).ok_or_else(|| {
            self.err(
                FileErrorKind::UnknownName,
                format!("unknown resource `{}`", name.get_ref()),
                name.span(),
                "the cluster has no such resource",
            )
        })
    }

    /// A name the cluster has no `what` by, with the names it has.
    fn unknown<'n>(&self, what: &str, name: &Spanned<String>, known: impl Iterator<Item = &'n String>) -> FileError {
        let label = format!("the cluster has no such {what}");
        self.err(FileErrorKind::UnknownName, format!("unknown {what} `{}`", name.get_ref()), name.span(), &label)
            .with_help(format!("the cluster's {what}s: {}", self.list(known)))
    }

    /// A role keyword, which the cluster must have a node for.
    pub fn role(&self, keyword: &Spanned<String>) -> Result<Role, FileError> {
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

    /// An absolute Windows folder on a drive some node (or the mirror) has.
    pub fn folder(&self, folder: &Spanned<String>) -> Result<String, FileError> {
        self.windows_path(folder, "folder", r"expected a folder such as C:\Temp\module")
    }

    /// An absolute Windows file path on a drive some node (or the mirror) has.
    pub fn file(&self, file: &Spanned<String>) -> Result<String, FileError> {
        self.windows_path(file, "file", r"expected a file such as C:\Temp\module\registry.reg")
    }

    /// An absolute Windows path (a `what`) on a drive some node (or the mirror) has.
    fn windows_path(&self, path: &Spanned<String>, what: &str, expected: &str) -> Result<String, FileError> {
        let text = path.get_ref();
        let bytes = text.as_bytes();
        let has_drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\';
        if !has_drive {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!("`{text}` is not an absolute Windows {what}"),
                path.span(),
                expected,
            ));
        }
        let drive = crate::cluster::drive_of(text).to_ascii_uppercase();
        let known =
            self.cluster.nodes.iter().any(|node| node.drives.contains(&drive)) || self.cluster.is_mirror_drive(&drive);
        if !known {
            return Err(self.err(
                FileErrorKind::UnknownName,
                format!("no node of cluster `{}` has drive {drive}", self.cluster.name),
                path.span(),
                "unknown drive",
            ));
        }
        Ok(text.clone())
    }
}

/// One step's fields, for its action to read.
#[derive(Debug)]
pub struct Args<'a> {
    /// Resolves names against the cluster.
    pub names: Names<'a>,
    /// The action's keyword.
    pub keyword: &'a str,
    /// The step's id.
    pub step_id: &'a Spanned<String>,
    /// Where `action = ...` is.
    pub action_span: Range<usize>,
    /// The folder of the last unzip-module step before this one, of any module.
    pub last_folder: Option<&'a str>,
    /// The procedure's module ids, in the file's order.
    pub module_ids: &'a [String],
    /// By module: the folder of the last unzip-module step of that module before this one.
    pub last_folders: &'a [Option<String>],
    /// `module`.
    pub module: Option<&'a Spanned<String>>,
    /// `folder`.
    pub folder: Option<&'a Spanned<String>>,
    /// `file`.
    pub file: Option<&'a Spanned<String>>,
    /// `services`.
    pub services: Option<&'a Spanned<Vec<Spanned<String>>>>,
    /// `optional-services`.
    pub optional_services: Option<&'a Spanned<Vec<String>>>,
    /// `one-of`.
    pub one_of: Option<&'a Spanned<Vec<Vec<Spanned<String>>>>>,
    /// `group`.
    pub group: Option<&'a Spanned<String>>,
    /// `to`.
    pub to: Option<&'a Spanned<String>>,
    /// `restart-answer`.
    pub restart_answer: Option<&'a Spanned<String>>,
    /// `resource`.
    pub resource: Option<&'a Spanned<String>>,
    /// `monitors`.
    pub monitors: Option<&'a Spanned<Vec<Spanned<String>>>>,
    /// `instruction`.
    pub instruction: Option<&'a Spanned<String>>,
    /// `check`.
    pub check: Option<&'a Spanned<String>>,
}

impl Args<'_> {
    /// The error for a field the action needs and the step lacks.
    pub fn missing(&self, field: &str) -> FileError {
        self.names.err(
            FileErrorKind::Argument,
            format!("action `{}` in step `{}` needs `{field}`", self.keyword, self.step_id.get_ref()),
            self.action_span.clone(),
            "this action",
        )
    }

    /// A field the action needs.
    pub fn required<'f, T>(&self, field: Option<&'f T>, name: &str) -> Result<&'f T, FileError> {
        field.ok_or_else(|| self.missing(name))
    }

    /// `services`, resolved; `None` when absent and not `required`.
    pub fn services(&self, required: bool) -> Result<Option<Vec<ServiceId>>, FileError> {
        match self.services {
            None if required => Err(self.missing("services")),
            None => Ok(None),
            Some(list) if list.get_ref().is_empty() => Err(self.names.err(
                FileErrorKind::InvalidValue,
                "an empty service list".to_owned(),
                list.span(),
                "name at least one service",
            )),
            Some(list) => {
                Ok(Some(list.get_ref().iter().map(|name| self.names.service(name)).collect::<Result<_, _>>()?))
            }
        }
    }

    /// `monitors`, resolved: `None` (every monitor) when absent; a monitor named twice once.
    pub fn monitors(&self) -> Result<Option<Vec<MonitorId>>, FileError> {
        let Some(list) = self.monitors else { return Ok(None) };
        if list.get_ref().is_empty() {
            return Err(self
                .names
                .err(
                    FileErrorKind::InvalidValue,
                    "an empty monitor list".to_owned(),
                    list.span(),
                    "name at least one monitor",
                )
                .with_help("leave `monitors` out to mean every monitor"));
        }
        let mut ids: Vec<MonitorId> = Vec::with_capacity(list.get_ref().len());
        for name in list.get_ref() {
            let id = self.names.monitor(name)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// `group`, required.
    pub fn group(&self) -> Result<GroupId, FileError> {
        self.names.group(self.required(self.group, "group")?)
    }

    /// `resource`, required.
    pub fn resource(&self) -> Result<ResourceId, FileError> {
        self.names.resource(self.required(self.resource, "resource")?)
    }

    /// `module`, resolved: the module the step acts on. It may be left out where the
    /// procedure applies one module; with several it is required.
    pub fn module_id(&self) -> Result<ModuleId, FileError> {
        let ids = || self.module_ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
        match self.module {
            None if self.module_ids.len() == 1 => Ok(ModuleId(0)),
            None => Err(self.missing("module").with_help(format!(
                "this procedure applies {} modules; name the one this step acts on: {}",
                self.module_ids.len(),
                ids()
            ))),
            Some(name) => match self.module_ids.iter().position(|id| id == name.get_ref()) {
                Some(index) => Ok(ModuleId(index as u8)),
                None => Err(self
                    .names
                    .err(
                        FileErrorKind::UnknownName,
                        format!("the procedure applies no module `{}`", name.get_ref()),
                        name.span(),
                        "unknown module",
                    )
                    .with_help(format!("its modules: {}", ids()))),
            },
        }
    }

    /// The folder of the last unzip-module step of `module` before this one.
    pub fn last_folder_of(&self, module: ModuleId) -> Option<&str> {
        self.last_folders.get(module.index()).and_then(|folder| folder.as_deref())
    }

    /// `folder`, or the folder of the last unzip-module step of `module`.
    pub fn folder_or_last(&self, module: ModuleId) -> Result<String, FileError> {
        match (self.folder, self.last_folder_of(module)) {
            (Some(folder), _) => self.names.folder(folder),
            (None, Some(folder)) => Ok(folder.to_owned()),
            (None, None) => Err(self
                .missing("folder")
                .with_help("give `folder`, or unzip the module in an earlier unzip-module step")),
        }
    }

    /// A keyword field read by `parse`; an unknown one is "unknown {what}", labelled and
    /// helped as given.
    pub fn keyword<T>(
        &self,
        field: &Spanned<String>,
        what: &str,
        (label, help): (&str, &str),
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, FileError> {
        parse(field.get_ref()).ok_or_else(|| {
            self.names
                .err(
                    FileErrorKind::UnknownKeyword,
                    format!("unknown {what} `{}`", field.get_ref()),
                    field.span(),
                    label,
                )
                .with_help(help)
        })
    }
}
