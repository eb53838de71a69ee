//! The `local` transport: clusterproc runs on the node itself and starts processes directly,
//! with no shell in between (`std::process::Command` passes the argv as it is).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::argv::Argv;
use crate::output::Output;
use crate::transport::{Transport, TransportError};

/// Runs commands on this machine.
#[derive(Debug, Clone, Default)]
pub struct LocalTransport {
    /// Variables added to every command's environment.
    pub env: Vec<(String, String)>,
}

impl Transport for LocalTransport {
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let mut command = Command::new(&argv.program);
        command.args(&argv.args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .map_err(|error| TransportError::Spawn { program: argv.program.clone(), reason: error.to_string() })?;
        // Readers in threads, so that a command filling a pipe never blocks its own exit.
        let stdout = reader(child.stdout.take());
        let stderr = reader(child.stderr.take());
        let started = Instant::now();
        let mut pause = Duration::from_micros(200);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= timeout => {
                    // The child may have exited since try_wait; either way it is gone after.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(TransportError::Timeout { after: timeout });
                }
                Ok(None) => {
                    std::thread::sleep(pause.min(timeout.saturating_sub(started.elapsed())));
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
                Err(error) => {
                    return Err(TransportError::Spawn { program: argv.program.clone(), reason: error.to_string() });
                }
            }
        };
        Ok(Output {
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
            code: status.code(),
        })
    }

    fn copy_file(&mut self, local: &Path, remote_path: &str, _timeout: Duration) -> Result<(), TransportError> {
        let target = Path::new(remote_path);
        let copy_error =
            |error: std::io::Error| TransportError::Copy { reason: format!("{}: {error}", target.display()) };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(copy_error)?;
        }
        std::fs::copy(local, target).map_err(copy_error)?;
        Ok(())
    }

    fn describe(&self) -> String {
        "local".to_owned()
    }
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error ends the output early; the exit code still tells the outcome.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn runs_an_argv_and_returns_its_output_and_code() {
        let argv = Argv { program: "sh".into(), args: vec!["-c".into(), "printf out; printf err >&2; exit 3".into()] };
        let output = LocalTransport::default().run(&argv, Duration::from_secs(10)).unwrap();
        assert_eq!(
            (output.stdout.as_slice(), output.stderr.as_slice(), output.code),
            (&b"out"[..], &b"err"[..], Some(3))
        );
    }

    /// No shell in between: each element reaches the program as one argument, byte for byte.
    #[test]
    fn hostile_arguments_arrive_intact() {
        let hostile =
            ["a\"b", "x & y", "p | q", "%PATH%", "$(id)", "`id`", "l1\nl2", "'q'", "a;b", " s ", "サービス", "tr\\"];
        let mut argv = Argv { program: "printf".into(), args: vec!["%s\\0".into()] };
        argv.args.extend(hostile.iter().map(|h| (*h).to_owned()));
        let output = LocalTransport::default().run(&argv, Duration::from_secs(10)).unwrap();
        let expected: Vec<u8> = hostile.iter().flat_map(|h| h.bytes().chain([0])).collect();
        assert_eq!(output.stdout, expected);
    }

    #[test]
    fn a_command_that_hangs_is_stopped_at_its_timeout() {
        let argv = Argv { program: "sleep".into(), args: vec!["30".into()] };
        let started = Instant::now();
        let error = LocalTransport::default().run(&argv, Duration::from_millis(200)).unwrap_err();
        assert_eq!(error, TransportError::Timeout { after: Duration::from_millis(200) });
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let argv = Argv { program: "clusterproc-no-such-program".into(), args: vec![] };
        let error = LocalTransport::default().run(&argv, Duration::from_secs(5)).unwrap_err();
        assert!(error.to_string().starts_with("cannot start `clusterproc-no-such-program` ("), "{error}");
    }
}
