//! `check --accept`: a reviewed accepted-risks file turns a violation of exactly the fault
//! schedule it names into `accepted` (the check passes), goes stale once the procedure's
//! steps change, fails with `--strict-accept` when stale, is found beside the procedure,
//! and is refused at its line and column when malformed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{clusterproc, root};

/// The seed procedure copied into `dir` (so that a file beside it can be written).
fn seed_in(dir: &Path) -> PathBuf {
    let path = dir.join("seed.toml");
    std::fs::copy(root().join("procedures/ssc0307-0006.toml"), &path).unwrap();
    path
}

fn check(dir: &Path, procedure: &Path, args: &[&str]) -> crate::support::Run {
    let save = dir.join("counterexamples").display().to_string();
    let procedure = procedure.display().to_string();
    let mut all = vec!["check", procedure.as_str(), "--faults", "2", "--save", &save, "--jobs", "1"];
    all.extend_from_slice(args);
    clusterproc(&all)
}

/// The behaviour hash of `procedure`, as its check's JSON counterexamples record it.
fn behaviour_hash(dir: &Path, procedure: &Path) -> String {
    let run = check(dir, procedure, &["--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    let file = report["counterexamples"][0]["file"].as_str().expect("a counterexample file").to_owned();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    saved["behaviour_hash"].as_str().unwrap().to_owned()
}

/// The two fault schedules that break registry-sync-stopped-during-apply as written at up
/// to 2 faults: two false alarms during the unzip (the group fails over), and a false alarm
/// then a failed start of the registry-sync resource.
fn risks(hash: &str, entries: usize) -> String {
    let mut text = format!("version = 1\nprocedure-hash = \"{hash}\"\n");
    text.push_str(
        "\n[[accept]]\ninvariant = \"registry-sync-stopped-during-apply\"\nway = \"as-written\"\n\
         faults = [\"monitor-false-alarm\", \"monitor-false-alarm\"]\nstep = \"unzip\"\n\
         reason = \"Two false alarms in one unzip: the operator checks the group before suspending.\"\n\
         reviewer = \"t.sato\"\n",
    );
    if entries > 1 {
        text.push_str(
            "\n[[accept]]\ninvariant = \"registry-sync-stopped-during-apply\"\n\
             faults = [\"monitor-false-alarm\", \"resource-fails\"]\nstep = \"unzip\"\n\
             reason = \"A failed registry-sync start during the unzip is seen on the console.\"\n\
             reviewer = \"k.ito\"\n",
        );
    }
    text
}

fn invariant<'a>(report: &'a Value, way: &str, id: &str) -> &'a Value {
    let way = report["ways"].as_array().unwrap().iter().find(|w| w["way"] == way).unwrap();
    way["invariants"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()
}

#[test]
fn accepted_risks_turn_the_red_check_green_then_go_stale_when_a_step_changes() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_in(dir.path());
    let red = check(dir.path(), &seed, &[]);
    assert_eq!(red.code, 1, "the seed fails as written at 2 faults\n{}", red.stdout);
    let hash = behaviour_hash(dir.path(), &seed);
    let file = dir.path().join("risks.accept.toml");
    let file_arg = file.display().to_string();

    // One schedule accepted: the search goes on and reports the other one, still a failure.
    std::fs::write(&file, risks(&hash, 1)).unwrap();
    let one = check(dir.path(), &seed, &["--accept", &file_arg]);
    assert_eq!(one.code, 1, "{}", one.stdout);
    assert!(one.stdout.contains("registry-sync-stopped-during-apply violated at step 6"), "{}", one.stdout);
    assert!(one.stdout.contains("the next activation of resource regsync fails"), "{}", one.stdout);

    // The example shipped in procedures/examples is this file, current for the seed.
    let example =
        std::fs::read_to_string(root().join("procedures/examples/ssc0307-0006-reviewed.accept.toml")).unwrap();
    assert!(example.contains(&format!("procedure-hash = \"{hash}\"")), "the example's hash is not {hash}");
    // Both accepted: exit 0, the verdict `accepted` with the entry that matched.
    std::fs::write(&file, risks(&hash, 2)).unwrap();
    let green = check(dir.path(), &seed, &["--accept", &file_arg]);
    assert_eq!(green.code, 0, "{}\n{}", green.stdout, green.stderr);
    assert!(green.stdout.contains("  registry-sync-stopped-during-apply    accepted    prevented"), "{}", green.stdout);
    assert!(
        green.stdout.contains(&format!(
            "as written: accepted by entry 1 of {file_arg} (line 5: monitor-false-alarm, monitor-false-alarm in \
             step unzip; reviewed by t.sato): Two false alarms"
        )),
        "{}",
        green.stdout
    );
    assert!(green.stdout.contains("registry-sync-stopped-during-apply (as written, accepted by entry 1)"));
    let json = check(dir.path(), &seed, &["--accept", &file_arg, "--format", "json"]);
    assert_eq!(json.code, 0);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["passed"], true);
    let accepted = invariant(&report, "as-written", "registry-sync-stopped-during-apply");
    assert_eq!(accepted["verdict"], "accepted");
    assert_eq!(accepted["accepted"]["entry"], 1);
    assert_eq!(accepted["accepted"]["reviewer"], "t.sato");
    assert_eq!(accepted["accepted"]["violation"]["step"], "6 install-active");
    assert_eq!(report["accept"]["entries"][0]["matched"], serde_json::json!(["as-written"]));
    assert!(report["accept"]["entries"][1]["stale"].is_null());
    // JUnit: a passing test case that says why; SARIF: a note.
    let junit = check(dir.path(), &seed, &["--accept", &file_arg, "--format", "junit"]);
    assert!(junit.stdout.contains("<system-out>accepted: violated at"), "{}", junit.stdout);
    assert!(junit.stdout.contains("failures=\"0\""), "{}", junit.stdout);
    let sarif = check(dir.path(), &seed, &["--accept", &file_arg, "--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "registry-sync-stopped-during-apply" && r["properties"]["way"] == "as-written")
        .expect("a result for the accepted violation");
    assert_eq!(result["level"], "note");
    assert_eq!(result["properties"]["accepted"]["reviewer"], "t.sato");

    // A step changes (backup-registry runs on the active node only): every entry is stale,
    // the violation fails the check again.
    let text = std::fs::read_to_string(&seed).unwrap();
    let changed = text.replacen(
        "on = \"every-node\"\naction = \"backup-registry\"\n",
        "on = \"active\"\naction = \"backup-registry\"\n",
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(&seed, changed).unwrap();
    let stale = check(dir.path(), &seed, &["--accept", &file_arg, "--format", "json"]);
    let report: Value =
        serde_json::from_str(&stale.stdout).unwrap_or_else(|e| panic!("{e}\n{}\n{}", stale.stdout, stale.stderr));
    assert_eq!(stale.code, 1, "{}", stale.stdout);
    assert_eq!(invariant(&report, "as-written", "registry-sync-stopped-during-apply")["verdict"], "violated");
    for entry in report["accept"]["entries"].as_array().unwrap() {
        let why = entry["stale"].as_str().expect("stale");
        assert!(why.contains("the procedure's steps changed"), "{why}");
    }
    let text = check(dir.path(), &seed, &["--accept", &file_arg]);
    assert!(text.stdout.contains("  1. line 5: registry-sync-stopped-during-apply, as written"), "{}", text.stdout);
    assert!(text.stdout.contains("STALE: the procedure's steps changed"), "{}", text.stdout);
}

#[test]
fn strict_accept_fails_on_a_stale_entry_even_when_nothing_is_violated() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_in(dir.path());
    let hash = behaviour_hash(dir.path(), &seed);
    // The file beside the procedure is found without --accept.
    std::fs::write(dir.path().join("seed.accept.toml"), risks(&hash, 2)).unwrap();
    let found = check(dir.path(), &seed, &[]);
    assert_eq!(found.code, 0, "{}", found.stdout);
    assert!(found.stdout.contains("seed.accept.toml"), "{}", found.stdout);
    // At 1 fault nothing is violated, and no entry matches.
    let one_fault = |extra: &[&str]| {
        let save = dir.path().join("counterexamples").display().to_string();
        let procedure = seed.display().to_string();
        let mut args = vec!["check", procedure.as_str(), "--faults", "1", "--save", &save, "--jobs", "1"];
        args.extend_from_slice(extra);
        clusterproc(&args)
    };
    let lenient = one_fault(&[]);
    assert_eq!(lenient.code, 0, "{}", lenient.stdout);
    assert!(lenient.stdout.contains("STALE: no counterexample of this check"), "{}", lenient.stdout);
    let strict = one_fault(&["--strict-accept"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert!(strict.stdout.contains("FAILED\n  accepted risk 1 of "), "{}", strict.stdout);
    let save = dir.path().join("counterexamples").display().to_string();
    let procedure = seed.display().to_string();
    let junit = clusterproc(&[
        "check",
        &procedure,
        "--faults",
        "1",
        "--save",
        &save,
        "--jobs",
        "1",
        "--strict-accept",
        "--format",
        "junit",
    ]);
    assert_eq!(junit.code, 1);
    assert!(
        junit.stdout.contains("<failure message=\"stale\" type=\"stale-accept\">stale: no counterexample"),
        "{}",
        junit.stdout
    );
}

#[test]
fn a_malformed_accepted_risks_file_is_refused_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_in(dir.path());
    let file = dir.path().join("risks.accept.toml");
    let arg = file.display().to_string();
    let cases = [
        (
            risks("fnv1a64:0", 1).replace("\"monitor-false-alarm\", \"monitor", "\"monitor-false-alarm\", \"moon"),
            "7:34",
            "unknown fault kind `moon-false-alarm`",
        ),
        (risks("fnv1a64:0", 1).replace("reviewer = \"t.sato\"", "reviewer = \"\""), "10:12", "`reviewer` is empty"),
        (risks("fnv1a64:0", 1).replace("way = ", "colour = "), "6:1", "unknown field `colour`"),
        (
            risks("fnv1a64:0", 1).replace("version = 1", "version = 2"),
            "1:11",
            "unsupported accepted-risks file version 2",
        ),
    ];
    for (text, location, message) in cases {
        std::fs::write(&file, text).unwrap();
        let run = check(dir.path(), &seed, &["--accept", &arg]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("error: {arg}:{location}: {message}")), "{first}");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

/// `check --merge` of a split search keeps the `accepted` verdict and joins what the parts'
/// entries matched: an entry is stale only if no part matched it.
#[test]
fn a_merge_of_shards_keeps_accepted_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_in(dir.path());
    let hash = behaviour_hash(dir.path(), &seed);
    std::fs::write(dir.path().join("seed.accept.toml"), risks(&hash, 2)).unwrap();
    let mut parts = Vec::new();
    for shard in ["0/2", "1/2"] {
        let part = dir.path().join(format!("part{}.json", &shard[..1]));
        let out = part.display().to_string();
        let run =
            check(dir.path(), &seed, &["--shard", shard, "--format", "json", "--output", &out, "--strict-accept"]);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        parts.push(out);
    }
    let mut args = vec!["check", "--merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let merged = clusterproc(&args);
    assert_eq!(merged.code, 0, "{}\n{}", merged.stdout, merged.stderr);
    let report: Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(invariant(&report, "as-written", "registry-sync-stopped-during-apply")["verdict"], "accepted");
    for entry in report["accept"]["entries"].as_array().unwrap() {
        assert!(entry["stale"].is_null(), "{entry}");
    }
    assert_eq!(report["counterexamples"].as_array().unwrap().len(), 1, "the accepted counterexample, once");
}
