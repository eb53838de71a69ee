//! The `import-registry` action through the CLI on the simulator: planned with the command an
//! operator types, run where the module's values are in place (nothing to do) and where a
//! crash while suspended rolled them back (the resumed run imports the export of step 7 and
//! the values are back), refused while the cluster is suspended and for an export taken
//! before the install, and a step without its `file` refused with file and line.

use std::path::Path;

use crate::support::{Run, clusterproc};

const PROCEDURE: &str = "tests/data/import-registry.toml";
const CRASH: &str = "tests/data/import-after-crash.toml";
const AFTER_INSTALL: &str = r"C:\Temp\EXAMPLE-0001\registry-backup-registry-active.reg";

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The operations a step issued, as `verb node file`.
fn operations(report: &serde_json::Value, id: &str) -> Vec<String> {
    let step = report["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id}"));
    step["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|node| node["operations"].as_array().unwrap().iter())
        .map(|op| format!("{} {} {}", op["verb"].as_str().unwrap(), op["node"].as_str().unwrap(), op["file"]))
        .collect()
}

#[test]
fn import_registry_plans_with_the_reg_command() {
    let run = clusterproc(&["plan", PROCEDURE, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let step = plan["steps"].as_array().unwrap().iter().find(|s| s["id"] == "import-registry-active").unwrap();
    let does = step["does"][0].as_str().unwrap();
    assert!(does.contains(&format!("reg import {AFTER_INSTALL}")), "{does}");
    assert!(does.contains("registry sync online there"), "{does}");
    assert!(step["verifies"][0].as_str().unwrap().contains("registry values EXAMPLE-0001 writes are in place"));
}

#[test]
fn where_the_values_are_in_place_the_import_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    let journal = dir.path().join("run").display().to_string();
    let run = clusterproc(&["run", PROCEDURE, "--journal", &journal, "--report", &path.display().to_string()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = report(&path);
    assert_eq!(report["result"], "completed");
    assert!(operations(&report, "import-registry-active").is_empty(), "{report}");
}

/// The active node crashes while suspended after the installs; when it boots it starts the
/// group and registry sync rolls its values back. The resumed run imports the export of
/// step 7 on it, with the cluster running and the group there: the values are back.
#[test]
fn a_resumed_run_imports_the_export_taken_after_the_install_and_the_values_are_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    let journal = dir.path().join("run").display().to_string();
    let args = ["run", PROCEDURE, "--scenario", CRASH, "--journal", &journal, "--yes", "--report"];
    let first = clusterproc(&[&args[..], &[&path.display().to_string()]].concat());
    assert_eq!(first.code, 1, "the run stops on the crash: {}", first.stdout);
    assert!(first.stdout.contains("Stopped at step 10 resume-cluster: ssc-node1 is down"), "{}", first.stdout);

    let resumed = clusterproc(&[&args[..], &[&path.display().to_string(), "--resume"]].concat());
    assert!(resumed.stdout.contains("Completed: 16 steps done"), "{}\n{}", resumed.stdout, resumed.stderr);
    let report = report(&path);
    assert_eq!(
        operations(&report, "import-registry-active"),
        [format!("import-registry ssc-node1 {:?}", AFTER_INSTALL)]
    );
    // The rollback at the crash stays a violation of the run; the values are back at its end.
    assert!(resumed.stdout.contains("VIOLATED    registry-rolled-back"), "{}", resumed.stdout);
    assert!(
        resumed.stdout.contains("The installer's registry values were rolled back on ssc-node1.\n  ssc-node1: they are in place again at the end of the run."),
        "{}",
        resumed.stdout
    );
    assert!(!resumed.stdout.contains("install the module on ssc-node1 again"), "{}", resumed.stdout);
}

fn refused(run: &Run, step: &str, reason: &str) {
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let line =
        run.stdout.lines().find(|l| l.starts_with("Refused at step")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.starts_with(&format!("Refused at step {step}: {reason}")), "{line}");
    assert!(line.contains("[registry-rolled-back]"), "{line}");
}

#[test]
fn an_import_while_the_cluster_is_suspended_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run").display().to_string();
    let run = clusterproc(&["run", "tests/data/unsafe/import-while-suspended.toml", "--journal", &journal, "--yes"]);
    refused(&run, "#6 import-while-suspended", "the cluster is suspended: registry sync captures nothing now");
}

/// The example with one more step, inserted before `before`, in a file of `dir`.
fn with_step(dir: &Path, before: &str, step: &str) -> String {
    let text =
        std::fs::read_to_string(crate::support::root().join("procedures/examples/registry-changing-module.toml"))
            .unwrap();
    let marker = format!("[[step]]\nid = \"{before}\"");
    let path = dir.join("procedure.toml");
    std::fs::write(&path, text.replacen(&marker, &format!("{step}\n{marker}"), 1)).unwrap();
    path.display().to_string()
}

#[test]
fn an_import_of_the_export_taken_before_the_install_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let step = "[[step]]\nid = \"import-old\"\ntitle = \"Import the old export\"\non = \"active\"\n\
                action = \"import-registry\"\nfile = 'C:\\Temp\\EXAMPLE-0001\\registry-backup-registry.reg'\n";
    let procedure = with_step(dir.path(), "suspend-cluster", step);
    let journal = dir.path().join("run").display().to_string();
    let run = clusterproc(&["run", &procedure, "--journal", &journal, "--yes"]);
    refused(
        &run,
        "#3 import-old",
        r"C:\Temp\EXAMPLE-0001\registry-backup-registry.reg is the export of step 2 backup-registry, taken before the module's first install",
    );
}

#[test]
fn an_import_without_its_file_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let step = "[[step]]\nid = \"import-nothing\"\ntitle = \"Import\"\non = \"active\"\naction = \"import-registry\"\n";
    let procedure = with_step(dir.path(), "suspend-cluster", step);
    let run = clusterproc(&["plan", &procedure]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.ends_with(": action `import-registry` in step `import-nothing` needs `file`"), "{first}");
    assert!(first.contains("procedure.toml:"), "the file and line: {first}");
}
