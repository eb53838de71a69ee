//! The one integration-test binary of the workspace: every cross-crate test is a module here,
//! so the workspace links one test executable instead of many.

mod support;

mod check;
mod engine;
mod model;
mod plan;
mod properties;
mod resume;
mod run;
mod scenarios;
mod simulator;
mod timing;
mod validation;
mod vocabulary;
mod wording;
