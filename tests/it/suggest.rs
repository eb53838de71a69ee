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

#[test]
fn the_seed_at_two_faults_gets_a_verify_cluster_repair_that_passes() {
    let dir = tempfile::tempdir().unwrap();
    let fix = dir.path().join("repaired.toml").display().to_string();
    let run = check(dir.path(), &["procedures/ssc0307-0006.toml", "--faults", "2", "--suggest", "--write-fix", &fix]);
    assert_eq!(run.code, 1, "the procedure as written still fails\n{}\n{}", run.stdout, run.stderr);
    let repairs =
        run.stdout.split("Repairs (each proven").nth(1).unwrap_or_else(|| panic!("no repairs:\n{}", run.stdout));
    assert!(repairs.contains("1. insert step verify-cluster-after-unzip:"), "{repairs}");
    assert!(
        repairs.contains("--- procedures/ssc0307-0006.toml\n+++ procedures/ssc0307-0006.toml (repaired)\n"),
        "{repairs}"
    );
    assert!(repairs.contains("\n+action = \"verify-cluster\"\n+group = \"failover\"\n"), "{repairs}");
    // The diff's hunk sits where the step goes: right before step 2's table.
    let hunk = repairs.split("1. insert step").nth(1).unwrap().split("2. insert step").next().unwrap();
    assert!(hunk.contains("+\n [[step]]\n id = \"backup-registry\"\n"), "{hunk}");
    assert!(run.stdout.contains(&format!("The first repair is written to {fix}.")), "{}", run.stdout);
    // The repaired file passes the same check, and differs from the original by the step.
    let passed = check(dir.path(), &[&fix, "--faults", "2"]);
    assert_eq!(passed.code, 0, "the repaired procedure passes\n{}\n{}", passed.stdout, passed.stderr);
    let original = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let repaired = std::fs::read_to_string(&fix).unwrap();
    assert_eq!(repaired.lines().count(), original.lines().count() + 7);
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
    assert_eq!(first["action"], "verify-cluster");
    assert_eq!(first["on"], "active");
    assert_eq!(first["before"], "backup-registry");
    assert!(first["diff"].as_str().unwrap().contains("+action = \"verify-cluster\""), "{first}");
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
