//! `manual`: something only a person can do; the run waits for the operator's confirmation,
//! then verifies what the step says it will.

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, PlanText};
use crate::observation::GroupStatus;
use crate::operation::Operation;
use crate::cluster::{GroupId, ServiceId};
use crate::diagnostic::FileError;
use crate::postcondition::{Verdict, all_suspended, not_running, pending, services_running};
use crate::text::one_line;

/// Something only a person can do; the run waits for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manual {
    /// What to do.
    pub instruction: String,
    /// What to verify afterwards.
    pub check: Option<ManualCheck>,
}

/// What a manual step verifies once the operator confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualCheck {
    /// The cluster service runs, not suspended, on every node.
    ClusterRunning,
    /// The cluster is suspended.
    ClusterSuspended,
    /// The group is online with all its resources.
    GroupOnline(GroupId),
    /// The services run on the step's node.
    ServicesRunning(Vec<ServiceId>),
}

impl Kind for Manual {
    const KEYWORD: &'static str = "manual";
    const TAKES: &'static [&'static str] = &["instruction", "check", "group", "services"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let instruction = args.required(args.instruction, "instruction")?.get_ref().clone();
        let check = match args.check {
            None => None,
            Some(check) => {
                let known = (
                    "not a check",
                    "checks: cluster-running, cluster-suspended, group-online, services-running",
                );
                let keyword = args.keyword(check, "check", known, |word| {
                    ["cluster-running", "cluster-suspended", "group-online", "services-running"]
                        .into_iter()
                        .find(|known| *known == word)
                })?;
                Some(match keyword {
                    "cluster-running" => ManualCheck::ClusterRunning,
                    "cluster-suspended" => ManualCheck::ClusterSuspended,
                    "group-online" => ManualCheck::GroupOnline(args.group()?),
                    _ => ManualCheck::ServicesRunning(args.services(true)?.unwrap_or_default()),
                })
            }
        };
        Ok(Manual { instruction, check })
    }
}

impl Behaviour for Manual {
    fn plan(&self, plan: &mut PlanText<'_>) {
        let verifies = match &self.check {
            None => "the operator confirms".to_owned(),
            Some(ManualCheck::ClusterRunning) => "the cluster runs on every node".to_owned(),
            Some(ManualCheck::ClusterSuspended) => "the cluster is suspended".to_owned(),
            Some(ManualCheck::GroupOnline(group)) => {
                format!("group {} is online", plan.cluster.groups[group.index()].name)
            }
            Some(ManualCheck::ServicesRunning(services)) => format!("{} run", plan.services(services)),
        };
        let does = format!("ask the operator on {}: {}", plan.on, one_line(&self.instruction));
        plan.says(does, verifies);
    }

    fn operations(&self, _: &At<'_>) -> Vec<Operation> {
        Vec::new()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let (observation, explain) = (at.observation, at.explain);
        match &self.check {
            None => Verdict::Holds,
            Some(ManualCheck::ClusterRunning) if observation.cluster_running() => Verdict::Holds,
            Some(ManualCheck::ClusterRunning) => pending!(explain, "the cluster is not running on every node"),
            Some(ManualCheck::ClusterSuspended) if all_suspended(observation) => Verdict::Holds,
            Some(ManualCheck::ClusterSuspended) => pending!(explain, "the cluster is not suspended"),
            Some(ManualCheck::GroupOnline(group))
                if observation.groups[group.index()].status == GroupStatus::Online =>
            {
                Verdict::Holds
            }
            Some(ManualCheck::GroupOnline(group)) => {
                pending!(explain, "group {} is not online", at.cluster.groups[group.index()].name)
            }
            Some(ManualCheck::ServicesRunning(services)) => match services_running(at.state(), services) {
                Ok(()) => Verdict::Holds,
                Err(service) => not_running(at.cluster, service, explain),
            },
        }
    }

    fn changes_nothing(&self) -> bool {
        self.check.is_none()
    }

    fn manual_instruction(&self) -> Option<&str> {
        Some(&self.instruction)
    }
}
