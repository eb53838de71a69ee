//! The `winrm` transport: WS-Management (the Windows Remote Shell protocol) over HTTPS.
//!
//! Why no WinRM crate: the maintained one (`winrm-rs` 1.0) needs Rust 1.94, newer than this
//! workspace's 1.89, and the others are pre-release; the protocol part used here is four SOAP
//! messages (create a shell, run a command, receive its output until it is done, delete the
//! shell), written in [`envelope`]. HTTP and TLS come from `reqwest` with rustls: the server
//! certificate is always verified, against the system's roots plus an optional CA file; there
//! is no switch to turn verification off. Authentication is HTTP Basic (the WinRM service's
//! `Auth/Basic` must be enabled; over HTTPS only).
//!
//! A command runs as `powershell -EncodedCommand` (see [`encode`](crate::transport::encode)),
//! so arguments reach the program unchanged whatever they contain.

pub mod envelope;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::argv::Argv;
use crate::output::Output;
use crate::transport::encode::{self, RemoteShell};
use crate::transport::{Transport, TransportError, error_chain};

/// Runs commands on a node over WinRM.
#[derive(Debug)]
pub struct WinrmTransport {
    url: String,
    user: String,
    password: String,
    client: reqwest::blocking::Client,
    connect_timeout: Duration,
}

impl WinrmTransport {
    /// A transport to `url` (`https://host:5986/wsman`); `ca_pem` is an extra CA to trust.
    pub fn new(
        url: &str,
        user: &str,
        password: &str,
        ca_pem: Option<&[u8]>,
        connect_timeout: Duration,
    ) -> Result<WinrmTransport, TransportError> {
        let mut builder = reqwest::blocking::Client::builder().connect_timeout(connect_timeout);
        if let Some(pem) = ca_pem {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|error| TransportError::Unreachable { reason: format!("the CA file is not PEM: {error}") })?;
            builder = builder.add_root_certificate(certificate);
        }
        let client =
            builder.build().map_err(|error| TransportError::Unreachable { reason: format!("TLS setup: {error}") })?;
        Ok(WinrmTransport {
            url: url.to_owned(),
            user: user.to_owned(),
            password: password.to_owned(),
            client,
            connect_timeout,
        })
    }

    /// Posts one envelope and returns the response body.
    fn post(&self, body: String, timeout: Duration) -> Result<String, TransportError> {
        let response = self
            .client
            .post(&self.url)
            .basic_auth(&self.user, Some(&self.password))
            .header("Content-Type", "application/soap+xml;charset=UTF-8")
            .timeout(timeout)
            .body(body)
            .send()
            .map_err(|error| match (error.is_connect(), error.is_timeout()) {
                (true, true) => TransportError::ConnectTimeout { after: self.connect_timeout },
                (false, true) => TransportError::Timeout { after: timeout },
                (true, false) => {
                    TransportError::Unreachable { reason: format!("cannot connect: {}", error_chain(&error)) }
                }
                (false, false) => TransportError::Unreachable { reason: error_chain(&error) },
            })?;
        let status = response.status();
        let text = response.text().map_err(|error| TransportError::Unreachable { reason: error_chain(&error) })?;
        if status.as_u16() == 401 {
            return Err(TransportError::Unreachable {
                reason: "the WinRM service refused the credentials (401)".into(),
            });
        }
        if !status.is_success() {
            let fault = envelope::fault_text(&text).unwrap_or_else(|| text.chars().take(200).collect());
            return Err(TransportError::Spawn { program: "WinRM".into(), reason: format!("HTTP {status}: {fault}") });
        }
        Ok(text)
    }

    /// Runs a command line in a new shell and collects its output; a timeout is reported as
    /// the whole command's.
    fn run_line(&mut self, command: &str, arguments: &str, timeout: Duration) -> Result<Output, TransportError> {
        self.run_line_within(command, arguments, timeout).map_err(|error| match error {
            TransportError::Timeout { .. } => TransportError::Timeout { after: timeout },
            other => other,
        })
    }

    fn run_line_within(&mut self, command: &str, arguments: &str, timeout: Duration) -> Result<Output, TransportError> {
        let started = Instant::now();
        let left = |started: Instant| timeout.saturating_sub(started.elapsed()).max(Duration::from_millis(1));
        let bad =
            |what: &str| TransportError::Spawn { program: "WinRM".into(), reason: format!("no {what} in the answer") };
        let created = self.post(envelope::create_shell(&self.url), left(started))?;
        let shell = envelope::text_of(&created, "ShellId").ok_or_else(|| bad("ShellId"))?;
        let result = (|| {
            let answer = self.post(envelope::command(&self.url, &shell, command, arguments), left(started))?;
            let command_id = envelope::text_of(&answer, "CommandId").ok_or_else(|| bad("CommandId"))?;
            let mut output = Output { stdout: Vec::new(), stderr: Vec::new(), code: None };
            loop {
                if started.elapsed() >= timeout {
                    return Err(TransportError::Timeout { after: timeout });
                }
                let answer = self.post(envelope::receive(&self.url, &shell, &command_id), left(started))?;
                let received = envelope::parse_receive(&answer)
                    .map_err(|reason| TransportError::Spawn { program: "WinRM".into(), reason })?;
                output.stdout.extend(received.stdout);
                output.stderr.extend(received.stderr);
                if received.done {
                    output.code = received.exit_code;
                    return Ok(output);
                }
            }
        })();
        // The shell is removed whatever happened; a failure to remove it is secondary.
        let _ = self.post(envelope::delete_shell(&self.url, &shell), Duration::from_secs(10));
        result
    }
}

impl Transport for WinrmTransport {
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let line = encode::command_line(RemoteShell::Windows, argv)?;
        let (command, arguments) = line.split_once(' ').unwrap_or((&line, ""));
        self.run_line(command, arguments, timeout)
    }

    /// Sends the file in base64 chunks that PowerShell appends to the target.
    fn copy_file(&mut self, local: &Path, remote_path: &str, timeout: Duration) -> Result<(), TransportError> {
        let bytes = std::fs::read(local)
            .map_err(|error| TransportError::Copy { reason: format!("{}: {error}", local.display()) })?;
        let quoted = remote_path.replace('\'', "''");
        let folder = remote_path.rsplit_once('\\').map_or(String::new(), |(folder, _)| folder.replace('\'', "''"));
        let mut first = true;
        for chunk in bytes.chunks(48 * 1024).chain(bytes.is_empty().then_some(&[][..])) {
            let mode = if first { "Create" } else { "Append" };
            let script = format!(
                "$ErrorActionPreference = 'Stop'; if ('{folder}' -ne '') {{ New-Item -ItemType Directory -Force -Path '{folder}' | Out-Null }}; \
                 $b = [Convert]::FromBase64String('{}'); $f = [IO.File]::Open('{quoted}', '{mode}'); $f.Write($b, 0, $b.Length); $f.Close()",
                encode::base64(chunk)
            );
            let line = encode::powershell_script(&script);
            let (command, arguments) = line.split_once(' ').unwrap_or((&line, ""));
            let output = self.run_line(command, arguments, timeout)?;
            if output.code != Some(0) {
                return Err(TransportError::Copy {
                    reason: format!("{remote_path}: {}", String::from_utf8_lossy(&output.stderr).trim()),
                });
            }
            first = false;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("winrm {}@{}", self.user, self.url)
    }
}

#[cfg(test)]
mod tests;
