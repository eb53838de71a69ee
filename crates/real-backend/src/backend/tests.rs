//! The backend against scripted nodes: what it runs, and how it reads what comes back.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use procedure::backend::{
    Backend, BackendError, ClusterService, GroupStatus, MonitorStatus, Operation, Refusal, ServiceStatus,
};
use procedure::cluster::{GroupId, NodeId};
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use remote::output::Output;

use super::*;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn setup(procedure: &str) -> Arc<Setup> {
    let cluster = SourceFile::read(&workspace().join("scenarios/cluster/ssc-two-node.toml")).unwrap();
    let cluster = procedure::cluster::load(&cluster).unwrap();
    let procedure = SourceFile::read(&workspace().join(procedure)).unwrap();
    let procedure = procedure::procedure::load(&procedure, &cluster).unwrap();
    Arc::new(Setup::new(cluster, procedure))
}

/// What a scripted node answers: a function of the argv, with a log of every argv.
type Script = dyn Fn(&[String]) -> Result<Output, TransportError> + Send + Sync;

struct Scripted {
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Vec<String>>>>,
}

impl Transport for Scripted {
    fn run(&mut self, argv: &Argv, _timeout: Duration) -> Result<Output, TransportError> {
        let mut elements = vec![argv.program.clone()];
        elements.extend(argv.args.iter().cloned());
        self.log.lock().unwrap().push(elements.clone());
        (self.script)(&elements)
    }

    fn copy_file(&mut self, _local: &Path, _remote: &str, _timeout: Duration) -> Result<(), TransportError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "scripted".to_owned()
    }
}

fn ok(text: &str) -> Result<Output, TransportError> {
    Ok(Output { stdout: text.as_bytes().to_vec(), stderr: Vec::new(), code: Some(0) })
}

fn exit(code: i32, text: &str) -> Result<Output, TransportError> {
    Ok(Output { stdout: text.as_bytes().to_vec(), stderr: Vec::new(), code: Some(code) })
}

fn test_data(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(name)).unwrap()
}

/// `sc.exe query` listing every service of the cluster in `state`.
fn listing(setup: &Setup, state: &str) -> String {
    setup
        .cluster
        .services
        .iter()
        .map(|service| {
            format!(
                "\nSERVICE_NAME: {}\nDISPLAY_NAME: {}\n        TYPE               : 10  WIN32_OWN_PROCESS\n        STATE              : {state}\n        WIN32_EXIT_CODE    : 0  (0x0)\n        SERVICE_EXIT_CODE  : 0  (0x0)\n        CHECKPOINT         : 0x0\n        WAIT_HINT          : 0x0\n",
                service.name, service.name
            )
        })
        .collect()
}

fn config() -> Config {
    Config {
        command_timeout: Duration::from_secs(5),
        install_timeout: Duration::from_secs(5),
        copy_timeout: Duration::from_secs(5),
        service_keys: Default::default(),
        installer: Some(InstallerCommand { program: "setup.exe".into(), args: vec!["/s".into()] }),
        archive: None,
        archives: Default::default(),
        staging: PathBuf::from("/nonexistent"),
        watch: None,
        clpstat_long: true,
    }
}

/// Registry values a scripted node holds, shared so that a test can change them.
type Registry = Arc<Mutex<String>>;

fn backend_with(
    setup: &Arc<Setup>,
    clpstat: String,
    registry: Registry,
    node2_reachable: bool,
) -> (RealBackend, Arc<Mutex<Vec<Vec<String>>>>) {
    backend_answering(setup, Arc::new(move |_, _| ok(&clpstat)), registry, node2_reachable)
}

/// What a scripted node's clpstat answers, by the node's index and the argv.
type ClpstatScript = dyn Fn(usize, &[String]) -> Result<Output, TransportError> + Send + Sync;

fn backend_answering(
    setup: &Arc<Setup>,
    clpstat: Arc<ClpstatScript>,
    registry: Registry,
    node2_reachable: bool,
) -> (RealBackend, Arc<Mutex<Vec<Vec<String>>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let services = listing(setup, "4  RUNNING");
    let mut links = Vec::new();
    for (i, node) in setup.cluster.nodes.iter().enumerate() {
        let clpstat = Arc::clone(&clpstat);
        let services = services.clone();
        let registry = Arc::clone(&registry);
        let reachable = i == 0 || node2_reachable;
        let script: Arc<Script> = Arc::new(move |argv: &[String]| {
            if !reachable {
                return Err(TransportError::Unreachable { reason: "connection refused".into() });
            }
            match argv[0].as_str() {
                "clpstat" => clpstat(i, argv),
                "sc.exe" if argv[1] == "query" => ok(&services),
                "sc.exe" => ok("\nSERVICE_NAME: x\n        STATE              : 3  STOP_PENDING\n"),
                "reg" if argv[1] == "query" => {
                    let text = registry.lock().unwrap().clone();
                    let found: String =
                        text.split("\n\n").filter(|block| block.starts_with(&argv[2])).collect::<Vec<_>>().join("\n\n");
                    if found.is_empty() {
                        exit(1, "ERROR: The system was unable to find the specified registry key or value.\n")
                    } else {
                        ok(&format!("\n{found}\n"))
                    }
                }
                "clpgrp" if argv.len() > 2 && argv[2] == "suspended" => exit(1, "The cluster is suspended.\n"),
                // The second node's clpmonctrl has no `-h` (as before X 5.x, perhaps).
                "clpmonctrl" if argv[1] == "-v" && i == 1 => exit(1, "Invalid option.\n"),
                "clpmonctrl" if argv[1] == "-v" => ok("Monitor : servicew1\n"),
                "clpgrp" | "clpcl" | "clpmonctrl" | "clprsc" | "clpstdn" => ok("Command succeeded.\n"),
                program if program.ends_with("setup.exe") => {
                    *registry.lock().unwrap() = PVM_AFTER_INSTALL.to_owned();
                    ok("")
                }
                _ => exit(9009, "not scripted"),
            }
        });
        links.push(NodeLink {
            name: node.name.clone(),
            transport: Box::new(Scripted { script, log: Arc::clone(&log) }),
        });
    }
    (RealBackend::new(Arc::clone(setup), config(), links).unwrap(), log)
}

/// A backend on scripted nodes that show the running cluster of the capture and hold
/// `PVM_BEFORE`, the standby reachable or not.
fn running(setup: &Arc<Setup>, node2_reachable: bool) -> (RealBackend, Arc<Mutex<Vec<Vec<String>>>>) {
    let clpstat = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt");
    backend_with(setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), node2_reachable)
}

const PVM_BEFORE: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM\n    Version    REG_SZ    3.7\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\DeploymentManager\n    GroupValue    REG_DWORD    0x1";
const PVM_AFTER_INSTALL: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM\n    Version    REG_SZ    3.7.0001\n    PatchLevel    REG_SZ    1\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\DeploymentManager\n    GroupValue    REG_DWORD    0x1";

#[test]
fn a_healthy_cluster_is_observed_from_clpstat_sc_and_reg() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, log) = running(&setup, true);
    let observation = backend.observe().unwrap().clone();
    assert!(observation.nodes.iter().all(|node| node.reachable && node.cluster == ClusterService::Running));
    assert_eq!(observation.groups[0].status, GroupStatus::Online);
    assert_eq!(observation.groups[0].owner, Some(NodeId(0)));
    assert!(observation.nodes[1].services.iter().all(|s| *s == ServiceStatus::Running));
    assert!(observation.nodes[0].monitors.iter().all(|m| *m == MonitorStatus::Normal));
    let version = setup.registry.iter().position(|slot| slot.value == "Version").unwrap();
    assert_eq!(observation.nodes[0].registry[version].map(|d| setup.data_text(d)), Some("3.7"));
    let first_node: Vec<String> = log.lock().unwrap().iter().take(4).map(|argv| argv.join(" ")).collect();
    assert_eq!(
        first_node,
        [
            "clpstat --long",
            "sc.exe query type= service state= all",
            "reg query HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\DeploymentManager /s",
            "reg query HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM /s",
        ]
    );
}

#[test]
fn suspend_shows_as_suspended_servers_and_monitors() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let clpstat = test_data("clpstat/ssc-long-suspend-constructed.txt");
    let (mut backend, _) = backend_with(&setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    let observation = backend.observe().unwrap();
    assert!(observation.cluster_suspended());
    assert!(observation.nodes[0].monitors.iter().all(|m| *m == MonitorStatus::Suspended));
}

#[test]
fn an_unreachable_node_is_marked_not_an_error() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, _) = running(&setup, false);
    let observation = backend.observe().unwrap();
    assert!(observation.nodes[0].reachable);
    assert!(!observation.nodes[1].reachable);
}

#[test]
fn an_output_the_parser_refuses_names_the_node_and_the_line() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let clpstat = test_data("clpstat/unknown-status-constructed.txt");
    let (mut backend, _) = backend_with(&setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    let error = backend.observe().unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed: ssc-node1: cannot read line 27 of the output of `clpstat`: \"    servicew-sql                      : Warming\": unknown status"
    );
}

#[test]
fn operations_run_their_exact_command_lines() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, log) = running(&setup, true);
    let pvm = setup.cluster.service_by_name("PVMService").unwrap();
    let monitor = setup.cluster.monitor_by_name("servicew-pvm").unwrap();
    let operations = [
        Operation::SuspendCluster { via: NodeId(0) },
        Operation::SuspendMonitor { node: NodeId(1), monitor },
        Operation::StopService { node: NodeId(0), service: pvm },
        Operation::MoveGroup { via: NodeId(0), group: GroupId(0), to: Some(NodeId(1)) },
        Operation::ResumeCluster { via: NodeId(0) },
        Operation::RebootCluster { via: NodeId(0) },
    ];
    for operation in &operations {
        backend.execute(operation).unwrap();
    }
    let ran: Vec<String> = log.lock().unwrap().iter().map(|argv| argv.join(" ")).collect();
    assert_eq!(
        ran,
        [
            "clpcl --suspend",
            "clpmonctrl -s -h ssc-node2 -m servicew-pvm",
            "sc.exe stop PVMService",
            "clpgrp -m failover -a ssc-node2",
            "clpcl --resume",
            "clpstdn -r",
        ]
    );
    let error = backend.execute(&Operation::StopWatch { node: NodeId(0), service: pvm }).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed: ssc-node1: no command is known for the Task Manager watch; declare [watch] stop and start in the connection file"
    );
}

#[test]
fn an_unreachable_node_fails_an_operation_naming_it() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, _) = running(&setup, false);
    let error =
        backend.execute(&Operation::SuspendMonitor { node: NodeId(1), monitor: procedure::cluster::MonitorId(0) });
    assert_eq!(error, Err(BackendError::Unreachable { node: NodeId(1) }));
}

/// A move that exits 1 (the shape NEC's move script tests) is a refusal of a suspended
/// cluster only when the cluster was last seen suspended; the word alone is unknown.
#[test]
fn a_refused_group_move_is_a_suspended_refusal_only_when_the_cluster_was_seen_suspended() {
    let mut setup = (*setup("procedures/ssc0307-0006.toml")).clone();
    setup.cluster.groups[0].name = "suspended".into();
    let setup = Arc::new(setup);
    let move_group = Operation::MoveGroup { via: NodeId(0), group: GroupId(0), to: None };
    let clpstat = test_data("clpstat/ssc-long-suspend-constructed.txt").replace("failover .", "suspended ");
    let (mut backend, _) = backend_with(&setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    backend.observe().unwrap();
    let error = backend.execute(&move_group);
    assert_eq!(error, Err(BackendError::Refused { node: NodeId(0), reason: Refusal::ClusterSuspended }));

    let clpstat = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt").replace("failover .", "suspended ");
    let (mut backend, _) = backend_with(&setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    backend.observe().unwrap();
    let error = backend.execute(&move_group).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed: ssc-node1: `clpgrp -m suspended`: unknown: refused (exit code Some(1), \"The cluster is suspended.\"): the message names a suspend, but the cluster was last seen running; stopping here"
    );
}

#[test]
fn registry_drift_after_a_move_is_reported() {
    let setup = setup("procedures/examples/registry-changing-module.toml");
    let clpstat = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let registry: Registry = Arc::new(Mutex::new(PVM_BEFORE.into()));
    let (mut backend, _) = backend_with(&setup, clpstat, Arc::clone(&registry), true);
    let install = Operation::InstallModule {
        module: ModuleId(0),
        node: NodeId(0),
        folder: r"C:\Temp\EXAMPLE-0001".into(),
        restart_answer: procedure::procedure::RestartAnswer::Decline,
    };
    backend.execute(&install).unwrap();
    assert_eq!(backend.drift().written().len(), 2);
    backend.observe().unwrap();
    assert!(backend.drift().findings().is_empty(), "no drift before a resume or a move");
    backend.execute(&Operation::MoveGroup { via: NodeId(0), group: GroupId(0), to: Some(NodeId(1)) }).unwrap();
    // The group's registry sync restores its older image on activation.
    *registry.lock().unwrap() = PVM_BEFORE.into();
    backend.observe().unwrap();
    assert_eq!(
        backend.drift().render(&setup),
        "registry-rolled-back: HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM\\Version on ssc-node1: the installer wrote \"3.7.0001\", after move-group it reads \"3.7\"\n\
         registry-rolled-back: HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM\\PatchLevel on ssc-node1: the installer wrote \"1\", after move-group it reads as absent\n"
    );
}

#[test]
fn an_installer_that_outlives_its_timeout_is_a_failure_not_an_unreachable_node() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let log = Arc::new(Mutex::new(Vec::new()));
    let links = setup
        .cluster
        .nodes
        .iter()
        .map(|node| {
            let script: Arc<Script> = Arc::new(|argv: &[String]| match argv[0].as_str() {
                "reg" => ok(&format!("\n{PVM_BEFORE}\n")),
                _ => Err(TransportError::Timeout { after: Duration::from_secs(7200) }),
            });
            NodeLink { name: node.name.clone(), transport: Box::new(Scripted { script, log: Arc::clone(&log) }) }
        })
        .collect();
    let mut backend = RealBackend::new(Arc::clone(&setup), config(), links).unwrap();
    let install = Operation::InstallModule {
        module: ModuleId(0),
        node: NodeId(1),
        folder: r"C:\Temp\SSC0307-0006".into(),
        restart_answer: procedure::procedure::RestartAnswer::Decline,
    };
    assert_eq!(
        backend.execute(&install).unwrap_err().to_string(),
        "failed: ssc-node2: the installer `C:\\Temp\\SSC0307-0006\\setup.exe /s` did not finish within 120 min; it may still be running there"
    );
}

#[test]
fn the_module_is_never_unzipped_on_the_mirror_drive_or_a_drive_the_node_lacks() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, log) = running(&setup, true);
    let mirror =
        Operation::UnzipModule { node: NodeId(0), folder: r"E:\Temp\SSC0307-0006".into(), module: ModuleId(0) };
    assert_eq!(
        backend.execute(&mirror).unwrap_err().to_string(),
        r"failed: ssc-node1: refusing to unzip into E:\Temp\SSC0307-0006: it is on the mirror drive"
    );
    let elsewhere =
        Operation::UnzipModule { node: NodeId(0), folder: r"F:\Temp\SSC0307-0006".into(), module: ModuleId(0) };
    assert_eq!(
        backend.execute(&elsewhere),
        Err(BackendError::Refused { node: NodeId(0), reason: Refusal::DriveNotAccessible })
    );
    assert!(log.lock().unwrap().is_empty(), "nothing ran on the node");
}

/// A node whose cluster service is stopped shows a full view with its own server line
/// `Offline` (the capture of a stopped cluster); it is read as stopped, and the groups come
/// from a node whose service runs.
#[test]
fn a_node_showing_itself_offline_is_stopped_and_the_groups_come_from_a_running_node() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let stopped = test_data("clpstat/ssc-short-all-offline-trailing-pad-constructed.txt");
    let running = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let script: Arc<ClpstatScript> = Arc::new(move |node, _| ok(if node == 0 { &stopped } else { &running }));
    let (mut backend, _) = backend_answering(&setup, script, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    let observation = backend.observe().unwrap();
    assert_eq!(observation.nodes[0].cluster, ClusterService::Stopped);
    assert!(observation.nodes[0].monitors.iter().all(|m| *m == MonitorStatus::Offline));
    assert_eq!(observation.nodes[1].cluster, ClusterService::Running);
    assert_eq!(observation.groups[0].status, GroupStatus::Online);
    assert_eq!(observation.groups[0].owner, Some(NodeId(0)));
}

/// The prompt NEC's update scripts print after clpstat failed is not clpstat's: a failing
/// clpstat is an error that quotes it, never a stopped cluster.
#[test]
fn a_failing_clpstat_is_an_error_not_a_state() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let prompt = test_data("clpstat/script-prompt-not-clpstat-exit-1-constructed.txt");
    let script: Arc<ClpstatScript> = Arc::new(move |_, _| exit(1, &prompt));
    let (mut backend, _) = backend_answering(&setup, script, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    let error = backend.observe().unwrap_err().to_string();
    assert!(
        error.starts_with("failed: ssc-node1: cannot read the output of `clpstat`: it exited with code 1"),
        "{error}"
    );
}

/// A node that refuses `clpstat --long` (NEC's X 4.x Windows scripts call plain clpstat) is
/// asked with plain `clpstat`, and keeps being asked so; the other node keeps `--long`.
#[test]
fn a_node_that_refuses_clpstat_long_is_asked_plainly_from_then_on() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let view = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let script: Arc<ClpstatScript> = Arc::new(move |node, argv| match argv.get(1) {
        Some(option) if node == 1 => exit(1, &format!("Invalid option. ({option})\n")),
        _ => ok(&view),
    });
    let (mut backend, log) = backend_answering(&setup, script, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    backend.observe().unwrap();
    backend.observe().unwrap();
    assert!(!backend.refuses_clpstat_long(NodeId(0)));
    assert!(backend.refuses_clpstat_long(NodeId(1)));
    let clpstats: Vec<String> =
        log.lock().unwrap().iter().filter(|argv| argv[0] == "clpstat").map(|argv| argv.join(" ")).collect();
    assert_eq!(clpstats, ["clpstat --long", "clpstat --long", "clpstat", "clpstat --long", "clpstat"]);
}

/// `sc start` of a missing service prints `[SC] StartService: OpenService FAILED 1060:`
/// (public issue threads); the backend says the service is not installed.
#[test]
fn starting_a_missing_service_says_it_is_not_installed() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let log = Arc::new(Mutex::new(Vec::new()));
    let links = setup
        .cluster
        .nodes
        .iter()
        .map(|node| {
            let script: Arc<Script> =
                Arc::new(|_: &[String]| exit(36, &test_data("sc/start-openservice-1060-exit-36-constructed.txt")));
            NodeLink { name: node.name.clone(), transport: Box::new(Scripted { script, log: Arc::clone(&log) }) }
        })
        .collect();
    let mut backend = RealBackend::new(Arc::clone(&setup), config(), links).unwrap();
    let pvm = setup.cluster.service_by_name("PVMService").unwrap();
    assert_eq!(
        backend.execute(&Operation::StartService { node: NodeId(0), service: pvm }).unwrap_err().to_string(),
        "failed: ssc-node1: `sc.exe start PVMService`: the service is not installed (OpenService error 1060: The specified service does not exist as an installed service.)"
    );
}

/// The probe runs once per node, records what it found beside its commands, and the
/// backend refuses a monitor command a node's clpmonctrl cannot take, naming the answer.
#[test]
fn the_probe_finds_each_nodes_capabilities_and_the_backend_uses_them() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let (mut backend, log) = running(&setup, true);
    let lines = backend.probe().unwrap().lines();
    assert_eq!(
        lines,
        [
            "product: EXPRESSCLUSTER (clpstat answers); the version is not shown by a read-only command clusterproc knows",
            "ssc-node1: `clpstat --long` accepted; `clpmonctrl -h` accepted",
            "ssc-node2: `clpstat --long` accepted; `clpmonctrl -h` refused (exit code Some(1): \"Invalid option.\"): monitor steps will be refused",
        ]
    );
    let probes = log.lock().unwrap().len();
    backend.probe().unwrap();
    assert_eq!(log.lock().unwrap().len(), probes, "probed once");
    let record = backend.commands().last().unwrap();
    assert_eq!((record.node.as_str(), record.command.as_str()), ("clusterproc", "capabilities probed"));
    assert!(record.output.contains("ssc-node2: `clpstat --long` accepted"), "{}", record.output);

    let monitor = procedure::cluster::MonitorId(0);
    backend.execute(&Operation::SuspendMonitor { node: NodeId(0), monitor }).unwrap();
    let sent = log.lock().unwrap().len();
    let error = backend.execute(&Operation::SuspendMonitor { node: NodeId(1), monitor }).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "failed: ssc-node2: refusing `clpmonctrl -s -h ssc-node2 -m mdw`: it needs clpmonctrl's -h option, which this node did not accept when probed (`clpmonctrl -v -h ssc-node2`: exit code Some(1): \"Invalid option.\")"
        ),
        "{error}"
    );
    assert_eq!(log.lock().unwrap().len(), sent, "nothing was sent to the node");
}

/// A node that refuses `clpstat --long` is probed as plain and asked plainly from the start.
#[test]
fn the_probe_falls_back_to_plain_clpstat() {
    let setup = setup("procedures/ssc0307-0006.toml");
    // The short layout's sample names fewer monitors than the seed's cluster: the answer's
    // words matter here, not its layout.
    let short = test_data("clpstat/ssc-long-running-crlf-3space-constructed.txt");
    let clpstat: Arc<ClpstatScript> =
        Arc::new(move |_, argv: &[String]| if argv.len() > 1 { exit(9, "Invalid option.\n") } else { ok(&short) });
    let (mut backend, log) = backend_answering(&setup, clpstat, Arc::new(Mutex::new(PVM_BEFORE.into())), true);
    let lines = backend.probe().unwrap().lines();
    assert!(lines[1].starts_with("ssc-node1: `clpstat --long` refused, plain `clpstat` used"), "{lines:?}");
    log.lock().unwrap().clear();
    backend.observe().unwrap();
    let asked: Vec<Vec<String>> = log.lock().unwrap().iter().filter(|argv| argv[0] == "clpstat").cloned().collect();
    assert_eq!(asked, [vec!["clpstat".to_owned()], vec!["clpstat".to_owned()]]);
}

mod rest_confirm {
    //! A REST suspend confirmed by what the sources agree on, against wiremock with the
    //! JSON shapes NEC's status panel reads (`clusterapi.ts`), on a virtual clock.

    use super::*;
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[derive(Debug, Default)]
    struct Virtual(Duration);

    impl crate::clock::Clock for Virtual {
        fn now(&self) -> Duration {
            self.0
        }
        fn sleep(&mut self, length: Duration) {
            self.0 += length;
        }
    }

    async fn api(cluster_word: &str, server_word: &str) -> MockServer {
        let server = MockServer::start().await;
        let envelope = |key: &str, value: serde_json::Value| {
            let mut body = json!({ "result": { "code": 0, "message": "" } });
            body[key] = value;
            body
        };
        let answers = [
            ("cluster", envelope("cluster", json!({ "name": "ssc-cluster", "status": cluster_word }))),
            (
                "servers",
                envelope(
                    "servers",
                    json!([{ "name": "ssc-node1", "status": server_word }, { "name": "ssc-node2", "status": server_word }]),
                ),
            ),
            ("groups", envelope("groups", json!([]))),
            ("resources", envelope("resources", json!([]))),
            ("monitors", envelope("monitors", json!([]))),
        ];
        for (name, body) in answers {
            Mock::given(method("GET"))
                .and(path(format!("/api/v1/{name}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/api/v1/cluster/suspend"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "result": { "code": 0, "message": "" } })))
            .mount(&server)
            .await;
        server
    }

    fn suspend(uri: String) -> (Result<(), BackendError>, Vec<CommandRecord>, Duration) {
        suspend_with_views(uri, None)
    }

    /// With `clpstat` (a sample's name), the nodes are observed and probed first, so that
    /// their clpstat views take part.
    fn suspend_with_views(
        uri: String,
        clpstat: Option<&str>,
    ) -> (Result<(), BackendError>, Vec<CommandRecord>, Duration) {
        let setup = setup("procedures/ssc0307-0006.toml");
        let (mut backend, _) = match clpstat {
            Some(name) => backend_with(&setup, test_data(name), Arc::new(Mutex::new(PVM_BEFORE.into())), true),
            None => running(&setup, true),
        };
        if clpstat.is_some() {
            backend.observe().unwrap();
            backend.probe().unwrap();
        }
        backend.set_clock(Box::new(Virtual::default()));
        let client = crate::rest::RestClient::new(crate::rest::RestConfig {
            base_url: uri,
            user: "ops".to_owned(),
            password: "secret".to_owned(),
            timeout: Duration::from_secs(5),
            get_attempts: 1,
            backoff: Duration::ZERO,
            ca_file: None,
        })
        .unwrap();
        backend.use_rest_api(client);
        let result = backend.execute(&Operation::SuspendCluster { via: NodeId(0) });
        (result, backend.commands().to_vec(), backend.now())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn servers_that_stay_online_do_not_hold_back_a_suspend_the_cluster_shows() {
        let server = api("Suspend", "Online").await;
        let (result, commands, _) = tokio::task::spawn_blocking(move || suspend(server.uri())).await.unwrap();
        result.unwrap();
        let last = commands.last().unwrap();
        assert_eq!(last.command, "confirm cluster/suspend");
        assert_eq!(
            last.output,
            "confirmed: REST cluster agree; the servers still show Online, as no NEC client shows them otherwise"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_nodes_clpstat_views_take_part_where_the_probe_found_clpstat() {
        let server = api("Suspend", "Online").await;
        let uri = server.uri();
        let (result, commands, _) = tokio::task::spawn_blocking(move || {
            suspend_with_views(uri, Some("clpstat/ssc-long-suspend-constructed.txt"))
        })
        .await
        .unwrap();
        result.unwrap();
        assert_eq!(
            commands.last().unwrap().output,
            "confirmed: REST cluster, clpstat on ssc-node1, clpstat on ssc-node2 agree; the servers still show Online, as no NEC client shows them otherwise"
        );
        // A node view that still shows its server Online holds the suspend back.
        let uri = server.uri();
        let (result, _, _) = tokio::task::spawn_blocking(move || {
            suspend_with_views(uri, Some("clpstat/ssc-long-running-crlf-3space-constructed.txt"))
        })
        .await
        .unwrap();
        let error = result.unwrap_err().to_string();
        assert!(error.contains("unknown: REST cluster Suspend, REST server ssc-node1 Online, REST server ssc-node2 Online, clpstat on ssc-node1 Online, clpstat on ssc-node2 Online"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_suspend_nothing_shows_stops_as_unknown_after_two_minutes_naming_what_was_seen() {
        let server = api("Online", "Online").await;
        let (result, _, waited) = tokio::task::spawn_blocking(move || suspend(server.uri())).await.unwrap();
        assert_eq!(
            result.unwrap_err().to_string(),
            "failed: ssc-node1: POST cluster/suspend was accepted, but after 120 s the sources do not agree that the cluster is suspended: unknown: REST cluster Online, REST server ssc-node1 Online, REST server ssc-node2 Online; stopping here (check the cluster in its manager)"
        );
        assert_eq!(waited, Duration::from_secs(120), "not ten minutes");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_word_not_known_stops_the_suspend_at_once() {
        let server = api("Paused", "Online").await;
        let (result, _, waited) = tokio::task::spawn_blocking(move || suspend(server.uri())).await.unwrap();
        let error = result.unwrap_err().to_string();
        assert!(
            error.contains("unknown: REST cluster shows \"Paused\", which is not one of EXPRESSCLUSTER's status words"),
            "{error}"
        );
        assert_eq!(waited, Duration::ZERO);
    }
}
