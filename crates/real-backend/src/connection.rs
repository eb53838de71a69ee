//! The connection file: how clusterproc reaches each node of a real cluster, and what the
//! site declares that no procedure file knows (the installer's silent command, service key
//! names, the module archive, timeouts).
//!
//! Secrets are never in the file: a credential is a reference (a file path, or the name of
//! an environment variable), resolved when the transport is built.

mod file;
mod types;

pub use file::{load, schema};
pub use types::*;
