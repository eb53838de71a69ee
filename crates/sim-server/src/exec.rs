//! One command on one simulated node: the argv is read as the real tool reads it, turned
//! into the simulator's operation or query, and answered in the tool's own words.
//!
//! Inferred, where NEC documents nothing: the refusal and failure messages, the exit code
//! 1 for a failed EXPRESSCLUSTER command, and what a node that is down "answers" (nothing:
//! the client is told to behave as an unreachable host).

use std::time::Duration;

use procedure::backend::{Backend, BackendError, ClusterService, Installer, Operation, Power, Refusal};
use procedure::cluster::NodeId;
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
        "clpstat" => clpstat(sim, node),
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

fn clpstat(sim: &Sim, node: NodeId) -> Reply {
    let observation = sim.observation();
    if observation.nodes[node.index()].cluster == ClusterService::Stopped {
        return Reply::fail(1, "Failed to get cluster status. Check if cluster is started or not on this server.\r\n");
    }
    Reply::out(render::clpstat_long(sim.setup(), observation, node))
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

fn clpcl(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    match args {
        ["--suspend"] => settled(sim, Operation::SuspendCluster { via: node }, ClusterService::Suspended),
        ["--resume"] => settled(sim, Operation::ResumeCluster { via: node }, ClusterService::Running),
        ["-s", "-h", host] => match node_named(sim, host) {
            Some(target) => operate(sim, Operation::StartClusterService { node: target }),
            None => Reply::fail(1, format!("Invalid server name. ({host})\r\n")),
        },
        ["-t", "-h", host] => match node_named(sim, host) {
            Some(target) => operate(sim, Operation::StopClusterService { node: target }),
            None => Reply::fail(1, format!("Invalid server name. ({host})\r\n")),
        },
        _ => usage("clpcl"),
    }
}

fn clpgrp(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    let Some(group) = args.get(1).and_then(|name| sim.setup().cluster.group_by_name(name)) else {
        return usage("clpgrp");
    };
    match args {
        ["-m", _] => operate(sim, Operation::MoveGroup { via: node, group, to: None }),
        ["-m", _, "-a", host] => match node_named(sim, host) {
            Some(to) => operate(sim, Operation::MoveGroup { via: node, group, to: Some(to) }),
            None => Reply::fail(1, format!("Invalid server name. ({host})\r\n")),
        },
        ["-n", _] => {
            let owner = sim.observation().groups[group.index()].owner;
            Reply::out(owner.map_or(String::new(), |o| format!("{}\r\n", sim.setup().node_name(o))))
        }
        _ => usage("clpgrp"),
    }
}

fn clpmonctrl(sim: &mut Sim, _node: NodeId, args: &[&str]) -> Reply {
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

fn clprsc(sim: &mut Sim, _node: NodeId, args: &[&str]) -> Reply {
    let (stop, resource, host) = match args {
        ["-t", resource, "-h", host] => (true, resource, host),
        ["-s", resource, "-h", host] => (false, resource, host),
        _ => return usage("clprsc"),
    };
    let (Some(target), Some(resource)) = (node_named(sim, host), sim.setup().cluster.resource_by_name(resource)) else {
        return Reply::fail(1, "Invalid server or resource name.\r\n");
    };
    if stop {
        operate(sim, Operation::StopResource { via: target, resource })
    } else {
        operate(sim, Operation::StartResource { node: target, resource })
    }
}

fn sc(sim: &mut Sim, node: NodeId, args: &[&str]) -> Reply {
    let observation = sim.observation();
    match args {
        ["query", "type=", "service", "state=", "all"] => {
            Reply::out(render::service_listing(sim.setup(), observation, node))
        }
        [verb @ ("query" | "stop" | "start"), name] => {
            let Some(service) = sim.setup().cluster.service_by_name(name) else {
                let api = if *verb == "query" { "EnumQueryServicesStatus:OpenService" } else { "OpenService" };
                return Reply::out(format!(
                    "[SC] {api} FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n"
                ));
            };
            let before = observation.nodes[node.index()].services[service.index()];
            let operation = match *verb {
                "stop" if before == procedure::backend::ServiceStatus::Stopped => {
                    return Reply::out(
                        "[SC] ControlService FAILED 1062:\r\n\r\nThe service has not been started.\r\n\r\n",
                    );
                }
                "start" if before == procedure::backend::ServiceStatus::Running => {
                    return Reply::out(
                        "[SC] StartService FAILED 1056:\r\n\r\nAn instance of the service is already running.\r\n\r\n",
                    );
                }
                "stop" => Operation::StopService { node, service },
                "start" => Operation::StartService { node, service },
                _ => {
                    return Reply::out(render::service_record(name, None, before));
                }
            };
            if let Err(error) = sim.execute(&operation) {
                return Reply::out(format!("[SC] ControlService FAILED 1051:\r\n\r\n{error}\r\n\r\n"));
            }
            let after = sim.observation().nodes[node.index()].services[service.index()];
            Reply::out(render::service_record(name, None, after))
        }
        _ => Reply::fail(1639, "[SC] invalid arguments\r\n"),
    }
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
fn install(sim: &mut Sim, node: NodeId, program: &str) -> Reply {
    let Some((folder, _)) = program.rsplit_once('\\') else { return Reply::fail(9009, "not found\r\n") };
    let unzipped = sim.observation().nodes[node.index()].unzipped.clone();
    if unzipped.as_deref().is_none_or(|known| !procedure::backend::same_path(known, folder)) {
        if let Err(error) = sim.execute(&Operation::UnzipModule { node, folder: folder.into() }) {
            return Reply::fail(1, format!("{error}\r\n"));
        }
        let started = sim.now();
        let unzipped = |sim: &Sim| {
            let known = sim.observation().nodes[node.index()].unzipped.clone();
            known.is_some_and(|known| procedure::backend::same_path(&known, folder))
        };
        while !unzipped(sim) {
            if sim.now() - started > INSTALL_LIMIT {
                return Reply::fail(1603, "the module could not be unzipped\r\n");
            }
            sim.wait(Duration::from_secs(1));
        }
    }
    let operation = Operation::InstallModule { node, folder: folder.into(), restart_answer: RestartAnswer::Decline };
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
