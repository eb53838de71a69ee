//! Survey bundles kept in `tests/data/surveys/` are conformance tests: each folder holds
//! what a survey recorded (`manifest.json`, every command's raw output, every REST body)
//! and the report it printed (`report.txt`). Replaying the bundle with today's parsers must
//! print that report again, byte for byte: every recorded output parses as the survey said,
//! ok or refused, with the same summary. A bundle from a real cluster, dropped into the
//! folder, becomes one more test; `tests/data/surveys/README.md` names where each came from.

use std::path::{Path, PathBuf};

use crate::support::{clusterproc_in, root};

/// Every bundle folder under `tests/data/surveys`.
fn bundles() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("tests/data/surveys"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("manifest.json").is_file())
        .collect();
    found.sort();
    found
}

/// Replays `bundle` and compares with the report it keeps: `Err` names the first line that
/// differs.
fn conforms(bundle: &Path) -> Result<(), String> {
    let kept = std::fs::read_to_string(bundle.join("report.txt"))
        .map_err(|error| format!("{}: no report.txt: {error}", bundle.display()))?;
    let replayed = clusterproc_in(bundle, &["survey", "--replay", "."]);
    let expected_code = if kept.contains("\nThe backend can run here") { 0 } else { 1 };
    if replayed.code != expected_code {
        return Err(format!(
            "{}: replay exited {} but the report says {expected_code}\n{}",
            bundle.display(),
            replayed.code,
            replayed.stderr
        ));
    }
    for (number, (was, is)) in kept.lines().zip(replayed.stdout.lines()).enumerate() {
        if was != is {
            return Err(format!("{}: report line {}: recorded {was:?}, replayed {is:?}", bundle.display(), number + 1));
        }
    }
    if kept.lines().count() != replayed.stdout.lines().count() || kept != replayed.stdout {
        return Err(format!("{}: the replayed report has other lines:\n{}", bundle.display(), replayed.stdout));
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn every_kept_bundle_replays_to_the_report_it_keeps() {
    let bundles = bundles();
    let names: Vec<String> =
        bundles.iter().map(|path| path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.contains("ssh")) && names.iter().any(|n| n.contains("rest")), "{names:?}");
    let readme = std::fs::read_to_string(root().join("tests/data/surveys/README.md")).unwrap();
    for (bundle, name) in bundles.iter().zip(&names) {
        assert!(readme.contains(&format!("`{name}`")), "README.md does not name the source of {name}");
        conforms(bundle).unwrap();
        let manifest = std::fs::read_to_string(bundle.join("manifest.json")).unwrap();
        assert!(manifest.contains("\"format\": \"clusterproc-survey/1\""), "{name}");
    }
}

/// The check fails when a recorded output stops parsing as the survey said: a copy of a
/// bundle with one clpstat answer edited (a status word clpstat never prints), and one with
/// a REST body edited the same way.
#[test]
fn an_edited_output_in_a_kept_bundle_fails_the_check_naming_the_line() {
    let scratch = tempfile::tempdir().unwrap();
    for (bundle, edit) in [("ssh-two-node", "commands"), ("rest-two-node", "rest")] {
        let copy = scratch.path().join(bundle);
        copy_dir(&root().join("tests/data/surveys").join(bundle), &copy);
        conforms(&copy).unwrap();
        let folder = copy.join(edit);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let target = files
            .iter()
            .find(|file| {
                let text = std::fs::read_to_string(file).unwrap_or_default();
                text.contains("Online") && (edit == "rest" || text.contains("Cluster"))
            })
            .unwrap()
            .clone();
        let text = std::fs::read_to_string(&target).unwrap();
        std::fs::write(&target, text.replacen("Online", "Greenish", 1)).unwrap();
        let error = conforms(&copy).unwrap_err();
        assert!(error.contains("report line") || error.contains("replay exited"), "{error}");
        assert!(error.contains(&copy.display().to_string()), "{error}");
    }
}
