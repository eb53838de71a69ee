//! A [`Transport`] that keeps every command it carries: the argv, the exit code, the raw
//! output bytes and how long it took, for `clusterproc survey`'s bundle. It changes
//! nothing it carries; copies pass through unrecorded (a survey makes none).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use remote::argv::Argv;
use remote::output::Output;
use remote::transport::{Transport, TransportError};

/// One command as a node answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The program and its arguments, as sent.
    pub argv: Vec<String>,
    /// What it printed and its exit code, or why the transport could not run it.
    pub outcome: Result<Output, String>,
    /// From the call to its answer, transport included.
    pub took: Duration,
}

/// The commands a [`RecordingTransport`] carried, shared with whoever reads them.
pub type Tape = Arc<Mutex<Vec<Recorded>>>;

/// Wraps a transport and records each command it runs.
pub struct RecordingTransport {
    inner: Box<dyn Transport>,
    tape: Tape,
}

impl std::fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "recording {}", self.inner.describe())
    }
}

impl RecordingTransport {
    /// Records what `inner` runs onto a new tape, returned with it.
    pub fn new(inner: Box<dyn Transport>) -> (RecordingTransport, Tape) {
        let tape = Tape::default();
        (RecordingTransport { inner, tape: Arc::clone(&tape) }, tape)
    }
}

impl Transport for RecordingTransport {
    fn run(&mut self, argv: &Argv, timeout: Duration) -> Result<Output, TransportError> {
        let started = Instant::now();
        let result = self.inner.run(argv, timeout);
        let mut words = vec![argv.program.clone()];
        words.extend(argv.args.iter().cloned());
        let recorded = Recorded {
            argv: words,
            outcome: result.clone().map_err(|error| error.to_string()),
            took: started.elapsed(),
        };
        // A poisoned tape only loses the record, never the command's answer.
        if let Ok(mut tape) = self.tape.lock() {
            tape.push(recorded);
        }
        result
    }

    fn copy_file(&mut self, local: &Path, remote_path: &str, timeout: Duration) -> Result<(), TransportError> {
        self.inner.copy_file(local, remote_path, timeout)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl Transport for Echo {
        fn run(&mut self, argv: &Argv, _: Duration) -> Result<Output, TransportError> {
            if argv.program == "missing" {
                return Err(TransportError::Spawn { program: argv.program.clone(), reason: "not found".into() });
            }
            Ok(Output { stdout: argv.args.join(" ").into_bytes(), stderr: b"e".to_vec(), code: Some(3) })
        }
        fn copy_file(&mut self, _: &Path, _: &str, _: Duration) -> Result<(), TransportError> {
            Ok(())
        }
        fn describe(&self) -> String {
            "echo".into()
        }
    }

    #[test]
    fn records_answers_and_failures_in_order_and_passes_them_on() {
        let (mut transport, tape) = RecordingTransport::new(Box::new(Echo));
        let answer = transport.run(&Argv::new("clpstat").arg("--long"), Duration::from_secs(1)).unwrap();
        assert_eq!(answer.code, Some(3));
        assert!(transport.run(&Argv::new("missing"), Duration::from_secs(1)).is_err());
        let tape = tape.lock().unwrap();
        assert_eq!(tape.len(), 2);
        assert_eq!(tape[0].argv, ["clpstat", "--long"]);
        assert_eq!(tape[0].outcome.as_ref().unwrap().stdout, b"--long");
        assert_eq!(tape[1].outcome.as_ref().unwrap_err(), "cannot start `missing` (not found)");
        assert_eq!(transport.describe(), "echo");
    }
}
