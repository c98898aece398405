//! Most recently used.

use crate::arena::{Handle, Links, List};
use crate::policy::{Entries, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// The MRU policy: evicts the entry used most recently.
///
/// Uses are the same as for [`Lru`](crate::Lru). Useful for cyclic scans
/// larger than the cache, where the newest entry is the one needed last.
#[derive(Clone, Debug, Default)]
pub struct Mru {
    /// Most recent at the back.
    order: List,
}

impl Sealed for Mru {}

impl<K, V> Policy<K, V> for Mru {
    type Meta = Links;

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.push_back(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.move_to_back(entries, handle);
    }

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
        self.order.back()
    }

    fn clear(&mut self) {
        self.order.clear();
    }
}

/// A most-recently-used cache (cachetools' former `MRUCache`).
///
/// When full, inserting a new key evicts the entry used most recently
/// before it. A use is a `get`/`get_mut` hit or an `insert`. All
/// operations are O(1). See [`PolicyCache`] for the shared API.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::MruCache;
///
/// let mut cache = MruCache::new(2);
/// cache.insert("a", 1);
/// cache.insert("b", 2);
/// cache.get("a"); // "a" is now the most recent
/// cache.insert("c", 3); // evicts "a"
/// assert!(!cache.contains_key("a") && cache.contains_key("b"));
/// ```
pub type MruCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> = PolicyCache<K, V, Mru, S, W>;

impl<K, V> MruCache<K, V> {
    /// An MRU cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Mru::default())
    }
}
