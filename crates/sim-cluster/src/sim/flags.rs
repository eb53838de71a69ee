//! A fixed-size set of flags packed into words: cheap to copy, and hashed a word per 64 flags.

/// Flags by index, all false at first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Flags {
    words: Vec<u64>,
}

impl Flags {
    /// `len` flags, all false.
    pub(super) fn new(len: usize) -> Flags {
        Flags { words: vec![0; len.div_ceil(64)] }
    }

    /// Whether flag `index` is set.
    pub(super) fn get(&self, index: usize) -> bool {
        self.words[index / 64] & (1 << (index % 64)) != 0
    }

    /// Sets or clears flag `index`.
    pub(super) fn set(&mut self, index: usize, on: bool) {
        let bit = 1 << (index % 64);
        if on {
            self.words[index / 64] |= bit;
        } else {
            self.words[index / 64] &= !bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_set_and_cleared_one_at_a_time() {
        let mut flags = Flags::new(130);
        for index in [0, 63, 64, 129] {
            assert!(!flags.get(index));
            flags.set(index, true);
            assert!(flags.get(index));
        }
        flags.set(64, false);
        assert!(!flags.get(64) && flags.get(63) && flags.get(129));
        assert_eq!(flags, {
            let mut other = Flags::new(130);
            [0, 63, 129].into_iter().for_each(|i| other.set(i, true));
            other
        });
    }
}
