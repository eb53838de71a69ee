//! The streams a command writes to people, as writers that never panic: a write to a closed
//! or full stdout or stderr is remembered, later writes are dropped, and the command ends
//! with [`Failure::Output`](crate::failure::Failure::Output) instead of a silent success.
//!
//! `print!` and `eprintln!` panic when their stream fails; nothing in this crate uses them.

use std::io::{self, Write};
use std::path::Path;

use crate::failure::Failure;

/// Writes a command's whole output to `file` (whole or not at all, see `atomic_file`), or to
/// stdout when no file is given.
pub fn emit(text: &str, file: Option<&Path>) -> Result<(), Failure> {
    match file {
        Some(path) => crate::atomic_file::write(path, text.as_bytes())
            .map_err(|error| Failure::output(path.display().to_string(), error)),
        None => {
            let mut stdout = stdout();
            let _ = stdout.write_all(text.as_bytes());
            Ok(stdout.finish()?)
        }
    }
}

/// Checks before a command starts that its `--output` file can be written (exit 3 if not),
/// and is none of the command's `inputs` (exit 2: writing it would replace the input).
pub fn check_output(file: Option<&Path>, inputs: &[&Path]) -> Result<(), Failure> {
    let Some(path) = file else { return Ok(()) };
    if let Some(input) = inputs.iter().find(|input| same_file(path, input)) {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--output {} is the input {}: writing it would replace the input; name another file",
            path.display(),
            input.display()
        )));
    }
    crate::atomic_file::check_writable(path).map_err(|error| Failure::output(path.display().to_string(), error))
}

/// Whether two paths name one existing file (through links, `.` and `..`, hard links).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// A stream that remembers its first error instead of returning it at every write.
#[derive(Debug)]
pub struct Sink<W: Write> {
    name: &'static str,
    inner: W,
    error: Option<io::Error>,
}

/// The process's stdout.
pub fn stdout() -> Sink<io::StdoutLock<'static>> {
    Sink { name: "stdout", inner: io::stdout().lock(), error: None }
}

/// The process's stderr.
pub fn stderr() -> Sink<io::Stderr> {
    Sink { name: "stderr", inner: io::stderr(), error: None }
}

impl<W: Write> Sink<W> {
    /// Flushes, and returns the first error the stream met, with its name.
    pub fn finish(mut self) -> Result<(), (&'static str, io::Error)> {
        self.attempt(W::flush);
        match self.error.take() {
            Some(error) => Err((self.name, error)),
            None => Ok(()),
        }
    }

    /// Whether a write has failed: a long command can stop asking for input no one sees.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Runs `operation` on the stream unless a write failed already; remembers its error.
    fn attempt(&mut self, operation: impl FnOnce(&mut W) -> io::Result<()>) {
        if self.error.is_none()
            && let Err(error) = operation(&mut self.inner)
        {
            self.error = Some(error);
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.attempt(|inner| inner.write_all(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.attempt(W::flush);
        Ok(())
    }
}
