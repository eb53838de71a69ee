//! The `clusterproc` command line as a library: the binary is `main` over [`cli::main`], and
//! the fuzz harness drives argument parsing and input loading in-process.
//!
//! Exit codes: 0 success (or a safe result); 1 an invariant was violated, a guard refused,
//! or the run stopped on a fault; 2 bad input (a file or an argument), with a diagnostic
//! that points at the file, line and field; 3 output could not be written (stdout or stderr
//! closed or full, a report or counterexample not saved); 4 a check stopped at its memory
//! limit before it was complete; 5 a replay did not reproduce its counterexample; 130
//! interrupted (SIGINT, SIGTERM).

// The dispatcher, and what the fuzz harness drives.
pub mod cli;

// One module per command: its arguments and its `exec`.
mod check;
mod plan;
mod preflight;
mod recover;
mod replay;
mod run;
mod serve;
pub mod sim_node;
mod survey;
mod train;

// What commands share; none of these imports a command.
mod address;
mod atomic_file;
mod connect;
pub mod counterexample;
pub mod failure;
mod interrupt;
mod load;
mod memory_limit;
mod output;
mod preflight_checks;
mod progress;
mod shell_word;
mod sim_clock;
