//! Where the external capture corpus is, if anywhere: the one place in the workspace that
//! looks outside the repository for test data.
//!
//! The corpus is real command outputs collected from public material (developers and CI have
//! it beside the checkout, as `../shared/captures`); a user's clone does not. So:
//! - `CLUSTERPROC_CAPTURES=none` means "no corpus": the corpus tests are skipped;
//! - `CLUSTERPROC_CAPTURES=DIR` uses DIR (absolute, or relative to the checkout's root), which
//!   must hold the corpus's folders: a wrong path fails the tests instead of skipping them;
//! - unset, the checkout's sibling `shared/captures` is used when it is a folder, and the
//!   corpus tests are skipped otherwise.
//!
//! A skip is said once per test binary, on stderr (written directly, so that the test
//! harness does not capture it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The variable that points at the corpus, or says `none`.
pub const VARIABLE: &str = "CLUSTERPROC_CAPTURES";

/// The corpus's folders that the parser tests read; each must be there when the corpus is.
pub const FOLDERS: [&str; 4] = ["clpstat", "clpcmd", "sc", "reg"];

/// Where the corpus is, or `None` (said once on stderr) when there is none to read.
///
/// # Panics
/// When `CLUSTERPROC_CAPTURES` names a folder that is not a corpus: the user asked for it.
pub fn dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match locate(&root, std::env::var_os(VARIABLE).as_deref().map(Path::new)) {
        Ok(found) => found,
        Err(Skipped(reason)) => {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                // One write, on a line of its own among the harness's `test NAME ... ok`.
                let line = format!(
                    "\ncapture corpus skipped ({reason}): the parsers ran on the project's own samples only; \
                     set {VARIABLE}=DIR to run them on the corpus too\n"
                );
                let _ = std::io::stderr().write_all(line.as_bytes());
            });
            None
        }
    }
}

/// Why the corpus is not read.
#[derive(Debug, PartialEq, Eq)]
pub struct Skipped(pub String);

/// The decision behind [`dir`], for a checkout at `root` and the variable's value.
///
/// # Panics
/// When the variable names a folder that is not a corpus.
pub fn locate(root: &Path, variable: Option<&Path>) -> Result<Option<PathBuf>, Skipped> {
    let chosen = match variable {
        Some(value) if value.as_os_str() == "none" => {
            return Err(Skipped(format!("{VARIABLE}=none")));
        }
        Some(value) if value.as_os_str().is_empty() => {
            return Err(Skipped(format!("{VARIABLE} is empty")));
        }
        Some(value) => root.join(value),
        None => {
            let beside = root.join("../shared/captures");
            if !beside.is_dir() {
                return Err(Skipped("no ../shared/captures beside the checkout".to_owned()));
            }
            beside
        }
    };
    let missing: Vec<&str> = FOLDERS.iter().copied().filter(|folder| !chosen.join(folder).is_dir()).collect();
    assert!(
        missing.is_empty(),
        "{VARIABLE}: {} is not the capture corpus: it lacks {}/ (set {VARIABLE}=none to run without it)",
        chosen.display(),
        missing.join("/, ")
    );
    Ok(Some(chosen))
}

/// `CLUSTERPROC_CAPTURES` decides where the corpus is: `none` skips it, a folder is used, and
/// a folder that is not a corpus fails instead of silently skipping.
#[test]
fn the_corpus_is_found_or_skipped_as_told() {
    let temporary = tempfile::tempdir().unwrap();
    let checkout = temporary.path();
    let root = checkout.join("main");
    std::fs::create_dir_all(&root).unwrap();
    let skipped = locate(&root, None).unwrap_err();
    assert!(skipped.0.contains("no ../shared/captures"), "{skipped:?}");
    assert!(locate(&root, Some(Path::new("none"))).unwrap_err().0.contains("=none"));

    let beside = checkout.join("shared/captures");
    for folder in FOLDERS {
        std::fs::create_dir_all(beside.join(folder)).unwrap();
    }
    assert_eq!(locate(&root, None), Ok(Some(root.join("../shared/captures"))));
    assert!(locate(&root, Some(Path::new("none"))).is_err(), "none wins over a corpus beside");
    assert_eq!(locate(&root, Some(&beside)), Ok(Some(beside.clone())));

    let wrong = std::panic::catch_unwind(|| locate(&root, Some(Path::new("elsewhere"))));
    let message = *wrong.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("is not the capture corpus: it lacks clpstat/, clpcmd/, sc/, reg/"), "{message}");
}
