//! Pre-flight checks: before a real run, is the cluster in the state the procedure assumes,
//! and is everything it needs in place? Each check has a stable id, says what breaks if it
//! fails, and how to fix it.

use std::path::Path;

use procedure::backend::BackendError;
use procedure::cluster::{NodeId, drive_of};
use procedure::setup::Setup;
use remote::archive;

use crate::backend::RealBackend;
use crate::commands;
use crate::connection::RoleHint;
use crate::parse::clpstat::{ClusterStatus, Status};
use crate::parse::{diskfree, sc};

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable id, for CI and JUnit.
    pub id: &'static str,
    /// What it checks, for people.
    pub title: &'static str,
    /// Whether it passed, failed, or could not be run.
    pub outcome: Outcome,
    /// What was found: one line per node or object at fault or not checked, or what was
    /// confirmed.
    pub detail: Vec<String>,
    /// What goes wrong if the run starts anyway.
    pub impact: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything it looks at was seen, and is as the procedure assumes.
    Passed,
    /// Something it looks at was seen not to be as the procedure assumes.
    Failed,
    /// Nothing was seen to be wrong, but part of what it looks at could not be seen (a node
    /// did not answer, or its answer could not be read): the check claims nothing, and
    /// pre-flight does not pass.
    Unknown,
}

impl Outcome {
    /// The word for JSON and for people: `passed`, `failed`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
        }
    }
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
    /// The module archive on this machine (the first module's).
    pub archive: Option<&'a Path>,
    /// The archives of the procedure's modules by id (`[module.archives]`).
    pub archives: &'a std::collections::BTreeMap<String, std::path::PathBuf>,
}

/// What pre-flight saw of the cluster from one node.
enum Seen {
    /// The cluster's status, as the node's clpstat (or the REST API) shows it.
    Status(ClusterStatus),
    /// The node answers; its cluster service does not run.
    NotRunning,
    /// The node answers, but the cluster's status could not be read there: why.
    Unreadable(String),
    /// The node does not answer: why, naming the node.
    NoAnswer(String),
}

impl Seen {
    fn status(&self) -> Option<&ClusterStatus> {
        match self {
            Seen::Status(status) => Some(status),
            _ => None,
        }
    }

    fn answers(&self) -> bool {
        !matches!(self, Seen::NoAnswer(_))
    }

    /// Why this node's view cannot show what a check looks at, for a "not checked" line.
    fn why_not_seen(&self) -> &str {
        match self {
            Seen::Status(_) => "",
            Seen::NotRunning => "the cluster service does not run there",
            Seen::Unreadable(why) => why,
            Seen::NoAnswer(_) => "the node does not answer",
        }
    }
}

/// The line of a check that nothing could be seen for because no node answers.
const NO_NODE_ANSWERS: &str = "not checked: no node answers";

/// Runs every check, in a fixed order.
///
/// A check claims only what it saw: where a node it needs did not answer, or its answer
/// could not be read, it says so ("not checked") and is [`Outcome::Unknown`] unless what it
/// did see is already at fault.
pub fn run(backend: &mut RealBackend, inputs: Inputs<'_>) -> Vec<Check> {
    let setup = inputs.setup;
    let cluster = &setup.cluster;
    let nodes: Vec<NodeId> = cluster.node_ids().collect();
    let mut seen: Vec<Seen> = Vec::new();
    // With the REST API, the cluster's status comes from it, once, shown as each node's
    // clpstat would; a node answers when a command runs on it through its transport.
    let rest_view = backend.rest_cluster_view();
    for &node in &nodes {
        let node_name = name(setup, node);
        if let Some(rest_view) = &rest_view {
            seen.push(match (backend.run_command(node, &commands::list_services()), rest_view) {
                (Err(error), _) => unanswered(backend, node_name, &error),
                (Ok(_), Err(error)) => Seen::Unreadable(format!("the REST API: {error}")),
                (Ok(_), Ok(view)) => match view.as_clpstat(node_name) {
                    Ok(status) => Seen::Status(status),
                    Err(why) => Seen::Unreadable(format!("the REST API: {why}")),
                },
            });
            continue;
        }
        seen.push(match backend.cluster_status(node) {
            // A node whose own server line is Offline: its cluster service is stopped.
            Ok(Ok(view)) if view.server(node_name).is_some() && !view.shows_running(node_name) => Seen::NotRunning,
            Ok(Ok(view)) => Seen::Status(view),
            Ok(Err(error)) => Seen::Unreadable(error.to_string()),
            Err(error) => unanswered(backend, node_name, &error),
        });
    }
    let no_node_answers = !seen.iter().any(Seen::answers);
    let mut checks = Vec::new();

    let mut check = Check::new(
        "nodes-reachable",
        "every node answers",
        "no step can be run or verified on a node that does not answer",
        "start the node or its SSH/WinRM service, or correct its entry in the connection file",
    );
    for view in &seen {
        if let Seen::NoAnswer(why) = view {
            check.fail(why.clone());
        }
    }
    checks.push(check.done("all nodes answer"));

    let mut check = Check::new(
        "cluster-running",
        "the cluster service runs on every node and the cluster is not suspended",
        "a suspended or stopped cluster would be resumed or started by the procedure at the wrong moment",
        "start the cluster (clpcl -s -a) or resume it (clpcl --resume) and wait until clpstat shows every server Online",
    );
    if no_node_answers {
        check.not_checked(NO_NODE_ANSWERS.to_owned());
    } else {
        for (&node, view) in nodes.iter().zip(&seen) {
            match view {
                Seen::NotRunning => check.fail(format!("{}: the cluster service is not running", name(setup, node))),
                Seen::Status(view) => match view.server(name(setup, node)) {
                    Some(server) if server.status == Status::Online => {}
                    Some(server) => {
                        check.fail(format!("{}: shows itself as {}", name(setup, node), server.status.as_str()))
                    }
                    None => check.fail(format!("{}: clpstat does not list this server", name(setup, node))),
                },
                Seen::Unreadable(_) | Seen::NoAnswer(_) => check.not_checked(not_checked(setup, node, view)),
            }
        }
    }
    checks.push(check.done("running, not suspended"));

    // The cluster's status as the first node that shows it sees it; it lists every server.
    let first_view = seen.iter().find_map(Seen::status);
    let mut check = Check::new(
        "nodes-online",
        "every node is Online in the cluster",
        "the group cannot be moved to a node that is not Online, so the procedure cannot finish",
        "bring the node back into the cluster before starting",
    );
    match first_view {
        None if no_node_answers => check.not_checked(NO_NODE_ANSWERS.to_owned()),
        None => {
            for (&node, view) in nodes.iter().zip(&seen) {
                match view {
                    Seen::NotRunning => {
                        check.fail(format!("{} is not Online: its cluster service does not run", name(setup, node)))
                    }
                    _ => check.not_checked(not_checked(setup, node, view)),
                }
            }
        }
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
        check.not_checked(no_status(setup, &seen));
    }
    checks.push(check.done(&format!("online on {}", name(setup, expected_active))));

    let mut check = Check::new(
        "monitors-normal",
        "every monitor resource is Normal on every node",
        "a monitor already in error may fail the group over or act on the services the procedure stops",
        "find the cause in the alert log, fix it, and resume or reset the monitor",
    );
    for (node, view) in seen_where(&mut check, setup, &nodes, &seen, Seen::status) {
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
    if cluster.registry_sync_resources().next().is_none() {
        check.fail("the cluster description has no registry-sync resource".to_owned());
    } else if let Some(view) = first_view {
        for resource in cluster.registry_sync_resources().map(|id| &cluster.resources[id.index()]) {
            match view.resource(&resource.name) {
                Some((_, item)) if item.status == Status::Online => {}
                Some((_, item)) => check.fail(format!("{} is {}", resource.name, item.status.as_str())),
                None => check.fail(format!("{} is not in the cluster", resource.name)),
            }
        }
    } else {
        check.not_checked(no_status(setup, &seen));
    }
    checks.push(check.done("present and Online"));

    let mut check = Check::new(
        "services-exist",
        "every service the procedure names exists on every node",
        "a step that stops, starts or checks a missing service fails halfway through the procedure",
        "map display names to service key names in the connection file's [services], or correct the cluster description",
    );
    for (node, ()) in seen_where(&mut check, setup, &nodes, &seen, |view| view.answers().then_some(())) {
        let listing = match backend.run_command(node, &commands::list_services()) {
            Err(error) => Err(format!("not checked: {}", backend.describe_error(&error))),
            Ok(output) => sc::parse(&output).map_err(|error| format!("{}: not checked, {error}", name(setup, node))),
        };
        match listing {
            Err(line) => check.not_checked(line),
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
    // Each module's archive: from `[module.archives]` by id, the first module's from `archive`
    // too. A procedure of one module reads as it did.
    let several = setup.procedure.modules.len() > 1;
    let mut notes: Vec<String> = Vec::new();
    for (id, module) in setup.procedure.module_ids() {
        let given = crate::backend::archive_of(inputs.archive, inputs.archives, id, &module.id);
        let which = if several { format!("{}: ", module.id) } else { String::new() };
        match given {
            None if several => {
                check.fail(format!("the connection file names no archive of {} ([module.archives])", module.id));
            }
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
                        notes.push(format!("{which}{} files, sha256 {}", manifest.files.len(), manifest.archive_sha256))
                    }
                    Err(error) => check.fail(format!("{which}{error}")),
                }
            }
        }
    }
    checks.push(check.done(&notes.join("; ")));

    let folders: Vec<&str> = setup.procedure.steps.iter().filter_map(|step| step.action.working_folder()).collect();
    let no_folder = "the procedure has no unzip-module step, so no working folder";
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
    checks.push(check.done(&if folders.is_empty() { no_folder.to_owned() } else { folders.join(", ") }));

    let mut check = Check::new(
        "free-space",
        "the working folder's drive has enough free space on every node",
        "extraction or installation stops halfway when the drive fills",
        "free space on the drive, or choose another local drive for the working folder",
    );
    let drives: Vec<&str> = {
        let mut drives: Vec<&str> = folders.iter().map(|folder| drive_of(folder)).collect();
        drives.sort_unstable_by_key(|drive| drive.to_ascii_uppercase());
        drives.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        drives
    };
    let no_drive = drives.is_empty();
    let answering = if no_drive {
        Vec::new()
    } else {
        seen_where(&mut check, setup, &nodes, &seen, |view| view.answers().then_some(()))
    };
    for (node, ()) in answering {
        for drive in &drives {
            let not_checked = |why: String| format!("{}: {drive} not checked, {why}", name(setup, node));
            let result = match commands::disk_free(drive) {
                Err(error) => Err(not_checked(error.to_string())),
                Ok(argv) => match backend.run_command(node, &argv) {
                    Err(error) => Err(format!("not checked: {}", backend.describe_error(&error))),
                    Ok(output) => diskfree::parse(&output).map_err(|error| not_checked(error.to_string())),
                },
            };
            match result {
                Ok(free) if free >= inputs.min_free_bytes => {}
                Ok(free) => check.fail(format!(
                    "{}: {drive} has {} MiB free, {} MiB needed",
                    name(setup, node),
                    free >> 20,
                    inputs.min_free_bytes >> 20
                )),
                Err(line) => check.not_checked(line),
            }
        }
    }
    let enough =
        if no_drive { no_folder.to_owned() } else { format!("at least {} MiB free", inputs.min_free_bytes >> 20) };
    checks.push(check.done(&enough));
    checks
}

/// What a node that gave no answer gave instead: no answer at all, or an error.
fn unanswered(backend: &RealBackend, node_name: &str, error: &BackendError) -> Seen {
    let described = backend.describe_error(error);
    match error {
        BackendError::Unreachable { .. } => Seen::NoAnswer(described),
        // The line names the node; a "not checked" line names it already.
        _ => Seen::Unreadable(
            described.strip_prefix(node_name).and_then(|rest| rest.strip_prefix(": ")).unwrap_or(&described).to_owned(),
        ),
    }
}

/// The nodes whose view `shows` what a check looks at, each with what it shows. For every
/// other node the check records that it could not look there, and when no node answers it
/// records that once.
fn seen_where<'a, T>(
    check: &mut Check,
    setup: &Setup,
    nodes: &[NodeId],
    seen: &'a [Seen],
    shows: impl Fn(&'a Seen) -> Option<T>,
) -> Vec<(NodeId, T)> {
    if !seen.iter().any(Seen::answers) {
        check.not_checked(NO_NODE_ANSWERS.to_owned());
        return Vec::new();
    }
    let mut shown = Vec::new();
    for (&node, view) in nodes.iter().zip(seen) {
        match shows(view) {
            Some(what) => shown.push((node, what)),
            None => check.not_checked(not_checked(setup, node, view)),
        }
    }
    shown
}

/// A check's line for a node whose view could not show what it looks at.
fn not_checked(setup: &Setup, node: NodeId, view: &Seen) -> String {
    format!("{}: not checked, {}", name(setup, node), view.why_not_seen())
}

/// A check's line when no node shows the cluster's status: why, node by node.
fn no_status(setup: &Setup, seen: &[Seen]) -> String {
    if !seen.iter().any(Seen::answers) {
        return NO_NODE_ANSWERS.to_owned();
    }
    let why: Vec<String> = setup
        .cluster
        .node_ids()
        .zip(seen)
        .map(|(node, view)| format!("{}: {}", name(setup, node), view.why_not_seen()))
        .collect();
    format!("not checked: no node shows the cluster status ({})", why.join("; "))
}

/// A node's name, as the cluster description spells it.
fn name(setup: &Setup, node: NodeId) -> &str {
    setup.node_name(node)
}

impl Check {
    /// Whether it passed: a failed check and one that could not be run both did not.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    fn new(id: &'static str, title: &'static str, impact: &'static str, fix: &'static str) -> Check {
        Check { id, title, outcome: Outcome::Passed, detail: Vec::new(), impact, fix }
    }

    /// Something was seen to be at fault.
    fn fail(&mut self, detail: String) {
        self.outcome = Outcome::Failed;
        self.detail.push(detail);
    }

    /// Something could not be seen; unknown unless something seen is already at fault.
    fn not_checked(&mut self, detail: String) {
        if self.outcome == Outcome::Passed {
            self.outcome = Outcome::Unknown;
        }
        self.detail.push(detail);
    }

    /// Finishes a check: a passed one says what it confirmed.
    fn done(mut self, confirmed: &str) -> Check {
        if self.passed() && !confirmed.is_empty() {
            self.detail.push(confirmed.to_owned());
        }
        self
    }
}
