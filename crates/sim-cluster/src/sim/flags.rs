//! A fixed-size set of flags packed into words: copied without an allocation up to 128
//! flags, and hashed a word per 64 flags.

use std::hash::{Hash, Hasher};

/// Flags by index, all false at first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Flags {
    /// Up to 128 flags, held in place.
    Inline([u64; 2]),
    /// More.
    Heap(Vec<u64>),
}

impl Flags {
    /// `len` flags, all false.
    pub(super) fn new(len: usize) -> Flags {
        if len <= 128 { Flags::Inline([0; 2]) } else { Flags::Heap(vec![0; len.div_ceil(64)]) }
    }

    fn words(&self) -> &[u64] {
        match self {
            Flags::Inline(words) => words,
            Flags::Heap(words) => words,
        }
    }

    fn words_mut(&mut self) -> &mut [u64] {
        match self {
            Flags::Inline(words) => words,
            Flags::Heap(words) => words,
        }
    }

    /// Whether flag `index` is set.
    pub(super) fn get(&self, index: usize) -> bool {
        self.words()[index / 64] & (1 << (index % 64)) != 0
    }

    /// Whether flag `index` was set; clears it.
    pub(super) fn take(&mut self, index: usize) -> bool {
        let was = self.get(index);
        self.set(index, false);
        was
    }

    /// Sets or clears flag `index`.
    pub(super) fn set(&mut self, index: usize, on: bool) {
        let bit = 1 << (index % 64);
        let word = &mut self.words_mut()[index / 64];
        if on {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }
}

impl Hash for Flags {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for &word in self.words() {
            state.write_u64(word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_set_and_cleared_one_at_a_time() {
        let mut flags = Flags::new(130);
        assert!(matches!(flags, Flags::Heap(_)) && matches!(Flags::new(128), Flags::Inline(_)));
        for index in [0, 63, 64, 129] {
            assert!(!flags.get(index));
            flags.set(index, true);
            assert!(flags.get(index));
        }
        assert!(flags.take(64) && !flags.take(64));
        assert!(!flags.get(64) && flags.get(63) && flags.get(129));
        assert_eq!(flags, {
            let mut other = Flags::new(130);
            [0, 63, 129].into_iter().for_each(|i| other.set(i, true));
            other
        });
    }
}
