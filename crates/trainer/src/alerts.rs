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
