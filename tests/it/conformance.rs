//! Conformance: the same procedure on the same simulated cluster (same seed), run (a) on
//! the simulator directly and (b) through the real backend, the `local` transport and the
//! `sim-node` command shims (the real `clusterproc` binary linked as `clpstat`, `clpcl`,
//! `sc.exe`, ...) against a `sim-server` session. Both must complete with no invariant
//! violated and reach the same final state.
//!
//! The fourth leg, (c): the real backend with `api = "rest"` (the connection file
//! `tests/data/connection/loopback-rest.toml`): the cluster side through the simulated
//! EXPRESSCLUSTER REST API, the Windows side through the local transport and the shims, both
//! on one session of the REST server, against the same verdicts and final state.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use procedure::backend::Backend as _;
use procedure::diagnostic::SourceFile;
use procedure::driver::{Unattended, drive};
use procedure::engine::{Ending, Engine, EngineConfig};
use procedure::invariant::judge;
use procedure::setup::Setup;
use sim_cluster::sim::Builder;

use crate::real_nodes::{Keys, Sshd};
use crate::support::{binary, clusterproc_in_env, root};

const SEED: u64 = 1;

pub(crate) fn setup(procedure: &str) -> Arc<Setup> {
    let cluster =
        procedure::cluster::load(&SourceFile::read(&root().join("scenarios/cluster/ssc-two-node.toml")).unwrap())
            .unwrap();
    let procedure = procedure::procedure::load(&SourceFile::read(&root().join(procedure)).unwrap(), &cluster).unwrap();
    Arc::new(Setup::new(cluster, procedure))
}

/// (a) The simulator directly: how the run ended (as `run` prints it), the violated
/// invariants, the final state.
pub(crate) fn direct(setup: &Arc<Setup>) -> (String, Vec<String>, String) {
    let mut sim = Builder::new(Arc::clone(setup)).seed(SEED).build();
    let initial = sim.observation().clone();
    let mut engine = Engine::new(Arc::clone(setup), EngineConfig::standard());
    drive(&mut engine, &mut sim, None, &mut Unattended).unwrap();
    let ending = match engine.ending() {
        Some(Ending::Completed) | None => "Completed:".to_owned(),
        Some(Ending::Refused(refusal)) => format!(
            "Refused at step {}: {} [{}]",
            setup.procedure.steps[refusal.step].label(),
            refusal.message,
            refusal.invariant.id()
        ),
        Some(other) => panic!("the direct run ended {}", other.word()),
    };
    let violations = judge(setup, &initial, sim.events(), sim.observation(), engine.roles(), true);
    let ids = violations.iter().map(|v| v.invariant.id().to_owned()).collect();
    (ending, ids, sim_server::render::final_state(setup, sim.observation()))
}

/// A folder with the command shims (links to the clusterproc binary), the module archive and
/// a connection file for `local` nodes on a fresh simulator session.
pub(crate) struct Shims {
    dir: tempfile::TempDir,
    session: String,
    /// The REST server's user and password, when the session is one of its.
    auth: Option<(String, String)>,
    /// The ids of the modules after the first, each given the archive in `[module.archives]`.
    more_modules: Vec<String>,
}

impl Shims {
    pub(crate) fn new(server: &sim_server::server::Server, folder: &str) -> Shims {
        let created =
            sim_server::client::post(&format!("{}/sessions", server.url), &serde_json::json!({ "seed": SEED }))
                .unwrap();
        Shims::on(format!("{}/sessions/{}", server.url, created["id"]), folder, None)
    }

    pub(crate) fn on(session: String, folder: &str, auth: Option<(String, String)>) -> Shims {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let installer = format!("{folder}\\setup.exe");
        // A REST session's run must not need the EXPRESSCLUSTER commands: they are left out,
        // so a `clpstat` or `clpgrp` the backend ran would fail the run.
        let names: Vec<&str> = clusterproc::sim_node::COMMANDS
            .into_iter()
            .filter(|name| auth.is_none() || !name.starts_with("clp"))
            .chain([installer.as_str()])
            .collect();
        for name in names {
            std::os::unix::fs::symlink(binary(), bin.join(name)).unwrap();
        }
        let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        archive.start_file("setup.exe", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut archive, b"MZ stand-in installer").unwrap();
        std::fs::write(dir.path().join("module.zip"), archive.finish().unwrap().into_inner()).unwrap();
        Shims { dir, session, auth, more_modules: Vec::new() }
    }

    /// One more module, `id`, whose installer runs from `folder` (its archive is the same
    /// stand-in as the first module's).
    pub(crate) fn add_module(&mut self, id: &str, folder: &str) {
        std::os::unix::fs::symlink(binary(), self.bin().join(format!("{folder}\\setup.exe"))).unwrap();
        self.more_modules.push(id.to_owned());
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn bin(&self) -> PathBuf {
        self.path().join("bin")
    }

    fn common(&self) -> String {
        let entries: String = self.more_modules.iter().map(|id| format!("\"{id}\" = \"module.zip\"\n")).collect();
        let archives = if entries.is_empty() { String::new() } else { format!("[module.archives]\n{entries}\n") };
        let common = format!(
            "version = 1\nsimulator = \"{}\"\n\n[timeouts]\ncommand = \"20s\"\n\n[module]\narchive = \"module.zip\"\ninstaller = [\"setup.exe\", \"/s\"]\n\n\
             [watch]\nstop = [\"taskwatch\", \"stop\", \"{{service}}\"]\nstart = [\"taskwatch\", \"start\", \"{{service}}\"]\nlist = [\"taskwatch\", \"list\"]\n\n",
            self.session
        );
        common.replacen("[watch]\n", &format!("{archives}[watch]\n"), 1)
    }

    pub(crate) fn local_connection(&self) -> PathBuf {
        let path = format!("{}:{}", self.bin().display(), std::env::var("PATH").unwrap_or_default());
        let mut text = self.common();
        for (i, role) in [(1, "active"), (2, "standby")] {
            text += &format!(
                "[[node]]\nname = \"ssc-node{i}\"\nrole = \"{role}\"\ntransport = \"local\"\n\
                 env = {{ PATH = \"{path}\", CLUSTERPROC_NODE = \"ssc-node{i}\", CLUSTERPROC_SIM = \"{}\" }}\n\n",
                self.session
            );
        }
        let file = self.path().join("loopback-local.toml");
        std::fs::write(&file, text).unwrap();
        file
    }

    /// Two sshd on 127.0.0.1, one per node, whose commands reach this session's shims; each
    /// node's files live in its own folder.
    pub(crate) fn ssh_connection(&self, keys: &Keys) -> (PathBuf, Vec<Sshd>) {
        self.ssh_connection_with(keys, &|_| self.bin())
    }

    /// As [`Shims::ssh_connection`], each node's commands found first in the folder
    /// `bin_of(node)` gives (where a test may put a command that acts up on one node).
    pub(crate) fn ssh_connection_with(&self, keys: &Keys, bin_of: &dyn Fn(&str) -> PathBuf) -> (PathBuf, Vec<Sshd>) {
        let mut text = self.common();
        let mut servers = Vec::new();
        for i in 1..=2 {
            let node = format!("ssc-node{i}");
            let disk = self.path().join(format!("disk-{node}"));
            std::fs::create_dir_all(&disk).unwrap();
            let sshd = keys.start(&bin_of(&node), &node, &format!("CLUSTERPROC_SIM={}", self.session));
            text += &keys.node(i, sshd.port);
            text += &format!("working-directory = \"{}\"\n\n", disk.display());
            servers.push(sshd);
        }
        let file = self.path().join("loopback-ssh.toml");
        std::fs::write(&file, text).unwrap();
        (file, servers)
    }

    /// The committed `loopback-rest.toml` with this session and the shims' PATH filled in.
    pub(crate) fn rest_connection(&self) -> PathBuf {
        let template = std::fs::read_to_string(root().join("tests/data/connection/loopback-rest.toml")).unwrap();
        let path = format!("{}:{}", self.bin().display(), std::env::var("PATH").unwrap_or_default());
        let file = self.path().join("loopback-rest.toml");
        std::fs::write(&file, template.replace("@SESSION@", &self.session).replace("@PATH@", &path)).unwrap();
        file
    }

    pub(crate) fn final_state(&self) -> String {
        let mut request = reqwest::blocking::Client::new().get(format!("{}/state", self.session));
        if let Some((user, password)) = &self.auth {
            request = request.basic_auth(user, Some(password));
        }
        let state: serde_json::Value = serde_json::from_str(&request.send().unwrap().text().unwrap()).unwrap();
        state["state"].as_str().unwrap().to_owned()
    }
}

fn run(shims: &Shims, procedure: &str, connection: &Path) -> crate::support::Run {
    let env: Vec<(&str, &str)> = shims
        .auth
        .as_ref()
        .map(|(user, password)| {
            vec![("CLUSTERPROC_SIM_USER", user.as_str()), ("CLUSTERPROC_SIM_PASSWORD", password.as_str())]
        })
        .unwrap_or_default();
    clusterproc_in_env(
        shims.path(),
        &[
            "run",
            root().join(procedure).to_str().unwrap(),
            "--backend",
            "expresscluster",
            "--connection",
            connection.to_str().unwrap(),
            "--yes",
            "--journal",
            "journal",
            "--report",
            "report.json",
        ],
        &env,
    )
}

#[derive(Clone, Copy)]
pub(crate) enum Transport {
    Local,
    Ssh,
    /// `api = "rest"` for the cluster, `local` to the shims for Windows, one REST session.
    Rest,
}

fn conforms(procedure: &str, folder: &str, transport: Transport) -> String {
    conforms_with(procedure, folder, &[], transport)
}

/// As [`conforms`], for a procedure whose modules after the first are `more` (id, folder).
pub(crate) fn conforms_with(procedure: &str, folder: &str, more: &[(&str, &str)], transport: Transport) -> String {
    let setup = setup(procedure);
    let (ending, violations, expected) = direct(&setup);

    let (_server, _rest, mut shims) = if matches!(transport, Transport::Rest) {
        let password = format!("rehearsal-{}", std::process::id());
        let config = sim_server::rest::Config {
            setup: Arc::clone(&setup),
            seed: SEED,
            speed: 0.0,
            users: sim_server::rest::users::Users::single("ops", password.clone()),
        };
        let rest = sim_server::rest::start(config, std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
        let session = format!("http://{}/sessions/default", rest.address);
        (None, Some(rest), Shims::on(session, folder, Some(("ops".to_owned(), password))))
    } else {
        let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
        let shims = Shims::new(&server, folder);
        (Some(server), None, shims)
    };
    for (id, folder) in more {
        shims.add_module(id, folder);
    }
    let keys;
    let (connection, _servers) = match transport {
        Transport::Local => (shims.local_connection(), Vec::new()),
        Transport::Rest => (shims.rest_connection(), Vec::new()),
        Transport::Ssh => {
            keys = Keys::new(shims.path());
            shims.ssh_connection(&keys)
        }
    };
    let run = run(&shims, procedure, &connection);
    let expected_code = if ending == "Completed:" && violations.is_empty() { 0 } else { 1 };
    assert_eq!(run.code, expected_code, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&ending), "expected {ending:?} in\n{}", run.stdout);
    for id in &violations {
        assert!(run.stdout.contains(&format!("VIOLATED    {id}")), "expected {id} violated in\n{}", run.stdout);
    }
    similar_asserts(&expected, &shims.final_state());
    // The per-command overhead, for people reading the test output (never asserted).
    if let Some(line) = run.stdout.lines().find(|line| line.starts_with("Commands:")) {
        let over = match transport {
            Transport::Local => "local",
            Transport::Ssh => "ssh",
            Transport::Rest => "rest + local",
        };
        eprintln!("{procedure} over {over}: {line}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shims.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["backend"], "expresscluster", "{report}");
    let journal = std::fs::read_to_string(shims.path().join("journal/journal.jsonl")).unwrap();
    assert!(journal.lines().last().unwrap().contains("\"kind\":\"finished\""), "{journal}");
    run.stdout
}

fn similar_asserts(expected: &str, found: &str) {
    if expected != found {
        let differing: Vec<String> = expected
            .lines()
            .zip(found.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("direct: {a}\nshims:  {b}"))
            .collect();
        panic!("final states differ:\n{}", differing.join("\n"));
    }
}

#[test]
fn the_seed_procedure_through_the_shims_matches_the_simulator() {
    let stdout = conforms("procedures/ssc0307-0006.toml", r"C:\Temp\SSC0307-0006", Transport::Local);
    assert!(stdout.contains("Registry drift: none (0 values written by installers stayed)"), "{stdout}");
    assert!(
        stdout.contains(
            "Module archive: sha256 d01bac238c88d6aff6face4ea94fcec8aa0754919a165878e1d47c1484c3f15a, 1 file,"
        ),
        "{stdout}"
    );
}

/// The fourth leg: the cluster through the REST API, Windows through the shims, one session.
#[test]
fn the_seed_procedure_through_the_rest_api_and_the_shims_matches_the_simulator() {
    let stdout = conforms("procedures/ssc0307-0006.toml", r"C:\Temp\SSC0307-0006", Transport::Rest);
    assert!(stdout.contains("Registry drift: none (0 values written by installers stayed)"), "{stdout}");
}

#[test]
fn the_seed_procedure_over_real_sshd_matches_the_simulator() {
    conforms("procedures/ssc0307-0006.toml", r"C:\Temp\SSC0307-0006", Transport::Ssh);
}

#[test]
fn a_registry_writing_module_through_the_shims_matches_the_simulator() {
    let stdout =
        conforms("procedures/examples/registry-changing-module.toml", r"C:\Temp\EXAMPLE-0001", Transport::Local);
    // Both nodes' installers wrote the module's two values, and registry sync kept them.
    assert!(stdout.contains("Registry drift: none (4 values written by installers stayed)"), "{stdout}");
}

/// A procedure that stops registry sync during the apply: the guard refuses the same step,
/// for the same invariant, on both.
#[test]
fn a_guard_refuses_the_same_step_through_the_shims() {
    let stdout = conforms("tests/data/unsafe/stop-registry-sync.toml", r"C:\Temp\EXAMPLE-0001", Transport::Local);
    assert!(stdout.contains("[registry-sync-stopped-during-apply]"), "{stdout}");
}

#[test]
fn the_watch_guard_refuses_the_same_step_through_the_shims() {
    let stdout = conforms("tests/data/unsafe/pvmservice-still-watched.toml", r"C:\Temp\SSC0307-0006", Transport::Local);
    assert!(stdout.contains("[monitoring-during-apply]"), "{stdout}");
}

#[test]
fn a_restart_at_the_prompt_is_refused_the_same_way_through_the_shims() {
    let stdout = conforms("tests/data/unsafe/reboot-at-prompt.toml", r"C:\Temp\EXAMPLE-0001", Transport::Local);
    assert!(stdout.contains("[reboot-while-suspended]"), "{stdout}");
}

#[test]
fn a_run_with_the_standby_sshd_stopped_fails_in_seconds_naming_it() {
    let setup = setup("procedures/ssc0307-0006.toml");
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, r"C:\Temp\SSC0307-0006");
    let keys = Keys::new(shims.path());
    let (connection, mut servers) = shims.ssh_connection(&keys);
    let standby = servers.pop().unwrap();
    let port = standby.port;
    drop(standby);
    let started = std::time::Instant::now();
    let run = run(&shims, "procedures/ssc0307-0006.toml", &connection);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let user = crate::real_nodes::current_user();
    assert!(
        run.stdout.contains(&format!("ssc-node2 does not answer via ssh {user}@127.0.0.1:{port}")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("The run did not start"), "{}", run.stdout);
    // Generous against a loaded machine, far below any SSH default timeout.
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

/// What the simulated nodes print is read by the same parsers as real outputs, and says
/// what the simulator's state says.
#[test]
fn the_simulated_outputs_parse_as_real_ones() {
    use procedure::backend::Operation;
    use procedure::cluster::NodeId;
    use real_backend::parse::clpstat::Status;

    let setup = setup("procedures/ssc0307-0006.toml");
    let mut sim = Builder::new(Arc::clone(&setup)).seed(SEED).build();
    let status = |sim: &sim_cluster::sim::Sim, node: u8| {
        real_backend::parse::clpstat::parse_status(&sim_server::render::clpstat_long(
            &setup,
            sim.observation(),
            NodeId(node),
        ))
        .unwrap()
    };
    let view = status(&sim, 1);
    assert_eq!(view.cluster, setup.cluster.name);
    assert!(view.server("ssc-node2").unwrap().local);
    assert_eq!(view.group("failover").unwrap().current.as_deref(), Some("ssc-node1"));
    let group = view.group("failover").unwrap();
    assert!(
        group.resources.iter().all(|r| r.status == Status::Online)
            && group.resources.len() == setup.cluster.resources.len()
    );

    sim.execute(&Operation::SuspendCluster { via: NodeId(0) }).unwrap();
    sim.wait(std::time::Duration::from_secs(120));
    let view = status(&sim, 0);
    assert!(view.servers.iter().all(|server| server.status == Status::Suspend));

    let listing =
        real_backend::parse::sc::parse_text(&sim_server::render::service_listing(&setup, sim.observation(), NodeId(0)));
    assert_eq!(listing.unwrap().services.len(), setup.cluster.services.len());
    let key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\NEC\PVM";
    let text = sim_server::render::reg_query(&setup, sim.observation(), NodeId(0), key).unwrap();
    let output = remote::output::Output { stdout: text.into_bytes(), stderr: Vec::new(), code: Some(0) };
    match real_backend::parse::reg_query::parse(&output).unwrap() {
        real_backend::parse::reg_query::RegQuery::Values(values) => {
            assert_eq!(
                values.iter().map(|v| (v.name.as_str(), v.data.text())).collect::<Vec<_>>(),
                [("Version", "3.7".to_owned())]
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A node of a simulated cluster reached as the real backend reaches a node: the argv goes
/// to what the command shims run (`sim_server::exec`), and comes back as the tool's output.
pub(crate) struct SimulatedNode {
    pub(crate) sim: Arc<std::sync::Mutex<sim_cluster::sim::Sim>>,
    pub(crate) node: procedure::cluster::NodeId,
}

impl remote::transport::Transport for SimulatedNode {
    fn run(
        &mut self,
        argv: &remote::argv::Argv,
        _timeout: std::time::Duration,
    ) -> Result<remote::output::Output, remote::transport::TransportError> {
        let mut elements = vec![argv.program.clone()];
        elements.extend(argv.args.iter().cloned());
        let reply = sim_server::exec::exec(&mut self.sim.lock().unwrap(), self.node, &elements);
        if reply.unreachable {
            return Err(remote::transport::TransportError::Unreachable { reason: "the node is down".into() });
        }
        Ok(remote::output::Output {
            stdout: reply.stdout.into_bytes(),
            stderr: reply.stderr.into_bytes(),
            code: Some(reply.code),
        })
    }

    fn copy_file(
        &mut self,
        _local: &Path,
        _remote: &str,
        _timeout: std::time::Duration,
    ) -> Result<(), remote::transport::TransportError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "simulated node".to_owned()
    }
}

/// `reg export` then `reg import` through the real backend on simulated nodes do what the
/// simulator does with the same operations: the export's values overwrite the node's, the
/// values it lacks stay, and registry sync captures them; a file the node lacks fails as reg
/// does, naming the node and the file.
#[test]
fn a_registry_import_through_the_real_backend_matches_the_simulator() {
    use procedure::backend::{BackendError, Operation, RestartAnswer};
    use procedure::cluster::NodeId;

    let setup = setup("procedures/examples/registry-changing-module.toml");
    let node = NodeId(0);
    let file: Arc<str> = Arc::from(r"C:\Temp\EXAMPLE-0001\before.reg");
    let export = Operation::BackupRegistry { node, file: Arc::clone(&file) };
    let import = Operation::ImportRegistry { node, file: Arc::clone(&file) };
    let settle = |sim: &mut sim_cluster::sim::Sim| sim.wait(std::time::Duration::from_secs(3600));
    // The module installed on the node in a suspend window, its watches stopped, as the
    // procedure does: its values written, then captured at the resume.
    let install = |sim: &mut sim_cluster::sim::Sim| {
        let folder: Arc<str> = Arc::from(r"C:\Temp\EXAMPLE-0001");
        let mut operations = vec![
            Operation::UnzipModule { node, folder: Arc::clone(&folder), module: procedure::module::ModuleId(0) },
            Operation::SuspendCluster { via: node },
        ];
        operations.extend(setup.module_services.iter().map(|&service| Operation::StopWatch { node, service }));
        operations.push(Operation::InstallModule {
            node,
            folder,
            module: procedure::module::ModuleId(0),
            restart_answer: RestartAnswer::Decline,
        });
        operations.push(Operation::ResumeCluster { via: node });
        for operation in &operations {
            sim.execute(operation).unwrap();
            settle(sim);
        }
    };

    // (a) The simulator directly: export the old values, install, import the export.
    let mut direct = Builder::new(Arc::clone(&setup)).seed(SEED).build();
    direct.execute(&export).unwrap();
    settle(&mut direct);
    install(&mut direct);
    direct.execute(&import).unwrap();
    settle(&mut direct);

    // (b) The same cluster; the export and the import through the real backend's commands.
    let shared = Arc::new(std::sync::Mutex::new(Builder::new(Arc::clone(&setup)).seed(SEED).build()));
    let links = setup
        .cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(n, known)| real_backend::backend::NodeLink {
            name: known.name.clone(),
            transport: Box::new(SimulatedNode { sim: Arc::clone(&shared), node: NodeId(n as u8) }),
        })
        .collect();
    let config = real_backend::backend::Config {
        command_timeout: std::time::Duration::from_secs(5),
        install_timeout: std::time::Duration::from_secs(5),
        copy_timeout: std::time::Duration::from_secs(5),
        service_keys: Default::default(),
        installer: None,
        archive: None,
        archives: Default::default(),
        staging: PathBuf::from("/nonexistent"),
        watch: None,
        clpstat_long: true,
    };
    let mut backend = real_backend::backend::RealBackend::new(Arc::clone(&setup), config, links).unwrap();
    backend.execute(&export).unwrap();
    settle(&mut shared.lock().unwrap());
    install(&mut shared.lock().unwrap());
    backend.execute(&import).unwrap();
    settle(&mut shared.lock().unwrap());

    let key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\NEC\PVM";
    let shown =
        |sim: &sim_cluster::sim::Sim| sim_server::render::reg_query(&setup, sim.observation(), node, key).unwrap();
    let through_backend = shown(&shared.lock().unwrap());
    assert_eq!(shown(&direct), through_backend);
    // The export held the old Version and no PatchLevel: Version is back, PatchLevel stays.
    assert!(through_backend.contains("Version    REG_SZ    3.7\r\n"), "{through_backend}");
    assert!(through_backend.contains("PatchLevel    REG_SZ    1"), "{through_backend}");
    similar_asserts(
        &sim_server::render::final_state(&setup, direct.observation()),
        &sim_server::render::final_state(&setup, shared.lock().unwrap().observation()),
    );
    // What the real backend reads back from the node agrees.
    let observed = backend.observe().unwrap().nodes[0].registry.clone();
    assert_eq!(observed, direct.observation().nodes[0].registry);
    let captured = direct.trace().iter().rev().find_map(|event| match event.kind {
        procedure::event::EventKind::RegistryCaptured { changed, .. } => Some(changed),
        _ => None,
    });
    assert_eq!(captured, Some(1), "registry sync captured the imported Version");

    let missing = Operation::ImportRegistry { node, file: Arc::from(r"C:\Temp\nowhere.reg") };
    let error = backend.execute(&missing).unwrap_err();
    let BackendError::Failed { node: failed, message } = &error else { panic!("{error:?}") };
    assert_eq!(*failed, node);
    assert!(
        message.starts_with("ssc-node1: `reg import C:\\Temp\\nowhere.reg` failed: Error opening the file"),
        "{message}"
    );
    let direct_error = direct.execute(&missing).unwrap_err().to_string();
    assert!(direct_error.contains(r"C:\Temp\nowhere.reg") && direct_error.contains("ssc-node1"), "{direct_error}");
}
