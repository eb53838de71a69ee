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
    assert_eq!(code(3), 1, "two faults fail as written: {:?}", codes[3]);
    assert!(codes[3].2.contains("Repairs (each proven"), "{}", codes[3].2);
    assert_eq!(code(4), 0, "the repaired procedure passes: {:?}", codes[4]);
}
