//! What can go wrong with a journal: each error refuses to go on rather than guess; and the
//! format version this build reads, which an error names.

/// The journal format version this build writes and reads.
pub const VERSION: u32 = 1;

/// What can go wrong with a journal. Each refuses to go on rather than guess.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A journal is there already and this is not a resume.
    #[error("{path} already holds a journal; continue that run with --resume, or choose another --journal directory")]
    Exists {
        /// The journal file.
        path: String,
    },
    /// No journal to resume.
    #[error("there is no journal at {path} to resume")]
    Missing {
        /// The journal file.
        path: String,
    },
    /// Another run holds the lock.
    #[error("another clusterproc run is using {path}")]
    Locked {
        /// The journal file.
        path: String,
    },
    /// The last line was cut off while it was being written.
    #[error(
        "{path}:{line}: the last journal line is incomplete (the run was cut off while writing it); \
         nothing was redone — check the cluster, then remove that line to resume"
    )]
    Truncated {
        /// The journal file.
        path: String,
        /// Its line number.
        line: usize,
    },
    /// A line is not a journal record.
    #[error("{path}:{line}: not a journal record: {message}")]
    Corrupt {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A number in a record is out of the range a run can produce.
    #[error("{path}:{line}: `{field}` is {value}, out of range (at most {limit}); the journal was damaged or edited")]
    OutOfRange {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// The largest value allowed there.
        limit: u64,
    },
    /// The journal's format version is not one this build reads.
    #[error("{path}:{line}: unsupported journal version {version}; this build reads version {VERSION}")]
    UnsupportedVersion {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// The version found.
        version: u32,
    },
    /// The journal was written for another procedure, cluster, or state.
    #[error("{path}: refusing to resume: {reason}")]
    Mismatch {
        /// The journal file.
        path: String,
        /// Why.
        reason: String,
    },
}
