//! Procedure files, the cluster they run against, and everything that judges them.
//!
//! A procedure file (TOML) is parsed and validated against a cluster description into a
//! typed [`procedure::Procedure`]; together they form a [`setup::Setup`], the resolved world
//! that the engine, the simulator, the invariants and the plan renderers share. The
//! [`backend::Backend`] trait is the boundary to the simulated and the real cluster.
//! Nothing here does I/O except reading files; there is no async and no wall clock.

pub mod accept;
pub mod action;
pub mod backend;
pub mod bounded;
pub mod cluster;
pub mod diagnostic;
pub mod driver;
pub mod duration;
pub mod engine;
pub mod engine_config;
pub mod event;
pub mod fault;
pub mod file_schema;
pub mod invariant;
pub mod journal;
pub mod module;
pub mod mutation;
pub mod observation;
pub mod operation;
pub mod plan;
pub mod postcondition;
pub mod procedure;
pub mod recovery;
pub mod registry_id;
pub mod roles;
pub mod run_record;
pub mod safe_chars;
pub mod safe_text;
pub mod setup;
pub mod shared;
pub mod span_time;
pub mod story;
pub mod text;
