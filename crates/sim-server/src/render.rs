//! The simulator's state in the real tools' output formats: `clpstat --long`, an `sc.exe`
//! listing, `reg query`; and a plain summary of the final state for conformance tests.

use procedure::backend::{
    ClusterService, GroupStatus, Installer, MonitorStatus, NodeState, Observation, Power, ResourceStatus,
    ServiceStatus, Watch,
};
use procedure::cluster::{NodeId, key_is_under};
use procedure::setup::Setup;

/// The two layouts of clpstat's status view: plain `clpstat` and `clpstat --long`, which
/// only widens the name column (the captures in shared/captures/clpstat show both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Plain `clpstat`: 17 characters for a name at the server, group and monitor level.
    Short,
    /// `clpstat --long`: 34.
    Long,
}

impl Layout {
    /// The name column at the server, group and monitor level; one level deeper it is two
    /// characters narrower.
    fn width(self) -> usize {
        match self {
            Layout::Short => 17,
            Layout::Long => 34,
        }
    }
}

/// `clpstat --long` as it prints on `local`.
pub fn clpstat_long(setup: &Setup, observation: &Observation, local: NodeId) -> String {
    clpstat(setup, observation, local, Layout::Long)
}

/// clpstat's status view as it prints on `local`: the layout of the Windows capture
/// (shared/captures/clpstat/wsl2-windows-long.txt), with CRLF endings.
///
/// On a node whose cluster service is stopped, every line is `Offline` and every group's
/// `current` is `None`, as in the capture of a stopped cluster
/// (shared/captures/clpstat/clpaic-linux-x60-all-offline.txt), and clpstat exits 0.
/// Inferred: a node whose own service is stopped shows the others `Offline` too, even
/// where they run (the capture has every node stopped; it cannot tell).
/// Inferred: a name longer than the plain layout's column pushes the colon right; nothing
/// shows whether real clpstat cuts it.
pub fn clpstat(setup: &Setup, observation: &Observation, local: NodeId, layout: Layout) -> String {
    let cluster = &setup.cluster;
    let stopped_here = observation.nodes[local.index()].cluster == ClusterService::Stopped;
    let width = layout.width();
    let mut out = String::from(" ========================  CLUSTER STATUS  ===========================\r\n");
    out += &format!("  Cluster : {}\r\n  <server>\r\n", cluster.name);
    for (i, node) in cluster.nodes.iter().enumerate() {
        let state = &observation.nodes[i];
        let star = if NodeId(i as u8) == local { "*" } else { " " };
        let status = if stopped_here { "Offline" } else { server_word(state) };
        out += &format!("   {star}{}: {status}\r\n", dotted(&node.name, width));
        let heartbeat = if status == "Offline" { "Offline" } else { "Normal" };
        out += &format!("      {}: {}LAN Heartbeat\r\n", padded("lankhb1", width - 2), column(heartbeat));
    }
    out += "  <group>\r\n";
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = if stopped_here {
            procedure::backend::GroupState { status: GroupStatus::Offline, owner: None }
        } else {
            observation.groups[g]
        };
        out += &format!("    {}: {}\r\n", dotted(&group.name, width), group_word(state.status));
        let current = state.owner.map_or("None", |owner| cluster.nodes[owner.index()].name.as_str());
        out += &format!("      {}: {current}\r\n", padded("current", width - 2));
        for resource in &group.resources {
            let status =
                if stopped_here { ResourceStatus::Offline } else { observation.resources[resource.index()].status };
            let name = &cluster.resources[resource.index()].name;
            out += &format!("      {}: {}\r\n", padded(name, width - 2), resource_word(status));
        }
    }
    out += "  <monitor>\r\n";
    for (m, monitor) in cluster.monitors.iter().enumerate() {
        let status = if stopped_here { MonitorStatus::Offline } else { observation.nodes[local.index()].monitors[m] };
        out += &format!("    {}: {}\r\n", padded(&monitor.name, width), monitor_word(status));
    }
    out + " =====================================================================\r\n"
}

/// `NAME ....` to `width` characters: the name, a blank, and dots (at least one).
fn dotted(name: &str, width: usize) -> String {
    format!("{name} {}", ".".repeat(width.saturating_sub(name.len() + 1).max(1)))
}

fn padded(name: &str, width: usize) -> String {
    format!("{name:<width$}")
}

/// A status word padded to its column before a comment (the simulated view has comments
/// only on heartbeats, and no trailing blanks elsewhere, as the Windows capture).
fn column(word: &str) -> String {
    format!("{word:<17}")
}

/// A server's status word, as clpstat and the REST API show it.
pub fn server_word(node: &NodeState) -> &'static str {
    match (node.power, node.cluster) {
        (Power::Up, ClusterService::Running) => "Online",
        // Inferred: a suspended cluster shows its servers as `Suspend`.
        (Power::Up, ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming) => "Suspend",
        _ => "Offline",
    }
}

/// A monitor's status word on one server, as clpstat and the REST API show it.
pub fn monitor_word(status: MonitorStatus) -> &'static str {
    match status {
        MonitorStatus::Normal => "Normal",
        MonitorStatus::Error => "Error",
        MonitorStatus::Suspended => "Suspend",
        MonitorStatus::Offline => "Offline",
    }
}

/// A group's status word, as clpstat and the REST API show it.
pub fn group_word(status: GroupStatus) -> &'static str {
    match status {
        GroupStatus::Online => "Online",
        GroupStatus::Offline => "Offline",
        GroupStatus::OnlinePending => "Online Pending",
        GroupStatus::OfflinePending => "Offline Pending",
        GroupStatus::OnlineFailure => "Online Failure",
    }
}

/// A resource's status word, as clpstat and the REST API show it.
pub fn resource_word(status: ResourceStatus) -> &'static str {
    match status {
        ResourceStatus::Online => "Online",
        ResourceStatus::Offline => "Offline",
        ResourceStatus::OnlinePending => "Online Pending",
        ResourceStatus::OfflinePending => "Offline Pending",
        ResourceStatus::OnlineFailure => "Online Failure",
    }
}

/// One `sc.exe` service record, in the layout of the real captures.
pub fn service_record(name: &str, display_name: Option<&str>, status: ServiceStatus) -> String {
    let (number, label, controls) = match status {
        ServiceStatus::Stopped => (1, "STOPPED", false),
        ServiceStatus::StartPending => (2, "START_PENDING", false),
        ServiceStatus::StopPending => (3, "STOP_PENDING", true),
        ServiceStatus::Running => (4, "RUNNING", true),
    };
    let mut out = format!("\r\nSERVICE_NAME: {name}\r\n");
    if let Some(display) = display_name {
        out += &format!("DISPLAY_NAME: {display}\r\n");
    }
    out += "        TYPE               : 10  WIN32_OWN_PROCESS\r\n";
    out += &format!("        STATE              : {number}  {label}\r\n");
    if controls {
        out += "                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n";
    }
    out += "        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n";
    out += "        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n";
    out
}

/// `sc.exe query type= service state= all` on a node: every service of the cluster.
pub fn service_listing(setup: &Setup, observation: &Observation, node: NodeId) -> String {
    setup
        .cluster
        .services
        .iter()
        .enumerate()
        .map(|(s, service)| {
            service_record(&service.name, Some(&service.name), observation.nodes[node.index()].services[s])
        })
        .collect()
}

/// `reg query KEY /s` on a node: `None` when no value lies under the key.
pub fn reg_query(setup: &Setup, observation: &Observation, node: NodeId, key: &str) -> Option<String> {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    let mut found = false;
    for (slot, known) in setup.registry.iter().enumerate() {
        if !key_is_under(&known.key, key) {
            continue;
        }
        let Some(data) = observation.nodes[node.index()].registry[slot] else { continue };
        if current != Some(known.key.as_str()) {
            out += &format!("\r\n{}\r\n", known.key);
            current = Some(&known.key);
        }
        out += &format!("    {}    REG_SZ    {}\r\n", known.value, setup.data_text(data));
        found = true;
    }
    found.then(|| out + "\r\n")
}

/// The state that matters once a run ends, as plain lines, for comparing two runs.
pub fn final_state(setup: &Setup, observation: &Observation) -> String {
    let cluster = &setup.cluster;
    let mut out = String::new();
    for (g, group) in cluster.groups.iter().enumerate() {
        let state = observation.groups[g];
        let owner = state.owner.map_or("none", |o| cluster.nodes[o.index()].name.as_str());
        out += &format!("group {}: {} on {owner}\n", group.name, group_word(state.status));
    }
    for (r, resource) in cluster.resources.iter().enumerate() {
        out += &format!("resource {}: {}\n", resource.name, resource_word(observation.resources[r].status));
    }
    for (n, node) in cluster.nodes.iter().enumerate() {
        let state = &observation.nodes[n];
        out += &format!(
            "node {}: {:?}, cluster {:?}, installer {}\n",
            node.name,
            state.power,
            state.cluster,
            installer_word(state.installer)
        );
        for (c, component) in cluster.components.iter().enumerate() {
            out += &format!("  component {}: {}\n", component.name, state.components[c]);
        }
        for (s, service) in cluster.services.iter().enumerate() {
            let watch = match state.watches[s] {
                Watch::Absent => "",
                Watch::Monitoring => ", watch Monitoring",
                Watch::NotMonitoring => ", watch Not monitoring",
            };
            out += &format!("  service {}: {:?}{watch}\n", service.name, state.services[s]);
        }
        for (m, monitor) in cluster.monitors.iter().enumerate() {
            out += &format!("  monitor {}: {:?}\n", monitor.name, state.monitors[m]);
        }
        for (slot, known) in setup.registry.iter().enumerate() {
            let data = state.registry[slot].map_or("(absent)", |d| setup.data_text(d));
            out += &format!("  registry {}\\{}: {data}\n", known.key, known.value);
        }
    }
    out
}

fn installer_word(installer: Installer) -> String {
    match installer {
        Installer::Idle => "idle".to_owned(),
        Installer::Running => "running".to_owned(),
        Installer::Finished { restart_requested } => format!("finished (restart requested: {restart_requested})"),
        Installer::Failed(failure) => format!("failed ({failure:?})"),
        Installer::Interrupted(interruption) => format!("interrupted ({interruption:?})"),
    }
}
