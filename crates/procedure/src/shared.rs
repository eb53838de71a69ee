//! State that copies of a run share until one of them writes it, with its fingerprint
//! computed once per version.
//!
//! A model checker copies a run at every fault point and fingerprints it at every transition.
//! Most of a state does not change in a transition: a [`Shared`] part is copied by bumping a
//! count, and hashes as one word, its fingerprint cached until the next write. Every write
//! goes through [`Shared::make_mut`], which copies the part if another run still holds it and
//! forgets the cached fingerprint, so a stale fingerprint cannot be observed. Small lists of
//! flags are [`Flags`], held in place: copying them allocates nothing.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The Fx hash (as in rustc): a multiply and a rotate per word. Deterministic (no random
/// keys), so a search visits the same states in the same order on every machine. Not for
/// untrusted keys; the keys here are the simulator's own states.
#[derive(Debug, Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // A final mix, so that the low bits a table indexes by depend on every word.
        let mut x = self.hash;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// The fingerprint that `feed` writes into an [`FxHasher`], never 0: the caches of
/// fingerprints ([`Shared`], the model checker's) read 0 as "not known yet".
pub fn fingerprint_with(feed: impl FnOnce(&mut FxHasher)) -> u64 {
    let mut hasher = FxHasher::default();
    feed(&mut hasher);
    hasher.finish().max(1)
}

/// The fingerprint of a value ([`fingerprint_with`]).
fn fingerprint_of<T: Hash + ?Sized>(value: &T) -> u64 {
    fingerprint_with(|hasher| value.hash(hasher))
}

/// A value shared between copies until one of them writes it; see the module documentation.
/// It reads as the value (`Deref`), compares and prints as the value, and hashes as the
/// value's fingerprint.
pub struct Shared<T> {
    inner: Arc<Version<T>>,
}

struct Version<T> {
    value: T,
    /// The value's fingerprint once computed, 0 before. Copies of a run on several threads
    /// may compute it at once: they store the same number.
    fingerprint: AtomicU64,
}

impl<T: Clone> Clone for Version<T> {
    fn clone(&self) -> Version<T> {
        let fingerprint = AtomicU64::new(self.fingerprint.load(Ordering::Relaxed));
        Version { value: self.value.clone(), fingerprint }
    }
}

impl<T> Shared<T> {
    /// A value of its own.
    pub fn new(value: T) -> Shared<T> {
        Shared { inner: Arc::new(Version { value, fingerprint: AtomicU64::new(0) }) }
    }

    /// The value, to write: copied first if another copy of the state holds it too. The
    /// cached fingerprint is forgotten.
    pub fn make_mut(&mut self) -> &mut T
    where
        T: Clone,
    {
        let version = Arc::make_mut(&mut self.inner);
        *version.fingerprint.get_mut() = 0;
        &mut version.value
    }

    /// The value's fingerprint ([`fingerprint_of`]), computed once per
    /// version.
    pub fn fingerprint(&self) -> u64
    where
        T: Hash,
    {
        let known = self.inner.fingerprint.load(Ordering::Relaxed);
        if known != 0 {
            return known;
        }
        let computed = fingerprint_of(&self.inner.value);
        self.inner.fingerprint.store(computed, Ordering::Relaxed);
        computed
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared { inner: Arc::clone(&self.inner) }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner.value
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Shared<T> {
        Shared::new(value)
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Shared<T> {
        Shared::new(T::default())
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.value == other.inner.value
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: Hash> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint());
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.value.fmt(f)
    }
}

/// A fixed-size set of flags by index, all false at first, packed into words: copied without
/// an allocation up to 128 flags, and hashed a word per 64 flags. An index past its length is
/// a bug, caught in debug builds (the tests) as a list of bools would catch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flags {
    words: Words,
    len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Words {
    /// Up to 128 flags, held in place.
    Inline([u64; 2]),
    /// More.
    Heap(Vec<u64>),
}

impl Flags {
    /// `len` flags, all false.
    pub fn new(len: usize) -> Flags {
        let words = if len <= 128 { Words::Inline([0; 2]) } else { Words::Heap(vec![0; len.div_ceil(64)]) };
        Flags { words, len }
    }

    fn words(&self) -> &[u64] {
        match &self.words {
            Words::Inline(words) => words,
            Words::Heap(words) => words,
        }
    }

    fn words_mut(&mut self) -> &mut [u64] {
        match &mut self.words {
            Words::Inline(words) => words,
            Words::Heap(words) => words,
        }
    }

    /// Whether no flag is set.
    pub fn none(&self) -> bool {
        self.words().iter().all(|&word| word == 0)
    }

    /// Whether flag `index` is set.
    pub fn get(&self, index: usize) -> bool {
        debug_assert!(index < self.len, "flag {index} of {}", self.len);
        self.words()[index / 64] & (1 << (index % 64)) != 0
    }

    /// Whether flag `index` was set; clears it.
    pub fn take(&mut self, index: usize) -> bool {
        let was = self.get(index);
        self.set(index, false);
        was
    }

    /// Sets or clears flag `index`.
    pub fn set(&mut self, index: usize, on: bool) {
        debug_assert!(index < self.len, "flag {index} of {}", self.len);
        let bit = 1 << (index % 64);
        let word = &mut self.words_mut()[index / 64];
        if on {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }
}

/// As many flags as the iterator gives, each set where it gives true.
impl FromIterator<bool> for Flags {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> Flags {
        let bits: Vec<bool> = iter.into_iter().collect();
        let mut flags = Flags::new(bits.len());
        for (index, &on) in bits.iter().enumerate() {
            flags.set(index, on);
        }
        flags
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
        assert!(matches!(flags.words, Words::Heap(_)) && matches!(Flags::new(128).words, Words::Inline(_)));
        for index in [0, 63, 64, 129] {
            assert!(!flags.get(index));
            flags.set(index, true);
            assert!(flags.get(index));
        }
        assert!(flags.take(64) && !flags.take(64));
        assert!(!flags.none() && Flags::new(130).none());
        assert!(!flags.get(64) && flags.get(63) && flags.get(129));
        assert_eq!(flags, {
            let mut other = Flags::new(130);
            [0, 63, 129].into_iter().for_each(|i| other.set(i, true));
            other
        });
    }

    #[test]
    fn a_write_forgets_the_fingerprint_and_leaves_other_copies_alone() {
        let mut a = Shared::new(vec![1u8, 2, 3]);
        let before = a.fingerprint();
        assert_eq!(before, fingerprint_of(&vec![1u8, 2, 3]));
        let b = a.clone();
        a.make_mut()[0] = 9;
        assert_eq!(*b, vec![1, 2, 3], "the other copy keeps its version");
        assert_eq!(b.fingerprint(), before);
        assert_eq!(a.fingerprint(), fingerprint_of(&vec![9u8, 2, 3]));
        assert_ne!(a.fingerprint(), before);
        a.make_mut()[0] = 1;
        assert_eq!(a.fingerprint(), before, "equal values, equal fingerprints");
        assert_eq!(a, b);
    }

    #[test]
    fn the_hasher_reads_every_byte_of_a_short_tail() {
        let hash = |bytes: &[u8]| {
            let mut hasher = FxHasher::default();
            hasher.write(bytes);
            hasher.finish()
        };
        // A trailing zero is told apart by the tail's length...
        assert_ne!(hash(&[1, 2, 3]), hash(&[1, 2, 3, 0]));
        // ...and every byte of the tail counts, after whole words too.
        for changed in [[9, 2, 3], [1, 9, 3], [1, 2, 9]] {
            assert_ne!(hash(&[1, 2, 3]), hash(&changed), "{changed:?}");
        }
        assert_ne!(hash(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]), hash(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4]));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "flag 5 of 5")]
    fn an_index_past_the_flags_is_caught() {
        Flags::new(5).set(5, true);
    }
}
