//! `clusterproc replay` of a counterexample through the CLI: its focused story, and every
//! event with `--full`; a procedure reworded since is the same run; one edited in what it does
//! is run with the same faults in the steps they name, and the replay says whether the
//! invariant is still broken (exit 1) or now holds (exit 0): the seed's `--faults 2`
//! counterexample against the fix `check --suggest --write-fix` writes. A step a fault names
//! that the edit removed is refused with its name; a file of an earlier build, without the
//! behaviour hash, still replays.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Run, clusterproc, root};

const SEED: &str = "procedures/ssc0307-0006.toml";
const COUNTEREXAMPLE: &str = "registry-sync-stopped-during-apply.as-written.json";

/// A copy of the seed in `dir`, and the counterexample `check --faults 2` saves for it (two
/// false alarms during the unzip, then the install on the node the group left).
fn seed_counterexample(dir: &Path) -> (PathBuf, PathBuf) {
    let procedure = dir.join("seed.toml");
    std::fs::copy(root().join(SEED), &procedure).unwrap();
    let save = dir.join("cx");
    let run = clusterproc(&[
        "check",
        procedure.to_str().unwrap(),
        "--faults",
        "2",
        "--guards",
        "off",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    (procedure, save.join(COUNTEREXAMPLE))
}

fn replay(args: &[&str]) -> Run {
    let mut all = vec!["replay"];
    all.extend_from_slice(args);
    clusterproc(&all)
}

/// The seed with `step` (a TOML table) inserted before the step whose id is `before`.
fn insert_step(text: &str, before: &str, step: &str) -> String {
    let at = text.find(&format!("[[step]]\nid = \"{before}\"")).unwrap_or_else(|| panic!("no step {before}"));
    format!("{}{step}\n{}", &text[..at], &text[at..])
}

#[test]
fn replay_shows_the_focused_story_and_full_shows_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = seed_counterexample(dir.path());
    let focused = replay(&[file.to_str().unwrap()]);
    assert_eq!(focused.code, 1, "{}\n{}", focused.stdout, focused.stderr);
    let out = &focused.stdout;
    assert!(out.contains("Two faults struck during step 1 unzip"), "{out}");
    assert!(out.contains("then ran step 6 install-active (install-module on ssc-node1)"), "{out}");
    assert!(out.contains("8 DeploymentManager services restarted by monitor servicew-dpm's recovery"), "{out}");
    assert!(out.contains("\n>> 00:01:45     ssc-node1  installer started\n"), "the evidence is marked: {out}");
    assert!(!out.contains("\"DeploymentManager PXE Mtftp\" started by a monitor's recovery"), "{out}");
    assert!(out.contains("--full shows every event"), "{out}");
    assert!(out.contains("registry-sync-stopped-during-apply is violated again: reproduced."), "{out}");

    let full = replay(&[file.to_str().unwrap(), "--full"]);
    assert_eq!(full.code, 1, "{}\n{}", full.stdout, full.stderr);
    // Every event: each service the monitor restarted, and the routine ones too.
    for service in ["API Service", "PXE Mtftp", "Transfer Management"] {
        let line = format!("service \"DeploymentManager {service}\" started by a monitor's recovery");
        assert!(full.stdout.contains(&line), "{line} in\n{}", full.stdout);
    }
    assert!(full.stdout.contains("resource service-dpm online"), "{}", full.stdout);
    assert!(!full.stdout.contains(">> "), "no marks in the full trace");
    assert!(full.stdout.lines().count() > 3 * out.lines().count() / 2, "the full trace is longer");
}

#[test]
fn a_reworded_procedure_replays_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, file) = seed_counterexample(dir.path());
    let text = std::fs::read_to_string(&procedure)
        .unwrap()
        .replace("Never stop a resource that synchronizes the registry", "Do not ever stop a registry-sync resource")
        .replace("title = \"Install SSC0307-0006 on", "title = \"Apply SSC0307-0006 to")
        .replace("Suspending takes a while.", "Suspending is slow.");
    std::fs::write(&procedure, text).unwrap();
    let run = replay(&[file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    // Named so that it can be opened from here, not relative to the counterexample.
    let reworded = format!("{} was reworded since the counterexample was found", procedure.display());
    assert!(run.stdout.contains(&reworded), "{reworded:?} in {}", run.stdout);
    assert!(run.stdout.contains("The trace is identical to the one check found."), "{}", run.stdout);
    assert!(run.stdout.contains("is violated again: reproduced."), "{}", run.stdout);
}

#[test]
fn the_suggested_fix_now_holds_against_the_old_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, file) = seed_counterexample(dir.path());
    let fix = dir.path().join("fixed.toml");
    let suggested = clusterproc(&[
        "check",
        procedure.to_str().unwrap(),
        "--faults",
        "2",
        "--suggest",
        "--write-fix",
        fix.to_str().unwrap(),
        "--jobs",
        "1",
        "--save",
        dir.path().join("suggest-cx").to_str().unwrap(),
    ]);
    assert!(fix.exists(), "{}\n{}", suggested.stdout, suggested.stderr);
    // Against the fixed copy, named on the command line.
    let run = replay(&[file.to_str().unwrap(), "--procedure", fix.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("against the edited procedure"), "{}", run.stdout);
    assert!(run.stdout.contains("changed in what it does since the counterexample was found"), "{}", run.stdout);
    assert!(run.stdout.contains("Two faults struck during step 1 unzip"), "the same faults strike: {}", run.stdout);
    assert!(
        run.stdout.contains("registry-sync-stopped-during-apply now holds: the edited procedure prevents this"),
        "{}",
        run.stdout
    );
    // The fix written over the procedure the counterexample names: the same outcome.
    std::fs::copy(&fix, &procedure).unwrap();
    let in_place = replay(&[file.to_str().unwrap()]);
    assert_eq!(in_place.code, 0, "{}\n{}", in_place.stdout, in_place.stderr);
    assert!(in_place.stdout.contains("now holds"), "{}", in_place.stdout);
}

#[test]
fn a_step_inserted_before_the_faults_leaves_them_in_their_step_and_it_is_still_broken() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, file) = seed_counterexample(dir.path());
    // A look at the cluster before anything else: it passes, and changes nothing that matters,
    // but it moves every later transition. The faults still strike during the unzip.
    let look = "[[step]]\nid = \"look-first\"\ntitle = \"Look at the cluster first\"\non = \"active\"\n\
                action = \"verify-cluster\"\ngroup = \"failover\"\n";
    let text = insert_step(&std::fs::read_to_string(&procedure).unwrap(), "unzip", look);
    std::fs::write(&procedure, text).unwrap();
    let run = replay(&[file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Two faults struck during step 1 unzip"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("registry-sync-stopped-during-apply is still broken: the edited procedure does not prevent"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_removed_step_that_a_fault_names_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let procedure = dir.path().join("broken.toml");
    std::fs::copy(root().join("tests/data/broken/standby-after-resume.toml"), &procedure).unwrap();
    let save = dir.path().join("cx");
    let run = clusterproc(&["check", procedure.to_str().unwrap(), "--guards", "off", "--save", save.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let file = save.join("pending-restart-skipped.as-written.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["faults"][0]["before_step"], "install-standby", "{saved}");
    // The standby's install, which the fault strikes in, is gone.
    let text = std::fs::read_to_string(&procedure).unwrap();
    let start = text.find("[[step]]\nid = \"install-standby\"").unwrap();
    let end = start + 8 + text[start + 8..].find("[[step]]").unwrap();
    std::fs::write(&procedure, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let run = replay(&[file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("fault 1: the procedure has no step \"install-standby\""), "{}", run.stderr);
    // The help, wrapped to the terminal's width: why the step is missing.
    let help: String = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("changed since the counterexample was found, and no longer has the step this fault strikes in"),
        "{help}"
    );
}

#[test]
fn a_counterexample_of_an_earlier_build_still_replays() {
    let dir = tempfile::tempdir().unwrap();
    let (procedure, file) = seed_counterexample(dir.path());
    // As an earlier build wrote it: no behaviour hash, faults placed from the start only.
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved.as_object_mut().unwrap().remove("behaviour_hash");
    for fault in saved["faults"].as_array_mut().unwrap() {
        fault.as_object_mut().unwrap().remove("transition_in_step");
    }
    std::fs::write(&file, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    let exact = replay(&[file.to_str().unwrap()]);
    assert_eq!(exact.code, 1, "the same text replays exactly: {}\n{}", exact.stdout, exact.stderr);
    assert!(exact.stdout.contains("The trace is identical"), "{}", exact.stdout);
    // Reworded: whether what it does changed cannot be told from such a file, so it is run
    // as edited, and says so.
    let text = std::fs::read_to_string(&procedure).unwrap().replace("Suspending takes a while.", "Be patient.");
    std::fs::write(&procedure, text).unwrap();
    let edited = replay(&[file.to_str().unwrap()]);
    assert_eq!(edited.code, 1, "{}\n{}", edited.stdout, edited.stderr);
    assert!(edited.stdout.contains("The file is from an earlier build"), "{}", edited.stdout);
    assert!(edited.stdout.contains("is still broken"), "{}", edited.stdout);
}
