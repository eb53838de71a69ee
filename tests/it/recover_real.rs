//! `clusterproc recover --backend expresscluster` through the real backend, over a real
//! OpenSSH server on 127.0.0.1 per node, against the simulator's command line (the `sim-node`
//! shims on a `sim-server` session), as the conformance tests run `run`. The fault is staged
//! at the command line: ssc-node2 finds an installer first on its PATH that fails without
//! touching the cluster, so the run stops after the active node's install; once the operator
//! has put the real installer back, `recover` brings the cluster back to serving, checked on
//! the end state it prints and on the simulator's own state. Before that, with ssc-node2's
//! sshd stopped, `recover` asks for the node, looks again, and says what is left; and with
//! the module archive gone, the pre-flight check it needs stops it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::conformance::{Shims, direct, setup};
use crate::real_nodes::Keys;
use crate::recover::{assert_standby_install_recovered, end_state};
use crate::support::{Run, binary, clusterproc_in, root};

const SEED: &str = "procedures/ssc0307-0006.toml";
const FOLDER: &str = r"C:\Temp\SSC0307-0006";

/// `clusterproc VERB SEED --backend expresscluster --connection FILE --journal journal
/// EXTRA...`, in the shims' folder.
fn on_nodes(shims: &Shims, verb: &str, connection: &Path, extra: &[&str]) -> Run {
    let procedure = root().join(SEED);
    let mut args = vec![
        verb,
        procedure.to_str().unwrap(),
        "--backend",
        "expresscluster",
        "--connection",
        connection.to_str().unwrap(),
        "--journal",
        "journal",
    ];
    args.extend_from_slice(extra);
    clusterproc_in(shims.path(), &args)
}

/// A folder of command shims for ssc-node2 alone, whose installer fails (exit 1, as an
/// installer that rolled itself back) and never reaches the simulated cluster.
fn failing_installer(shims: &Shims) -> (PathBuf, PathBuf) {
    let bin = shims.path().join("bin-ssc-node2");
    std::fs::create_dir_all(&bin).unwrap();
    for name in clusterproc::sim_node::COMMANDS {
        std::os::unix::fs::symlink(binary(), bin.join(name)).unwrap();
    }
    let installer = bin.join(format!("{FOLDER}\\setup.exe"));
    std::fs::write(
        &installer,
        "#!/bin/sh\necho 'setup: a file is in use; the installation was rolled back' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&installer, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, installer)
}

#[test]
fn a_failed_standby_install_is_recovered_on_real_nodes_over_ssh_and_recovering_again_finds_nothing() {
    let setup = setup(SEED);
    // The simulator's state at the end of a run that completed: what a recovery brings back.
    let (_, _, completed) = direct(&setup);
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, FOLDER);
    let keys = Keys::new(shims.path());
    let (standby_bin, installer) = failing_installer(&shims);
    let bin_of = |node: &str| if node == "ssc-node2" { standby_bin.clone() } else { shims.bin() };
    let (connection, mut servers) = shims.ssh_connection_with(&keys, &bin_of);

    let run = on_nodes(&shims, "run", &connection, &["--yes"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("the installer `C:\\Temp\\SSC0307-0006\\setup.exe /s` exited"), "{}", run.stdout);
    let command = format!(
        "clusterproc recover {} --backend expresscluster --connection {} --journal journal",
        root().join(SEED).display(),
        connection.display()
    );
    let advice = format!("Bring the cluster back to serving (planned from where it stopped) with:\n  {command}\n");
    assert!(run.stdout.contains(&advice), "a stopped run on real nodes says how to recover:\n{}", run.stdout);

    // The standby does not answer: it is asked for, looked for again, and left to do.
    drop(servers.pop());
    let unseen = on_nodes(&shims, "recover", &connection, &["--yes"]);
    assert_eq!(unseen.code, 1, "{}\n{}", unseen.stdout, unseen.stderr);
    assert!(unseen.stdout.contains("make ssc-node2 answer again"), "{}", unseen.stdout);
    assert!(unseen.stdout.contains("Confirmed: the cluster observed again."), "{}", unseen.stdout);
    assert!(unseen.stdout.contains("Still left to do by hand: ssc-node2 does not answer."), "{}", unseen.stdout);
    assert!(unseen.stdout.contains("Nothing was run: every node must be seen first."), "{}", unseen.stdout);
    assert!(!shims.path().join("journal/recover-1").exists(), "nothing was run");
    drop(servers);

    // The operator put the real installer back on ssc-node2 and its sshd answers again.
    std::fs::remove_file(&installer).unwrap();
    std::os::unix::fs::symlink(binary(), &installer).unwrap();
    let (connection, _servers) = shims.ssh_connection_with(&keys, &bin_of);

    // A pre-flight check that judges no part of what the recovery puts right must pass.
    let archive = shims.path().join("module.zip");
    std::fs::rename(&archive, shims.path().join("module.zip.away")).unwrap();
    let no_archive = on_nodes(&shims, "recover", &connection, &["--yes"]);
    assert_eq!(no_archive.code, 1, "{}\n{}", no_archive.stdout, no_archive.stderr);
    assert!(no_archive.stdout.contains("  FAIL    module-archive"), "{}", no_archive.stdout);
    assert!(no_archive.stdout.contains("  FAIL    cluster-running"), "{}", no_archive.stdout);
    assert!(
        no_archive
            .stdout
            .ends_with("Nothing was run: a check the recovery needs failed (the others judge what it puts right).\n"),
        "{}",
        no_archive.stdout
    );
    assert!(!shims.path().join("journal/recover-1").exists(), "nothing was run");
    std::fs::rename(shims.path().join("module.zip.away"), &archive).unwrap();
    let recover = on_nodes(&shims, "recover", &connection, &["--yes", "--report", "recover.json"]);
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    assert!(
        !recover.stdout.contains("is not installed on ssc-node1"),
        "the run's install is known: {}",
        recover.stdout
    );
    assert_standby_install_recovered(&recover);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shims.path().join("recover.json")).unwrap()).unwrap();
    assert_eq!((&report["backend"], &report["result"]), (&"expresscluster".into(), &"completed".into()), "{report}");
    // The recovery's report lists what it ran on the nodes, under each of its steps.
    for step in report["steps"].as_array().unwrap().iter().filter(|s| !s["nodes"].as_array().unwrap().is_empty()) {
        let commands = step["commands"].as_array().unwrap();
        assert!(!commands.is_empty() && commands.iter().all(|c| c["error"].is_null()), "{step}");
    }
    let installs = report["steps"].as_array().unwrap().iter().flat_map(|s| s["commands"].as_array().unwrap());
    assert!(installs.clone().any(|c| c["command"].as_str().unwrap().contains("setup.exe")), "{report}");
    // The simulated cluster itself, not only what the backend saw of it.
    assert_eq!(shims.final_state(), completed, "the cluster is where a completed run leaves it");
    // The recovery probed the nodes first and its journal keeps what it found.
    assert!(recover.stdout.contains("Capabilities (probed once per node):"), "{}", recover.stdout);
    let journal = std::fs::read_to_string(shims.path().join("journal/recover-1/journal.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"probed\""), "{journal}");

    let again = on_nodes(&shims, "recover", &connection, &[]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("1 recovery journal(s) read"), "{}", again.stdout);
    assert!(again.stdout.contains("The cluster serves: nothing to recover."), "{}", again.stdout);
    assert_eq!(end_state(&again)[1..], end_state(&recover)[1..], "the same nodes, seen afresh");
    assert!(!shims.path().join("journal/recover-2").exists(), "nothing to do writes no journal");
    assert_eq!(shims.final_state(), completed);

    // The run was on real nodes: the simulator does not stand in for them.
    let simulated =
        clusterproc_in(shims.path(), &["recover", root().join(SEED).to_str().unwrap(), "--journal", "journal"]);
    assert_eq!(simulated.code, 2, "{}\n{}", simulated.stdout, simulated.stderr);
    assert!(simulated.stderr.contains("ran on expresscluster, not on sim"), "{}", simulated.stderr);
}
