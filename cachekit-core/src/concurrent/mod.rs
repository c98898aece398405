//! A thread-safe cache: any cache of this crate, striped into shards.

#[doc(hidden)]
pub mod flight;

use core::fmt;
use core::future::Future;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use equivalent::Equivalent;
use parking_lot::{Condvar, Mutex};

use self::flight::{Caller, Flights};
use crate::{Cache, CacheStats, DefaultHashBuilder};

/// A cache shared by many threads through `&self`: `n` independent caches
/// (shards), each behind its own lock, with keys spread over them by hash.
///
/// Wraps any cache of this crate — every policy, TTL and TLRU, weighted or
/// not — built per shard by a closure given the shard's `maxsize`. Threads
/// working on different keys rarely contend, and
/// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) computes each
/// missing key once however many threads ask for it at the same time.
///
/// ```
/// use cachekit_core::{ConcurrentCache, LruCache};
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
/// about `1/n` of the cache. For LRU this means an entry is never evicted
/// before the `maxsize / n` most recent entries of its shard have been used
/// after it; as keys are spread uniformly by hash, the shards hold
/// `maxsize / n ± O(sqrt(maxsize / n))` of the recent keys, and the hit
/// ratio stays close to a single cache's: on the OLTP trace of the ARC
/// paper, 4 to 16 LRU shards of caches of 1,000 to 15,000 entries hit
/// within 0.25 points of one exact LRU (a test checks it; at 1,000 entries
/// over 16 shards of 62: 32.62% against 32.83%). An entry heavier than its
/// shard's `maxsize` (but not than the whole cache's) is refused.
///
/// # Statistics
///
/// Hits, misses and evictions are counted under the shard locks, so they
/// are exact; [`stats`](ConcurrentCache::stats) adds the shards up.
pub struct ConcurrentCache<C, S = DefaultHashBuilder> {
    shards: Box<[Shard<C>]>,
    hasher: S,
    /// `64 - log2(shards)`: the hash's top bits pick the shard.
    shift: u32,
    maxsize: usize,
}

// Aligned to keep two shards' locks off one cache line.
#[repr(align(128))]
struct Shard<C> {
    state: Mutex<ShardState<C>>,
    ready: Condvar,
}

struct ShardState<C> {
    cache: C,
    pending: Flights,
}

impl<C> ConcurrentCache<C> {
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
}

impl<C, S> ConcurrentCache<C, S> {
    /// [`with_shards`](ConcurrentCache::with_shards) with the hasher that
    /// spreads keys over the shards.
    pub fn with_shards_and_hasher(
        maxsize: usize,
        shards: usize,
        hasher: S,
        mut make: impl FnMut(usize) -> C,
    ) -> Self {
        let n = shards.clamp(1, 1 << 16).next_power_of_two();
        let shards = (0..n)
            .map(|i| Shard {
                state: Mutex::new(ShardState {
                    cache: make(maxsize / n + usize::from(i < maxsize % n)),
                    pending: Flights::new(),
                }),
                ready: Condvar::new(),
            })
            .collect();
        ConcurrentCache {
            shards,
            hasher,
            shift: 64 - n.trailing_zeros(),
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
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let by_cpu = (cpus * 4).next_power_of_two();
    let by_size = (maxsize / 64).max(1);
    // The largest power of two not above `by_size`.
    let by_size = 1usize << (usize::BITS - 1 - by_size.leading_zeros());
    by_cpu.min(by_size)
}

impl<C, S: BuildHasher> ConcurrentCache<C, S> {
    #[inline]
    fn locate<Q: ?Sized + Hash>(&self, key: &Q) -> (u64, &Shard<C>) {
        let hash = self.hasher.hash_one(key);
        // `shift` is 64 for one shard: `checked_shr` gives shard 0.
        let index = hash.checked_shr(self.shift).unwrap_or(0) as usize;
        (hash, &self.shards[index])
    }

    /// A clone of the value of `key`, counted as a use and a hit or miss.
    pub fn get<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (_, shard) = self.locate(key);
        let mut state = shard.state.lock();
        state.cache.get(key).cloned()
    }

    /// A clone of the value of `key`, without counting a use.
    pub fn peek<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (_, shard) = self.locate(key);
        let state = shard.state.lock();
        state.cache.peek(key).cloned()
    }

    /// Whether `key` is cached, without counting a use.
    pub fn contains_key<K, V, Q>(&self, key: &Q) -> bool
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (_, shard) = self.locate(key);
        let state = shard.state.lock();
        state.cache.contains_key(key)
    }

    /// Stores `value` under `key` in its shard, returning the replaced
    /// value; an entry heavier than the shard's `maxsize` is not stored.
    pub fn insert<K, V>(&self, key: K, value: V) -> Option<V>
    where
        C: Cache<K, V>,
        K: Hash,
    {
        let (_, shard) = self.locate(&key);
        let mut state = shard.state.lock();
        state.cache.insert(key, value)
    }

    /// Removes `key`, returning its value.
    pub fn remove<K, V, Q>(&self, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (_, shard) = self.locate(key);
        let mut state = shard.state.lock();
        state.cache.remove(key)
    }

    /// The value of `key`, computing it with `init` on a miss.
    ///
    /// Concurrent callers for the same missing key run `init` once: the
    /// others block until it is done and get its value (one counted lookup
    /// per call: the waiters count a hit). Callers for other keys are never
    /// blocked by `init`, and no lock is held while it runs. If `init`
    /// panics, one waiting caller runs its own `init` instead and nobody
    /// hangs. A value too heavy for the shard is returned and not stored.
    pub fn get_or_insert_with<K, V>(&self, key: K, init: impl FnOnce() -> V) -> V
    where
        C: Cache<K, V>,
        K: Hash + Eq,
        V: Clone,
    {
        match self.try_get_or_insert_with(key, || Ok::<V, core::convert::Infallible>(init())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) for a
    /// fallible `init`: an error is returned to this caller and not cached
    /// (one waiting caller then tries its own `init`).
    pub fn try_get_or_insert_with<K, V, E>(
        &self,
        key: K,
        init: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        C: Cache<K, V>,
        K: Hash + Eq,
        V: Clone,
    {
        let flight = match self.begin(&key) {
            Ok(value) => return Ok(value),
            Err(flight) => flight,
        };
        let value = init()?;
        flight.finish(key, Some(value.clone()));
        Ok(value)
    }

    /// [`get_or_insert_with`](ConcurrentCache::get_or_insert_with) for an
    /// asynchronous `init`, with any executor: callers of a key being
    /// computed wait without blocking their thread and are woken when it
    /// is done. If the computing future is dropped (cancelled) or panics,
    /// one waiting caller computes instead.
    pub async fn get_or_insert_with_async<K, V, F>(&self, key: K, init: F) -> V
    where
        C: Cache<K, V>,
        K: Hash + Eq,
        V: Clone,
        F: Future<Output = V>,
    {
        let flight = match self.begin_async(&key).await {
            Ok(value) => return value,
            Err(flight) => flight,
        };
        let value = init.await;
        flight.finish(key, Some(value.clone()));
        value
    }

    /// The first step of a single-flight lookup: the value of `probe`, or
    /// (on a miss) the computation this caller now owns, after waiting for
    /// any other caller computing the same key. One counted lookup.
    #[doc(hidden)]
    pub fn begin<K, V, Q>(&self, probe: &Q) -> Result<V, InFlight<'_, C>>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (hash, shard) = self.locate(probe);
        let mut state = shard.state.lock();
        while !state.pending.is_empty() && state.pending.must_wait(hash, Caller::Thread) {
            shard.ready.wait(&mut state);
        }
        if let Some(value) = state.cache.get(probe) {
            return Ok(value.clone());
        }
        Err(InFlight::start(
            shard,
            &mut state.pending,
            hash,
            Caller::Thread,
        ))
    }

    /// [`begin`](ConcurrentCache::begin) for tasks: waits without blocking
    /// the thread.
    #[doc(hidden)]
    pub fn begin_async<'a, 'p, K, V, Q>(&'a self, probe: &'p Q) -> Wait<'a, 'p, C, Q, K, V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let (hash, shard) = self.locate(probe);
        Wait {
            shard,
            probe,
            hash,
            types: PhantomData,
        }
    }

    /// Keeps only the entries for which `keep` returns `true`, one shard at
    /// a time.
    pub fn retain<K, V>(&self, mut keep: impl FnMut(&K, &mut V) -> bool)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            shard.state.lock().cache.retain(&mut keep);
        }
    }

    /// Removes every entry.
    pub fn clear<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            shard.state.lock().cache.clear();
        }
    }

    /// Number of entries (a sum over the shards, each read under its lock).
    pub fn len<K, V>(&self) -> usize
    where
        C: Cache<K, V>,
    {
        self.shards.iter().map(|s| s.state.lock().cache.len()).sum()
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
            .map(|s| s.state.lock().cache.currsize())
            .sum()
    }

    /// Hits, misses, evictions and expirations of all shards.
    pub fn stats<K, V>(&self) -> CacheStats
    where
        C: Cache<K, V>,
    {
        self.shards
            .iter()
            .fold(CacheStats::default(), |sum, shard| {
                let stats = shard.state.lock().cache.stats();
                let mut total = sum;
                total.hits += stats.hits;
                total.misses += stats.misses;
                total.evictions += stats.evictions;
                total.expirations += stats.expirations;
                total
            })
    }

    /// Resets the counters of every shard.
    pub fn reset_stats<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        for shard in self.shards.iter() {
            shard.state.lock().cache.reset_stats();
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
            let state = shard.state.lock();
            entries.reserve(state.cache.len());
            state
                .cache
                .for_each(|k, v| entries.push((k.clone(), v.clone())));
        }
        entries
    }

    /// Runs `f` on the cache of the shard holding `key` (for operations the
    /// wrapper does not offer, like a TTL cache's `expire`).
    pub fn with_shard_of<Q: ?Sized + Hash, T>(&self, key: &Q, f: impl FnOnce(&mut C) -> T) -> T {
        let (_, shard) = self.locate(key);
        f(&mut shard.state.lock().cache)
    }

    /// Runs `f` on every shard's cache in turn.
    pub fn for_each_shard(&self, mut f: impl FnMut(&mut C)) {
        for shard in self.shards.iter() {
            f(&mut shard.state.lock().cache);
        }
    }
}

impl<C, S> fmt::Debug for ConcurrentCache<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentCache")
            .field("shards", &self.shards.len())
            .field("maxsize", &self.maxsize)
            .finish_non_exhaustive()
    }
}

/// A computation this caller owns: storing its value or dropping it (panic,
/// error, cancellation) wakes the waiting callers.
#[doc(hidden)]
pub struct InFlight<'a, C> {
    shard: &'a Shard<C>,
    hash: u64,
    owns: bool,
}

impl<'a, C> InFlight<'a, C> {
    fn start(shard: &'a Shard<C>, pending: &mut Flights, hash: u64, caller: Caller<'_>) -> Self {
        InFlight {
            shard,
            hash,
            owns: pending.start(hash, caller),
        }
    }

    /// Stores the computed value (unless `None`) and wakes the waiters.
    pub fn finish<K, V>(mut self, key: K, value: Option<V>)
    where
        C: Cache<K, V>,
    {
        let mut state = self.shard.state.lock();
        if let Some(value) = value {
            let _ = state.cache.try_insert(key, value);
        }
        self.release(&mut state.pending);
    }

    fn release(&mut self, pending: &mut Flights) {
        if core::mem::take(&mut self.owns) {
            pending.finish(self.hash);
            self.shard.ready.notify_all();
        }
    }
}

impl<C> Drop for InFlight<'_, C> {
    fn drop(&mut self) {
        if self.owns {
            let mut state = self.shard.state.lock();
            self.release(&mut state.pending);
        }
    }
}

/// Waits until no other caller computes `probe`'s key, then looks it up:
/// the value, or the computation this caller now owns.
#[doc(hidden)]
pub struct Wait<'a, 'p, C, Q: ?Sized, K, V> {
    shard: &'a Shard<C>,
    probe: &'p Q,
    hash: u64,
    types: PhantomData<fn() -> (K, V)>,
}

impl<'a, C, Q, K, V> Future for Wait<'a, '_, C, Q, K, V>
where
    C: Cache<K, V>,
    V: Clone,
    Q: ?Sized + Hash + Equivalent<K>,
{
    type Output = Result<V, InFlight<'a, C>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut state = this.shard.state.lock();
        if !state.pending.is_empty() && state.pending.must_wait(this.hash, Caller::Task(cx.waker()))
        {
            return Poll::Pending;
        }
        if let Some(value) = state.cache.get(this.probe) {
            return Poll::Ready(Ok(value.clone()));
        }
        let flight = InFlight::start(
            this.shard,
            &mut state.pending,
            this.hash,
            Caller::Task(cx.waker()),
        );
        Poll::Ready(Err(flight))
    }
}
