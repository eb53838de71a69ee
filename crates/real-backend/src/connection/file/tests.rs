//! The connection file: what it accepts, and errors that point at the line and field.

use super::*;

fn check(text: &str, expected: &str) {
    let source = SourceFile::new("site/connection.toml", text);
    match load(&source) {
        Ok(connection) => assert_eq!(format!("{connection:?}"), expected),
        Err(error) => assert_eq!(error.one_line(), expected),
    }
}

#[test]
fn a_minimal_local_file() {
    let source = SourceFile::new(
        "site/connection.toml",
        "version = 1\n[module]\narchive = \"SSC0307-0006.zip\"\ninstaller = [\"setup.exe\", \"/s\"]\n[[node]]\nname = \"ssc-node1\"\nrole = \"active\"\ntransport = \"local\"\n",
    );
    let connection = load(&source).unwrap();
    assert_eq!(connection.nodes[0].line, 6);
    assert_eq!(connection.nodes[0].role, Some(RoleHint::Active));
    assert_eq!(connection.archive, Some(PathBuf::from("site/SSC0307-0006.zip")));
    assert_eq!(connection.installer, Some(InstallerCommand { program: "setup.exe".into(), args: vec!["/s".into()] }));
    assert_eq!(connection.timeouts.command, std::time::Duration::from_secs(60));
}

#[test]
fn errors_point_at_the_line_and_field() {
    check("version = 2\n", "site/connection.toml:1:11: unsupported connection file version 2");
    check(
        "version = 1\n[[node]]\nname = \"a\"\ntransport = \"telnet\"\n",
        "site/connection.toml:4:13: unknown transport `telnet`",
    );
    check(
        "version = 1\n[[node]]\nname = \"a\"\ntransport = \"ssh\"\nhost = \"h\"\nuser = \"u\"\n",
        "site/connection.toml:4:13: node `a` uses transport `ssh` and needs `known-hosts`",
    );
    check(
        "version = 1\n[[node]]\nname = \"a\"\ntransport = \"ssh\"\npassword = \"hunter2\"\n",
        "site/connection.toml:5:1: unknown field `password`, expected one of `name`, `role`, `transport`, `env`, `host`, `port`, `user`, `identity-file`, `known-hosts`, `shell`, `working-directory`, `url`, `password-file`, `password-env`, `ca-file`",
    );
    check(
        "version = 1\n[[node]]\nname = \"a\"\ntransport = \"winrm\"\nurl = \"http://a:5985/wsman\"\nuser = \"u\"\npassword-env = \"P\"\n",
        "site/connection.toml:4:13: node `a`: WinRM is used over HTTPS only, not http://a:5985/wsman",
    );
    check(
        "version = 1\n[timeouts]\ncommand = \"soon\"\n[[node]]\nname = \"a\"\ntransport = \"local\"\n",
        "site/connection.toml:3:11: expected a number in `soon`",
    );
    check(
        "version = 1\n[[node]]\nname = \"a\"\ntransport = \"local\"\n[[node]]\nname = \"A\"\ntransport = \"local\"\n",
        "site/connection.toml:6:8: node `A` appears twice",
    );
}

const NODE: &str = "[[node]]\nname = \"a\"\ntransport = \"local\"\n";

#[test]
fn the_cluster_api_is_the_command_lines_unless_rest_is_asked_for() {
    let load_text = |text: &str| load(&SourceFile::new("site/connection.toml", text));
    assert_eq!(load_text(&format!("version = 1\n{NODE}")).unwrap().api, ClusterApi::Commands);
    let rest = "version = 1\napi = \"rest\"\n[rest]\nurl = \"https://ssc:29009\"\nuser = \"Administrator\"\npassword-env = \"ECX_PASSWORD\"\nca-file = \"ca.pem\"\n";
    assert_eq!(
        load_text(&format!("{rest}{NODE}")).unwrap().api,
        ClusterApi::Rest(RestApiConfig {
            url: "https://ssc:29009".into(),
            user: "Administrator".into(),
            password: SecretRef::Env("ECX_PASSWORD".into()),
            ca_file: Some(PathBuf::from("site/ca.pem")),
        })
    );
}

#[test]
fn rest_settings_are_checked() {
    check(&format!("version = 1\napi = \"soap\"\n{NODE}"), "site/connection.toml:2:7: unknown api `soap`");
    check(
        &format!("version = 1\napi = \"rest\"\n{NODE}"),
        "site/connection.toml:2:7: api = \"rest\" needs a [rest] table",
    );
    check(
        &format!("version = 1\n{NODE}[rest]\nurl = \"https://h:29009\"\nuser = \"u\"\npassword-env = \"P\"\n"),
        "site/connection.toml:5:1: [rest] is used only with api = \"rest\"",
    );
    check(
        &format!(
            "version = 1\napi = \"rest\"\n{NODE}[rest]\nurl = \"http://h:29009\"\nuser = \"u\"\npassword-env = \"P\"\n"
        ),
        "site/connection.toml:7:7: the REST API is used over HTTPS only (http on 127.0.0.1 for the simulator), not http://h:29009",
    );
    check(
        &format!("version = 1\napi = \"rest\"\n{NODE}[rest]\nurl = \"https://h:29009\"\nuser = \"u\"\n"),
        "site/connection.toml:6:1: [rest] needs exactly one of `password-file` and `password-env`",
    );
    check(
        &format!(
            "version = 1\napi = \"rest\"\n{NODE}[rest]\nurl = \"https://h:29009\"\nuser = \"u\"\npassword = \"x\"\n"
        ),
        "site/connection.toml:9:1: unknown field `password`, expected one of `url`, `user`, `password-file`, `password-env`, `ca-file`",
    );
}
