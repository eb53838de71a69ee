//! A trainee's action, and an operation of the procedure, in the words of the screens it is
//! done on, in the page's language: what the debrief, the hint and the out-of-order notes say.

use procedure::backend::Operation;
use procedure::setup::Setup;

use super::act::Act;
use super::classroom_text::C;
use super::text::{Lang, T};

/// An operation in the words of the screens it is done on; one that no screen of the trainer
/// has a button for (a recovery plan may hold it) in the words of the product's own.
pub fn describe(setup: &Setup, operation: &Operation, lang: Lang) -> String {
    if let Some(act) = Act::from_operation(setup, operation) {
        return act_words(&act, lang);
    }
    let node = setup.node_name(operation.node());
    let manager = lang.t(T::ClusterManager);
    match operation {
        Operation::SuspendMonitor { monitor, .. } | Operation::ResumeMonitor { monitor, .. } => {
            let verb = match operation {
                Operation::SuspendMonitor { .. } => T::SuspendMonitor,
                _ => T::ResumeMonitor,
            };
            let monitors = lang.t(T::Monitors);
            format!("{manager} ({node}): {monitors} {} → {}", setup.monitor_name(*monitor), lang.t(verb))
        }
        Operation::ImportRegistry { file, .. } => format!("{} ({node}): {file}", lang.t(T::ImportRegistry)),
        Operation::RebootCluster { .. } => format!("{manager}: {} (clpstdn -r)", lang.t(T::RebootCluster)),
        Operation::MoveGroup { group, to: None, .. } => {
            format!("{} {} → {}", lang.t(T::Group), setup.group_name(*group), lang.t(T::Move))
        }
        other => format!("{} ({node})", other.verb()),
    }
}

/// A trainee's action in words.
pub fn act_words(act: &Act, lang: Lang) -> String {
    match act {
        Act::SuspendCluster => format!("{} → {}", lang.t(T::ServiceMenu), lang.t(T::SuspendCluster)),
        Act::ResumeCluster => format!("{} → {}", lang.t(T::ServiceMenu), lang.t(T::ResumeCluster)),
        Act::MoveGroup { group, to } => format!("{} {group} → {} {to}", lang.t(T::Group), lang.t(T::MoveTo)),
        Act::StopMonitoring { node, service } => {
            format!("{} ({node}): {} {service}", lang.t(T::TaskManager), lang.t(T::StopMonitoring))
        }
        Act::StartMonitoring { node, service } => {
            format!("{} ({node}): {} {service}", lang.t(T::TaskManager), lang.t(T::StartMonitoring))
        }
        Act::StopService { node, service } => {
            format!("{} ({node}): {} {service}", lang.t(T::ServicesPanel), lang.t(T::StopService))
        }
        Act::StartService { node, service } => {
            format!("{} ({node}): {} {service}", lang.t(T::ServicesPanel), lang.t(T::StartService))
        }
        Act::Unzip { node, folder } => format!("{} ({node}): {} {folder}", lang.t(T::Files), lang.t(T::Unzip)),
        Act::BackupRegistry { node, file } => format!("{} ({node}): {file}", lang.t(T::BackupRegistry)),
        Act::RunInstaller { node, folder } => {
            format!("{} ({node}): {} {folder}", lang.t(T::Installer), lang.t(T::RunInstaller))
        }
        Act::AnswerPrompt { node, answer } => format!(
            "{} ({node}): {}",
            lang.t(T::RestartPrompt),
            if answer == "yes" { lang.t(T::Yes) } else { lang.t(T::No) }
        ),
        Act::Reboot { node } => format!("{} ({node})", lang.t(T::Reboot)),
        Act::StopClusterService { node } => {
            format!("{}: {node} → {}", lang.t(T::ClusterManager), lang.t(T::StopClusterService))
        }
        Act::StartClusterService { node } => {
            format!("{}: {node} → {}", lang.t(T::ClusterManager), lang.t(T::StartClusterService))
        }
        Act::StopResource { resource } => {
            format!("{}: {} {resource} → {}", lang.t(T::ClusterManager), lang.t(T::Resource), lang.t(T::StopService))
        }
        Act::StartResource { resource } => {
            format!("{}: {} {resource} → {}", lang.t(T::ClusterManager), lang.t(T::Resource), lang.t(T::StartService))
        }
        Act::Wait { seconds } => lang.fill(T::WaitSeconds, &[seconds]),
        Act::OpenServices { node } => format!("{} ({node}): {}", lang.t(T::ServicesPanel), lang.t(T::OpenServices)),
        Act::CloseServices { node } => format!("{} ({node}): {}", lang.t(T::ServicesPanel), lang.t(T::CloseServices)),
        Act::Hint => lang.t(T::Hint).to_owned(),
        Act::ClearAlerts => format!("{}: {}", lang.t(T::Alerts), lang.t(T::ClearAlerts)),
        Act::WaitUntilDone => lang.t(T::WaitUntilDone).to_owned(),
        Act::Finish => lang.t(T::Finish).to_owned(),
        Act::GiveUp => lang.t(T::GiveUp).to_owned(),
        Act::StopAndRecover => lang.c(C::StopAndRecover).to_owned(),
        Act::RecoveryPlan => lang.c(C::PlanTitle).to_owned(),
        Act::BringBack { node } => lang.c_fill(C::BringBack, &[node]),
        Act::Inject(asked) if asked.step.is_empty() => format!("{}: {}", lang.c(C::InjectTitle), asked.kind),
        Act::Inject(asked) => {
            let before = lang.c_fill(C::BeforeStep, &[&asked.step]);
            format!("{}: {} ({before})", lang.c(C::InjectTitle), asked.kind)
        }
    }
}
