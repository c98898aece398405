//! Adaptive replacement (ARC): the [`Adaptive`] policy of [`ArcCache`].

use crate::arena::{linked_by, Handle, Links, List};
use crate::policies::history::exact_ghosts::ExactGhosts;
use crate::policies::history::Side;
use crate::policy::{Entries, EntryMeta, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// The ARC policy: adaptive replacement.
///
/// Nimrod Megiddo and Dharmendra S. Modha, "ARC: A Self-Tuning, Low
/// Overhead Replacement Cache," USENIX Conference on File and Storage
/// Technologies (FAST 03), San Francisco, CA, pp. 115-130, March 31 -
/// April 2, 2003.
///
/// The cache is split into `T1` (keys seen once recently) and `T2` (keys
/// seen at least twice), each in LRU order, and remembers the keys it
/// evicted from each in two ghost lists `B1` and `B2` (hashes only, no
/// values). A miss on a key in `B1` means `T1` was too small: the target
/// size `p` of `T1` grows; a miss on a key in `B2` shrinks it. Eviction
/// takes `T1`'s least recent entry while `T1` is over `p`, else `T2`'s. So
/// the split between recency and frequency follows the workload, and a scan
/// (keys seen once) can only flush `T1`.
///
/// Sizes are weights: with unit weights this is the paper's algorithm
/// exactly (its OLTP table is reproduced by `benches/examples/hit_ratio`).
#[derive(Clone, Debug, Default)]
pub struct Adaptive {
    /// Resident, seen once recently; least recent first.
    t1: List,
    /// Resident, seen at least twice; least recent first.
    t2: List,
    t1_size: usize,
    t2_size: usize,
    /// Target size of `T1` (fractional, as in the paper).
    p: f64,
    /// Evicted keys, by hash, least recent first: `B1` is
    /// [`Side::First`], `B2` [`Side::Second`].
    ghosts: ExactGhosts,
    /// Where the key being inserted comes from.
    incoming: Incoming,
    /// The next eviction takes `T1`'s LRU entry and remembers nothing
    /// (ARC's case IV.A with `T1` full).
    evict_t1_forgetting: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Incoming {
    #[default]
    New,
    FromB1,
    FromB2,
}

/// An entry's list (`T1` or `T2`).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct AdaptiveMeta {
    links: Links,
    frequent: bool,
}

impl EntryMeta for AdaptiveMeta {}

linked_by!(AdaptiveMeta, links);

impl Adaptive {
    fn link<K, V>(
        &mut self,
        entries: &mut Entries<K, V, AdaptiveMeta>,
        handle: Handle,
        frequent: bool,
    ) {
        let weight = entries[handle].weight;
        entries[handle].meta.frequent = frequent;
        if frequent {
            self.t2.push_back(entries, handle);
            self.t2_size += weight;
        } else {
            self.t1.push_back(entries, handle);
            self.t1_size += weight;
        }
    }

    /// Unlinks the entry at `handle`, which counted `weight` in its list.
    fn unlink<K, V>(
        &mut self,
        entries: &mut Entries<K, V, AdaptiveMeta>,
        handle: Handle,
        weight: usize,
    ) {
        if entries[handle].meta.frequent {
            self.t2.unlink(entries, handle);
            self.t2_size -= weight;
        } else {
            self.t1.unlink(entries, handle);
            self.t1_size -= weight;
        }
    }
}

impl Sealed for Adaptive {}

impl<K, V> Policy<K, V> for Adaptive {
    type Meta = AdaptiveMeta;

    fn before_insert(
        &mut self,
        _entries: &Entries<K, V, AdaptiveMeta>,
        hash: u64,
        weight: usize,
        maxsize: usize,
    ) {
        let c = maxsize;
        self.evict_t1_forgetting = false;
        self.incoming = Incoming::New;
        let (b1_size, b2_size) = (
            self.ghosts.weight(Side::First),
            self.ghosts.weight(Side::Second),
        );
        if let Some(ghost) = self.ghosts.find(hash) {
            let step = self.ghosts.balance(ghost.side()) * ghost.weight() as f64;
            if ghost.side() == Side::Second {
                // Case III: T2 was too small.
                self.p = (self.p - step).max(0.0);
                self.incoming = Incoming::FromB2;
            } else {
                // Case II: T1 was too small.
                self.p = (self.p + step).min(c as f64);
                self.incoming = Incoming::FromB1;
            }
            self.ghosts.forget(ghost);
            return;
        }
        // Case IV: a key not seen recently. (Saturating sums: sizes and
        // weights may come close to `usize::MAX`.)
        let t1_and_new = self.t1_size.saturating_add(weight);
        if t1_and_new.saturating_add(b1_size) > c {
            if t1_and_new <= c || self.t1.front().is_none() {
                self.ghosts.trim(Side::First, c.saturating_sub(t1_and_new));
            } else {
                self.evict_t1_forgetting = true;
            }
        } else {
            let mut total = self
                .t1_size
                .saturating_add(self.t2_size)
                .saturating_add(b1_size)
                .saturating_add(b2_size);
            while total.saturating_add(weight) > c.saturating_mul(2) {
                let Some(oldest) = self.ghosts.forget_oldest(Side::Second) else {
                    break;
                };
                total = total.saturating_sub(oldest);
            }
        }
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, AdaptiveMeta>, handle: Handle) {
        let frequent = self.incoming != Incoming::New;
        self.incoming = Incoming::New;
        self.evict_t1_forgetting = false;
        self.link(entries, handle, frequent);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, AdaptiveMeta>, handle: Handle) {
        // Case I: move to the most recent end of T2.
        self.unlink(entries, handle, entries[handle].weight);
        self.link(entries, handle, true);
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, AdaptiveMeta>,
        handle: Handle,
        old_weight: usize,
    ) {
        self.unlink(entries, handle, old_weight);
        self.link(entries, handle, true);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, AdaptiveMeta>, handle: Handle) {
        self.unlink(entries, handle, entries[handle].weight);
    }

    fn victim(&mut self, entries: &mut Entries<K, V, AdaptiveMeta>) -> Option<Handle> {
        if self.evict_t1_forgetting {
            self.evict_t1_forgetting = false;
            if let Some(handle) = self.t1.front() {
                return Some(handle);
            }
        }
        // REPLACE(p).
        let from_t1 = self.t1.front().is_some()
            && (self.t1_size as f64 > self.p
                || (self.incoming == Incoming::FromB2 && self.t1_size as f64 >= self.p)
                || self.t2.front().is_none());
        let handle = if from_t1 {
            self.t1.front()?
        } else {
            self.t2.front()?
        };
        let node = &entries[handle];
        let side = if from_t1 { Side::First } else { Side::Second };
        self.ghosts.remember(node.hash, node.weight, side);
        Some(handle)
    }

    fn clear(&mut self) {
        *self = Adaptive::default();
    }

    fn allocated_bytes(&self) -> usize {
        self.ghosts.allocated_bytes()
    }
}

/// An adaptive replacement cache (ARC): balances recency and frequency by
/// itself and resists scans (see the [policy docs](Adaptive) for
/// the algorithm and its paper).
///
/// Beyond the entries, it remembers the hashes of up to `maxsize` recently
/// evicted keys (about 40 bytes each). All operations are O(1).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::ArcCache;
///
/// let mut cache = ArcCache::new(3);
/// cache.insert("hot", 1);
/// cache.get("hot"); // seen twice: kept apart from one-time keys
/// for key in ["a", "b", "c", "d", "e"] {
///     cache.insert(key, 0); // a scan of keys seen once
/// }
/// assert!(cache.contains_key("hot"));
/// ```
pub type ArcCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, Adaptive, S, W>;

impl<K, V> ArcCache<K, V> {
    /// An ARC cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Adaptive::default())
    }
}
