//! `check-services`: wait until services run on the node: all of some, one set of others,
//! and report optional ones.

use toml::Spanned;

use crate::action::args::Args;
use crate::action::kind::{At, Behaviour, Kind, Patience, PlanText};
use crate::operation::Operation;
use crate::cluster::ServiceId;
use crate::diagnostic::{FileError, FileErrorKind};
use crate::postcondition::{Verdict, pending, services_running};
use crate::text::and_list;

/// Check that services are running on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckServices {
    /// Must all be running.
    pub services: Vec<ServiceId>,
    /// Reported, never required (environment-dependent), by name: they may not exist.
    pub optional: Vec<String>,
    /// At least one of these sets must be running entirely; only the sets whose services
    /// all exist in the cluster are kept.
    pub one_of: Vec<Vec<ServiceId>>,
}

impl Kind for CheckServices {
    const KEYWORD: &'static str = "check-services";
    const TAKES: &'static [&'static str] = &["services", "optional-services", "one-of"];

    fn read(args: &Args<'_>) -> Result<Self, FileError> {
        let services = args.services(true)?.unwrap_or_default();
        let cluster = args.names.cluster;
        let optional = args.optional_services.map(|list| list.get_ref().clone()).unwrap_or_default();
        let mut one_of = Vec::new();
        if let Some(sets) = args.one_of {
            for set in sets.get_ref() {
                let ids: Option<Vec<ServiceId>> =
                    set.iter().map(|name: &Spanned<String>| cluster.service_by_name(name.get_ref())).collect();
                if let Some(ids) = ids
                    && !ids.is_empty()
                {
                    one_of.push(ids);
                }
            }
            if one_of.is_empty() {
                return Err(args
                    .names
                    .err(
                        FileErrorKind::UnknownName,
                        format!(
                            "none of the `one-of` sets of step `{}` exists in cluster `{}`",
                            args.step_id.get_ref(),
                            cluster.name
                        ),
                        sets.span(),
                        "no set whose services the cluster has",
                    )
                    .with_help("at least one set must name only services the cluster description declares"));
            }
        }
        Ok(CheckServices { services, optional, one_of })
    }
}

impl Behaviour for CheckServices {
    fn plan(&self, plan: &mut PlanText<'_>) {
        plan.does.push(format!("query the services on {} (sc query)", plan.on));
        plan.verifies.push(format!("{} run on {}", plan.services(&self.services), plan.on));
        if !self.one_of.is_empty() {
            let sets: Vec<String> = self.one_of.iter().map(|set| plan.services(set)).collect();
            plan.verifies.push(format!("and one of: {}", sets.join(" / ")));
        }
        if !self.optional.is_empty() {
            plan.verifies.push(format!("reported, not required: {}", and_list(&self.optional)));
        }
    }

    fn operations(&self, _: &At<'_>) -> Vec<Operation> {
        Vec::new()
    }

    fn verify(&self, at: &At<'_>) -> Verdict {
        let (state, name) = (at.state(), at.name());
        if let Err(service) = services_running(state, &self.services) {
            return pending!(at.explain, "{:?} is not running on {name}", at.cluster.services[service.index()].name);
        }
        if !self.one_of.is_empty() && !self.one_of.iter().any(|set| services_running(state, set).is_ok()) {
            return pending!(at.explain, "no database service set is running on {name}");
        }
        Verdict::Holds
    }

    fn patience(&self) -> Patience {
        Patience::Check
    }

    fn changes_nothing(&self) -> bool {
        true
    }

    fn optional_services(&self) -> &[String] {
        &self.optional
    }
}
