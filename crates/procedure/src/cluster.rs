//! The cluster a procedure runs against: nodes, components, Windows services, the
//! failover group with its resources in dependency order, monitors, the registry values
//! under registry sync, and the virtual durations of operations.
//!
//! Loaded from a cluster description file (`scenarios/cluster/*.toml`); names become small
//! integer ids so that the simulator and the engine never compare strings on a hot path.

mod file;
mod types;

pub use file::{load, schema};
pub use types::*;

#[cfg(test)]
mod tests;
