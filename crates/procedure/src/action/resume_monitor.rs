//! `resume-monitor`: resume suspended monitor resources on the node (`clpmonctrl -r`).

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::MonitorStatus;
use crate::operation::Operation;
use crate::cluster::MonitorId;
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, pending};

/// Resume suspended monitor resources on the node (`clpmonctrl -r`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeMonitor {
    /// The monitors; every monitor of the cluster when absent.
    pub monitors: Option<Vec<MonitorId>>,
}

impl Kind for ResumeMonitor {
    const KEYWORD: &'static str = "resume-monitor";
    const TAKES: &'static [&'static str] = &["monitors"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        Ok(ResumeMonitor { monitors: args.monitors()? })
    }
}

impl Behaviour for ResumeMonitor {
    fn plan(&self, plan: &mut PlanText<'_>) {
        plan.monitors(self.monitors.as_deref(), "resume", "clpmonctrl -r -h ", "none of them reads Suspended");
    }

    fn operations(&self, at: &At<'_>) -> Vec<Operation> {
        let state = at.state();
        at.cluster
            .listed_or_all_monitors(self.monitors.as_deref())
            .filter(|m| state.monitors[m.index()] == MonitorStatus::Suspended)
            .map(|monitor| Operation::ResumeMonitor { node: at.node, monitor })
            .collect()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let state = at.state();
        let still = at
            .cluster
            .listed_or_all_monitors(self.monitors.as_deref())
            .find(|m| state.monitors[m.index()] == MonitorStatus::Suspended);
        match still {
            None => Verdict::Holds,
            Some(m) => {
                pending!(at.explain, "monitor {} is still suspended on {}", at.cluster.monitors[m.index()].name, at.name())
            }
        }
    }
}
