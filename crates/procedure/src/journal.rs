//! The run journal: append-only JSON lines in a run directory, one record per line, each
//! written and fsync'd before the run goes on — the intent before an operation, the outcome
//! after. `--resume` reads it back into a [`Resumption`] after checking that the procedure
//! and the cluster are the ones it was written for.
//!
//! One run per journal at a time: the journal file is locked while a run holds it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::action::kind::Milestone;
use crate::backend::RestartAnswer;
use crate::backend::{BackendError, Observation, Operation};
use crate::cluster::{GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use crate::engine::{Ending, Engine, Roles};
use crate::setup::Setup;

/// The journal file's name inside its run directory.
pub const FILE_NAME: &str = "journal.jsonl";

/// The journal format version this build writes and reads.
pub const VERSION: u32 = 1;

/// What can go wrong with a journal. Each refuses to go on rather than guess.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A journal is there already and this is not a resume.
    #[error("{path} already holds a journal; continue that run with --resume, or choose another --journal directory")]
    Exists {
        /// The journal file.
        path: String,
    },
    /// No journal to resume.
    #[error("there is no journal at {path} to resume")]
    Missing {
        /// The journal file.
        path: String,
    },
    /// Another run holds the lock.
    #[error("another clusterproc run is using {path}")]
    Locked {
        /// The journal file.
        path: String,
    },
    /// The last line was cut off while it was being written.
    #[error(
        "{path}:{line}: the last journal line is incomplete (the run was cut off while writing it); \
         nothing was redone — check the cluster, then remove that line to resume"
    )]
    Truncated {
        /// The journal file.
        path: String,
        /// Its line number.
        line: usize,
    },
    /// A line is not a journal record.
    #[error("{path}:{line}: not a journal record: {message}")]
    Corrupt {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A number in a record is out of the range a run can produce.
    #[error("{path}:{line}: `{field}` is {value}, out of range (at most {limit}); the journal was damaged or edited")]
    OutOfRange {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// The largest value allowed there.
        limit: u64,
    },
    /// The journal's format version is not one this build reads.
    #[error("{path}:{line}: unsupported journal version {version}; this build reads version {VERSION}")]
    UnsupportedVersion {
        /// The journal file.
        path: String,
        /// Line number.
        line: usize,
        /// The version found.
        version: u32,
    },
    /// The journal was written for another procedure, cluster, or state.
    #[error("{path}: refusing to resume: {reason}")]
    Mismatch {
        /// The journal file.
        path: String,
        /// Why.
        reason: String,
    },
}

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

/// What a resumed engine needs to know from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumption {
    /// Roles as bound by the first run, if it got as far as a step.
    pub roles: Option<Roles>,
    /// The step to continue with: the last one that began.
    pub next_step: usize,
    /// Engine state when that step began.
    pub apply_started: bool,
    /// See above.
    pub resumed: bool,
    /// See above.
    pub restart_pending: bool,
    /// Operations of that step that completed (`step`, `task`, operation).
    pub completed_operations: Vec<(usize, usize, Operation)>,
    /// An operation whose intent was written but not its outcome, with the boot counts then.
    pub unfinished: Option<(usize, usize, Operation, Vec<u32>)>,
    /// The run already finished, with this ending.
    pub finished: Option<String>,
    /// Time of the last record, ms.
    pub last_at: Duration,
    /// The seed of the first run, on the simulator.
    pub seed: Option<u64>,
    /// The scenario of the first run.
    pub scenario: Option<String>,
    /// Every record, in order.
    pub records: Vec<Record>,
}

/// An open journal, locked for this run.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    next_op: u64,
    boots: Arc<[u32]>,
}

fn ms(at: Duration) -> u64 {
    at.as_millis() as u64
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.display().to_string(), source }
}

/// The identity of a cluster description: its name, its nodes, and a hash of its text.
pub fn cluster_identity(setup: &Setup, cluster_text_hash: &str) -> String {
    let nodes: Vec<&str> = setup.cluster.nodes.iter().map(|n| n.name.as_str()).collect();
    format!("{} [{}] {cluster_text_hash}", setup.cluster.name, nodes.join(","))
}

impl Journal {
    /// Creates the journal in `dir` (made if needed) and writes its first record.
    pub fn create(dir: &Path, first: &Record) -> Result<Journal, JournalError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(FILE_NAME);
        let file = match OpenOptions::new().append(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(JournalError::Exists { path: path.display().to_string() });
            }
            Err(error) => return Err(io(&path)(error)),
        };
        lock(&file, &path)?;
        let mut journal = Journal { file, path, next_op: 0, boots: Arc::from(Vec::new()) };
        journal.append(first)?;
        Ok(journal)
    }

    /// Opens an existing journal to resume it: locks it, reads it, and checks it against the
    /// procedure and cluster of this run. Nothing is written until [`Journal::resumed`].
    pub fn resume(dir: &Path, setup: &Setup, cluster_identity: &str) -> Result<(Journal, Resumption), JournalError> {
        let path = dir.join(FILE_NAME);
        let file = match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(JournalError::Missing { path: path.display().to_string() });
            }
            Err(error) => return Err(io(&path)(error)),
        };
        lock(&file, &path)?;
        let text = read(&file, &path)?;
        let resumption = Resumption::parse(&path, &text, setup, cluster_identity)?;
        // Operation numbers are bounded when read (see `check_ranges`): this cannot overflow.
        let next_op = resumption
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Intent { op, .. } => Some(op + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        Ok((Journal { file, path, next_op, boots: Arc::from(Vec::new()) }, resumption))
    }

    /// Records that a later run took the journal over, once it has checked the cluster
    /// against it: a refused resume leaves the journal as it was.
    pub fn resumed(&mut self, resumption: &Resumption) -> Result<(), JournalError> {
        self.append(&Record::Resumed { at_ms: ms(resumption.last_at) })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_string(record).expect("a journal record serializes");
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(io(&self.path))?;
        self.file.sync_data().map_err(io(&self.path))?;
        Ok(())
    }

    /// Notes the boot counts seen last, written with each intent.
    pub fn observe_boots(&mut self, observation: &Observation) {
        self.boots = observation.nodes.iter().map(|n| n.boots).collect();
    }

    /// A step began.
    pub fn step_started(&mut self, engine: &Engine, step: usize, at: Duration) -> Result<(), JournalError> {
        let setup = engine.setup();
        let roles = engine.roles().expect("roles are bound before the first step");
        let (apply_started, resumed, restart_pending) = engine.window();
        self.append(&Record::StepStarted {
            step,
            id: setup.procedure.steps[step].id.clone(),
            at_ms: ms(at),
            active: setup.node_name(roles.active).to_owned(),
            standbys: roles.standbys.iter().map(|&n| setup.node_name(n).to_owned()).collect(),
            apply_started,
            resumed,
            restart_pending,
        })
    }

    /// About to run `operation`.
    pub fn intent(&mut self, engine: &Engine, operation: &Operation, at: Duration) -> Result<(), JournalError> {
        let (step, task, _, _) = engine.position();
        let op = self.next_op;
        let boots = self.boots.to_vec();
        self.append(&Record::Intent {
            op,
            step,
            task,
            operation: OperationRecord::from_operation(engine.setup(), operation),
            boots,
            at_ms: ms(at),
        })
    }

    /// What `operation` returned.
    pub fn outcome(&mut self, result: &Result<(), BackendError>, at: Duration) -> Result<(), JournalError> {
        let op = self.next_op;
        self.next_op += 1;
        let result = match result {
            Ok(()) => "ok".to_owned(),
            Err(error) => error.to_string(),
        };
        self.append(&Record::Outcome { op, result, at_ms: ms(at) })
    }

    /// The operator answered a manual step.
    pub fn confirmation(&mut self, engine: &Engine, confirmed: bool, at: Duration) -> Result<(), JournalError> {
        let (step, ..) = engine.position();
        self.append(&Record::Confirmation { step, confirmed, at_ms: ms(at) })
    }

    /// The run ended.
    pub fn finished(&mut self, engine: &Engine, at: Duration) -> Result<(), JournalError> {
        let ending = match engine.ending() {
            Some(Ending::Completed) | None => "completed".to_owned(),
            Some(Ending::Refused(refusal)) => format!("refused: {}", refusal.invariant.id()),
            Some(Ending::Stopped { reason, .. }) => format!("stopped: {reason}"),
        };
        self.append(&Record::Finished { ending, at_ms: ms(at) })
    }

    /// Records a registry value that changed back after an installer wrote it.
    pub fn registry_drift(&mut self, record: Record) -> Result<(), JournalError> {
        debug_assert!(matches!(record, Record::RegistryDrift { .. }));
        self.append(&record)
    }
}

fn lock(file: &File, path: &Path) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Locked { path: path.display().to_string() }),
        Err(std::fs::TryLockError::Error(error)) => Err(io(path)(error)),
    }
}

/// The journal's text, read up to the input size limit.
fn read(file: &File, path: &Path) -> Result<String, JournalError> {
    let bytes = crate::bounded::read_bytes(file, crate::bounded::MAX_FILE_BYTES).map_err(|error| {
        let source = match error {
            crate::bounded::ReadError::Io(source) => source,
            other => std::io::Error::other(other.to_string()),
        };
        JournalError::Io { path: path.display().to_string(), source }
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let line = error.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(JournalError::Corrupt { path: path.display().to_string(), line, message: "not UTF-8 text".to_owned() })
        }
    }
}

/// The version of a journal's first line, whatever else it holds.
#[derive(Deserialize)]
struct Head {
    version: Option<u32>,
}

/// The records of a journal's text, one per line, each checked for its version, its fields
/// and the range of its numbers.
fn records(path: &Path, text: &str, steps: usize, nodes: usize) -> Result<Vec<Record>, JournalError> {
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
        Record::Finished { at_ms, .. } | Record::RegistryDrift { at_ms, .. } => bound("at_ms", *at_ms, MAX_AT_MS)?,
    }
    Ok(())
}

impl Resumption {
    /// Reads a journal's text (`path` names it in errors) and checks it against the
    /// procedure and cluster of this run. Pure: [`Journal::resume`] reads and locks the file.
    pub fn parse(path: &Path, text: &str, setup: &Setup, cluster_identity: &str) -> Result<Resumption, JournalError> {
        let records = records(path, text, setup.procedure.steps.len(), setup.cluster.nodes.len())?;
        Resumption::from_records(path, setup, cluster_identity, records)
    }

    fn from_records(
        path: &Path,
        setup: &Setup,
        cluster_identity: &str,
        records: Vec<Record>,
    ) -> Result<Resumption, JournalError> {
        let mismatch = |reason: String| JournalError::Mismatch { path: path.display().to_string(), reason };
        let Some(Record::RunStarted { procedure_hash, cluster_identity: journal_cluster, seed, scenario, .. }) =
            records.first()
        else {
            return Err(mismatch("it does not begin with a run-started record".to_owned()));
        };
        if procedure_hash != &setup.procedure.content_hash {
            return Err(mismatch(format!(
                "the procedure file changed since the run began (journal {procedure_hash}, now {})",
                setup.procedure.content_hash
            )));
        }
        if journal_cluster != cluster_identity {
            // A scenario names its cluster: a resume without it resolves another one.
            let hint = match scenario {
                Some(scenario) => format!("; the run used --scenario {scenario}: add --scenario FILE to resume it"),
                None => String::new(),
            };
            return Err(mismatch(format!(
                "it was written for cluster {journal_cluster:?}, and this is {cluster_identity:?}{hint}"
            )));
        }
        let node = |name: &str| -> Result<NodeId, JournalError> {
            setup
                .cluster
                .node_by_name(name)
                .ok_or_else(|| mismatch(format!("it names node {name:?}, which the cluster lacks")))
        };
        let mut resumption = Resumption {
            roles: None,
            next_step: 0,
            apply_started: false,
            resumed: false,
            restart_pending: false,
            completed_operations: Vec::new(),
            unfinished: None,
            finished: None,
            last_at: Duration::ZERO,
            seed: *seed,
            scenario: scenario.clone(),
            records: Vec::new(),
        };
        let mut intents: Vec<(u64, usize, usize, Operation, Vec<u32>)> = Vec::new();
        for record in &records {
            match record {
                Record::RunStarted { .. } | Record::Confirmation { .. } | Record::RegistryDrift { .. } => {}
                Record::Resumed { at_ms } => resumption.last_at = Duration::from_millis(*at_ms),
                Record::StepStarted { step, id, at_ms, active, standbys, apply_started, resumed, restart_pending } => {
                    if setup.procedure.steps.get(*step).map(|s| &s.id) != Some(id) {
                        return Err(mismatch(format!("step {step} is {id:?} in the journal")));
                    }
                    if *step != resumption.next_step {
                        resumption.completed_operations.clear();
                    }
                    resumption.next_step = *step;
                    resumption.roles = Some(Roles {
                        active: node(active)?,
                        standbys: standbys.iter().map(|s| node(s)).collect::<Result<_, _>>()?,
                    });
                    resumption.apply_started = *apply_started;
                    resumption.resumed = *resumed;
                    resumption.restart_pending = *restart_pending;
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
                Record::Intent { op, step, task, operation, boots, at_ms } => {
                    let operation = operation.to_operation(setup).map_err(mismatch)?;
                    intents.push((*op, *step, *task, operation, boots.clone()));
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
                Record::Outcome { op, result, at_ms } => {
                    resumption.last_at = Duration::from_millis(*at_ms);
                    if let Some(position) = intents.iter().position(|(o, ..)| o == op) {
                        let (_, step, task, operation, _) = intents.remove(position);
                        if result == "ok" && step == resumption.next_step {
                            resumption.completed_operations.push((step, task, operation));
                        }
                    }
                }
                Record::Finished { ending, at_ms } => {
                    resumption.finished = Some(ending.clone());
                    resumption.last_at = Duration::from_millis(*at_ms);
                }
            }
        }
        if let Some(roles) = &resumption.roles {
            let mut nodes: Vec<NodeId> = std::iter::once(roles.active).chain(roles.standbys.iter().copied()).collect();
            nodes.sort();
            let before = nodes.len();
            nodes.dedup();
            if nodes.len() != before || nodes.len() != setup.cluster.nodes.len() {
                return Err(mismatch(
                    "its roles do not name every node of the cluster exactly once (one active, the rest standby)"
                        .to_owned(),
                ));
            }
        }
        if let Some((_, step, task, operation, boots)) = intents.pop() {
            resumption.unfinished = Some((step, task, operation, boots));
        }
        resumption.records = records;
        Ok(resumption)
    }

    /// Checks the observed cluster against the journal: a cluster that contradicts it (a
    /// node it does not know, a suspension the journal cannot explain) is refused.
    pub fn check_against(&self, path: &Path, setup: &Setup, observation: &Observation) -> Result<(), JournalError> {
        let mismatch = |reason: String| JournalError::Mismatch { path: path.display().to_string(), reason };
        if observation.nodes.len() != setup.cluster.nodes.len() {
            return Err(mismatch("the cluster has a different number of nodes".to_owned()));
        }
        let suspended = observation.cluster_suspended();
        let suspend_step = setup.procedure.steps.iter().position(|s| s.action.is(Milestone::SuspendsCluster));
        if suspended && suspend_step.is_none_or(|step| self.next_step < step) {
            return Err(mismatch("the cluster is suspended, but the journal never got to suspending it".to_owned()));
        }
        let module_versions_installed = setup
            .procedure
            .module
            .components
            .iter()
            .any(|c| observation.nodes.iter().any(|n| n.component(c.component) == c.version));
        let install_step = setup.procedure.steps.iter().position(|s| s.action.is(Milestone::InstallsModule));
        if module_versions_installed && install_step.is_some_and(|step| self.next_step < step) {
            return Err(mismatch(
                "the module is already installed on a node, but the journal never got to installing it".to_owned(),
            ));
        }
        Ok(())
    }
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
            Operation::UnzipModule { folder, .. } => record.folder = Some(folder.to_string()),
            Operation::BackupRegistry { file, .. } => record.file = Some(file.to_string()),
            Operation::InstallModule { folder, restart_answer, .. } => {
                record.folder = Some(folder.to_string());
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
            "unzip-module" => Operation::UnzipModule { node: at, folder: folder()? },
            "backup-registry" => {
                Operation::BackupRegistry { node: at, file: Arc::from(field(&self.file, "a file")?.as_str()) }
            }
            "install-module" => Operation::InstallModule {
                node: at,
                folder: folder()?,
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
