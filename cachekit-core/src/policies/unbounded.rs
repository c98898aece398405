//! No eviction.

use crate::arena::{Handle, Links, List};
use crate::policy::{Entries, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// The policy of a cache that never evicts on its own.
///
/// Entries stay in insertion order (a re-insert does not move them), which
/// is the order [`pop_victim`](PolicyCache::pop_victim) removes them in, as
/// cachetools' plain `Cache.popitem` does.
#[derive(Clone, Debug, Default)]
pub struct Unbounded {
    order: List,
}

impl Sealed for Unbounded {}

impl<K, V> Policy<K, V> for Unbounded {
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
        _entries: &mut Entries<K, V, Links>,
        _handle: Handle,
        _old_weight: usize,
    ) {
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

/// A cache without a size bound: a hash map with the cache API and
/// statistics (cachetools' plain `Cache` with an infinite `maxsize`).
///
/// `maxsize()` is `usize::MAX`. See [`PolicyCache`] for the shared API.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::UnboundedCache;
///
/// let mut cache = UnboundedCache::new();
/// for i in 0..1000 {
///     cache.insert(i, i * i);
/// }
/// assert_eq!(cache.len(), 1000);
/// assert_eq!(cache.get(&12), Some(&144));
/// assert_eq!(cache.pop_victim(), Some((0, 0))); // oldest insertion first
/// ```
pub type UnboundedCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, Unbounded, S, W>;

impl<K, V> UnboundedCache<K, V> {
    /// An empty unbounded cache.
    pub fn new() -> Self {
        Self::with_policy(usize::MAX, Unbounded::default())
    }
}

impl<K, V> Default for UnboundedCache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

/// An unbounded cache of the pairs, as [`insert`](PolicyCache::insert)
/// would store them one by one (a later pair for a key replaces an earlier
/// one). A bounded cache has no `FromIterator`: it needs its `maxsize`
/// (`let mut c = LruCache::new(n); c.extend(pairs)`).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::UnboundedCache;
///
/// let cache: UnboundedCache<&str, u32> = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
/// assert_eq!((cache.len(), cache.peek("a")), (2, Some(&3)));
/// ```
impl<K: core::hash::Hash + Eq, V> FromIterator<(K, V)> for UnboundedCache<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut cache = Self::new();
        cache.extend(iter);
        cache
    }
}
