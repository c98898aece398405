//! [`PolicyCache`]: the map, arena and size accounting shared by every policy.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use std::sync::Arc;

use equivalent::Equivalent;
use hashbrown::HashTable;

use crate::arena::{self, Arena, Handle};
use std::time::Instant;

use crate::time::moment::Moment;

use crate::policy::{EntryMeta, Node, Policy, Timed};
use crate::time::frozen::{Frozen, Thaw};
use crate::{CacheStats, Clock, DefaultHashBuilder, NotStored, TooLarge, UnitWeigher, Weigher};

/// Why an entry left a cache without being handed back to the caller.
///
/// See [`Builder::listener`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemovalCause {
    /// The policy evicted the entry to make room for another.
    Evicted,
    /// [`PolicyCache::insert`] refused the entry because it weighs more than
    /// `maxsize` (use [`PolicyCache::try_insert`] to get it back instead).
    TooLarge,
    /// The entry's deadline passed ([`TtlCache`](crate::TtlCache),
    /// [`TlruCache`](crate::TlruCache)); also an inserted entry whose
    /// deadline had passed on arrival, which is not stored.
    Expired,
    /// [`PolicyCache::put`] stored a new value for the key; this is the
    /// value it replaced (with the key passed to `put`).
    Replaced,
    /// Removed on request: by [`PolicyCache::discard`], or rejected by
    /// [`PolicyCache::retain`]'s predicate.
    Removed,
}

/// A callback told about every entry that leaves a cache without being
/// handed back to the caller, and why ([`RemovalCause`]): evicted to make
/// room, expired, refused by `insert` as too large, replaced by `put`, or
/// removed by `discard` or `retain`.
///
/// Entries the caller gets back (`remove`, `pop_victim`, the old value that
/// `insert` returns) are not reported, nor are values `extend` replaces
/// (as `HashMap::extend`) or `clear`, which drops every entry at once.
pub type Listener<K, V> = Arc<dyn Fn(K, V, RemovalCause) + Send + Sync>;

/// A bounded cache with eviction policy `P`, hasher `S` and weigher `W`.
///
/// Use it through the policy aliases: [`LruCache`](crate::LruCache),
/// [`LfuCache`](crate::LfuCache), [`FifoCache`](crate::FifoCache),
/// [`MruCache`](crate::MruCache), [`RrCache`](crate::RrCache) and
/// [`UnboundedCache`](crate::UnboundedCache). Everything below works the
/// same for every policy; the policy only decides which entry is evicted and
/// what counts as a use.
///
/// # Sizes
///
/// Each entry has a weight, 1 unless the cache was built with a
/// [`Weigher`]. `currsize()` is the sum of the weights and never exceeds
/// `maxsize()`. Inserting a new key evicts entries in policy order until it
/// fits. Replacing a key's value with a heavier one evicts in policy order
/// until the new weight fits, and may evict that very key on the way (then
/// the new value is stored as a new entry). An entry heavier than `maxsize`
/// is refused and the cache is left unchanged: [`try_insert`](Self::try_insert)
/// returns it in a [`TooLarge`] error, [`insert`](Self::insert) hands it to
/// the listener. `maxsize = 0` is legal and stores nothing of weight > 0.
///
/// # Cost
///
/// `get`, `peek`, `insert`, `remove` and each eviction are O(1) for every
/// policy: one hash-table probe, a few arena slots touched. Entries live in
/// one arena with a free list, so a full cache evicting one entry per insert
/// does not allocate. A lookup takes any `Q: Hash + Equivalent<K>` (every
/// `Q` that `K` borrows as, and [`KeyRef`](crate::KeyRef) for tuples of
/// borrowed parts), so a hit never clones or allocates a key.
///
/// # Iteration order
///
/// `iter`, `keys`, `values` and `Debug` visit entries in storage order,
/// which is neither insertion nor eviction order. [`pop_victim`](Self::pop_victim)
/// removes entries in eviction order.
pub struct PolicyCache<K, V, P: Policy<K, V>, S = DefaultHashBuilder, W = UnitWeigher> {
    entries: Arena<Node<K, V, P::Meta>>,
    table: HashTable<Handle>,
    hasher: S,
    weigher: W,
    policy: P,
    maxsize: usize,
    currsize: usize,
    stats: CacheStats,
    listener: Option<Listener<K, V>>,
}

/// Configures a [`PolicyCache`] before building it; start from a policy
/// alias's `builder` function, e.g. [`LruCache::builder`](crate::LruCache::builder).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::sync::{Arc, Mutex};
/// use cachekit::{LruCache, RemovalCause};
///
/// let evicted = Arc::new(Mutex::new(Vec::new()));
/// let log = Arc::clone(&evicted);
/// let mut cache = LruCache::builder(10)
///     .weigher(|_: &u32, v: &Vec<u8>| v.len())
///     .listener(move |key, _value, cause| log.lock().unwrap().push((key, cause)))
///     .build();
/// cache.insert(1, vec![0; 6]);
/// cache.insert(2, vec![0; 6]); // 12 > 10: evicts 1
/// cache.insert(3, vec![0; 11]); // heavier than maxsize: refused
/// assert_eq!(
///     *evicted.lock().unwrap(),
///     [(1, RemovalCause::Evicted), (3, RemovalCause::TooLarge)]
/// );
/// ```
pub struct Builder<K, V, P, S = DefaultHashBuilder, W = UnitWeigher> {
    maxsize: usize,
    capacity: usize,
    pub(crate) policy: P,
    hasher: S,
    weigher: W,
    listener: Option<Listener<K, V>>,
}

impl<K, V, P: Policy<K, V>> Builder<K, V, P> {
    /// A builder for a cache with `policy`.
    pub(crate) fn new(maxsize: usize, policy: P) -> Self {
        Builder {
            maxsize,
            capacity: 0,
            policy,
            hasher: DefaultHashBuilder::default(),
            weigher: UnitWeigher,
            listener: None,
        }
    }
}

impl<K, V, P: Policy<K, V>, S, W> Builder<K, V, P, S, W> {
    /// Weighs entries with `weigher` instead of counting them.
    pub fn weigher<W2: Weigher<K, V>>(self, weigher: W2) -> Builder<K, V, P, S, W2> {
        Builder {
            maxsize: self.maxsize,
            capacity: self.capacity,
            policy: self.policy,
            hasher: self.hasher,
            weigher,
            listener: self.listener,
        }
    }

    /// Hashes keys with `hasher` instead of ahash.
    pub fn hasher<S2: BuildHasher>(self, hasher: S2) -> Builder<K, V, P, S2, W> {
        Builder {
            maxsize: self.maxsize,
            capacity: self.capacity,
            policy: self.policy,
            hasher,
            weigher: self.weigher,
            listener: self.listener,
        }
    }

    /// Calls `listener` with every entry that is evicted or refused; see
    /// [`Listener`].
    pub fn listener(
        mut self,
        listener: impl Fn(K, V, RemovalCause) + Send + Sync + 'static,
    ) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// Reserves room for `capacity` entries up front (the cache otherwise
    /// grows as entries arrive).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Uses `policy` (e.g. a seeded [`Rr`](crate::Rr)).
    pub fn policy(mut self, policy: P) -> Self {
        self.policy = policy;
        self
    }

    /// Builds the cache.
    pub fn build(self) -> PolicyCache<K, V, P, S, W> {
        // A policy handed in may be a clone of another cache's, with
        // handles into that cache's arena: start it empty.
        let mut policy = self.policy;
        policy.clear();
        PolicyCache {
            entries: Arena::with_capacity(self.capacity),
            table: HashTable::with_capacity(self.capacity),
            hasher: self.hasher,
            weigher: self.weigher,
            policy,
            maxsize: self.maxsize,
            currsize: 0,
            stats: CacheStats::default(),
            listener: self.listener,
        }
    }
}

impl<K, V, P: Policy<K, V>> PolicyCache<K, V, P> {
    /// A cache holding at most `maxsize` entries with the default policy
    /// state, ahash and unit weights.
    pub(crate) fn with_policy(maxsize: usize, policy: P) -> Self {
        Builder::new(maxsize, policy).build()
    }
}

impl<K, V, P: Policy<K, V> + Default> PolicyCache<K, V, P> {
    /// A builder for a cache of total weight at most `maxsize`.
    pub fn builder(maxsize: usize) -> Builder<K, V, P> {
        Builder::new(maxsize, P::default())
    }

    /// A cache of total weight at most `maxsize` whose entries weigh what
    /// `weigher` says (cachetools' `getsizeof`).
    pub fn with_weigher<W: Weigher<K, V>>(
        maxsize: usize,
        weigher: W,
    ) -> PolicyCache<K, V, P, DefaultHashBuilder, W> {
        Self::builder(maxsize).weigher(weigher).build()
    }

    /// A cache holding at most `maxsize` entries, hashing keys with `hasher`.
    pub fn with_hasher<S: BuildHasher>(maxsize: usize, hasher: S) -> PolicyCache<K, V, P, S> {
        Self::builder(maxsize).hasher(hasher).build()
    }
}

impl<K, V, P: Policy<K, V>, S, W> PolicyCache<K, V, P, S, W> {
    /// The largest total weight the cache holds.
    #[inline]
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// The total weight of the entries (their number with unit weights).
    /// Expired entries do not count; see [`len`](Self::len) for the cost.
    #[inline]
    pub fn currsize(&self) -> usize {
        self.currsize - self.expired_totals().1
    }

    /// Number of entries; expired entries do not count.
    ///
    /// O(1) without expiry. For [`TtlCache`](crate::TtlCache) and
    /// [`TlruCache`](crate::TlruCache) the expired entries still stored
    /// are counted from their timer wheel's bucket totals, at most 7 × 64
    /// of them, however many entries have expired; entries are looked at
    /// only in a bucket the current instant falls inside (at level 0,
    /// those due within 65.5 µs of it; a bucket of a higher level when no
    /// write has moved the wheel since time entered that bucket).
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len() - self.expired_totals().0
    }

    /// Whether the cache holds no (live) entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number and total weight of the entries that have expired but are
    /// still stored (always zero for policies without expiry).
    #[inline]
    fn expired_totals(&self) -> (usize, usize) {
        if P::EXPIRES {
            self.expired_totals_at(self.policy.now())
        } else {
            (0, 0)
        }
    }

    /// [`expired_totals`](Self::expired_totals) at a given instant, so that
    /// a caller that also filters entries sees one instant throughout.
    #[inline]
    fn expired_totals_at(&self, now: Option<Moment>) -> (usize, usize) {
        match (P::EXPIRES, now) {
            (true, Some(now)) => self.policy.expired_totals(&self.entries, now),
            _ => (0, 0),
        }
    }

    /// Hit, miss and eviction counts since creation or the last
    /// [`reset_stats`](Self::reset_stats).
    #[inline]
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Sets every counter of [`stats`](Self::stats) back to zero.
    pub fn reset_stats(&mut self) {
        self.stats = CacheStats::default();
    }

    /// Hashes keys with `hasher` from now on, if it is of this cache's
    /// hasher type and the cache is empty (a concurrent cache makes its
    /// shards hash as it does, to hash each key once); whether it did.
    pub(crate) fn adopt_hasher(&mut self, hasher: &dyn core::any::Any) -> bool
    where
        S: Clone + 'static,
    {
        match hasher.downcast_ref::<S>() {
            Some(hasher) if self.entries.slots() == 0 => {
                self.hasher = hasher.clone();
                true
            }
            _ => false,
        }
    }

    /// Prepares the policy for lookups through `&self` (a concurrent
    /// cache's `peek_hit`).
    pub(crate) fn share(&mut self) {
        self.policy.share(self.entries.slots());
    }

    /// The policy state (e.g. to inspect an [`Lfu`](crate::Lfu)).
    pub fn policy(&self) -> &P {
        &self.policy
    }

    #[cfg(test)]
    pub(crate) fn policy_mut(&mut self) -> &mut P {
        &mut self.policy
    }

    pub(crate) fn entries(&self) -> &Arena<Node<K, V, P::Meta>> {
        &self.entries
    }

    /// The hasher keys are hashed with.
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// The weigher entries are weighed with.
    pub fn weigher(&self) -> &W {
        &self.weigher
    }

    /// Removes every entry, keeping the allocations; O(n) drops, O(1)
    /// otherwise.
    ///
    /// Statistics are kept, as a map's `clear` leaves what was counted
    /// about it: hits and misses describe the cache's use so far, not its
    /// contents; [`reset_stats`](Self::reset_stats) starts them over. (A
    /// memoized function's `name::clear()` does both: it is cachetools'
    /// `cache_clear()`, which resets `cache_info()`.)
    pub fn clear(&mut self) {
        // Forget every handle before the entries go: dropping a key or
        // value may panic, and no handle may outlive its slot.
        self.table.clear();
        self.policy.clear();
        self.currsize = 0;
        self.entries.clear();
    }

    /// Iterates over the live `(&key, &value)` pairs in storage order; not
    /// a use. The whole iteration sees one instant.
    pub fn iter(&self) -> Iter<'_, K, V, P::Meta> {
        let now = self.policy.now();
        Iter {
            inner: self.entries.iter(),
            len: self.entries.len() - self.expired_totals_at(now).0,
            now,
        }
    }

    /// Iterates over the keys in storage order; not a use.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &K> + '_ {
        self.iter().map(|(key, _)| key)
    }

    /// Iterates over the values in storage order; not a use.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.iter().map(|(_, value)| value)
    }

    /// Iterates over `(&key, &mut value)` in storage order; not a use, and
    /// weights are not recomputed.
    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (&K, &mut V)> + '_ {
        let now = self.policy.now();
        let len = self.entries.len() - self.expired_totals_at(now).0;
        ExactLen {
            inner: self
                .entries
                .iter_mut()
                .filter(move |(_, node)| node.meta.is_live(now))
                .map(|(_, node)| (&node.key, &mut node.value)),
            len,
        }
    }

    /// Iterates over the values mutably in storage order; not a use.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> + '_ {
        self.iter_mut().map(|(_, value)| value)
    }

    /// Removes and returns the entry the policy would evict next
    /// (cachetools' `popitem`), or `None` when the cache is empty.
    ///
    /// Not counted as an eviction and not reported to the listener.
    /// Expiring caches first remove what has expired.
    pub fn pop_victim(&mut self) -> Option<(K, V)> {
        self.expire_now();
        let handle = self.policy.victim(&mut self.entries)?;
        let node = self.remove_handle(handle);
        Some((node.key, node.value))
    }

    /// Keeps only the entries for which `keep` returns `true`; O(n).
    /// Removed entries are not evictions: they go to the listener as
    /// [`RemovalCause::Removed`]. Expiring caches first remove what has
    /// expired.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.expire_now();
        for handle in self.entries.handles() {
            let node = &mut self.entries[handle];
            if !keep(&node.key, &mut node.value) {
                let node = self.remove_handle(handle);
                self.report(node.key, node.value, RemovalCause::Removed);
            }
        }
    }

    /// Bytes of heap memory held by the arena, the hash table and the
    /// policy's own state (ghost lists, a frequency sketch), not counting
    /// what keys and values own themselves.
    pub fn allocated_bytes(&self) -> usize {
        self.entries.allocated_bytes()
            + self.table.allocation_size()
            + self.policy.allocated_bytes()
    }

    #[inline(always)]
    fn remove_handle(&mut self, handle: Handle) -> Node<K, V, P::Meta> {
        self.policy.on_remove(&mut self.entries, handle);
        let hash = self.entries[handle].hash;
        if let Ok(slot) = self.table.find_entry(hash, |&h| h == handle) {
            slot.remove();
        }
        let node = self.entries.remove(handle);
        self.currsize -= node.weight;
        node
    }

    /// Evicts one entry in policy order and tells the listener.
    #[inline(always)]
    fn evict_one(&mut self) -> Option<Handle> {
        let handle = self.policy.victim(&mut self.entries)?;
        self.evict(handle);
        Some(handle)
    }

    /// Evicts the entry at `handle` (a victim the policy chose).
    #[inline(always)]
    fn evict(&mut self, handle: Handle) {
        let node = self.remove_handle(handle);
        self.stats.evictions += 1;
        if let Some(listener) = &self.listener {
            listener(node.key, node.value, RemovalCause::Evicted);
        }
    }

    /// Removes every entry expired at `now`, earliest deadline first, into
    /// `collect` if given, else to the listener.
    fn expire_at(&mut self, now: Moment, mut collect: Option<&mut Vec<(K, V)>>) {
        self.policy.advance(&mut self.entries, now);
        while let Some(handle) = self.policy.next_expired(&self.entries, now) {
            let node = self.remove_handle(handle);
            self.stats.expirations += 1;
            match collect.as_deref_mut() {
                Some(expired) => expired.push((node.key, node.value)),
                None => self.report(node.key, node.value, RemovalCause::Expired),
            }
        }
    }

    /// Hands an entry that leaves the cache on its own to the listener.
    #[inline]
    fn report(&self, key: K, value: V, cause: RemovalCause) {
        if let Some(listener) = &self.listener {
            listener(key, value, cause);
        }
    }

    /// Removes what has expired, if the policy expires entries at all, and
    /// returns the instant it used (`None` for policies without a clock).
    #[inline]
    fn expire_now(&mut self) -> Option<Moment> {
        if !P::EXPIRES {
            return None;
        }
        let now = self.policy.now()?;
        self.expire_at(now, None);
        Some(now)
    }

    /// Sets a new `maxsize`, evicting in policy order until `currsize` fits.
    ///
    /// The cache takes the new bound once the entries fit it: if the
    /// listener (or an evicted value's `Drop`) panics on the way, the
    /// entries evicted so far are gone, the rest stay, and the old bound
    /// (which they fit) still holds.
    pub fn set_maxsize(&mut self, maxsize: usize) {
        self.expire_now();
        while self.currsize > maxsize {
            if self.evict_one().is_none() {
                break;
            }
        }
        self.maxsize = maxsize;
    }
}

impl<K, V, P, S, W> PolicyCache<K, V, P, S, W>
where
    K: Hash + Eq,
    P: Policy<K, V>,
    S: BuildHasher,
    W: Weigher<K, V>,
{
    #[inline]
    fn find<Q>(&self, hash: u64, key: &Q) -> Option<Handle>
    where
        Q: ?Sized + Equivalent<K>,
    {
        let entries = &self.entries;
        self.table
            .find(hash, |&h| key.equivalent(&entries[h].key))
            .copied()
    }

    /// The handle of `key`'s entry; not a use.
    #[inline]
    pub(crate) fn handle_of<Q>(&self, key: &Q) -> Option<Handle>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.lookup(key)
    }

    /// The handle of `key`'s live entry.
    #[inline]
    fn lookup<Q>(&self, key: &Q) -> Option<Handle>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.entries.is_empty() {
            return None;
        }
        self.lookup_hashed(self.hasher.hash_one(key), key)
    }

    /// [`lookup`](Self::lookup) with the key's hash already computed.
    #[inline]
    fn lookup_hashed<Q>(&self, hash: u64, key: &Q) -> Option<Handle>
    where
        Q: ?Sized + Equivalent<K>,
    {
        let handle = self.find(hash, key)?;
        self.live(handle)
    }

    /// `Some(handle)` unless the entry has expired.
    #[inline]
    fn live(&self, handle: Handle) -> Option<Handle> {
        if P::EXPIRES && !self.entries[handle].meta.is_live(self.policy.now()) {
            None
        } else {
            Some(handle)
        }
    }

    /// Looks `key` up and counts it as a use; records a hit or a miss.
    #[inline]
    fn hit<Q>(&mut self, key: &Q) -> Option<Handle>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let found = self.lookup(key);
        self.count_hit(found)
    }

    /// Records a hit (and a use) or a miss for a lookup's outcome.
    #[inline]
    fn count_hit(&mut self, found: Option<Handle>) -> Option<Handle> {
        match found {
            Some(handle) => {
                self.stats.hits += 1;
                self.policy.on_hit(&mut self.entries, handle);
                Some(handle)
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// The value of `key`, counted as a use (LRU order, LFU count) and as a
    /// hit or miss.
    ///
    /// # Examples
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use cachekit::LruCache;
    ///
    /// let mut cache: LruCache<String, u32> = LruCache::new(2);
    /// cache.insert("a".to_string(), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // looks up by &str: no allocation
    /// assert_eq!(cache.get("z"), None);
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let handle = self.hit(key)?;
        Some(&self.entries[handle].value)
    }

    /// The value of `key`, mutably; a use and a hit or miss like
    /// [`get`](Self::get). The entry's weight is not recomputed.
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let handle = self.hit(key)?;
        Some(&mut self.entries[handle].value)
    }

    /// The key and value stored for `key`, a use like [`get`](Self::get).
    #[inline]
    pub fn get_key_value<Q>(&mut self, key: &Q) -> Option<(&K, &V)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let handle = self.hit(key)?;
        let node = &self.entries[handle];
        Some((&node.key, &node.value))
    }

    /// The value of `key` without counting a use or a hit.
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.lookup(key).map(|handle| &self.entries[handle].value)
    }

    /// How long the entry of `key` has left to live by the cache's clock:
    /// `None` if there is no live entry, or it never expires (a cache
    /// without expiry, or a deadline past the end of time). Not a use.
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use std::time::Duration;
    /// use cachekit::{ManualClock, TtlCache};
    ///
    /// let clock = ManualClock::new();
    /// let mut cache = TtlCache::with_clock(10, Duration::from_secs(60), clock.clone());
    /// cache.insert("token", 7);
    /// clock.advance(Duration::from_secs(45));
    /// assert_eq!(cache.expires_in(&"token"), Some(Duration::from_secs(15)));
    /// assert_eq!(cache.expires_in(&"other"), None);
    /// ```
    pub fn expires_in<Q>(&self, key: &Q) -> Option<core::time::Duration>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if !P::EXPIRES {
            return None;
        }
        let handle = self.lookup(key)?;
        let deadline = self.entries[handle].meta.deadline();
        if deadline == Moment::NEVER {
            return None;
        }
        Some(deadline.duration_since(self.policy.now()?))
    }

    /// [`peek`](Self::peek), with the entry's handle as a token for
    /// [`record_hit`](Self::record_hit).
    #[inline]
    pub(crate) fn peek_hit<Q>(&self, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.entries.is_empty() {
            return None;
        }
        self.peek_hit_hashed(self.hasher.hash_one(key), key)
    }

    /// [`peek_hit`](Self::peek_hit) with the key's hash (by this cache's
    /// hasher) already computed.
    #[inline]
    pub(crate) fn peek_hit_hashed<Q>(&self, hash: u64, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Equivalent<K>,
    {
        let (handle, token) = self.shared_lookup(hash, key)?;
        Some((&self.entries[handle].value, token))
    }

    /// A live entry's handle and its token for
    /// [`record_hit`](Self::record_hit), the policy told of the shared hit.
    #[inline(always)]
    fn shared_lookup<Q>(&self, hash: u64, key: &Q) -> Option<(Handle, u32)>
    where
        Q: ?Sized + Equivalent<K>,
    {
        let handle = self.lookup_hashed(hash, key)?;
        self.policy.shared_hit(handle);
        let token = if P::RECORDS_HITS { handle.raw() } else { 0 };
        Some((handle, token))
    }

    /// [`peek_hit`](Self::peek_hit) and the entry's age, where the policy
    /// knows when it was stored; hashed here unless `hash` is given.
    #[inline]
    pub(crate) fn peek_hit_aged<Q>(
        &self,
        hash: Option<u64>,
        key: &Q,
    ) -> Option<(&V, u32, Option<core::time::Duration>)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let hash = match hash {
            Some(hash) => hash,
            None if self.entries.is_empty() => return None,
            None => self.hasher.hash_one(key),
        };
        let (handle, token) = self.shared_lookup(hash, key)?;
        let entry = &self.entries[handle];
        let age = self
            .policy
            .stored_at(&entry.meta)
            .zip(self.policy.now())
            .map(|(stored, now)| now.duration_since(stored));
        Some((&entry.value, token, age))
    }

    /// Counts a use of the entry whose handle `token` was, if its slot is
    /// still occupied (by that entry or, its slot reused, another: then
    /// the policy sees one use too many of a live entry, never a dangling
    /// handle). Not a hit in [`stats`](Self::stats): the caller counts.
    #[inline]
    pub(crate) fn record_hit(&mut self, token: u32) {
        if let Some(handle) = self.entries.occupied(token) {
            self.policy.on_hit(&mut self.entries, handle);
        }
    }

    /// Whether `key` is cached; not a use, not a hit.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.lookup(key).is_some()
    }

    /// Stores `value` under `key` and returns the value it replaced.
    ///
    /// A new key evicts entries in policy order until it fits; replacing a
    /// value counts as a use. An entry heavier than `maxsize` is refused:
    /// the cache is unchanged (an old value for `key` stays), `None` is
    /// returned and the listener, if any, receives the entry with
    /// [`RemovalCause::TooLarge`]. Use [`try_insert`](Self::try_insert) to
    /// get a refused entry back.
    ///
    /// # Examples
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use cachekit::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// assert_eq!(cache.insert("a", 1), None);
    /// assert_eq!(cache.insert("a", 2), Some(1));
    /// cache.insert("b", 3);
    /// cache.insert("c", 4); // evicts "a", the least recently used
    /// assert!(!cache.contains_key("a"));
    /// ```
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hasher.hash_one(&key);
        self.insert_hashed(hash, key, value)
    }

    /// [`insert`](Self::insert) with the key's hash (by this cache's
    /// hasher) already computed.
    #[inline]
    pub(crate) fn insert_hashed(&mut self, hash: u64, key: K, value: V) -> Option<V> {
        match self.try_insert_hashed(hash, key, value) {
            Ok(old) => old,
            Err(refused) => {
                if let Some(listener) = &self.listener {
                    listener(refused.key, refused.value, RemovalCause::TooLarge);
                }
                None
            }
        }
    }

    /// Like [`insert`](Self::insert), but an entry heavier than `maxsize` is
    /// returned in the error instead of being dropped.
    ///
    /// Expiring caches first remove every expired entry. An entry whose
    /// deadline has already passed ([`TlruCache`](crate::TlruCache)'s `ttu`
    /// said so, or a zero TTL) is not stored: any entry for `key` is
    /// removed and returned, and the new entry goes to the listener with
    /// [`RemovalCause::Expired`]. An entry both too heavy and dead on
    /// arrival is refused as too heavy by a TTL cache and expired by a
    /// TLRU cache, as cachetools' `TTLCache` weighs before its deadline and
    /// `TLRUCache` computes its deadline first.
    pub fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, TooLarge<K, V>> {
        let hash = self.hasher.hash_one(&key);
        self.try_insert_hashed(hash, key, value)
    }

    /// [`try_insert`](Self::try_insert) with the key's hash (by this
    /// cache's hasher) already computed.
    #[inline]
    pub(crate) fn try_insert_hashed(
        &mut self,
        hash: u64,
        key: K,
        value: V,
    ) -> Result<Option<V>, TooLarge<K, V>> {
        self.try_insert_full(hash, key, value)
            .map(|old| old.map(|(_, value)| value))
    }

    /// [`try_insert_hashed`](Self::try_insert_hashed), with the replaced
    /// value a spare key to report it with: the one passed in when the
    /// stored key stays, or the stored one.
    fn try_insert_full(
        &mut self,
        hash: u64,
        key: K,
        value: V,
    ) -> Result<Option<(K, V)>, TooLarge<K, V>> {
        // Expiry comes first, even for an entry that is then refused, as in
        // cachetools (`expire()` runs before `Cache.__setitem__`).
        let now = self.expire_now();
        let (key, value, weight, deadline) = match self.admit(key, value, now) {
            Admission::Store(key, value, weight, deadline) => (key, value, weight, deadline),
            Admission::Expired(key, value) => {
                let old = self.find(hash, &key).map(|h| {
                    let node = self.remove_handle(h);
                    (node.key, node.value)
                });
                self.report(key, value, RemovalCause::Expired);
                return Ok(old);
            }
            Admission::TooLarge(key, value, weight) => {
                return Err(TooLarge {
                    key,
                    value,
                    weight,
                    maxsize: self.maxsize,
                });
            }
        };
        match self.find(hash, &key) {
            Some(handle) => {
                let (_, spare, old) = self.replace(handle, hash, key, value, weight, deadline);
                Ok(Some((spare, old)))
            }
            None => {
                self.policy
                    .before_insert(&self.entries, hash, weight, self.maxsize);
                self.make_room(weight);
                self.insert_new(hash, key, value, weight, deadline);
                Ok(None)
            }
        }
    }

    /// Stores `value` for `key` as [`insert`](Self::insert) does, and
    /// hands the value it replaces to the listener
    /// ([`RemovalCause::Replaced`], with the key passed in) instead of
    /// returning it: cachetools' `cache[key] = value`.
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use std::sync::{Arc, Mutex};
    /// use cachekit::{LruCache, RemovalCause};
    ///
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let seen = log.clone();
    /// let mut cache = LruCache::builder(2)
    ///     .listener(move |k, v, cause| seen.lock().unwrap().push((k, v, cause)))
    ///     .build();
    /// cache.put("a", 1);
    /// cache.put("a", 2);
    /// cache.discard(&"a");
    /// assert_eq!(
    ///     *log.lock().unwrap(),
    ///     [("a", 1, RemovalCause::Replaced), ("a", 2, RemovalCause::Removed)]
    /// );
    /// ```
    pub fn put(&mut self, key: K, value: V) {
        let hash = self.hasher.hash_one(&key);
        match self.try_insert_full(hash, key, value) {
            Ok(Some((key, old))) => self.report(key, old, RemovalCause::Replaced),
            Ok(None) => {}
            Err(refused) => self.report(refused.key, refused.value, RemovalCause::TooLarge),
        }
    }

    /// Removes the entry of `key` and hands it to the listener
    /// ([`RemovalCause::Removed`]) instead of returning it: cachetools'
    /// `del cache[key]`. Whether there was a live entry.
    pub fn discard<Q>(&mut self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match self.remove_entry(key) {
            Some((key, value)) => {
                self.report(key, value, RemovalCause::Removed);
                true
            }
            None => false,
        }
    }

    /// Whether `key -> value`, inserted at `now`, is stored, refused as too
    /// heavy or dead on arrival, deciding the two in cachetools' order for
    /// the policy (see [`Policy::EXPIRY_BEFORE_WEIGHT`]).
    #[inline]
    fn admit(&self, key: K, value: V, now: Option<Moment>) -> Admission<K, V> {
        // The policy's deadline function is user code: called once.
        let early = P::EXPIRY_BEFORE_WEIGHT.then(|| self.deadline(&key, &value, now));
        if let Some(Err(())) = early {
            return Admission::Expired(key, value);
        }
        let weight = self.weigher.weigh(&key, &value);
        if weight > self.maxsize {
            return Admission::TooLarge(key, value, weight);
        }
        match early.unwrap_or_else(|| self.deadline(&key, &value, now)) {
            Ok(deadline) => Admission::Store(key, value, weight, deadline),
            Err(()) => Admission::Expired(key, value),
        }
    }

    /// For expiring caches: the new entry's deadline, given the instant
    /// [`expire_now`](Self::expire_now) returned; `Err` when the entry
    /// would be dead on arrival.
    #[inline]
    fn deadline(&self, key: &K, value: &V, now: Option<Moment>) -> Result<Moment, ()> {
        let Some(now) = now else {
            return Ok(Moment::NEVER);
        };
        match self.policy.deadline(key, value, now) {
            deadline if deadline <= now => Err(()),
            deadline => Ok(deadline),
        }
    }

    /// Replaces the value of the entry at `handle`, evicting until the new
    /// weight fits; returns where the new value lives and the old value.
    fn replace(
        &mut self,
        handle: Handle,
        hash: u64,
        key: K,
        value: V,
        weight: usize,
        deadline: Moment,
    ) -> (Handle, K, V) {
        let old_weight = self.entries[handle].weight;
        if weight > old_weight {
            // Evict while the cache without the old value plus the new one
            // would overflow; the victim may be this very entry.
            while !fits(self.currsize - old_weight, weight, self.maxsize) {
                let Some(victim) = self.policy.victim(&mut self.entries) else {
                    break;
                };
                if victim == handle {
                    let old = self.remove_handle(handle);
                    self.make_room(weight);
                    let new = self.insert_new(hash, key, value, weight, deadline);
                    return (new, old.key, old.value);
                }
                // The victim just chosen, not a second choice: a random
                // policy would pick another (possibly this very entry).
                self.evict(victim);
            }
        }
        let node = &mut self.entries[handle];
        node.weight = weight;
        self.currsize = (self.currsize - old_weight).saturating_add(weight);
        node.meta.set_deadline(deadline);
        let old = core::mem::replace(&mut node.value, value);
        self.policy.on_update(&mut self.entries, handle, old_weight);
        // The stored key stays; the one passed in is the spare.
        (handle, key, old)
    }

    /// Evicts in policy order until `weight` more fits.
    #[inline]
    fn make_room(&mut self, weight: usize) {
        while !fits(self.currsize, weight, self.maxsize) {
            if self.evict_one().is_none() {
                break;
            }
        }
    }

    #[inline(always)]
    fn insert_new(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        weight: usize,
        deadline: Moment,
    ) -> Handle {
        let mut meta = P::Meta::default();
        meta.set_deadline(deadline);
        let node = Node {
            key,
            value,
            hash,
            weight,
            meta,
        };
        let handle = match self.entries.insert(node) {
            Ok(handle) => handle,
            // Four billion entries: make room the only way left.
            Err(node) => {
                self.evict_one();
                self.entries
                    .insert(node)
                    .unwrap_or_else(|_| unreachable!("an eviction freed a slot"))
            }
        };
        let entries = &self.entries;
        self.table.insert_unique(hash, handle, |&h| entries[h].hash);
        // It fits (`make_room`); saturating all the same: never wraps.
        self.currsize = self.currsize.saturating_add(weight);
        self.policy.on_insert(&mut self.entries, handle);
        handle
    }

    /// Removes `key` and returns its value (cachetools' `pop`).
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.remove_entry(key).map(|(_, value)| value)
    }

    /// Removes `key` and returns the stored key and value. An expired
    /// entry is removed too, but reported as not found.
    #[inline]
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.entries.is_empty() {
            return None;
        }
        self.remove_entry_hashed(self.hasher.hash_one(key), key)
    }

    /// [`remove_entry`](Self::remove_entry) with the key's hash (by this
    /// cache's hasher) already computed.
    #[inline]
    pub(crate) fn remove_entry_hashed<Q>(&mut self, hash: u64, key: &Q) -> Option<(K, V)>
    where
        Q: ?Sized + Equivalent<K>,
    {
        let handle = self.find(hash, key)?;
        let live = self.live(handle).is_some();
        let node = self.remove_handle(handle);
        live.then_some((node.key, node.value))
    }

    /// The value of `key`, computing and inserting it with `make` on a miss;
    /// a use and a hit or miss like [`get`](Self::get).
    ///
    /// Fails only when the computed entry cannot be stored, because it is
    /// heavier than `maxsize` or (expiring caches) already expired: the
    /// error hands the key and the computed value back with the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use cachekit::LfuCache;
    ///
    /// let mut cache = LfuCache::new(10);
    /// let v = cache.get_or_insert_with(3, || 3 * 3).unwrap();
    /// assert_eq!(*v, 9);
    /// let v = cache.get_or_insert_with(3, || unreachable!()).unwrap();
    /// assert_eq!(*v, 9);
    /// assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));
    /// ```
    pub fn get_or_insert_with(
        &mut self,
        key: K,
        make: impl FnOnce() -> V,
    ) -> Result<&V, NotStored<K, V>> {
        let hash = self.hasher.hash_one(&key);
        let found = self.find(hash, &key).and_then(|h| self.live(h));
        if let Some(handle) = self.count_hit(found) {
            return Ok(&self.entries[handle].value);
        }
        let value = make();
        let now = self.expire_now();
        let (key, value, weight, deadline) = match self.admit(key, value, now) {
            Admission::Store(key, value, weight, deadline) => (key, value, weight, deadline),
            Admission::Expired(key, value) => {
                if let Some(stale) = self.find(hash, &key) {
                    drop(self.remove_handle(stale));
                }
                return Err(NotStored {
                    key,
                    value,
                    cause: RemovalCause::Expired,
                });
            }
            Admission::TooLarge(key, value, _) => {
                return Err(NotStored {
                    key,
                    value,
                    cause: RemovalCause::TooLarge,
                });
            }
        };
        // An expired entry for the key may still be stored: replace it.
        let handle = match self.find(hash, &key) {
            Some(stale) => self.replace(stale, hash, key, value, weight, deadline).0,
            None => {
                self.policy
                    .before_insert(&self.entries, hash, weight, self.maxsize);
                self.make_room(weight);
                self.insert_new(hash, key, value, weight, deadline)
            }
        };
        Ok(&self.entries[handle].value)
    }
}

impl<K, V, P, S, W> PolicyCache<K, V, P, S, W>
where
    K: Hash + Eq,
    P: Policy<K, V> + Timed,
    S: BuildHasher,
    W: Weigher<K, V>,
{
    /// The clock entries expire by.
    pub fn clock(&self) -> &P::Clock {
        self.policy.clock()
    }

    /// Removes every expired entry and returns them as `(key, value)`
    /// pairs, earliest deadline first (cachetools' `expire()`; entries
    /// with one deadline in the order they were stored); amortized O(1)
    /// per expired entry.
    ///
    /// Expired entries are invisible to every lookup whether or not this is
    /// called; calling it frees their memory at a time of your choosing.
    /// They are returned, not reported to the listener (which hears of the
    /// entries that insertions expire on their way).
    pub fn expire(&mut self) -> Vec<(K, V)> {
        let now = self
            .policy
            .now()
            .unwrap_or_else(|| self.policy.clock().moment());
        let mut expired = Vec::new();
        self.expire_at(now, Some(&mut expired));
        expired
    }

    /// Runs `batch` with time held still: every operation inside sees the
    /// same `now`, which `batch` also receives (cachetools'
    /// `with cache.timer as now:`). Nested calls keep the outer instant.
    ///
    /// # Examples
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use std::time::Duration;
    /// use cachekit::{ManualClock, TtlCache};
    ///
    /// let clock = ManualClock::new();
    /// let mut cache = TtlCache::with_clock(10, Duration::from_secs(1), clock.clone());
    /// cache.insert("a", 1);
    /// cache.with_frozen_time(|cache, _now| {
    ///     clock.advance(Duration::from_secs(5)); // the clock moves on...
    ///     assert_eq!(cache.get("a"), Some(&1)); // ...but this batch does not see it
    /// });
    /// assert_eq!(cache.get("a"), None);
    /// ```
    pub fn with_frozen_time<R>(&mut self, batch: impl FnOnce(&mut Self, Instant) -> R) -> R {
        let mut frozen = self.freeze_time();
        let now = frozen.now();
        batch(&mut frozen, now)
    }

    /// Holds time still until the returned guard is dropped; the guard
    /// derefs to the cache. See [`with_frozen_time`](Self::with_frozen_time).
    pub fn freeze_time(&mut self) -> FrozenTime<'_, K, V, P, S, W> {
        let outer = self.policy.frozen_mut().clone();
        let now = outer
            .as_ref()
            .and_then(Frozen::instant)
            .unwrap_or_else(|| self.policy.clock().now());
        let (frozen, thaw) = Frozen::new(now);
        *self.policy.frozen_mut() = Some(frozen);
        FrozenTime {
            cache: self,
            outer,
            now,
            _thaw: thaw,
        }
    }
}

/// A cache with time held still; see [`PolicyCache::freeze_time`].
///
/// Dropping the guard (also during a panic) lets time run again, for the
/// cache it froze wherever that cache is by then (swapped away through the
/// guard, cloned while frozen).
pub struct FrozenTime<'a, K, V, P, S, W>
where
    P: Policy<K, V> + Timed,
{
    cache: &'a mut PolicyCache<K, V, P, S, W>,
    /// The freeze this one is nested in, restored when it ends.
    outer: Option<Frozen>,
    now: Instant,
    _thaw: Thaw,
}

impl<K, V, P: Policy<K, V> + Timed, S, W> FrozenTime<'_, K, V, P, S, W> {
    /// The instant every operation through this guard sees.
    pub fn now(&self) -> Instant {
        self.now
    }
}

impl<K, V, P: Policy<K, V> + Timed, S, W> core::ops::Deref for FrozenTime<'_, K, V, P, S, W> {
    type Target = PolicyCache<K, V, P, S, W>;

    fn deref(&self) -> &Self::Target {
        self.cache
    }
}

impl<K, V, P: Policy<K, V> + Timed, S, W> core::ops::DerefMut for FrozenTime<'_, K, V, P, S, W> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.cache
    }
}

impl<K, V, P: Policy<K, V> + Timed, S, W> Drop for FrozenTime<'_, K, V, P, S, W> {
    fn drop(&mut self) {
        // `_thaw` is dropped after this, which thaws the instant wherever
        // it went; the cache now behind the guard gets the outer freeze.
        *self.cache.policy.frozen_mut() = self.outer.take();
    }
}

/// What an insert does with an entry: see [`PolicyCache::admit`].
enum Admission<K, V> {
    Store(K, V, usize, Moment),
    Expired(K, V),
    TooLarge(K, V, usize),
}

/// Whether `weight` more fits beside `currsize` under `maxsize`, without
/// overflowing however large the three are.
#[inline(always)]
fn fits(currsize: usize, weight: usize, maxsize: usize) -> bool {
    weight <= maxsize.saturating_sub(currsize)
}

/// Iterator over a cache's `(&key, &value)` pairs; see [`PolicyCache::iter`].
pub struct Iter<'a, K, V, M> {
    inner: arena::Iter<'a, Node<K, V, M>>,
    len: usize,
    now: Option<Moment>,
}

impl<K, V, M> Clone for Iter<'_, K, V, M> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
            len: self.len,
            now: self.now,
        }
    }
}

impl<'a, K, V, M: EntryMeta> Iterator for Iter<'a, K, V, M> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let now = self.now;
        let (_, node) = self.inner.find(|(_, node)| node.meta.is_live(now))?;
        self.len -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<K, V, M: EntryMeta> ExactSizeIterator for Iter<'_, K, V, M> {}

struct ExactLen<I> {
    inner: I,
    len: usize,
}

impl<I: Iterator> Iterator for ExactLen<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next()?;
        self.len -= 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<I: Iterator> ExactSizeIterator for ExactLen<I> {}

impl<'a, K, V, P: Policy<K, V>, S, W> IntoIterator for &'a PolicyCache<K, V, P, S, W> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V, P::Meta>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The live `(key, value)` pairs of a cache, by value, in storage order; see
/// [`PolicyCache::into_iter`](IntoIterator::into_iter).
pub struct IntoIter<K, V, M> {
    inner: arena::IntoIter<Node<K, V, M>>,
    now: Option<Moment>,
}

impl<K, V, M: EntryMeta> Iterator for IntoIter<K, V, M> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        let now = self.now;
        let node = self.inner.find(|node| node.meta.is_live(now))?;
        Some((node.key, node.value))
    }
}

/// Empties the cache into its live `(key, value)` pairs, in storage order
/// (expired entries are dropped; the instant is taken once, when iteration
/// starts).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LruCache;
///
/// let mut cache = LruCache::new(3);
/// cache.extend([("a", 1), ("b", 2)]);
/// let mut pairs: Vec<_> = cache.into_iter().collect();
/// pairs.sort();
/// assert_eq!(pairs, [("a", 1), ("b", 2)]);
/// ```
impl<K, V, P: Policy<K, V>, S, W> IntoIterator for PolicyCache<K, V, P, S, W> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V, P::Meta>;

    fn into_iter(self) -> Self::IntoIter {
        let now = self.policy.now();
        IntoIter {
            inner: self.entries.into_iter(),
            now,
        }
    }
}

impl<K, V, P, S, W> Extend<(K, V)> for PolicyCache<K, V, P, S, W>
where
    K: Hash + Eq,
    P: Policy<K, V>,
    S: BuildHasher,
    W: Weigher<K, V>,
{
    /// Inserts every pair in order, as [`insert`](PolicyCache::insert) would
    /// (a replaced value is dropped, as `HashMap::extend` drops it; use
    /// [`put`](PolicyCache::put) to have it reported).
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<K, V, P, S, W> Clone for PolicyCache<K, V, P, S, W>
where
    K: Clone,
    V: Clone,
    P: Policy<K, V> + Clone,
    P::Meta: Clone,
    S: Clone,
    W: Clone,
{
    fn clone(&self) -> Self {
        PolicyCache {
            entries: self.entries.clone(),
            table: self.table.clone(),
            hasher: self.hasher.clone(),
            weigher: self.weigher.clone(),
            policy: self.policy.clone(),
            maxsize: self.maxsize,
            currsize: self.currsize,
            stats: self.stats,
            listener: self.listener.clone(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, P: Policy<K, V>, S, W> fmt::Debug
    for PolicyCache<K, V, P, S, W>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V, P: Policy<K, V>, S, W>(&'a PolicyCache<K, V, P, S, W>);
        impl<K: fmt::Debug, V: fmt::Debug, P: Policy<K, V>, S, W> fmt::Debug
            for Entries<'_, K, V, P, S, W>
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter()).finish()
            }
        }
        f.debug_struct("PolicyCache")
            .field("maxsize", &self.maxsize)
            .field("currsize", &self.currsize())
            .field("entries", &Entries(self))
            .finish()
    }
}
