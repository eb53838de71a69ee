//! Issue 12: the real backend's REST client end to end against the simulated REST API
//! (`sim-server`), over a real loopback socket.

use std::sync::Arc;
use std::time::Duration;

use procedure::backend::{ClusterService, GroupStatus, MonitorStatus, ResourceStatus};
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use real_backend::rest::{ClusterView, RestClient, RestConfig, RestError, apply};
use sim_cluster::sim::Builder;
use sim_server::rest::users::Users;

use crate::support::root;

fn setup() -> Arc<Setup> {
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root().join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .unwrap();
    let procedure =
        procedure::procedure::load(&SourceFile::read(&root().join("procedures/ssc0307-0006.toml")).unwrap(), &cluster)
            .unwrap();
    Arc::new(Setup::new(cluster, procedure))
}

fn serve(setup: &Arc<Setup>) -> sim_server::rest::RestServer {
    let config =
        sim_server::rest::Config { setup: Arc::clone(setup), seed: 1, speed: 0.0, users: Users::single("ops", "pw") };
    sim_server::rest::start(config, std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap()
}

fn client(server: &sim_server::rest::RestServer, password: &str) -> RestClient {
    RestClient::new(RestConfig {
        base_url: format!("http://{}", server.address),
        user: "ops".to_owned(),
        password: password.to_owned(),
        timeout: Duration::from_secs(10),
        get_attempts: 2,
        backoff: Duration::from_millis(10),
        ca_file: None,
    })
    .unwrap()
}

/// Lets the default session's virtual time pass, through the management API.
fn advance(address: std::net::SocketAddr, length: Duration) {
    let answer = reqwest::blocking::Client::new()
        .post(format!("http://{address}/sim/v1/sessions/default/advance"))
        .basic_auth("ops", Some("pw"))
        .body(format!("{{\"ms\": {}}}", length.as_millis()))
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().unwrap());
}

#[test]
fn the_view_through_the_api_is_the_simulators_state() {
    let setup = setup();
    let server = serve(&setup);
    let view = client(&server, "pw").cluster_view().unwrap();
    assert_eq!((view.name.as_str(), view.status.as_str()), ("ssc-cluster", "Online"));

    let sim = Builder::new(Arc::clone(&setup)).seed(1).build();
    let truth = sim.observation().clone();
    let mut observed = truth.clone();
    for node in &mut observed.nodes {
        let node = node.make_mut();
        node.cluster = ClusterService::Stopped;
        node.monitors.fill(MonitorStatus::Error);
    }
    observed.groups.iter_mut().for_each(|g| (g.status, g.owner) = (GroupStatus::Offline, None));
    observed.resources.make_mut().iter_mut().for_each(|r| (r.status, r.node) = (ResourceStatus::Offline, None));
    apply(&setup, &view, &mut observed).unwrap();
    assert_eq!(observed, truth);
}

/// Polls the API's view every 5 virtual seconds until `done` holds (at most 10 minutes);
/// how many times time was advanced.
fn poll_until(client: &RestClient, server: &sim_server::rest::RestServer, done: impl Fn(&ClusterView) -> bool) -> u32 {
    for polls in 0..=120 {
        if done(&client.cluster_view().unwrap()) {
            return polls;
        }
        advance(server.address, Duration::from_secs(5));
    }
    panic!("the cluster did not get there within 10 minutes: {:?}", client.cluster_view());
}

#[test]
fn a_move_is_confirmed_by_polling_while_virtual_time_passes() {
    let setup = setup();
    let server = serve(&setup);
    let client = client(&server, "pw");
    let body = serde_json::json!({ "target": "ssc-node2" });
    client.post("groups/failover/move", Some(&body)).unwrap();
    let polls = poll_until(&client, &server, |view| {
        view.group("failover").is_some_and(|g| g.status == "Online" && g.current == "ssc-node2")
    });
    assert!(polls >= 1, "the move completed before any time passed");

    // While suspended, the cluster refuses the move, and the client says so.
    client.post("cluster/suspend", None).unwrap();
    poll_until(&client, &server, |view| view.status == "Suspend");
    let refused = client.post("groups/failover/move", None);
    assert!(
        matches!(&refused, Err(RestError::Refused { status: 409, code: 1, message, .. }) if message.contains("suspended")),
        "{refused:?}"
    );
}

#[test]
fn a_wrong_password_is_refused_and_not_retried_as_if_unreachable() {
    let server = serve(&setup());
    let answer = client(&server, "wrong").get("cluster");
    assert!(matches!(answer, Err(RestError::Refused { status: 401, code: 4, .. })), "{answer:?}");
}

/// A node whose Windows side is scripted: every service running, no registry values; it
/// logs the programs it is asked to run.
struct WindowsSide {
    services: String,
    programs: Arc<std::sync::Mutex<Vec<String>>>,
}

impl remote::transport::Transport for WindowsSide {
    fn run(
        &mut self,
        argv: &remote::argv::Argv,
        _timeout: Duration,
    ) -> Result<remote::output::Output, remote::transport::TransportError> {
        self.programs.lock().unwrap().push(argv.program.clone());
        let (code, stdout) = match argv.program.as_str() {
            "sc.exe" => (0, self.services.clone()),
            "reg" => (1, "ERROR: The system was unable to find the specified registry key or value.\r\n".to_owned()),
            _ => (9009, "not scripted\r\n".to_owned()),
        };
        Ok(remote::output::Output { stdout: stdout.into_bytes(), stderr: Vec::new(), code: Some(code) })
    }

    fn copy_file(
        &mut self,
        _local: &std::path::Path,
        _remote: &str,
        _timeout: Duration,
    ) -> Result<(), remote::transport::TransportError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "scripted Windows side".to_owned()
    }
}

/// The simulated session's clock: sleeping advances its virtual time.
#[derive(Debug)]
struct SessionClock {
    address: std::net::SocketAddr,
    now: Duration,
}

impl real_backend::clock::Clock for SessionClock {
    fn now(&self) -> Duration {
        self.now
    }

    fn sleep(&mut self, length: Duration) {
        advance(self.address, length);
        self.now += length;
    }
}

#[test]
fn the_real_backend_observes_and_operates_the_cluster_through_the_api() {
    use procedure::backend::Backend as _;
    let setup = setup();
    let server = serve(&setup);
    let services: String = setup
        .cluster
        .services
        .iter()
        .map(|s| sim_server::render::service_record(&s.name, Some(&s.name), procedure::backend::ServiceStatus::Running))
        .collect();
    let programs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let links = setup
        .cluster
        .nodes
        .iter()
        .map(|node| real_backend::backend::NodeLink {
            name: node.name.clone(),
            transport: Box::new(WindowsSide { services: services.clone(), programs: Arc::clone(&programs) }),
        })
        .collect();
    let config = real_backend::backend::Config {
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
    let mut backend = real_backend::backend::RealBackend::new(Arc::clone(&setup), config, links).unwrap();
    backend.set_clock(Box::new(SessionClock { address: server.address, now: Duration::ZERO }));
    backend.use_rest_api(client(&server, "pw"));

    let observation = backend.observe().unwrap().clone();
    assert!(observation.cluster_running(), "{observation:?}");
    assert_eq!(observation.groups[0].owner, Some(procedure::cluster::NodeId(0)));

    let failover = setup.cluster.group_by_name("failover").unwrap();
    let node2 = setup.cluster.node_by_name("ssc-node2").unwrap();
    let node1 = setup.cluster.node_by_name("ssc-node1").unwrap();
    backend
        .execute(&procedure::backend::Operation::MoveGroup { via: node1, group: failover, to: Some(node2) })
        .unwrap();
    backend.wait(Duration::from_secs(600));
    let resources = &setup.cluster.groups[failover.index()].resources;
    assert!(backend.observe().unwrap().group_online_on(failover, resources, node2));

    // A suspend returns once the sources agree; a move is then refused as suspended (the
    // cluster was seen suspended, and the API refused it with its error status and code).
    backend.execute(&procedure::backend::Operation::SuspendCluster { via: node1 }).unwrap();
    assert!(backend.observe().unwrap().nodes.iter().all(|n| n.cluster == ClusterService::Suspended));
    let refused =
        backend.execute(&procedure::backend::Operation::MoveGroup { via: node1, group: failover, to: Some(node1) });
    assert!(
        matches!(
            refused,
            Err(procedure::backend::BackendError::Refused {
                reason: procedure::backend::Refusal::ClusterSuspended,
                ..
            })
        ),
        "{refused:?}"
    );
    backend.execute(&procedure::backend::Operation::ResumeCluster { via: node1 }).unwrap();
    assert!(backend.observe().unwrap().cluster_running());

    // A monitor is suspended on the node the operation names (the body's target).
    let monitor = setup.cluster.monitor_by_name("servicew-pvm").unwrap();
    backend.execute(&procedure::backend::Operation::SuspendMonitor { node: node2, monitor }).unwrap();
    backend.wait(Duration::from_secs(60));
    let monitors: Vec<MonitorStatus> =
        backend.observe().unwrap().nodes.iter().map(|n| n.monitors[monitor.index()]).collect();
    assert_eq!(monitors, [MonitorStatus::Offline, MonitorStatus::Suspended]);

    // No EXPRESSCLUSTER command line ran on a node; the API was used instead.
    let programs = programs.lock().unwrap();
    assert!(programs.iter().all(|p| p == "sc.exe" || p == "reg"), "{programs:?}");
    assert!(backend.commands().iter().any(|c| c.command == "POST /api/v1/groups/failover/move"));
}

#[test]
fn a_connection_file_with_api_rest_reads_its_password_reference() {
    let dir = tempfile::tempdir().unwrap();
    let connection = dir.path().join("site.toml");
    std::fs::write(
        &connection,
        "version = 1\napi = \"rest\"\n[rest]\nurl = \"https://127.0.0.1:29009\"\nuser = \"Administrator\"\n\
         password-env = \"CLUSTERPROC_TEST_NEVER_SET\"\n\
         [[node]]\nname = \"ssc-node1\"\ntransport = \"local\"\n[[node]]\nname = \"ssc-node2\"\ntransport = \"local\"\n",
    )
    .unwrap();
    let run = crate::support::clusterproc(&[
        "preflight",
        "procedures/ssc0307-0006.toml",
        "--connection",
        connection.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("[rest]: the environment variable CLUSTERPROC_TEST_NEVER_SET (password-env) is not set"),
        "{}",
        run.stderr
    );
}
