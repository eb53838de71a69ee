//! The update modules a procedure applies: each one's components, their versions, the
//! services its installer stops and restarts, and the registry values it writes.
//! A procedure applies one module or several (`ModuleId`, their place in the file).

use crate::cluster::{ComponentId, RegistryValue, ServiceId};

/// Which of the procedure's modules: its place in the file, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ModuleId(pub u8);

impl ModuleId {
    /// Index into the procedure's `modules`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// An update module: what it installs and what its installer does.
#[derive(Debug, Clone)]
pub struct Module {
    /// Module id, `SSC0307-0006`.
    pub id: String,
    /// Archive file name, `SSC0307-0006.zip`.
    pub archive: String,
    /// Whether its installer asks for a restart when it finishes.
    pub asks_for_restart: bool,
    /// Components it updates.
    pub components: Vec<ModuleComponent>,
    /// Services that must be stopped before its installer runs (other components use the
    /// files it replaces); the installer fails while one of them runs.
    pub requires_stopped: Vec<ServiceId>,
}

impl Module {
    /// Whether any component writes registry values.
    pub fn writes_registry(&self) -> bool {
        self.components.iter().any(|component| !component.registry.is_empty())
    }

    /// The services the installer stops and restarts, over all components.
    pub fn services(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.components.iter().flat_map(|component| component.services.iter().copied())
    }
}

/// One component the module updates.
#[derive(Debug, Clone)]
pub struct ModuleComponent {
    /// The cluster's component.
    pub component: ComponentId,
    /// Version the module installs.
    pub version: String,
    /// Services the installer stops before exchanging files and restarts after.
    pub services: Vec<ServiceId>,
    /// Registry values the installer writes.
    pub registry: Vec<RegistryValue>,
}
