//! The boundary between the engine and a cluster: operations as data, observations as data,
//! and the [`Backend`] trait that the simulator and the real backend implement.
//!
//! Operations return as soon as they are issued; slow ones (suspend, resume, group moves,
//! installs, reboots) leave Pending states that the engine polls with [`Backend::observe`]
//! and [`Backend::wait`] until its postcondition holds or a timeout passes.

use std::time::Duration;

use crate::cluster::NodeId;
use crate::event::Event;
pub use crate::observation::{
    ClusterService, GroupState, GroupStatus, Installer, InstallerFailure, Interruption, MonitorStatus, NodeState,
    Observation, Power, ResourceState, ResourceStatus, ServiceStatus, Watch, same_path,
};
pub use crate::operation::{Operation, Refusal, RestartAnswer};

/// Why a backend could not carry an operation out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The node does not answer.
    #[error("node {} is unreachable", .node.0)]
    Unreachable {
        /// The node.
        node: NodeId,
    },
    /// The cluster refused the operation in its current state.
    #[error("refused: {reason}")]
    Refused {
        /// The node that refused.
        node: NodeId,
        /// Why.
        reason: Refusal,
    },
    /// The operation ran and failed.
    #[error("failed: {message}")]
    Failed {
        /// The node where it failed.
        node: NodeId,
        /// What the command printed.
        message: String,
    },
}

/// A cluster the engine can act on: the simulator, or real nodes.
pub trait Backend {
    /// The current state. Unreachable nodes are marked, not an error; an error means
    /// nothing could be observed at all.
    fn observe(&mut self) -> Result<&Observation, BackendError>;

    /// Issues an operation; slow ones complete later.
    fn execute(&mut self, operation: &Operation) -> Result<(), BackendError>;

    /// Lets `length` of time pass (the simulator runs everything due in it in virtual time;
    /// a real backend sleeps).
    fn wait(&mut self, length: Duration);

    /// Time since the start of the run.
    fn now(&self) -> Duration;

    /// Notes that a step starts, so that traces and alert logs show where events belong.
    fn mark_step(&mut self, step: usize);

    /// Ground-truth events so far, where the backend knows them (the simulator does).
    fn events(&self) -> &[Event] {
        &[]
    }
}
