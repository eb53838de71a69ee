//! The `ssh` transport, through `russh` (a pure-Rust SSH client): to Windows OpenSSH (commands
//! as PowerShell `-EncodedCommand`) or to a POSIX sshd.
//!
//! The server's host key must be in the given known_hosts file (an unknown or changed key
//! ends the connection); the client authenticates with a key file or, without one, with the
//! keys of the SSH agent. There is no password authentication, so no password can end up on
//! a command line or in the connection file. One connection per node is kept open; each
//! command runs on its own channel. Files are streamed into a command's standard input
//! (`cat` on POSIX, a PowerShell stream copy on Windows).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};

use crate::argv::Argv;
use crate::output::Output;
use crate::transport::encode::{self, RemoteShell};
use crate::transport::{Transport, TransportError, error_chain};

/// SSH settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshConfig {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User.
    pub user: String,
    /// The private key file; the agent's keys when `None`.
    pub identity_file: Option<PathBuf>,
    /// The known_hosts file host keys are verified against.
    pub known_hosts: PathBuf,
    /// The remote shell.
    pub shell: RemoteShell,
    /// POSIX shells only: the folder commands run in and relative paths are copied under
    /// (a simulated node's own disk); the login folder when `None`.
    pub working_directory: Option<String>,
}

/// Checks the server's key against the known_hosts file.
struct HostKeys {
    host: String,
    port: u16,
    known_hosts: std::path::PathBuf,
}

impl client::Handler for HostKeys {
    type Error = russh::Error;

    async fn check_server_key(&mut self, server: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        match server {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                // An unknown key is `false`; a changed key is an error; both end the connection.
                russh::keys::check_known_hosts_path(&self.host, self.port, key, &self.known_hosts)
                    .map_err(russh::Error::from)
            }
            PublicKeyOrCertificate::Certificate(_) => Ok(false),
        }
    }
}

/// Runs commands on a node over SSH with russh.
pub struct SshTransport {
    config: SshConfig,
    connect_timeout: Duration,
    runtime: tokio::runtime::Runtime,
    session: Option<client::Handle<HostKeys>>,
}

impl std::fmt::Debug for SshTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn unreachable(reason: impl std::fmt::Display) -> TransportError {
    TransportError::Unreachable { reason: reason.to_string() }
}

impl SshTransport {
    /// A transport for one node; nothing is connected until the first command.
    pub fn new(config: SshConfig, connect_timeout: Duration) -> Result<SshTransport, TransportError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| unreachable(format!("cannot start the SSH runtime: {error}")))?;
        Ok(SshTransport { config, connect_timeout, runtime, session: None })
    }

    /// The open session, connecting and authenticating first when there is none.
    async fn connect(
        config: &SshConfig,
        connect_timeout: Duration,
    ) -> Result<client::Handle<HostKeys>, TransportError> {
        let handler =
            HostKeys { host: config.host.clone(), port: config.port, known_hosts: config.known_hosts.clone() };
        let settings = Arc::new(client::Config {
            inactivity_timeout: None,
            keepalive_interval: Some(Duration::from_secs(5)),
            keepalive_max: 3,
            nodelay: true,
            ..client::Config::default()
        });
        // The key is read first: a key that cannot be read is this machine's problem, and
        // says so whatever the node does.
        let key = match &config.identity_file {
            Some(path) => Some(russh::keys::load_secret_key(path, None).map_err(|error| {
                unreachable(format!("cannot load the identity-file {}: {}", path.display(), error_chain(&error)))
            })?),
            None => None,
        };
        let connecting = client::connect(settings, (config.host.as_str(), config.port), handler);
        let mut session = match tokio::time::timeout(connect_timeout, connecting).await {
            Err(_) => return Err(TransportError::ConnectTimeout { after: connect_timeout }),
            Ok(Err(russh::Error::UnknownKey)) => {
                return Err(unreachable(format!(
                    "its host key is not in {} (or does not match it)",
                    config.known_hosts.display()
                )));
            }
            Ok(Err(russh::Error::IO(error))) => return Err(unreachable(format!("cannot connect: {error}"))),
            Ok(Err(error)) => return Err(unreachable(format!("the SSH handshake failed: {}", error_chain(&error)))),
            Ok(Ok(session)) => session,
        };
        let authenticated = match (key, &config.identity_file) {
            (Some(key), Some(path)) => {
                let hash = session.best_supported_rsa_hash().await.map_err(unreachable)?.flatten();
                let accepted = session
                    .authenticate_publickey(&config.user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
                    .await
                    .map_err(unreachable)?
                    .success();
                accepted
                    .then_some(())
                    .ok_or_else(|| format!("the server refused the key {} for user {}", path.display(), config.user))
            }
            _ => Self::authenticate_with_agent(&mut session, &config.user)
                .await?
                .then_some(())
                .ok_or_else(|| format!("the server refused the SSH agent's keys for user {}", config.user)),
        };
        authenticated.map_err(unreachable)?;
        Ok(session)
    }

    #[cfg(unix)]
    async fn authenticate_with_agent(
        session: &mut client::Handle<HostKeys>,
        user: &str,
    ) -> Result<bool, TransportError> {
        let mut agent = russh::keys::agent::client::AgentClient::connect_env()
            .await
            .map_err(|error| unreachable(format!("no identity-file and no SSH agent: {error}")))?;
        let identities = agent.request_identities().await.map_err(unreachable)?;
        for identity in identities {
            if let russh::keys::agent::AgentIdentity::PublicKey { key, .. } = identity {
                let result = session.authenticate_publickey_with(user, key, None, &mut agent).await;
                if result.is_ok_and(|result| result.success()) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    #[cfg(not(unix))]
    async fn authenticate_with_agent(_: &mut client::Handle<HostKeys>, _: &str) -> Result<bool, TransportError> {
        Err(unreachable("the SSH agent is used on Unix only here; give an identity-file"))
    }

    /// Runs a command string on a new channel, feeding `input` to its standard input.
    fn exec(
        &mut self,
        command_line: String,
        input: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Output, TransportError> {
        let config = self.config.clone();
        let connect_timeout = self.connect_timeout;
        let mut session = self.session.take().filter(|session| !session.is_closed());
        let result = self.runtime.block_on(async {
            let work = async {
                if session.is_none() {
                    session = Some(Self::connect(&config, connect_timeout).await?);
                }
                let Some(open) = session.as_ref() else { return Err(unreachable("no session")) };
                let mut channel = open.channel_open_session().await.map_err(unreachable)?;
                channel.exec(true, command_line.into_bytes()).await.map_err(unreachable)?;
                if let Some(bytes) = input {
                    channel.data(&bytes[..]).await.map_err(unreachable)?;
                }
                channel.eof().await.map_err(unreachable)?;
                let mut output = Output { stdout: Vec::new(), stderr: Vec::new(), code: None };
                while let Some(message) = channel.wait().await {
                    match message {
                        russh::ChannelMsg::Data { data } => output.stdout.extend_from_slice(&data),
                        russh::ChannelMsg::ExtendedData { data, ext: 1 } => output.stderr.extend_from_slice(&data),
                        russh::ChannelMsg::ExitStatus { exit_status } => output.code = Some(exit_status as i32),
                        _ => {}
                    }
                }
                Ok(output)
            };
            match tokio::time::timeout(timeout, work).await {
                Ok(result) => result,
                Err(_) => Err(TransportError::Timeout { after: timeout }),
            }
        });
        // A session that failed or timed out is dropped; the next command connects again.
        if result.is_ok() {
            self.session = session;
        }
        result
    }
}

impl Transport for SshTransport {
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let mut command_line = encode::command_line(self.config.shell, argv)?;
        if let (RemoteShell::Posix, Some(directory)) = (self.config.shell, &self.config.working_directory) {
            command_line = format!("cd {} && {command_line}", encode::posix_quote(directory));
        }
        self.exec(command_line, None, timeout)
    }

    fn copy_file(&mut self, local: &Path, remote_path: &str, timeout: Duration) -> Result<(), TransportError> {
        let bytes = std::fs::read(local)
            .map_err(|error| TransportError::Copy { reason: format!("{}: {error}", local.display()) })?;
        let command_line = match self.config.shell {
            RemoteShell::Posix => {
                let path = match &self.config.working_directory {
                    Some(directory) if !remote_path.starts_with('/') => format!("{directory}/{remote_path}"),
                    _ => remote_path.to_owned(),
                };
                let folder = path.rsplit_once('/').map_or(".".to_owned(), |(folder, _)| folder.to_owned());
                format!("mkdir -p -- {} && cat > {}", encode::posix_quote(&folder), encode::posix_quote(&path))
            }
            RemoteShell::Windows => {
                let quoted = remote_path.replace('\'', "''");
                let folder =
                    remote_path.rsplit_once('\\').map_or(String::new(), |(folder, _)| folder.replace('\'', "''"));
                encode::powershell_script(&format!(
                    "$ErrorActionPreference = 'Stop'; if ('{folder}' -ne '') {{ New-Item -ItemType Directory -Force -Path '{folder}' | Out-Null }}; \
                     $in = [Console]::OpenStandardInput(); $f = [IO.File]::Create('{quoted}'); $in.CopyTo($f); $f.Close()"
                ))
            }
        };
        let output = self.exec(command_line, Some(bytes), timeout)?;
        match output.code {
            Some(0) => Ok(()),
            _ => Err(TransportError::Copy {
                reason: format!("{remote_path}: {}", String::from_utf8_lossy(&output.stderr).trim()),
            }),
        }
    }

    fn describe(&self) -> String {
        format!("ssh {}@{}:{}", self.config.user, self.config.host, self.config.port)
    }
}
