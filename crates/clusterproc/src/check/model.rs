//! The JSON model of a check's verdict: what `check --format json` prints and `check --merge`
//! reads back, and what the text and JUnit renderings are drawn from.

use serde::{Deserialize, Serialize};

/// Everything a check found, as the JSON output shows it.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Report {
    pub(super) title: String,
    /// How many fault kinds the search tried at each fault point.
    pub(super) fault_kinds: usize,
    pub(super) procedure: String,
    pub(super) module: String,
    pub(super) cluster: String,
    pub(super) seed: u64,
    pub(super) faults: String,
    /// Random fault schedules run besides (`--cases`), per way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cases: Option<usize>,
    /// `both`, `on` or `off`.
    pub(super) guards: String,
    /// No failure below.
    pub(super) passed: bool,
    /// Why the check fails, most important first.
    pub(super) failures: Vec<FailureReport>,
    /// One per way of running.
    pub(super) ways: Vec<WayReport>,
    pub(super) mutants: Option<MutantReport>,
    pub(super) counterexamples: Vec<CounterexampleReport>,
    /// Runs with faults went on with the recovery `clusterproc recover` plans (not
    /// `--no-recovery`).
    #[serde(default)]
    pub(super) recovery: bool,
    /// Set when a signal stopped the search: how far it got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) interrupted: Option<String>,
    /// Counterexample files in `--save` that this check could have written but did not:
    /// left by an earlier check, perhaps of an invariant that holds now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) earlier_counterexamples: Vec<String>,
    /// The part of a search split with `--shard I/N`, as `I/N`; absent for a whole search
    /// (and for a merge of every part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) shard: Option<String>,
    /// With `--suggest` on a failing check: the repairs searched and proven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) repairs: Option<RepairsReport>,
    /// Where each step is in the procedure file, so that a report read back (`--merge`) can
    /// still point into it (SARIF).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) steps: Vec<StepPlace>,
    /// The accepted-risks file used (`--accept`, or the one beside the procedure): what each
    /// entry matched, or why it is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) accept: Option<AcceptReport>,
}

/// The accepted-risks file a check used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct AcceptReport {
    pub(super) file: String,
    /// The procedure's behaviour hash, which a current entry holds.
    pub(super) procedure_hash: String,
    /// `--strict-accept`: a stale entry fails the check.
    pub(super) strict: bool,
    pub(super) entries: Vec<AcceptEntryReport>,
}

/// One entry of the accepted-risks file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct AcceptEntryReport {
    /// Its number in the file, from 1.
    pub(super) entry: usize,
    pub(super) line: usize,
    pub(super) invariant: String,
    /// `as-written` or `guarded`; none for both.
    pub(super) way: Option<String>,
    /// The fault kinds, in the order they struck.
    pub(super) faults: Vec<String>,
    /// The id of the step they struck in.
    pub(super) step: String,
    pub(super) reason: String,
    pub(super) reviewer: String,
    pub(super) procedure_hash: String,
    /// The ways in which it matched a violation.
    pub(super) matched: Vec<String>,
    /// Why it matched nothing: it is stale.
    pub(super) stale: Option<String>,
}

/// A violation that an entry of the accepted-risks file matched: it does not fail the check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct AcceptedReport {
    /// The entry's number in the file, from 1.
    pub(super) entry: usize,
    pub(super) file: String,
    pub(super) line: usize,
    pub(super) reason: String,
    pub(super) reviewer: String,
    /// `monitor-false-alarm, monitor-false-alarm in step unzip`.
    pub(super) schedule: String,
    /// The violation it accepts.
    pub(super) violation: ViolationReport,
}

/// A step and the line of the procedure file it is on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StepPlace {
    /// How the reports name it: `6 install-active`, `#3 verify-cluster`.
    pub(super) step: String,
    /// Its id, as mutants name it.
    pub(super) id: String,
    /// The line of its `id`, counted from 1.
    pub(super) line: usize,
}

/// What `--suggest` searched and found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RepairsReport {
    /// The action keywords tried, in the order tried.
    pub(super) candidates: Vec<String>,
    /// The repairs, best first; empty when none was found.
    pub(super) found: Vec<RepairReport>,
    /// The invariants broken that no single edit prevents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) unpreventable: Vec<String>,
    /// Candidates whose check ran in full.
    #[serde(default)]
    pub(super) searched: usize,
    /// Candidates passed over without their check: a fault schedule that broke an earlier
    /// candidate, replayed on it, showed that its check could tell nothing more.
    #[serde(default)]
    pub(super) passed_over: usize,
}

/// One repair: an edit of the procedure, proven by the same check passing on the repaired
/// procedure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RepairReport {
    /// `insert`, `move` or `role` (the step runs on another node role).
    #[serde(default)]
    pub(super) edit: String,
    /// What it does, in words: `move step suspend-cluster before stop-monitoring`.
    #[serde(default)]
    pub(super) summary: String,
    /// The id of the step inserted, moved, or run on another role.
    pub(super) step: String,
    /// Its action keyword.
    pub(super) action: String,
    /// Its node role in the repaired procedure.
    pub(super) on: String,
    /// The id of the step it goes before in the repaired procedure; none at the end.
    pub(super) before: Option<String>,
    /// The repair as a unified diff of the procedure file.
    pub(super) diff: String,
    /// For an insertion, where the inserted text goes in the procedure file: before this line
    /// and column (counted from 1; the line after the last when it is appended).
    #[serde(default)]
    pub(super) line: usize,
    #[serde(default)]
    pub(super) column: usize,
    /// The text inserted there, with the file's line endings.
    #[serde(default)]
    pub(super) inserted: String,
    /// The repair as replacements of regions of the procedure file (lines and UTF-16 columns
    /// counted from 1), the last region first, so that each applies to the text the ones
    /// before it left.
    #[serde(default)]
    pub(super) replacements: Vec<ReplacementReport>,
}

/// Text that replaces a region of the procedure file (an empty region: an insertion).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ReplacementReport {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) end_line: usize,
    pub(super) end_column: usize,
    pub(super) text: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct FailureReport {
    /// `did-not-finish`, `invariant` or `mutation-score`.
    pub(super) kind: String,
    /// `as-written` or `guarded`, when the failure is one way's.
    pub(super) way: Option<String>,
    pub(super) invariant: Option<String>,
    pub(super) step: Option<String>,
    pub(super) reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WayReport {
    pub(super) way: String,
    /// The run with no fault.
    pub(super) baseline: BaselineReport,
    pub(super) runs: usize,
    pub(super) completed: usize,
    pub(super) stopped_safely: usize,
    pub(super) violated: usize,
    /// Runs that broke invariants which the recovery after them all put right.
    #[serde(default)]
    pub(super) recovered: usize,
    /// What the model checker did, when faults were asked for.
    pub(super) search: Option<SearchReport>,
    pub(super) invariants: Vec<InvariantReport>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SearchReport {
    pub(super) max_faults: usize,
    /// Distinct states (engine, cluster and judge) visited.
    pub(super) states: u64,
    pub(super) transitions: u64,
    /// The most transitions in one run.
    pub(super) depth: u32,
    /// Fault schedules explored.
    pub(super) schedules: u64,
    /// Distinct states first reached with 0, 1, 2, ... faults.
    pub(super) states_per_fault_count: Vec<u64>,
    /// How the recoveries after the runs ended: the cluster serving again, short of it, or
    /// waiting for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) recoveries: Option<RecoveriesReport>,
}

/// How the recoveries after a search's runs ended.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(super) struct RecoveriesReport {
    pub(super) serving: u64,
    pub(super) short: u64,
    pub(super) needs_operator: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct BaselineReport {
    /// `completed`, `refused` or `stopped`.
    pub(super) ending: String,
    pub(super) step: Option<String>,
    pub(super) reason: Option<String>,
    /// What the cluster did after a stop with nobody acting.
    pub(super) aftermath: Vec<String>,
    /// Each monitor's recovery actions in the run, one line a monitor (what spends its
    /// recovery counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) monitor_recoveries: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct InvariantReport {
    pub(super) id: String,
    pub(super) kind: String,
    /// `ok`, `violated`, `accepted` (broken only as an entry of the accepted-risks file
    /// says), `recovered` (broken, then put right by the recovery that followed) or
    /// `prevented`.
    pub(super) verdict: String,
    pub(super) violated: Option<ViolationReport>,
    /// With `--suggest`, when no single edit of the procedure prevents it: why, and what
    /// the recovery after the run did (or what `clusterproc recover` is for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) unpreventable: Option<String>,
    /// The shortest run in which it broke and the recovery after it put it right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) recovered: Option<ViolationReport>,
    pub(super) prevented: Option<PreventionReport>,
    /// The violation an accepted-risks entry matched, and the entry (verdict `accepted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) accepted: Option<AcceptedReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ViolationReport {
    pub(super) at: String,
    pub(super) node: Option<String>,
    pub(super) step: Option<String>,
    pub(super) detail: String,
    pub(super) faults: Vec<String>,
    /// The events that show it, as the trace renders them.
    pub(super) events: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PreventionReport {
    /// The invariant the guard protected.
    pub(super) invariant: String,
    pub(super) step: String,
    pub(super) operation: String,
    pub(super) reason: String,
    pub(super) faults: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MutantReport {
    pub(super) total: usize,
    pub(super) equivalent: usize,
    pub(super) caught: usize,
    pub(super) score: f64,
    pub(super) min_score: Option<f64>,
    pub(super) findings: usize,
    pub(super) mutants: Vec<MutantLine>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MutantLine {
    pub(super) mutant: String,
    pub(super) caught: bool,
    pub(super) ways: Vec<MutantWay>,
    pub(super) equivalent: Option<String>,
    /// It acts, nothing caught it, and it is not equivalent.
    pub(super) finding: bool,
    /// Why no invariant saw it, when nothing caught it.
    pub(super) why_unseen: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MutantWay {
    pub(super) way: String,
    /// `completed`, `refused` or `stopped`.
    pub(super) ending: String,
    pub(super) violated: Vec<String>,
    pub(super) refused: Option<PreventionReport>,
    pub(super) stopped: Option<String>,
    /// One line for people.
    pub(super) summary: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CounterexampleReport {
    pub(super) way: String,
    pub(super) invariant: String,
    pub(super) seed: u64,
    pub(super) mutation: Option<String>,
    pub(super) faults: Vec<String>,
    pub(super) detail: String,
    pub(super) at: String,
    pub(super) file: Option<String>,
    /// The run broke the invariant and the recovery after it put it right.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) recovered: bool,
    /// The events that show the violation.
    pub(super) evidence: Vec<String>,
    /// Two to four sentences: what the faults did, the step the procedure went on to, why
    /// that broke the invariant, and how the recovery after the run ended.
    #[serde(default)]
    pub(super) summary: Vec<String>,
    /// The run's focused story: no routine detail, runs of service stops and starts folded
    /// into one line, the decisive events marked `>>`.
    pub(super) story: String,
    /// The run's whole trace, every event (what `replay --full` shows).
    #[serde(default)]
    pub(super) trace: String,
    /// An entry of the accepted-risks file matched it: the entry's number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) accepted: Option<usize>,
}

/// A failure for each invariant the way violated.
pub(super) fn invariant_failures(way: &WayReport) -> impl Iterator<Item = FailureReport> + '_ {
    way.invariants.iter().filter(|i| i.verdict == "violated").map(|invariant| {
        let violation = invariant.violated.as_ref().expect("a violated invariant has its violation");
        FailureReport {
            kind: "invariant".to_owned(),
            way: Some(way.way.clone()),
            invariant: Some(invariant.id.clone()),
            step: violation.step.clone(),
            reason: violation.detail.clone(),
        }
    })
}
