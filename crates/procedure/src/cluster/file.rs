//! The cluster description file format (TOML, `version = 1`) and its validation.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use toml::Spanned;

use super::types::{
    Cluster, Component, ComponentId, DEFAULT_MONITOR_INTERVAL, Group, GroupId, Monitor, Node, RegistryValue, Resource,
    ResourceId, ResourceKind, Service, ServiceId, Timing, UnknownFinalAction,
};
use crate::diagnostic::{FileError, FileErrorKind, SourceFile};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ClusterFile {
    #[schemars(schema_with = "crate::file_schema::version")]
    version: Spanned<u32>,
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    node: Vec<NodeFile>,
    #[serde(default)]
    component: Vec<ComponentFile>,
    #[serde(default)]
    service: Vec<ServiceFile>,
    #[serde(default)]
    registry: Vec<RegistryFile>,
    #[serde(default)]
    group: Vec<GroupFile>,
    #[serde(default)]
    monitor: Vec<MonitorFile>,
    #[serde(default)]
    timing: Option<TimingFile>,
    #[serde(default)]
    recovery_counts: super::types::RecoveryCounts,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NodeFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    drives: Vec<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ComponentFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    version: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ServiceFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    component: Option<Spanned<String>>,
    #[serde(default)]
    watched: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RegistryFile {
    key: String,
    value: String,
    data: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GroupFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    nodes: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    resource: Vec<ResourceFile>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ResourceFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    kind: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    depends: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    drive: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    address: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    keys: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    service: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    services: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MonitorFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    kind: Spanned<String>,
    #[schemars(with = "String")]
    target: Spanned<String>,
    #[serde(default)]
    restart_threshold: Option<u8>,
    #[serde(default)]
    failover_threshold: Option<u8>,
    #[serde(default)]
    #[schemars(schema_with = "super::types::final_action_schema")]
    final_action: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    interval: Option<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TimingFile {
    #[schemars(with = "Option<String>")]
    suspend: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    resume: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    resource: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    service: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    unzip: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    backup: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    install: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    reboot: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    watch_interval: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    console: Option<Spanned<String>>,
}

/// At most this many nodes (ids are bytes).
const MAX_NODES: usize = u8::MAX as usize;
/// At most this many components and groups (ids are bytes).
const MAX_SMALL: usize = u8::MAX as usize;
/// At most this many services, resources and monitors (ids are 16 bits).
const MAX_LARGE: usize = u16::MAX as usize;
/// The longest duration a cluster file may give: a month.
const MAX_DURATION: Duration = Duration::from_secs(31 * 24 * 3600);

impl ClusterFile {
    fn name_span(&self) -> Range<usize> {
        self.name.span()
    }
}

/// The JSON Schema of cluster descriptions.
pub fn schema() -> Schema {
    crate::file_schema::of::<ClusterFile>(crate::safe_text::FileKind::Cluster)
}

/// Parses and validates a cluster description.
pub fn load(source: &SourceFile) -> Result<Cluster, FileError> {
    let file: ClusterFile = crate::safe_text::from_toml(source, crate::safe_text::FileKind::Cluster)?;
    Loader { source }.cluster(file)
}

struct Loader<'a> {
    source: &'a SourceFile,
}

impl Loader<'_> {
    fn err(&self, kind: FileErrorKind, message: String, span: Range<usize>, label: &str) -> FileError {
        self.source.error(kind, message, Some(span), label)
    }

    fn cluster(&self, file: ClusterFile) -> Result<Cluster, FileError> {
        if *file.version.get_ref() != 1 {
            return Err(self.err(
                FileErrorKind::UnsupportedVersion,
                format!("unsupported cluster file version {}", file.version.get_ref()),
                file.version.span(),
                "this build reads version 1",
            ));
        }
        if file.node.is_empty() {
            return Err(self.source.error(FileErrorKind::Empty, "the cluster has no [[node]]", Some(0..0), "here"));
        }
        let mut nodes = Vec::new();
        for node in &file.node {
            if nodes.iter().any(|known: &Node| known.name.eq_ignore_ascii_case(node.name.get_ref())) {
                return Err(self.duplicate("node", &node.name));
            }
            if node.drives.is_empty() {
                return Err(self.err(
                    FileErrorKind::InvalidValue,
                    format!("node `{}` has no local drive", node.name.get_ref()),
                    node.name.span(),
                    "needs at least one drive for the working folder",
                ));
            }
            for drive in &node.drives {
                self.check_drive(drive)?;
            }
            nodes.push(Node {
                name: node.name.get_ref().clone(),
                drives: node.drives.iter().map(|d| d.get_ref().to_ascii_uppercase()).collect(),
            });
        }
        if nodes.len() > MAX_NODES {
            return Err(self.source.error(
                FileErrorKind::InvalidValue,
                format!("{} nodes; a cluster description may have at most {MAX_NODES}", nodes.len()),
                Some(file.node[MAX_NODES].name.span()),
                "one too many",
            ));
        }
        let limits: [(&str, usize, usize, Option<Range<usize>>); 4] = [
            ("components", file.component.len(), MAX_SMALL, file.component.get(MAX_SMALL).map(|c| c.name.span())),
            ("groups", file.group.len(), MAX_SMALL, file.group.get(MAX_SMALL).map(|g| g.name.span())),
            ("services", file.service.len(), MAX_LARGE, file.service.get(MAX_LARGE).map(|s| s.name.span())),
            ("monitors", file.monitor.len(), MAX_LARGE, file.monitor.get(MAX_LARGE).map(|m| m.name.span())),
        ];
        for (what, count, max, span) in limits {
            if count > max {
                return Err(self.source.error(
                    FileErrorKind::InvalidValue,
                    format!("{count} {what}; a cluster description may have at most {max}"),
                    span,
                    "one too many",
                ));
            }
        }
        if file.group.is_empty() {
            return Err(self
                .source
                .error(FileErrorKind::Empty, "the cluster has no failover [[group]]", Some(file.name_span()), "here")
                .with_help(
                    "the group's owner is the active server; describe at least one [[group]] with its resources",
                ));
        }

        let mut components = Vec::new();
        for component in &file.component {
            if components.iter().any(|known: &Component| &known.name == component.name.get_ref()) {
                return Err(self.duplicate("component", &component.name));
            }
            components.push(Component { name: component.name.get_ref().clone(), version: component.version.clone() });
        }

        let mut services = Vec::new();
        for service in &file.service {
            if services.iter().any(|known: &Service| &known.name == service.name.get_ref()) {
                return Err(self.duplicate("service", &service.name));
            }
            let component = match &service.component {
                None => None,
                Some(name) => Some(self.component(&components, name)?),
            };
            services.push(Service { name: service.name.get_ref().clone(), component, watched: service.watched });
        }

        let registry = file
            .registry
            .iter()
            .map(|value| RegistryValue { key: value.key.clone(), value: value.value.clone(), data: value.data.clone() })
            .collect();

        let mut cluster = Cluster {
            name: file.name.into_inner(),
            product: file.product.unwrap_or_else(|| "EXPRESSCLUSTER X".to_owned()),
            nodes,
            components,
            services,
            registry,
            groups: Vec::new(),
            resources: Vec::new(),
            monitors: Vec::new(),
            timing: self.timing(file.timing)?,
            recovery_counts: file.recovery_counts,
        };
        for group in &file.group {
            self.group(&mut cluster, group)?;
        }
        for monitor in &file.monitor {
            self.monitor(&mut cluster, monitor)?;
        }
        Ok(cluster)
    }

    fn duplicate(&self, what: &str, name: &Spanned<String>) -> FileError {
        self.err(
            FileErrorKind::Duplicate,
            format!("{what} `{}` is defined twice", name.get_ref()),
            name.span(),
            "second definition",
        )
    }

    fn check_drive(&self, drive: &Spanned<String>) -> Result<(), FileError> {
        let text = drive.get_ref();
        let bytes = text.as_bytes();
        if bytes.len() == 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
            return Ok(());
        }
        Err(self.err(
            FileErrorKind::InvalidValue,
            format!("`{text}` is not a drive letter"),
            drive.span(),
            "expected a drive such as `C:`",
        ))
    }

    fn component(&self, components: &[Component], name: &Spanned<String>) -> Result<ComponentId, FileError> {
        match components.iter().position(|c| &c.name == name.get_ref()) {
            Some(i) => Ok(ComponentId(i as u8)),
            None => Err(self.err(
                FileErrorKind::UnknownName,
                format!("unknown component `{}`", name.get_ref()),
                name.span(),
                "not declared with [[component]]",
            )),
        }
    }

    fn service(&self, cluster: &Cluster, name: &Spanned<String>) -> Result<ServiceId, FileError> {
        cluster.service_by_name(name.get_ref()).ok_or_else(|| {
            self.err(
                FileErrorKind::UnknownName,
                format!("unknown service `{}`", name.get_ref()),
                name.span(),
                "not declared with [[service]]",
            )
        })
    }

    fn group(&self, cluster: &mut Cluster, group: &GroupFile) -> Result<(), FileError> {
        if cluster.group_by_name(group.name.get_ref()).is_some() {
            return Err(self.duplicate("group", &group.name));
        }
        if group.resource.is_empty() {
            return Err(self.err(
                FileErrorKind::Empty,
                format!("group `{}` has no resources", group.name.get_ref()),
                group.name.span(),
                "add its [[group.resource]] tables",
            ));
        }
        if cluster.resources.len() + group.resource.len() > MAX_LARGE {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!("more than {MAX_LARGE} resources"),
                group.name.span(),
                "too many resources",
            ));
        }
        let group_id = GroupId(cluster.groups.len() as u8);
        let mut policy = Vec::new();
        for node in group.nodes.get_ref() {
            let id = cluster.node_by_name(node.get_ref()).ok_or_else(|| {
                self.err(
                    FileErrorKind::UnknownName,
                    format!("unknown node `{}` in the policy of group `{}`", node.get_ref(), group.name.get_ref()),
                    node.span(),
                    "not declared with [[node]]",
                )
            })?;
            if policy.contains(&id) {
                return Err(self.err(
                    FileErrorKind::Duplicate,
                    format!(
                        "node `{}` appears twice in the policy of group `{}`",
                        node.get_ref(),
                        group.name.get_ref()
                    ),
                    node.span(),
                    "listed again",
                ));
            }
            policy.push(id);
        }
        if policy.is_empty() {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!("group `{}` may run on no node", group.name.get_ref()),
                group.nodes.span(),
                "list the nodes, highest priority first",
            ));
        }

        // Resources are declared in any order; activation order is a topological sort that
        // keeps file order among independent resources.
        let first = cluster.resources.len();
        let mut names: BTreeMap<&str, ResourceId> = BTreeMap::new();
        for (i, resource) in group.resource.iter().enumerate() {
            let id = ResourceId((first + i) as u16);
            if cluster.resources.iter().any(|r| &r.name == resource.name.get_ref())
                || names.insert(resource.name.get_ref(), id).is_some()
            {
                return Err(self.duplicate("resource", &resource.name));
            }
        }
        for resource in &group.resource {
            let kind = self.resource_kind(cluster, resource)?;
            let mut depends = Vec::new();
            for dependency in &resource.depends {
                match names.get(dependency.get_ref().as_str()) {
                    Some(&id) => depends.push(id),
                    None => {
                        return Err(self.err(
                            FileErrorKind::UnknownName,
                            format!(
                                "resource `{}` depends on `{}`, which is not in group `{}`",
                                resource.name.get_ref(),
                                dependency.get_ref(),
                                group.name.get_ref()
                            ),
                            dependency.span(),
                            "unknown resource",
                        ));
                    }
                }
            }
            cluster.resources.push(Resource { name: resource.name.get_ref().clone(), group: group_id, kind, depends });
        }
        let order = self.activation_order(cluster, first, group)?;
        cluster.groups.push(Group { name: group.name.get_ref().clone(), policy, resources: order });
        Ok(())
    }

    fn activation_order(
        &self,
        cluster: &Cluster,
        first: usize,
        group: &GroupFile,
    ) -> Result<Vec<ResourceId>, FileError> {
        let count = cluster.resources.len() - first;
        let mut placed = vec![false; count];
        let mut order = Vec::with_capacity(count);
        while order.len() < count {
            let ready = (0..count).find(|&i| {
                !placed[i] && cluster.resources[first + i].depends.iter().all(|d| placed[d.index() - first])
            });
            match ready {
                Some(i) => {
                    placed[i] = true;
                    order.push(ResourceId((first + i) as u16));
                }
                None => {
                    let stuck = (0..count).find(|&i| !placed[i]).unwrap_or(0);
                    return Err(self.err(
                        FileErrorKind::InvalidValue,
                        format!("the dependencies of resource `{}` form a cycle", group.resource[stuck].name.get_ref()),
                        group.resource[stuck].name.span(),
                        "part of a dependency cycle",
                    ));
                }
            }
        }
        Ok(order)
    }

    fn resource_kind(&self, cluster: &Cluster, resource: &ResourceFile) -> Result<ResourceKind, FileError> {
        let type_name = resource.kind.get_ref().as_str();
        let allowed: &[&str] = match type_name {
            "mirror-disk" => &["drive"],
            "floating-ip" => &["address"],
            "registry-sync" => &["keys"],
            "service" => &["service", "services"],
            other => {
                return Err(self
                    .err(
                        FileErrorKind::UnknownKeyword,
                        format!("unknown resource type `{other}`"),
                        resource.kind.span(),
                        "not a resource type",
                    )
                    .with_help("resource types: mirror-disk, floating-ip, registry-sync, service"));
            }
        };
        let present: [(&str, Option<Range<usize>>); 5] = [
            ("drive", resource.drive.as_ref().map(Spanned::span)),
            ("address", resource.address.as_ref().map(Spanned::span)),
            ("keys", resource.keys.as_ref().map(Spanned::span)),
            ("service", resource.service.as_ref().map(Spanned::span)),
            ("services", resource.services.as_ref().map(Spanned::span)),
        ];
        for (field, span) in present {
            if let Some(span) = span
                && !allowed.contains(&field)
            {
                return Err(self.err(
                    FileErrorKind::Argument,
                    format!("a {type_name} resource takes no `{field}`"),
                    span,
                    "not used by this resource type",
                ));
            }
        }
        let missing = |field: &str| {
            self.err(
                FileErrorKind::Argument,
                format!("{type_name} resource `{}` needs `{field}`", resource.name.get_ref()),
                resource.name.span(),
                "defined here",
            )
        };
        Ok(match type_name {
            "mirror-disk" => {
                let drive = resource.drive.as_ref().ok_or_else(|| missing("drive"))?;
                self.check_drive(drive)?;
                let letter = drive.get_ref().to_ascii_uppercase();
                if cluster.nodes.iter().any(|node| node.drives.contains(&letter)) {
                    return Err(self.err(
                        FileErrorKind::InvalidValue,
                        format!("mirror drive {letter} is also listed as a local drive of a node"),
                        drive.span(),
                        "a mirror drive is not a local drive",
                    ));
                }
                ResourceKind::MirrorDisk { drive: letter }
            }
            "floating-ip" => ResourceKind::FloatingIp {
                address: resource.address.as_ref().ok_or_else(|| missing("address"))?.get_ref().clone(),
            },
            "registry-sync" => {
                let keys = resource.keys.as_ref().ok_or_else(|| missing("keys"))?;
                if keys.get_ref().is_empty() {
                    return Err(self.err(
                        FileErrorKind::InvalidValue,
                        "registry sync of no keys".to_owned(),
                        keys.span(),
                        "empty",
                    ));
                }
                ResourceKind::RegistrySync { keys: keys.get_ref().clone() }
            }
            _ => {
                let mut services = Vec::new();
                if let Some(service) = &resource.service {
                    services.push(self.service(cluster, service)?);
                }
                if let Some(list) = &resource.services {
                    for service in list.get_ref() {
                        services.push(self.service(cluster, service)?);
                    }
                }
                if services.is_empty() {
                    return Err(missing("service"));
                }
                for &service in &services {
                    if cluster.resources_of_service(service).next().is_some() {
                        return Err(self.err(
                            FileErrorKind::Duplicate,
                            format!("service `{}` is started by two resources", cluster.services[service.index()].name),
                            resource.name.span(),
                            "second resource",
                        ));
                    }
                }
                ResourceKind::Service { services }
            }
        })
    }

    fn monitor(&self, cluster: &mut Cluster, monitor: &MonitorFile) -> Result<(), FileError> {
        if cluster.monitors.iter().any(|m| &m.name == monitor.name.get_ref()) {
            return Err(self.duplicate("monitor", &monitor.name));
        }
        let target = cluster.resource_by_name(monitor.target.get_ref()).ok_or_else(|| {
            self.err(
                FileErrorKind::UnknownName,
                format!("monitor `{}` watches unknown resource `{}`", monitor.name.get_ref(), monitor.target.get_ref()),
                monitor.target.span(),
                "no such resource",
            )
        })?;
        let expected = match monitor.kind.get_ref().as_str() {
            "service" => "service",
            "registry-sync" => "registry-sync",
            "mirror-disk" => "mirror-disk",
            "floating-ip" => "floating-ip",
            other => {
                return Err(self
                    .err(
                        FileErrorKind::UnknownKeyword,
                        format!("unknown monitor type `{other}`"),
                        monitor.kind.span(),
                        "not a monitor type",
                    )
                    .with_help("monitor types: service, registry-sync, mirror-disk, floating-ip"));
            }
        };
        if cluster.resources[target.index()].kind.type_name() != expected {
            return Err(self.err(
                FileErrorKind::InvalidValue,
                format!(
                    "a {expected} monitor cannot watch `{}`, a {} resource",
                    monitor.target.get_ref(),
                    cluster.resources[target.index()].kind.type_name()
                ),
                monitor.target.span(),
                "wrong resource type",
            ));
        }
        let final_action = match &monitor.final_action {
            None => Default::default(),
            Some(name) => name.get_ref().parse().map_err(|unknown: UnknownFinalAction| {
                self.err(
                    FileErrorKind::UnknownKeyword,
                    format!("unknown final action `{}`", unknown.0),
                    name.span(),
                    "not a final action",
                )
                .with_help(unknown.to_string())
            })?,
        };
        let interval = match &monitor.interval {
            Some(text) => self.duration(text)?,
            None => DEFAULT_MONITOR_INTERVAL,
        };
        cluster.monitors.push(Monitor {
            name: monitor.name.get_ref().clone(),
            target,
            restart_threshold: monitor.restart_threshold.unwrap_or(1),
            failover_threshold: monitor.failover_threshold.unwrap_or(1),
            final_action,
            interval,
        });
        Ok(())
    }

    fn duration(&self, text: &Spanned<String>) -> Result<Duration, FileError> {
        match crate::duration::parse(text.get_ref()) {
            Ok(duration) if duration > MAX_DURATION => Err(self.err(
                FileErrorKind::InvalidValue,
                format!("`{}` is longer than a month", text.get_ref()),
                text.span(),
                "too long",
            )),
            Ok(duration) if !duration.is_zero() => Ok(duration),
            Ok(_) => Err(self.err(
                FileErrorKind::InvalidValue,
                "a duration of zero".to_owned(),
                text.span(),
                "must be positive",
            )),
            Err(message) => Err(self.err(FileErrorKind::InvalidValue, message, text.span(), "not a duration")),
        }
    }

    fn timing(&self, file: Option<TimingFile>) -> Result<Timing, FileError> {
        let mut timing = Timing::default();
        let Some(file) = file else { return Ok(timing) };
        let fields: [(&Option<Spanned<String>>, &mut Duration); 10] = [
            (&file.suspend, &mut timing.suspend),
            (&file.resume, &mut timing.resume),
            (&file.resource, &mut timing.resource),
            (&file.service, &mut timing.service),
            (&file.unzip, &mut timing.unzip),
            (&file.backup, &mut timing.backup),
            (&file.install, &mut timing.install),
            (&file.reboot, &mut timing.reboot),
            (&file.watch_interval, &mut timing.watch_interval),
            (&file.console, &mut timing.console),
        ];
        for (text, slot) in fields {
            if let Some(text) = text {
                *slot = self.duration(text)?;
            }
        }
        Ok(timing)
    }
}
