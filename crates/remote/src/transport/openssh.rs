//! The `openssh` transport: SSH through the system's OpenSSH client (`ssh` and `scp`).
//!
//! Why the OpenSSH client and not an SSH library: it is what operators already trust and
//! audit, it verifies host keys against the given known_hosts file
//! (`StrictHostKeyChecking=yes`, no global file), it takes keys from a file or the agent, and
//! `BatchMode=yes` means it never asks for a password, so none can end up on a command line.
//! On Unix a control master keeps one connection open per node, so a command costs one
//! round trip rather than a key exchange. The argv becomes one command string for the
//! node's shell through [`encode`](crate::transport::encode).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::argv::Argv;
use crate::output::Output;
use crate::transport::encode::{self, RemoteShell};
use crate::transport::local::LocalTransport;
use crate::transport::ssh::SshConfig;
use crate::transport::{Transport, TransportError};

/// OpenSSH's exit code for its own failures (connection, authentication, host key).
const SSH_FAILURE: i32 = 255;

/// Runs commands on a node over SSH.
#[derive(Debug)]
pub struct OpenSshTransport {
    config: SshConfig,
    connect_timeout: Duration,
    /// Holds the control socket; removed with the transport.
    control_dir: Option<tempfile::TempDir>,
    local: LocalTransport,
}

impl OpenSshTransport {
    /// A transport for one node; nothing is connected until the first command.
    pub fn new(config: SshConfig, connect_timeout: Duration) -> OpenSshTransport {
        let control_dir =
            if cfg!(unix) { tempfile::Builder::new().prefix("clusterproc-ssh").tempdir().ok() } else { None };
        OpenSshTransport { config, connect_timeout, control_dir, local: LocalTransport::default() }
    }

    /// The options every `ssh` and `scp` call takes.
    fn options(&self) -> Vec<String> {
        let mut options = vec![
            "-o".to_owned(),
            "BatchMode=yes".to_owned(),
            "-o".to_owned(),
            "StrictHostKeyChecking=yes".to_owned(),
            "-o".to_owned(),
            format!("UserKnownHostsFile={}", self.config.known_hosts.display()),
            "-o".to_owned(),
            "GlobalKnownHostsFile=/dev/null".to_owned(),
            "-o".to_owned(),
            format!("ConnectTimeout={}", self.connect_timeout.as_secs().max(1)),
            "-o".to_owned(),
            "ServerAliveInterval=5".to_owned(),
            "-o".to_owned(),
            "ServerAliveCountMax=3".to_owned(),
            "-o".to_owned(),
            "LogLevel=ERROR".to_owned(),
            "-F".to_owned(),
            "/dev/null".to_owned(),
        ];
        if let Some(identity) = &self.config.identity_file {
            options.extend(["-o".to_owned(), "IdentitiesOnly=yes".to_owned(), "-i".to_owned(), path_text(identity)]);
        }
        if let Some(dir) = &self.control_dir {
            options.extend([
                "-o".to_owned(),
                "ControlMaster=auto".to_owned(),
                "-o".to_owned(),
                format!("ControlPath={}", dir.path().join("%C").display()),
                "-o".to_owned(),
                "ControlPersist=60".to_owned(),
            ]);
        }
        options
    }

    fn destination(&self) -> String {
        let host =
            if self.config.host.contains(':') { format!("[{}]", self.config.host) } else { self.config.host.clone() };
        format!("{}@{host}", self.config.user)
    }

    /// Runs a command string through `ssh`.
    fn ssh(&mut self, command_line: String, timeout: Duration) -> Result<Output, TransportError> {
        let mut argv = Argv::new("ssh");
        argv.args = self.options();
        argv.args.extend([
            "-p".to_owned(),
            self.config.port.to_string(),
            "--".to_owned(),
            self.destination(),
            command_line,
        ]);
        let output = self.local.run(&argv, timeout)?;
        if output.code == Some(SSH_FAILURE) {
            return Err(TransportError::Unreachable {
                reason: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        Ok(output)
    }
}

impl Drop for OpenSshTransport {
    /// Ends the control master, so that no ssh process outlives the transport.
    fn drop(&mut self) {
        if let Some(dir) = &self.control_dir {
            let mut argv = Argv::new("ssh");
            argv.args = vec![
                "-o".to_owned(),
                format!("ControlPath={}", dir.path().join("%C").display()),
                "-p".to_owned(),
                self.config.port.to_string(),
                "-O".to_owned(),
                "exit".to_owned(),
                self.destination(),
            ];
            let _ = self.local.run(&argv, Duration::from_secs(5));
        }
    }
}

impl Transport for OpenSshTransport {
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let mut command_line = encode::command_line(self.config.shell, argv)?;
        if let (RemoteShell::Posix, Some(directory)) = (self.config.shell, &self.config.working_directory) {
            command_line = format!("cd {} && {command_line}", encode::posix_quote(directory));
        }
        self.ssh(command_line, timeout)
    }

    fn copy_file(&mut self, local: &Path, remote_path: &str, timeout: Duration) -> Result<(), TransportError> {
        let (folder, remote) = match self.config.shell {
            RemoteShell::Posix => {
                let remote = match &self.config.working_directory {
                    Some(directory) if !remote_path.starts_with('/') => format!("{directory}/{remote_path}"),
                    _ => remote_path.to_owned(),
                };
                (remote.rsplit_once('/').map(|(folder, _)| folder.to_owned()), remote)
            }
            // Inferred: Windows OpenSSH's SFTP server takes `C:/Temp/x` for `C:\Temp\x`.
            RemoteShell::Windows => {
                (remote_path.rsplit_once('\\').map(|(folder, _)| folder.to_owned()), remote_path.replace('\\', "/"))
            }
        };
        if let Some(folder) = folder {
            let made = self.ssh(encode::make_folder(self.config.shell, &folder)?, timeout)?;
            if made.code != Some(0) {
                return Err(TransportError::Copy {
                    reason: format!("cannot create {folder}: {}", String::from_utf8_lossy(&made.stderr).trim()),
                });
            }
        }
        let mut argv = Argv::new("scp");
        argv.args = self.options();
        argv.args.extend([
            "-q".to_owned(),
            "-P".to_owned(),
            self.config.port.to_string(),
            "--".to_owned(),
            path_text(local),
            format!("{}:{remote}", self.destination()),
        ]);
        let output = self.local.run(&argv, timeout)?;
        match output.code {
            Some(0) => Ok(()),
            _ => Err(TransportError::Copy {
                reason: format!("scp to {remote_path}: {}", String::from_utf8_lossy(&output.stderr).trim()),
            }),
        }
    }

    fn describe(&self) -> String {
        format!("ssh {}:{}", self.destination(), self.config.port)
    }
}

fn path_text(path: &Path) -> String {
    PathBuf::from(path).display().to_string()
}
