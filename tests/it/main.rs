//! The one integration-test binary of the workspace: every cross-crate test is a module here,
//! so the workspace links one test executable instead of many.

mod support;

mod accept;
mod architecture;
mod check;
mod ci_docs;
mod classroom_browser;
mod conformance;
mod damaged_journals;
mod engine;
mod fuzz_regressions;
mod hostile_files;
mod import_registry;
mod interrupt;
mod model;
mod nec_shapes;
mod nothing_lost;
mod output_failures;
mod plan;
mod properties;
mod real_nodes;
mod recover;
mod recover_real;
mod recovery;
mod recovery_counts;
mod replay;
mod rest_client;
mod resume;
mod run;
mod run_reports;
mod sarif;
mod scenarios;
mod schemas;
mod serve;
mod simulator;
mod small_things;
mod suggest;
mod survey;
mod timing;
mod train;
mod train_browser;
mod validation;
mod verify_cluster;
mod vocabulary;
mod wording;
