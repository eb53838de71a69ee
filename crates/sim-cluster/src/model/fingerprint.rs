//! Fingerprints of states: the deterministic 64-bit hasher ([`FxHasher`], from
//! `procedure::shared`) and an open-addressing set of fingerprints. Deterministic by
//! construction (no random keys), so a search visits the same states in the same order on
//! every machine.

pub use procedure::shared::FxHasher;

/// A set of fingerprints: open addressing with linear probing; 0 marks an empty slot. A
/// fingerprint is kept in 63 bits (0 stored as 1); the top bit of its slot says whether the
/// state has branched (spawned its runs with one more fault). The set is [`TABLES`] tables,
/// each fingerprint in the one its bits 52 to 55 name, so that a table that grows holds its
/// old and new slots at once for a sixteenth of the set, not the whole of it (the seed at 4
/// faults grows at its last few states: 12 MiB of slots at that moment, 8.25 now).
#[derive(Debug, Clone)]
pub struct FingerprintSet {
    tables: Vec<Table>,
    len: usize,
}

/// How many tables a set is made of.
const TABLES: usize = 16;

/// One table of a set.
#[derive(Debug, Clone)]
struct Table {
    slots: Vec<u64>,
    len: usize,
}

/// What [`FingerprintSet::enter`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entered {
    /// A state not seen before.
    New,
    /// A state seen before; `branch` if it had not branched and now must.
    Seen {
        /// Branch now.
        branch: bool,
    },
}

const BRANCHED: u64 = 1 << 63;

fn key(fingerprint: u64) -> u64 {
    (fingerprint & !BRANCHED).max(1)
}

/// The table of a key: bits that no table's slot index reaches.
fn table_of(key: u64) -> usize {
    (key >> 52) as usize % TABLES
}

impl Default for FingerprintSet {
    fn default() -> FingerprintSet {
        FingerprintSet::with_capacity(1 << 10)
    }
}

impl FingerprintSet {
    /// An empty set with room for about `len` fingerprints before it grows.
    pub fn with_capacity(len: usize) -> FingerprintSet {
        let slots = (len.div_ceil(TABLES).max(1) * 4 / 3 + 1).next_power_of_two().max(8);
        let tables = (0..TABLES).map(|_| Table { slots: vec![0; slots], len: 0 }).collect();
        FingerprintSet { tables, len: 0 }
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a fingerprint, not branched; false if it was there already.
    pub fn insert(&mut self, fingerprint: u64) -> bool {
        self.enter(fingerprint, false) == Entered::New
    }

    /// Enters a state reached by a transition; `branches` if that transition is a fault
    /// point (the state spawns runs with one more fault). A state seen before branches
    /// only if it has not yet: a state first entered as a run's start (right after a fault)
    /// or by a transition that was not a fault point may still have to.
    pub fn enter(&mut self, fingerprint: u64, branches: bool) -> Entered {
        let key = key(fingerprint);
        let entered = self.tables[table_of(key)].enter(key, branches);
        if entered == Entered::New {
            self.len += 1;
        }
        entered
    }

    /// Whether it holds a fingerprint.
    pub fn contains(&self, fingerprint: u64) -> bool {
        let key = key(fingerprint);
        let table = &self.tables[table_of(key)];
        table.slots[table.slot(key)] != 0
    }

    /// Bytes it holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.tables.iter().map(|table| table.slots.len() * 8).sum()
    }
}

impl Table {
    /// The slot of a key: where it is, or the empty slot where it would go.
    fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = (key as usize) & mask;
        loop {
            match self.slots[index] {
                0 => return index,
                known if known & !BRANCHED == key => return index,
                _ => index = (index + 1) & mask,
            }
        }
    }

    fn enter(&mut self, key: u64, branches: bool) -> Entered {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let index = self.slot(key);
        let flag = if branches { BRANCHED } else { 0 };
        match self.slots[index] {
            0 => {
                self.slots[index] = key | flag;
                self.len += 1;
                Entered::New
            }
            known if branches && known & BRANCHED == 0 => {
                self.slots[index] = known | BRANCHED;
                Entered::Seen { branch: true }
            }
            _ => Entered::Seen { branch: false },
        }
    }

    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for slot in old.into_iter().filter(|&f| f != 0) {
            let index = self.slot(slot & !BRANCHED);
            self.slots[index] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_holds_each_fingerprint_once_across_growth() {
        let mut set = FingerprintSet::default();
        let mut x = 1u64;
        for _ in 0..100_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            assert!(set.insert(x));
        }
        assert_eq!(set.len(), 100_000);
        assert!(!set.insert(x));
        assert!(set.contains(x));
        assert!(!set.contains(x ^ 2), "a fingerprint never entered is not there");
        assert!(set.insert(0) && !set.insert(1), "0 is stored as 1");
        assert_eq!(set.enter(x, false), Entered::Seen { branch: false });
        assert_eq!(set.enter(x, true), Entered::Seen { branch: true }, "first entered without branching");
        assert_eq!(set.enter(x, true), Entered::Seen { branch: false }, "branched once");
        assert!(set.contains(x | 1 << 63), "the top bit is not part of a fingerprint");
    }
}
