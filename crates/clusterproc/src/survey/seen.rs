//! What a bundle shows, read with the backend's own parsers: per node its clpstat view (and
//! whether `--long` was accepted), its services, registry values and watch list; the REST
//! view; and one line per command or GET saying whether its answer parsed.

use std::collections::BTreeSet;

use procedure::cluster::Cluster;
use real_backend::parse::clpstat::{self, ClusterStatus};
use real_backend::parse::reg_query::{self, RegQuery};
use real_backend::parse::sc::{self, ServiceRecord};
use real_backend::registry::RegValue;
use real_backend::rest::ClusterView;
use remote::output::Output;

use super::bundle::{Bundle, CommandEntry};

/// What one node showed.
#[derive(Debug, Clone, Default)]
pub(super) struct NodeSeen {
    /// Its name.
    pub name: String,
    /// Its clpstat view (or, with the REST API, the API's view as seen from it).
    pub view: Option<ClusterStatus>,
    /// Whether it accepted `clpstat --long`; `None` when clpstat was not run.
    pub long: Option<bool>,
    /// Whether it accepted `clpmonctrl -v -h NODE`; `None` when not probed.
    pub monitor_host: Option<bool>,
    /// Its services, when `sc.exe query` parsed.
    pub services: Option<Vec<ServiceRecord>>,
    /// Its registry values under the keys read.
    pub registry: Vec<RegValue>,
    /// Its watch list (service key name, monitoring), when one was read and parsed.
    pub watch: Option<Vec<(String, bool)>>,
}

/// One parse: the command and what came of it.
#[derive(Debug, Clone)]
pub(super) struct Parse {
    /// `ssc-node1: \`clpstat --long\``, `REST GET cluster`.
    pub what: String,
    /// `Ok(summary)` or `Err(why)`.
    pub outcome: Result<String, String>,
    /// Whether a failure here stops the backend (a refused `clpstat --long` answered by
    /// plain clpstat does not).
    pub blocks: bool,
}

/// Everything a bundle shows.
#[derive(Debug, Clone, Default)]
pub(super) struct Seen {
    /// Per node, in the connection file's order.
    pub nodes: Vec<NodeSeen>,
    /// Every parse, in the order run.
    pub parses: Vec<Parse>,
    /// The REST view, when the API was used and its answers read.
    pub rest: Option<ClusterView>,
    /// Every status word the REST answers used.
    pub rest_words: BTreeSet<String>,
}

fn output(entry: &CommandEntry) -> Output {
    Output { stdout: entry.stdout_bytes.clone(), stderr: entry.stderr_bytes.clone(), code: entry.exit_code }
}

impl Seen {
    /// Reads every answer of the bundle.
    pub fn read(bundle: &Bundle, cluster: &Cluster) -> Seen {
        let manifest = &bundle.manifest;
        let mut seen = Seen::default();
        for node in &manifest.nodes {
            let mut node_seen = NodeSeen { name: node.name.clone(), ..NodeSeen::default() };
            let entries: Vec<&CommandEntry> =
                manifest.commands.iter().filter(|entry| entry.node == node.name).collect();
            let long_failed = entries.iter().any(|e| e.argv == ["clpstat", "--long"] && e.exit_code != Some(0));
            for entry in entries {
                let what = format!("{}: `{}`", node.name, entry.argv.join(" "));
                let outcome = read_entry(entry, manifest.watch_list.as_deref(), &mut node_seen, cluster, manifest);
                // A `--long` refused, then plain clpstat asked, is the fallback, not a failure.
                let fallback = entry.argv == ["clpstat", "--long"] && long_failed;
                if entry.argv == ["clpstat", "--long"] {
                    node_seen.long = Some(!long_failed);
                }
                seen.parses.push(Parse { what, outcome, blocks: !fallback });
            }
            seen.nodes.push(node_seen);
        }
        if manifest.api == "rest" {
            seen.read_rest(bundle);
        }
        seen
    }

    fn read_rest(&mut self, bundle: &Bundle) {
        let mut values = Vec::new();
        for entry in &bundle.manifest.rest {
            let what = format!("REST {} {}", entry.method, entry.path);
            let exchange = real_backend::rest::Exchange {
                path: entry.path.clone(),
                url: entry.path.clone(),
                status: entry.status,
                body: match &entry.error {
                    Some(error) => Err(error.clone()),
                    None => Ok(entry.body_text.clone()),
                },
                took: std::time::Duration::from_millis(entry.took_ms),
            };
            match exchange.judged() {
                Ok(value) => {
                    collect_words(&value, &mut self.rest_words);
                    let status = entry.status.map_or_else(String::new, |status| format!("HTTP {status}"));
                    self.parses.push(Parse { what, outcome: Ok(status), blocks: true });
                    values.push(value);
                }
                Err(error) => self.parses.push(Parse { what, outcome: Err(error.to_string()), blocks: true }),
            }
        }
        let [cluster, servers, groups, resources, monitors] = values.as_slice() else { return };
        match ClusterView::read(cluster, servers, groups, resources, monitors) {
            Ok(view) => {
                for node in &mut self.nodes {
                    match view.as_clpstat(&node.name) {
                        Ok(status) => node.view = Some(status),
                        Err(error) => {
                            self.parses.push(Parse {
                                what: format!("REST view from {}", node.name),
                                outcome: Err(error),
                                blocks: true,
                            });
                        }
                    }
                }
                self.rest = Some(view);
            }
            Err(error) => self.parses.push(Parse { what: "REST view".to_owned(), outcome: Err(error), blocks: true }),
        }
    }
}

/// Every `status` word in a REST answer.
fn collect_words(value: &serde_json::Value, words: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("status", serde_json::Value::String(word)) => {
                        words.insert(word.clone());
                    }
                    _ => collect_words(inner, words),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_words(item, words)),
        _ => {}
    }
}

/// Parses one command's answer into `node`, with a summary or why it did not parse.
fn read_entry(
    entry: &CommandEntry,
    watch_list: Option<&[String]>,
    node: &mut NodeSeen,
    cluster: &Cluster,
    manifest: &super::bundle::Manifest,
) -> Result<String, String> {
    if let Some(error) = &entry.error {
        return Err(format!("no answer: {error}"));
    }
    let output = output(entry);
    match entry.argv.first().map(String::as_str) {
        Some("clpstat") => {
            let view = clpstat::parse(&output).map_err(|error| error.to_string())?;
            let summary = format!(
                "cluster {}: {} servers, {} groups, {} resources, {} monitors",
                view.cluster,
                view.servers.len(),
                view.groups.len(),
                view.groups.iter().map(|group| group.resources.len()).sum::<usize>(),
                view.monitors.len()
            );
            node.view = Some(view);
            Ok(summary)
        }
        Some("clpmonctrl") => {
            let accepted = entry.exit_code == Some(0);
            node.monitor_host = Some(accepted);
            Ok(if accepted {
                "`-h` accepted".to_owned()
            } else {
                format!("`-h` refused (exit code {:?}): the backend will refuse monitor steps", entry.exit_code)
            })
        }
        Some("sc.exe") => {
            let listing = sc::parse(&output).map_err(|error| error.to_string())?;
            let summary = format!("{} services", listing.services.len());
            node.services = Some(listing.services);
            Ok(summary)
        }
        Some("reg") => match reg_query::parse(&output).map_err(|error| error.to_string())? {
            RegQuery::Values(values) => {
                let summary = format!("{} values", values.len());
                node.registry.extend(values);
                Ok(summary)
            }
            RegQuery::KeyNotFound => Ok("the key does not exist".to_owned()),
        },
        _ if watch_list.is_some_and(|list| list == entry.argv.as_slice()) => {
            let watch = read_watch(&output, cluster, manifest)?;
            let summary = format!("{} services watched", watch.len());
            node.watch = Some(watch);
            Ok(summary)
        }
        _ => Err("clusterproc does not know this command".to_owned()),
    }
}

/// `NAME : Monitoring` / `NAME : Not monitoring` lines, as the backend reads them.
fn read_watch(
    output: &Output,
    cluster: &Cluster,
    manifest: &super::bundle::Manifest,
) -> Result<Vec<(String, bool)>, String> {
    if output.code != Some(0) {
        return Err(format!("exited with code {:?}: {}", output.code, output.text().trim()));
    }
    let known = |name: &str| {
        cluster
            .services
            .iter()
            .any(|service| manifest.service_keys.get(&service.name).unwrap_or(&service.name).eq_ignore_ascii_case(name))
    };
    let mut watch = Vec::new();
    let text = output.stdout_text();
    for (number, line) in remote::text::lines(&text) {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line.rsplit_once(" : ").and_then(|(name, state)| {
            let monitoring = match state.trim() {
                "Monitoring" => true,
                "Not monitoring" => false,
                _ => return None,
            };
            known(name.trim()).then(|| (name.trim().to_owned(), monitoring))
        });
        match parsed {
            Some(found) => watch.push(found),
            None => {
                return Err(format!(
                    "line {number}: {line:?}: expected `SERVICE : Monitoring` or `SERVICE : Not monitoring` for a known service"
                ));
            }
        }
    }
    Ok(watch)
}
