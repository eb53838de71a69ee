//! docs/ci.md: the commands it shows for a CI job run as they are written there, and give
//! the verdicts it says they give.

use crate::support::{clusterproc_in, root};

#[test]
fn the_ci_commands_in_the_docs_run_as_written() {
    let docs = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let block = docs
        .split("<!-- tested by tests/it/ci_docs.rs -->\n```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the tested block of commands");
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root().join("procedures"), dir.path().join("procedures")).unwrap();
    let mut codes = Vec::new();
    for line in block.lines().filter(|line| !line.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], "clusterproc", "{line}");
        let run = clusterproc_in(dir.path(), &words[1..]);
        codes.push((line.to_owned(), run.code, run.stdout, run.stderr));
    }
    let code = |index: usize| codes[index].1;
    assert_eq!(code(0), 0, "part 0 passes: {:?}", codes[0]);
    assert_eq!(code(1), 0, "part 1 passes: {:?}", codes[1]);
    assert_eq!(code(2), 0, "the merged verdict passes: {:?}", codes[2]);
    let junit = std::fs::read_to_string(dir.path().join("check.xml")).unwrap();
    assert!(junit.contains("<testsuites") && junit.contains("failures=\"0\""), "{junit}");
    assert_eq!(code(3), 0, "the merged verdict passes as SARIF too: {:?}", codes[3]);
    let passed = sarif(&dir.path().join("check.sarif"));
    assert_eq!(passed["runs"][0]["results"].as_array().map(Vec::len), Some(0), "{passed:#}");
    assert_eq!(code(4), 1, "two faults fail as written: {:?}", codes[4]);
    assert!(codes[4].2.contains("Repairs (each proven"), "{}", codes[4].2);
    assert_eq!(code(5), 1, "two faults fail as SARIF: {:?}", codes[5]);
    // What the docs say the SARIF marks: step 6's line, as written.
    let failed = sarif(&dir.path().join("failed.sarif"));
    let seed = std::fs::read_to_string(root().join("procedures/ssc0307-0006.toml")).unwrap();
    let install = seed.lines().position(|line| line == "id = \"install-active\"").unwrap() + 1;
    let marked: Vec<(&str, &str, u64)> = failed["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], "procedures/ssc0307-0006.toml", "{r}");
            (
                r["ruleId"].as_str().unwrap(),
                r["properties"]["way"].as_str().unwrap(),
                physical["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        marked.contains(&("registry-sync-stopped-during-apply", "as-written", install as u64)),
        "line {install} in {marked:?}"
    );
    assert_eq!(code(6), 0, "the repaired procedure passes: {:?}", codes[6]);
}

fn sarif(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
