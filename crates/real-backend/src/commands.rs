//! Builders of every command the backend runs on a node, one function per command line.
//!
//! They are pure: names in, [`Argv`] out. Which option means what comes from NEC's own
//! scripts and documents (research/domain.md §1, §7); where no source shows an option, the
//! builder says `Inferred:`.

use remote::argv::{Argv, NameError};

/// `clpcl --suspend`: suspend the whole cluster (issued once, on one node).
pub fn suspend_cluster() -> Argv {
    Argv::new("clpcl").arg("--suspend")
}

/// `clpcl --resume`: resume the whole cluster.
pub fn resume_cluster() -> Argv {
    Argv::new("clpcl").arg("--resume")
}

/// `clpcl -s -h NODE`: start the cluster service on a node.
pub fn start_cluster_service(node: &str) -> Result<Argv, NameError> {
    Argv::new("clpcl").arg("-s").arg("-h").name("node", node)
}

/// `clpcl -t -h NODE`: stop the cluster service on a node.
pub fn stop_cluster_service(node: &str) -> Result<Argv, NameError> {
    Argv::new("clpcl").arg("-t").arg("-h").name("node", node)
}

/// `clpgrp -m GROUP [-a NODE]`: move a group to a node, or by its failover policy.
pub fn move_group(group: &str, to: Option<&str>) -> Result<Argv, NameError> {
    let argv = Argv::new("clpgrp").arg("-m").name("group", group)?;
    match to {
        Some(node) => argv.arg("-a").name("node", node),
        None => Ok(argv),
    }
}

/// `clpgrp -n GROUP`: prints the server the group is active on (NEC's X 3.3 scripts).
pub fn group_owner(group: &str) -> Result<Argv, NameError> {
    Argv::new("clpgrp").arg("-n").name("group", group)
}

/// `clpmonctrl -s -h NODE -m MONITOR`: suspend a monitor resource on one node.
pub fn suspend_monitor(node: &str, monitor: &str) -> Result<Argv, NameError> {
    Argv::new("clpmonctrl").arg("-s").arg("-h").name("node", node)?.arg("-m").name("monitor", monitor)
}

/// `clpmonctrl -r -h NODE -m MONITOR`: resume a monitor resource on one node.
pub fn resume_monitor(node: &str, monitor: &str) -> Result<Argv, NameError> {
    Argv::new("clpmonctrl").arg("-r").arg("-h").name("node", node)?.arg("-m").name("monitor", monitor)
}

/// `clprsc -t RESOURCE -f -h NODE`: stop one group resource and the resources that depend
/// on it.
///
/// NEC code: the X 3.3 script (EXPRESSCLUSTER/ScheduleMirroring,
/// `scheduleMirror_2nodeWin_X33.ps1`) stops the mirror disk, which other resources depend
/// on, with exactly `clprsc -t md -f -h SERVER`; it is the only stop of a resource in NEC's
/// code, and the procedure's `stop-resource` means the same (the resource and its
/// dependents), as the REST API's resource stop does. Inferred: what the command does
/// without `-f` when a dependent is online (the simulated nodes refuse it), so the backend
/// never sends that form.
pub fn stop_resource(resource: &str, node: &str) -> Result<Argv, NameError> {
    Argv::new("clprsc").arg("-t").name("resource", resource)?.arg("-f").arg("-h").name("node", node)
}

/// `clprsc -s RESOURCE -h NODE`: start one group resource on a node.
pub fn start_resource(resource: &str, node: &str) -> Result<Argv, NameError> {
    Argv::new("clprsc").arg("-s").name("resource", resource)?.arg("-h").name("node", node)
}

/// `clpmonctrl -v -h NODE`: list the monitors, asked of a named server; read-only. Whether
/// a node takes it tells whether its clpmonctrl has the `-h` option the backend's monitor
/// commands need.
///
/// Inferred: `clpmonctrl -v` lists monitors (NEC's Prometheus exporter,
/// EXPRESSCLUSTER/Prometheus `clpexporter/collector/monitor.go`, runs it on Linux); its
/// `-h` is evidenced only for X 5.x (`clpmonctrl -s|-r -h S -m M`, ScheduleMirroring's
/// README). Only the exit code is read.
pub fn list_monitors(node: &str) -> Result<Argv, NameError> {
    Argv::new("clpmonctrl").arg("-v").arg("-h").name("node", node)
}

/// `clpstat`, or `clpstat --long` for names longer than the short layout's column.
pub fn cluster_status(long: bool) -> Argv {
    let argv = Argv::new("clpstat");
    if long { argv.arg("--long") } else { argv }
}

/// `clpstdn -r`: stop the cluster service everywhere and reboot every node (the safe way).
pub fn reboot_cluster() -> Argv {
    Argv::new("clpstdn").arg("-r")
}

/// `shutdown /r /t 0`: the plain OS restart of one node, as at an installer's prompt.
pub fn reboot_node() -> Argv {
    Argv::new("shutdown").arg("/r").arg("/t").arg("0")
}

/// `sc.exe query type= service state= all`: every service with its state, in one command.
pub fn list_services() -> Argv {
    Argv::new("sc.exe").arg("query").arg("type=").arg("service").arg("state=").arg("all")
}

/// `sc.exe query NAME`: a service's state. `NAME` is the service's key name.
pub fn query_service(service: &str) -> Result<Argv, NameError> {
    Argv::new("sc.exe").arg("query").name("service", service)
}

/// `sc.exe stop NAME`.
pub fn stop_service(service: &str) -> Result<Argv, NameError> {
    Argv::new("sc.exe").arg("stop").name("service", service)
}

/// `sc.exe start NAME`.
pub fn start_service(service: &str) -> Result<Argv, NameError> {
    Argv::new("sc.exe").arg("start").name("service", service)
}

/// `reg query KEY /s`: every value under a key and its subkeys.
pub fn query_registry(key: &str) -> Result<Argv, NameError> {
    Argv::new("reg").arg("query").name("registry key", key).map(|argv| argv.arg("/s"))
}

/// `reg export KEY FILE /y`: a `.reg` file of a key, overwriting an older one.
pub fn export_registry(key: &str, file: &str) -> Result<Argv, NameError> {
    Argv::new("reg").arg("export").name("registry key", key)?.name("file", file).map(|argv| argv.arg("/y"))
}

/// `reg import FILE`: the values of a `.reg` file written into the registry.
pub fn import_registry(file: &str) -> Result<Argv, NameError> {
    Argv::new("reg").arg("import").name("file", file)
}

/// `certutil -hashfile FILE SHA256`: the SHA-256 of a file on the node.
pub fn hash_file(file: &str) -> Result<Argv, NameError> {
    Argv::new("certutil").arg("-hashfile").name("file", file).map(|argv| argv.arg("SHA256"))
}

/// `fsutil volume diskfree DRIVE`: the free bytes of a drive.
pub fn disk_free(drive: &str) -> Result<Argv, NameError> {
    Argv::new("fsutil").arg("volume").arg("diskfree").name("drive", drive)
}

/// The installer's silent command as the connection file declares it: `program` relative
/// to the folder the module was extracted into, then its arguments verbatim.
pub fn install_module(folder: &str, program: &str, args: &[String]) -> Result<Argv, NameError> {
    remote::argv::check_name("folder", folder)?;
    remote::argv::check_name("installer", program)?;
    let mut argv = Argv::new(&windows_join(folder, program));
    argv.args.extend(args.iter().cloned());
    Ok(argv)
}

/// `FOLDER\NAME` with exactly one backslash between them.
pub fn windows_join(folder: &str, name: &str) -> String {
    format!("{}\\{}", folder.trim_end_matches(['\\', '/']), name.trim_start_matches(['\\', '/']))
}

#[cfg(test)]
mod tests;
