//! `clusterproc survey` as an operator runs it: against the simulator's command line over a
//! real OpenSSH server per node, and against `serve`'s REST API; the bundle it writes holds
//! no secret, `--replay` prints the same report byte for byte, a damaged answer in a bundle
//! turns the verdict, and `--emit-cluster` gives back the seed's cluster description.

use std::path::Path;
use std::sync::Arc;

use procedure::diagnostic::SourceFile;

use crate::conformance::{Shims, setup};
use crate::real_nodes::Keys;
use crate::support::{Run, clusterproc_in, clusterproc_in_env, root};

const SEED: &str = "procedures/ssc0307-0006.toml";
const FOLDER: &str = r"C:\Temp\SSC0307-0006";

/// Every file under `dir`, as bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

/// A cluster description loaded, rendered so that two equal descriptions render alike.
fn loaded(path: &Path) -> String {
    let cluster = procedure::cluster::load(&SourceFile::read(path).unwrap()).unwrap();
    format!("{:#?}", cluster)
}

/// Copies a bundle to `$CLUSTERPROC_KEEP_SURVEY_BUNDLES/NAME` when that is set: how the
/// bundles in `tests/data/surveys/` were made (see its README).
fn keep(bundle: &Path, name: &str) {
    let Some(dir) = std::env::var_os("CLUSTERPROC_KEEP_SURVEY_BUNDLES") else { return };
    let target = Path::new(&dir).join(name);
    for (file, bytes) in files(bundle) {
        let relative = Path::new(&file).strip_prefix(bundle).unwrap().to_owned();
        std::fs::create_dir_all(target.join(&relative).parent().unwrap()).unwrap();
        std::fs::write(target.join(relative), bytes).unwrap();
    }
}

fn replay(dir: &Path, bundle: &str) -> Run {
    clusterproc_in(dir, &["survey", "--replay", bundle])
}

#[test]
fn a_survey_over_ssh_reports_records_replays_and_gives_back_the_seeds_cluster() {
    let setup = setup(SEED);
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, FOLDER);
    let keys = Keys::new(shims.path());
    let (connection, _servers) = shims.ssh_connection(&keys);
    let run = clusterproc_in(
        shims.path(),
        &[
            "survey",
            "--connection",
            connection.to_str().unwrap(),
            "--procedure",
            root().join(SEED).to_str().unwrap(),
            "--output",
            "bundle",
            "--emit-cluster",
            "seen.toml",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for expected in [
        "ssc-node1: `clpstat --long` accepted",
        "ssc-node2: `clpstat --long`: ok (cluster ssc-cluster: 2 servers, 1 groups, 9 resources, 7 monitors)",
        "`sc.exe query type= service state= all`: ok (",
        "ok: servers: ssc-node1, ssc-node2",
        "ok: ssc-node2: every service the description names is installed",
        "servers of a suspended cluster show `Suspend`: not seen; no server shows Suspend",
        "the Task Manager watch: confirmed (the [watch] list command answered on ssc-node1)",
        "ssc-node1: HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM\\Version: as expected (\"3.7\")",
        "The backend can run here",
    ] {
        assert!(run.stdout.contains(expected), "{expected:?} missing from:\n{}", run.stdout);
    }
    // What every command was, with its answer's bytes, exit code, encoding and timing.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shims.path().join("bundle/manifest.json")).unwrap()).unwrap();
    let first = &manifest["commands"][0];
    assert_eq!(first["argv"], serde_json::json!(["clpstat", "--long"]));
    assert_eq!(first["exit_code"], 0);
    assert_eq!(first["stdout_encoding"], "utf-8");
    assert!(first["took_ms"].is_u64());
    let stdout = std::fs::read_to_string(shims.path().join("bundle").join(first["stdout"].as_str().unwrap())).unwrap();
    assert!(stdout.contains("ssc-node1"), "{stdout}");

    let again = replay(shims.path(), "bundle");
    assert_eq!((again.code, &again.stdout), (0, &run.stdout), "{}", again.stderr);
    let kept = std::fs::read_to_string(shims.path().join("bundle/report.txt")).unwrap();
    assert_eq!(kept, run.stdout, "the bundle keeps the report it printed");
    for expected in
        ["`clpmonctrl -h` accepted (`clpmonctrl -v -h` exited 0)", "product: EXPRESSCLUSTER (clpstat answers)"]
    {
        assert!(run.stdout.contains(expected), "{expected:?} missing from:\n{}", run.stdout);
    }
    keep(&shims.path().join("bundle"), "ssh-two-node");

    // The description it emits loads to the seed's own.
    assert_eq!(loaded(&shims.path().join("seen.toml")), loaded(&root().join("scenarios/cluster/ssc-two-node.toml")));
}

#[test]
fn a_survey_through_the_rest_api_keeps_no_secret_and_replays_alike() {
    let setup = setup(SEED);
    let password = format!("survey-secret-{}", std::process::id());
    let config = sim_server::rest::Config {
        setup: Arc::clone(&setup),
        seed: 1,
        speed: 0.0,
        users: sim_server::rest::users::Users::single("ops", password.clone()),
    };
    let rest = sim_server::rest::start(config, std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let session = format!("http://{}/sessions/default", rest.address);
    let shims = Shims::on(session, FOLDER, Some(("ops".to_owned(), password.clone())));
    let connection = shims.rest_connection();
    let env = [("CLUSTERPROC_SIM_USER", "ops"), ("CLUSTERPROC_SIM_PASSWORD", password.as_str())];
    let args = ["survey", "--connection", connection.to_str().unwrap(), "--output", "bundle"];
    let run = clusterproc_in_env(shims.path(), &args, &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for expected in [
        "the cluster observed through the REST API",
        "clpstat not run (the REST API replaces it)",
        "REST status words seen: ",
        "REST GET resources: ok (HTTP 200)",
        "REST JSON layouts beyond the fields NEC's clients read: confirmed",
        "The backend can run here",
    ] {
        assert!(run.stdout.contains(expected), "{expected:?} missing from:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("`clpstat"), "{}", run.stdout);
    let bundle = files(&shims.path().join("bundle"));
    assert!(bundle.len() > 5, "{bundle:?}");
    for (file, bytes) in &bundle {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&password), "{file} holds the password");
        assert!(!text.to_ascii_lowercase().contains("authorization"), "{file} holds an Authorization header");
    }
    let again = replay(shims.path(), "bundle");
    assert_eq!((again.code, &again.stdout), (0, &run.stdout), "{}", again.stderr);
    assert!(run.stdout.contains("product: EXPRESSCLUSTER X 4.2 or later"), "{}", run.stdout);
    keep(&shims.path().join("bundle"), "rest-two-node");
}

#[test]
fn a_bundle_whose_answer_does_not_parse_is_refused_with_its_line_and_bad_input_exits_2() {
    let setup = setup(SEED);
    let server = sim_server::server::start(Arc::clone(&setup)).unwrap();
    let shims = Shims::new(&server, FOLDER);
    let keys = Keys::new(shims.path());
    let (connection, _servers) = shims.ssh_connection(&keys);
    let run = clusterproc_in(shims.path(), &["survey", "--connection", connection.to_str().unwrap(), "--output", "b"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // An answer in a shape the parser has not seen: the verdict turns, naming the line.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shims.path().join("b/manifest.json")).unwrap()).unwrap();
    let sc = manifest["commands"].as_array().unwrap().iter().find(|c| c["argv"][0] == "sc.exe").unwrap();
    std::fs::write(shims.path().join("b").join(sc["stdout"].as_str().unwrap()), "SERVICE_NAME: x\nWHAT IS THIS\n")
        .unwrap();
    let damaged = replay(shims.path(), "b");
    assert_eq!(damaged.code, 1, "{}\n{}", damaged.stdout, damaged.stderr);
    assert!(
        damaged.stdout.contains("ssc-node1: `sc.exe query type= service state= all`: refused: "),
        "{}",
        damaged.stdout
    );
    assert!(damaged.stdout.contains("The backend cannot run here"), "{}", damaged.stdout);

    // A bundle folder that is not there, and an output folder already used: bad input.
    let missing = replay(shims.path(), "nowhere");
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("survey bundle nowhere: cannot read manifest.json"), "{}", missing.stderr);
    let reused =
        clusterproc_in(shims.path(), &["survey", "--connection", connection.to_str().unwrap(), "--output", "b"]);
    assert_eq!(reused.code, 2, "{}", reused.stderr);
    assert!(reused.stderr.contains("--output b: the folder is not empty"), "{}", reused.stderr);
}
