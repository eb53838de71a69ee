//! The `clusterproc` binary; see the library for the commands and the exit codes.

fn main() -> std::process::ExitCode {
    clusterproc::cli::main()
}
