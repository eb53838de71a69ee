//! The connection file's types: how each node is reached, the cluster API, the site's
//! commands and timeouts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use remote::transport::ssh::SshConfig;

use crate::backend::{InstallerCommand, WatchCommands};

/// A validated connection file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Nodes, in the file's order.
    pub nodes: Vec<NodeConnection>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// The module archive on this machine, resolved against the file's folder.
    pub archive: Option<PathBuf>,
    /// The archives of a procedure's modules by module id (`[module.archives]`), resolved
    /// against the file's folder.
    pub archives: BTreeMap<String, PathBuf>,
    /// The installer's silent command.
    pub installer: Option<InstallerCommand>,
    /// Free space the working folder needs on each node, in bytes.
    pub min_free_bytes: u64,
    /// Service key names by display name.
    pub service_keys: BTreeMap<String, String>,
    /// Task Manager watch commands, when the site has them.
    pub watch: Option<WatchCommands>,
    /// For rehearsals on clusterproc's simulated nodes only: the simulator session whose
    /// virtual clock the run waits on, `http://127.0.0.1:PORT/sessions/ID`.
    pub simulator: Option<String>,
    /// How the cluster itself is observed and operated.
    pub api: ClusterApi,
}

/// How the cluster (servers, groups, resources, monitors) is observed and operated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterApi {
    /// The EXPRESSCLUSTER command lines on each node (`clpstat`, `clpcl`, `clpgrp`, ...).
    Commands,
    /// The EXPRESSCLUSTER REST API (X 4.2 and later); Windows-side work still goes through
    /// each node's transport.
    Rest(RestApiConfig),
}

/// Where the REST API is and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestApiConfig {
    /// `https://HOST:29009` (`http://` on loopback only, for the simulator).
    pub url: String,
    /// The OS user.
    pub user: String,
    /// Where the password comes from.
    pub password: SecretRef,
    /// A CA certificate (PEM) to trust in addition to the system's.
    pub ca_file: Option<PathBuf>,
}

/// Timeouts of every kind of command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting to a node.
    pub connect: Duration,
    /// One command.
    pub command: Duration,
    /// The installer.
    pub install: Duration,
    /// Copying one file.
    pub copy: Duration,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConnection {
    /// Host name, as in the cluster description.
    pub name: String,
    /// What the operator expects the node to be; checked against the live cluster.
    pub role: Option<RoleHint>,
    /// How to reach it.
    pub transport: TransportConfig,
    /// The 1-based line of its `[[node]]` table, for messages.
    pub line: usize,
}

/// The role an operator expects a node to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleHint {
    /// The group is online here.
    Active,
    /// The group is not online here.
    Standby,
}

/// How a node is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportConfig {
    /// clusterproc runs on the node.
    Local {
        /// Extra environment for every command.
        env: Vec<(String, String)>,
    },
    /// SSH with russh, to Windows OpenSSH (or a POSIX sshd).
    Ssh(SshConfig),
    /// SSH through the system's OpenSSH client, with the same settings.
    OpenSsh(SshConfig),
    /// WinRM over HTTPS.
    Winrm(WinrmConfig),
}

/// WinRM settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinrmConfig {
    /// `https://host:5986/wsman`.
    pub url: String,
    /// User.
    pub user: String,
    /// Where the password comes from.
    pub password: SecretRef,
    /// A CA certificate (PEM) to trust in addition to the system's.
    pub ca_file: Option<PathBuf>,
}

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A file holding it.
    File(PathBuf),
    /// An environment variable holding it.
    Env(String),
}
