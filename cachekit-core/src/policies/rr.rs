//! Random replacement.

use crate::arena::Handle;
use crate::policy::{Entries, EntryMeta, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Per-entry state of [`Rr`]: the entry's position in the key vector.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RrMeta {
    index: u32,
}

impl EntryMeta for RrMeta {}

/// The random-replacement policy: evicts an entry chosen uniformly at
/// random.
///
/// Keys sit in a vector in insertion order, removal swaps the last key into
/// the hole (as cachetools does); the victim is `keys[rng() % len]`. The
/// generator is wyrand: seed it with [`Rr::with_seed`] for reproducible
/// runs; [`Rr::default`] seeds it from the operating system.
#[derive(Clone, Debug)]
pub struct Rr {
    keys: Vec<Handle>,
    state: u64,
}

impl Default for Rr {
    /// A policy seeded from the operating system's randomness.
    fn default() -> Self {
        Self::with_seed(ahash::RandomState::new().hash_one(0x5eed_u64))
    }
}

impl Rr {
    /// A policy whose choices are a fixed function of `seed` and the
    /// sequence of operations.
    pub fn with_seed(seed: u64) -> Self {
        Rr {
            keys: Vec::new(),
            state: seed,
        }
    }

    /// wyrand (Wang Yi, public domain): one multiply, passes BigCrush.
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.state) * u128::from(self.state ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// A uniform index below `n` (Lemire's multiply-shift; `n > 0`).
    #[inline]
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

impl Sealed for Rr {}

impl<K, V> Policy<K, V> for Rr {
    type Meta = RrMeta;
    const RECORDS_HITS: bool = false;

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, RrMeta>, handle: Handle) {
        // The arena caps entries below u32::MAX, so the index fits.
        entries[handle].meta.index = self.keys.len() as u32;
        self.keys.push(handle);
    }

    #[inline]
    fn on_hit(&mut self, _entries: &mut Entries<K, V, RrMeta>, _handle: Handle) {}

    #[inline]
    fn on_update(
        &mut self,
        _entries: &mut Entries<K, V, RrMeta>,
        _handle: Handle,
        _old_weight: usize,
    ) {
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, RrMeta>, handle: Handle) {
        let index = entries[handle].meta.index as usize;
        self.keys.swap_remove(index);
        if let Some(&moved) = self.keys.get(index) {
            entries[moved].meta.index = index as u32;
        }
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, RrMeta>) -> Option<Handle> {
        if self.keys.is_empty() {
            return None;
        }
        let index = self.below(self.keys.len());
        Some(self.keys[index])
    }

    fn clear(&mut self) {
        self.keys.clear();
    }

    fn allocated_bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<Handle>()
    }
}

/// A random-replacement cache (cachetools' `RRCache`).
///
/// When full, inserting a new key evicts an entry chosen at random; lookups
/// and updates change nothing. All operations are O(1). See
/// [`PolicyCache`] for the shared API.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::RrCache;
///
/// let mut cache = RrCache::with_seed(100, 42); // reproducible choices
/// for i in 0..1000 {
///     cache.insert(i, i);
/// }
/// assert_eq!(cache.len(), 100);
/// assert!(cache.contains_key(&999)); // the newest entry is never the victim
/// ```
pub type RrCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> = PolicyCache<K, V, Rr, S, W>;

impl<K, V> RrCache<K, V> {
    /// A random-replacement cache holding at most `maxsize` entries, seeded
    /// from the operating system.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Rr::default())
    }

    /// A random-replacement cache whose evictions are reproducible from
    /// `seed`.
    pub fn with_seed(maxsize: usize, seed: u64) -> Self {
        Self::with_policy(maxsize, Rr::with_seed(seed))
    }
}
