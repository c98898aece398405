//! The [`Cache`] trait every cache implements.

use core::hash::{BuildHasher, Hash};
use core::time::Duration;

use equivalent::Equivalent;

use crate::policy::Policy;
use crate::{CacheStats, PolicyCache, TooLarge, Weigher};

/// The operations every cache supports, for code generic over the policy
/// (the caching macros use nothing else).
///
/// Implemented by every [`PolicyCache`] (all policy aliases) and by
/// [`hashbrown::HashMap`], which serves as an unbounded cache without
/// statistics. Each method means what the inherent method of the same name
/// on [`PolicyCache`] documents.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::{Cache, FifoCache, LruCache};
///
/// fn warm<C: Cache<u32, String>>(cache: &mut C) {
///     for i in 0..3 {
///         cache.insert(i, i.to_string());
///     }
/// }
///
/// let mut lru = LruCache::new(2);
/// let mut fifo = FifoCache::new(10);
/// warm(&mut lru);
/// warm(&mut fifo);
/// assert_eq!((Cache::len(&lru), Cache::len(&fifo)), (2, 3));
/// ```
pub trait Cache<K, V> {
    /// The value of `key`, counted as a use and as a hit or miss.
    fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>;

    /// The value of `key` without counting a use.
    fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>;

    /// Whether `key` is cached, without counting a use.
    fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.peek(key).is_some()
    }

    /// Stores `value` under `key`, returning the replaced value; an entry
    /// heavier than `maxsize` is not stored.
    fn insert(&mut self, key: K, value: V) -> Option<V>;

    /// Stores `value` under `key`, returning the replaced value, or the
    /// refused entry when it is heavier than `maxsize`.
    fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, TooLarge<K, V>>;

    /// Removes `key`, returning its value.
    fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>;

    /// Removes and returns the entry the policy would evict next.
    fn pop_victim(&mut self) -> Option<(K, V)>;

    /// Removes every entry.
    fn clear(&mut self);

    /// Number of entries.
    fn len(&self) -> usize;

    /// Whether there is no entry.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest total weight the cache holds.
    fn maxsize(&self) -> usize;

    /// The total weight of the entries.
    fn currsize(&self) -> usize;

    /// Hit, miss and eviction counts (zeros for caches that keep none).
    fn stats(&self) -> CacheStats;

    /// Resets the counters of [`stats`](Cache::stats).
    fn reset_stats(&mut self);

    /// Keeps only the entries for which `keep` returns `true`.
    fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, keep: F);

    /// Calls `f` on every (live) entry, in storage order.
    fn for_each<F: FnMut(&K, &V)>(&self, f: F);

    /// Whether a lookup can be answered through `&self` by
    /// [`peek_hit`](Cache::peek_hit), so that a
    /// [`ConcurrentCache`](crate::ConcurrentCache) lets many threads look
    /// up at once; `false` for a cache whose `get` must do more (a Redis
    /// round trip), which it then calls under its lock.
    #[doc(hidden)]
    const SHARED_READS: bool = true;

    /// Whether [`record_hit`](Cache::record_hit) does anything, so that a
    /// concurrent cache records hits only for policies that use them.
    #[doc(hidden)]
    const RECORDS_HITS: bool = false;

    /// The value of `key` without counting a use, and a token with which
    /// [`record_hit`](Cache::record_hit) counts the use later (a
    /// concurrent cache looks up through `&self` and hands the uses to the
    /// policy in batches).
    #[doc(hidden)]
    #[inline]
    fn peek_hit<Q>(&self, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.peek(key).map(|value| (value, 0))
    }

    /// [`peek_hit`](Cache::peek_hit) for a key whose hash `hash` was
    /// computed by the hasher this cache [adopted](Shardable::adopt_hasher)
    /// (a cache that adopts none ignores it).
    #[doc(hidden)]
    #[inline]
    fn peek_hit_hashed<Q>(&self, hash: u64, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let _ = hash;
        self.peek_hit(key)
    }

    /// [`peek_hit`](Cache::peek_hit) (hashed like
    /// [`peek_hit_hashed`](Cache::peek_hit_hashed) when `hash` is given),
    /// and the entry's age by the cache's clock where the cache knows when
    /// it was stored (a [`TtlCache`](crate::TtlCache)); for refreshing
    /// memoized functions.
    #[doc(hidden)]
    #[inline]
    fn peek_hit_aged<Q>(&self, hash: Option<u64>, key: &Q) -> Option<(&V, u32, Option<Duration>)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let found = match hash {
            Some(hash) => self.peek_hit_hashed(hash, key),
            None => self.peek_hit(key),
        };
        found.map(|(value, token)| (value, token, None))
    }

    /// How long the entry of `key` has left to live, for caches that
    /// expire entries ([`PolicyCache::expires_in`]); `None` otherwise.
    #[doc(hidden)]
    #[inline]
    fn expires_in<Q>(&self, key: &Q) -> Option<Duration>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let _ = key;
        None
    }

    /// Whether a read must reach the policy before the next lookup (a time
    /// to idle extends the entry on every read), so that a
    /// [`ConcurrentCache`](crate::ConcurrentCache) reads under its lock
    /// rather than recording reads for later.
    #[doc(hidden)]
    #[inline]
    fn extends_on_read(&self) -> bool {
        false
    }

    /// [`insert`](Cache::insert) with the key's hash; see
    /// [`peek_hit_hashed`](Cache::peek_hit_hashed).
    #[doc(hidden)]
    #[inline]
    fn insert_hashed(&mut self, hash: u64, key: K, value: V) -> Option<V> {
        let _ = hash;
        self.insert(key, value)
    }

    /// [`try_insert`](Cache::try_insert) with the key's hash; see
    /// [`peek_hit_hashed`](Cache::peek_hit_hashed).
    #[doc(hidden)]
    #[inline]
    fn try_insert_hashed(
        &mut self,
        hash: u64,
        key: K,
        value: V,
    ) -> Result<Option<V>, TooLarge<K, V>> {
        let _ = hash;
        self.try_insert(key, value)
    }

    /// [`remove`](Cache::remove) with the key's hash; see
    /// [`peek_hit_hashed`](Cache::peek_hit_hashed).
    #[doc(hidden)]
    #[inline]
    fn remove_hashed<Q>(&mut self, hash: u64, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let _ = hash;
        self.remove(key)
    }

    /// Counts the use of a hit [`peek_hit`](Cache::peek_hit) returned
    /// `token` for. The token may be stale (the entry removed since, its
    /// slot reused): it is then ignored, or counts for whichever entry
    /// holds the slot now, never more.
    #[doc(hidden)]
    #[inline]
    fn record_hit(&mut self, token: u32) {
        let _ = token;
    }
}

/// A cache a [`ConcurrentCache`](crate::ConcurrentCache) can hold as a
/// shard: it names its key type (the concurrent cache keeps the keys being
/// computed) and can prepare for lookups through `&self`. Implemented by
/// every cache of this crate.
#[doc(hidden)]
pub trait Shardable {
    /// The key type.
    type Key;

    /// The cache is about to be looked up through `&self` by a concurrent
    /// cache: its policy takes hits through `peek_hit` from now on.
    #[inline]
    fn share(&mut self) {}

    /// Hashes keys with `hasher` from now on, if this (empty) cache can and
    /// `hasher` is of its hasher type; whether it does. Then the `_hashed`
    /// methods of [`Cache`] take hashes computed by `hasher`.
    #[inline]
    fn adopt_hasher(&mut self, hasher: &dyn core::any::Any) -> bool {
        let _ = hasher;
        false
    }

    /// The hasher keys are hashed with, for a concurrent cache holding this
    /// cache as its only shard to hash as it does (`None`: it hashes with
    /// nothing it can lend).
    #[inline]
    fn hasher_any(&self) -> Option<&dyn core::any::Any> {
        None
    }
}

impl<K, V, P: Policy<K, V>, S: Clone + 'static, W> Shardable for PolicyCache<K, V, P, S, W> {
    type Key = K;

    fn share(&mut self) {
        PolicyCache::share(self)
    }

    fn adopt_hasher(&mut self, hasher: &dyn core::any::Any) -> bool {
        PolicyCache::adopt_hasher(self, hasher)
    }

    fn hasher_any(&self) -> Option<&dyn core::any::Any> {
        Some(self.hasher())
    }
}

impl<K, V, S> Shardable for hashbrown::HashMap<K, V, S> {
    type Key = K;
}

impl<K, V, P, S, W> Cache<K, V> for PolicyCache<K, V, P, S, W>
where
    K: Hash + Eq,
    P: Policy<K, V>,
    S: BuildHasher,
    W: Weigher<K, V>,
{
    #[inline]
    fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::get(self, key)
    }

    #[inline]
    fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::peek(self, key)
    }

    #[inline]
    fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::contains_key(self, key)
    }

    #[inline]
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        PolicyCache::insert(self, key, value)
    }

    #[inline]
    fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, TooLarge<K, V>> {
        PolicyCache::try_insert(self, key, value)
    }

    #[inline]
    fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::remove(self, key)
    }

    fn pop_victim(&mut self) -> Option<(K, V)> {
        PolicyCache::pop_victim(self)
    }

    fn clear(&mut self) {
        PolicyCache::clear(self)
    }

    fn len(&self) -> usize {
        PolicyCache::len(self)
    }

    fn maxsize(&self) -> usize {
        PolicyCache::maxsize(self)
    }

    fn currsize(&self) -> usize {
        PolicyCache::currsize(self)
    }

    fn stats(&self) -> CacheStats {
        PolicyCache::stats(self)
    }

    fn reset_stats(&mut self) {
        PolicyCache::reset_stats(self)
    }

    fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, keep: F) {
        PolicyCache::retain(self, keep)
    }

    fn for_each<F: FnMut(&K, &V)>(&self, mut f: F) {
        self.iter().for_each(|(k, v)| f(k, v))
    }

    const RECORDS_HITS: bool = P::RECORDS_HITS;

    #[inline]
    fn peek_hit<Q>(&self, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::peek_hit(self, key)
    }

    #[inline]
    fn peek_hit_aged<Q>(&self, hash: Option<u64>, key: &Q) -> Option<(&V, u32, Option<Duration>)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::peek_hit_aged(self, hash, key)
    }

    #[inline]
    fn extends_on_read(&self) -> bool {
        self.policy().extends_on_read()
    }

    #[inline]
    fn expires_in<Q>(&self, key: &Q) -> Option<Duration>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::expires_in(self, key)
    }

    #[inline]
    fn record_hit(&mut self, token: u32) {
        PolicyCache::record_hit(self, token)
    }

    #[inline]
    fn peek_hit_hashed<Q>(&self, hash: u64, key: &Q) -> Option<(&V, u32)>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::peek_hit_hashed(self, hash, key)
    }

    #[inline]
    fn insert_hashed(&mut self, hash: u64, key: K, value: V) -> Option<V> {
        PolicyCache::insert_hashed(self, hash, key, value)
    }

    #[inline]
    fn try_insert_hashed(
        &mut self,
        hash: u64,
        key: K,
        value: V,
    ) -> Result<Option<V>, TooLarge<K, V>> {
        PolicyCache::try_insert_hashed(self, hash, key, value)
    }

    #[inline]
    fn remove_hashed<Q>(&mut self, hash: u64, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        PolicyCache::remove_entry_hashed(self, hash, key).map(|(_, value)| value)
    }
}

/// A plain hash map as an unbounded cache: nothing is ever evicted,
/// `maxsize` is `usize::MAX`, every entry weighs 1, `pop_victim` removes an
/// arbitrary entry, and no statistics are kept (use
/// [`UnboundedCache`](crate::UnboundedCache) for those).
impl<K, V, S> Cache<K, V> for hashbrown::HashMap<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        hashbrown::HashMap::get(self, key)
    }

    #[inline]
    fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        hashbrown::HashMap::get(self, key)
    }

    #[inline]
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        hashbrown::HashMap::insert(self, key, value)
    }

    #[inline]
    fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, TooLarge<K, V>> {
        Ok(hashbrown::HashMap::insert(self, key, value))
    }

    #[inline]
    fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        hashbrown::HashMap::remove(self, key)
    }

    fn pop_victim(&mut self) -> Option<(K, V)> {
        let mut entries = self.extract_if(|_, _| true);
        entries.next()
    }

    fn clear(&mut self) {
        hashbrown::HashMap::clear(self)
    }

    fn len(&self) -> usize {
        hashbrown::HashMap::len(self)
    }

    fn maxsize(&self) -> usize {
        usize::MAX
    }

    fn currsize(&self) -> usize {
        hashbrown::HashMap::len(self)
    }

    fn stats(&self) -> CacheStats {
        CacheStats::default()
    }

    fn reset_stats(&mut self) {}

    fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, keep: F) {
        hashbrown::HashMap::retain(self, keep)
    }

    fn for_each<F: FnMut(&K, &V)>(&self, mut f: F) {
        self.iter().for_each(|(k, v)| f(k, v))
    }
}
