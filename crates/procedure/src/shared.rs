//! State that copies of a run share until one of them writes it, with its fingerprint
//! computed once per version.
//!
//! A model checker copies a run at every fault point and fingerprints it at every transition.
//! Most of a state does not change in a transition: a [`Shared`] part is copied by bumping a
//! count, and hashes as one word, its fingerprint cached until the next write. Every write
//! goes through [`Shared::make_mut`], which copies the part if another run still holds it and
//! forgets the cached fingerprint, so a stale fingerprint cannot be observed.

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

/// The fingerprint of a value with [`FxHasher`].
pub fn fingerprint_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
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

    /// The value's fingerprint ([`fingerprint_of`], with 0 read as 1), computed once per
    /// version.
    pub fn fingerprint(&self) -> u64
    where
        T: Hash,
    {
        let known = self.inner.fingerprint.load(Ordering::Relaxed);
        if known != 0 {
            return known;
        }
        let computed = fingerprint_of(&self.inner.value).max(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_forgets_the_fingerprint_and_leaves_other_copies_alone() {
        let mut a = Shared::new(vec![1u8, 2, 3]);
        let before = a.fingerprint();
        assert_eq!(before, fingerprint_of(&vec![1u8, 2, 3]).max(1));
        let b = a.clone();
        a.make_mut()[0] = 9;
        assert_eq!(*b, vec![1, 2, 3], "the other copy keeps its version");
        assert_eq!(b.fingerprint(), before);
        assert_eq!(a.fingerprint(), fingerprint_of(&vec![9u8, 2, 3]).max(1));
        assert_ne!(a.fingerprint(), before);
        a.make_mut()[0] = 1;
        assert_eq!(a.fingerprint(), before, "equal values, equal fingerprints");
        assert_eq!(a, b);
    }

    #[test]
    fn the_hasher_reads_every_byte_of_a_short_tail() {
        let mut a = FxHasher::default();
        a.write(&[1, 2, 3]);
        let mut b = FxHasher::default();
        b.write(&[1, 2, 3, 0]);
        assert_ne!(a.finish(), b.finish());
    }
}
