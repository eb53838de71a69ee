//! A run's faults as a counterexample file names them: the file's format
//! ([`CounterexampleFile`], [`FaultRecord`]), and a [`Schedule`] of faults named and resolved
//! again against a procedure and a cluster, with the field at fault when one cannot be.

use std::time::Duration;

use procedure::cluster::{Cluster, GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use procedure::fault::{FaultKind, Field, Targets};
use procedure::setup::Setup;
use serde::{Deserialize, Serialize};

use crate::model::TimedFault;
use crate::model::anchored::{Anchor, AnchoredFault};
use crate::staged::StagedFault;

/// A fault as a counterexample file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRecord {
    /// Step id it is injected before.
    pub before_step: String,
    /// `crash`, `unreachable`, ...
    pub fault: String,
    /// Node name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Monitor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// Group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// For a fault found by the model checker: the transition it strikes after (counted
    /// from the start of the run); `before_step` then names the step it strikes in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_transition: Option<u32>,
    /// It struck during the recovery that followed the run (`before_step` then names the
    /// step the run ended in).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub during_recovery: bool,
    /// For a fault found by the model checker: how many transitions after its step began
    /// (after the recovery began, for one during the recovery) it strikes. A replay against
    /// an edited procedure places it by this; absent in files of earlier builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_in_step: Option<u32>,
}

/// A saved counterexample: everything `clusterproc replay` needs to run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterexampleFile {
    /// Format version.
    pub version: u32,
    /// How the procedure was run: `as-written` (no guards) or `guarded`.
    pub way: String,
    /// The invariant it breaks.
    pub invariant: String,
    /// The procedure file, as given to `check`.
    pub procedure: String,
    /// Hash of its text.
    pub procedure_hash: String,
    /// Hash of what decides its run, not its wording (`Procedure::behaviour_hash`); absent in
    /// files of earlier builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour_hash: Option<String>,
    /// The cluster file as given, or `None` for the built-in one.
    pub cluster: Option<String>,
    /// Hash of the cluster description's text.
    pub cluster_hash: String,
    /// The simulator's seed.
    pub seed: u64,
    /// The mutation, if the run is a mutant's.
    pub mutation: Option<String>,
    /// The run went on with the recovery `clusterproc recover` plans, as `check` runs it
    /// unless `--no-recovery`; absent (false) in files from before recovery was checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovery: bool,
    /// The faults, in order.
    pub faults: Vec<FaultRecord>,
    /// Hash of the rendered trace, to tell that a replay is exact.
    pub trace_hash: String,
    /// The violation, for people.
    pub detail: String,
}

/// Names a staged fault.
fn fault_record(setup: &Setup, fault: &StagedFault) -> FaultRecord {
    let names = fault.fault.target_names(&setup.cluster);
    FaultRecord {
        before_step: setup.procedure.steps[fault.before_step].id.clone(),
        fault: fault.fault.kind().name().to_owned(),
        node: names.node,
        service: names.service,
        monitor: names.monitor,
        group: names.group,
        resource: names.resource,
        after_transition: None,
        during_recovery: false,
        transition_in_step: None,
    }
}

/// The faults of a run: staged before steps (scenarios, random schedules, the run with
/// none), or struck after transitions (the model checker's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Each injected as its step begins.
    Staged(Vec<StagedFault>),
    /// Each injected right after its transition.
    Timed(Vec<TimedFault>),
}

impl Schedule {
    /// How many faults.
    pub fn len(&self) -> usize {
        match self {
            Schedule::Staged(faults) => faults.len(),
            Schedule::Timed(faults) => faults.len(),
        }
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The faults as a counterexample file names them.
    pub fn records(&self, setup: &Setup) -> Vec<FaultRecord> {
        match self {
            Schedule::Staged(faults) => faults.iter().map(|f| fault_record(setup, f)).collect(),
            Schedule::Timed(faults) => faults
                .iter()
                .map(|f| {
                    let staged = StagedFault { before_step: f.step, fault: f.fault };
                    FaultRecord {
                        after_transition: Some(f.after),
                        during_recovery: f.in_recovery,
                        ..fault_record(setup, &staged)
                    }
                })
                .collect(),
        }
    }

    /// Resolves the faults a counterexample file names: struck after transitions when any
    /// names one, else staged before steps.
    pub fn from_records(setup: &Setup, records: &[FaultRecord]) -> Result<Schedule, FaultRecordError> {
        let at =
            |index: usize| move |(field, message): (&'static str, String)| FaultRecordError { index, field, message };
        if records.iter().any(|record| record.after_transition.is_some()) {
            let timed = records.iter().enumerate().map(|(index, record)| {
                let after = record
                    .after_transition
                    .ok_or_else(|| at(index)(("after_transition", "the fault names no transition".to_owned())))?;
                let staged = staged_fault(setup, record).map_err(at(index))?;
                let (step, fault, in_recovery) = (staged.before_step, staged.fault, record.during_recovery);
                Ok(TimedFault { after, step, at: Duration::ZERO, fault, in_recovery })
            });
            Ok(Schedule::Timed(timed.collect::<Result<_, FaultRecordError>>()?))
        } else {
            let staged =
                records.iter().enumerate().map(|(index, record)| staged_fault(setup, record).map_err(at(index)));
            Ok(Schedule::Staged(staged.collect::<Result<_, _>>()?))
        }
    }
}

/// A counterexample's faults placed by the steps they name, to replay them against an
/// edited procedure: staged faults as they are (they are named by their step), each timed
/// one `transition_in_step` transitions after its step (or the recovery) begins, or, in a
/// file of an earlier build that did not record that, after the same transition counted from
/// the start. `schedule` is `records` resolved ([`Schedule::from_records`]).
pub fn placed(schedule: &Schedule, records: &[FaultRecord]) -> Placed {
    let Schedule::Timed(timed) = schedule else { return Placed::Staged(schedule.clone()) };
    let anchored = timed
        .iter()
        .zip(records)
        .map(|(fault, record)| match record.transition_in_step {
            Some(offset) => AnchoredFault {
                anchor: if fault.in_recovery { Anchor::Recovery } else { Anchor::Step(fault.step) },
                offset,
                fault: fault.fault,
            },
            None => AnchoredFault { anchor: Anchor::Start, offset: fault.after, fault: fault.fault },
        })
        .collect();
    Placed::Anchored(anchored)
}

/// A counterexample's faults placed for a run of an edited procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// Staged before steps, as they were.
    Staged(Schedule),
    /// Struck after transitions counted from their anchors.
    Anchored(Vec<AnchoredFault>),
}

/// Why a fault a counterexample file names cannot be resolved: which fault, which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRecordError {
    /// The fault's place in the file's list, from 0.
    pub index: usize,
    /// The field that is wrong or missing: `before_step`, `fault`, `node`, `service`, ...
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for FaultRecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fault {}: {}", self.index + 1, self.message)
    }
}

/// Resolves a named fault against `setup`.
/// An error names the field at fault.
fn staged_fault(setup: &Setup, record: &FaultRecord) -> Result<StagedFault, (&'static str, String)> {
    let cluster = &setup.cluster;
    let before_step = setup
        .procedure
        .steps
        .iter()
        .position(|s| s.id == record.before_step)
        .ok_or_else(|| ("before_step", format!("the procedure has no step {:?}", record.before_step)))?;
    let kind = FaultKind::parse(&record.fault).ok_or_else(|| ("fault", format!("unknown fault {:?}", record.fault)))?;
    let fault = kind.build(&mut RecordTargets { cluster, record })?;
    Ok(StagedFault { before_step, fault })
}

/// A fault's targets from a counterexample file's record; an error names the field.
struct RecordTargets<'a> {
    cluster: &'a Cluster,
    record: &'a FaultRecord,
}

impl RecordTargets<'_> {
    /// The id of the `field` the record names, looked up by `find`.
    fn find<T>(
        &self,
        field: Field,
        name: Option<&str>,
        find: impl Fn(&Cluster, &str) -> Option<T>,
    ) -> Result<T, (&'static str, String)> {
        let what = field.name();
        let name = name.ok_or_else(|| (what, format!("the fault names no {what}")))?;
        find(self.cluster, name).ok_or_else(|| (what, format!("unknown {what} {name:?}")))
    }
}

impl Targets for RecordTargets<'_> {
    type Error = (&'static str, String);

    fn node(&mut self) -> Result<NodeId, Self::Error> {
        self.find(Field::Node, self.record.node.as_deref(), Cluster::node_by_name)
    }

    fn service(&mut self) -> Result<ServiceId, Self::Error> {
        self.find(Field::Service, self.record.service.as_deref(), Cluster::service_by_name)
    }

    fn monitor(&mut self) -> Result<MonitorId, Self::Error> {
        self.find(Field::Monitor, self.record.monitor.as_deref(), Cluster::monitor_by_name)
    }

    fn group(&mut self) -> Result<GroupId, Self::Error> {
        self.find(Field::Group, self.record.group.as_deref(), Cluster::group_by_name)
    }

    fn resource(&mut self) -> Result<ResourceId, Self::Error> {
        self.find(Field::Resource, self.record.resource.as_deref(), Cluster::resource_by_name)
    }
}
