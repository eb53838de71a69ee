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
    assert_eq!(workspace_dependencies("clusterproc"), ["procedure", "real-backend", "sim-cluster", "sim-server"]);
}
