//! The backend on real EXPRESSCLUSTER nodes.
//!
//! Commands are data ([`argv::Argv`], built in [`commands`]); their outputs are read by the
//! pure parsers in [`parse`], tested against real captured outputs. Transports carry an argv
//! to a node and bring its output back; the module archive is extracted safely by
//! [`archive`]. Nothing here depends on the simulator: the same code drives real nodes and
//! the simulated cluster's command shims.

pub mod backend;
pub mod clock;
pub mod commands;
pub mod connection;
pub mod drift;
pub mod parse;
pub mod preflight;
pub mod registry;
pub mod rest;
