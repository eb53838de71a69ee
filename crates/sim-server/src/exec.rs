//! One command on one simulated node: the argv is read as the real tool reads it, turned
//! into the simulator's operation or query, and answered in the tool's own words.
//!
//! Inferred, where NEC documents nothing: the refusal and failure messages, the exit code
//! 1 for a failed EXPRESSCLUSTER command, and what a node that is down "answers" (nothing:
//! the client is told to behave as an unreachable host).

use std::time::Duration;

use procedure::backend::ResourceStatus;
use procedure::backend::{Backend, BackendError, ClusterService, Installer, Operation, Power, Refusal};
use procedure::cluster::{GroupId, NodeId};
use procedure::procedure::RestartAnswer;
use sim_cluster::sim::Sim;

use crate::render;

/// What the command printed and its exit code; `unreachable` when the node is down and
/// nothing would answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub code: i32,
    /// The node is down: no process answers there.
    pub unreachable: bool,
}

impl Reply {
    fn out(stdout: impl Into<String>) -> Reply {
        Reply { stdout: stdout.into(), stderr: String::new(), code: 0, unreachable: false }
    }

    fn fail(code: i32, stderr: impl Into<String>) -> Reply {
        Reply { stdout: String::new(), stderr: stderr.into(), code, unreachable: false }
    }

    fn succeeded() -> Reply {
        Reply::out("Command succeeded.\r\n")
    }
}

/// The longest an installer may run in virtual time before the simulated command gives up.
const INSTALL_LIMIT: Duration = Duration::from_secs(6 * 60 * 60);

/// Runs `argv` on `node` of the simulated cluster.
pub fn exec(sim: &mut Sim, node: NodeId, argv: &[String]) -> Reply {
    let Some(program) = argv.first() else { return Reply::fail(1, "no command\r\n") };
    if sim.observation().nodes[node.index()].power != Power::Up {
        return Reply { stdout: String::new(), stderr: String::new(), code: 255, unreachable: true };
    }
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program).to_ascii_lowercase();
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    match name.as_str() {
        "clpstat" => clpstat(sim, node, &args),
        "clpcl" => clpcl(sim, node, &args),
        "clpgrp" => clpgrp(sim, node, &args),
        "clpmonctrl" => clpmonctrl(sim, node, &args),
        "clprsc" => clprsc(sim, node, &args),
        "clpstdn" if args == ["-r"] => operate(sim, Operation::RebootCluster { via: node }),
        "shutdown" if args == ["/r", "/t", "0"] => match sim.execute(&Operation::RebootNode { node }) {
            Ok(()) => Reply::out(""),
            Err(error) => Reply::fail(1, format!("{error}\r\n")),
        },
        "sc" | "sc.exe" => sc(sim, node, &args),
        "reg" => reg(sim, node, &args),
        "taskwatch" => taskwatch(sim, node, &args),
        _ if program.contains('\\') => install(sim, node, program),
        _ => Reply::fail(9009, format!("'{program}' is not recognized as an internal or external command.\r\n")),
    }
}

fn usage(command: &str) -> Reply {
    Reply::fail(1, format!("Invalid option. ({command})\r\n"))
}

/// `clpstat` and `clpstat --long`: the status view, on a stopped node too (all `Offline`,
/// exit 0, as the capture of a stopped cluster shows).
fn clpstat(sim: &Sim, node: NodeId, args: &[&str]) -> Reply {
    let layout = match args {
        [] => render::Layout::Short,
        ["--long"] => render::Layout::Long,
        _ => return usage("clpstat"),
    };
    Reply::out(render::clpstat(sim.setup(), sim.observation(), node, layout))
}

/// Issues an operation and answers as the EXPRESSCLUSTER commands do.
fn operate(sim: &mut Sim, operation: Operation) -> Reply {
    match sim.execute(&operation) {
        Ok(()) => Reply::succeeded(),
        Err(BackendError::Refused { reason: Refusal::ClusterSuspended, .. }) => {
            Reply::fail(1, "The cluster is suspended. The group cannot be operated.\r\n")
        }
        Err(BackendError::Refused { reason, .. }) => Reply::fail(1, format!("Command failed: {reason}.\r\n")),
        Err(BackendError::Failed { message, .. }) => Reply::fail(1, format!("Command failed: {message}.\r\n")),
        Err(BackendError::Unreachable { .. }) => Reply::fail(1, "Could not connect to the server.\r\n"),
    }
}

/// Issues a cluster-wide operation and returns once every node that is up shows `state`.
///
/// Inferred: `clpcl --suspend` and `--resume` return when the cluster has got there (NEC's
/// scripts act on the cluster right after them); clpstat has no word for the way there.
fn settled(sim: &mut Sim, operation: Operation, state: ClusterService) -> Reply {
    let reply = operate(sim, operation);
    if reply.code != 0 {
        return reply;
    }
    let started = sim.now();
    let there = |sim: &Sim| sim.observation().nodes.iter().all(|node| node.power != Power::Up || node.cluster == state);
    while !there(sim) {
        if sim.now() - started > Duration::from_secs(10 * 60) {
            return Reply::fail(1, "The cluster did not finish in time.\r\n");
        }
        sim.wait(Duration::from_secs(1));
    }
    reply
}

fn node_named(sim: &Sim, name: &str) -> Option<NodeId> {
    sim.setup().cluster.node_by_name(name)
}

/// `clpcl --suspend|--resume`, and `clpcl -s|-t` on this server, on `-h SERVER`, or on
/// every server with `-a` (clpaic's tool definitions: `-s`/`-t` act on this server, `-a` on
/// all, and `-h` names the server the request is sent to; NEC's X 4.x update scripts use
/// `clpcl -s|-t -h SERVER`). `--suspend -a` and `--resume -a` appear in NEC's AlertMessages
/// README and mean what the plain forms do.
fn clpcl(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    let start = match args {
        ["--suspend"] | ["--suspend", "-a"] => {
            return settled(sim, Operation::SuspendCluster { via: node }, ClusterService::Suspended);
        }
        ["--resume"] | ["--resume", "-a"] => {
            return settled(sim, Operation::ResumeCluster { via: node }, ClusterService::Running);
        }
        ["-s", ..] => true,
        ["-t", ..] => false,
        _ => return usage("clpcl"),
    };
    let targets: Vec<NodeId> = match &args[1..] {
        [] => vec![node],
        ["-a"] => sim.setup().cluster.node_ids().collect(),
        ["-h", host] => match node_named(sim, host) {
            Some(target) => vec![target],
            None => return Reply::fail(1, format!("Invalid server name. ({host})\r\n")),
        },
        _ => return usage("clpcl"),
    };
    let mut last = Reply::succeeded();
    for target in targets {
        let operation = if start {
            Operation::StartClusterService { node: target }
        } else {
            Operation::StopClusterService { node: target }
        };
        let reply = operate(sim, operation);
        if reply.code != 0 {
            return reply;
        }
        last = reply;
    }
    last
}

/// `clpgrp -m [GROUP] [-a SERVER]`, `clpgrp -n GROUP`, and `clpgrp -s|-t [GROUP] [-h SERVER]`.
///
/// Sources: clpaic's tool definitions (a group omitted means every group; `-a` names the
/// destination of a move; `-h` the server the request is sent to, the local one when
/// omitted), NEC's X 3.3 script (`clpgrp -n G`, `clpgrp -s G -h S`, `clpgrp -t G -h S`) and
/// X 4.x update scripts (`clpgrp -s`, `clpgrp -t`).
fn clpgrp(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    let Some((verb, rest)) = args.split_first() else { return usage("clpgrp") };
    let (named, rest) = match rest.split_first() {
        Some((name, rest)) if !name.starts_with('-') => (Some(*name), rest),
        _ => (None, rest),
    };
    let groups: Vec<GroupId> = match named {
        Some(name) => match sim.setup().cluster.group_by_name(name) {
            Some(group) => vec![group],
            None => return Reply::fail(1, format!("Invalid group name. ({name})\r\n")),
        },
        None => (0..sim.setup().cluster.groups.len()).map(|g| GroupId(g as u8)).collect(),
    };
    let server = |sim: &Sim, option: &str| -> Result<Option<NodeId>, Reply> {
        match rest {
            [] => Ok(None),
            [flag, host] if *flag == option => match node_named(sim, host) {
                Some(target) => Ok(Some(target)),
                None => Err(Reply::fail(1, format!("Invalid server name. ({host})\r\n"))),
            },
            _ => Err(usage("clpgrp")),
        }
    };
    match *verb {
        "-n" if named.is_some() && rest.is_empty() => {
            let owner = sim.observation().groups[groups[0].index()].owner;
            Reply::out(owner.map_or(String::new(), |o| format!("{}\r\n", sim.setup().node_name(o))))
        }
        "-m" => {
            let to = match server(sim, "-a") {
                Ok(to) => to,
                Err(reply) => return reply,
            };
            each(sim, &groups, |group| Operation::MoveGroup { via: node, group, to })
        }
        "-s" | "-t" => {
            let target = match server(sim, "-h") {
                Ok(target) => target.unwrap_or(node),
                Err(reply) => return reply,
            };
            if *verb == "-s" { start_groups(sim, target, &groups) } else { stop_groups(sim, target, &groups) }
        }
        _ => usage("clpgrp"),
    }
}

/// One operation per group, stopping at the first that fails.
fn each(sim: &mut Sim, groups: &[GroupId], operation: impl Fn(GroupId) -> Operation) -> Reply {
    let mut last = Reply::succeeded();
    for &group in groups {
        last = operate(sim, operation(group));
        if last.code != 0 {
            return last;
        }
    }
    last
}

/// Inferred: the simulator has no whole-group start, so `clpgrp -s` starts each resource
/// of the group on the server in activation order, as the group's own start does; a group
/// online elsewhere is refused as a resource start there is. Group operations are refused
/// while the cluster is suspended (as `clpgrp -m`).
fn start_groups(sim: &mut Sim, server: NodeId, groups: &[GroupId]) -> Reply {
    for &group in groups {
        if let Some(reply) = refused_while_suspended(sim, server) {
            return reply;
        }
        let resources = sim.setup().cluster.groups[group.index()].resources.clone();
        for resource in resources {
            if sim.observation().resources[resource.index()].status == ResourceStatus::Online {
                continue;
            }
            let reply = operate(sim, Operation::StartResource { node: server, resource });
            if reply.code != 0 {
                return reply;
            }
        }
    }
    Reply::succeeded()
}

/// Inferred: `clpgrp -t` stops each resource of the group in reverse activation order
/// (each stop takes its dependents with it), so the group goes offline; refused while the
/// cluster is suspended.
fn stop_groups(sim: &mut Sim, server: NodeId, groups: &[GroupId]) -> Reply {
    for &group in groups {
        if let Some(reply) = refused_while_suspended(sim, server) {
            return reply;
        }
        let owner = sim.observation().groups[group.index()].owner;
        if owner.is_some_and(|owner| owner != server) {
            return Reply::fail(1, "Command failed: the group is not active on the server.\r\n");
        }
        let resources = sim.setup().cluster.groups[group.index()].resources.clone();
        for resource in resources.into_iter().rev() {
            if sim.observation().resources[resource.index()].status == ResourceStatus::Offline {
                continue;
            }
            let reply = operate(sim, Operation::StopResource { via: server, resource });
            if reply.code != 0 {
                return reply;
            }
        }
    }
    Reply::succeeded()
}

fn refused_while_suspended(sim: &Sim, server: NodeId) -> Option<Reply> {
    matches!(
        sim.observation().nodes[server.index()].cluster,
        ClusterService::Suspended | ClusterService::Suspending | ClusterService::Resuming
    )
    .then(|| Reply::fail(1, "The cluster is suspended. The group cannot be operated.\r\n"))
}

/// `clpmonctrl -s|-r -h SERVER -m MONITOR` (ScheduleMirroring's X 5.x README), and
/// `clpmonctrl -v [-h SERVER]`, which lists the monitors (NEC's Prometheus exporter runs
/// `clpmonctrl -v`). Inferred: the listing's layout (one `Monitor : NAME` line each; the
/// backend reads only the exit code) and that `-v` takes `-h`.
fn clpmonctrl(sim: &mut Sim, _node: NodeId, args: &[&str]) -> Reply {
    let listed = match args {
        ["-v"] => true,
        ["-v", "-h", host] => {
            if node_named(sim, host).is_none() {
                return Reply::fail(1, format!("Invalid server name. ({host})\r\n"));
            }
            true
        }
        _ => false,
    };
    if listed {
        let names = sim.setup().cluster.monitors.iter().map(|monitor| format!("Monitor : {}\r\n", monitor.name));
        return Reply::out(names.collect::<String>());
    }
    let (suspend, host, monitor) = match args {
        ["-s", "-h", host, "-m", monitor] => (true, host, monitor),
        ["-r", "-h", host, "-m", monitor] => (false, host, monitor),
        _ => return usage("clpmonctrl"),
    };
    let (Some(target), Some(monitor)) = (node_named(sim, host), sim.setup().cluster.monitor_by_name(monitor)) else {
        return Reply::fail(1, "Invalid server or monitor name.\r\n");
    };
    if suspend {
        operate(sim, Operation::SuspendMonitor { node: target, monitor })
    } else {
        operate(sim, Operation::ResumeMonitor { node: target, monitor })
    }
}

/// `clprsc -t|-s RESOURCE [-f] -h SERVER`.
///
/// NEC's X 3.3 script stops the mirror disk, which others depend on, with
/// `clprsc -t md -f -h SERVER`; the simulator's resource stop takes the dependents along,
/// so that is what `-t` with `-f` does. Inferred (no source says): without `-f`, a stop is
/// refused while a resource that depends on this one is online, and does the same
/// otherwise; a start with or without `-f` starts the stopped resources it depends on (the
/// REST API's resource start does).
fn clprsc(sim: &mut Sim, _node: NodeId, args: &[&str]) -> Reply {
    let (stop, forced, resource, host) = match args {
        ["-t", resource, "-h", host] => (true, false, resource, host),
        ["-t", resource, "-f", "-h", host] => (true, true, resource, host),
        ["-s", resource, "-h", host] | ["-s", resource, "-f", "-h", host] => (false, true, resource, host),
        _ => return usage("clprsc"),
    };
    let (Some(target), Some(resource)) = (node_named(sim, host), sim.setup().cluster.resource_by_name(resource)) else {
        return Reply::fail(1, "Invalid server or resource name.\r\n");
    };
    if !stop {
        return operate(sim, Operation::StartResource { node: target, resource });
    }
    if !forced {
        let online: Vec<&str> = dependents(sim, resource)
            .into_iter()
            .filter(|d| sim.observation().resources[d.index()].status != ResourceStatus::Offline)
            .map(|d| sim.setup().cluster.resources[d.index()].name.as_str())
            .collect();
        if !online.is_empty() {
            return Reply::fail(
                1,
                format!("Command failed: resources depend on it and are active ({}).\r\n", online.join(", ")),
            );
        }
    }
    operate(sim, Operation::StopResource { via: target, resource })
}

/// The resources that depend on `resource`, directly or through others, in its group.
fn dependents(sim: &Sim, resource: procedure::cluster::ResourceId) -> Vec<procedure::cluster::ResourceId> {
    let cluster = &sim.setup().cluster;
    let group = &cluster.groups[cluster.resources[resource.index()].group.index()];
    let mut found = vec![resource];
    for &candidate in &group.resources {
        if !found.contains(&candidate) && cluster.resources[candidate.index()].depends.iter().any(|d| found.contains(d))
        {
            found.push(candidate);
        }
    }
    found.remove(0);
    found
}

/// `sc.exe query type= service state= all` and `sc.exe query|stop|start NAME`.
///
/// sc's exit code is the Win32 error of what failed (0 when nothing did); a caller on
/// another system may see it cut to 8 bits (1060 arrives as 36), which the shims do too, as
/// their process exits with it. The `[SC]` lines are those of the captures
/// (shared/captures/sc) and of public issue threads: `sc query` of a missing service
/// `[SC] EnumQueryServicesStatus:OpenService FAILED 1060:`, `sc stop` of one
/// `[SC] OpenService FAILED 1060:` (GoodbyeDPI #440), `sc start` of one
/// `[SC] StartService: OpenService FAILED 1060:` (HyperHide #47, PsSecDrv #3),
/// `[SC] ControlService FAILED 1062:` and `[SC] StartService FAILED 1056:`.
fn sc(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    let observation = sim.observation();
    match args {
        ["query", "type=", "service", "state=", "all"] => {
            Reply::out(render::service_listing(sim.setup(), observation, node))
        }
        [verb @ ("query" | "stop" | "start"), name] => {
            let Some(service) = sim.setup().cluster.service_by_name(name) else {
                let api = match *verb {
                    "query" => "EnumQueryServicesStatus:OpenService",
                    "start" => "StartService: OpenService",
                    _ => "OpenService",
                };
                return sc_failed(api, 1060, "The specified service does not exist as an installed service.");
            };
            let before = observation.nodes[node.index()].services[service.index()];
            let operation = match *verb {
                "stop" if before == procedure::backend::ServiceStatus::Stopped => {
                    return sc_failed("ControlService", 1062, "The service has not been started.");
                }
                "start" if before == procedure::backend::ServiceStatus::Running => {
                    return sc_failed("StartService", 1056, "An instance of the service is already running.");
                }
                "stop" => Operation::StopService { node, service },
                "start" => Operation::StartService { node, service },
                _ => {
                    return Reply::out(render::service_record(name, None, before));
                }
            };
            if sim.execute(&operation).is_err() {
                // Inferred: the simulator refuses a service control only on a node that is
                // down, which answers nothing before this; were it to refuse otherwise,
                // Windows' word for a service that cannot take the request now is 1061.
                let api = if *verb == "start" { "StartService" } else { "ControlService" };
                return sc_failed(api, 1061, "The service cannot accept control messages at this time.");
            }
            let after = sim.observation().nodes[node.index()].services[service.index()];
            Reply::out(render::service_record(name, None, after))
        }
        // sc answers arguments it does not take with its help text on standard output
        // (public transcripts show its `DESCRIPTION:` and `USAGE:` blocks). Inferred: the
        // exit code, 1639 (ERROR_INVALID_COMMAND_LINE); no source shows it.
        _ => Reply {
            stdout: "DESCRIPTION:\r\n        SC is a command line program used for communicating with the\r\n        Service Control Manager and services.\r\nUSAGE:\r\n        sc <server> [command] [service name] <option1> <option2>...\r\n".to_owned(),
            stderr: String::new(),
            code: 1639,
            unreachable: false,
        },
    }
}

/// An `[SC] API FAILED CODE:` block, sc's exit code the error.
fn sc_failed(api: &str, code: i32, message: &str) -> Reply {
    Reply { code, ..Reply::out(format!("[SC] {api} FAILED {code}:\r\n\r\n{message}\r\n\r\n")) }
}

fn reg(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    match args {
        ["query", key, "/s"] => match render::reg_query(sim.setup(), sim.observation(), node, key) {
            Some(text) => Reply::out(text),
            None => Reply::fail(1, "ERROR: The system was unable to find the specified registry key or value.\r\n"),
        },
        ["export", _key, file, "/y"] => match sim.execute(&Operation::BackupRegistry { node, file: (*file).into() }) {
            Ok(()) => Reply::out("The operation completed successfully.\r\n"),
            Err(error) => Reply::fail(1, format!("ERROR: {error}\r\n")),
        },
        // reg import prints its success message on standard error (a known quirk of reg).
        ["import", file] => match sim.execute(&Operation::ImportRegistry { node, file: (*file).into() }) {
            Ok(()) => Reply::fail(0, "The operation completed successfully.\r\n"),
            Err(BackendError::Failed { .. }) => {
                Reply::fail(1, "ERROR: Error opening the file. There may be a disk or file system error.\r\n")
            }
            Err(error) => Reply::fail(1, format!("ERROR: {error}\r\n")),
        },
        _ => Reply::fail(1, "ERROR: Invalid syntax.\r\n"),
    }
}

/// The Task Manager watch, which has no known command line: a simulator-only command,
/// `taskwatch list` and `taskwatch stop|start SERVICE`, that a connection file's `[watch]` may name.
fn taskwatch(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    if args == ["list"] {
        let observation = sim.observation();
        let mut out = String::new();
        for (s, service) in sim.setup().cluster.services.iter().enumerate() {
            match observation.nodes[node.index()].watches[s] {
                procedure::backend::Watch::Absent => {}
                procedure::backend::Watch::Monitoring => out += &format!("{} : Monitoring\r\n", service.name),
                procedure::backend::Watch::NotMonitoring => out += &format!("{} : Not monitoring\r\n", service.name),
            }
        }
        return Reply::out(out);
    }
    let (stop, name) = match args {
        ["stop", name] => (true, name),
        ["start", name] => (false, name),
        _ => return Reply::fail(1, "usage: taskwatch stop|start SERVICE\r\n"),
    };
    let Some(service) = sim.setup().cluster.service_by_name(name) else {
        return Reply::fail(1, format!("no such service: {name}\r\n"));
    };
    let operation = if stop { Operation::StopWatch { node, service } } else { Operation::StartWatch { node, service } };
    match sim.execute(&operation) {
        Ok(()) => Reply::out(""),
        Err(error) => Reply::fail(1, format!("{error}\r\n")),
    }
}

/// The installer, run from `FOLDER\PROGRAM`: a real node has the module in the folder
/// because the backend copied it there; the simulator records that as the module unzipped
/// into the folder the first time an installer runs from it. The command returns when the
/// installer ends (0, or 3010 when it asks for a restart), as a silent installer does.
/// Which module a folder holds is the procedure's word: the module of its steps that work in
/// that folder (the first module where none does).
fn install(sim: &mut Sim, node: NodeId, program: &str) -> Reply {
    let Some((folder, _)) = program.rsplit_once('\\') else { return Reply::fail(9009, "not found\r\n") };
    let module = sim.setup().procedure.module_in_folder(folder);
    let unzipped = |sim: &Sim| {
        let state = &sim.observation().nodes[node.index()];
        state.unzipped.get(module).is_some_and(|known| procedure::backend::same_path(known, folder))
    };
    if !unzipped(sim) {
        if let Err(error) = sim.execute(&Operation::UnzipModule { node, folder: folder.into(), module }) {
            return Reply::fail(1, format!("{error}\r\n"));
        }
        let started = sim.now();
        while !unzipped(sim) {
            if sim.now() - started > INSTALL_LIMIT {
                return Reply::fail(1603, "the module could not be unzipped\r\n");
            }
            sim.wait(Duration::from_secs(1));
        }
    }
    let operation =
        Operation::InstallModule { node, folder: folder.into(), module, restart_answer: RestartAnswer::Decline };
    if let Err(error) = sim.execute(&operation) {
        return Reply::fail(1603, format!("{error}\r\n"));
    }
    let started = sim.now();
    while sim.observation().nodes[node.index()].installer == Installer::Running {
        if sim.now() - started > INSTALL_LIMIT {
            return Reply::fail(1603, "the installer did not finish\r\n");
        }
        sim.wait(Duration::from_secs(10));
    }
    match sim.observation().nodes[node.index()].installer {
        Installer::Finished { restart_requested: false } => Reply::out(""),
        Installer::Finished { restart_requested: true } => Reply { code: 3010, ..Reply::out("") },
        other => Reply::fail(1603, format!("the installer ended: {other:?}\r\n")),
    }
}
