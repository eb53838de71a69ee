//! The `clusterproc` binary; see the library for the commands and the exit codes.

// The model checker clones and drops many small vectors per state; mimalloc's thread-local
// free lists serve that faster than glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Invoked as clpstat, clpcl, sc.exe, ... through a link: the simulated node's command line.
    let argv: Vec<String> = std::env::args().collect();
    if argv.first().is_some_and(|argv0| clusterproc::sim_node::invoked_as_command(argv0)) {
        return clusterproc::sim_node::main(argv);
    }
    clusterproc::cli::main()
}
