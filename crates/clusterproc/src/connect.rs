//! Connecting to real nodes: the connection file read, a transport made for each node, and
//! a [`RealBackend`] over them.

use std::path::Path;
use std::sync::Arc;

use procedure::cluster::NodeId;
use procedure::diagnostic::SourceFile;
use procedure::setup::Setup;
use real_backend::backend::{Config, NodeLink, RealBackend};
use real_backend::connection::{ClusterApi, Connection, RoleHint, SecretRef, TransportConfig};
use real_backend::rest::{RestClient, RestConfig};
use remote::transport::Transport;
use remote::transport::local::LocalTransport;
use remote::transport::openssh::OpenSshTransport;
use remote::transport::ssh::{SshConfig, SshTransport};
use remote::transport::winrm::WinrmTransport;

use crate::failure::Failure;
use crate::sim_clock::SimClock;

/// How the connection file looks; shown by `preflight --help` and `run --help`.
pub const CONNECTION_HELP: &str = "\
The connection file (TOML) says how to reach each node. Secrets are never written in it:
keys come from a file or the SSH agent, passwords from a file or an environment variable.

  version = 1

  [timeouts]                      # optional; these are the defaults
  connect = \"10s\"
  command = \"60s\"
  install = \"2h\"
  copy = \"10m\"

  [module]
  archive = \"SSC0307-0006.zip\"    # on this machine; relative to the connection file
  installer = [\"setup.exe\", \"/s\"] # the silent command, inside the extracted folder
  min-free-space-mib = 1024

  [services]                      # display name = service key name, where they differ
  \"DeploymentManager API Service\" = \"DepMgrAPISvc\"

  [watch]                         # optional: the Task Manager watch commands
  stop = [\"armstop.exe\", \"{service}\"]
  start = [\"armstart.exe\", \"{service}\"]

  [[node]]
  name = \"ssc-node1\"              # as in the cluster description
  role = \"active\"                 # optional hint, checked against the live cluster
  transport = \"ssh\"               # local | ssh (russh) | openssh (system client) | winrm
  host = \"10.0.0.11\"
  port = 22
  user = \"Administrator\"
  identity-file = \"keys/id_ed25519\" # omit to use the SSH agent
  known-hosts = \"known_hosts\"     # host keys are verified against this file
  shell = \"windows\"               # windows (cmd/PowerShell) | posix

A node where clusterproc itself runs may use transport = \"local\" (with optional
env = { NAME = \"value\" }). WinRM over HTTPS (Basic authentication; the certificate is always
verified, against the system's roots plus an optional CA file):

  transport = \"winrm\"
  url = \"https://10.0.0.11:5986/wsman\"
  user = \"Administrator\"
  password-env = \"SSC_NODE1_PASSWORD\"   # or password-file = \"secrets/node1\"
  ca-file = \"site-ca.pem\"               # optional

The cluster itself (servers, groups, resources, monitors; suspend, resume, moves) is
observed and operated with the EXPRESSCLUSTER commands on the nodes, or, with api = \"rest\"
at the top, through its REST API (X 4.2 and later; Windows services, the registry and the
installer still go through the nodes' transports):

  api = \"rest\"
  [rest]
  url = \"https://10.0.0.10:29009\"       # HTTPS; the certificate is always verified
  user = \"Administrator\"
  password-env = \"ECX_API_PASSWORD\"     # or password-file = \"secrets/api\"
  ca-file = \"site-ca.pem\"               # optional";

/// A backend on real nodes, with what else the connection file says.
pub struct Connected {
    /// The backend.
    pub backend: RealBackend,
    /// The connection file, validated.
    pub connection: Connection,
    /// Role hints by node.
    pub hints: Vec<(NodeId, RoleHint)>,
    /// Holds the local extraction folder for as long as the backend lives.
    pub _staging: tempfile::TempDir,
}

/// Reads the connection file and makes a transport per node of the cluster.
pub fn connect(setup: &Arc<Setup>, path: &Path) -> Result<Connected, Failure> {
    let source = SourceFile::read(path)?;
    let connection = real_backend::connection::load(&source)?;
    let mut links = Vec::new();
    let mut hints = Vec::new();
    for (i, node) in setup.cluster.nodes.iter().enumerate() {
        let Some(entry) = connection.nodes.iter().find(|entry| entry.name.eq_ignore_ascii_case(&node.name)) else {
            return Err(Failure::Usage(anyhow::anyhow!(
                "{}: no [[node]] for {}, a node of cluster {}",
                path.display(),
                node.name,
                setup.cluster.name
            )));
        };
        if let Some(hint) = entry.role {
            hints.push((NodeId(i as u8), hint));
        }
        let transport = transport_for(path, &connection, entry)?;
        links.push(NodeLink { name: node.name.clone(), transport });
    }
    for entry in &connection.nodes {
        if setup.cluster.node_by_name(&entry.name).is_none() {
            return Err(Failure::Usage(anyhow::anyhow!(
                "{}:{}: node {} is not a node of cluster {}",
                path.display(),
                entry.line,
                entry.name,
                setup.cluster.name
            )));
        }
    }
    let staging = tempfile::Builder::new()
        .prefix("clusterproc-module")
        .tempdir()
        .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot make a folder to extract the module in: {e}")))?;
    let config = Config {
        command_timeout: connection.timeouts.command,
        install_timeout: connection.timeouts.install,
        copy_timeout: connection.timeouts.copy,
        service_keys: connection.service_keys.clone(),
        installer: connection.installer.clone(),
        archive: connection.archive.clone(),
        archives: connection.archives.clone(),
        staging: staging.path().join("module"),
        watch: connection.watch.clone(),
        clpstat_long: true,
    };
    let mut backend =
        RealBackend::new(Arc::clone(setup), config, links).map_err(|e| Failure::Usage(anyhow::anyhow!(e)))?;
    if let Some(session) = &connection.simulator {
        backend.set_clock(Box::new(SimClock { session: session.clone() }));
    }
    if let ClusterApi::Rest(rest) = &connection.api {
        let at = format!("{}: [rest]", path.display());
        let client = RestClient::new(RestConfig {
            base_url: rest.url.clone(),
            user: rest.user.clone(),
            password: read_secret(&at, &rest.password)?,
            timeout: connection.timeouts.command,
            get_attempts: REST_GET_ATTEMPTS,
            backoff: REST_BACKOFF,
            ca_file: rest.ca_file.clone(),
        })
        .map_err(|e| Failure::Usage(anyhow::anyhow!("{at}: {e}")))?;
        backend.use_rest_api(client);
    }
    Ok(Connected { backend, connection, hints, _staging: staging })
}

/// The transport the connection file gives one node: its files checked, its secret read.
pub(crate) fn transport_for(
    path: &Path,
    connection: &Connection,
    entry: &real_backend::connection::NodeConnection,
) -> Result<Box<dyn Transport>, Failure> {
    let transport: Box<dyn Transport> = match &entry.transport {
        TransportConfig::Local { env } => Box::new(LocalTransport { env: env.clone() }),
        TransportConfig::Ssh(ssh) => {
            check_ssh_files(&format!("{}:{}: node {}", path.display(), entry.line, entry.name), ssh)?;
            Box::new(SshTransport::new(ssh.clone(), connection.timeouts.connect).map_err(|e| {
                Failure::Usage(anyhow::anyhow!("{}:{}: node {}: {e}", path.display(), entry.line, entry.name))
            })?)
        }
        TransportConfig::OpenSsh(ssh) => {
            check_ssh_files(&format!("{}:{}: node {}", path.display(), entry.line, entry.name), ssh)?;
            Box::new(OpenSshTransport::new(ssh.clone(), connection.timeouts.connect))
        }
        TransportConfig::Winrm(winrm) => {
            let at = format!("{}:{}: node {}", path.display(), entry.line, entry.name);
            let password = read_secret(&at, &winrm.password)?;
            let ca = match &winrm.ca_file {
                Some(file) => Some(std::fs::read(file).map_err(|e| {
                    Failure::Usage(anyhow::anyhow!("{at}: cannot read ca-file {}: {e}", file.display()))
                })?),
                None => None,
            };
            let transport =
                WinrmTransport::new(&winrm.url, &winrm.user, &password, ca.as_deref(), connection.timeouts.connect)
                    .map_err(|e| Failure::Usage(anyhow::anyhow!("{at}: {e}")))?;
            Box::new(transport)
        }
    };
    Ok(transport)
}

/// How many times a status GET of the REST API is tried.
const REST_GET_ATTEMPTS: u32 = 4;

/// The wait before the second try of a status GET; it doubles after each.
const REST_BACKOFF: std::time::Duration = std::time::Duration::from_secs(1);

/// The files an SSH node's entry names are there and readable: a missing key or known_hosts
/// file is a mistake in the connection file, said with its path before any node is tried,
/// not a node that does not answer. `at` says where the entry is, for messages.
fn check_ssh_files(at: &str, ssh: &SshConfig) -> Result<(), Failure> {
    let files = ssh.identity_file.iter().map(|file| ("identity-file", file)).chain([("known-hosts", &ssh.known_hosts)]);
    for (field, file) in files {
        std::fs::File::open(file)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{at}: cannot read {field} {}: {e}", file.display())))?;
    }
    Ok(())
}

/// A password, from the file or environment variable the connection file names; `at` says
/// where it was named, for messages.
pub(crate) fn read_secret(at: &str, secret: &SecretRef) -> Result<String, Failure> {
    match secret {
        SecretRef::File(file) => std::fs::read_to_string(file)
            .map(|text| text.trim_end_matches(['\r', '\n']).to_owned())
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{at}: cannot read password-file {}: {e}", file.display()))),
        SecretRef::Env(variable) => std::env::var(variable).map_err(|_| {
            Failure::Usage(anyhow::anyhow!("{at}: the environment variable {variable} (password-env) is not set"))
        }),
    }
}
