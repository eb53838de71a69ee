//! The faults the checker tries: every kind, over the targets that matter for the module
//! (its services, their monitors, registry sync), in a fixed order.

use procedure::cluster::{GroupId, MonitorId, NodeId, ResourceId, ServiceId};
use procedure::fault::{Fault, FaultKind, Field, Struck};

/// The kinds the checker tries, in the order it tries them on each node (then the kinds
/// that strike no node).
pub(crate) const CANDIDATES: [FaultKind; 13] = [
    FaultKind::Crash,
    FaultKind::Restart,
    FaultKind::HeartbeatLoss,
    FaultKind::Unreachable,
    FaultKind::Reachable,
    FaultKind::InstallerFails,
    FaultKind::InstallerHangs,
    FaultKind::RestartRequest,
    FaultKind::ServiceFailsToStart,
    FaultKind::ServiceDies,
    FaultKind::MonitorFalseAlarm,
    FaultKind::GroupMoveFails,
    FaultKind::ResourceFails,
];

/// Every fault of `kind` over the candidate targets of each field it strikes.
pub(crate) fn candidates(
    kind: FaultKind,
    nodes: &[NodeId],
    services: &[ServiceId],
    monitors: &[MonitorId],
    groups: &[GroupId],
    resources: &[ResourceId],
) -> Vec<Fault> {
    let count = |field: &Field| match field {
        Field::Node => nodes.len(),
        Field::Service => services.len(),
        Field::Monitor => monitors.len(),
        Field::Group => groups.len(),
        Field::Resource => resources.len(),
    };
    let sizes: Vec<usize> = kind.fields().iter().map(count).collect();
    let total: usize = sizes.iter().product();
    (0..total)
        .filter_map(|mut index| {
            // The index's digits, one a field, the last field's changing fastest.
            let mut picks = [0usize; 5];
            for (place, size) in sizes.iter().enumerate().rev() {
                picks[place] = index % size;
                index /= size;
            }
            let pick = |field: Field| kind.fields().iter().position(|f| *f == field).map(|place| picks[place]);
            let mut targets = Struck {
                node: pick(Field::Node).map(|i| nodes[i]),
                service: pick(Field::Service).map(|i| services[i]),
                monitor: pick(Field::Monitor).map(|i| monitors[i]),
                group: pick(Field::Group).map(|i| groups[i]),
                resource: pick(Field::Resource).map(|i| resources[i]),
            };
            kind.build(&mut targets).ok()
        })
        .collect()
}
