//! The backend on real EXPRESSCLUSTER nodes: what to run there, and how to read the answers.
//!
//! Commands are data (`remote::argv::Argv`, built in [`commands`]); their outputs are read by
//! the pure parsers in [`parse`], tested against real captured outputs. The `remote` crate
//! carries an argv to a node and brings its output back, and extracts the module archive;
//! this crate knows the product: its command lines, its REST API ([`rest`]), the
//! [`backend`] that maps the engine's operations and observations onto them, registry
//! [`drift`], the [`connection`] file and the [`preflight`] checks. Nothing here depends on
//! the simulator: the same code drives real nodes and the simulated cluster's command shims.

pub mod backend;
pub mod capabilities;
pub mod clock;
pub mod commands;
pub mod connection;
pub mod drift;
pub mod evidence;
pub mod parse;
pub mod preflight;
pub mod recording;
pub mod registry;
pub mod rest;
