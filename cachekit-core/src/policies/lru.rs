//! Least recently used.

use crate::arena::{Handle, Links, List};
use crate::policies::shared_hits::SharedHits;
use crate::policy::{Entries, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// The LRU policy: evicts the entry used least recently.
///
/// A use is a `get`/`get_mut` hit or any `insert` of the key (new or
/// existing); `peek` and `contains_key` are not uses.
///
/// Inside a [`ConcurrentCache`](crate::ConcurrentCache), whose lookups
/// share the cache instead of locking it, a hit cannot move the entry: it
/// sets the entry's bit instead, and an entry about to be evicted whose bit
/// is set goes to the most recent end once more (a second chance, as in
/// CLOCK). Its order is then the order of the last use *or second chance*;
/// on the ARC paper's traces this keeps 0.0-0.6 points more hits than exact
/// LRU (a test checks it never loses more than 0.3).
#[derive(Clone, Debug, Default)]
pub struct Lru {
    /// Least recent at the front.
    order: List,
    /// Hits made through `&self` (inside a concurrent cache only).
    shared: SharedHits,
}

impl Sealed for Lru {}

impl<K, V> Policy<K, V> for Lru {
    type Meta = Links;
    const RECORDS_HITS: bool = false;

    fn share(&mut self, slots: usize) {
        self.shared.enable(slots);
    }

    #[inline]
    fn shared_hit(&self, handle: Handle) {
        self.shared.hit(handle);
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.push_back(entries, handle);
        self.shared.arrived(handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.move_to_back(entries, handle);
        if self.shared.enabled() {
            self.shared.take(handle);
        }
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, Links>,
        handle: Handle,
        _old_weight: usize,
    ) {
        self.order.move_to_back(entries, handle);
        if self.shared.enabled() {
            self.shared.take(handle);
        }
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        self.order.unlink(entries, handle);
    }

    #[inline]
    fn victim(&mut self, entries: &mut Entries<K, V, Links>) -> Option<Handle> {
        if !self.shared.enabled() {
            return self.order.front();
        }
        // Second chances: every set bit is taken once, so this ends (at
        // the latest with the first entry again, its bit taken).
        loop {
            let front = self.order.front()?;
            if !self.shared.take(front) {
                return Some(front);
            }
            self.order.move_to_back(entries, front);
        }
    }

    fn clear(&mut self) {
        self.order.clear();
        self.shared.clear();
    }

    fn allocated_bytes(&self) -> usize {
        self.shared.allocated_bytes()
    }
}

/// A least-recently-used cache (cachetools' `LRUCache`).
///
/// When full, inserting a new key evicts the entry used least recently; a
/// use is a `get`/`get_mut` hit or an `insert` of the key. `peek` and
/// `contains_key` look without using. All operations are O(1).
/// See [`PolicyCache`] for the API shared by every policy.
///
/// # Examples
///
/// ```
/// use cachekit_core::LruCache;
///
/// let mut cache = LruCache::new(2);
/// cache.insert("a", 1);
/// cache.insert("b", 2);
/// cache.get("a"); // "a" is now the most recent
/// cache.insert("c", 3); // evicts "b"
/// assert!(cache.contains_key("a") && !cache.contains_key("b"));
/// assert_eq!(cache.pop_victim(), Some(("a", 1)));
/// ```
pub type LruCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> = PolicyCache<K, V, Lru, S, W>;

impl<K, V> LruCache<K, V> {
    /// An LRU cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Lru::default())
    }
}
