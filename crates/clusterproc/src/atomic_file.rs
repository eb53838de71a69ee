//! Output files (reports, counterexamples) written whole or not at all: the text goes to a
//! temporary file beside the target, is synced, and is renamed over the target only when
//! complete. A command that is refused or fails leaves every existing file as it was.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The directory a file is written in: its parent, or `.` for a bare name.
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks, without touching `path`, that a file can later be written there: its directory
/// exists and takes new files, and `path` is not a directory.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    // Creating (and at once removing) a temporary file is the one reliable test.
    tempfile::Builder::new().prefix(".clusterproc-").tempfile_in(directory_of(path)).map(drop)
}

/// Checks that files can later be saved in `dir`: it is a directory that takes new files, or
/// does not exist yet (it is made when the first file is saved).
pub fn check_directory(dir: &Path) -> std::io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(metadata) if !metadata.is_dir() => Err(std::io::Error::other("it is not a directory")),
        Ok(_) => tempfile::Builder::new().prefix(".clusterproc-").tempfile_in(dir).map(drop),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes `bytes` to `path` atomically: a reader sees the old file or the new one, never a
/// part of it.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".clusterproc-");
    // Temporary files are private (0600); the file written is an ordinary one.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut file = builder.tempfile_in(directory_of(path))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
