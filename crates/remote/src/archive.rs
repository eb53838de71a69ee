//! The module archive: extracted once, locally, refusing anything that could write outside
//! the working folder or exhaust the disk, and described by a manifest of SHA-256 hashes
//! that each node's copy is checked against.
//!
//! Refused, each with its own error: names that climb out (`..`), absolute names, drive
//! letters and other `:` names, reserved device names, links, encrypted entries, compression
//! other than stored or deflated, two names that Windows would take for one file, more
//! entries or more bytes than the limits, and archives that are truncated or corrupt.
//! Extraction goes into a folder that must not exist yet; on any error that folder is
//! removed again, so a refused archive leaves nothing behind.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::ZipArchive;

/// How much an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries, files and folders together.
    pub max_entries: usize,
    /// Bytes of all files once extracted.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// Generous for an update module (tens of files, tens of megabytes), small enough that a
    /// zip bomb is stopped long before the disk fills.
    fn default() -> Limits {
        Limits { max_entries: 10_000, max_total_bytes: 4 << 30 }
    }
}

/// What was extracted, with hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// SHA-256 of the archive file, lowercase hex.
    pub archive_sha256: String,
    /// The files, by path.
    pub files: Vec<ManifestFile>,
}

/// One extracted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    /// Path inside the folder, components separated by `/`.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// Why an archive was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The archive could not be read at all.
    #[error("cannot read archive {path}: {source}")]
    Read {
        /// The archive.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Not a zip archive, truncated, or corrupt.
    #[error("{path} is not a readable zip archive (truncated or corrupt?): {source}")]
    Corrupt {
        /// The archive.
        path: PathBuf,
        /// What the zip reader said.
        source: zip::result::ZipError,
    },
    /// An entry's name would land outside the folder or is not a plain Windows file name.
    #[error("entry {name:?} is refused: {reason}")]
    UnsafeName {
        /// The name as stored.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A symbolic link.
    #[error("entry {name:?} is a link, and links are refused")]
    Link {
        /// The name.
        name: String,
    },
    /// An encrypted entry.
    #[error("entry {name:?} is encrypted, and encrypted entries are refused")]
    Encrypted {
        /// The name.
        name: String,
    },
    /// A compression method other than stored or deflated.
    #[error("entry {name:?} uses compression {method}, and only stored and deflated are accepted")]
    Compression {
        /// The name.
        name: String,
        /// The method.
        method: String,
    },
    /// Two entries Windows would write to the same file.
    #[error("entries {first:?} and {second:?} name the same file on Windows")]
    Duplicate {
        /// The first.
        first: String,
        /// The second.
        second: String,
    },
    /// More entries than the limit.
    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More bytes than the limit, declared or found while extracting.
    #[error("the archive extracts to more than {limit} bytes (a zip bomb?)")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// An entry holds more bytes than its header declares.
    #[error("entry {name:?} holds more bytes than its header declares ({declared})")]
    SizeMismatch {
        /// The name.
        name: String,
        /// The declared size.
        declared: u64,
    },
    /// The destination exists already.
    #[error("the folder {path} exists already; extraction needs a new folder")]
    DestinationExists {
        /// The folder.
        path: PathBuf,
    },
    /// Writing the extracted files failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// Extracts `archive` into the new folder `destination`, or refuses it and leaves nothing.
pub fn extract(archive: &Path, destination: &Path, limits: Limits) -> Result<Manifest, ArchiveError> {
    let read_error = |source| ArchiveError::Read { path: archive.to_owned(), source };
    let archive_sha256 = sha256_file(archive).map_err(read_error)?;
    let file = fs::File::open(archive).map_err(read_error)?;
    let mut zip = ZipArchive::new(io::BufReader::new(file))
        .map_err(|source| ArchiveError::Corrupt { path: archive.into(), source })?;
    check_raw_names(archive).map_err(read_error)?.map_or(Ok(()), Err)?;
    let plan = check_entries(&mut zip, archive, limits)?;
    if destination.exists() {
        return Err(ArchiveError::DestinationExists { path: destination.to_owned() });
    }
    fs::create_dir_all(destination).map_err(|source| ArchiveError::Write { path: destination.to_owned(), source })?;
    match write_entries(&mut zip, archive, destination, &plan, limits) {
        Ok(files) => Ok(Manifest { archive_sha256, files }),
        Err(error) => {
            // Best effort: the folder is ours and new; a failure to remove it is secondary
            // to the error being reported.
            let _ = fs::remove_dir_all(destination);
            Err(error)
        }
    }
}

/// One entry to write: its index and checked relative path; `None` path components mean a
/// folder entry.
struct Planned {
    index: usize,
    name: String,
    components: Vec<String>,
    is_dir: bool,
    declared: u64,
}

fn check_entries<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    archive: &Path,
    limits: Limits,
) -> Result<Vec<Planned>, ArchiveError> {
    if zip.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries { count: zip.len(), limit: limits.max_entries });
    }
    let mut plan = Vec::with_capacity(zip.len());
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut files = BTreeSet::new();
    let mut declared_total: u64 = 0;
    for index in 0..zip.len() {
        let entry =
            zip.by_index_data(index).map_err(|source| ArchiveError::Corrupt { path: archive.into(), source })?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let components = safe_components(&name)?;
        if entry.is_symlink() {
            return Err(ArchiveError::Link { name });
        }
        if entry.encrypted() {
            return Err(ArchiveError::Encrypted { name });
        }
        let method = entry.compression();
        if !matches!(method, CompressionMethod::Stored | CompressionMethod::Deflated) {
            return Err(ArchiveError::Compression { name, method: format!("{method:?}") });
        }
        let key = components.join("/").to_lowercase();
        if let Some((first, _)) = seen.iter().find(|(_, other)| *other == key) {
            return Err(ArchiveError::Duplicate { first: first.clone(), second: name });
        }
        seen.push((name.clone(), key.clone()));
        let is_dir = entry.is_dir();
        if !is_dir {
            files.insert(key);
            declared_total = declared_total.saturating_add(entry.size());
            if declared_total > limits.max_total_bytes {
                return Err(ArchiveError::TooLarge { limit: limits.max_total_bytes });
            }
        }
        plan.push(Planned { index, name, components, is_dir, declared: entry.size() });
    }
    // A file that another entry uses as a folder.
    for (name, key) in &seen {
        let mut prefix = String::new();
        for component in key.split('/') {
            if files.contains(&prefix) && !prefix.is_empty() {
                let first = seen.iter().find(|(_, other)| *other == prefix).map(|(n, _)| n.clone()).unwrap_or_default();
                return Err(ArchiveError::Duplicate { first, second: name.clone() });
            }
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(component);
        }
    }
    Ok(plan)
}

/// The components of a stored name, or why it is refused.
fn safe_components(name: &str) -> Result<Vec<String>, ArchiveError> {
    let refuse = |reason| ArchiveError::UnsafeName { name: name.to_owned(), reason };
    if name.starts_with(['/', '\\']) {
        return Err(refuse("an absolute path"));
    }
    if name.as_bytes().get(1) == Some(&b':') {
        return Err(refuse("a drive letter"));
    }
    let mut components = Vec::new();
    let trimmed = name.strip_suffix(['/', '\\']).unwrap_or(name);
    for component in trimmed.split(['/', '\\']) {
        match component {
            "" => return Err(refuse("an empty path component")),
            "." | ".." => return Err(refuse("a `.` or `..` component")),
            _ if component.contains(':') => return Err(refuse("a `:` (drive or alternate data stream)")),
            _ if component.chars().any(|c| c.is_control() || "<>\"|?*".contains(c)) => {
                return Err(refuse("a character Windows does not allow in file names"));
            }
            _ if component.ends_with(['.', ' ']) => return Err(refuse("a name ending in `.` or a space")),
            _ if is_reserved(component) => return Err(refuse("a reserved device name (CON, NUL, COM1...)")),
            _ => components.push(component.to_owned()),
        }
    }
    Ok(components)
}

fn is_reserved(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or(component).to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit())
}

fn write_entries<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    archive: &Path,
    destination: &Path,
    plan: &[Planned],
    limits: Limits,
) -> Result<Vec<ManifestFile>, ArchiveError> {
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for planned in plan {
        let path = planned.components.iter().fold(destination.to_path_buf(), |path, c| path.join(c));
        let write_error = |source| ArchiveError::Write { path: path.clone(), source };
        if planned.is_dir {
            fs::create_dir_all(&path).map_err(write_error)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(write_error)?;
        }
        let entry =
            zip.by_index(planned.index).map_err(|source| ArchiveError::Corrupt { path: archive.into(), source })?;
        let mut out = fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(write_error)?;
        let mut hasher = Sha256::new();
        let mut reader = entry.take(planned.declared.saturating_add(1));
        let mut buffer = vec![0u8; 64 * 1024];
        let mut size: u64 = 0;
        loop {
            let read = reader.read(&mut buffer).map_err(|source| ArchiveError::Corrupt {
                path: archive.into(),
                source: zip::result::ZipError::Io(source),
            })?;
            if read == 0 {
                break;
            }
            size += read as u64;
            total += read as u64;
            if size > planned.declared {
                return Err(ArchiveError::SizeMismatch { name: planned.name.clone(), declared: planned.declared });
            }
            if total > limits.max_total_bytes {
                return Err(ArchiveError::TooLarge { limit: limits.max_total_bytes });
            }
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read]).map_err(write_error)?;
        }
        out.sync_all().map_err(write_error)?;
        files.push(ManifestFile { path: planned.components.join("/"), size, sha256: hex(&hasher.finalize()) });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Finds names stored twice in the central directory. The zip reader keeps one entry per
/// name, so a second entry of the same name would otherwise vanish unseen; this walks the
/// central directory's records itself.
fn check_raw_names(archive: &Path) -> io::Result<Option<ArchiveError>> {
    use std::io::{Seek, SeekFrom};
    let mut file = fs::File::open(archive)?;
    let length = file.metadata()?.len();
    let tail_length = length.min(22 + 65_535);
    file.seek(SeekFrom::Start(length - tail_length))?;
    let mut tail = vec![0; tail_length as usize];
    file.read_exact(&mut tail)?;
    // The zip reader reports a missing or inconsistent directory itself.
    let Some(end) = tail.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]) else { return Ok(None) };
    let Some(record) = tail.get(end..end + 22) else { return Ok(None) };
    let size = u32::from_le_bytes([record[12], record[13], record[14], record[15]]);
    let offset = u32::from_le_bytes([record[16], record[17], record[18], record[19]]);
    if size == u32::MAX || offset == u32::MAX || u64::from(offset) + u64::from(size) > length {
        return Ok(None); // ZIP64 or inconsistent: left to the zip reader
    }
    file.seek(SeekFrom::Start(offset.into()))?;
    let mut directory = vec![0; size as usize];
    file.read_exact(&mut directory)?;
    let mut names: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    while let Some(header) = directory.get(at..at + 46) {
        if header[..4] != [0x50, 0x4b, 0x01, 0x02] {
            break;
        }
        let field = |i: usize| usize::from(u16::from_le_bytes([header[i], header[i + 1]]));
        let (name_length, extra_length, comment_length) = (field(28), field(30), field(32));
        let Some(raw) = directory.get(at + 46..at + 46 + name_length) else { break };
        let name = String::from_utf8_lossy(raw).into_owned();
        let key = name.trim_end_matches(['/', '\\']).replace('\\', "/").to_lowercase();
        if let Some((first, _)) = names.iter().find(|(_, other)| *other == key) {
            return Ok(Some(ArchiveError::Duplicate { first: first.clone(), second: name }));
        }
        names.push((name, key));
        at += 46 + name_length + extra_length + comment_length;
    }
    Ok(None)
}

/// SHA-256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
