//! The run journal: append-only JSON lines in a run directory, one record per line, each
//! written and fsync'd before the run goes on — the intent before an operation, the outcome
//! after. `--resume` reads it back into a [`Resumption`] after checking that the procedure
//! and the cluster are the ones it was written for.
//!
//! One run per journal at a time: the journal file is locked while a run holds it.

pub mod done;
pub mod error;
pub mod file;
pub mod record;
pub mod resume;

pub use error::JournalError;
pub use error::VERSION;
pub use file::{Journal, cluster_identity};
pub use record::{FILE_NAME, MAX_AT_MS, MAX_BOOTS, MAX_OPERATIONS, OperationRecord, Record};
pub use resume::Resumption;
