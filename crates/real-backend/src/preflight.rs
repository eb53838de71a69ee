//! Pre-flight checks: before a real run, is the cluster in the state the procedure assumes,
//! and is everything it needs in place? Each check has a stable id, says what breaks if it
//! fails, and how to fix it.

use std::path::Path;

use procedure::cluster::{NodeId, ResourceKind, drive_of};
use procedure::procedure::Action;
use procedure::setup::Setup;

use crate::archive;
use crate::backend::RealBackend;
use crate::commands;
use crate::connection::RoleHint;
use crate::parse::clpstat::{self, Clpstat, ClusterStatus, Status};
use crate::parse::{diskfree, sc};

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable id, for CI and JUnit.
    pub id: &'static str,
    /// What it checks, for people.
    pub title: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// What was found: one line per node or object at fault, or what was confirmed.
    pub detail: Vec<String>,
    /// What goes wrong if the run starts anyway.
    pub impact: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// What the checks need besides the backend.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The procedure and cluster.
    pub setup: &'a Setup,
    /// Role hints from the connection file.
    pub hints: &'a [(NodeId, RoleHint)],
    /// Free space the working folder needs.
    pub min_free_bytes: u64,
    /// The module archive on this machine.
    pub archive: Option<&'a Path>,
}

/// Runs every check, in a fixed order.
pub fn run(backend: &mut RealBackend, inputs: Inputs<'_>) -> Vec<Check> {
    let setup = inputs.setup;
    let cluster = &setup.cluster;
    let nodes: Vec<NodeId> = cluster.node_ids().collect();
    let mut views: Vec<Result<Option<ClusterStatus>, String>> = Vec::new();
    // With the REST API, the cluster's status comes from it, once, shown as each node's
    // clpstat would; a node answers when a command runs on it through its transport.
    let rest_view = backend.rest_cluster_view();
    for &node in &nodes {
        if let Some(rest_view) = &rest_view {
            let answers =
                backend.run_command(node, &commands::list_services()).map_err(|error| backend.describe_error(&error));
            views.push(match (answers, rest_view) {
                (Err(error), _) => Err(error),
                (Ok(_), Err(error)) => Err(format!("{}: the REST API: {error}", name(setup, node))),
                (Ok(_), Ok(view)) => Ok(Some(view.as_clpstat(name(setup, node)))),
            });
            continue;
        }
        let argv = commands::cluster_status(backend.config().clpstat_long);
        let view = match backend.run_command(node, &argv) {
            Ok(output) => match clpstat::parse(&output) {
                Ok(Clpstat::Status(view)) => Ok(Some(view)),
                Ok(Clpstat::NotRunning { .. }) => Ok(None),
                Err(error) => Err(format!("{}: {error}", name(setup, node))),
            },
            Err(error) => Err(backend.describe_error(&error)),
        };
        views.push(view);
    }
    let mut checks = Vec::new();

    let mut check = Check::new(
        "nodes-reachable",
        "every node answers",
        "no step can be run or verified on a node that does not answer",
        "start the node or its SSH/WinRM service, or correct its entry in the connection file",
    );
    for view in &views {
        if let Err(error) = view {
            check.fail(error.clone());
        }
    }
    checks.push(check.done("all nodes answer"));

    let mut check = Check::new(
        "cluster-running",
        "the cluster service runs on every node and the cluster is not suspended",
        "a suspended or stopped cluster would be resumed or started by the procedure at the wrong moment",
        "start the cluster (clpcl -s -a) or resume it (clpcl --resume) and wait until clpstat shows every server Online",
    );
    for (&node, view) in nodes.iter().zip(&views) {
        match view {
            Ok(None) => check.fail(format!("{}: the cluster service is not running", name(setup, node))),
            Ok(Some(view)) => match view.server(name(setup, node)) {
                Some(server) if server.status == Status::Online => {}
                Some(server) => {
                    check.fail(format!("{}: shows itself as {}", name(setup, node), server.status.as_str()))
                }
                None => check.fail(format!("{}: clpstat does not list this server", name(setup, node))),
            },
            Err(_) => check.fail(format!("{}: unknown (does not answer)", name(setup, node))),
        }
    }
    checks.push(check.done("running, not suspended"));

    let first_view = views.iter().find_map(|view| view.as_ref().ok().and_then(Option::as_ref));
    let mut check = Check::new(
        "nodes-online",
        "every node is Online in the cluster",
        "the group cannot be moved to a node that is not Online, so the procedure cannot finish",
        "bring the node back into the cluster before starting",
    );
    match first_view {
        None => check.fail("no node shows the cluster status".to_owned()),
        Some(view) => {
            for &node in &nodes {
                match view.server(name(setup, node)) {
                    Some(server) if server.status == Status::Online => {}
                    Some(server) => check.fail(format!("{} is {}", name(setup, node), server.status.as_str())),
                    None => check.fail(format!("{} is not a server of this cluster", name(setup, node))),
                }
            }
        }
    }
    checks.push(check.done("every server Online"));

    let expected_active = inputs
        .hints
        .iter()
        .find(|(_, hint)| *hint == RoleHint::Active)
        .map_or(cluster.initial_active(), |(node, _)| *node);
    let mut check = Check::new(
        "group-online-on-active",
        "every group is Online on the active node, with all its resources",
        "the procedure binds its roles from where the group runs; a group elsewhere or half online updates the wrong node first",
        "move the group to the active node (clpgrp -m GROUP -a NODE) and wait until every resource is Online",
    );
    if let Some(view) = first_view {
        for group in &cluster.groups {
            match view.group(&group.name) {
                None => check.fail(format!("group {} is not in the cluster", group.name)),
                Some(shown) => {
                    if shown.status != Status::Online {
                        check.fail(format!("group {} is {}", group.name, shown.status.as_str()));
                    }
                    if shown
                        .current
                        .as_deref()
                        .is_none_or(|current| !current.eq_ignore_ascii_case(name(setup, expected_active)))
                    {
                        check.fail(format!(
                            "group {} runs on {}, not on the active node {}",
                            group.name,
                            shown.current.as_deref().unwrap_or("no node"),
                            name(setup, expected_active)
                        ));
                    }
                    for resource in shown.resources.iter().filter(|r| r.status != Status::Online) {
                        check.fail(format!("resource {} is {}", resource.name, resource.status.as_str()));
                    }
                }
            }
        }
        for (node, hint) in inputs.hints {
            if *hint == RoleHint::Standby && *node == expected_active {
                check.fail(format!(
                    "{} is marked standby in the connection file but is the active node",
                    name(setup, *node)
                ));
            }
        }
    } else {
        check.fail("no node shows the cluster status".to_owned());
    }
    checks.push(check.done(&format!("online on {}", name(setup, expected_active))));

    let mut check = Check::new(
        "monitors-normal",
        "every monitor resource is Normal on every node",
        "a monitor already in error may fail the group over or act on the services the procedure stops",
        "find the cause in the alert log, fix it, and resume or reset the monitor",
    );
    for (&node, view) in nodes.iter().zip(&views) {
        let Ok(Some(view)) = view else { continue };
        for monitor in &cluster.monitors {
            // Inferred: a monitor whose target runs on another node does not watch here,
            // and clpstat on this node shows it Offline.
            let target_group = &cluster.groups[cluster.resources[monitor.target.index()].group.index()].name;
            let target_here = view
                .group(target_group)
                .and_then(|group| group.current.as_deref())
                .is_some_and(|current| current.eq_ignore_ascii_case(name(setup, node)));
            match view.monitor(&monitor.name) {
                Some(item) if item.status == Status::Normal => {}
                Some(item) if item.status == Status::Offline && !target_here => {}
                Some(item) => {
                    check.fail(format!("{}: monitor {} is {}", name(setup, node), monitor.name, item.status.as_str()))
                }
                None => check.fail(format!("{}: monitor {} is not in the cluster", name(setup, node), monitor.name)),
            }
        }
    }
    checks.push(check.done("all Normal"));

    let mut check = Check::new(
        "registry-sync-present",
        "the registry-sync resources are present and Online",
        "without registry sync the module's registry values are not carried to the other node (or are rolled back)",
        "correct the cluster description, or bring the registry-sync resource online",
    );
    for resource in &cluster.resources {
        if !matches!(resource.kind, ResourceKind::RegistrySync { .. }) {
            continue;
        }
        match first_view.and_then(|view| view.resource(&resource.name)) {
            Some((_, item)) if item.status == Status::Online => {}
            Some((_, item)) => check.fail(format!("{} is {}", resource.name, item.status.as_str())),
            None => check.fail(format!("{} is not in the cluster", resource.name)),
        }
    }
    if cluster.registry_sync_resources().next().is_none() {
        check.fail("the cluster description has no registry-sync resource".to_owned());
    }
    checks.push(check.done("present and Online"));

    let mut check = Check::new(
        "services-exist",
        "every service the procedure names exists on every node",
        "a step that stops, starts or checks a missing service fails halfway through the procedure",
        "map display names to service key names in the connection file's [services], or correct the cluster description",
    );
    for &node in &nodes {
        if views[node.index()].is_err() {
            check.fail(format!("{}: unknown (does not answer)", name(setup, node)));
            continue;
        }
        let listing = backend
            .run_command(node, &commands::list_services())
            .map_err(|error| backend.describe_error(&error))
            .and_then(|output| sc::parse(&output).map_err(|error| error.to_string()));
        match listing {
            Err(error) => check.fail(format!("{}: {error}", name(setup, node))),
            Ok(listing) => {
                for service in &cluster.services {
                    let key = backend.config().service_keys.get(&service.name).unwrap_or(&service.name);
                    if !listing.services.iter().any(|record| record.name.eq_ignore_ascii_case(key)) {
                        check.fail(format!("{}: service {key:?} is not installed", name(setup, node)));
                    }
                }
            }
        }
    }
    checks.push(check.done(&format!("{} services on every node", cluster.services.len())));

    let mut check = Check::new(
        "module-archive",
        "the module archive is here, readable and safe to extract",
        "the unzip step would fail, or write outside its folder",
        "put the vendor's archive where the connection file's [module] archive points, and check its checksum",
    );
    let mut archive_note = String::new();
    match inputs.archive {
        None => check.fail("the connection file names no [module] archive".to_owned()),
        Some(path) => {
            // Extracted into a scratch folder that is removed with it.
            let extracted = tempfile::tempdir()
                .map_err(|error| format!("cannot make a scratch folder: {error}"))
                .and_then(|scratch| {
                    archive::extract(path, &scratch.path().join("module"), archive::Limits::default())
                        .map_err(|error| error.to_string())
                });
            match extracted {
                Ok(manifest) => {
                    archive_note = format!("{} files, sha256 {}", manifest.files.len(), manifest.archive_sha256);
                }
                Err(error) => check.fail(error),
            }
        }
    }
    checks.push(check.done(&archive_note));

    let folders: Vec<&str> = setup
        .procedure
        .steps
        .iter()
        .filter_map(|step| match &step.action {
            Action::UnzipModule { folder } => Some(folder.as_str()),
            _ => None,
        })
        .collect();
    let mut check = Check::new(
        "working-folder-local",
        "the working folder is on a local drive of every node, not on the mirror drive",
        "the standby cannot read the mirror drive, and installing from it breaks the update (module-on-mirror-drive)",
        "choose a folder on C: or D: in the procedure's unzip step",
    );
    for folder in &folders {
        if cluster.is_mirror_drive(folder) {
            check.fail(format!("{folder} is on the mirror drive"));
        }
        for (i, node) in cluster.nodes.iter().enumerate() {
            if !node.drives.iter().any(|drive| drive.eq_ignore_ascii_case(drive_of(folder))) {
                check.fail(format!("{}: {} is not a local drive", cluster.nodes[i].name, drive_of(folder)));
            }
        }
    }
    checks.push(check.done(&folders.join(", ")));

    let mut check = Check::new(
        "free-space",
        "the working folder's drive has enough free space on every node",
        "extraction or installation stops halfway when the drive fills",
        "free space on the drive, or choose another local drive for the working folder",
    );
    let drives: Vec<&str> = {
        let mut drives: Vec<&str> = folders.iter().map(|folder| drive_of(folder)).collect();
        drives.dedup();
        drives
    };
    for &node in &nodes {
        if views[node.index()].is_err() {
            check.fail(format!("{}: unknown (does not answer)", name(setup, node)));
            continue;
        }
        for drive in &drives {
            let result = commands::disk_free(drive)
                .map_err(|error| error.to_string())
                .and_then(|argv| backend.run_command(node, &argv).map_err(|error| backend.describe_error(&error)))
                .and_then(|output| diskfree::parse(&output).map_err(|error| error.to_string()));
            match result {
                Ok(free) if free >= inputs.min_free_bytes => {}
                Ok(free) => check.fail(format!(
                    "{}: {drive} has {} MiB free, {} MiB needed",
                    name(setup, node),
                    free >> 20,
                    inputs.min_free_bytes >> 20
                )),
                Err(error) => check.fail(format!("{}: {error}", name(setup, node))),
            }
        }
    }
    checks.push(check.done(&format!("at least {} MiB free", inputs.min_free_bytes >> 20)));
    checks
}

/// `sc.exe query type= service state= all`: every service of a node.
fn name(setup: &Setup, node: NodeId) -> &str {
    setup.node_name(node)
}

impl Check {
    fn new(id: &'static str, title: &'static str, impact: &'static str, fix: &'static str) -> Check {
        Check { id, title, passed: true, detail: Vec::new(), impact, fix }
    }

    fn fail(&mut self, detail: String) {
        self.passed = false;
        self.detail.push(detail);
    }

    /// Finishes a check: a passed one says what it confirmed.
    fn done(mut self, confirmed: &str) -> Check {
        if self.passed && !confirmed.is_empty() {
            self.detail.push(confirmed.to_owned());
        }
        self
    }
}
