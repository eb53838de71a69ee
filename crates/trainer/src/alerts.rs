//! Which of the cluster's events a trainee must not miss: the consequences that the page
//! raises as a red alert and highlights in the event log, until the trainee acknowledges them.
//! They are what the product's alert log shows as errors, and what the debrief later blames.

use procedure::event::EventKind;

/// Whether `kind` is raised as an alert: registry keys rolled back, an installer cut short or
/// failed, a monitor's recovery action, a server down while the cluster is suspended.
pub fn is_alert(kind: &EventKind) -> bool {
    match kind {
        EventKind::RegistryRestored { overwritten, .. } => !overwritten.is_empty(),
        EventKind::InstallerInterrupted { .. } | EventKind::InstallerFailed { .. } => true,
        EventKind::MonitorRecovery { .. } => true,
        EventKind::NodeDown { cluster_suspended, .. } => *cluster_suspended,
        _ => false,
    }
}

/// How the alert log marks an event, as the product's alert log marks its messages (the
/// three kinds are the product's; which event gets which is inferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Something failed or was lost: every alert, a monitor's error, a failed start.
    Error,
    /// Something refused or not answering, or a false alarm.
    Warning,
    /// Everything else.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`: the alert log's class and data attribute.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The alert log's mark for `kind`.
pub fn severity(kind: &EventKind) -> Severity {
    if is_alert(kind) {
        return Severity::Error;
    }
    match kind {
        EventKind::MonitorError { false_alarm: true, .. } => Severity::Warning,
        EventKind::MonitorError { .. }
        | EventKind::NodeDown { .. }
        | EventKind::ResourceFailed { .. }
        | EventKind::GroupMoveFailed { .. }
        | EventKind::ServiceStartFailed { .. } => Severity::Error,
        EventKind::OperationRefused { .. } | EventKind::NodeUnreachable { .. } => Severity::Warning,
        _ => Severity::Info,
    }
}
