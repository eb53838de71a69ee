//! The journal's records: one JSON object a line, each kind with its fields, and how a
//! journal's text is read back into them, every number range-checked.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cluster::{GroupId, MonitorId, ResourceId, ServiceId};
use crate::module::ModuleId;
use crate::operation::{Operation, RestartAnswer};
use crate::setup::Setup;

use crate::journal::error::{JournalError, VERSION};

/// The journal file's name inside its run directory.
pub const FILE_NAME: &str = "journal.jsonl";

/// An operation as the journal writes it: names, not ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationRecord {
    /// `install-module`, `move-group`, ...
    pub verb: String,
    /// The node it was issued on.
    pub node: String,
    /// Destination node of a move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// The folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// The file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The answer to the installer's restart prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_answer: Option<String>,
    /// The module an unzip or install is of; written only where the procedure applies
    /// several (absent, the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// How the journal names `module`: not at all in a procedure of one module, whose
/// journals read as they did before procedures could apply several.
fn module_name(setup: &Setup, module: ModuleId) -> Option<String> {
    (setup.procedure.modules.len() > 1).then(|| setup.procedure.module(module).id.clone())
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Record {
    /// The first line: what is run, where.
    RunStarted {
        /// Journal format version.
        version: u32,
        /// Procedure file, as named on the command line.
        procedure: String,
        /// Hash of the procedure file's text.
        procedure_hash: String,
        /// The module.
        module: String,
        /// The cluster's name.
        cluster: String,
        /// The cluster's identity: name, nodes, and a hash of its description.
        cluster_identity: String,
        /// `sim` or `expresscluster`.
        backend: String,
        /// The simulator's seed, on the simulator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
        /// The scenario, if one was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scenario: Option<String>,
    },
    /// A later run took over the journal.
    Resumed {
        /// Time, ms since the start of the (first) run.
        at_ms: u64,
    },
    /// A step began, with the engine's state at that moment.
    StepStarted {
        /// Step index.
        step: usize,
        /// Step id.
        id: String,
        /// Time, ms.
        at_ms: u64,
        /// The active node.
        active: String,
        /// The standby nodes.
        standbys: Vec<String>,
        /// An install had been issued.
        apply_started: bool,
        /// The cluster had been resumed after it.
        resumed: bool,
        /// An installer asked for a restart not yet done.
        restart_pending: bool,
    },
    /// About to run an operation.
    Intent {
        /// Operation number in the journal.
        op: u64,
        /// Step index.
        step: usize,
        /// Task index within the step.
        task: usize,
        /// The operation.
        operation: OperationRecord,
        /// Boot count of each node at this moment, to tell later whether a reboot happened.
        boots: Vec<u32>,
        /// Time, ms.
        at_ms: u64,
    },
    /// What an operation returned.
    Outcome {
        /// Operation number.
        op: u64,
        /// `ok`, or the error.
        result: String,
        /// Time, ms.
        at_ms: u64,
    },
    /// The operator's answer to a manual step.
    Confirmation {
        /// Step index.
        step: usize,
        /// The answer.
        confirmed: bool,
        /// Time, ms.
        at_ms: u64,
    },
    /// The run ended.
    Finished {
        /// `completed`, `refused: ...` or `stopped: ...`.
        ending: String,
        /// Time, ms.
        at_ms: u64,
    },
    /// On real nodes: what the capability probe before the run found, one finding a record
    /// (`ssc-node1: \`clpstat --long\` accepted; \`clpmonctrl -h\` accepted`).
    Probed {
        /// The finding, as the run printed it.
        found: String,
        /// Time, ms.
        at_ms: u64,
    },
    /// On real nodes: a registry value an installer wrote reads differently later (the
    /// real-world witness of `registry-rolled-back`).
    RegistryDrift {
        /// The node.
        node: String,
        /// `KEY\value`.
        value: String,
        /// What the installer wrote.
        wrote: String,
        /// What the node showed; `None` when the value was gone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        now: Option<String>,
        /// When it was seen: `after resume-cluster`, `after move-group`.
        moment: String,
        /// Time, ms.
        at_ms: u64,
    },
}

pub(crate) fn ms(at: Duration) -> u64 {
    at.as_millis() as u64
}

pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.display().to_string(), source }
}

/// The version of a journal's first line, whatever else it holds.
#[derive(Deserialize)]
struct Head {
    version: Option<u32>,
}

/// The records of a journal's text, one per line, each checked for its version, its fields
/// and the range of its numbers.
pub(crate) fn records(path: &Path, text: &str, steps: usize, nodes: usize) -> Result<Vec<Record>, JournalError> {
    let mut records = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let complete = line.ends_with('\n');
        // A later format may add fields: its version is what to report, not the fields.
        if number == 1
            && let Ok(Head { version: Some(version) }) = serde_json::from_str::<Head>(line.trim_end())
            && version != VERSION
        {
            return Err(JournalError::UnsupportedVersion { path: path.display().to_string(), line: number, version });
        }
        match serde_json::from_str::<Record>(line.trim_end()) {
            Ok(record) if complete => {
                check_ranges(path, number, &record, steps, nodes)?;
                records.push(record);
            }
            Ok(_) | Err(_) if !complete => {
                return Err(JournalError::Truncated { path: path.display().to_string(), line: number });
            }
            Ok(_) => unreachable!("complete lines are handled above"),
            Err(error) => {
                return Err(JournalError::Corrupt {
                    path: path.display().to_string(),
                    line: number,
                    message: without_position(&error),
                });
            }
        }
    }
    Ok(records)
}

/// A JSON error's message with its column when it has one, without serde_json's "at line
/// 1" (a journal line is one JSON document: the journal's own line number is what helps).
fn without_position(error: &serde_json::Error) -> String {
    let head = crate::diagnostic::json_message(error);
    // Errors found after the record was read whole (a tagged record) have no column.
    match error.column() {
        0 => head,
        column => format!("{head} (column {column})"),
    }
}

/// Times a journal can hold: ten years of a run, in ms. Far more than any procedure takes,
/// and far enough from `u64::MAX` that time arithmetic on them cannot overflow.
pub const MAX_AT_MS: u64 = 10 * 366 * 24 * 3_600_000;

/// Operation numbers, and task indexes within a step, a journal can hold.
pub const MAX_OPERATIONS: u64 = 1 << 40;

/// Boot counts a journal can hold.
pub const MAX_BOOTS: u64 = 1 << 24;

fn check_ranges(path: &Path, line: usize, record: &Record, steps: usize, nodes: usize) -> Result<(), JournalError> {
    let bound = |field: &'static str, value: u64, limit: u64| {
        if value <= limit {
            Ok(())
        } else {
            Err(JournalError::OutOfRange { path: path.display().to_string(), line, field, value, limit })
        }
    };
    let step_bound = |value: usize| bound("step", value as u64, steps.saturating_sub(1) as u64);
    match record {
        Record::RunStarted { version, .. } => {
            if *version != VERSION {
                return Err(JournalError::UnsupportedVersion {
                    path: path.display().to_string(),
                    line,
                    version: *version,
                });
            }
        }
        Record::Resumed { at_ms } => bound("at_ms", *at_ms, MAX_AT_MS)?,
        Record::StepStarted { step, at_ms, .. } => {
            step_bound(*step)?;
            bound("at_ms", *at_ms, MAX_AT_MS)?;
        }
        Record::Intent { op, step, task, boots, at_ms, .. } => {
            bound("op", *op, MAX_OPERATIONS)?;
            step_bound(*step)?;
            bound("task", *task as u64, MAX_OPERATIONS)?;
            bound("boots (the number of nodes)", boots.len() as u64, nodes as u64)?;
            for boot in boots {
                bound("boots", u64::from(*boot), MAX_BOOTS)?;
            }
            bound("at_ms", *at_ms, MAX_AT_MS)?;
        }
        Record::Outcome { op, at_ms, .. } => {
            bound("op", *op, MAX_OPERATIONS)?;
            bound("at_ms", *at_ms, MAX_AT_MS)?;
        }
        Record::Confirmation { step, at_ms, .. } => {
            step_bound(*step)?;
            bound("at_ms", *at_ms, MAX_AT_MS)?;
        }
        Record::Finished { at_ms, .. } | Record::RegistryDrift { at_ms, .. } | Record::Probed { at_ms, .. } => {
            bound("at_ms", *at_ms, MAX_AT_MS)?
        }
    }
    Ok(())
}

impl OperationRecord {
    /// Names an operation.
    pub fn from_operation(setup: &Setup, operation: &Operation) -> OperationRecord {
        let cluster = &setup.cluster;
        let mut record = OperationRecord {
            verb: operation.verb().to_owned(),
            node: setup.node_name(operation.node()).to_owned(),
            to: None,
            service: None,
            group: None,
            resource: None,
            monitor: None,
            folder: None,
            file: None,
            restart_answer: None,
            module: None,
        };
        match operation {
            Operation::SuspendMonitor { monitor, .. } | Operation::ResumeMonitor { monitor, .. } => {
                record.monitor = Some(cluster.monitors[monitor.index()].name.clone());
            }
            Operation::StopWatch { service, .. }
            | Operation::StartWatch { service, .. }
            | Operation::StopService { service, .. }
            | Operation::StartService { service, .. } => {
                record.service = Some(cluster.services[service.index()].name.clone());
            }
            Operation::StopResource { resource, .. } | Operation::StartResource { resource, .. } => {
                record.resource = Some(cluster.resources[resource.index()].name.clone());
            }
            Operation::MoveGroup { group, to, .. } => {
                record.group = Some(cluster.groups[group.index()].name.clone());
                record.to = to.map(|n| setup.node_name(n).to_owned());
            }
            Operation::UnzipModule { folder, module, .. } => {
                record.folder = Some(folder.to_string());
                record.module = module_name(setup, *module);
            }
            Operation::BackupRegistry { file, .. } | Operation::ImportRegistry { file, .. } => {
                record.file = Some(file.to_string());
            }
            Operation::InstallModule { folder, restart_answer, module, .. } => {
                record.folder = Some(folder.to_string());
                record.module = module_name(setup, *module);
                record.restart_answer = Some(
                    match restart_answer {
                        RestartAnswer::Decline => "decline",
                        RestartAnswer::Restart => "restart",
                    }
                    .to_owned(),
                );
            }
            Operation::SuspendCluster { .. }
            | Operation::ResumeCluster { .. }
            | Operation::StartClusterService { .. }
            | Operation::StopClusterService { .. }
            | Operation::RebootNode { .. }
            | Operation::RebootCluster { .. } => {}
        }
        record
    }

    /// Resolves the names against `setup`.
    pub fn to_operation(&self, setup: &Setup) -> Result<Operation, String> {
        let cluster = &setup.cluster;
        let node = |name: &str| cluster.node_by_name(name).ok_or_else(|| format!("unknown node {name:?}"));
        let field =
            |value: &Option<String>, what: &str| value.clone().ok_or_else(|| format!("{} lacks {what}", self.verb));
        let service = || -> Result<ServiceId, String> {
            let name = field(&self.service, "a service")?;
            cluster.service_by_name(&name).ok_or_else(|| format!("unknown service {name:?}"))
        };
        let resource = || -> Result<ResourceId, String> {
            let name = field(&self.resource, "a resource")?;
            cluster.resource_by_name(&name).ok_or_else(|| format!("unknown resource {name:?}"))
        };
        let monitor = || -> Result<MonitorId, String> {
            let name = field(&self.monitor, "a monitor")?;
            cluster.monitor_by_name(&name).ok_or_else(|| format!("unknown monitor {name:?}"))
        };
        let group = || -> Result<GroupId, String> {
            let name = field(&self.group, "a group")?;
            cluster.group_by_name(&name).ok_or_else(|| format!("unknown group {name:?}"))
        };
        let folder = || -> Result<Arc<str>, String> { Ok(Arc::from(field(&self.folder, "a folder")?.as_str())) };
        let module = || -> Result<ModuleId, String> {
            match &self.module {
                None => Ok(ModuleId(0)),
                Some(id) => setup
                    .procedure
                    .module_ids()
                    .find(|(_, module)| module.id == *id)
                    .map(|(found, _)| found)
                    .ok_or_else(|| format!("the procedure applies no module {id:?}")),
            }
        };
        let at = node(&self.node)?;
        Ok(match self.verb.as_str() {
            "suspend-cluster" => Operation::SuspendCluster { via: at },
            "resume-cluster" => Operation::ResumeCluster { via: at },
            "start-cluster-service" => Operation::StartClusterService { node: at },
            "stop-cluster-service" => Operation::StopClusterService { node: at },
            "suspend-monitor" => Operation::SuspendMonitor { node: at, monitor: monitor()? },
            "resume-monitor" => Operation::ResumeMonitor { node: at, monitor: monitor()? },
            "stop-watch" => Operation::StopWatch { node: at, service: service()? },
            "start-watch" => Operation::StartWatch { node: at, service: service()? },
            "stop-service" => Operation::StopService { node: at, service: service()? },
            "start-service" => Operation::StartService { node: at, service: service()? },
            "stop-resource" => Operation::StopResource { via: at, resource: resource()? },
            "start-resource" => Operation::StartResource { node: at, resource: resource()? },
            "move-group" => Operation::MoveGroup {
                via: at,
                group: group()?,
                to: match &self.to {
                    Some(name) => Some(node(name)?),
                    None => None,
                },
            },
            "unzip-module" => Operation::UnzipModule { node: at, folder: folder()?, module: module()? },
            "backup-registry" => {
                Operation::BackupRegistry { node: at, file: Arc::from(field(&self.file, "a file")?.as_str()) }
            }
            "import-registry" => {
                Operation::ImportRegistry { node: at, file: Arc::from(field(&self.file, "a file")?.as_str()) }
            }
            "install-module" => Operation::InstallModule {
                node: at,
                folder: folder()?,
                module: module()?,
                restart_answer: match self.restart_answer.as_deref() {
                    Some("restart") => RestartAnswer::Restart,
                    _ => RestartAnswer::Decline,
                },
            },
            "reboot-node" => Operation::RebootNode { node: at },
            "reboot-cluster" => Operation::RebootCluster { via: at },
            other => return Err(format!("unknown operation {other:?}")),
        })
    }
}
