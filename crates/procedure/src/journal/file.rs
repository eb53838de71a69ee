//! The journal file: created, appended to (each record written and fsync'd before the run
//! goes on) and locked while a run holds it; opened again to resume.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::backend::BackendError;
use crate::observation::Observation;
use crate::operation::Operation;
use crate::roles::Roles;
use crate::setup::Setup;

use crate::journal::error::JournalError;
use crate::journal::record::{FILE_NAME, OperationRecord, Record, io, ms};
use crate::journal::resume::Resumption;

/// An open journal, locked for this run.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    next_op: u64,
    boots: Arc<[u32]>,
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
    ///
    /// `window` is the engine's state then: whether the apply window is open, whether the
    /// cluster was resumed after it, and whether a restart is pending.
    pub fn step_started(
        &mut self,
        setup: &Setup,
        roles: &Roles,
        window: (bool, bool, bool),
        step: usize,
        at: Duration,
    ) -> Result<(), JournalError> {
        let (apply_started, resumed, restart_pending) = window;
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
    pub fn intent(
        &mut self,
        setup: &Setup,
        (step, task): (usize, usize),
        operation: &Operation,
        at: Duration,
    ) -> Result<(), JournalError> {
        let op = self.next_op;
        let boots = self.boots.to_vec();
        self.append(&Record::Intent {
            op,
            step,
            task,
            operation: OperationRecord::from_operation(setup, operation),
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
    pub fn confirmation(&mut self, step: usize, confirmed: bool, at: Duration) -> Result<(), JournalError> {
        self.append(&Record::Confirmation { step, confirmed, at_ms: ms(at) })
    }

    /// The run ended.
    ///
    /// `ending` as the journal says it: `completed`, `refused: INVARIANT` or `stopped: REASON`.
    pub fn finished(&mut self, ending: String, at: Duration) -> Result<(), JournalError> {
        self.append(&Record::Finished { ending, at_ms: ms(at) })
    }

    /// Records one finding of the capability probe made before a run on real nodes.
    pub fn probed(&mut self, found: String, at: Duration) -> Result<(), JournalError> {
        self.append(&Record::Probed { found, at_ms: ms(at) })
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
