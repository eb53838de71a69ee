//! Every parser against every real capture (read in place from `../shared/captures`) and
//! against the project's constructed variants (`test_data/`), one `insta::glob!` per command.
//!
//! A file name containing `-exit-N-` gives the command's exit code N; every other file is an
//! output with exit code 0. Snapshots hold what the parser understood, or its error.

use std::path::Path;

use real_backend::parse::{Output, certutil, clpcmd, clpstat, reg_export, reg_query, sc};
use real_backend::registry;

/// From this file: `crates/real-backend/tests` -> the checkout's sibling `shared/`.
const CAPTURES: &str = "../../../../shared/captures";
const CONSTRUCTED: &str = "../test_data";

fn output(path: &Path) -> Output {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let code = name.split_once("-exit-").map_or(0, |(_, rest)| rest.split('-').next().unwrap().parse().unwrap());
    Output { stdout: bytes, stderr: Vec::new(), code: Some(code) }
}

fn shown<T>(result: Result<T, real_backend::parse::ParseError>, render: impl FnOnce(T) -> String) -> String {
    match result {
        Ok(value) => render(value),
        Err(error) => format!("error: {error}\n"),
    }
}

fn clpstat_text(path: &Path) -> String {
    shown(clpstat::parse(&output(path)), |found| match found {
        clpstat::Clpstat::Status(status) => status.render(),
        clpstat::Clpstat::NotRunning { message } => format!("cluster service not running: {message:?}\n"),
    })
}

#[test]
fn clpstat() {
    insta::glob!(CAPTURES, "clpstat/*.txt", |path| insta::assert_snapshot!(clpstat_text(path)));
    insta::glob!(CONSTRUCTED, "clpstat/*.txt", |path| insta::assert_snapshot!(clpstat_text(path)));
}

fn clpcmd_text(path: &Path) -> String {
    shown(clpcmd::parse_result("clpcl", &output(path)), |found| format!("{found:?}\n"))
}

#[test]
fn clpcl_clpgrp_results() {
    insta::glob!(CAPTURES, "clpcmd/*.txt", |path| insta::assert_snapshot!(clpcmd_text(path)));
    insta::glob!(CONSTRUCTED, "clpcmd/*.txt", |path| insta::assert_snapshot!(clpcmd_text(path)));
}

fn sc_text(path: &Path) -> String {
    shown(sc::parse(&output(path)), |found| found.render())
}

#[test]
fn sc() {
    insta::glob!(CAPTURES, "sc/*.txt", |path| insta::assert_snapshot!(sc_text(path)));
    insta::glob!(CONSTRUCTED, "sc/*.txt", |path| insta::assert_snapshot!(sc_text(path)));
}

fn reg_export_text(path: &Path) -> String {
    shown(reg_export::parse(&std::fs::read(path).unwrap()), |values| registry::render(&values))
}

#[test]
fn reg_export() {
    insta::glob!(CAPTURES, "reg/*.txt", |path| insta::assert_snapshot!(reg_export_text(path)));
    insta::glob!(CONSTRUCTED, "reg-export/*.txt", |path| insta::assert_snapshot!(reg_export_text(path)));
}

#[test]
fn reg_query() {
    insta::glob!(CONSTRUCTED, "reg-query/*.txt", |path| {
        insta::assert_snapshot!(shown(reg_query::parse(&output(path)), |found| match found {
            reg_query::RegQuery::Values(values) => registry::render(&values),
            reg_query::RegQuery::KeyNotFound => "key not found\n".to_owned(),
        }))
    });
}

#[test]
fn certutil_hashfile() {
    insta::glob!(CONSTRUCTED, "certutil/*.txt", |path| {
        insta::assert_snapshot!(shown(certutil::parse(&output(path)), |hash| format!("{hash}\n")))
    });
}

/// The parsers never panic, whatever bytes arrive: every prefix of every capture and variant
/// is either read or refused with an error.
#[test]
fn truncated_outputs_never_panic() {
    let roots = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data"),
    ];
    let mut files = 0;
    for root in roots {
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                files += 1;
                // Every cut in the first 600 bytes, then a few hundred spread over the rest.
                let stride = (bytes.len() / 300).max(1);
                for cut in (0..bytes.len()).filter(|cut| *cut < 600 || cut % stride == 0) {
                    let output = Output { stdout: bytes[..cut].to_vec(), stderr: Vec::new(), code: Some(0) };
                    let _ = clpstat::parse(&output);
                    let _ = clpcmd::parse_result("clpcl", &output);
                    let _ = clpcmd::parse_owner(&output);
                    let _ = sc::parse(&output);
                    let _ = reg_query::parse(&output);
                    let _ = reg_export::parse(&bytes[..cut]);
                    let _ = certutil::parse(&output);
                }
            }
        }
    }
    assert!(files > 30, "found only {files} files");
}

#[test]
fn fsutil_diskfree() {
    insta::glob!(CONSTRUCTED, "diskfree/*.txt", |path| {
        insta::assert_snapshot!(shown(real_backend::parse::diskfree::parse(&output(path)), |bytes| format!(
            "{bytes} bytes free\n"
        )))
    });
}
