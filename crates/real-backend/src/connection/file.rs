//! The connection file's TOML format, and its validation into a [`Connection`] with errors
//! that point at the file, line and field.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use procedure::diagnostic::{FileError, FileErrorKind, SourceFile};
use remote::transport::encode::RemoteShell;
use remote::transport::ssh::SshConfig;
use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use toml::Spanned;

use super::types::{
    ClusterApi, Connection, NodeConnection, RestApiConfig, RoleHint, SecretRef, Timeouts, TransportConfig, WinrmConfig,
};
use crate::backend::{InstallerCommand, WatchCommands};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConnectionFile {
    #[schemars(schema_with = "procedure::file_schema::version")]
    version: Spanned<u32>,
    #[serde(default)]
    timeouts: TimeoutsFile,
    #[serde(default)]
    module: ModuleFile,
    #[serde(default)]
    services: BTreeMap<String, String>,
    watch: Option<WatchFile>,
    #[schemars(with = "Option<String>")]
    simulator: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    api: Option<Spanned<String>>,
    #[schemars(with = "Option<RestFile>")]
    rest: Option<Spanned<RestFile>>,
    #[serde(default)]
    node: Vec<NodeFile>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RestFile {
    #[schemars(with = "String")]
    url: Spanned<String>,
    user: String,
    password_file: Option<String>,
    password_env: Option<String>,
    ca_file: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TimeoutsFile {
    #[schemars(with = "Option<String>")]
    connect: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    command: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    install: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    copy: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ModuleFile {
    archive: Option<String>,
    #[serde(default)]
    archives: BTreeMap<String, String>,
    #[schemars(with = "Option<Vec<String>>")]
    installer: Option<Spanned<Vec<String>>>,
    min_free_space_mib: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WatchFile {
    #[schemars(with = "Vec<String>")]
    stop: Spanned<Vec<String>>,
    #[schemars(with = "Vec<String>")]
    start: Spanned<Vec<String>>,
    list: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NodeFile {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "Option<String>")]
    role: Option<Spanned<String>>,
    #[schemars(with = "String")]
    transport: Spanned<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    identity_file: Option<String>,
    known_hosts: Option<String>,
    #[schemars(with = "Option<String>")]
    shell: Option<Spanned<String>>,
    working_directory: Option<String>,
    url: Option<String>,
    password_file: Option<String>,
    password_env: Option<String>,
    ca_file: Option<String>,
}

/// The JSON Schema of connection files.
pub fn schema() -> Schema {
    procedure::file_schema::of::<ConnectionFile>(procedure::safe_text::FileKind::Connection)
}

/// Parses and validates a connection file; relative paths are resolved against its folder.
pub fn load(source: &SourceFile) -> Result<Connection, FileError> {
    let file: ConnectionFile = toml::from_str(source.text()).map_err(|err| source.toml_error(&err))?;
    let base = Path::new(source.path()).parent().map(Path::to_path_buf).unwrap_or_default();
    let err = |kind, message: String, span: Range<usize>, label: &str| source.error(kind, message, Some(span), label);
    if *file.version.get_ref() != 1 {
        return Err(err(
            FileErrorKind::UnsupportedVersion,
            format!("unsupported connection file version {}", file.version.get_ref()),
            file.version.span(),
            "this build reads version 1",
        ));
    }
    let duration = |value: &Option<Spanned<String>>, default: u64| match value {
        None => Ok(std::time::Duration::from_secs(default)),
        Some(text) => procedure::duration::parse(text.get_ref())
            .map_err(|reason| err(FileErrorKind::InvalidValue, reason, text.span(), "a duration such as 30s or 90m")),
    };
    let timeouts = Timeouts {
        connect: duration(&file.timeouts.connect, 10)?,
        command: duration(&file.timeouts.command, 60)?,
        install: duration(&file.timeouts.install, 2 * 60 * 60)?,
        copy: duration(&file.timeouts.copy, 10 * 60)?,
    };
    if file.node.is_empty() {
        return Err(source.error(FileErrorKind::Empty, "the connection file has no [[node]]", Some(0..0), "here"));
    }
    let resolve = |path: &str| -> PathBuf {
        let path = Path::new(path);
        if path.is_absolute() { path.to_path_buf() } else { base.join(path) }
    };
    let mut nodes: Vec<NodeConnection> = Vec::new();
    for node in &file.node {
        let name = node.name.get_ref();
        if nodes.iter().any(|known| known.name.eq_ignore_ascii_case(name)) {
            return Err(err(
                FileErrorKind::Duplicate,
                format!("node `{name}` appears twice"),
                node.name.span(),
                "again here",
            ));
        }
        let role = match &node.role {
            None => None,
            Some(role) => Some(match role.get_ref().as_str() {
                "active" => RoleHint::Active,
                "standby" => RoleHint::Standby,
                other => {
                    return Err(err(
                        FileErrorKind::UnknownKeyword,
                        format!("unknown role `{other}`"),
                        role.span(),
                        "expected active or standby",
                    ));
                }
            }),
        };
        let needs = |field: &'static str, value: &Option<String>| {
            value.clone().ok_or_else(|| {
                err(
                    FileErrorKind::Argument,
                    format!("node `{name}` uses transport `{}` and needs `{field}`", node.transport.get_ref()),
                    node.transport.span(),
                    "this transport",
                )
            })
        };
        let refuse = |field: &'static str, present: bool| {
            if present {
                Err(err(
                    FileErrorKind::Argument,
                    format!("node `{name}` uses transport `{}`, which takes no `{field}`", node.transport.get_ref()),
                    node.transport.span(),
                    "this transport",
                ))
            } else {
                Ok(())
            }
        };
        let transport = match node.transport.get_ref().as_str() {
            "local" => {
                for (field, present) in
                    [("host", node.host.is_some()), ("url", node.url.is_some()), ("user", node.user.is_some())]
                {
                    refuse(field, present)?;
                }
                TransportConfig::Local { env: node.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect() }
            }
            "ssh" | "openssh" => {
                refuse("url", node.url.is_some())?;
                refuse("password-file", node.password_file.is_some())?;
                refuse("password-env", node.password_env.is_some())?;
                refuse("env", !node.env.is_empty())?;
                let shell = match node.shell.as_ref().map(|s| s.get_ref().as_str()) {
                    None | Some("windows") => RemoteShell::Windows,
                    Some("posix") => RemoteShell::Posix,
                    Some(other) => {
                        let span = node.shell.as_ref().map_or(node.transport.span(), Spanned::span);
                        return Err(err(
                            FileErrorKind::UnknownKeyword,
                            format!("unknown shell `{other}`"),
                            span,
                            "expected windows or posix",
                        ));
                    }
                };
                let ssh = SshConfig {
                    host: needs("host", &node.host)?,
                    port: node.port.unwrap_or(22),
                    user: needs("user", &node.user)?,
                    identity_file: node.identity_file.as_deref().map(&resolve),
                    known_hosts: resolve(&needs("known-hosts", &node.known_hosts)?),
                    shell,
                    working_directory: match (&node.working_directory, shell) {
                        (Some(_), RemoteShell::Windows) => {
                            return Err(err(
                                FileErrorKind::Argument,
                                format!("node `{name}`: `working-directory` is for POSIX shells only"),
                                node.transport.span(),
                                "this transport",
                            ));
                        }
                        (directory, _) => directory.clone(),
                    },
                };
                if node.transport.get_ref() == "ssh" {
                    TransportConfig::Ssh(ssh)
                } else {
                    TransportConfig::OpenSsh(ssh)
                }
            }
            "winrm" => {
                refuse("host", node.host.is_some())?;
                refuse("env", !node.env.is_empty())?;
                let Some(password) = secret(&node.password_file, &node.password_env, resolve) else {
                    return Err(err(
                        FileErrorKind::Argument,
                        format!("node `{name}` needs exactly one of `password-file` and `password-env`"),
                        node.transport.span(),
                        "the password is referenced, never written here",
                    ));
                };
                let url = needs("url", &node.url)?;
                if !url.starts_with("https://") {
                    return Err(err(
                        FileErrorKind::InvalidValue,
                        format!("node `{name}`: WinRM is used over HTTPS only, not {url}"),
                        node.transport.span(),
                        "this transport",
                    ));
                }
                TransportConfig::Winrm(WinrmConfig {
                    url,
                    user: needs("user", &node.user)?,
                    password,
                    ca_file: node.ca_file.as_deref().map(&resolve),
                })
            }
            other => {
                return Err(err(
                    FileErrorKind::UnknownKeyword,
                    format!("unknown transport `{other}`"),
                    node.transport.span(),
                    "expected local, ssh, openssh or winrm",
                ));
            }
        };
        let line = source.text()[..node.name.span().start].matches('\n').count() + 1;
        nodes.push(NodeConnection { name: name.clone(), role, transport, line });
    }
    let installer = match &file.module.installer {
        None => None,
        Some(argv) => {
            let Some((program, args)) = argv.get_ref().split_first() else {
                return Err(err(
                    FileErrorKind::InvalidValue,
                    "the installer command is empty".into(),
                    argv.span(),
                    "here",
                ));
            };
            Some(InstallerCommand { program: program.clone(), args: args.to_vec() })
        }
    };
    let watch = match &file.watch {
        None => None,
        Some(watch) => {
            for command in [&watch.stop, &watch.start] {
                if command.get_ref().is_empty() {
                    return Err(err(
                        FileErrorKind::InvalidValue,
                        "a watch command is empty".into(),
                        command.span(),
                        "here",
                    ));
                }
            }
            Some(WatchCommands {
                stop: watch.stop.get_ref().clone(),
                start: watch.start.get_ref().clone(),
                list: watch.list.clone().filter(|list| !list.is_empty()),
            })
        }
    };
    let api = match (file.api.as_ref().map(|api| (api.get_ref().as_str(), api.span())), &file.rest) {
        (None | Some(("commands", _)), None) => ClusterApi::Commands,
        (None | Some(("commands", _)), Some(rest)) => {
            return Err(err(
                FileErrorKind::Argument,
                "[rest] is used only with api = \"rest\"".into(),
                rest.span(),
                "add api = \"rest\" at the top, or remove this",
            ));
        }
        (Some(("rest", span)), None) => {
            return Err(err(FileErrorKind::Argument, "api = \"rest\" needs a [rest] table".into(), span, "here"));
        }
        (Some(("rest", _)), Some(rest)) => {
            let table = rest.get_ref();
            let Some(password) = secret(&table.password_file, &table.password_env, resolve) else {
                return Err(err(
                    FileErrorKind::Argument,
                    "[rest] needs exactly one of `password-file` and `password-env`".into(),
                    rest.span(),
                    "the password is referenced, never written here",
                ));
            };
            let url = table.url.get_ref();
            if !(url.starts_with("https://") || url.starts_with("http://127.0.0.1:")) {
                return Err(err(
                    FileErrorKind::InvalidValue,
                    format!("the REST API is used over HTTPS only (http on 127.0.0.1 for the simulator), not {url}"),
                    table.url.span(),
                    "expected https://HOST:29009",
                ));
            }
            ClusterApi::Rest(RestApiConfig {
                url: url.clone(),
                user: table.user.clone(),
                password,
                ca_file: table.ca_file.as_deref().map(&resolve),
            })
        }
        (Some((other, span)), _) => {
            return Err(err(
                FileErrorKind::UnknownKeyword,
                format!("unknown api `{other}`"),
                span,
                "expected commands or rest",
            ));
        }
    };
    Ok(Connection {
        api,
        nodes,
        timeouts,
        archive: file.module.archive.as_deref().map(resolve),
        archives: file.module.archives.iter().map(|(id, path)| (id.clone(), resolve(path))).collect(),
        installer,
        min_free_bytes: file.module.min_free_space_mib.unwrap_or(1024) << 20,
        service_keys: file.services,
        watch,
        simulator: match file.simulator {
            Some(url) if !url.get_ref().starts_with("http://127.0.0.1:") => {
                return Err(err(
                    FileErrorKind::InvalidValue,
                    "the simulator is reached on loopback only".into(),
                    url.span(),
                    "expected http://127.0.0.1:PORT/sessions/ID",
                ));
            }
            other => other.map(Spanned::into_inner),
        },
    })
}

/// The password reference of a WinRM node or of `[rest]`: exactly one of a file (resolved
/// beside the connection file) and an environment variable; `None` for neither or both.
fn secret(file: &Option<String>, variable: &Option<String>, resolve: impl Fn(&str) -> PathBuf) -> Option<SecretRef> {
    match (file, variable) {
        (Some(file), None) => Some(SecretRef::File(resolve(file))),
        (None, Some(variable)) => Some(SecretRef::Env(variable.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
