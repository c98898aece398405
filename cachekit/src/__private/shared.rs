//! The process-wide cache of a memoized function (the default): one cache
//! shared by every thread and task, looked up without a lock, computing
//! each key once at a time.

use core::hash::{BuildHasher, Hash};

use super::peers::{peers, remote, AnyPeers, PeerKey, Turn};
use super::{Done, Request};
use crate::memo::{CacheInfo, CacheView, ConcurrentView, Viewed};
use crate::{Cache, ConcurrentCache, DefaultHashBuilder, Equivalent, Shardable};

pub use super::slot::{GenericSlot, SharedSlot};
pub use cachekit_core::concurrent::{Claim, ClaimAsync, Missed, Ticket};

/// A cache a memoized function can share between threads, and how.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the shared cache of a `#[cached]` function",
    label = "the `cache = ...` expression",
    note = "a shared cache must be one of cachekit's caches, a `hashbrown::HashMap`, or a `ConcurrentCache`, with `Send + Sync` keys and values; for values that are not `Send + Sync` (`Rc`, `RefCell`), keep one cache per thread with `#[cached(thread_local)]`"
)]
pub trait Shareable: Sized + 'static {
    /// The cache the memo's shards hold.
    type Cache: Shardable<Key: Send> + Send + Sync + 'static;
    /// The hasher that spreads keys over the shards.
    type Hasher: Send + Sync + 'static;
    /// Wraps the cache for sharing.
    fn share(self) -> SharedMemo<Self::Cache, Self::Hasher>;
}

/// One of cachekit's caches (or a hash map) is shared as the only shard of
/// a [`ConcurrentCache`]: its policy applies exactly, lookups run in
/// parallel, and `with_cache` lends the cache itself.
fn unsharded<K, V, C>(cache: C) -> SharedMemo<C, DefaultHashBuilder>
where
    C: Cache<K, V> + Shardable,
{
    SharedMemo {
        cache: ConcurrentCache::unsharded(cache),
        lends_shard: true,
        peers: None,
        remote: None,
        #[cfg(feature = "redis")]
        redis: None,
    }
}

impl<K, V, P, S, W> Shareable for crate::PolicyCache<K, V, P, S, W>
where
    P: crate::Policy<K, V>,
    K: Send,
    S: Clone,
    Self: Cache<K, V> + Send + Sync + 'static,
{
    type Cache = Self;
    type Hasher = DefaultHashBuilder;
    fn share(self) -> SharedMemo<Self, DefaultHashBuilder> {
        unsharded(self)
    }
}

impl<K, V, S> Shareable for hashbrown::HashMap<K, V, S>
where
    K: Send,
    Self: Cache<K, V> + Send + Sync + 'static,
{
    type Cache = Self;
    type Hasher = DefaultHashBuilder;
    fn share(self) -> SharedMemo<Self, DefaultHashBuilder> {
        unsharded(self)
    }
}

#[cfg(feature = "redis")]
impl<K, V, L> Shareable for crate::RedisCache<K, V, L>
where
    K: Send + Hash + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Self: Cache<K, V> + Send + Sync + 'static,
{
    type Cache = Self;
    type Hasher = DefaultHashBuilder;
    fn share(self) -> SharedMemo<Self, DefaultHashBuilder> {
        // Named by now (`#[cached]` names the cache before sharing it).
        let leases = self.leases();
        let stats = self.stats_reader();
        #[cfg(feature = "redis-async")]
        let remote = self.remote();
        let mut memo = unsharded(self);
        memo.redis = Some(Box::new(stats));
        #[cfg(feature = "redis-async")]
        {
            memo.remote = remote.map(|remote| {
                let remote: Box<dyn super::peers::Remote<K, V>> = Box::new(remote);
                Box::new(remote) as AnyPeers
            });
        }
        memo.peers = leases.map(|leases| {
            let leases: Box<dyn super::peers::Peers<K, V>> = Box::new(leases);
            Box::new(leases) as AnyPeers
        });
        memo
    }
}

/// A `ConcurrentCache` is shared as it is.
impl<C, S> Shareable for ConcurrentCache<C, S>
where
    C: Shardable + Send + Sync + 'static,
    C::Key: Send,
    S: Send + Sync + 'static,
{
    type Cache = C;
    type Hasher = S;
    fn share(self) -> SharedMemo<C, S> {
        SharedMemo {
            cache: self,
            lends_shard: false,
            peers: None,
            remote: None,
            #[cfg(feature = "redis")]
            redis: None,
        }
    }
}

/// A cache whose entries know their age, so that `refresh = ..` can
/// serve a stale value while one caller recomputes it.
#[diagnostic::on_unimplemented(
    message = "`refresh` needs a cache that knows when each entry was stored: a `TtlCache`, not `{Self}`",
    label = "the cache of a refreshing function",
    note = "write `ttl = SECONDS` (the hard limit, after which callers wait) with `refresh = SECONDS`, or `cache = TtlCache::new(..)`"
)]
pub trait Refreshable {}
impl<K, V, C: crate::Clock, S, W> Refreshable for crate::PolicyCache<K, V, crate::Ttl<C>, S, W> {}

/// A memoized function's shared cache. Its counters are the concurrent
/// cache's: every call makes one counted lookup, a hit or a miss.
pub struct SharedMemo<C: Shardable, S> {
    cache: ConcurrentCache<C, S>,
    /// Whether `with_cache` lends the one shard's cache itself (the cache
    /// the `cache = ...` expression built) rather than the concurrent cache.
    lends_shard: bool,
    /// Other processes sharing the entries (a Redis tier with leases).
    peers: Option<AnyPeers>,
    /// A tier an `async fn` reaches without blocking (async Redis).
    remote: Option<AnyPeers>,
    /// The Redis tier's counters, for `cache_info`.
    #[cfg(feature = "redis")]
    redis: Option<Box<dyn Fn() -> crate::redis::RedisStats + Send + Sync>>,
}

impl<C: Shardable, S: BuildHasher> SharedMemo<C, S> {
    /// The value of `probe` (a hit), or the missed lookup: then build the
    /// owned key and [`claim`](SharedMemo::claim) it.
    #[inline]
    pub fn begin<K, V, Q>(&self, probe: &Q) -> Result<V, Missed>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.cache.begin(probe)
    }

    /// [`begin`](SharedMemo::begin) for a function that refreshes entries
    /// `refresh` old: a fresh hit, a stale one (with what
    /// [`claim_refresh`](SharedMemo::claim_refresh) needs), or a miss.
    #[inline]
    pub fn begin_aged<K, V, Q>(
        &self,
        probe: &Q,
        refresh: core::time::Duration,
    ) -> Result<(V, Option<Missed>), Missed>
    where
        C: Cache<K, V> + Refreshable,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.cache.begin_aged(probe, refresh)
    }

    /// After a stale hit: the computation of the fresh value, unless
    /// another caller is computing it (then serve the stale value).
    pub fn claim_refresh<K, V>(&self, stale: Missed, key: K) -> Option<Ticket<'_, C>>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
    {
        self.cache.claim_refresh(stale, key)
    }

    /// After a missed [`begin`](SharedMemo::begin): waits while another
    /// thread computes `key`, then its value, or the computation this
    /// caller owes.
    pub fn claim<K, V>(&self, missed: Missed, key: K) -> Claim<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        self.cache.claim_missed(missed, key)
    }

    /// [`claim`](SharedMemo::claim) for an `async fn`: waits without
    /// blocking the thread.
    pub fn claim_async<K, V>(&self, missed: Missed, key: K) -> ClaimAsync<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        self.cache.claim_missed_async(missed, key)
    }

    /// Before claiming a missed `key`: its name among other processes, if
    /// the memo shares entries with any (`None` at the cost of one branch
    /// otherwise).
    #[inline]
    pub fn peer_key<K: 'static, V: 'static>(&self, key: &K) -> Option<PeerKey<K>> {
        let peers = peers::<K, V>(self.peers.as_ref()?)?;
        peers.key(key)
    }

    /// With the computation of a missed key claimed: whether this process
    /// computes it for the others, or another process did meanwhile.
    #[inline]
    pub fn turn<K: 'static, V: 'static>(&self, key: Option<PeerKey<K>>) -> Turn<V> {
        match (key, self.peers.as_ref().and_then(peers::<K, V>)) {
            (Some(key), Some(peers)) => peers.turn(key),
            _ => Turn::Alone,
        }
    }

    /// For an `async fn`, before claiming a missed `key`: its name in the
    /// remote tier, if the memo has one (`None` at the cost of one branch
    /// otherwise).
    #[inline]
    pub fn remote_key<K: 'static, V: 'static>(&self, key: &K) -> Option<PeerKey<K>> {
        remote::<K, V>(self.remote.as_ref()?)?.key(key)
    }

    /// The remote tier's value of a key [`remote_key`](Self::remote_key)
    /// named.
    pub async fn remote_get<K: 'static, V: 'static>(&self, key: &PeerKey<K>) -> Option<V> {
        remote::<K, V>(self.remote.as_ref()?)?.get(key).await
    }

    /// Stores a computed value in the remote tier.
    pub async fn remote_set<K: 'static, V: 'static>(&self, key: &PeerKey<K>, value: &V) {
        if let Some(remote) = self.remote.as_ref().and_then(remote::<K, V>) {
            remote.set(key, value).await;
        }
    }

    /// Answers a request about the entry of `probe`.
    pub fn keyed<K, V, Q, R, L>(&'static self, request: Request<'_, L>, probe: &Q) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
        S: 'static,
    {
        match request {
            Request::Invalidate => Done::Value(self.cache.remove(probe)),
            Request::Peek => Done::Value(self.cache.peek(probe)),
            Request::Contains => Done::Bool(self.cache.contains_key(probe)),
            Request::ExpiresIn => Done::Remaining(self.cache.expires_in(probe)),
            request => self.keyless(request),
        }
    }

    /// Answers a request about the whole cache.
    pub fn keyless<K, V, R, L>(&'static self, request: Request<'_, L>) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash,
        S: 'static,
    {
        match request {
            Request::Clear => {
                self.cache.clear();
                self.cache.reset_stats();
                Done::Unit
            }
            Request::Info => {
                let stats = self.cache.stats();
                Done::Info(CacheInfo {
                    hits: stats.hits,
                    misses: stats.misses,
                    maxsize: self.cache.maxsize(),
                    currsize: self.cache.currsize(),
                    len: self.cache.len(),
                    #[cfg(feature = "redis")]
                    redis: self.redis.as_ref().map(|redis| redis()),
                })
            }
            Request::With(f) if self.lends_shard => {
                self.cache
                    .for_each_shard(|cache| f(&mut Viewed::<C, K, V>::new(cache)));
                Done::Unit
            }
            Request::With(f) => {
                f(&mut ConcurrentView::<C, S, K, V>::new(&self.cache));
                Done::Unit
            }
            Request::Invalidate | Request::Peek | Request::Contains | Request::ExpiresIn => {
                Done::Unit
            }
        }
    }
}
