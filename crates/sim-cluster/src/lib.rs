//! A deterministic simulated EXPRESSCLUSTER X cluster of N Windows nodes, implementing
//! [`procedure::backend::Backend`].
//!
//! The simulator is the ground truth for `clusterproc check` and for operator training, so
//! its consequences emerge from mechanics — registry-sync capture and restore, monitors with
//! recovery escalation, the Task Manager service watch, group moves with resources in
//! dependency order, the installer's phases — never from rules about the procedure.
//!
//! Time is virtual; randomness (small jitter on durations, monitor polling phases) comes from
//! one `u64` seed; state lives in vectors indexed by ids, so the same seed gives the same
//! trace byte for byte. Behaviours that the research marks as inferred carry an
//! `Inferred:` paragraph in their doc comment.

pub mod candidates;
pub mod control;
pub mod explore;
pub mod model;
pub mod rng;
pub mod scenario;
pub mod schedule;
pub mod sim;
pub mod staged;
