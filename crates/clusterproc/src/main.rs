//! The `clusterproc` command line: parses arguments, loads files, calls into the library
//! crates, prints, and maps outcomes to exit codes.
//!
//! Exit codes: 0 success (or a safe result); 1 an invariant was violated, a guard refused,
//! or the run stopped on a fault; 2 bad input (a file or an argument), with a diagnostic
//! that points at the file, line and field.

mod check;
mod cli;
mod connect;
mod preflight;
mod real_run;
mod report;
mod run;
mod sim_node;

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.first().is_some_and(|argv0| sim_node::invoked_as_command(argv0)) {
        return sim_node::main(argv);
    }
    let args = <cli::Args as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
