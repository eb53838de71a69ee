//! Every parser against the project's own samples (`test_data/`, constructed here: one folder
//! per parser, each with accepted and refused outputs), and against the external capture
//! corpus of real outputs when it is there (see `corpus/mod.rs`: `CLUSTERPROC_CAPTURES`, or
//! the checkout's sibling `shared/captures`), one `insta::glob!` per command.
//!
//! A file name containing `-exit-N-` gives the command's exit code N; every other file is an
//! output with exit code 0. Snapshots hold what the parser understood, or its error.

mod corpus;

use std::path::{Path, PathBuf};

use real_backend::parse::{certutil, clpcmd, clpstat, reg_export, reg_import, reg_query, sc};
use real_backend::registry;
use remote::output::Output;

/// The project's own samples, from this file's folder.
const OWN: &str = "../test_data";

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
    shown(clpstat::parse(&output(path)), |status| status.render())
}

#[test]
fn clpstat() {
    insta::glob!(OWN, "clpstat/*.txt", |path| insta::assert_snapshot!(clpstat_text(path)));
    if let Some(corpus) = corpus::dir() {
        insta::glob!(corpus, "clpstat/*.txt", |path| insta::assert_snapshot!(clpstat_text(path)));
    }
}

fn clpcmd_text(path: &Path) -> String {
    shown(clpcmd::parse_result("clpcl", &output(path)), |found| format!("{found:?}\n"))
}

#[test]
fn clpcl_clpgrp_results() {
    insta::glob!(OWN, "clpcmd/*.txt", |path| insta::assert_snapshot!(clpcmd_text(path)));
    if let Some(corpus) = corpus::dir() {
        insta::glob!(corpus, "clpcmd/*.txt", |path| insta::assert_snapshot!(clpcmd_text(path)));
    }
}

fn sc_text(path: &Path) -> String {
    shown(sc::parse(&output(path)), |found| found.render())
}

#[test]
fn sc() {
    insta::glob!(OWN, "sc/*.txt", |path| insta::assert_snapshot!(sc_text(path)));
    if let Some(corpus) = corpus::dir() {
        insta::glob!(corpus, "sc/*.txt", |path| insta::assert_snapshot!(sc_text(path)));
    }
}

fn reg_export_text(path: &Path) -> String {
    shown(reg_export::parse(&std::fs::read(path).unwrap()), |values| registry::render(&values))
}

#[test]
fn reg_export() {
    insta::glob!(OWN, "reg-export/*.txt", |path| insta::assert_snapshot!(reg_export_text(path)));
    if let Some(corpus) = corpus::dir() {
        insta::glob!(corpus, "reg/*.txt", |path| insta::assert_snapshot!(reg_export_text(path)));
    }
}

#[test]
fn reg_query() {
    insta::glob!(OWN, "reg-query/*.txt", |path| {
        insta::assert_snapshot!(shown(reg_query::parse(&output(path)), |found| match found {
            reg_query::RegQuery::Values(values) => registry::render(&values),
            reg_query::RegQuery::KeyNotFound => "key not found\n".to_owned(),
        }))
    });
}

#[test]
fn reg_import() {
    insta::glob!(OWN, "reg-import/*.txt", |path| {
        insta::assert_snapshot!(shown(reg_import::parse(&output(path)), |found| match found {
            reg_import::RegImport::Imported => "imported\n".to_owned(),
            reg_import::RegImport::Failed { message } => format!("failed: {message:?}\n"),
        }))
    });
}

#[test]
fn certutil_hashfile() {
    insta::glob!(OWN, "certutil/*.txt", |path| {
        insta::assert_snapshot!(shown(certutil::parse(&output(path)), |hash| format!("{hash}\n")))
    });
}

fn owner_text(path: &Path) -> String {
    shown(clpcmd::parse_owner(&output(path)), |owner| match owner {
        Some(server) => format!("active on {server}\n"),
        None => "active nowhere\n".to_owned(),
    })
}

#[test]
fn clpgrp_owner() {
    insta::glob!(OWN, "clpgrp-owner/*.txt", |path| insta::assert_snapshot!(owner_text(path)));
}

/// Every folder of samples there is: the project's own, and the corpus's when it is there.
fn sample_files() -> Vec<PathBuf> {
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut roots = vec![own];
    roots.extend(corpus::dir());
    let mut files = Vec::new();
    for root in roots {
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap().path();
            if dir.is_dir() {
                files.extend(std::fs::read_dir(&dir).unwrap().map(|file| file.unwrap().path()));
            }
        }
    }
    files
}

/// The parsers never panic, whatever bytes arrive: every prefix of every sample there is
/// (the project's own, and the corpus's when it is there) is either read or refused.
#[test]
fn truncated_outputs_never_panic() {
    let files = sample_files();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        // Every cut in the first 600 bytes, then a few hundred spread over the rest.
        let stride = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).filter(|cut| *cut < 600 || cut % stride == 0) {
            let output = Output { stdout: bytes[..cut].to_vec(), stderr: Vec::new(), code: Some(0) };
            let _ = clpstat::parse(&output);
            let _ = clpcmd::parse_result("clpcl", &output);
            let _ = clpcmd::parse_owner(&output);
            let _ = sc::parse(&output);
            let _ = reg_query::parse(&output);
            let _ = reg_import::parse(&output);
            let _ = reg_export::parse(&bytes[..cut]);
            let _ = certutil::parse(&output);
            let _ = real_backend::parse::diskfree::parse(&output);
        }
    }
    assert!(files.len() > 50, "found only {} samples", files.len());
}

/// One parser: its name as `module::function` in `src/parse/`, the folder of its own samples,
/// and whether it reads a sample.
struct Parser {
    name: &'static str,
    folder: &'static str,
    reads: fn(&Path) -> bool,
}

const PARSERS: [Parser; 9] = [
    Parser { name: "certutil::parse", folder: "certutil", reads: |path| certutil::parse(&output(path)).is_ok() },
    Parser {
        name: "clpcmd::parse_result",
        folder: "clpcmd",
        // A failure the command reports is read, not refused: it is Ok(Failed).
        reads: |path| clpcmd::parse_result("clpcl", &output(path)).is_ok(),
    },
    Parser {
        name: "clpcmd::parse_owner",
        folder: "clpgrp-owner",
        reads: |path| clpcmd::parse_owner(&output(path)).is_ok(),
    },
    Parser { name: "clpstat::parse", folder: "clpstat", reads: |path| clpstat::parse(&output(path)).is_ok() },
    Parser {
        name: "diskfree::parse",
        folder: "diskfree",
        reads: |path| real_backend::parse::diskfree::parse(&output(path)).is_ok(),
    },
    Parser {
        name: "reg_export::parse",
        folder: "reg-export",
        reads: |path| reg_export::parse(&std::fs::read(path).unwrap()).is_ok(),
    },
    Parser {
        name: "reg_import::parse",
        folder: "reg-import",
        // A failure reg reports is read, not refused: it is Ok(Failed).
        reads: |path| reg_import::parse(&output(path)).is_ok(),
    },
    Parser { name: "reg_query::parse", folder: "reg-query", reads: |path| reg_query::parse(&output(path)).is_ok() },
    Parser { name: "sc::parse", folder: "sc", reads: |path| sc::parse(&output(path)).is_ok() },
];

/// The public `parse*` functions of `src/parse/*.rs` that read a command's whole output, as
/// `module::function` (`parse_status` and `parse_text` are the same parsers on text already
/// decoded, reached through `parse`).
fn parsers_in_source() -> Vec<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/parse");
    let mut found = Vec::new();
    for file in std::fs::read_dir(folder).unwrap() {
        let path = file.unwrap().path();
        let module = path.file_stem().unwrap().to_str().unwrap().to_owned();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let Some(rest) = line.strip_prefix("pub fn parse") else { continue };
            let function = format!("parse{}", rest.split('(').next().unwrap());
            if function != "parse_status" && function != "parse_text" {
                found.push(format!("{module}::{function}"));
            }
        }
    }
    found.sort();
    found
}

/// The project's own samples cover every parser, with at least one output it reads and one
/// it refuses, so that a clone without the corpus still tests each parser both ways.
#[test]
fn own_samples_cover_every_parser_both_ways() {
    let mut listed: Vec<String> = PARSERS.iter().map(|parser| parser.name.to_owned()).collect();
    listed.sort();
    assert_eq!(parsers_in_source(), listed, "a parser in src/parse/ has no samples listed in PARSERS");
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    for parser in &PARSERS {
        let samples: Vec<PathBuf> =
            std::fs::read_dir(own.join(parser.folder)).unwrap().map(|file| file.unwrap().path()).collect();
        let read = samples.iter().filter(|sample| (parser.reads)(sample)).count();
        assert!(read > 0, "{}: none of its samples in test_data/{} is read", parser.name, parser.folder);
        assert!(read < samples.len(), "{}: none of its samples in test_data/{} is refused", parser.name, parser.folder);
    }
    let folders: Vec<String> = std::fs::read_dir(&own)
        .unwrap()
        .map(|dir| dir.unwrap())
        .filter(|dir| dir.path().is_dir())
        .map(|dir| dir.file_name().into_string().unwrap())
        .filter(|folder| !PARSERS.iter().any(|parser| parser.folder == folder))
        .collect();
    assert!(folders.is_empty(), "folders of samples that no parser reads: {folders:?}");
}

#[test]
fn fsutil_diskfree() {
    insta::glob!(OWN, "diskfree/*.txt", |path| {
        insta::assert_snapshot!(shown(real_backend::parse::diskfree::parse(&output(path)), |bytes| format!(
            "{bytes} bytes free\n"
        )))
    });
}
