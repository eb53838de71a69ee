//! The survey's report, made from a bundle alone (so a replay prints it byte for byte):
//! capabilities, parses, the cluster description against what the nodes show, the
//! inferred behaviours of ARCHITECTURE.md's table as confirmed / contradicted / not seen,
//! registry drift against a procedure, and whether the backend can run here.

use std::fmt::Write as _;

use procedure::cluster::Cluster;
use procedure::setup::Setup;
use real_backend::parse::clpstat::Status;

use super::bundle::Bundle;
use super::seen::Seen;

/// The report and whether something the backend relies on failed.
#[derive(Debug)]
pub(super) struct Report {
    /// The text.
    pub text: String,
    /// Exit 1.
    pub blocked: bool,
}

/// What a behaviour check found.
enum Verdict {
    Confirmed(String),
    Contradicted(String),
    NotSeen(&'static str),
}

/// Renders the report.
pub(super) fn render(bundle: &Bundle, cluster: &Cluster, setup: Option<&Setup>, seen: &Seen) -> Report {
    let manifest = &bundle.manifest;
    let mut out = String::new();
    let mut problems = 0usize;
    let via = if manifest.api == "rest" { "the REST API" } else { "the commands on each node" };
    let _ = writeln!(out, "Survey of {} node(s); the cluster observed through {via}.", manifest.nodes.len());
    for node in &manifest.nodes {
        let _ = writeln!(out, "  {} via {}", node.name, node.via);
    }

    out += "\nCapabilities\n";
    for node in &seen.nodes {
        let clpstat = match node.long {
            Some(true) => "`clpstat --long` accepted",
            Some(false) => "`clpstat --long` refused, plain `clpstat` used",
            None => "clpstat not run (the REST API replaces it)",
        };
        let monitors = match node.monitor_host {
            Some(true) => "`clpmonctrl -h` accepted (`clpmonctrl -v -h` exited 0)",
            Some(false) => "`clpmonctrl -h` refused: the backend will refuse monitor steps",
            None => "`clpmonctrl -h` not probed (the REST API suspends monitors)",
        };
        let _ = writeln!(out, "  {}: {clpstat}; {monitors}", node.name);
    }
    let product = if manifest.api == "rest" && seen.rest.is_some() {
        "EXPRESSCLUSTER X 4.2 or later (its REST API answers; NEC added the API in X 4.2)"
    } else if seen.nodes.iter().any(|node| node.long.is_some() && node.view.is_some()) {
        "EXPRESSCLUSTER (clpstat answers)"
    } else {
        "not found (no clpstat or REST view answered)"
    };
    let _ =
        writeln!(out, "  product: {product}; the exact version is not shown by a read-only command clusterproc knows");
    if manifest.api == "rest" {
        let words: Vec<&str> = seen.rest_words.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  REST status words seen: {}",
            if words.is_empty() { "none".into() } else { words.join(", ") }
        );
    }

    out += "\nParses\n";
    for parse in &seen.parses {
        match &parse.outcome {
            Ok(summary) => {
                let _ = writeln!(out, "  {}: ok ({summary})", parse.what);
            }
            Err(why) => {
                let word = if parse.blocks { "refused" } else { "refused, answered by the fallback" };
                let _ = writeln!(out, "  {}: {word}: {why}", parse.what);
                problems += usize::from(parse.blocks);
            }
        }
    }

    let _ = writeln!(out, "\nThe cluster description ({}) against what the nodes show", manifest.cluster_origin);
    for line in compare(bundle, cluster, seen) {
        if line.starts_with("contradicted") {
            problems += 1;
        }
        let _ = writeln!(out, "  {line}");
    }

    out += "\nBehaviours the backend infers (ARCHITECTURE.md, command behaviours)\n";
    for (behaviour, verdict) in behaviours(seen) {
        let text = match verdict {
            Verdict::Confirmed(how) => format!("confirmed ({how})"),
            Verdict::Contradicted(how) => {
                problems += 1;
                format!("contradicted ({how})")
            }
            Verdict::NotSeen(why) => format!("not seen; {why}"),
        };
        let _ = writeln!(out, "  {behaviour}: {text}");
    }

    if let Some(setup) = setup {
        let _ = writeln!(
            out,
            "\nRegistry drift against the procedure ({})",
            manifest.procedure_origin.as_deref().unwrap_or("")
        );
        out += &drift(setup, seen);
    }

    if problems == 0 {
        out += "\nThe backend can run here: every answer parsed and nothing it relies on is contradicted.\n";
    } else {
        let _ = writeln!(out, "\nThe backend cannot run here: {problems} problem(s) above (refused or contradicted).");
    }
    Report { text: out, blocked: problems > 0 }
}

/// Lines comparing the description with the first view and every node's services.
fn compare(bundle: &Bundle, cluster: &Cluster, seen: &Seen) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(view) = seen.nodes.iter().find_map(|node| node.view.as_ref()) else {
        lines.push("not seen: no node showed the cluster's status".to_owned());
        return lines;
    };
    let mut check = |what: &str, expected: Vec<&str>, shown: Vec<&str>| {
        let missing: Vec<&str> =
            expected.iter().copied().filter(|name| !shown.iter().any(|s| s.eq_ignore_ascii_case(name))).collect();
        let extra: Vec<&str> =
            shown.iter().copied().filter(|name| !expected.iter().any(|e| e.eq_ignore_ascii_case(name))).collect();
        if missing.is_empty() {
            lines.push(format!("ok: {what}: {}", expected.join(", ")));
        } else {
            lines.push(format!(
                "contradicted: {what}: the description names {} that the cluster does not show",
                missing.join(", ")
            ));
        }
        if !extra.is_empty() {
            lines.push(format!("not in the description: {what}: {}", extra.join(", ")));
        }
    };
    check(
        "servers",
        bundle.manifest.nodes.iter().map(|node| node.name.as_str()).collect(),
        view.servers.iter().map(|server| server.name.as_str()).collect(),
    );
    check(
        "groups",
        cluster.groups.iter().map(|group| group.name.as_str()).collect(),
        view.groups.iter().map(|group| group.name.as_str()).collect(),
    );
    check(
        "group resources",
        cluster.resources.iter().map(|resource| resource.name.as_str()).collect(),
        view.groups.iter().flat_map(|group| group.resources.iter().map(|item| item.name.as_str())).collect(),
    );
    check(
        "monitors",
        cluster.monitors.iter().map(|monitor| monitor.name.as_str()).collect(),
        view.monitors.iter().map(|monitor| monitor.name.as_str()).collect(),
    );
    for node in &seen.nodes {
        let Some(services) = &node.services else { continue };
        let missing: Vec<&str> = cluster
            .services
            .iter()
            .map(|service| service.name.as_str())
            .filter(|name| {
                let key = bundle.manifest.service_keys.get(*name).map_or(*name, String::as_str);
                !services.iter().any(|record| record.name.eq_ignore_ascii_case(key))
            })
            .collect();
        if missing.is_empty() {
            lines.push(format!("ok: {}: every service the description names is installed", node.name));
        } else {
            lines.push(format!("contradicted: {}: not installed: {}", node.name, missing.join(", ")));
        }
    }
    lines
}

/// The inferred behaviours of ARCHITECTURE.md's table, each judged on what was seen.
fn behaviours(seen: &Seen) -> Vec<(&'static str, Verdict)> {
    const ACTS: &str = "it shows only when the backend acts; cannot be checked read-only";
    let views: Vec<(&str, &real_backend::parse::clpstat::ClusterStatus)> =
        seen.nodes.iter().filter_map(|node| node.view.as_ref().map(|view| (node.name.as_str(), view))).collect();
    let clpstat_run = seen.nodes.iter().any(|node| node.long.is_some());

    let own_stopped = if !clpstat_run {
        Verdict::NotSeen("clpstat was not run")
    } else {
        let stopped: Vec<_> = views
            .iter()
            .filter(|(name, view)| view.server(name).is_some_and(|server| server.status == Status::Offline))
            .collect();
        match stopped.first() {
            None => Verdict::NotSeen("every node's own cluster service runs"),
            Some((name, view)) => match view.servers.iter().find(|server| server.status != Status::Offline) {
                Some(other) => Verdict::Contradicted(format!(
                    "{name} is stopped and shows {} {}",
                    other.name,
                    other.status.as_str()
                )),
                None => Verdict::Confirmed(format!("{name} is stopped and shows every server Offline")),
            },
        }
    };
    let suspend =
        match views.iter().find(|(_, view)| view.servers.iter().any(|server| server.status == Status::Suspend)) {
            Some((name, _)) => Verdict::Confirmed(format!("{name} shows a server Suspend")),
            None => Verdict::NotSeen("no server shows Suspend; cannot be checked read-only on a running cluster"),
        };
    let rest_layout = match (&seen.rest, seen.parses.iter().any(|p| p.what.starts_with("REST") && p.outcome.is_err())) {
        (Some(_), false) => Verdict::Confirmed("every GET read, every status word known".to_owned()),
        (_, true) => Verdict::Contradicted("a GET or its view was refused, see Parses".to_owned()),
        (None, false) => Verdict::NotSeen("the REST API was not used"),
    };
    let reg_refused = seen.parses.iter().any(|p| p.what.contains("`reg query") && p.outcome.is_err());
    let reg_read = seen.nodes.iter().any(|node| !node.registry.is_empty());
    let reg = match (reg_refused, reg_read) {
        (true, _) => Verdict::Contradicted("a `reg query` answer was refused, see Parses".to_owned()),
        (false, true) => Verdict::Confirmed("every `reg query` answer read, values found".to_owned()),
        (false, false) => Verdict::NotSeen("no registry value was found"),
    };
    let probed: Vec<(&str, bool)> =
        seen.nodes.iter().filter_map(|node| node.monitor_host.map(|ok| (node.name.as_str(), ok))).collect();
    let monitor_host = match probed.iter().find(|(_, ok)| !ok) {
        Some((name, _)) => Verdict::Contradicted(format!("{name} refused `clpmonctrl -v -h`")),
        None if probed.is_empty() => Verdict::NotSeen("not probed (the REST API suspends monitors)"),
        None => Verdict::Confirmed("every node accepted `clpmonctrl -v -h`".to_owned()),
    };
    let watch = match seen.nodes.iter().find(|node| node.watch.is_some()) {
        Some(node) => Verdict::Confirmed(format!("the [watch] list command answered on {}", node.name)),
        None => {
            Verdict::NotSeen("no [watch] list command answered; the backend tracks the watch from its own commands")
        }
    };
    vec![
        ("a node whose own service is stopped shows the others Offline", own_stopped),
        ("servers of a suspended cluster show `Suspend`", suspend),
        (
            "a REST suspend is confirmed when the cluster word and the node views agree (servers may stay Online)",
            Verdict::NotSeen(ACTS),
        ),
        (
            "a node's own clpstat monitor line is that monitor's state there",
            Verdict::NotSeen("no command shows it otherwise"),
        ),
        ("`clpcl --suspend`/`--resume` return once the cluster got there", Verdict::NotSeen(ACTS)),
        (
            "a refused move (clpgrp's non-zero exit, the API's error code) while the cluster is seen suspended",
            Verdict::NotSeen(ACTS),
        ),
        ("`clprsc -t RSC -f -h S` stops the resource and its dependents", Verdict::NotSeen(ACTS)),
        ("`clpmonctrl -s|-r -h S -m M` on this version", monitor_host),
        ("REST JSON layouts beyond the fields NEC's clients read", rest_layout),
        ("`reg query` layout, `(Default)`, the not-found message", reg),
        ("the Task Manager watch", watch),
        ("installer exit codes 0 and 3010", Verdict::NotSeen(ACTS)),
        (
            "`certutil -hashfile` and `fsutil volume diskfree` layouts",
            Verdict::NotSeen("preflight runs them, not the observation"),
        ),
        ("registry data compare as text", Verdict::NotSeen("shows only when an installer writes a value")),
        ("`reg import`'s success message on standard error", Verdict::NotSeen(ACTS)),
        ("Windows OpenSSH's SFTP takes `C:/Temp/x` for `C:\\Temp\\x`", Verdict::NotSeen(ACTS)),
        (
            "when monitors' reactivation and failover counts reset",
            Verdict::NotSeen("no read-only command shows the counts"),
        ),
    ]
}

/// Each registry value the procedure knows, on each node, against the value it expects
/// before the update.
fn drift(setup: &Setup, seen: &Seen) -> String {
    let mut out = String::new();
    for node in &seen.nodes {
        for slot in &setup.registry {
            let expected = slot.baseline.map(|data| setup.data[usize::from(data.0)].to_string());
            let found = node
                .registry
                .iter()
                .find(|value| value.key.eq_ignore_ascii_case(&slot.key) && value.name.eq_ignore_ascii_case(&slot.value))
                .map(|value| value.data.text());
            let line = match (&expected, &found) {
                (Some(expected), Some(found)) if expected == found => format!("as expected ({found:?})"),
                (None, None) => "absent, as expected".to_owned(),
                (Some(expected), Some(found)) => format!("drift: reads {found:?}, the procedure expects {expected:?}"),
                (Some(expected), None) => format!("drift: absent, the procedure expects {expected:?}"),
                (None, Some(found)) => format!("drift: reads {found:?}, the procedure expects it absent"),
            };
            let _ = writeln!(out, "  {}: {}\\{}: {line}", node.name, slot.key, slot.value);
        }
    }
    out
}
