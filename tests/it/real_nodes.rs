//! `preflight` and `run --backend expresscluster` through real processes: the real binary,
//! the `local` transport and the `ssh` transport over a real OpenSSH `sshd` on 127.0.0.1,
//! reaching command shims that print what EXPRESSCLUSTER and Windows tools print (the
//! project's constructed outputs, which the parser tests check against real captures).
//!
//! The shims are static: they answer a healthy (or a suspended) cluster, enough for the
//! pre-flight checks; the shims that play the simulated cluster are not built yet.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{clusterproc_in, root};

/// A node as the shims play it.
#[derive(Clone, Copy)]
enum NodeView {
    Healthy,
    Suspended,
}

/// A folder with the shims, their outputs, a module archive and a connection file.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(views: [NodeView; 2]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture { dir };
        let data = fixture.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        for (i, view) in views.iter().enumerate() {
            let node = format!("ssc-node{}", i + 1);
            std::fs::write(data.join(format!("clpstat-{node}.txt")), clpstat(&node, *view)).unwrap();
        }
        std::fs::write(data.join("sc.txt"), service_listing()).unwrap();
        std::fs::write(data.join("fsutil.txt"), "Total free bytes                :  52,428,800,000 ( 48.8 GB)\r\n")
            .unwrap();
        let bin = fixture.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let data = data.display();
        shim(&bin, "clpstat", &format!("cat \"{data}/clpstat-$CLUSTERPROC_NODE.txt\""));
        shim(&bin, "sc.exe", &format!("cat \"{data}/sc.txt\""));
        shim(&bin, "fsutil", &format!("cat \"{data}/fsutil.txt\""));
        shim(&bin, "reg", "printf '\\r\\n%s\\r\\n    Version    REG_SZ    3.7\\r\\n\\r\\n' \"$3\"");
        // The module archive: a stand-in installer and a text file.
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("setup.exe", options).unwrap();
        writer.write_all(b"MZ stand-in installer").unwrap();
        writer.start_file("Install.txt", options).unwrap();
        writer.write_all(b"Section 2: exchange the module.").unwrap();
        std::fs::write(fixture.path().join("SSC0307-0006.zip"), writer.finish().unwrap().into_inner()).unwrap();
        fixture
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn bin(&self) -> PathBuf {
        self.path().join("bin")
    }

    /// Writes `connection.toml` with the common part and the two `[[node]]` tables.
    fn connection(&self, nodes: &str) -> PathBuf {
        let path = self.path().join("connection.toml");
        let text = format!(
            "version = 1\n\n[timeouts]\nconnect = \"3s\"\ncommand = \"5s\"\n\n[module]\narchive = \"SSC0307-0006.zip\"\ninstaller = [\"setup.exe\", \"/s\"]\n\n{nodes}"
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn local_nodes(&self) -> String {
        let path = format!("{}:{}", self.bin().display(), std::env::var("PATH").unwrap_or_default());
        (1..=2)
            .map(|i| {
                format!(
                    "[[node]]\nname = \"ssc-node{i}\"\nrole = \"{}\"\ntransport = \"local\"\nenv = {{ PATH = \"{path}\", CLUSTERPROC_NODE = \"ssc-node{i}\" }}\n\n",
                    if i == 1 { "active" } else { "standby" }
                )
            })
            .collect()
    }

    fn preflight(&self, connection: &Path) -> crate::support::Run {
        self.preflight_as(connection, "text")
    }

    fn preflight_as(&self, connection: &Path, format: &str) -> crate::support::Run {
        let procedure = root().join("procedures/ssc0307-0006.toml");
        clusterproc_in(
            self.path(),
            &[
                "preflight",
                procedure.to_str().unwrap(),
                "--connection",
                connection.to_str().unwrap(),
                "--format",
                format,
            ],
        )
    }
}

fn shim(bin: &Path, name: &str, body: &str) {
    let path = bin.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    make_executable(&path);
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `clpstat --long` as node `local` shows the SSC cluster (CRLF and padding as on Windows).
fn clpstat(local: &str, view: NodeView) -> String {
    let (server, monitor) = match view {
        NodeView::Healthy => ("Online", "Normal"),
        NodeView::Suspended => ("Suspend", "Suspend"),
    };
    let row = |indent: usize, name: &str, dots: bool, status: &str| {
        let star = if name == local && indent == 4 && dots { "*" } else { " " };
        let label = if dots { format!("{name} {}", ".".repeat(33 - name.len())) } else { format!("{name:<34}") };
        let label = if indent == 6 { format!("{name:<32}") } else { label };
        format!("{}{star}{label}: {status}\r\n", " ".repeat(indent - 1))
    };
    let mut out = String::from(
        " ========================  CLUSTER STATUS  ===========================\r\n  Cluster : ssc-cluster\r\n  <server>\r\n",
    );
    for node in ["ssc-node1", "ssc-node2"] {
        out += &row(4, node, true, server);
        out += &row(6, "lankhb1", false, "Normal           LAN Heartbeat");
    }
    out += "  <group>\r\n";
    out += &row(4, "failover", true, "Online");
    out += &row(6, "current", false, "ssc-node1");
    for resource in [
        "md",
        "fip",
        "regsync",
        "service-sql-dpmdbi",
        "service-sql-ssccmdb",
        "service-esmpro",
        "service-dpm",
        "service-pvm",
        "service-sysmon",
    ] {
        out += &row(6, resource, false, "Online");
    }
    out += "  <monitor>\r\n";
    for name in
        ["mdw", "regsyncw", "servicew-dpm", "servicew-pvm", "servicew-sysmon", "servicew-esmpro", "servicew-sql"]
    {
        out += &row(4, name, false, monitor);
    }
    out + " =====================================================================\r\n"
}

/// `sc.exe query type= service state= all` listing every service of the default cluster.
fn service_listing() -> String {
    crate::support::default_cluster()
        .services
        .iter()
        .map(|service| {
            format!(
                "\r\nSERVICE_NAME: {0}\r\nDISPLAY_NAME: {0}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 4  RUNNING\r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n",
                service.name
            )
        })
        .collect()
}

fn redact(text: &str, fixture: &Fixture) -> String {
    text.replace(&fixture.path().display().to_string(), "[dir]")
}

#[test]
fn preflight_passes_on_a_healthy_cluster_over_local() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let connection = fixture.connection(&fixture.local_nodes());
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(redact(&run.stdout, &fixture));
}

#[test]
fn preflight_fails_on_a_suspended_cluster_with_impact_and_fix() {
    let fixture = Fixture::new([NodeView::Suspended, NodeView::Suspended]);
    let connection = fixture.connection(&fixture.local_nodes());
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(redact(&run.stdout, &fixture));
}

/// A run that does not start leaves the last run's report as it was: reports are checked
/// before the run and written whole after it.
#[test]
fn a_run_that_fails_preflight_leaves_an_existing_report_as_it_is() {
    let fixture = Fixture::new([NodeView::Suspended, NodeView::Suspended]);
    let connection = fixture.connection(&fixture.local_nodes());
    let report = fixture.path().join("report.html");
    std::fs::write(&report, "the last run's report").unwrap();
    let procedure = root().join("procedures/ssc0307-0006.toml");
    let run = clusterproc_in(
        fixture.path(),
        &[
            "run",
            procedure.to_str().unwrap(),
            "--backend",
            "expresscluster",
            "--connection",
            connection.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--yes",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("The run did not start"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "the last run's report");
}

#[test]
fn a_connection_file_error_points_at_its_line() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let connection = fixture.connection(
        "[[node]]\nname = \"ssc-node1\"\ntransport = \"ssh\"\nhost = \"h\"\nuser = \"u\"\npassword = \"secret\"\n",
    );
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("connection.toml:16:1: unknown field `password`"), "{}", run.stderr);
}

/// A real OpenSSH server on 127.0.0.1 for one node, with a throwaway host key; commands
/// run with the shims first on PATH and the node's name in `CLUSTERPROC_NODE`.
pub(crate) struct Sshd {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keys shared by the sshd instances of a fixture: host key, user key, known_hosts.
pub(crate) struct Keys {
    pub(crate) dir: PathBuf,
}

fn keygen(path: &Path) {
    let status = crate::support::status(
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "clusterproc-test", "-f"]).arg(path),
    )
    .expect("ssh-keygen (openssh-client) is installed; .ci/run installs it");
    assert!(status.success());
}

impl Keys {
    pub(crate) fn new(folder: &Path) -> Keys {
        let dir = folder.join("ssh");
        std::fs::create_dir_all(&dir).unwrap();
        keygen(&dir.join("host_key"));
        keygen(&dir.join("user_key"));
        std::fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).unwrap();
        Keys { dir }
    }

    /// Starts an sshd for `node` whose commands find `bin` first on PATH and get `env`
    /// (`NAME=value` pairs separated by spaces).
    pub(crate) fn start(&self, bin: &Path, node: &str, env: &str) -> Sshd {
        let sshd = Path::new("/usr/sbin/sshd");
        assert!(sshd.exists(), "/usr/sbin/sshd is missing: install openssh-server (.ci/run does)");
        // sshd refuses to start without its privilege separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let config = self.dir.join(format!("sshd_config-{node}"));
        let user = crate::real_nodes::current_user();
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {keys}/host_key\nPidFile {keys}/sshd-{node}.pid\n\
                 AuthorizedKeysFile {keys}/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nSubsystem sftp /usr/lib/openssh/sftp-server\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nAllowUsers {user}\n\
                 SetEnv PATH={bin}:/usr/bin:/bin CLUSTERPROC_NODE={node} {env}\n",
                keys = self.dir.display(),
                bin = bin.display(),
            ),
        )
        .unwrap();
        let child = crate::support::spawn(
            Command::new(sshd).args(["-D", "-e", "-f"]).arg(&config).stdout(Stdio::null()).stderr(Stdio::null()),
        );
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "sshd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let host_key = std::fs::read_to_string(self.dir.join("host_key.pub")).unwrap();
        let mut known_hosts =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("known_hosts")).unwrap();
        writeln!(known_hosts, "[127.0.0.1]:{port} {}", host_key.trim()).unwrap();
        Sshd { child, port }
    }

    pub(crate) fn node(&self, i: usize, port: u16) -> String {
        let user = crate::real_nodes::current_user();
        format!(
            "[[node]]\nname = \"ssc-node{i}\"\ntransport = \"ssh\"\nhost = \"127.0.0.1\"\nport = {port}\nuser = \"{user}\"\n\
             identity-file = \"{keys}/user_key\"\nknown-hosts = \"{keys}/known_hosts\"\nshell = \"posix\"\n\n",
            keys = self.dir.display()
        )
    }
}

/// The user this test runs as (sshd lets only this user in), from `id -un`.
pub(crate) fn current_user() -> String {
    let output = crate::support::output(Command::new("id").arg("-un")).expect("id runs");
    String::from_utf8(output.stdout).expect("a UTF-8 user name").trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn preflight_over_ssh_passes_and_an_unreachable_standby_fails_in_seconds_naming_it() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let node1 = keys.start(&fixture.bin(), "ssc-node1", "");
    let node2 = keys.start(&fixture.bin(), "ssc-node2", "");
    let connection = fixture.connection(&(keys.node(1, node1.port) + &keys.node(2, node2.port)));
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.ends_with("All 10 checks passed.\n"), "{}", run.stdout);

    let port2 = node2.port;
    drop(node2);
    let started = Instant::now();
    let run = fixture.preflight(&connection);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let user = crate::real_nodes::current_user();
    let expected = format!("ssc-node2 does not answer via ssh {user}@127.0.0.1:{port2}");
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    // Generous against a loaded machine, far below any SSH default timeout.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    drop(node1);
}

fn winrm_nodes(port: u16) -> String {
    (1..=2)
        .map(|i| {
            format!(
                "[[node]]\nname = \"ssc-node{i}\"\ntransport = \"winrm\"\nurl = \"https://127.0.0.1:{port}/wsman\"\nuser = \"admin\"\npassword-env = \"CLUSTERPROC_TEST_WINRM_PASSWORD\"\n\n"
            )
        })
        .collect()
}

#[test]
fn a_winrm_password_variable_that_is_not_set_is_named_not_guessed() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let connection = fixture.connection(&winrm_nodes(free_port()));
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "node ssc-node1: the environment variable CLUSTERPROC_TEST_WINRM_PASSWORD (password-env) is not set"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_winrm_node_that_does_not_answer_fails_preflight_naming_it() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let port = free_port();
    let connection = fixture.connection(&winrm_nodes(port));
    let procedure = root().join("procedures/ssc0307-0006.toml");
    let output = crate::support::output(
        Command::new(crate::support::binary())
            .args(["preflight", procedure.to_str().unwrap(), "--connection", connection.to_str().unwrap()])
            .env("CLUSTERPROC_TEST_WINRM_PASSWORD", "not-a-real-secret")
            .current_dir(fixture.path()),
    )
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("ssc-node1 does not answer via winrm admin@https://127.0.0.1:{port}/wsman")),
        "{stdout}"
    );
    assert!(stdout.contains("/wsman: cannot connect: "), "{stdout}");
    assert!(stdout.contains("Connection refused"), "{stdout}");
    assert!(!stdout.contains("not-a-real-secret"));
}

/// Over a real sshd: each hostile element reaches the remote program as one argument, byte
/// for byte, and a copied file arrives intact.
#[test]
fn hostile_arguments_and_files_cross_ssh_intact() {
    use remote::argv::Argv;
    use remote::transport::Transport as _;
    use remote::transport::encode::RemoteShell;
    use remote::transport::ssh::{SshConfig, SshTransport};

    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let sshd = keys.start(&fixture.bin(), "ssc-node1", "");
    let disk = fixture.path().join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let config = SshConfig {
        host: "127.0.0.1".into(),
        port: sshd.port,
        user: crate::real_nodes::current_user(),
        identity_file: Some(keys.dir.join("user_key")),
        known_hosts: keys.dir.join("known_hosts"),
        shell: RemoteShell::Posix,
        working_directory: Some(disk.display().to_string()),
    };
    let mut transport = SshTransport::new(config, Duration::from_secs(5)).unwrap();
    let hostile =
        ["a\"b", "x & y", "p | q", "%PATH%", "$(id)", "`id`", "l1\nl2", "'q'", "a;b", " s ", "サービス", "tr\\"];
    let mut argv = Argv::new("printf").arg("%s\\0");
    argv.args.extend(hostile.iter().map(|h| (*h).to_owned()));
    let output = transport.run(&argv, Duration::from_secs(20)).unwrap();
    let expected: Vec<u8> = hostile.iter().flat_map(|h| h.bytes().chain([0])).collect();
    assert_eq!(output.stdout, expected, "{}", String::from_utf8_lossy(&output.stderr));

    let local = fixture.path().join("SSC0307-0006.zip");
    transport.copy_file(&local, r"C:\Temp\M\module.zip", Duration::from_secs(20)).unwrap();
    let copied = std::fs::read(disk.join(r"C:\Temp\M\module.zip")).unwrap();
    assert_eq!(copied, std::fs::read(&local).unwrap());
}

/// The same pre-flight through the system's OpenSSH client (`transport = "openssh"`).
#[test]
fn preflight_over_the_openssh_client_passes() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let node1 = keys.start(&fixture.bin(), "ssc-node1", "");
    let node2 = keys.start(&fixture.bin(), "ssc-node2", "");
    let nodes = (keys.node(1, node1.port) + &keys.node(2, node2.port))
        .replace("transport = \"ssh\"", "transport = \"openssh\"");
    let connection = fixture.connection(&nodes);
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.ends_with("All 10 checks passed.\n"), "{}", run.stdout);
}

/// README's example connection file is valid, and the same as the committed copy.
#[test]
fn the_readme_connection_example_is_valid() {
    let path = root().join("tests/data/connection/site-example.toml");
    let source = procedure::diagnostic::SourceFile::read(&path).unwrap();
    let connection = real_backend::connection::load(&source).unwrap();
    assert_eq!(connection.nodes.len(), 2);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let body: String =
        source.text().lines().skip_while(|line| line.starts_with('#')).map(|line| format!("{line}\n")).collect();
    assert!(readme.contains(&body), "README.md's example differs from tests/data/connection/site-example.toml");
}

#[test]
fn preflight_speaks_json_and_junit() {
    let fixture = Fixture::new([NodeView::Suspended, NodeView::Suspended]);
    let connection = fixture.connection(&fixture.local_nodes());
    let procedure = root().join("procedures/ssc0307-0006.toml");
    let json = clusterproc_in(
        fixture.path(),
        &["preflight", procedure.to_str().unwrap(), "--connection", connection.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["passed"], false);
    let failed: Vec<&str> = value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["cluster-running", "nodes-online", "monitors-normal"]);

    let junit = clusterproc_in(
        fixture.path(),
        &["preflight", procedure.to_str().unwrap(), "--connection", connection.to_str().unwrap(), "--format", "junit"],
    );
    assert_eq!(junit.code, 1);
    let document = roxmltree::Document::parse(&junit.stdout).unwrap();
    let suite = document.root_element();
    assert_eq!((suite.attribute("tests"), suite.attribute("failures")), (Some("10"), Some("3")));
}

/// A `[[node]]` reached over SSH at a port of 127.0.0.1 where nothing listens.
fn closed_ssh_node(keys: &Keys, i: usize) -> String {
    let known_hosts = keys.dir.join("known_hosts");
    std::fs::OpenOptions::new().create(true).append(true).open(&known_hosts).unwrap();
    keys.node(i, free_port())
}

/// Each check's id and outcome, from `preflight --format json`.
fn outcomes(json: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect()
}

fn expected_outcomes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(id, outcome)| ((*id).to_owned(), (*outcome).to_owned())).collect()
}

/// With no node answering, no check that needs a node claims anything: each says it could
/// not be run and why, and pre-flight does not pass, in every format.
#[test]
fn preflight_with_no_node_answering_claims_nothing_about_the_cluster() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let connection = fixture.connection(&(closed_ssh_node(&keys, 1) + &closed_ssh_node(&keys, 2)));

    let text = fixture.preflight(&connection);
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    for claim in [
        "ok      monitors-normal",
        "            all Normal\n",
        "is not in the cluster",
        "            present and Online\n",
        "MiB free",
    ] {
        assert!(!text.stdout.contains(claim), "claims {claim:?}:\n{}", text.stdout);
    }
    for id in [
        "cluster-running",
        "nodes-online",
        "group-online-on-active",
        "monitors-normal",
        "registry-sync-present",
        "services-exist",
        "free-space",
    ] {
        let line = text
            .stdout
            .lines()
            .position(|line| line.starts_with(&format!("  UNKNOWN {id} ")))
            .unwrap_or_else(|| panic!("{id} is not UNKNOWN:\n{}", text.stdout));
        assert_eq!(
            text.stdout.lines().nth(line + 1),
            Some("            not checked: no node answers"),
            "{}",
            text.stdout
        );
    }
    assert!(
        text.stdout.ends_with("8 of 10 checks did not pass: 1 failed, 7 could not be run (unknown).\n"),
        "{}",
        text.stdout
    );

    let json = fixture.preflight_as(&connection, "json");
    assert_eq!(json.code, 1, "{}{}", json.stdout, json.stderr);
    assert_eq!(
        outcomes(&json.stdout),
        expected_outcomes(&[
            ("nodes-reachable", "failed"),
            ("cluster-running", "unknown"),
            ("nodes-online", "unknown"),
            ("group-online-on-active", "unknown"),
            ("monitors-normal", "unknown"),
            ("registry-sync-present", "unknown"),
            ("services-exist", "unknown"),
            ("module-archive", "passed"),
            ("working-folder-local", "passed"),
            ("free-space", "unknown"),
        ])
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["passed"], false);
    assert_eq!(value["checks"][4]["passed"], false, "an unknown check did not pass");

    let junit = fixture.preflight_as(&connection, "junit");
    assert_eq!(junit.code, 1, "{}{}", junit.stdout, junit.stderr);
    let document = roxmltree::Document::parse(&junit.stdout).unwrap();
    let suite = document.root_element();
    assert_eq!(
        (suite.attribute("tests"), suite.attribute("failures"), suite.attribute("errors")),
        (Some("10"), Some("1"), Some("7"))
    );
    let monitors = suite.children().find(|c| c.attribute("name") == Some("monitors-normal")).unwrap();
    let error = monitors.children().find(|c| c.has_tag_name("error")).expect("monitors-normal is an <error>");
    assert!(error.text().unwrap().contains("not checked: no node answers"), "{}", junit.stdout);
}

/// With one node answering and the other not, what the answering node shows is judged and
/// what only the silent node could show is not checked: such a check does not pass.
#[test]
fn preflight_with_one_node_silent_judges_only_what_it_saw() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let local = fixture.local_nodes();
    let node1 = &local[..local.find("\n\n[[node]]").unwrap() + 2];
    let connection = fixture.connection(&(node1.to_owned() + &closed_ssh_node(&keys, 2)));

    let json = fixture.preflight_as(&connection, "json");
    assert_eq!(json.code, 1, "{}{}", json.stdout, json.stderr);
    assert_eq!(
        outcomes(&json.stdout),
        expected_outcomes(&[
            ("nodes-reachable", "failed"),
            ("cluster-running", "unknown"),
            // ssc-node1's clpstat shows every server and the group: seen, so judged.
            ("nodes-online", "passed"),
            ("group-online-on-active", "passed"),
            ("monitors-normal", "unknown"),
            ("registry-sync-present", "passed"),
            ("services-exist", "unknown"),
            ("module-archive", "passed"),
            ("working-folder-local", "passed"),
            ("free-space", "unknown"),
        ])
    );
    let text = fixture.preflight(&connection);
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    let monitors = text.stdout.split("  UNKNOWN monitors-normal").nth(1).unwrap();
    assert!(
        monitors.starts_with(
            "          every monitor resource is Normal on every node\n            ssc-node2: not checked, the node does not answer\n            impact: "
        ),
        "{}",
        text.stdout
    );
}

/// A node that answers with a clpstat output the parser does not understand is reachable,
/// and what only its output could show is not checked, with the parser's reason.
#[test]
fn preflight_does_not_judge_a_node_whose_clpstat_it_cannot_read() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    std::fs::write(fixture.path().join("data/clpstat-ssc-node2.txt"), "something else entirely\r\n").unwrap();
    let connection = fixture.connection(&fixture.local_nodes());
    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("Pre-flight checks\n  ok      nodes-reachable "), "{}", run.stdout);
    let cluster_running = run.stdout.split("  UNKNOWN cluster-running").nth(1).expect("cluster-running is UNKNOWN");
    let line = cluster_running.lines().nth(1).unwrap();
    assert!(line.starts_with("            ssc-node2: not checked, "), "{}", run.stdout);
    assert!(line.contains("something else entirely"), "the parser's reason quotes the line: {}", run.stdout);
}

/// Preflight says why a node does not answer, over both SSH transports: nothing listens
/// (refused), or something listens and never speaks SSH (the connect timeout, with the
/// connection file's figure, not the command timeout's).
#[test]
fn preflight_says_why_a_node_does_not_answer_refused_or_timed_out() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let refusing = closed_ssh_node(&keys, 1);
    let refused_port = refusing.split("\nport = ").nth(1).unwrap().lines().next().unwrap().to_owned();
    // Holds the port open: the kernel accepts the connection, nobody ever answers on it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let user = crate::real_nodes::current_user();
    let nodes = refusing + &keys.node(2, silent_port);

    let run = fixture.preflight(&fixture.connection(&nodes));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let refused = format!(
        "ssc-node1 does not answer via ssh {user}@127.0.0.1:{refused_port}: cannot connect: Connection refused"
    );
    assert!(run.stdout.contains(&refused), "{}", run.stdout);
    let timed_out = format!(
        "ssc-node2 does not answer via ssh {user}@127.0.0.1:{silent_port}: no connection within 3s (the connect timeout)\n"
    );
    assert!(run.stdout.contains(&timed_out), "{}", run.stdout);
    assert!(!run.stdout.contains("within 5"), "the command timeout did not run out: {}", run.stdout);

    let run = fixture.preflight(&fixture.connection(&nodes.replace("transport = \"ssh\"", "transport = \"openssh\"")));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let refused = format!("ssc-node1 does not answer via ssh {user}@127.0.0.1:{refused_port}: ");
    let line = run.stdout.lines().find(|line| line.contains(&refused)).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.ends_with("Connection refused"), "{}", run.stdout);
    let line = run
        .stdout
        .lines()
        .find(|line| line.contains(&format!("ssc-node2 does not answer via ssh {user}@127.0.0.1:{silent_port}: ")))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("timed out"), "{}", run.stdout);
    drop(silent);
}

/// A node whose sshd refuses the key: preflight says so, naming the key and the user, over
/// both SSH transports.
#[test]
fn preflight_says_when_the_server_refuses_the_key() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let stranger = keys.dir.join("stranger_key");
    keygen(&stranger);
    let node1 = keys.start(&fixture.bin(), "ssc-node1", "");
    let node2 = keys.start(&fixture.bin(), "ssc-node2", "");
    let user = crate::real_nodes::current_user();
    let nodes = keys.node(1, node1.port).replace("/user_key\"", "/stranger_key\"") + &keys.node(2, node2.port);

    let run = fixture.preflight(&fixture.connection(&nodes));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "ssc-node1 does not answer via ssh {user}@127.0.0.1:{}: the server refused the key {} for user {user}\n",
        node1.port,
        stranger.display()
    );
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    assert!(!run.stdout.contains("ssc-node2 does not answer"), "{}", run.stdout);

    let run = fixture.preflight(&fixture.connection(&nodes.replace("transport = \"ssh\"", "transport = \"openssh\"")));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = format!("ssc-node1 does not answer via ssh {user}@127.0.0.1:{}: ", node1.port);
    let line = run.stdout.lines().find(|line| line.contains(&expected)).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("Permission denied (publickey)"), "{}", run.stdout);
}

/// An identity-file or known-hosts file that is not there is a mistake in the connection
/// file: named with its path and the node's line before any node is tried (exit 2), for
/// both SSH transports.
#[test]
fn a_missing_identity_file_or_known_hosts_is_named_with_its_path() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    let keys = Keys::new(fixture.path());
    let nodes = closed_ssh_node(&keys, 1) + &closed_ssh_node(&keys, 2);
    let missing_key = keys.dir.join("no_such_key");
    let missing_hosts = keys.dir.join("no_such_known_hosts");
    for transport in ["ssh", "openssh"] {
        let nodes = nodes.replace("transport = \"ssh\"", &format!("transport = \"{transport}\""));
        let run = fixture.preflight(&fixture.connection(&nodes.replacen("/user_key\"", "/no_such_key\"", 1)));
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        let expected = format!(
            "connection.toml:12: node ssc-node1: cannot read identity-file {}: No such file or directory",
            missing_key.display()
        );
        assert!(run.stderr.contains(&expected), "{transport}: {}", run.stderr);

        let run = fixture.preflight(&fixture.connection(&nodes.replace("/known_hosts\"", "/no_such_known_hosts\"")));
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        let expected = format!(
            "connection.toml:12: node ssc-node1: cannot read known-hosts {}: No such file or directory",
            missing_hosts.display()
        );
        assert!(run.stderr.contains(&expected), "{transport}: {}", run.stderr);
    }
}

/// A node whose command does not finish: preflight says which timeout ran out, with the
/// connection file's figure.
#[test]
fn preflight_says_which_timeout_ran_out_with_its_figure() {
    let fixture = Fixture::new([NodeView::Healthy, NodeView::Healthy]);
    // ssc-node2's clpstat reads a FIFO nobody writes: it never finishes.
    let data = fixture.path().join("data");
    let hanging = data.join("clpstat-ssc-node2.txt");
    std::fs::remove_file(&hanging).unwrap();
    assert!(crate::support::status(Command::new("mkfifo").arg(&hanging)).unwrap().success());
    shim(&fixture.bin(), "clpstat", &format!("exec cat \"{}/clpstat-$CLUSTERPROC_NODE.txt\"", data.display()));
    let connection = fixture.connection(&fixture.local_nodes());
    let text = std::fs::read_to_string(&connection).unwrap().replace("command = \"5s\"", "command = \"1s\"");
    std::fs::write(&connection, text).unwrap();

    let run = fixture.preflight(&connection);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("            ssc-node2 does not answer via local: no answer within 1s\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("ssc-node1 does not answer"), "{}", run.stdout);
}
