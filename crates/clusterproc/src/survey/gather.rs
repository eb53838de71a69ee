//! The live half of a survey: every node reached through the transport the connection file
//! gives it, wrapped in a recording transport, and asked what the backend's observation
//! asks (`clpstat --long`, plain `clpstat` where that is refused, the probe of clpmonctrl's
//! `-h` (`clpmonctrl -v -h NODE`), one `sc.exe query`, `reg
//! query` of every registry key the description and procedure name, the `[watch] list`
//! command); with `api = "rest"` the status GETs instead of clpstat. Nothing is changed on
//! any node.

use std::path::Path;
use std::time::Duration;

use procedure::cluster::{Cluster, ResourceKind, key_is_under};
use procedure::diagnostic::SourceFile;
use real_backend::commands;
use real_backend::connection::{ClusterApi, TransportConfig};
use real_backend::recording::{Recorded, RecordingTransport};
use real_backend::rest::{RestClient, RestConfig};
use remote::argv::Argv;
use remote::transport::Transport;

use super::bundle::{Bundle, CommandEntry, FORMAT, Manifest, NodeEntry, RestEntry, encoding, redact};
use crate::failure::Failure;

/// The GETs of one REST observation, in the order the backend sends them.
pub(super) const REST_PATHS: [&str; 5] = ["cluster", "servers", "groups", "resources", "monitors"];

/// Surveys the cluster the connection file reaches.
pub(super) fn gather(
    connection_path: &Path,
    cluster: Option<&Path>,
    procedure: Option<&Path>,
) -> Result<Bundle, Failure> {
    let connection = real_backend::connection::load(&SourceFile::read(connection_path)?)?;
    let cluster_source = crate::load::cluster_source(cluster)?;
    let cluster_value = procedure::cluster::load(&cluster_source)?;
    let procedure_source = procedure.map(SourceFile::read).transpose()?;
    let mut keys = registry_keys(&cluster_value);
    if let Some(source) = &procedure_source {
        let loaded = procedure::procedure::load(source, &cluster_value)?;
        let setup = procedure::setup::Setup::new(cluster_value.clone(), loaded);
        for slot in &setup.registry {
            if !keys.iter().any(|known| key_is_under(&slot.key, known)) {
                keys.push(slot.key.clone());
            }
        }
    }
    let mut secrets = Vec::new();
    let mut nodes = Vec::new();
    for entry in &connection.nodes {
        if let TransportConfig::Winrm(winrm) = &entry.transport {
            let at = format!("{}:{}: node {}", connection_path.display(), entry.line, entry.name);
            secrets.push(crate::connect::read_secret(&at, &winrm.password)?);
        }
        let transport = crate::connect::transport_for(connection_path, &connection, entry)?;
        nodes.push((entry.name.clone(), transport));
    }
    let rest = match &connection.api {
        ClusterApi::Commands => None,
        ClusterApi::Rest(rest) => {
            let at = format!("{}: [rest]", connection_path.display());
            let password = crate::connect::read_secret(&at, &rest.password)?;
            secrets.push(password.clone());
            let client = RestClient::new(RestConfig {
                base_url: rest.url.clone(),
                user: rest.user.clone(),
                password,
                timeout: connection.timeouts.command,
                get_attempts: 1,
                backoff: Duration::ZERO,
                ca_file: rest.ca_file.clone(),
            })
            .map_err(|e| Failure::Usage(anyhow::anyhow!("{at}: {e}")))?;
            Some(client)
        }
    };
    let watch_list = connection.watch.as_ref().and_then(|watch| watch.list.clone());
    let mut manifest = Manifest {
        format: FORMAT.to_owned(),
        api: if rest.is_some() { "rest" } else { "commands" }.to_owned(),
        nodes: Vec::new(),
        cluster_origin: cluster_source.path().to_owned(),
        procedure_origin: procedure_source.as_ref().map(|source| source.path().to_owned()),
        service_keys: connection.service_keys.clone(),
        watch_list: watch_list.clone(),
        commands: Vec::new(),
        rest: Vec::new(),
        redactions: 0,
    };
    let timeout = connection.timeouts.command;
    for (name, transport) in nodes {
        manifest.nodes.push(NodeEntry { name: name.clone(), via: transport.describe() });
        let (mut recording, tape) = RecordingTransport::new(transport);
        observe_node(&name, &mut recording, rest.is_none(), &keys, watch_list.as_deref(), timeout);
        let recorded: Vec<Recorded> = tape.lock().map(|tape| tape.clone()).unwrap_or_default();
        for record in recorded {
            let entry = command_entry(&name, manifest.commands.len() + 1, record, &secrets, &mut manifest.redactions);
            manifest.commands.push(entry);
        }
    }
    if let Some(client) = &rest {
        for path in REST_PATHS {
            let exchange = client.get_exchange(path);
            let number = manifest.rest.len() + 1;
            let (body, error) = match &exchange.body {
                Ok(text) => (text.clone(), None),
                Err(error) => (String::new(), Some(error.clone())),
            };
            let (body, found) = redact(body.as_bytes(), &secrets);
            manifest.redactions += found;
            let error = error.map(|error| {
                let (text, found) = redact(error.as_bytes(), &secrets);
                manifest.redactions += found;
                String::from_utf8_lossy(&text).into_owned()
            });
            manifest.rest.push(RestEntry {
                method: "GET".to_owned(),
                path: path.to_owned(),
                status: exchange.status,
                error,
                body: format!("rest/{number:03}-{path}.json"),
                took_ms: exchange.took.as_millis() as u64,
                body_text: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }
    Ok(Bundle {
        manifest,
        cluster_text: cluster_source.text().to_owned(),
        procedure_text: procedure_source.map(|source| source.text().to_owned()),
    })
}

/// The commands of one node's observation; answers are kept by the recording transport.
fn observe_node(
    node: &str,
    transport: &mut dyn Transport,
    clpstat: bool,
    keys: &[String],
    watch_list: Option<&[String]>,
    timeout: Duration,
) {
    if clpstat {
        let long = transport.run(&commands::cluster_status(true), timeout);
        if !matches!(&long, Ok(output) if output.code == Some(0)) {
            let _ = transport.run(&commands::cluster_status(false), timeout);
        }
        // The capability the monitor commands need, probed as a run probes it.
        if let Ok(argv) = commands::list_monitors(node) {
            let _ = transport.run(&argv, timeout);
        }
    }
    let _ = transport.run(&commands::list_services(), timeout);
    for key in keys {
        if let Ok(argv) = commands::query_registry(key) {
            let _ = transport.run(&argv, timeout);
        }
    }
    if let Some((program, args)) = watch_list.and_then(<[String]>::split_first) {
        let _ = transport.run(&Argv { program: program.clone(), args: args.to_vec() }, timeout);
    }
}

/// A recorded command as the manifest keeps it, secrets replaced.
fn command_entry(
    node: &str,
    number: usize,
    record: Recorded,
    secrets: &[String],
    redactions: &mut usize,
) -> CommandEntry {
    let (code, stdout, stderr, error) = match record.outcome {
        Ok(output) => (output.code, output.stdout, output.stderr, None),
        Err(error) => (None, Vec::new(), Vec::new(), Some(error)),
    };
    let mut scrub = |bytes: &[u8]| {
        let (out, found) = redact(bytes, secrets);
        *redactions += found;
        out
    };
    let stdout = scrub(&stdout);
    let stderr = scrub(&stderr);
    let error = error.map(|error| String::from_utf8_lossy(&scrub(error.as_bytes())).into_owned());
    let argv = record.argv.iter().map(|word| String::from_utf8_lossy(&scrub(word.as_bytes())).into_owned()).collect();
    CommandEntry {
        node: node.to_owned(),
        argv,
        exit_code: code,
        error,
        stdout: format!("commands/{number:03}-{node}-stdout.bin"),
        stderr: format!("commands/{number:03}-{node}-stderr.bin"),
        stdout_encoding: encoding(&stdout).to_owned(),
        stderr_encoding: encoding(&stderr).to_owned(),
        took_ms: record.took.as_millis() as u64,
        stdout_bytes: stdout,
        stderr_bytes: stderr,
    }
}

/// The registry keys to read: those registry sync covers, then those of the values the
/// description lists that no synced key covers (as the backend's observation reads them).
pub(super) fn registry_keys(cluster: &Cluster) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let synced = cluster.resources.iter().filter_map(|resource| match &resource.kind {
        ResourceKind::RegistrySync { keys } => Some(keys.iter()),
        _ => None,
    });
    for key in synced.flatten().chain(cluster.registry.iter().map(|value| &value.key)) {
        if !keys.iter().any(|known| key_is_under(key, known)) {
            keys.push(key.clone());
        }
    }
    keys
}
