//! The one integration-test binary of the workspace: every cross-crate test is a module here,
//! so the workspace links one test executable instead of many.

mod support;

mod architecture;
mod check;
mod conformance;
mod engine;
mod plan;
mod properties;
mod real_nodes;
mod resume;
mod run;
mod scenarios;
mod simulator;
mod validation;
