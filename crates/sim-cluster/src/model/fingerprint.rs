//! Fingerprints of states: the deterministic 64-bit hasher ([`FxHasher`], from
//! `procedure::shared`) and an open-addressing set of fingerprints. Deterministic by
//! construction (no random keys), so a search visits the same states in the same order on
//! every machine.

pub use procedure::shared::FxHasher;

/// A set of fingerprints: open addressing with linear probing; 0 marks an empty slot (the
/// fingerprint 0 is stored as 1).
#[derive(Debug, Clone)]
pub struct FingerprintSet {
    slots: Vec<u64>,
    len: usize,
}

impl Default for FingerprintSet {
    fn default() -> FingerprintSet {
        FingerprintSet { slots: vec![0; 1 << 12], len: 0 }
    }
}

impl FingerprintSet {
    /// An empty set with room for about `len` fingerprints before it grows.
    pub fn with_capacity(len: usize) -> FingerprintSet {
        let slots = (len.max(1) * 4 / 3 + 1).next_power_of_two().max(8);
        FingerprintSet { slots: vec![0; slots], len: 0 }
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a fingerprint; false if it was there already.
    pub fn insert(&mut self, fingerprint: u64) -> bool {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let fingerprint = fingerprint.max(1);
        let mask = self.slots.len() - 1;
        let mut index = (fingerprint as usize) & mask;
        loop {
            match self.slots[index] {
                0 => {
                    self.slots[index] = fingerprint;
                    self.len += 1;
                    return true;
                }
                known if known == fingerprint => return false,
                _ => index = (index + 1) & mask,
            }
        }
    }

    /// Whether it holds a fingerprint.
    pub fn contains(&self, fingerprint: u64) -> bool {
        let fingerprint = fingerprint.max(1);
        let mask = self.slots.len() - 1;
        let mut index = (fingerprint as usize) & mask;
        loop {
            match self.slots[index] {
                0 => return false,
                known if known == fingerprint => return true,
                _ => index = (index + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for fingerprint in old.into_iter().filter(|&f| f != 0) {
            self.insert(fingerprint);
        }
    }

    /// Bytes it holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.slots.len() * 8
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
        assert!(!set.contains(x ^ 1) || set.len() == 100_000);
        assert!(set.insert(0) && !set.insert(1), "0 is stored as 1");
    }
}
