//! Interned registry ids: a value's place (`SlotId`, key and value name) and a data string
//! (`DataId`), so that registries are small vectors of ids and comparing two is cheap. The
//! tables behind them are in [`crate::setup::Setup`], which also says what the module
//! writes ([`ComponentWrites`]), here so that what judges a node can read it.

use crate::cluster::ComponentId;

/// A registry value's place: key path and value name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotId(pub u16);

/// An interned registry data string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataId(pub u16);

impl SlotId {
    /// Index into [`Setup::registry`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The registry values one module component writes.
#[derive(Debug, Clone)]
pub struct ComponentWrites {
    /// The component.
    pub component: ComponentId,
    /// `(slot, data)` pairs, in file order.
    pub writes: Vec<(SlotId, DataId)>,
}
