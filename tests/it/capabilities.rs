//! The capability probe as an operator meets it: `run --backend expresscluster` over a real
//! OpenSSH server per node, against the simulator's command line, where ssc-node2's
//! clpmonctrl does not take `-h` (a script first on its PATH answers `clpmonctrl -v -h` with
//! `Invalid option.` and exit 1, and logs every call). The run prints what it probed, and
//! the step that would suspend a monitor on ssc-node2 is refused before anything is sent
//! there, naming the probe's answer.

use std::sync::Arc;

use crate::conformance::{Shims, setup};
use crate::real_nodes::Keys;
use crate::support::{binary, clusterproc_in, root};

const PROCEDURE: &str = "tests/data/operator-vocabulary.toml";
const FOLDER: &str = r"C:\Temp\SSC0307-0006";

#[test]
fn a_node_whose_clpmonctrl_lacks_h_has_its_monitor_step_refused_before_anything_is_sent() {
    let setup = setup(PROCEDURE);
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, FOLDER);
    let keys = Keys::new(shims.path());
    // ssc-node2's commands: the shims, but clpmonctrl a script in front of the real shim.
    let bin = shims.path().join("bin-ssc-node2");
    let real = shims.path().join("real-ssc-node2");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&real).unwrap();
    for name in clusterproc::sim_node::COMMANDS {
        if name != "clpmonctrl" {
            std::os::unix::fs::symlink(binary(), bin.join(name)).unwrap();
        }
    }
    std::os::unix::fs::symlink(binary(), real.join("clpmonctrl")).unwrap();
    for entry in std::fs::read_dir(shims.bin()).unwrap() {
        let path = entry.unwrap().path();
        let target = bin.join(path.file_name().unwrap());
        if !target.exists() && path.file_name().unwrap() != "clpmonctrl" {
            std::os::unix::fs::symlink(&path, target).unwrap();
        }
    }
    let log = shims.path().join("clpmonctrl-ssc-node2.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nif [ \"$1\" = -v ]; then echo 'Invalid option.'; exit 1; fi\nexec '{}' \"$@\"\n",
        log.display(),
        real.join("clpmonctrl").display()
    );
    std::fs::write(bin.join("clpmonctrl"), script).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(bin.join("clpmonctrl"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin_of = |node: &str| if node == "ssc-node2" { bin.clone() } else { shims.bin() };
    let (connection, _servers) = shims.ssh_connection_with(&keys, &bin_of);

    let procedure = root().join(PROCEDURE);
    let args = [
        "run",
        procedure.to_str().unwrap(),
        "--backend",
        "expresscluster",
        "--connection",
        connection.to_str().unwrap(),
        "--journal",
        "journal",
        "--yes",
    ];
    let run = clusterproc_in(shims.path(), &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let both = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        both.contains("ssc-node2: `clpstat --long` accepted; `clpmonctrl -h` refused (exit code Some(1): \"Invalid option.\"): monitor steps will be refused"),
        "{both}"
    );
    assert!(
        both.contains("refusing `clpmonctrl -s -h ssc-node2 -m servicew-dpm`: it needs clpmonctrl's -h option, which this node did not accept when probed"),
        "{both}"
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls, "-v -h ssc-node2\n", "only the probe reached ssc-node2's clpmonctrl");
}
