//! Reading input files with a size limit: the limit is checked against the file's metadata
//! before reading and enforced while reading, so `/dev/zero`, a FIFO or a file that grows
//! cannot make a command use more memory than the limit.

use std::io::Read;
use std::path::Path;

/// The largest input file any command reads: procedures, cluster descriptions, scenarios,
/// journals and counterexample files. Generous: the seed procedure is 12 KiB, and a
/// procedure of 100,000 steps with a line of text each is 17 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a bounded read failed; the caller names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The file is larger than the limit.
    #[error("the file is larger than {} MiB, the limit for input files", limit / (1024 * 1024))]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("the file is not UTF-8 text (invalid byte at offset {offset})")]
    NotText {
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

/// Reads a whole text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let bytes = read_bytes(file, limit)?;
    String::from_utf8(bytes).map_err(|error| ReadError::NotText { offset: error.utf8_error().valid_up_to() })
}

/// Reads all of `reader`, at most `limit` bytes: the limit is enforced while reading, so
/// an endless or growing input stops there. For a file already open (the journal, locked
/// first); [`read_text`] opens by path and checks the size before reading too.
pub fn read_bytes(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    // One byte more than the limit tells a file of exactly `limit` bytes from a larger one.
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_inclusive_and_enforced_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ten.txt");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_text(&path, 10).unwrap(), "0123456789");
        assert!(matches!(read_text(&path, 9), Err(ReadError::TooLarge { limit: 9 })));
        // /dev/zero has no size to check first: the limit stops the read.
        assert!(matches!(read_text(Path::new("/dev/zero"), 1 << 20), Err(ReadError::TooLarge { .. })));
    }
}
