//! The registry drift detector: the real-world witness of `registry-rolled-back`.
//!
//! After each install the backend reads the registry-sync keys on that node before and
//! after, and keeps every value the installer changed. After a resume and after every group
//! move, each observation reads the keys again; a value the installer wrote that reads
//! differently now is reported, with the moment it was seen.

use procedure::cluster::NodeId;
use procedure::setup::Setup;

use crate::registry::RegValue;

/// A value an installer wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The node.
    pub node: NodeId,
    /// Key path.
    pub key: String,
    /// Value name (empty for the default value).
    pub name: String,
    /// The data it wrote, as text.
    pub data: String,
}

impl Written {
    /// `KEY\NAME`, with `(default)` for the default value: how reports and the journal
    /// name the value.
    pub fn path(&self) -> String {
        let name = if self.name.is_empty() { "(default)" } else { &self.name };
        format!("{}\\{name}", self.key)
    }
}

/// A written value that changed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// What the installer wrote.
    pub written: Written,
    /// What the node shows now; `None` when the value is gone.
    pub now: Option<String>,
    /// When it was seen: `after resume-cluster`, `after move-group`.
    pub moment: String,
}

/// Keeps what installers wrote and reports what changed back.
#[derive(Debug, Clone, Default)]
pub struct DriftDetector {
    written: Vec<Written>,
    findings: Vec<Drift>,
    moment: Option<String>,
}

impl DriftDetector {
    /// Records what an install on `node` changed under the keys read before and after it.
    pub fn installed(&mut self, node: NodeId, before: &[RegValue], after: &[RegValue]) {
        for value in after {
            let earlier = before.iter().find(|old| same_value(old, value));
            let data = value.data.text();
            if earlier.map(|old| old.data.text()) != Some(data.clone()) {
                self.written.retain(|known| !(known.node == node && same_place(known, value)));
                self.written.push(Written { node, key: value.key.clone(), name: value.name.clone(), data });
            }
        }
    }

    /// From now on, checks are labelled with `moment` (`after move-group`).
    pub fn set_moment(&mut self, moment: String) {
        self.moment = Some(moment);
    }

    /// Compares what `node` shows now with what installers wrote there; new differences
    /// become findings. Does nothing before the first resume or move.
    pub fn check(&mut self, node: NodeId, values: &[RegValue]) {
        let Some(moment) = &self.moment else { return };
        for written in self.written.iter().filter(|written| written.node == node) {
            let now = values.iter().find(|value| same_place(written, value)).map(|value| value.data.text());
            if now.as_deref() == Some(written.data.as_str()) {
                continue;
            }
            let finding = Drift { written: written.clone(), now, moment: moment.clone() };
            if !self.findings.iter().any(|known| known.written == finding.written && known.now == finding.now) {
                self.findings.push(finding);
            }
        }
    }

    /// Every value an installer wrote.
    pub fn written(&self) -> &[Written] {
        &self.written
    }

    /// Every drift seen, in order.
    pub fn findings(&self) -> &[Drift] {
        &self.findings
    }

    /// One line per finding, for reports.
    pub fn render(&self, setup: &Setup) -> String {
        self.findings
            .iter()
            .map(|drift| {
                format!(
                    "registry-rolled-back: {} on {}: the installer wrote {:?}, {} it reads {}\n",
                    drift.written.path(),
                    setup.node_name(drift.written.node),
                    drift.written.data,
                    drift.moment,
                    drift.now.as_ref().map_or("as absent".to_owned(), |now| format!("{now:?}"))
                )
            })
            .collect()
    }
}

fn same_value(a: &RegValue, b: &RegValue) -> bool {
    a.key.eq_ignore_ascii_case(&b.key) && a.name.eq_ignore_ascii_case(&b.name)
}

fn same_place(written: &Written, value: &RegValue) -> bool {
    written.key.eq_ignore_ascii_case(&value.key) && written.name.eq_ignore_ascii_case(&value.name)
}
