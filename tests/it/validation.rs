//! Invalid procedure and cluster files: one test per kind of error, each with its diagnostic
//! snapshotted, and the CLI's exit code 2 with a message naming the file and line.

use procedure::cluster::Cluster;
use procedure::diagnostic::{FileErrorKind, SourceFile};

use crate::support::{clusterproc, default_cluster};

const BASE: &str = r#"version = 1
title = "A small procedure"

[module]
id = "M-1"
archive = "M-1.zip"

[[module.component]]
name = "DeploymentManager"
version = "6.7-M-1"
services = ["DeploymentManager API Service"]

[[step]]
id = "unzip"
title = "Unzip"
on = "every-node"
action = "unzip-module"
folder = 'C:\Temp\M-1'
"#;

/// Loads `text` as `broken.toml` against `cluster`, expects an error of `kind`, and returns
/// its rendered diagnostic for the snapshot.
#[track_caller]
fn check_with(cluster: &Cluster, text: &str, kind: FileErrorKind) -> String {
    let source = SourceFile::new("broken.toml", text);
    let error = procedure::procedure::load(&source, cluster).expect_err("the file is invalid");
    assert_eq!(error.kind(), kind, "{}", error.one_line());
    assert!(error.line_column().is_some(), "every procedure error points into the file: {}", error.one_line());
    format!("{}\n\n{}", error.one_line(), error.render_plain())
}

#[track_caller]
fn check(text: &str, kind: FileErrorKind) -> String {
    check_with(&default_cluster(), text, kind)
}

fn with_step(step: &str) -> String {
    format!("{BASE}\n[[step]]\n{step}")
}

#[test]
fn the_base_file_is_valid() {
    let source = SourceFile::new("base.toml", BASE);
    procedure::procedure::load(&source, &default_cluster()).expect("the base of these tests is valid");
}

#[test]
fn syntax_error() {
    let text = BASE.replace(r#"title = "A small procedure""#, r#"title = "A small procedure"#);
    insta::assert_snapshot!(check(&text, FileErrorKind::Syntax));
}

#[test]
fn unknown_field() {
    insta::assert_snapshot!(check(&format!("{BASE}colour = \"red\"\n"), FileErrorKind::Format));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(check(&format!("{BASE}number = \"one\"\n"), FileErrorKind::Format));
}

#[test]
fn missing_field() {
    let text = with_step("id = \"suspend\"\non = \"active\"\naction = \"suspend-cluster\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::Format));
}

#[test]
fn unsupported_version() {
    insta::assert_snapshot!(check(&BASE.replace("version = 1", "version = 7"), FileErrorKind::UnsupportedVersion));
}

#[test]
fn duplicate_step_id() {
    let text = with_step("id = \"unzip\"\ntitle = \"Again\"\non = \"active\"\naction = \"suspend-cluster\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::Duplicate));
}

#[test]
fn unknown_service() {
    let text = with_step(
        "id = \"stop\"\ntitle = \"Stop\"\non = \"active\"\naction = \"stop-services\"\nservices = [\"PVMServce\"]\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownName));
}

#[test]
fn unknown_group() {
    let text = with_step(
        "id = \"move\"\ntitle = \"Move\"\non = \"active\"\naction = \"move-group\"\ngroup = \"failover1\"\nto = \"standby\"\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownName));
}

#[test]
fn unknown_component() {
    let text = BASE.replace("name = \"DeploymentManager\"", "name = \"DeploymentManger\"");
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownName));
}

#[test]
fn role_the_cluster_lacks() {
    let one_node = r#"version = 1
name = "lonely"
[[node]]
name = "only-node"
drives = ["C:"]
[[component]]
name = "DeploymentManager"
version = "6.7"
[[service]]
name = "DeploymentManager API Service"
component = "DeploymentManager"
[[group]]
name = "failover"
nodes = ["only-node"]
[[group.resource]]
name = "ip"
type = "floating-ip"
address = "10.0.0.1"
"#;
    let cluster = procedure::cluster::load(&SourceFile::new("lonely.toml", one_node)).expect("valid cluster");
    let text = with_step("id = \"install\"\ntitle = \"Install\"\non = \"standby\"\naction = \"install-module\"\n");
    insta::assert_snapshot!(check_with(&cluster, &text, FileErrorKind::MissingRole));
}

#[test]
fn empty_procedure() {
    let text = &BASE[..BASE.find("[[step]]").unwrap()];
    insta::assert_snapshot!(check(text, FileErrorKind::Empty));
}

#[test]
fn argument_the_action_does_not_take() {
    let text = with_step(
        "id = \"suspend\"\ntitle = \"Suspend\"\non = \"active\"\naction = \"suspend-cluster\"\nservices = [\"PVMService\"]\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::Argument));
}

#[test]
fn argument_the_action_needs() {
    let text =
        with_step("id = \"move\"\ntitle = \"Move\"\non = \"active\"\naction = \"move-group\"\ngroup = \"failover\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::Argument));
}

#[test]
fn cluster_wide_action_on_every_node() {
    let text = with_step("id = \"suspend\"\ntitle = \"Suspend\"\non = \"every-node\"\naction = \"suspend-cluster\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::Argument));
}

#[test]
fn unknown_action() {
    let text = with_step("id = \"x\"\ntitle = \"X\"\non = \"active\"\naction = \"format-disk\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownKeyword));
}

#[test]
fn unknown_role() {
    let text = with_step("id = \"x\"\ntitle = \"X\"\non = \"primary\"\naction = \"suspend-cluster\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownKeyword));
}

#[test]
fn unknown_condition() {
    let text =
        with_step("id = \"x\"\ntitle = \"X\"\non = \"active\"\naction = \"backup-registry\"\nwhen = \"on-tuesdays\"\n");
    insta::assert_snapshot!(check(&text, FileErrorKind::UnknownKeyword));
}

#[test]
fn folder_that_is_not_a_windows_path() {
    insta::assert_snapshot!(check(&BASE.replace(r"C:\Temp\M-1", "/tmp/m-1"), FileErrorKind::InvalidValue));
}

#[test]
fn folder_on_a_drive_no_node_has() {
    insta::assert_snapshot!(check(&BASE.replace(r"C:\Temp\M-1", r"Q:\Temp\M-1"), FileErrorKind::UnknownName));
}

#[track_caller]
fn check_cluster(text: &str, kind: FileErrorKind) -> String {
    let error =
        procedure::cluster::load(&SourceFile::new("cluster.toml", text)).expect_err("the cluster file is invalid");
    assert_eq!(error.kind(), kind, "{}", error.one_line());
    format!("{}\n\n{}", error.one_line(), error.render_plain())
}

const CLUSTER: &str = r#"version = 1
name = "c"
[[node]]
name = "n1"
drives = ["C:"]
[[node]]
name = "n2"
drives = ["C:"]
[[group]]
name = "failover"
nodes = ["n1", "n2"]
[[group.resource]]
name = "md"
type = "mirror-disk"
drive = "E:"
"#;

#[test]
fn cluster_unknown_node_in_policy() {
    insta::assert_snapshot!(check_cluster(
        &CLUSTER.replace(r#"["n1", "n2"]"#, r#"["n1", "n3"]"#),
        FileErrorKind::UnknownName
    ));
}

#[test]
fn cluster_dependency_cycle() {
    let text = format!(
        "{CLUSTER}depends = [\"fip\"]\n[[group.resource]]\nname = \"fip\"\ntype = \"floating-ip\"\naddress = \"10.0.0.1\"\ndepends = [\"md\"]\n"
    );
    insta::assert_snapshot!(check_cluster(&text, FileErrorKind::InvalidValue));
}

#[test]
fn cluster_unknown_resource_type() {
    insta::assert_snapshot!(check_cluster(
        &CLUSTER.replace("mirror-disk", "shared-disk"),
        FileErrorKind::UnknownKeyword
    ));
}

#[test]
fn cluster_mirror_drive_that_is_also_local() {
    insta::assert_snapshot!(check_cluster(&CLUSTER.replace("\"E:\"", "\"C:\""), FileErrorKind::InvalidValue));
}

/// Broken files through the CLI: exit 2, nothing on stdout, and the file:line:column first.
#[track_caller]
fn check_cli(file: &str, location: &str) {
    let path = format!("tests/data/broken/{file}");
    let run = clusterproc(&["plan", &path]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with(&format!("error: {path}:{location}: ")), "first line: {first}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn cli_reports_broken_files_with_their_line() {
    check_cli("syntax-error.toml", "8:19");
    check_cli("unknown-action.toml", "17:10");
    check_cli("unknown-field.toml", "18:1");
    check_cli("duplicate-id.toml", "20:6");
    check_cli("unknown-service.toml", "18:13");
}

#[test]
fn cli_reports_a_broken_cluster_file() {
    let run =
        clusterproc(&["plan", "procedures/ssc0307-0006.toml", "--cluster", "tests/data/broken/cluster-cycle.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: tests/data/broken/cluster-cycle.toml:"), "{}", run.stderr);
}

#[test]
fn cluster_without_a_group() {
    let text = CLUSTER[..CLUSTER.find("[[group]]").unwrap()].to_owned();
    insta::assert_snapshot!(check_cluster(&text, FileErrorKind::Empty));
}

#[test]
fn cluster_group_without_resources() {
    let text = CLUSTER[..CLUSTER.find("[[group.resource]]").unwrap()].to_owned();
    insta::assert_snapshot!(check_cluster(&text, FileErrorKind::Empty));
}

#[test]
fn cluster_with_too_many_groups() {
    let mut text = CLUSTER.to_owned();
    for i in 0..300 {
        text.push_str(&format!(
            "[[group]]\nname = \"g{i}\"\nnodes = [\"n1\"]\n[[group.resource]]\nname = \"ip{i}\"\ntype = \"floating-ip\"\naddress = \"10.0.0.1\"\n"
        ));
    }
    let error = procedure::cluster::load(&SourceFile::new("cluster.toml", &text)).expect_err("too many groups");
    assert_eq!(error.kind(), FileErrorKind::InvalidValue);
    assert!(
        error.one_line().contains("301 groups; a cluster description may have at most 255"),
        "{}",
        error.one_line()
    );
}

#[test]
fn cluster_with_an_absurd_duration() {
    let text = format!("{CLUSTER}[timing]\ninstall = \"18446744073709551615ms\"\n");
    let error = procedure::cluster::load(&SourceFile::new("cluster.toml", &text)).expect_err("too long");
    assert!(error.one_line().contains("is longer than a month"), "{}", error.one_line());
}

#[test]
fn move_to_a_node_outside_the_group_policy() {
    let cluster_text = std::fs::read_to_string(crate::support::root().join("scenarios/cluster/ssc-two-node.toml"))
        .unwrap()
        .replace("nodes = [\"ssc-node1\", \"ssc-node2\"]", "nodes = [\"ssc-node1\"]");
    let cluster = procedure::cluster::load(&SourceFile::new("one-policy.toml", &cluster_text)).expect("valid");
    let text = with_step(
        "id = \"move\"\ntitle = \"Move\"\non = \"active\"\naction = \"move-group\"\ngroup = \"failover\"\nto = \"standby\"\n",
    );
    insta::assert_snapshot!(check_with(&cluster, &text, FileErrorKind::MissingRole));
}

/// See: user report — two steps numbered 1 were accepted, and every output named both `1`.
#[test]
fn cli_refuses_a_step_number_used_twice() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(crate::support::root().join("procedures/ssc0307-0006.toml")).unwrap();
    assert!(seed.contains("\nnumber = 3\n"));
    let path = dir.path().join("d.toml");
    std::fs::write(&path, seed.replace("\nnumber = 3\n", "\nnumber = 1\n")).unwrap();
    let path = path.display().to_string();
    let run = clusterproc(&["plan", &path]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(first, format!("error: {path}:103:10: step number 1 is used twice"));
    assert!(run.stderr.contains("step `unzip` (line 72) already has number 1"), "{}", run.stderr);
}

/// A procedure in Japanese is translated whole: every step's title, text and notes.
const JAPANESE: &str = "title-ja = \"小さな手順\"\n";

fn in_japanese(step: &str) -> String {
    BASE.replacen("\n[module]", &format!("{JAPANESE}\n[module]"), 1)
        .replace("title = \"Unzip\"\n", "title = \"Unzip\"\ntitle-ja = \"解凍する\"\n")
        + &format!("\n[[step]]\n{step}")
}

#[test]
fn a_procedure_in_japanese_loads_with_every_step_translated() {
    let text = in_japanese(
        "id = \"suspend\"\ntitle = \"Suspend\"\ntitle-ja = \"サスペンドする\"\non = \"active\"\naction = \"suspend-cluster\"\ntext = \"Suspend it.\"\ntext-ja = \"サスペンドします。\"\nnotes = [\"Slow.\"]\nnotes-ja = [\"時間がかかります。\"]\n",
    );
    let loaded = procedure::procedure::load(&SourceFile::new("ja.toml", &text), &default_cluster()).unwrap();
    assert_eq!(loaded.title_ja.as_deref(), Some("小さな手順"));
    let ja = loaded.steps[1].ja.as_deref().expect("the step's Japanese");
    assert_eq!((ja.title.as_str(), ja.text.as_str()), ("サスペンドする", "サスペンドします。"));
    assert_eq!(ja.notes, ["時間がかかります。"]);
}

#[test]
fn a_step_translated_in_part() {
    let text = in_japanese(
        "id = \"suspend\"\ntitle = \"Suspend\"\ntitle-ja = \"サスペンドする\"\non = \"active\"\naction = \"suspend-cluster\"\ntext = \"Suspend it.\"\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::Argument));
}

/// A step without Japanese (one `check --suggest` inserted) reads in English.
#[test]
fn a_step_without_japanese_in_a_japanese_procedure_loads() {
    let text = in_japanese("id = \"suspend\"\ntitle = \"Suspend\"\non = \"active\"\naction = \"suspend-cluster\"\n");
    let loaded = procedure::procedure::load(&SourceFile::new("ja.toml", &text), &default_cluster()).unwrap();
    assert!(loaded.steps[0].ja.is_some() && loaded.steps[1].ja.is_none());
}

#[test]
fn japanese_notes_that_do_not_match_the_notes() {
    let text = in_japanese(
        "id = \"suspend\"\ntitle = \"Suspend\"\ntitle-ja = \"サスペンドする\"\non = \"active\"\naction = \"suspend-cluster\"\nnotes = [\"Slow.\", \"Close the consoles.\"]\nnotes-ja = [\"時間がかかります。\"]\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::InvalidValue));
}

#[test]
fn japanese_in_a_procedure_without_a_japanese_title() {
    let text = with_step(
        "id = \"suspend\"\ntitle = \"Suspend\"\ntitle-ja = \"サスペンドする\"\non = \"active\"\naction = \"suspend-cluster\"\n",
    );
    insta::assert_snapshot!(check(&text, FileErrorKind::Argument));
}

#[test]
fn the_shipped_procedures_are_in_japanese_too() {
    for path in ["procedures/ssc0307-0006.toml", "procedures/examples/registry-changing-module.toml"] {
        let text = std::fs::read_to_string(crate::support::root().join(path)).unwrap();
        let loaded = procedure::procedure::load(&SourceFile::new(path, &text), &default_cluster()).unwrap();
        assert!(loaded.title_ja.is_some(), "{path}");
        assert!(loaded.steps.iter().all(|step| step.ja.is_some()), "{path}");
        assert!(loaded.notes.iter().all(|note| note.text_ja.is_some()), "{path}");
    }
}
