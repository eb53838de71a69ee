//! Procedures that apply several modules, through the CLI as a user runs them: the two shipped
//! examples (three modules in one suspend window, and back to back with a window each)
//! planned, run and checked; the loader's errors about modules; `partial-update` judged
//! module by module.

use std::path::{Path, PathBuf};

use crate::support::{Run, clusterproc, root};

const ONE_WINDOW: &str = "procedures/examples/three-modules-one-window.toml";
const BACK_TO_BACK: &str = "procedures/examples/three-modules-back-to-back.toml";

fn example(relative: &str) -> String {
    root().join(relative).display().to_string()
}

/// `relative`'s text with `edit` applied, written into `dir` as `name`.
fn edited(dir: &Path, relative: &str, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(root().join(relative)).unwrap();
    let changed = edit(text.clone());
    assert_ne!(changed, text, "the edit of {relative} changed nothing");
    let path = dir.join(name);
    std::fs::write(&path, changed).unwrap();
    path
}

fn run(procedure: &str, dir: &Path, extra: &[&str]) -> Run {
    let journal = dir.join("run").display().to_string();
    let mut args = vec!["run", procedure, "--journal", journal.as_str()];
    args.extend_from_slice(extra);
    clusterproc(&args)
}

#[test]
fn the_one_window_form_plans_each_module_and_installs_them_in_order_on_each_node() {
    let plan = clusterproc(&["plan", &example(ONE_WINDOW)]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    for line in [
        "  module   SSC0307-0006 (SSC0307-0006.zip)",
        "  module   SSC0307-0007 (SSC0307-0007.zip)",
        "  module   SSC0307-0008 (SSC0307-0008.zip)",
        "           SystemProvisioning 3.7 -> 3.7-SSC0307-0007",
        "           SystemMonitor 3.7 -> 3.7-SSC0307-0008",
        "run the SSC0307-0007 installer from C:\\Temp\\SSC0307-0007 on ssc-node1",
        "export HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\NEC\\PVM to C:\\Temp\\SSC0307-0007\\",
    ] {
        assert!(plan.stdout.contains(line), "the plan lacks {line:?}:\n{}", plan.stdout);
    }
    // One suspend and one resume; each module installed on the active node, then each on
    // the standby.
    let actions: Vec<&str> = plan.stdout.lines().filter_map(|line| line.split_whitespace().nth(2)).collect();
    assert_eq!(actions.iter().filter(|a| **a == "suspend-cluster").count(), 1, "{}", plan.stdout);
    assert_eq!(actions.iter().filter(|a| **a == "resume-cluster").count(), 1, "{}", plan.stdout);
    let order: Vec<&str> = plan
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|id| id.starts_with("install-"))
        .collect();
    assert_eq!(
        order,
        [
            "install-0006-active",
            "install-0007-active",
            "install-0008-active",
            "install-0006-standby",
            "install-0007-standby",
            "install-0008-standby"
        ]
    );
    let json = clusterproc(&["plan", &example(ONE_WINDOW), "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let ids: Vec<&str> = value["modules"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["SSC0307-0006", "SSC0307-0007", "SSC0307-0008"]);
}

#[test]
fn the_one_window_form_runs_to_its_end_with_every_module_on_every_node() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(&example(ONE_WINDOW), dir.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Completed: 21 steps done, 0 skipped"), "{}", run.stdout);
    assert!(run.stdout.contains("  ok          partial-update"), "{}", run.stdout);
    // The journal names each unzip's and install's module.
    let journal = std::fs::read_to_string(dir.path().join("run/journal.jsonl")).unwrap();
    for id in ["SSC0307-0006", "SSC0307-0007", "SSC0307-0008"] {
        assert!(journal.contains(&format!("\"module\":\"{id}\"")), "the journal never names {id}");
    }
}

#[test]
fn the_back_to_back_form_stops_at_the_third_resume_when_recovery_counts_are_kept() {
    // Each window stops PVMService; servicew-pvm restarts it after each resume, spending its
    // reactivation, then its failover, and at the third resume its final action stops the
    // group. Nothing in the file says so: the simulator's monitor does it.
    let dir = tempfile::tempdir().unwrap();
    let run = run(&example(BACK_TO_BACK), dir.path(), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Stopped at step #34 resume-cluster-0008: timed out after 10m: group failover is not online"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("33 steps done"), "{}", run.stdout);
}

#[test]
fn the_back_to_back_form_completes_where_each_resume_resets_the_counts() {
    // The same file on a cluster whose resume clears the counts: the verdict follows the
    // cluster's mechanics, not the file.
    let dir = tempfile::tempdir().unwrap();
    let cluster = edited(dir.path(), "scenarios/cluster/ssc-two-node.toml", "cluster.toml", |text| {
        text.replacen("\nversion = 1\n", "\nversion = 1\nrecovery-counts = \"reset-on-resume\"\n", 1)
    });
    let cluster = cluster.display().to_string();
    let run = run(&example(BACK_TO_BACK), dir.path(), &["--cluster", &cluster]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Completed: 39 steps done"), "{}", run.stdout);
}

#[test]
fn check_passes_the_one_window_form_and_fails_the_back_to_back_form_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("one").display().to_string();
    let one = clusterproc(&["check", &example(ONE_WINDOW), "--faults", "none", "--save", &save]);
    assert_eq!(one.code, 0, "{}\n{}", one.stdout, one.stderr);
    assert!(
        one.stdout.contains("  as written  completed\n              monitor servicew-pvm: reactivation at "),
        "the one window spends one reactivation:\n{}",
        one.stdout
    );
    assert!(!one.stdout.contains("final action"), "{}", one.stdout);

    let save = dir.path().join("two").display().to_string();
    let two = clusterproc(&["check", &example(BACK_TO_BACK), "--faults", "none", "--save", &save]);
    assert_eq!(two.code, 1, "{}\n{}", two.stdout, two.stderr);
    assert!(two.stdout.starts_with("Check: "), "{}", two.stdout);
    assert!(
        two.stdout.contains("as written: without faults the procedure does not finish: step #34 resume-cluster-0008"),
        "{}",
        two.stdout
    );
    let spent = two
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("monitor servicew-pvm: reactivation at "))
        .unwrap_or_else(|| panic!("no line of servicew-pvm's recoveries:\n{}", two.stdout));
    assert!(spent.contains(", failover at "), "{spent}");
    assert!(spent.contains(", final action StopGroup at "), "{spent}");
    assert!(spent.ends_with("(recovery-counts = \"kept\")"), "{spent}");
}

#[test]
fn check_explores_single_faults_on_the_one_window_form() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("cx").display().to_string();
    let check = clusterproc(&["check", &example(ONE_WINDOW), "--faults", "1", "--save", &save, "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_str(&check.stdout).unwrap_or_else(|e| panic!("{e}:\n{}\n{}", check.stdout, check.stderr));
    for way in report["ways"].as_array().unwrap() {
        assert_eq!(way["baseline"]["ending"], "completed", "{way}");
        assert!(way["search"]["states"].as_u64().unwrap() > 0, "{way}");
    }
}

/// The one-window example without the standby's install of SSC0307-0008, written into `dir`.
fn without_the_standby_s_0008(dir: &Path) -> String {
    let procedure = edited(dir, ONE_WINDOW, "partial.toml", |text| {
        let start = text.find("[[step]]\nid = \"install-0008-standby\"").unwrap();
        let end = start + text[start + 1..].find("[[step]]").unwrap() + 1;
        format!("{}{}", &text[..start], &text[end..])
    });
    procedure.display().to_string()
}

#[test]
fn partial_update_is_judged_module_by_module() {
    // The standby never gets SSC0307-0008: that module is partial, the two others are whole.
    let dir = tempfile::tempdir().unwrap();
    let run = run(&without_the_standby_s_0008(dir.path()), dir.path(), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let partial = run
        .stdout
        .lines()
        .find(|line| line.contains("VIOLATED    partial-update"))
        .unwrap_or_else(|| panic!("partial-update holds:\n{}", run.stdout));
    assert!(
        partial.contains("ssc-node2 has SystemMonitor 3.7, not 3.7-SSC0307-0008 (module SSC0307-0008)"),
        "{partial}"
    );
    assert!(!run.stdout.contains("(module SSC0307-0006)"), "{}", run.stdout);
    assert!(!run.stdout.contains("(module SSC0307-0007)"), "{}", run.stdout);
}

/// `plan` of `relative` edited by `edit`: the loader's error, exit 2.
fn refused(relative: &str, edit: impl Fn(String) -> String) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = edited(dir.path(), relative, "bad.toml", edit);
    let plan = clusterproc(&["plan", &path.display().to_string()]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.stderr
}

#[test]
fn the_loader_refuses_module_mistakes_at_their_line() {
    // An unknown id, at the step's `module`.
    let error = refused(ONE_WINDOW, |text| {
        text.replacen("module = \"SSC0307-0008\"\nfolder", "module = \"SSC0307-0009\"\nfolder", 1)
    });
    assert!(error.contains("bad.toml:122:10: the procedure applies no module `SSC0307-0009`"), "{error}");
    assert!(error.contains("its modules: `SSC0307-0006`, `SSC0307-0007`, `SSC0307-0008`"), "{error}");
    // With several modules, a step that acts on one must name it.
    let error = refused(ONE_WINDOW, |text| text.replacen("module = \"SSC0307-0007\"\nfolder", "folder", 1));
    assert!(error.contains("bad.toml:110:10: action `unzip-module` in step `unzip-0007` needs `module`"), "{error}");
    assert!(error.contains("this procedure applies 3 modules"), "{error}");
    // An action that acts on no module takes no `module`.
    let error = refused(ONE_WINDOW, |text| {
        text.replacen("action = \"suspend-cluster\"\n", "action = \"suspend-cluster\"\nmodule = \"SSC0307-0006\"\n", 1)
    });
    assert!(error.contains("action `suspend-cluster` does not take `module`"), "{error}");
    // Two modules of one id.
    let error = refused(ONE_WINDOW, |text| text.replacen("id = \"SSC0307-0008\"", "id = \"SSC0307-0007\"", 1));
    assert!(error.contains("module `SSC0307-0007` is listed twice"), "{error}");
    // Two modules updating one component.
    let error =
        refused(ONE_WINDOW, |text| text.replacen("name = \"SystemMonitor\"", "name = \"SystemProvisioning\"", 1));
    assert!(error.contains("modules `SSC0307-0007` and `SSC0307-0008` both update `SystemProvisioning`"), "{error}");
    // An empty list.
    let error = refused("procedures/ssc0307-0006.toml", |text| {
        let start = text.find("[module]").unwrap();
        let end = text.find("[[note]]").unwrap();
        format!("{}module = []\n\n{}", &text[..start], &text[end..])
    });
    assert!(error.contains("the procedure applies no module"), "{error}");
}

#[test]
fn the_single_module_form_still_needs_no_module_field_and_may_name_its_one_module() {
    let seed = clusterproc(&["plan", &example("procedures/ssc0307-0006.toml")]);
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    let dir = tempfile::tempdir().unwrap();
    let named = edited(dir.path(), "procedures/ssc0307-0006.toml", "named.toml", |text| {
        text.replacen("action = \"unzip-module\"\n", "action = \"unzip-module\"\nmodule = \"SSC0307-0006\"\n", 1)
    });
    let plan = clusterproc(&["plan", &named.display().to_string()]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_eq!(plan.stdout, seed.stdout);
}

#[test]
fn the_one_window_form_on_real_nodes_matches_the_simulator() {
    // Through real-backend over `local` to the simulated nodes' command shims: each module's
    // archive from `[module.archives]`, unzipped into its folder, its installer run there.
    let stdout = crate::conformance::conforms_with(
        ONE_WINDOW,
        r"C:\Temp\SSC0307-0006",
        &[("SSC0307-0007", r"C:\Temp\SSC0307-0007"), ("SSC0307-0008", r"C:\Temp\SSC0307-0008")],
        crate::conformance::Transport::Local,
    );
    for id in ["SSC0307-0006", "SSC0307-0007", "SSC0307-0008"] {
        assert!(stdout.contains(&format!("Module archive of {id}: sha256 ")), "{stdout}");
    }
}

#[test]
fn the_trainer_keeps_each_module_s_folder_and_installs_the_module_a_folder_holds() {
    use crate::train::{http, stop, train};
    let (child, address) = train(&[&example(ONE_WINDOW)]);
    let (status, headers, _) = http(&address, "POST", "/sessions", "");
    assert!(status.contains("303"), "{status}");
    let location = headers.lines().find_map(|l| l.strip_prefix("location: ")).unwrap().trim().to_owned();
    let act = |form: &str| {
        let (status, _, _) = http(&address, "POST", &format!("{location}/act"), form);
        assert!(status.contains("303"), "{form}: {status}");
    };
    act("do=unzip&node=ssc-node1&folder=C%3A%5CTemp%5CSSC0307-0006");
    act("do=unzip&node=ssc-node1&folder=C%3A%5CTemp%5CSSC0307-0007");
    act("do=wait&seconds=120");
    let (_, _, page) = http(&address, "GET", &location, "");
    // Both modules stay unzipped, each in its own folder: the second does not replace the first.
    assert!(page.contains("Extracted into C:\\Temp\\SSC0307-0006"), "{page}");
    assert!(page.contains("Extracted into C:\\Temp\\SSC0307-0007"), "{page}");
    // The installer in SSC0307-0007's folder is that module's: it updates SystemProvisioning.
    act("do=suspend-cluster");
    act("do=wait&seconds=120");
    act("do=stop-monitoring&node=ssc-node1&service=PVMService");
    act("do=stop-service&node=ssc-node1&service=PVMService");
    act("do=wait&seconds=60");
    act("do=run-installer&node=ssc-node1&folder=C%3A%5CTemp%5CSSC0307-0007");
    act("do=wait-until-done");
    let (_, _, page) = http(&address, "GET", &location, "");
    assert!(page.contains("SystemProvisioning updated to 3.7-SSC0307-0007"), "{page}");
    assert!(!page.contains("DeploymentManager updated to"), "{page}");
    assert_eq!(stop(child), Some(130));
}

#[test]
fn pre_flight_wants_every_module_s_archive_on_real_nodes() {
    let setup = crate::conformance::setup(ONE_WINDOW);
    let server = sim_server::server::start(std::sync::Arc::clone(&setup)).unwrap();
    let mut shims = crate::conformance::Shims::new(&server, r"C:\Temp\SSC0307-0006");
    shims.add_module("SSC0307-0007", r"C:\Temp\SSC0307-0007");
    // SSC0307-0008's archive is not named.
    let connection = shims.local_connection().display().to_string();
    let procedure = example(ONE_WINDOW);
    let args = [
        "run",
        &procedure,
        "--backend",
        "expresscluster",
        "--connection",
        &connection,
        "--journal",
        "journal",
        "--yes",
    ];
    let run = crate::support::clusterproc_in(shims.path(), &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("  FAIL    module-archive"), "{}", run.stdout);
    assert!(
        run.stdout.contains("the connection file names no archive of SSC0307-0008 ([module.archives])"),
        "{}",
        run.stdout
    );
}

#[test]
fn recover_installs_only_the_module_a_node_misses_from_that_module_s_folder() {
    let dir = tempfile::tempdir().unwrap();
    let procedure = without_the_standby_s_0008(dir.path());
    let first = run(&procedure, dir.path(), &[]);
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    let journal = dir.path().join("run").display().to_string();
    let recover = clusterproc(&["recover", &procedure, "--journal", &journal, "--yes"]);
    assert_eq!(recover.code, 0, "{}\n{}", recover.stdout, recover.stderr);
    assert!(recover.stdout.contains("  - SSC0307-0008 is not installed on ssc-node2\n"), "{}", recover.stdout);
    assert!(
        recover.stdout.contains("     Install SSC0307-0008 on ssc-node2: the module is not installed there\n"),
        "{}",
        recover.stdout
    );
    assert!(recover.stdout.contains("run the SSC0307-0008 installer from C:\\Temp\\SSC0307-0008 on ssc-node2"));
    assert!(!recover.stdout.contains("Install SSC0307-0006"), "{}", recover.stdout);
    assert!(!recover.stdout.contains("Install SSC0307-0007"), "{}", recover.stdout);
    assert!(recover.stdout.contains("steps    3 in all: 3 run, 0 skipped"), "{}", recover.stdout);
    assert!(recover.stdout.contains("The cluster serves."), "{}", recover.stdout);
}
