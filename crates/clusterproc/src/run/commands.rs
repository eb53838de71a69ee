//! The commands a run that does not complete prints, to copy: the one that resumes it and
//! the one that brings its cluster back to serving (`recover`), each word quoted for a POSIX
//! shell where needed.

use std::path::Path;

use super::args::{BackendChoice, GuardsSwitch, RunArgs};
use crate::shell_word::shell_word;

/// The command that brings the cluster of this run back to serving, to copy: `recover`
/// with the procedure, the run directory, and the cluster, scenario, backend and connection
/// file as given.
pub(crate) fn recover_command(args: &RunArgs, dir: &Path) -> String {
    let mut words = command_words("recover", args);
    words.extend(["--journal".to_owned(), shell_word(&dir.to_string_lossy())]);
    words.join(" ")
}

/// The command that resumes this run, to copy: the procedure, the run directory and the
/// cluster, scenario and guards as given.
pub(crate) fn resume_command(args: &RunArgs, dir: &Path) -> String {
    let mut words = command_words("run", args);
    match args.guards {
        Some(GuardsSwitch::On) => words.extend(["--guards".to_owned(), "on".to_owned()]),
        Some(GuardsSwitch::Off) => words.extend(["--guards".to_owned(), "off".to_owned()]),
        None => {}
    }
    words.extend(["--journal".to_owned(), shell_word(&dir.to_string_lossy()), "--resume".to_owned()]);
    words.join(" ")
}

/// `clusterproc VERB PROCEDURE`, and the cluster, scenario, backend and connection file as
/// given.
fn command_words(verb: &str, args: &RunArgs) -> Vec<String> {
    let mut words = vec!["clusterproc".to_owned(), verb.to_owned(), shell_word(&args.procedure.to_string_lossy())];
    if let Some(cluster) = &args.cluster {
        words.extend(["--cluster".to_owned(), shell_word(&cluster.to_string_lossy())]);
    }
    if let Some(scenario) = &args.scenario {
        words.extend(["--scenario".to_owned(), shell_word(&scenario.to_string_lossy())]);
    }
    if args.backend == BackendChoice::ExpressCluster {
        words.extend(["--backend".to_owned(), "expresscluster".to_owned()]);
    }
    if let Some(connection) = &args.connection {
        words.extend(["--connection".to_owned(), shell_word(&connection.to_string_lossy())]);
    }
    words
}
