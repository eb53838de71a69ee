//! A procedure: the typed steps (`steps`) and the file format that yields them (`file`).
//!
//! A `Procedure` only exists resolved against a [`crate::cluster::Cluster`]: its services,
//! groups and components are ids into that cluster, so a procedure that names a service the
//! cluster lacks never gets this far (see `procedure::file`). The types of its parts live
//! where they are defined and are named here too, as every user of a procedure reads them.

mod file;
mod steps;

pub use crate::action::{Action, ManualCheck, ServiceCheck};
pub use crate::module::{Module, ModuleComponent};
pub use crate::operation::RestartAnswer;
pub use crate::roles::Role;
pub use file::{load, schema};
pub use steps::{Condition, Note, Procedure, Step, StepJa};
