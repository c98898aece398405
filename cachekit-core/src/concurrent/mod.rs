//! A thread-safe cache: any cache of this crate, striped into shards whose
//! hits share the cache instead of locking it.
//!
//! - `gate.rs`: how one shard's cache is lent to many readers or one
//!   writer (the module's `unsafe`, and why not a `RwLock`);
//! - `shard.rs`: a shard's lookups, counters and single flight;
//! - `flight.rs`: the keys being computed;
//! - `this_thread.rs`: the calling thread's number and critical sections.

mod flight;
#[allow(unsafe_code)] // the reader-writer discipline; argued in the module
mod gate;
mod shard;
mod this_thread;

use core::fmt;
use core::future::Future;
use core::hash::{BuildHasher, Hash};

use equivalent::Equivalent;

use self::shard::Shard;
pub use self::shard::{Claim, ClaimAsync, Ticket};
use crate::{Cache, CacheStats, DefaultHashBuilder, Shardable};

/// A lookup of [`ConcurrentCache::begin`] that missed, to be settled by a
/// claim (it carries the key's hash, so that the claim need not hash the
/// owned key again).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Missed {
    hash: Option<u64>,
}

/// The calling thread's number, unique for the life of the process (for
/// runtime code that records who computes a key).
#[doc(hidden)]
#[inline]
pub fn current_thread_number() -> u64 {
    this_thread::number()
}

/// A cache shared by many threads through `&self`: `n` independent caches
/// (shards) with keys spread over them by hash, whose hits run in parallel.
///
/// Wraps any cache of this crate — every policy, TTL and TLRU, weighted or
/// not — built per shard by a closure given the shard's `maxsize`, or one
/// cache as it is ([`unsharded`](ConcurrentCache::unsharded)).
/// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) computes each
/// missing key once however many threads ask for it at the same time.
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::{ConcurrentCache, LruCache};
/// use std::sync::Arc;
///
/// let cache = Arc::new(ConcurrentCache::new(10_000, LruCache::new));
/// let handles: Vec<_> = (0..4u64)
///     .map(|t| {
///         let cache = cache.clone();
///         std::thread::spawn(move || {
///             for i in 0..1000 {
///                 let v = cache.get_or_insert_with(i % 100, || i % 100 * 2);
///                 assert_eq!(v, i % 100 * 2);
///             }
///         })
///     })
///     .collect();
/// handles.into_iter().for_each(|h| h.join().unwrap());
/// assert_eq!(cache.len(), 100);
/// assert_eq!(cache.stats().misses, 100); // each key computed once
/// ```
///
/// # Hits do not lock
///
/// A lookup takes no lock and writes nothing another thread's lookups
/// write: it counts itself in one of the shard's *stripes* (a cache line
/// per group of threads, picked by the thread), reads the shard's cache
/// through `&C` and clones the value. The policy learns of the hit in one
/// of two ways:
///
/// - LRU (and so [`LruCache`](crate::LruCache) shards) sets a bit of the
///   entry, only if it is not set already, instead of moving the entry; an
///   entry about to be evicted whose bit is set goes to the most recent
///   end once more (a second chance, as in CLOCK). On the ARC paper's
///   traces this hits 0.0-0.6 points more often than exact LRU (OLTP at
///   2,000 entries: 43.03% against 42.47%; P3 at 1,024: 1.04% against
///   1.05%; `tests/test_trace.rs`).
/// - The other policies that count uses (TinyLFU, ARC, LFU, MRU, TTL,
///   TLRU) get them in batches: the lookup leaves the entry's handle in its
///   stripe; when a stripe holds 64, the thread that recorded the 64th
///   hands them over if the shard's lock is free, and every write (an
///   insert, a removal) hands over what is pending before it changes
///   anything, so the policy sees every hit before it chooses a victim.
///   One thread alone therefore gets exactly the policy's eviction order
///   (TinyLFU through a concurrent cache hits exactly as often as alone on
///   both traces); under contention a stripe whose batch could not be
///   handed over in time drops its oldest hits.
///
/// Writes take the shard's lock and wait for the readers inside to finish
/// their lookup.
///
/// What each operation touches, so that the design can be judged on more
/// cores than a benchmark here had: a hit writes its stripe's line (two
/// atomic adds, and for batched policies two plain stores) and reads the
/// shard's table, its entry and the shard's writer flag, which only
/// writers write; an LRU hit writes its entry's bit once, until the policy
/// takes it. Threads of different stripes share no written line, so hits
/// scale with cores until there are more threads than stripes (the stripe
/// count is the CPU count rounded up to a power of two, at most 16 per
/// shard). A miss or insert takes the shard's lock and writes the shard's
/// cache.
///
/// # Shards and the eviction order
///
/// The shard count is a power of two; by default four per available CPU,
/// but never so many that a shard would hold fewer than 64 units of
/// `maxsize` (a cache of `maxsize < 128` has one shard and follows its
/// policy exactly). Shard `i` gets `maxsize / n` units, plus one for the
/// first `maxsize % n` shards, so the shards add up to `maxsize` exactly.
///
/// Each shard applies the policy to its own keys: the victim of an insert
/// is the policy's choice among the entries **of the inserted key's shard**,
/// about `1/n` of the cache. As keys are spread uniformly by hash, the
/// shards hold `maxsize / n ± O(sqrt(maxsize / n))` of the recent keys,
/// and the hit ratio stays close to a single cache's: on the OLTP trace of
/// the ARC paper, 4 to 16 LRU shards of caches of 1,000 to 15,000 entries
/// hit no less than one exact LRU (a test checks they never fall more than
/// 0.25 points below; at 1,000 entries over 16 shards of 62: 33.18%
/// against 32.83%). An entry heavier than its shard's `maxsize` (but not
/// than the whole cache's) is refused.
///
/// # Single flight
///
/// Concurrent callers of [`get_or_insert_with`](ConcurrentCache::get_or_insert_with)
/// (and its fallible and `async` forms) with the same missing key run one
/// computation: the others wait for it (a thread blocks, a task is woken)
/// and return the value it stored. Keys are compared, not only hashed, so
/// callers of other keys never wait. A computation that fails, panics, is
/// cancelled or produces a value that cannot be stored wakes its waiters to
/// compute for themselves, all at once. A thread never waits for itself: a
/// computation that asks for its own key again, or a blocking caller on
/// the thread where an `async` computation of its key started (a
/// single-threaded runtime), computes instead of waiting.
///
/// # Calls from inside the cache
///
/// User code runs inside the cache's critical sections: a key's `Hash` and
/// `Eq` during lookups, a value's `Clone` on a hit, and (on writes) the
/// weigher, the listener and `Drop`. If that code calls back into any
/// concurrent cache, the call never waits for another thread (which might
/// be waiting for this one): lookups are answered if they can be without
/// waiting, a computation runs without being stored, and `insert` and
/// `remove` do nothing (return `None`).
///
/// # Statistics
///
/// [`stats`](ConcurrentCache::stats) counts the lookups made through the
/// concurrent cache (`get`, `get_or_insert_with`): every one is a hit or a
/// miss, exactly, also under contention (a caller that waited for another
/// caller's computation and then found the value counts a hit). Evictions
/// and expirations are the shards' own counts. Lookups made directly on a
/// shard's cache (through [`for_each_shard`](ConcurrentCache::for_each_shard))
/// are not included.
pub struct ConcurrentCache<C: Shardable, S = DefaultHashBuilder> {
    shards: Box<[Shard<C>]>,
    hasher: S,
    /// `57 - log2(shards)`: the shard is picked by the bits just below the
    /// hash's top 7, which hashbrown keeps in its control bytes (its bucket
    /// index takes the low bits), so a shard's table sees all its keys'
    /// bits vary.
    shift: u32,
    maxsize: usize,
}

impl<C: Shardable> ConcurrentCache<C> {
    /// A cache of `maxsize` split over the default number of shards, each
    /// built by `make(shard_maxsize)`.
    ///
    /// `LruCache::new`, `LfuCache::new`, ... fit `make` directly; for TTL
    /// and weighted caches pass a closure:
    /// `|n| TtlCache::new(n, Duration::from_secs(60))`.
    pub fn new(maxsize: usize, make: impl FnMut(usize) -> C) -> Self {
        Self::with_shards(maxsize, default_shards(maxsize), make)
    }

    /// A cache of `maxsize` split over `shards` shards (rounded up to a
    /// power of two, at least 1).
    pub fn with_shards(maxsize: usize, shards: usize, make: impl FnMut(usize) -> C) -> Self {
        Self::with_shards_and_hasher(maxsize, shards, DefaultHashBuilder::new(), make)
    }

    /// `cache` as it is, as the only shard: its policy applies to all its
    /// entries exactly as when used alone, while many threads look up at
    /// once (a lookup does not hash the key twice, as a sharded cache
    /// must to pick the shard). Writes are serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use cachekit::{ConcurrentCache, LruCache};
    ///
    /// let cache = ConcurrentCache::unsharded(LruCache::new(2));
    /// cache.insert("a", 1);
    /// cache.insert("b", 2);
    /// assert_eq!(cache.get("a"), Some(1));
    /// cache.insert("c", 3); // evicts "b", the least recently used
    /// assert!(!cache.contains_key("b"));
    /// assert_eq!(cache.shards(), 1);
    /// ```
    pub fn unsharded<K, V>(cache: C) -> Self
    where
        C: Cache<K, V>,
    {
        // As it is, its own hasher too (it may hold entries already); the
        // concurrent cache hashes as the cache does when it can, so that a
        // miss's later steps reuse the lookup's hash.
        let shared = cache
            .hasher_any()
            .and_then(|hasher| hasher.downcast_ref::<DefaultHashBuilder>())
            .cloned();
        let hashed = shared.is_some();
        ConcurrentCache {
            maxsize: cache.maxsize(),
            shards: Box::new([Shard::new(cache, hashed, default_stripes())]),
            hasher: shared.unwrap_or_default(),
            shift: 57,
        }
    }
}

impl<C: Shardable, S> ConcurrentCache<C, S> {
    /// [`with_shards`](ConcurrentCache::with_shards) with the hasher that
    /// spreads keys over the shards. The shards' caches hash keys with it
    /// too (a copy each) when it is of their hasher type, so that a lookup
    /// hashes its key once.
    pub fn with_shards_and_hasher(
        maxsize: usize,
        shards: usize,
        hasher: S,
        mut make: impl FnMut(usize) -> C,
    ) -> Self
    where
        S: 'static,
    {
        let n = shards.clamp(1, 1 << 16).next_power_of_two();
        let stripes = default_stripes();
        let shards = (0..n)
            .map(|i| {
                let mut cache = make(maxsize / n + usize::from(i < maxsize % n));
                let hashed = cache.adopt_hasher(&hasher);
                Shard::new(cache, hashed, stripes)
            })
            .collect();
        ConcurrentCache {
            shards,
            hasher,
            shift: 57 - n.trailing_zeros(),
            maxsize,
        }
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// The `maxsize` the shards add up to.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }
}

/// Four shards per CPU, but at least 64 units of `maxsize` per shard.
fn default_shards(maxsize: usize) -> usize {
    let by_cpu = (cpus() * 4).next_power_of_two();
    let by_size = (maxsize / 64).max(1);
    // The largest power of two not above `by_size`.
    let by_size = 1usize << (usize::BITS - 1 - by_size.leading_zeros());
    by_cpu.min(by_size)
}

/// A stripe per CPU (rounded up to a power of two), at most 16 per shard.
fn default_stripes() -> usize {
    cpus().next_power_of_two().min(16)
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl<C: Shardable, S: BuildHasher> ConcurrentCache<C, S> {
    #[inline]
    fn shard_at(&self, hash: u64) -> &Shard<C> {
        let index = (hash >> self.shift) as usize & (self.shards.len() - 1);
        &self.shards[index]
    }

    /// The shard of `key` and the key's hash (one shard needs no hash to
    /// be picked: its key gets one only if the shard's cache can use it).
    #[inline]
    fn shard_of<Q: ?Sized + Hash>(&self, key: &Q) -> (&Shard<C>, Option<u64>) {
        if self.shards.len() == 1 {
            let shard = &self.shards[0];
            (shard, shard.hashed.then(|| self.hasher.hash_one(key)))
        } else {
            let hash = self.hasher.hash_one(key);
            (self.shard_at(hash), Some(hash))
        }
    }

    /// A clone of the value of `key`, counted as a use and a hit or miss.
    #[inline]
    pub fn get<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (shard, hash) = self.shard_of(key);
        shard.find(hash, key, true)
    }

    /// A clone of the value of `key`, without counting a use.
    #[inline]
    pub fn peek<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.shard_of(key)
            .0
            .read(|cache| cache.peek(key).cloned())
            .flatten()
    }

    /// How long the entry of `key` has left to live, for shards that
    /// expire entries (a [`TtlCache`](crate::TtlCache),
    /// [`TlruCache`](crate::TlruCache)); not a use.
    #[inline]
    pub fn expires_in<K, V, Q>(&self, key: &Q) -> Option<core::time::Duration>
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.shard_of(key)
            .0
            .read(|cache| cache.expires_in(key))
            .flatten()
    }

    /// Whether `key` is cached, without counting a use.
    #[inline]
    pub fn contains_key<K, V, Q>(&self, key: &Q) -> bool
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.shard_of(key)
            .0
            .read(|cache| cache.contains_key(key))
            .unwrap_or(false)
    }

    /// Stores `value` under `key` in its shard, returning the replaced
    /// value; an entry heavier than the shard's `maxsize` is not stored.
    /// Called from inside the cache's own callbacks, does nothing (see
    /// [Calls from inside the cache](ConcurrentCache#calls-from-inside-the-cache)).
    pub fn insert<K, V>(&self, key: K, value: V) -> Option<V>
    where
        C: Cache<K, V>,
        K: Hash,
    {
        let (shard, hash) = self.shard_of(&key);
        shard.insert(hash, key, value)
    }

    /// Removes `key`, returning its value (`None` when called from inside
    /// the cache's own callbacks).
    pub fn remove<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (shard, hash) = self.shard_of(key);
        shard.remove(hash, key)
    }

    /// The value of `key`, computing it with `init` on a miss.
    ///
    /// Concurrent callers for the same missing key run `init` once: the
    /// others wait until it is done and get its value (one counted lookup
    /// per call: the waiters count a hit). Callers for other keys are never
    /// blocked by `init`, and no lock is held while it runs. If `init`
    /// panics, the waiting callers run their own `init` and nobody hangs.
    /// A value too heavy for the shard is returned and not stored.
    pub fn get_or_insert_with<K, V>(&self, key: K, init: impl FnOnce() -> V) -> V
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        match self.try_get_or_insert_with(key, || Ok::<V, core::convert::Infallible>(init())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) for a
    /// fallible `init`: an error is returned to this caller and not cached;
    /// the callers that waited for this computation then run their own
    /// `init`, all at once.
    pub fn try_get_or_insert_with<K, V, E>(
        &self,
        key: K,
        init: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        let ticket = match self.claim(key) {
            Claim::Value(value) => return Ok(value),
            Claim::Compute(ticket) => ticket,
        };
        let value = init()?;
        ticket.finish(Some(value.clone()));
        Ok(value)
    }

    /// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) for an
    /// asynchronous `init`, with any executor: callers of a key being
    /// computed wait without blocking their thread and are woken when it
    /// is done. If the computing future is dropped (cancelled) or panics,
    /// the waiting callers compute instead.
    pub async fn get_or_insert_with_async<K, V, F>(&self, key: K, init: F) -> V
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
        F: Future<Output = V>,
    {
        let ticket = match self.claim_async(key).await {
            Claim::Value(value) => return value,
            Claim::Compute(ticket) => ticket,
        };
        let value = init.await;
        ticket.finish(Some(value.clone()));
        value
    }

    /// The first step of a single-flight lookup: the value of `probe`
    /// (a hit), or the [`Missed`] lookup, which the caller settles with
    /// [`claim_missed`](ConcurrentCache::claim_missed) or
    /// [`claim_missed_async`](ConcurrentCache::claim_missed_async) (one
    /// counted lookup either way).
    #[doc(hidden)]
    #[inline]
    pub fn begin<K, V, Q>(&self, probe: &Q) -> Result<V, Missed>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (shard, hash) = self.shard_of(probe);
        shard.find(hash, probe, false).ok_or(Missed { hash })
    }

    /// [`begin`](ConcurrentCache::begin) for a memo that refreshes entries
    /// `refresh` old: `Ok((value, Some(missed)))` for a stale hit, whose
    /// [`claim_refresh`](ConcurrentCache::claim_refresh) the caller tries.
    #[doc(hidden)]
    #[inline]
    pub fn begin_aged<K, V, Q>(
        &self,
        probe: &Q,
        refresh: core::time::Duration,
    ) -> Result<(V, Option<Missed>), Missed>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (shard, hash) = self.shard_of(probe);
        match shard.find_aged(hash, probe, refresh) {
            Some((value, stale)) => Ok((value, stale.then_some(Missed { hash }))),
            None => Err(Missed { hash }),
        }
    }

    /// After a stale [`begin_aged`](ConcurrentCache::begin_aged): the
    /// computation of a fresh value, unless another caller computes `key`
    /// already (`None`: serve the stale value).
    #[doc(hidden)]
    pub fn claim_refresh<K, V>(&self, stale: Missed, key: K) -> Option<Ticket<'_, C>>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
    {
        let hash = self.missed_hash(stale, &key);
        self.shard_at(hash).claim_refresh(hash, key)
    }

    /// The hash of a missed lookup's key, if it was computed, for its claim.
    #[inline]
    fn missed_hash<Q: ?Sized + Hash>(&self, missed: Missed, key: &Q) -> u64 {
        missed.hash.unwrap_or_else(|| self.hasher.hash_one(key))
    }

    /// [`begin`](ConcurrentCache::begin) and, on a miss, a blocking
    /// [`Claim`] of `key`: the value another caller stored meanwhile, or
    /// the computation this caller owes.
    #[doc(hidden)]
    pub fn claim<K, V>(&self, key: K) -> Claim<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        match self.begin(&key) {
            Ok(value) => Claim::Value(value),
            Err(missed) => self.claim_missed(missed, key),
        }
    }

    /// Settles a [`begin`](ConcurrentCache::begin) that missed, for a
    /// thread: waits while another caller computes `key` (the owned form of
    /// the probe that missed).
    #[doc(hidden)]
    pub fn claim_missed<K, V>(&self, missed: Missed, key: K) -> Claim<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        let hash = self.missed_hash(missed, &key);
        self.shard_at(hash).claim(hash, key)
    }

    /// [`claim_missed`](ConcurrentCache::claim_missed) for tasks: waits
    /// without blocking the thread.
    #[doc(hidden)]
    pub fn claim_missed_async<K, V>(&self, missed: Missed, key: K) -> ClaimAsync<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        let hash = self.missed_hash(missed, &key);
        self.shard_at(hash).claim_async(hash, key)
    }

    /// [`claim`](ConcurrentCache::claim) for tasks.
    async fn claim_async<K, V>(&self, key: K) -> Claim<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        match self.begin(&key) {
            Ok(value) => Claim::Value(value),
            Err(missed) => self.claim_missed_async(missed, key).await,
        }
    }

    /// Keeps only the entries for which `keep` returns `true`, one shard at
    /// a time.
    pub fn retain<K, V>(&self, mut keep: impl FnMut(&K, &mut V) -> bool)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            let _ = shard.write(|cache| cache.retain(&mut keep));
        }
    }

    /// Removes every entry.
    pub fn clear<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            let _ = shard.write(|cache| cache.clear());
        }
    }

    /// Number of entries (a sum over the shards).
    pub fn len<K, V>(&self) -> usize
    where
        C: Cache<K, V>,
    {
        self.shards
            .iter()
            .filter_map(|shard| shard.read(|cache| cache.len()))
            .sum()
    }

    /// Whether there is no entry.
    pub fn is_empty<K, V>(&self) -> bool
    where
        C: Cache<K, V>,
    {
        self.len() == 0
    }

    /// The total weight of the entries.
    pub fn currsize<K, V>(&self) -> usize
    where
        C: Cache<K, V>,
    {
        self.shards
            .iter()
            .filter_map(|shard| shard.read(|cache| cache.currsize()))
            .fold(0, usize::saturating_add)
    }

    /// Hits and misses of the lookups through this cache; evictions and
    /// expirations of all shards (see [Statistics](ConcurrentCache#statistics)).
    pub fn stats<K, V>(&self) -> CacheStats
    where
        C: Cache<K, V>,
    {
        self.shards
            .iter()
            .fold(CacheStats::default(), |sum, shard| {
                let stats = shard.stats();
                let mut total = sum;
                total.hits += stats.hits;
                total.misses += stats.misses;
                total.evictions += stats.evictions;
                total.expirations += stats.expirations;
                total
            })
    }

    /// Counts from zero again, in every shard.
    pub fn reset_stats<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            shard.reset_stats();
        }
    }

    /// A copy of every entry, one shard at a time (entries changed
    /// meanwhile in other shards may or may not appear).
    pub fn snapshot<K, V>(&self) -> Vec<(K, V)>
    where
        C: Cache<K, V>,
        K: Clone,
        V: Clone,
    {
        let mut entries = Vec::new();
        for shard in self.shards.iter() {
            let _ = shard.read(|cache| {
                entries.reserve(cache.len());
                cache.for_each(|k, v| entries.push((k.clone(), v.clone())));
            });
        }
        entries
    }

    /// Runs `f` on the cache of the shard holding `key` (for operations the
    /// wrapper does not offer, like a TTL cache's `expire`); `None` when
    /// called from inside the cache's own callbacks.
    pub fn with_shard_of<K, V, Q: ?Sized + Hash, T>(
        &self,
        key: &Q,
        f: impl FnOnce(&mut C) -> T,
    ) -> Option<T>
    where
        C: Cache<K, V>,
    {
        self.shard_of(key).0.write(f)
    }

    /// Runs `f` on every shard's cache in turn (no shard when called from
    /// inside the cache's own callbacks).
    pub fn for_each_shard<K, V>(&self, mut f: impl FnMut(&mut C))
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            let _ = shard.write(&mut f);
        }
    }
}

impl<C: Shardable, S> fmt::Debug for ConcurrentCache<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentCache")
            .field("shards", &self.shards.len())
            .field("maxsize", &self.maxsize)
            .finish_non_exhaustive()
    }
}
