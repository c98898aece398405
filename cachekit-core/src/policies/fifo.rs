//! First in, first out.

use crate::arena::{Handle, Links, List};
use crate::policy::{Entries, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// The FIFO policy: evicts the entry inserted first.
///
/// Lookups do not change the order; re-inserting an existing key moves it
/// to the back, as in cachetools.
#[derive(Clone, Debug, Default)]
pub struct Fifo {
    /// Oldest insertion at the front.
    order: List,
}

impl Sealed for Fifo {}

impl<K, V> Policy<K, V> for Fifo {
    type Meta = Links;
    const RECORDS_HITS: bool = false;

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.push_back(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, _entries: &mut Entries<K, V, Links>, _handle: Handle) {}

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, Links>,
        handle: Handle,
        _old_weight: usize,
    ) {
        self.order.move_to_back(entries, handle);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.unlink(entries, handle);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, Links>) -> Option<Handle> {
        self.order.front()
    }

    fn clear(&mut self) {
        self.order.clear();
    }
}

/// A first-in-first-out cache (cachetools' `FIFOCache`).
///
/// When full, inserting a new key evicts the key inserted first. Lookups do
/// not reorder; re-inserting an existing key moves it to the back. All
/// operations are O(1). See [`PolicyCache`] for the shared API.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::FifoCache;
///
/// let mut cache = FifoCache::new(2);
/// cache.insert("a", 1);
/// cache.insert("b", 2);
/// cache.get("a"); // lookups do not protect "a"
/// cache.insert("c", 3); // evicts "a", the first in
/// assert!(!cache.contains_key("a"));
/// cache.insert("b", 20); // re-insert moves "b" behind "c"
/// assert_eq!(cache.pop_victim(), Some(("c", 3)));
/// ```
pub type FifoCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> = PolicyCache<K, V, Fifo, S, W>;

impl<K, V> FifoCache<K, V> {
    /// A FIFO cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Fifo::default())
    }
}
