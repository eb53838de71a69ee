//! The dependency rules of ARCHITECTURE.md, checked on the crates' manifests.

use crate::support::root;

/// The workspace crates a crate depends on (normal dependencies only).
fn workspace_dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&manifest).unwrap();
    let members: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut found: Vec<String> = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().filter(|name| members.contains(name)).cloned().collect())
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn crates_depend_only_as_the_architecture_says() {
    assert_eq!(workspace_dependencies("procedure"), Vec::<String>::new());
    assert_eq!(workspace_dependencies("sim-cluster"), ["procedure"]);
    assert_eq!(workspace_dependencies("real-backend"), ["procedure"]);
    assert_eq!(workspace_dependencies("sim-server"), ["procedure", "sim-cluster"]);
    assert_eq!(workspace_dependencies("run-report"), ["procedure"]);
    assert_eq!(workspace_dependencies("trainer"), ["procedure", "run-report", "sim-cluster", "sim-server"]);
    assert_eq!(
        workspace_dependencies("clusterproc"),
        ["procedure", "real-backend", "run-report", "sim-cluster", "sim-server", "trainer"]
    );
}

/// The files that may name the folder beside the checkout that holds the capture corpus:
/// the one function that finds it (and skips it when it is not there, or when told
/// `CLUSTERPROC_CAPTURES=none`), and CI, which points that function at it explicitly.
const MAY_NAME_THE_CORPUS: [&str; 2] = ["crates/real-backend/tests/corpus/mod.rs", ".ci/run"];

/// Every file of code the repository holds (tests, benchmarks, build scripts, sources,
/// scripts), as paths relative to the checkout.
fn code_files(dir: &std::path::Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !["target", "node_modules", ".git"].contains(&name.as_str()) {
                code_files(&path, found);
            }
        } else if [".rs", ".sh", ".js", ".mjs", ".toml"].iter().any(|ext| name.ends_with(ext))
            || path.parent().and_then(|parent| parent.file_name()).is_some_and(|folder| folder == ".ci")
        {
            found.push(path.strip_prefix(root()).unwrap().to_string_lossy().into_owned());
        }
    }
}

/// How code names that folder, written in pieces so that this file does not name it.
const FOLDER_BESIDE: [&str; 3] = [concat!("shar", "ed/"), concat!("\"shar", "ed\""), concat!("'shar", "ed'")];

/// A line that only explains: a Rust comment or a shell/TOML comment.
fn is_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("//") || line.starts_with('#') || line.starts_with("* ")
}

/// A fresh clone has nothing beside it: no test, benchmark or build script may need the
/// `shared/` folder that developers and CI have next to the checkout. Only the corpus
/// locator names it (doc comments may too), and it skips the corpus when it is absent.
#[test]
fn nothing_but_the_corpus_locator_reads_beside_the_checkout() {
    let mut files = Vec::new();
    code_files(&root(), &mut files);
    assert!(files.iter().any(|file| file == "crates/real-backend/tests/parsers.rs"), "{files:?}");
    let mut offenders = Vec::new();
    for file in &files {
        if MAY_NAME_THE_CORPUS.contains(&file.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let names_it = FOLDER_BESIDE.iter().any(|needle| line.contains(needle));
            if names_it && !is_comment(line) {
                offenders.push(format!("{file}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "code that reads beside the checkout, not through the corpus locator:\n{}",
        offenders.join("\n")
    );
    let locator = std::fs::read_to_string(root().join(MAY_NAME_THE_CORPUS[0])).unwrap();
    assert!(
        locator.contains("\"none\"") && locator.contains("is_dir()"),
        "the corpus locator must honour `none` and skip a missing corpus"
    );
}
