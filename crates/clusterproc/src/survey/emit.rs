//! `survey --emit-cluster FILE`: the cluster description of what the survey saw, in the
//! format of `scenarios/cluster/*.toml`.
//!
//! Seen from the outside: the cluster's name, its servers, its groups with the server each
//! is online on, the group resources and monitors by name, which services are installed,
//! the watch list (with a `[watch] list` command) and the registry values under the keys
//! read. Not seen, and so taken from the description the survey compared with: the product
//! and component versions, drives, failover policies, each resource's kind, settings and
//! dependencies, each monitor's target and thresholds, and simulator timings. A resource or
//! monitor the description does not know is written as a comment, to be completed by hand.

use std::fmt::Write as _;
use std::time::Duration;

use procedure::cluster::{Cluster, ResourceKind};

use super::bundle::Bundle;
use super::seen::Seen;

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", items.into_iter().map(quote).collect::<Vec<_>>().join(", "))
}

fn duration(length: Duration) -> String {
    let ms = length.as_millis();
    if ms.is_multiple_of(1000) { format!("{}s", ms / 1000) } else { format!("{ms}ms") }
}

/// The description, as TOML.
pub(super) fn render(bundle: &Bundle, reference: &Cluster, seen: &Seen) -> String {
    let mut out = String::new();
    let view = seen.nodes.iter().find_map(|node| node.view.as_ref());
    let name = view.map_or(reference.name.as_str(), |view| view.cluster.as_str());
    let _ = writeln!(
        out,
        "# The cluster as `clusterproc survey` saw it. Names, servers, groups, resources, monitors,\n\
         # installed services, the watch and registry data are seen; what no read-only command\n\
         # shows (product, versions, drives, policies, kinds, settings, dependencies, monitor\n\
         # targets, timings) is taken from {}.\n",
        bundle.manifest.cluster_origin
    );
    let _ = writeln!(out, "version = 1\nname = {}\nproduct = {}\n", quote(name), quote(&reference.product));

    let servers: Vec<String> = match view {
        Some(view) => view.servers.iter().map(|server| server.name.clone()).collect(),
        None => bundle.manifest.nodes.iter().map(|node| node.name.clone()).collect(),
    };
    for server in &servers {
        let drives = reference
            .nodes
            .iter()
            .find(|node| node.name.eq_ignore_ascii_case(server))
            .map_or_else(Vec::new, |node| node.drives.clone());
        let _ =
            writeln!(out, "[[node]]\nname = {}\ndrives = {}\n", quote(server), list(drives.iter().map(String::as_str)));
    }
    for component in &reference.components {
        let _ = writeln!(
            out,
            "[[component]]\nname = {}\nversion = {}\n",
            quote(&component.name),
            quote(&component.version)
        );
    }

    let key = |service: &str| bundle.manifest.service_keys.get(service).map_or(service.to_owned(), Clone::clone);
    let installed = |service: &str| {
        let key = key(service);
        seen.nodes.iter().all(|node| {
            node.services.as_ref().is_none_or(|records| records.iter().any(|r| r.name.eq_ignore_ascii_case(&key)))
        })
    };
    let watch = seen.nodes.iter().find_map(|node| node.watch.as_ref());
    let mut services = Vec::new();
    for service in &reference.services {
        if !installed(&service.name) {
            let _ = writeln!(out, "# service {} is not installed on every node: left out\n", quote(&service.name));
            continue;
        }
        services.push(service.name.as_str());
        let watched = match watch {
            Some(list) => list.iter().any(|(name, _)| name.eq_ignore_ascii_case(&key(&service.name))),
            None => service.watched,
        };
        let _ = writeln!(out, "[[service]]\nname = {}", quote(&service.name));
        if let Some(component) = service.component {
            let _ = writeln!(out, "component = {}", quote(&reference.components[component.index()].name));
        }
        if watched {
            out += "watched = true\n";
        }
        out += "\n";
    }

    for value in &reference.registry {
        let found = seen.nodes.iter().find_map(|node| {
            node.registry
                .iter()
                .find(|seen| seen.key.eq_ignore_ascii_case(&value.key) && seen.name.eq_ignore_ascii_case(&value.value))
        });
        match found {
            Some(found) => {
                let _ = writeln!(
                    out,
                    "[[registry]]\nkey = {}\nvalue = {}\ndata = {}\n",
                    quote(&value.key),
                    quote(&value.value),
                    quote(&found.data.text())
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "# registry value {}\\{} was not found on any node: left out\n",
                    value.key, value.value
                );
            }
        }
    }

    let shown_groups: Vec<(String, Option<String>, Vec<String>)> = match view {
        Some(view) => view
            .groups
            .iter()
            .map(|group| {
                (group.name.clone(), group.current.clone(), group.resources.iter().map(|r| r.name.clone()).collect())
            })
            .collect(),
        None => Vec::new(),
    };
    let mut emitted_resources: Vec<String> = Vec::new();
    for (group_name, current, resources) in &shown_groups {
        let known = reference.groups.iter().find(|group| group.name == *group_name);
        let mut policy: Vec<String> = match known {
            Some(group) => group.policy.iter().map(|node| reference.nodes[node.index()].name.clone()).collect(),
            None => current.iter().cloned().collect(),
        };
        policy.retain(|node| servers.iter().any(|server| server.eq_ignore_ascii_case(node)));
        for server in &servers {
            if !policy.iter().any(|node| node.eq_ignore_ascii_case(server)) {
                policy.push(server.clone());
            }
        }
        let _ = writeln!(
            out,
            "[[group]]\nname = {}\nnodes = {}\n",
            quote(group_name),
            list(policy.iter().map(String::as_str))
        );
        // Resources in the description's order (dependencies first), then those it lacks.
        for resource in &reference.resources {
            if !resources.contains(&resource.name) {
                continue;
            }
            emitted_resources.push(resource.name.clone());
            let _ = writeln!(
                out,
                "[[group.resource]]\nname = {}\ntype = {}",
                quote(&resource.name),
                quote(resource.kind.type_name())
            );
            let depends: Vec<&str> = resource
                .depends
                .iter()
                .map(|id| reference.resources[id.index()].name.as_str())
                .filter(|name| resources.iter().any(|shown| shown == name))
                .collect();
            if !depends.is_empty() {
                let _ = writeln!(out, "depends = {}", list(depends));
            }
            match &resource.kind {
                ResourceKind::MirrorDisk { drive } => {
                    let _ = writeln!(out, "drive = {}", quote(drive));
                }
                ResourceKind::FloatingIp { address } => {
                    let _ = writeln!(out, "address = {}", quote(address));
                }
                ResourceKind::RegistrySync { keys } => {
                    let _ = writeln!(out, "keys = {}", list(keys.iter().map(String::as_str)));
                }
                ResourceKind::Service { services: ids } => {
                    let names = ids
                        .iter()
                        .map(|id| reference.services[id.index()].name.as_str())
                        .filter(|name| services.contains(name));
                    let _ = writeln!(out, "services = {}", list(names));
                }
            }
            out += "\n";
        }
        for name in resources.iter().filter(|name| reference.resource_by_name(name).is_none()) {
            let _ = writeln!(
                out,
                "# group resource {} is seen, but its kind and settings are not: add it by hand\n",
                quote(name)
            );
        }
    }

    let monitors: Vec<String> =
        view.map_or_else(Vec::new, |view| view.monitors.iter().map(|m| m.name.clone()).collect());
    for monitor in &reference.monitors {
        if !monitors.contains(&monitor.name) {
            continue;
        }
        let target = &reference.resources[monitor.target.index()];
        if !emitted_resources.contains(&target.name) {
            let _ = writeln!(
                out,
                "# monitor {} watches {}, which is not seen: left out\n",
                quote(&monitor.name),
                quote(&target.name)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "[[monitor]]\nname = {}\ntype = {}\ntarget = {}\nrestart-threshold = {}\nfailover-threshold = {}\nfinal-action = {}\ninterval = {}\n",
            quote(&monitor.name),
            quote(target.kind.type_name()),
            quote(&target.name),
            monitor.restart_threshold,
            monitor.failover_threshold,
            quote(monitor.final_action.keyword()),
            quote(&duration(monitor.interval))
        );
    }
    for name in monitors.iter().filter(|name| reference.monitor_by_name(name).is_none()) {
        let _ =
            writeln!(out, "# monitor {} is seen, but its target and settings are not: add it by hand\n", quote(name));
    }

    let timing = &reference.timing;
    let _ = writeln!(
        out,
        "[timing]\nsuspend = {}\nresume = {}\nresource = {}\nservice = {}\nunzip = {}\nbackup = {}\ninstall = {}\nreboot = {}\nwatch-interval = {}\nconsole = {}",
        quote(&duration(timing.suspend)),
        quote(&duration(timing.resume)),
        quote(&duration(timing.resource)),
        quote(&duration(timing.service)),
        quote(&duration(timing.unzip)),
        quote(&duration(timing.backup)),
        quote(&duration(timing.install)),
        quote(&duration(timing.reboot)),
        quote(&duration(timing.watch_interval)),
        quote(&duration(timing.console)),
    );
    out
}
