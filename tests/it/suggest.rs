//! `check --suggest`: repairs of a failing procedure, each proven by the same check passing
//! on the repaired file, shown as a diff and written with `--write-fix`.

use std::path::Path;

use crate::support::{clusterproc, root};

/// `check ARGS` with its counterexamples saved in `dir`.
fn check(dir: &Path, args: &[&str]) -> crate::support::Run {
    let save = dir.join("counterexamples").display().to_string();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--save", &save, "--jobs", "1"]);
    clusterproc(&all)
}

/// The seed at two faults: the best repair moves the suspend before the unzip (the false
/// alarms during the unzip then fail nothing over); a `verify-cluster` after the unzip is
/// among the others, its hunk right where the step goes. The repair written passes.
#[test]
fn the_seed_at_two_faults_gets_repairs_that_pass() {
    let dir = tempfile::tempdir().unwrap();
    let fix = dir.path().join("repaired.toml").display().to_string();
    let run = check(dir.path(), &["procedures/ssc0307-0006.toml", "--faults", "2", "--suggest", "--write-fix", &fix]);
    assert_eq!(run.code, 1, "the procedure as written still fails\n{}\n{}", run.stdout, run.stderr);
    let repairs =
        run.stdout.split("Repairs (each proven").nth(1).unwrap_or_else(|| panic!("no repairs:\n{}", run.stdout));
    assert!(repairs.contains("\n1. move step suspend-cluster before unzip:\n"), "{repairs}");
    assert!(
        repairs.contains("--- procedures/ssc0307-0006.toml\n+++ procedures/ssc0307-0006.toml (repaired)\n"),
        "{repairs}"
    );
    let verify = repairs.split(". insert step verify-cluster-after-unzip before backup-registry:\n").nth(1);
    let verify = verify.unwrap_or_else(|| panic!("a verify-cluster repair: {repairs}"));
    assert!(verify.contains("\n+action = \"verify-cluster\"\n+group = \"failover\"\n"), "{verify}");
    // The diff's hunk sits where the step goes: right before step 2's table.
    assert!(verify.contains("+\n [[step]]\n id = \"backup-registry\"\n"), "{verify}");
    assert!(run.stdout.contains(&format!("The first repair is written to {fix}.")), "{}", run.stdout);
    // The repaired file passes the same check, and has the original's lines in another order.
    let passed = check(dir.path(), &[&fix, "--faults", "2"]);
    assert_eq!(passed.code, 0, "the repaired procedure passes\n{}\n{}", passed.stdout, passed.stderr);
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let repaired = std::fs::read_to_string(&fix).unwrap();
    assert_eq!(repaired.lines().count(), original.lines().count());
    assert!(repaired.find("id = \"suspend-cluster\"").unwrap() < repaired.find("id = \"unzip\"").unwrap());
}

#[test]
fn a_dropped_suspend_gets_a_repair_that_restores_one() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let start = original.find("[[step]]\nid = \"suspend-cluster\"").unwrap();
    let end = original.find("[[step]]\nid = \"stop-monitoring\"").unwrap();
    let dropped = dir.path().join("no-suspend.toml");
    std::fs::write(&dropped, format!("{}{}", &original[..start], &original[end..])).unwrap();
    let fix = dir.path().join("repaired.toml").display().to_string();
    let run =
        check(dir.path(), &[&dropped.display().to_string(), "--faults", "none", "--suggest", "--write-fix", &fix]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let repaired = std::fs::read_to_string(&fix).unwrap_or_else(|_| panic!("no repair written:\n{}", run.stdout));
    assert!(repaired.contains("action = \"suspend-cluster\""), "the repair restores a suspend:\n{}", run.stdout);
    let passed = check(dir.path(), &[&fix, "--faults", "none"]);
    assert_eq!(passed.code, 0, "{}\n{}", passed.stdout, passed.stderr);
}

#[test]
fn a_passing_check_searches_no_repair_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fix = dir.path().join("repaired.toml");
    let run = check(
        dir.path(),
        &["procedures/ssc0307-0006.toml", "--faults", "1", "--suggest", "--write-fix", &fix.display().to_string()],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("Repairs"), "{}", run.stdout);
    assert!(!fix.exists());
}

#[test]
fn repairs_are_in_the_json_report_too() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(dir.path(), &["procedures/ssc0307-0006.toml", "--faults", "2", "--suggest", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let repairs = &report["repairs"];
    assert_eq!(repairs["candidates"][0], "verify-cluster", "{repairs}");
    let first = &repairs["found"][0];
    assert_eq!(first["edit"], "move", "{first}");
    assert_eq!(first["step"], "suspend-cluster");
    assert_eq!(first["before"], "unzip");
    let verify = repairs["found"].as_array().unwrap().iter().find(|r| r["action"] == "verify-cluster");
    let verify = verify.unwrap_or_else(|| panic!("{repairs}"));
    assert_eq!(verify["edit"], "insert");
    assert_eq!(verify["on"], "active");
    assert_eq!(verify["before"], "backup-registry");
    assert!(verify["diff"].as_str().unwrap().contains("+action = \"verify-cluster\""), "{verify}");
    // Without --suggest the report has no repairs at all.
    let plain = check(dir.path(), &["procedures/ssc0307-0006.toml", "--faults", "2", "--format", "json"]);
    let plain: serde_json::Value = serde_json::from_str(&plain.stdout).expect("JSON");
    assert!(plain.get("repairs").is_none(), "{plain}");
}

/// The repaired file keeps the original's line endings, and the step goes before the comment
/// lines that describe the next step and before its header, even one that ends with a
/// comment of its own.
#[test]
fn a_crlf_file_with_commented_headers_is_repaired_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let start = original.find("[[step]]\nid = \"suspend-cluster\"").unwrap();
    let end = original.find("[[step]]\nid = \"stop-monitoring\"").unwrap();
    let dropped = format!("{}{}", &original[..start], &original[end..])
        .replacen(
            "[[step]]\nid = \"unzip\"",
            "# Step 1, as NEC numbers it.\n[[step]]  # the first step\nid = \"unzip\"",
            1,
        )
        .replace('\n', "\r\n");
    let file = dir.path().join("crlf.toml");
    std::fs::write(&file, &dropped).unwrap();
    let fix = dir.path().join("repaired.toml");
    let run = check(
        dir.path(),
        &[&file.display().to_string(), "--faults", "none", "--suggest", "--write-fix", &fix.display().to_string()],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let repaired = std::fs::read_to_string(&fix).unwrap_or_else(|_| panic!("no repair written:\n{}", run.stdout));
    assert_eq!(repaired.matches('\n').count(), repaired.matches("\r\n").count(), "every line ends in CRLF");
    let inserted = repaired.find("action = \"suspend-cluster\"").expect("a suspend inserted");
    let comment = repaired.find("# Step 1, as NEC numbers it.").unwrap();
    assert!(inserted < comment, "the new step goes above the comment that describes the next one");
    assert_eq!(repaired.lines().count(), dropped.lines().count() + 6);
    let passed = check(dir.path(), &[&fix.display().to_string(), "--faults", "none"]);
    assert_eq!(passed.code, 0, "{}\n{}", passed.stdout, passed.stderr);
}

/// A check that fails only on its mutation score has nothing the fault search could prove
/// repaired: no repair is searched.
#[test]
fn a_failing_mutation_score_alone_searches_no_repair() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        dir.path(),
        &["procedures/ssc0307-0006.toml", "--faults", "none", "--mutants", "--min-mutation-score", "100", "--suggest"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("mutation score"), "{}", run.stdout);
    assert!(!run.stdout.contains("Repairs") && !run.stdout.contains("No repair found"), "{}", run.stdout);
}

/// A crash of the active node mid-install while the cluster is suspended: no step inserted
/// anywhere prevents the rollback it causes. Judged where the run ends (--no-recovery), the
/// violation is marked unpreventable in the text, the JSON and JUnit, and names the way back.
#[test]
fn an_unpreventable_violation_is_marked_so_with_its_recovery_named() {
    let dir = tempfile::tempdir().unwrap();
    let example = "procedures/examples/registry-changing-module.toml";
    let base = [example, "--no-recovery", "--guards", "on", "--suggest"];
    let text = check(dir.path(), &base);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(
        text.stdout.contains("guarded: unpreventable: no change to the procedure prevents this"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("Unpreventable: registry-rolled-back"), "{}", text.stdout);
    assert!(text.stdout.contains("`clusterproc recover` plans the way back"), "{}", text.stdout);
    let json = check(dir.path(), &[&base[..], &["--format", "json"]].concat());
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["repairs"]["unpreventable"], serde_json::json!(["registry-rolled-back"]));
    let invariant =
        report["ways"][0]["invariants"].as_array().unwrap().iter().find(|i| i["id"] == "registry-rolled-back").unwrap();
    assert!(invariant["unpreventable"].as_str().unwrap().contains("recovery: "), "{invariant}");
    let junit = check(dir.path(), &[&base[..], &["--format", "junit"]].concat());
    assert!(junit.stdout.contains("type=\"unpreventable\""), "{}", junit.stdout);
    // With the recovery after the run (the default), the same crash is put right: nothing
    // is left to call unpreventable.
    let recovered = check(dir.path(), &[example, "--guards", "on", "--suggest", "--format", "json"]);
    assert_eq!(recovered.code, 0, "{}", recovered.stdout);
}

/// The seed with one step's table cut out and put back before another's: `from`'s table
/// (its `[[step]]` line to the next one) goes right before `before`'s.
fn seed_with_step_moved(from: &str, before: &str) -> String {
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let table = |id: &str| original.find(&format!("[[step]]\nid = \"{id}\"")).unwrap();
    let start = table(from);
    let end = start + 1 + original[start + 1..].find("[[step]]").unwrap();
    let block = &original[start..end];
    let without = format!("{}{}", &original[..start], &original[end..]);
    let at = without.find(&format!("[[step]]\nid = \"{before}\"")).unwrap();
    format!("{}{block}{}", &without[..at], &without[at..])
}

/// The suspend placed late, right before the resume: the services stop and the module
/// installs while the cluster's monitors still watch them. The best repair moves the
/// suspend back before them; the file it writes has the same lines in another order, and
/// passes.
#[test]
fn a_step_out_of_order_gets_a_move_repair_that_passes() {
    let dir = tempfile::tempdir().unwrap();
    let moved = seed_with_step_moved("suspend-cluster", "resume-cluster");
    let file = dir.path().join("suspend-late.toml");
    std::fs::write(&file, &moved).unwrap();
    let fix = dir.path().join("repaired.toml").display().to_string();
    let run = check(dir.path(), &[&file.display().to_string(), "--faults", "none", "--suggest", "--write-fix", &fix]);
    assert_eq!(run.code, 1, "the procedure as written fails\n{}\n{}", run.stdout, run.stderr);
    let repairs = run.stdout.split("Repairs (each proven").nth(1).unwrap_or_else(|| panic!("{}", run.stdout));
    let first = repairs.lines().nth(1).unwrap();
    assert!(first.starts_with("1. move step suspend-cluster before "), "{repairs}");
    // The diff deletes the table where it was and adds it where it goes.
    assert!(
        repairs.contains("-id = \"suspend-cluster\"\n") && repairs.contains("+id = \"suspend-cluster\"\n"),
        "{repairs}"
    );
    let repaired = std::fs::read_to_string(&fix).unwrap();
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&repaired), sorted(&moved), "a move only reorders the file's lines");
    let suspend = repaired.find("id = \"suspend-cluster\"").unwrap();
    assert!(suspend < repaired.find("id = \"stop-services\"").unwrap(), "{repaired}");
    let passed = check(dir.path(), &[&fix, "--faults", "none"]);
    assert_eq!(passed.code, 0, "the repaired procedure passes\n{}\n{}", passed.stdout, passed.stderr);
    // The JSON report names the edit, and its replacements give the same file.
    let json = check(dir.path(), &[&file.display().to_string(), "--faults", "none", "--suggest", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let best = &report["repairs"]["found"][0];
    assert_eq!(best["edit"], "move", "{best}");
    assert_eq!(best["step"], "suspend-cluster", "{best}");
    assert_eq!(best["replacements"].as_array().unwrap().len(), 2, "{best}");
}

/// The unzip given the active node's role alone: the standby has nothing to install from.
/// The repair runs it on every node again, one line changed.
#[test]
fn a_step_on_the_wrong_role_gets_a_role_change() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let wrong = original.replacen(
        "on = \"every-node\"\naction = \"unzip-module\"",
        "on = \"active\"\naction = \"unzip-module\"",
        1,
    );
    assert_ne!(wrong, original);
    let file = dir.path().join("wrong-role.toml");
    std::fs::write(&file, &wrong).unwrap();
    let fix = dir.path().join("repaired.toml").display().to_string();
    let run = check(dir.path(), &[&file.display().to_string(), "--faults", "none", "--suggest", "--write-fix", &fix]);
    assert_eq!(run.code, 1, "the procedure as written fails\n{}\n{}", run.stdout, run.stderr);
    let repairs = run.stdout.split("Repairs (each proven").nth(1).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(repairs.contains("\n1. run step unzip on every-node (not active):\n"), "{repairs}");
    assert!(repairs.contains("\n-on = \"active\"\n+on = \"every-node\"\n"), "{repairs}");
    let repaired = std::fs::read_to_string(&fix).unwrap();
    assert_eq!(repaired, original, "the role change restores the original line");
    let passed = check(dir.path(), &[&fix, "--faults", "none"]);
    assert_eq!(passed.code, 0, "the repaired procedure passes\n{}\n{}", passed.stdout, passed.stderr);
}
