//! Output files (reports, counterexamples, `--output`) written whole or not at all: the text
//! goes to a temporary file beside the target, is synced, and is renamed over the target
//! only when complete. A command that is refused or fails leaves every existing file as it
//! was. A symbolic link stays a link (its target is replaced), and what is not a regular
//! file — `/dev/stdout`, a FIFO, a device — is written in place, never renamed over.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where writing `path` goes.
enum Target {
    /// A regular file, existing or new (through any links): replaced atomically.
    Regular(PathBuf),
    /// Something else that exists (a device, a FIFO, a pipe behind `/dev/stdout`): written
    /// in place.
    Special,
}

fn target(path: &Path) -> Target {
    match std::fs::canonicalize(path) {
        Ok(resolved) if resolved.is_file() => Target::Regular(resolved),
        Ok(_) => Target::Special,
        // Not there: a new file. There but not resolvable (a link to a pipe): written in place.
        Err(_) if std::fs::symlink_metadata(path).is_ok() => Target::Special,
        Err(_) => Target::Regular(path.to_path_buf()),
    }
}

/// The directory a file is written in: its parent, or `.` for a bare name.
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new temporary file in `dir`, `.clusterproc-` and a random suffix: the file being
/// written, or a probe that `dir` takes new files.
fn temporary_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".clusterproc-");
    // Temporary files are private (0600); the file written is an ordinary one.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).map_err(without_temporary_name)
}

/// The error of creating a temporary file, without the file's random name (which tempfile
/// appends as ` at path "…"`, and which means nothing to the user: the error is shown beside
/// the file asked for).
fn without_temporary_name(error: std::io::Error) -> std::io::Error {
    let text = error.to_string();
    match text.rsplit_once(" at path ") {
        Some((reason, _)) => std::io::Error::new(error.kind(), reason.to_owned()),
        None => error,
    }
}

/// Checks, without touching `path`, that a file can later be written there: its directory
/// exists and takes new files, and `path` is not a directory.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    match target(path) {
        // Creating (and at once removing) a temporary file is the one reliable test.
        Target::Regular(file) => temporary_in(&directory_of(&file)).map(drop),
        Target::Special => Ok(()),
    }
}

/// Checks that files can later be saved in `dir`: it is a directory that takes new files, or
/// does not exist yet (it is made when the first file is saved).
pub fn check_directory(dir: &Path) -> std::io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(metadata) if !metadata.is_dir() => Err(std::io::Error::other("it is not a directory")),
        Ok(_) => temporary_in(dir).map(drop),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes `bytes` to `path` atomically: a reader sees the old file or the new one, never a
/// part of it. (In place when `path` is not a regular file.)
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let file = match target(path) {
        Target::Regular(file) => file,
        Target::Special => return std::fs::OpenOptions::new().write(true).open(path)?.write_all(bytes),
    };
    let mut temporary = temporary_in(&directory_of(&file))?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(&file).map_err(|error| error.error)?;
    Ok(())
}
