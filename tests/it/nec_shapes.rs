//! The simulated command lines answer NEC's own invocations in the shapes real nodes print,
//! and the real backend's parsers read them: each test runs an argv on a node of the
//! simulated cluster through `sim_server::exec` (what the `sim-node` shims run), as NEC's
//! scripts and the backend would type it.
//!
//! Sources of the invocations: EXPRESSCLUSTER/ScheduleMirroring's X 3.3 script
//! (`clprsc -t md -f -h S`, `clpgrp -s|-t G -h S`, `clpgrp -n G`), EXPRESSCLUSTER/Tools'
//! X 4.x update scripts (plain `clpstat`, `clpgrp -s`, `clpgrp -t`, `clpcl -s|-t -h S`),
//! clpaic's tool definitions (`clpcl -s|-t [-a]`, `clpgrp -m [G] [-a S]`). Of the outputs:
//! clpaic's capture of a stopped cluster, and public issue threads for sc.

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{Backend as _, ClusterService, GroupStatus, Operation, ResourceStatus};
use procedure::cluster::NodeId;
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use real_backend::parse::clpstat::{self, Status};
use real_backend::parse::sc::{self, ScErrorKind};
use remote::output::Output;
use sim_cluster::sim::{Builder, Sim};
use sim_server::exec::{Reply, exec};

use crate::support::root;

fn sim() -> Sim {
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root().join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .unwrap();
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root().join("procedures/ssc0307-0006.toml")).unwrap(), &cluster)
            .unwrap();
    Builder::new(Arc::new(Setup::new(cluster, procedure))).seed(1).build()
}

/// Runs `line` (split on blanks) on `node`.
fn run(sim: &mut Sim, node: u8, line: &str) -> Reply {
    let argv: Vec<String> = line.split(' ').map(str::to_owned).collect();
    exec(sim, NodeId(node), &argv)
}

fn output(reply: &Reply) -> Output {
    Output {
        stdout: reply.stdout.clone().into_bytes(),
        stderr: reply.stderr.clone().into_bytes(),
        code: Some(reply.code),
    }
}

/// Runs `line` and expects `Command succeeded.`, as NEC's scripts test it (`$?`).
fn succeeds(sim: &mut Sim, node: u8, line: &str) {
    let reply = run(sim, node, line);
    assert_eq!((reply.code, reply.stdout.as_str()), (0, "Command succeeded.\r\n"), "`{line}`: {reply:?}");
}

fn settle(sim: &mut Sim) {
    sim.wait(Duration::from_secs(10 * 60));
}

/// A stopped node prints the full view with every line `Offline` and exit 0, as the only
/// capture of a stopped cluster does; the backend reads it as a stopped node. The text
/// NEC's update script prints after a failing clpstat is never printed.
#[test]
fn clpstat_on_a_stopped_node_prints_the_all_offline_view() {
    let mut sim = sim();
    succeeds(&mut sim, 0, "clpcl -t");
    settle(&mut sim);
    assert_eq!(sim.observation().nodes[0].cluster, ClusterService::Stopped);
    assert_eq!(sim.observation().nodes[1].cluster, ClusterService::Running);
    for argv in ["clpstat", "clpstat --long"] {
        let reply = run(&mut sim, 0, argv);
        assert_eq!(reply.code, 0, "{reply:?}");
        assert!(!reply.stdout.contains("Failed to get cluster status"));
        let view = clpstat::parse(&output(&reply)).unwrap();
        assert!(!view.shows_running("ssc-node1"));
        assert!(view.servers.iter().all(|server| server.status == Status::Offline));
        assert!(view.servers.iter().flat_map(|server| &server.heartbeats).all(|hb| hb.status == Status::Offline));
        for group in &view.groups {
            assert_eq!((group.status, group.current.as_deref()), (Status::Offline, None));
            assert!(group.resources.iter().all(|resource| resource.status == Status::Offline));
        }
        assert!(view.monitors.iter().all(|monitor| monitor.status == Status::Offline));
    }
    // The node that still runs shows the group where it is.
    let view = clpstat::parse(&output(&run(&mut sim, 1, "clpstat"))).unwrap();
    assert!(view.shows_running("ssc-node2"));
    assert_eq!(view.group("failover").unwrap().status, Status::Online);
}

/// Plain `clpstat` (NEC's X 4.x Windows scripts) prints the short layout; it says what
/// `--long` says.
#[test]
fn plain_clpstat_prints_the_short_layout_with_the_same_content() {
    let mut sim = sim();
    let plain = run(&mut sim, 0, "clpstat");
    let long = run(&mut sim, 0, "clpstat --long");
    assert!(plain.stdout.contains("\r\n   *ssc-node1 .......: Online\r\n"), "{}", plain.stdout);
    assert!(plain.stdout.contains("\r\n      current        : ssc-node1\r\n"), "{}", plain.stdout);
    assert_ne!(plain.stdout, long.stdout);
    let plain = clpstat::parse(&output(&plain)).unwrap();
    assert_eq!(plain, clpstat::parse(&output(&long)).unwrap());
    let refused = run(&mut sim, 0, "clpstat --wide");
    assert_ne!(refused.code, 0);
}

/// sc's exit code is the Win32 error of what failed, each case its own error and `[SC]`
/// line; the parser reads each.
#[test]
fn sc_answers_each_failure_with_its_own_error_and_exit_code() {
    let mut sim = sim();
    let cases = [
        ("sc.exe start NoSuchService", "[SC] StartService: OpenService FAILED 1060:", 1060, ScErrorKind::NotInstalled),
        ("sc.exe stop NoSuchService", "[SC] OpenService FAILED 1060:", 1060, ScErrorKind::NotInstalled),
        (
            "sc.exe query NoSuchService",
            "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:",
            1060,
            ScErrorKind::NotInstalled,
        ),
        ("sc.exe start PVMService", "[SC] StartService FAILED 1056:", 1056, ScErrorKind::AlreadyRunning),
    ];
    for (line, first, code, kind) in cases {
        let reply = run(&mut sim, 0, line);
        assert_eq!(reply.stdout.lines().next(), Some(first), "`{line}`");
        assert_eq!(reply.code, code, "`{line}`");
        let parsed = sc::parse(&output(&reply)).unwrap();
        assert_eq!(parsed.errors.iter().map(sc::ScError::kind).collect::<Vec<_>>(), [kind], "`{line}`");
    }
    // PVMService is a resource of the group, so stopped on the standby.
    let reply = run(&mut sim, 1, "sc.exe stop PVMService");
    assert_eq!((reply.stdout.lines().next(), reply.code), (Some("[SC] ControlService FAILED 1062:"), 1062));
    assert_eq!(sc::parse(&output(&reply)).unwrap().errors[0].kind(), ScErrorKind::NotStarted);
    let reply = run(&mut sim, 0, "sc.exe stop PVMService");
    assert_eq!(reply.code, 0, "{reply:?}");
    assert_eq!(sc::parse(&output(&reply)).unwrap().services.len(), 1);

    // Arguments sc does not take: its help text, which no parser reads as an answer.
    let reply = run(&mut sim, 0, "sc.exe frobnicate PVMService");
    assert_ne!(reply.code, 0);
    assert!(reply.stdout.starts_with("DESCRIPTION:\r\n"), "{reply:?}");
    assert!(sc::parse(&output(&reply)).is_err());
}

/// NEC's X 3.3 script: `clprsc -t md -f -h PRIMARY`, then `clpgrp -t G -h PRIMARY` and
/// `clpgrp -s G -h PRIMARY`; and `clpgrp -n G` prints the server alone.
#[test]
fn the_x33_scripts_resource_and_group_commands_are_accepted() {
    let mut sim = sim();
    let owner = run(&mut sim, 1, "clpgrp -n failover");
    assert_eq!((owner.code, owner.stdout.as_str()), (0, "ssc-node1\r\n"));
    // Without `-f`, a resource others depend on is not stopped while they are active; the
    // refusal is an exit code and a message, and nothing changes.
    let refused = run(&mut sim, 1, "clprsc -t md -h ssc-node1");
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("regsync"), "{refused:?}");
    settle(&mut sim);
    assert!(sim.observation().resources.iter().all(|resource| resource.status == ResourceStatus::Online));
    succeeds(&mut sim, 1, "clprsc -t md -f -h ssc-node1");
    settle(&mut sim);
    let md = sim.setup().cluster.resource_by_name("md").unwrap();
    let regsync = sim.setup().cluster.resource_by_name("regsync").unwrap();
    assert_eq!(sim.observation().resources[md.index()].status, ResourceStatus::Offline);
    assert_eq!(sim.observation().resources[regsync.index()].status, ResourceStatus::Offline, "a dependent stops too");

    succeeds(&mut sim, 1, "clpgrp -t failover -h ssc-node1");
    settle(&mut sim);
    assert_eq!(sim.observation().groups[0].status, GroupStatus::Offline);
    assert_eq!(sim.observation().groups[0].owner, None);
    assert!(sim.observation().resources.iter().all(|resource| resource.status == ResourceStatus::Offline));

    succeeds(&mut sim, 1, "clpgrp -s failover -h ssc-node2");
    settle(&mut sim);
    assert_eq!(sim.observation().groups[0].status, GroupStatus::Online);
    assert_eq!(sim.observation().groups[0].owner, Some(NodeId(1)));
    assert!(sim.observation().resources.iter().all(|resource| resource.status == ResourceStatus::Online));
    let owner = run(&mut sim, 0, "clpgrp -n failover");
    assert_eq!(owner.stdout, "ssc-node2\r\n");
}

/// The X 4.x update scripts: `clpgrp -t` and `clpgrp -s` with no group (every group, on
/// this server); clpaic: `clpgrp -m` with no group moves every group by its policy.
#[test]
fn clpgrp_without_a_group_acts_on_every_group() {
    let mut sim = sim();
    succeeds(&mut sim, 0, "clpgrp -m");
    settle(&mut sim);
    assert_eq!(
        (sim.observation().groups[0].status, sim.observation().groups[0].owner),
        (GroupStatus::Online, Some(NodeId(1)))
    );
    succeeds(&mut sim, 1, "clpgrp -t");
    settle(&mut sim);
    assert_eq!(sim.observation().groups[0].status, GroupStatus::Offline);
    succeeds(&mut sim, 0, "clpgrp -s");
    settle(&mut sim);
    assert_eq!(
        (sim.observation().groups[0].status, sim.observation().groups[0].owner),
        (GroupStatus::Online, Some(NodeId(0)))
    );
    // A group operation while the cluster is suspended is refused, as a move is.
    sim.execute(&Operation::SuspendCluster { via: NodeId(0) }).unwrap();
    settle(&mut sim);
    let refused = run(&mut sim, 0, "clpgrp -t failover -h ssc-node1");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("suspended"), "{refused:?}");
    assert_eq!(sim.observation().groups[0].status, GroupStatus::Online);
}

/// clpaic: `clpcl -t`/`-s` act on this server, `-a` on every server; the update scripts:
/// `clpcl -t|-s -h SERVER`.
#[test]
fn clpcl_start_and_stop_on_this_server_a_named_one_or_all() {
    let mut sim = sim();
    let running = |sim: &Sim| sim.observation().nodes.iter().map(|node| node.cluster).collect::<Vec<_>>();
    succeeds(&mut sim, 1, "clpcl -t");
    settle(&mut sim);
    assert_eq!(running(&sim), [ClusterService::Running, ClusterService::Stopped]);
    succeeds(&mut sim, 0, "clpcl -s -h ssc-node2");
    settle(&mut sim);
    assert_eq!(running(&sim), [ClusterService::Running, ClusterService::Running]);
    succeeds(&mut sim, 0, "clpcl -t -a");
    settle(&mut sim);
    assert_eq!(running(&sim), [ClusterService::Stopped, ClusterService::Stopped]);
    succeeds(&mut sim, 0, "clpcl -s");
    settle(&mut sim);
    assert_eq!(running(&sim), [ClusterService::Running, ClusterService::Stopped]);
    let refused = run(&mut sim, 0, "clpcl -s -h nowhere");
    assert_eq!(refused.code, 1);
}

/// The real backend on simulated nodes (the argv through `sim_server::exec`): a node whose
/// cluster service it stopped shows itself `Offline` and is read as stopped while the
/// group stays where it runs; started again, it runs. The simulator doing the same
/// operations directly ends in the same state.
#[test]
fn the_real_backend_reads_a_stopped_node_from_its_all_offline_view() {
    use real_backend::backend::{Config, NodeLink, RealBackend};

    let operations = [
        Operation::StopClusterService { node: NodeId(1) },
        Operation::StartClusterService { node: NodeId(1) },
        Operation::StopResource { via: NodeId(0), resource: procedure::cluster::ResourceId(0) },
    ];
    let mut direct = sim();
    let shared = Arc::new(std::sync::Mutex::new(sim()));
    let setup = Arc::clone(direct.setup());
    let links = setup
        .cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(n, known)| NodeLink {
            name: known.name.clone(),
            transport: Box::new(crate::conformance::SimulatedNode { sim: Arc::clone(&shared), node: NodeId(n as u8) }),
        })
        .collect();
    let config = Config {
        command_timeout: Duration::from_secs(5),
        install_timeout: Duration::from_secs(5),
        copy_timeout: Duration::from_secs(5),
        service_keys: Default::default(),
        installer: None,
        archive: None,
        archives: Default::default(),
        staging: std::path::PathBuf::from("/nonexistent"),
        watch: None,
        clpstat_long: true,
    };
    let mut backend = RealBackend::new(Arc::clone(&setup), config, links).unwrap();

    const RUNNING: [ClusterService; 2] = [ClusterService::Running, ClusterService::Running];
    const STOPPED_2: [ClusterService; 2] = [ClusterService::Running, ClusterService::Stopped];
    let mut seen = Vec::new();
    for operation in &operations {
        direct.execute(operation).unwrap();
        settle(&mut direct);
        backend.execute(operation).unwrap();
        settle(&mut shared.lock().unwrap());
        let observation = backend.observe().unwrap();
        seen.push((
            observation.nodes.iter().map(|node| node.cluster).collect::<Vec<_>>(),
            observation.groups[0].status,
            observation.groups[0].owner,
            observation.resources[0].status,
        ));
    }
    assert_eq!(
        seen,
        [
            (Vec::from(STOPPED_2), GroupStatus::Online, Some(NodeId(0)), ResourceStatus::Online),
            (Vec::from(RUNNING), GroupStatus::Online, Some(NodeId(0)), ResourceStatus::Online),
            // md and what depends on it stop; the floating IP keeps the group online.
            (Vec::from(RUNNING), GroupStatus::Online, Some(NodeId(0)), ResourceStatus::Offline),
        ]
    );
    assert_eq!(
        sim_server::render::final_state(&setup, direct.observation()),
        sim_server::render::final_state(&setup, shared.lock().unwrap().observation())
    );
    let ran: Vec<&str> =
        backend.commands().iter().map(|c| c.command.as_str()).filter(|c| c.starts_with("clp")).collect();
    assert!(ran.contains(&"clpcl -t -h ssc-node2") && ran.contains(&"clprsc -t md -f -h ssc-node1"), "{ran:?}");
}
