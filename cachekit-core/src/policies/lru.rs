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
/// share the cache instead of locking it, a hit cannot move the entry, so
/// the policy becomes CLOCK, LRU's classic approximation: a use sets the
/// entry's bit, and eviction sweeps a hand over the entries, giving each
/// whose bit is set one more round (clearing it) and evicting the first
/// whose bit is clear. A new entry takes the slot the hand just left, so it
/// is the last the hand reaches, as the most recent end of an LRU list is.
/// On the ARC paper's traces this keeps 0.0-0.6 points more hits than exact
/// LRU (a test checks it never loses more than 0.3), and an eviction writes
/// no list.
#[derive(Clone, Debug, Default)]
pub struct Lru {
    /// Least recent at the front (unused inside a concurrent cache).
    order: List,
    /// Inside a concurrent cache: the entries' use bits...
    shared: SharedHits,
    /// ...and the CLOCK hand, the arena slot the next sweep looks at.
    hand: usize,
}

impl Lru {
    /// CLOCK's victim: the first occupied slot from the hand on whose bit
    /// is clear, clearing the bits it passes. Two sweeps at most: the first
    /// clears every bit it does not stop at.
    fn sweep<T>(&mut self, entries: &crate::arena::Arena<T>) -> Option<Handle> {
        let slots = entries.slots();
        if entries.is_empty() {
            return None;
        }
        for _ in 0..=2 * slots {
            if self.hand >= slots {
                self.hand = 0;
            }
            let index = self.hand;
            self.hand += 1;
            // A set bit is an occupied slot's (a removal clears it): the
            // arena is read only for the slots the bits do not settle.
            if self.shared.take_index(index) {
                continue;
            }
            // `index < slots <= Arena::MAX_LEN`: the raw handle fits.
            let raw = u32::try_from(index + 1).ok()?;
            if let Some(handle) = entries.occupied(raw) {
                return Some(handle);
            }
        }
        None
    }
}

impl Sealed for Lru {}

impl<K, V> Policy<K, V> for Lru {
    type Meta = Links;
    const RECORDS_HITS: bool = false;

    fn share(&mut self, slots: usize) {
        // From now on the order is the hand's: the list is dropped (its
        // links are never read again) and every entry starts unused.
        self.shared.enable(slots);
        self.order.clear();
        self.hand = 0;
    }

    #[inline]
    fn shared_hit(&self, handle: Handle) {
        self.shared.hit(handle);
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        if self.shared.enabled() {
            self.shared.arrived(handle);
        } else {
            self.order.push_back(entries, handle);
        }
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        if self.shared.enabled() {
            self.shared.hit(handle);
        } else {
            self.order.move_to_back(entries, handle);
        }
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, Links>,
        handle: Handle,
        _old_weight: usize,
    ) {
        if self.shared.enabled() {
            self.shared.hit(handle);
        } else {
            self.order.move_to_back(entries, handle);
        }
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, Links>, handle: Handle) {
        if self.shared.enabled() {
            // The slot will hold another entry: it must start unused.
            self.shared.take(handle);
        } else {
            self.order.unlink(entries, handle);
        }
    }

    #[inline]
    fn victim(&mut self, entries: &mut Entries<K, V, Links>) -> Option<Handle> {
        if self.shared.enabled() {
            self.sweep(entries)
        } else {
            self.order.front()
        }
    }

    fn clear(&mut self) {
        self.order.clear();
        self.shared.clear();
        self.hand = 0;
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
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LruCache;
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
