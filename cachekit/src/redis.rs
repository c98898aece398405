//! A Redis-backed cache tier, for caches shared across processes and hosts
//! (feature `redis`).
//!
//! [`RedisCache`] implements [`Cache`], so it works directly and as
//! `cache = ...` in `#[cached]` (which names the Redis keys after the
//! function) and, in a `Mutex`, as a `#[cached_method]` field.
//!
//! ```no_run
//! use cachekit::{cached, LruCache, RedisCache};
//! use std::time::Duration;
//!
//! #[cached(lock, cache = RedisCache::builder("redis://127.0.0.1:6379")
//!     .ttl(Duration::from_secs(300))
//!     .local(LruCache::new(1_000)) // hits served in-process first
//!     .build())]
//! fn price(sku: &str) -> u64 {
//!     sku.len() as u64 * 100 // a slow query in real code
//! }
//! ```
//!
//! # Keys and values
//!
//! An entry lives at `PREFIX:FUNCTION:HASH`, where `PREFIX` is
//! configurable (`cachekit` by default), `FUNCTION` is the cached
//! function's path (set by `#[cached]`, or [`RedisBuilder::function`]) and
//! `HASH` a stable 64-bit FNV-1a hash of the key in hex, identical across
//! processes and hosts. The value is the pair `(key, value)` encoded with
//! [postcard](https://docs.rs/postcard) (compact, varint integers); the key
//! inside is compared on every read, so two keys with the same hash never
//! answer for each other. Expiry is Redis's own (`SET ... PX`).
//!
//! # One computation per key across processes
//!
//! Within a process, callers missing one key wait for one computation.
//! With [`RedisBuilder::lease`], so do processes: the one that misses first
//! takes a lease on the key in Redis and computes; the others wait for the
//! value it stores (up to [`RedisBuilder::lease_wait`]), then compute
//! themselves if it has not come. A crashed owner's lease ends after its
//! term; a failed computation releases it at once.
//!
//! ```no_run
//! use cachekit::{cached, RedisCache};
//! use std::time::Duration;
//!
//! #[cached(cache = RedisCache::builder("redis://127.0.0.1:6379")
//!     .ttl(Duration::from_secs(300))
//!     .lease(Duration::from_secs(5)) // longer than a report takes
//!     .build())]
//! fn report(day: u32) -> String {
//!     format!("report {day}") // minutes of work in real code
//! }
//!
//! report(7);
//! let redis = report::cache_info().redis.unwrap();
//! println!("{} leases, {} waits, {} errors", redis.leases, redis.lease_waits, redis.errors);
//! ```
//!
//! A lease costs a miss three more round trips (`SET NX`, a `GET` once it
//! is held, the releasing script). It applies to synchronous functions; an
//! `async fn` does not wait on leases.
//!
//! # From `async fn`s
//!
//! The client behind [`RedisCache::builder`] is synchronous: inside an
//! `async fn` each Redis call would block the executor's thread for up to
//! the timeout. With feature `redis-async`,
//! [`asynchronous`](RedisBuilder::asynchronous) gives an `async fn` its own
//! path: Redis is read after a local miss and written after a computation
//! through an async connection on the caller's tokio runtime (an example
//! is on the method).
//!
//!
//! # On a Redis Cluster
//!
//! With feature `redis-cluster`, [`RedisCache::cluster_builder`] puts the
//! entries on a cluster; each function's keys share one hash slot (its
//! name is the hash tag), so one node serves a function and its leases.
//!
//! # Faults
//!
//! Redis down, slow or returning garbage never makes a call fail or hang:
//! connecting, reading and writing are bounded by a timeout (100 ms by
//! default), any failure counts in [`RedisStats`] and is logged (`log`
//! target `cachekit::redis`), the call is treated as a miss, and Redis is
//! left alone for a retry delay (1 s) before the next attempt. A value that
//! does not decode is a miss too. The counts are in [`RedisStats`]: from
//! the cache ([`RedisCache::redis_stats`]) or, for a `#[cached]` function,
//! in `name::cache_info().redis`.

use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Cache, CacheStats, Equivalent, TooLarge};

/// Counters of the Redis tier, beside the cache's hit/miss statistics:
/// [`RedisCache::redis_stats`], or `name::cache_info().redis` for a
/// `#[cached]` function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RedisStats {
    /// Lookups answered by the local tier.
    pub local_hits: u64,
    /// Lookups answered by Redis.
    pub redis_hits: u64,
    /// Redis errors: connection refused, timeouts, protocol errors.
    pub errors: u64,
    /// Values in Redis that did not decode (treated as misses).
    pub decode_errors: u64,
    /// Leases taken: misses this process computed for every process
    /// ([`RedisBuilder::lease`]).
    pub leases: u64,
    /// Misses that found another process's lease and waited for its value.
    pub lease_waits: u64,
    /// Waits that ended with the other process's value.
    pub lease_values: u64,
    /// Waits that ended past [`RedisBuilder::lease_wait`] (or with Redis
    /// gone), computing here instead.
    pub lease_timeouts: u64,
}

/// No local tier: every lookup goes to Redis.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLocal;

/// A [`Cache`] as the in-process tier in front of Redis.
#[derive(Clone, Debug)]
pub struct Local<C>(pub C);

/// The in-process tier in front of Redis: [`NoLocal`] or [`Local`].
pub trait LocalTier<K, V> {
    /// Whether `key` is held locally (not a use).
    fn holds<Q: ?Sized + Hash + Equivalent<K>>(&self, key: &Q) -> bool;
    /// The local value of `key`, counted as a use.
    fn lookup<Q: ?Sized + Hash + Equivalent<K>>(&mut self, key: &Q) -> Option<&V>;
    /// The local value of `key`, not a use.
    fn peek_local<Q: ?Sized + Hash + Equivalent<K>>(&self, key: &Q) -> Option<&V>;
    /// Keeps `key -> value` locally; `None` when there is no local tier.
    fn keep(&mut self, key: K, value: V) -> Option<(K, V)>;
    /// Forgets `key` locally.
    fn forget<Q: ?Sized + Hash + Equivalent<K>>(&mut self, key: &Q) -> Option<V>;
    /// Forgets everything locally.
    fn forget_all(&mut self);
}

impl<K, V> LocalTier<K, V> for NoLocal {
    fn holds<Q: ?Sized + Hash + Equivalent<K>>(&self, _: &Q) -> bool {
        false
    }
    fn lookup<Q: ?Sized + Hash + Equivalent<K>>(&mut self, _: &Q) -> Option<&V> {
        None
    }
    fn peek_local<Q: ?Sized + Hash + Equivalent<K>>(&self, _: &Q) -> Option<&V> {
        None
    }
    fn keep(&mut self, key: K, value: V) -> Option<(K, V)> {
        Some((key, value))
    }
    fn forget<Q: ?Sized + Hash + Equivalent<K>>(&mut self, _: &Q) -> Option<V> {
        None
    }
    fn forget_all(&mut self) {}
}

impl<K, V, C: Cache<K, V>> LocalTier<K, V> for Local<C> {
    fn holds<Q: ?Sized + Hash + Equivalent<K>>(&self, key: &Q) -> bool {
        self.0.contains_key(key)
    }
    fn lookup<Q: ?Sized + Hash + Equivalent<K>>(&mut self, key: &Q) -> Option<&V> {
        self.0.get(key)
    }
    fn peek_local<Q: ?Sized + Hash + Equivalent<K>>(&self, key: &Q) -> Option<&V> {
        self.0.peek(key)
    }
    fn keep(&mut self, key: K, value: V) -> Option<(K, V)> {
        match self.0.try_insert(key, value) {
            Ok(_) => None,
            Err(refused) => Some((refused.key, refused.value)),
        }
    }
    fn forget<Q: ?Sized + Hash + Equivalent<K>>(&mut self, key: &Q) -> Option<V> {
        self.0.remove(key)
    }
    fn forget_all(&mut self) {
        self.0.clear();
    }
}

/// A cache whose entries live in Redis, optionally behind a local tier
/// (see the [module docs](self)).
pub struct RedisCache<K, V, L = NoLocal> {
    link: Arc<Link>,
    prefix: String,
    function: Option<String>,
    ttl: Option<Duration>,
    lease: Option<Lease>,
    /// Redis is read and written by `async fn`s, not by the `Cache` methods.
    asynchronous: bool,
    /// On a Redis Cluster: one hash slot per function.
    clustered: bool,
    local: L,
    /// The last value read from Redis, when there is no local tier to
    /// hold it (`get` returns a reference).
    last: Option<V>,
    stats: CacheStats,
    types: PhantomData<fn(K) -> K>,
}

/// The connection to Redis, its fault rules and counters: shared by the
/// cache and its leases, which are taken outside the cache's lock.
struct Link {
    client: Option<Target>,
    conn: Mutex<Option<Conn>>,
    timeout: Duration,
    retry_after: Duration,
    down_until: Mutex<Option<Instant>>,
    stats: Mutex<RedisStats>,
}

/// What the cache connects to.
enum Target {
    Server(redis::Client),
    #[cfg(feature = "redis-cluster")]
    Cluster(redis::cluster::ClusterClient),
}

/// An open connection to the [`Target`].
enum Conn {
    Server(redis::Connection),
    /// Boxed: a cluster connection is four times a server's.
    #[cfg(feature = "redis-cluster")]
    Cluster(Box<redis::cluster::ClusterConnection>),
}

impl Conn {
    fn like(&mut self) -> &mut dyn redis::ConnectionLike {
        match self {
            Conn::Server(c) => c,
            #[cfg(feature = "redis-cluster")]
            Conn::Cluster(c) => &mut **c,
        }
    }
}

impl Target {
    fn connect(&self, timeout: Duration) -> redis::RedisResult<Conn> {
        match self {
            Target::Server(client) => {
                let c = client.get_connection_with_timeout(timeout)?;
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))?;
                Ok(Conn::Server(c))
            }
            #[cfg(feature = "redis-cluster")]
            Target::Cluster(client) => {
                let c = client.get_connection()?;
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))?;
                Ok(Conn::Cluster(Box::new(c)))
            }
        }
    }
}

/// How long a lease lasts and how long others wait on it.
#[derive(Clone, Copy, Debug)]
struct Lease {
    term: Duration,
    wait: Duration,
}

/// Builds a [`RedisCache`].
pub struct RedisBuilder<K, V, L = NoLocal> {
    url: String,
    prefix: String,
    function: Option<String>,
    ttl: Option<Duration>,
    timeout: Duration,
    retry_after: Duration,
    lease: Option<Lease>,
    asynchronous: bool,
    /// The nodes of a Redis Cluster, instead of `url`'s server.
    cluster: Option<Nodes>,
    local: L,
    types: PhantomData<fn(K, V)>,
}

/// The seed nodes of a cluster.
#[cfg(feature = "redis-cluster")]
type Nodes = Vec<String>;
/// No cluster without the feature.
#[cfg(not(feature = "redis-cluster"))]
type Nodes = core::convert::Infallible;

impl<K, V> RedisCache<K, V> {
    /// A Redis tier at `url` (`redis://host:port/db`) with the defaults:
    /// prefix `cachekit`, no expiry, 100 ms timeouts, no local tier. An
    /// invalid URL is not an error here: every call is then a miss and
    /// counts an error.
    pub fn new(url: &str) -> Self {
        Self::builder(url).build()
    }

    /// Configures a Redis tier at `url`.
    pub fn builder(url: &str) -> RedisBuilder<K, V> {
        RedisBuilder {
            url: url.to_owned(),
            prefix: "cachekit".to_owned(),
            function: None,
            ttl: None,
            timeout: Duration::from_millis(100),
            retry_after: Duration::from_secs(1),
            lease: None,
            asynchronous: false,
            cluster: None,
            local: NoLocal,
            types: PhantomData,
        }
    }
}

impl<K, V, L> RedisBuilder<K, V, L> {
    /// The first part of every key (default `cachekit`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_owned();
        self
    }

    /// The second part of every key; `#[cached]` sets it to the function's
    /// path unless given here.
    pub fn function(mut self, name: &str) -> Self {
        self.function = Some(name.to_owned());
        self
    }

    /// Entries expire this long after they are stored (Redis `PX`).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The bound on connecting, reading and writing (default 100 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long Redis is left alone after a failure (default 1 s).
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = delay;
        self
    }

    /// One computation per key across processes: the first process to
    /// miss a key takes a lease on it in Redis (`SET KEY:lease TOKEN NX PX
    /// term`) and computes; the others, missing the same key meanwhile,
    /// wait for its value (polling with backoff from 1 ms to 50 ms) for up
    /// to [`lease_wait`](Self::lease_wait) (default: `term`), then compute
    /// themselves. The owner releases the lease once the value is stored
    /// (only its own: the token is compared in a script), or when the
    /// computation fails; a crashed owner's lease ends after `term`. Choose
    /// `term` above the computation's usual time.
    ///
    /// Applies to the misses of synchronous `#[cached]` functions; an
    /// `async fn` and a `refresh` recomputation do not wait (waiting would
    /// block the executor's thread).
    pub fn lease(mut self, term: Duration) -> Self {
        let wait = self.lease.map_or(term, |lease| lease.wait);
        self.lease = Some(Lease { term, wait });
        self
    }

    /// How long a miss waits for another process's leased computation
    /// before computing itself (default: the lease's term). Needs
    /// [`lease`](Self::lease).
    pub fn lease_wait(mut self, wait: Duration) -> Self {
        if let Some(lease) = &mut self.lease {
            lease.wait = wait;
        }
        self
    }

    /// Redis for `async fn`s (feature `redis-async`): a `#[cached] async fn`
    /// reads and writes Redis through the redis crate's async connection
    /// manager on the caller's tokio runtime, so no Redis I/O blocks an
    /// executor thread. The same fault rules hold (each command bounded by
    /// the timeout, a retry delay after a failure, faults counted and
    /// logged, never an error): called outside a tokio runtime, the
    /// function computes and counts an error.
    ///
    /// The cache's own [`Cache`] lookups and inserts then use the local
    /// tier only (they run under the memo's lock, and must not wait for
    /// the network); `invalidate`, `clear`, `len` and iteration still go to
    /// Redis, blocking. Async functions do not take leases.
    ///
    /// ```no_run
    /// use cachekit::{cached, LruCache, RedisCache};
    ///
    /// #[cached(cache = RedisCache::builder("redis://127.0.0.1:6379")
    ///     .local(LruCache::new(1_000))
    ///     .asynchronous()
    ///     .build())]
    /// async fn profile(user: u64) -> String {
    ///     format!("profile {user}") // an HTTP call in real code
    /// }
    ///
    /// # #[allow(dead_code)]
    /// async fn page(user: u64) -> String {
    ///     profile(user).await // on a tokio runtime
    /// }
    /// ```
    #[cfg(feature = "redis-async")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-async")))]
    pub fn asynchronous(mut self) -> Self {
        self.asynchronous = true;
        self
    }

    /// A local cache in front of Redis: hits are served from it, misses
    /// fall through to Redis, and invalidation reaches both tiers.
    pub fn local<C: Cache<K, V>>(self, local: C) -> RedisBuilder<K, V, Local<C>> {
        RedisBuilder {
            url: self.url,
            prefix: self.prefix,
            function: self.function,
            ttl: self.ttl,
            timeout: self.timeout,
            retry_after: self.retry_after,
            lease: self.lease,
            asynchronous: self.asynchronous,
            cluster: self.cluster,
            local: Local(local),
            types: PhantomData,
        }
    }

    /// The cache.
    pub fn build(self) -> RedisCache<K, V, L> {
        let client = match &self.cluster {
            None => redis::Client::open(self.url.as_str()).map(Target::Server),
            #[cfg(feature = "redis-cluster")]
            Some(nodes) => redis::cluster::ClusterClient::builder(nodes.iter().map(String::as_str))
                .connection_timeout(self.timeout)
                .response_timeout(self.timeout)
                .retries(1)
                .build()
                .map(Target::Cluster),
            #[cfg(not(feature = "redis-cluster"))]
            Some(never) => match *never {},
        };
        let client = match client {
            Ok(client) => Some(client),
            Err(e) => {
                log::warn!(target: "cachekit::redis", "invalid Redis URL {:?}: {e}", self.url);
                None
            }
        };
        RedisCache {
            link: Arc::new(Link {
                client,
                conn: Mutex::new(None),
                timeout: self.timeout,
                retry_after: self.retry_after,
                down_until: Mutex::new(None),
                stats: Mutex::new(RedisStats::default()),
            }),
            prefix: self.prefix,
            function: self.function,
            ttl: self.ttl,
            lease: self.lease,
            asynchronous: self.asynchronous,
            clustered: self.cluster.is_some(),
            local: self.local,
            last: None,
            stats: CacheStats::default(),
            types: PhantomData,
        }
    }
}

/// FNV-1a, 64 bits: the same for a key in every process and on every host.
struct StableHasher(u64);

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl<K, V, L> RedisCache<K, V, L> {
    /// The Redis counters.
    pub fn redis_stats(&self) -> RedisStats {
        *self.link.stats.lock()
    }

    /// The local tier.
    pub fn local(&self) -> &L {
        &self.local
    }

    /// Names the function whose results this cache holds, unless a name
    /// was given to the builder (`#[cached]` calls this).
    pub fn set_function(&mut self, name: &str) {
        if self.function.is_none() {
            self.function = Some(name.to_owned());
        }
    }

    fn namespace(&self) -> String {
        let function = self.function.as_deref().unwrap_or("default");
        if self.clustered {
            // A hash tag: every key of the function (and its leases) in
            // one slot, so that one node answers `SCAN`, and a multi-key
            // `DEL` is legal.
            format!("{}:{{{function}}}:", self.prefix)
        } else {
            format!("{}:{function}:", self.prefix)
        }
    }

    /// The Redis key the entry of `key` lives at
    /// (`PREFIX:FUNCTION:HASH`; its lease, if any, at that plus `:lease`).
    pub fn redis_key<Q: ?Sized + Hash>(&self, key: &Q) -> String {
        redis_key(&self.namespace(), key)
    }

    fn run<T>(
        &self,
        what: &str,
        command: impl FnOnce(&mut dyn redis::ConnectionLike) -> redis::RedisResult<T>,
    ) -> Option<T> {
        self.link.run(what, command)
    }

    fn decode<Q>(&self, bytes: &[u8], key: &Q) -> Option<(K, V)>
    where
        K: DeserializeOwned,
        V: DeserializeOwned,
        Q: ?Sized + Equivalent<K>,
    {
        self.link.decode(bytes, key)
    }

    fn scan_namespace(&self) -> Vec<String> {
        // The namespace is matched literally: a prefix or function name
        // with glob characters must not match another namespace's keys.
        let pattern = format!("{}*", glob_escape(&self.namespace()));
        #[cfg(feature = "redis-cluster")]
        if self.clustered {
            return self.scan_slot(&pattern);
        }
        self.run("scanning Redis", |c| {
            let keys: redis::Iter<String> = redis::cmd("SCAN")
                .cursor_arg(0)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .clone()
                .iter(c)?;
            keys.collect::<redis::RedisResult<Vec<String>>>()
        })
        .unwrap_or_default()
    }
}

#[cfg(feature = "redis-cluster")]
impl<K, V> RedisCache<K, V> {
    /// The cluster's builder: entries on a Redis Cluster whose nodes
    /// include `nodes` (`redis://host:port` each; the others are found
    /// from them). Keys of one function share a hash slot (the function's
    /// name is a hash tag: `PREFIX:{FUNCTION}:HASH`), so one node holds a
    /// function's entries and its leases: `len`, `clear` and iteration
    /// ask one node, and a function's keys move together when slots are
    /// resharded. Functions spread over the nodes; a single function does
    /// not (one hot function loads one node). Leases work as on one server.
    /// The async tier ([`asynchronous`](RedisBuilder::asynchronous)) does
    /// not reach a cluster yet: such an `async fn` computes, counting an
    /// error.
    ///
    /// ```no_run
    /// use cachekit::{cached, RedisCache};
    ///
    /// #[cached(cache = RedisCache::cluster_builder(&[
    ///     "redis://10.0.0.1:6379",
    ///     "redis://10.0.0.2:6379",
    /// ])
    /// .build())]
    /// fn rate(pair: &str) -> f64 {
    ///     pair.len() as f64 // a remote call in real code
    /// }
    ///
    /// # let _ = rate;
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub fn cluster_builder(nodes: &[&str]) -> RedisBuilder<K, V> {
        let mut builder = RedisCache::builder(nodes.first().copied().unwrap_or(""));
        builder.cluster = Some(nodes.iter().map(|&n| n.to_owned()).collect());
        builder
    }
}

#[cfg(feature = "redis-cluster")]
impl<K, V, L> RedisCache<K, V, L> {
    /// `SCAN MATCH pattern` on the node that holds the function's slot.
    fn scan_slot(&self, pattern: &str) -> Vec<String> {
        use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
        let namespace = self.namespace();
        let tag = namespace
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
            .map_or(namespace.as_str(), |(tag, _)| tag);
        let route = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(Route::new(
            slot(tag.as_bytes()),
            SlotAddr::Master,
        )));
        self.link
            .run_on("scanning Redis", |conn| {
                let Conn::Cluster(c) = conn else {
                    return Ok(Vec::new());
                };
                let mut keys = Vec::new();
                let mut cursor = 0u64;
                loop {
                    let mut cmd = redis::cmd("SCAN");
                    cmd.arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(1000);
                    let reply = c.route_command(&cmd, route.clone())?;
                    let (next, batch): (u64, Vec<String>) = redis::from_redis_value(reply)?;
                    keys.extend(batch);
                    if next == 0 {
                        return Ok(keys);
                    }
                    cursor = next;
                }
            })
            .unwrap_or_default()
    }
}

/// The cluster hash slot of a hash tag: CRC16 (XMODEM) mod 16384, as
/// Redis Cluster computes it.
#[cfg(feature = "redis-cluster")]
fn slot(tag: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in tag {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

/// The name and encoded form of `key` in `namespace`, for leases and the
/// async tier (`None`: the key does not encode, and stays local).
fn peer_key<K: Hash + Serialize>(namespace: &str, key: &K) -> Option<crate::__private::PeerKey<K>> {
    Some(crate::__private::PeerKey {
        name: redis_key(namespace, key),
        encoded: postcard::to_stdvec(key).ok()?,
        key: PhantomData,
    })
}

fn redis_key<Q: ?Sized + Hash>(namespace: &str, key: &Q) -> String {
    let mut hasher = StableHasher(0xcbf2_9ce4_8422_2325);
    key.hash(&mut hasher);
    format!("{namespace}{:016x}", hasher.finish())
}

impl Link {
    fn fail(&self, what: &str, error: &dyn core::fmt::Display) {
        self.stats.lock().errors += 1;
        *self.conn.lock() = None;
        // A delay too long for an `Instant` leaves Redis alone for as long
        // as one can say.
        let now = Instant::now();
        let until = now
            .checked_add(self.retry_after)
            .or_else(|| now.checked_add(Duration::from_secs(1 << 32)))
            .unwrap_or(now);
        *self.down_until.lock() = Some(until);
        log::warn!(target: "cachekit::redis", "{what} failed, computing instead: {error}");
    }

    /// Runs `command` on a connection; `None` on any failure (counted,
    /// logged) or while Redis is being left alone after one.
    fn run<T>(
        &self,
        what: &str,
        command: impl FnOnce(&mut dyn redis::ConnectionLike) -> redis::RedisResult<T>,
    ) -> Option<T> {
        self.run_on(what, |conn| command(conn.like()))
    }

    /// [`run`](Self::run) with the connection itself (a cluster routes
    /// some commands by hand).
    fn run_on<T>(
        &self,
        what: &str,
        command: impl FnOnce(&mut Conn) -> redis::RedisResult<T>,
    ) -> Option<T> {
        if let Some(until) = *self.down_until.lock() {
            if Instant::now() < until {
                return None;
            }
        }
        let Some(client) = &self.client else {
            self.stats.lock().errors += 1;
            return None;
        };
        let mut conn = self.conn.lock();
        if conn.is_none() {
            match client.connect(self.timeout) {
                Ok(c) => *conn = Some(c),
                Err(e) => {
                    drop(conn);
                    self.fail("connecting to Redis", &e);
                    return None;
                }
            }
        }
        let result = command(conn.as_mut()?);
        drop(conn);
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(what, &e);
                None
            }
        }
    }

    /// The value of a stored `(key, value)` entry that must be `key`'s:
    /// it starts with the key's bytes (postcard is self-delimiting), so an
    /// entry of another key with the same hash is no match.
    fn decode_value<K, V: DeserializeOwned>(
        &self,
        bytes: &[u8],
        key: &crate::__private::PeerKey<K>,
    ) -> Option<V> {
        let rest = bytes.strip_prefix(key.encoded.as_slice())?;
        match postcard::from_bytes::<V>(rest) {
            Ok(value) => Some(value),
            Err(e) => {
                self.stats.lock().decode_errors += 1;
                log::warn!(target: "cachekit::redis", "undecodable value in Redis, treated as a miss: {e}");
                None
            }
        }
    }

    fn decode<K, V, Q>(&self, bytes: &[u8], key: &Q) -> Option<(K, V)>
    where
        K: DeserializeOwned,
        V: DeserializeOwned,
        Q: ?Sized + Equivalent<K>,
    {
        match postcard::from_bytes::<(K, V)>(bytes) {
            Ok((k, v)) if key.equivalent(&k) => Some((k, v)),
            Ok(_) => None, // another key with the same hash
            Err(e) => {
                self.stats.lock().decode_errors += 1;
                log::warn!(target: "cachekit::redis", "undecodable value in Redis, treated as a miss: {e}");
                None
            }
        }
    }
}

/// The leases of one cached function's keys: what lets processes that
/// miss one key at once compute it once.
pub(crate) struct Leases<K, V> {
    link: Arc<Link>,
    namespace: String,
    lease: Lease,
    types: PhantomData<fn(K) -> V>,
}

impl<K, V, L> RedisCache<K, V, L> {
    /// Reads the Redis counters from anywhere (the cache itself sits
    /// behind a lock in a memo).
    pub(crate) fn stats_reader(&self) -> impl Fn() -> RedisStats + Send + Sync + 'static {
        let link = Arc::clone(&self.link);
        move || *link.stats.lock()
    }

    /// The function's leases, when [`RedisBuilder::lease`] asked for them
    /// (taken after `#[cached]` named the function).
    pub(crate) fn leases(&self) -> Option<Leases<K, V>> {
        Some(Leases {
            link: Arc::clone(&self.link),
            namespace: self.namespace(),
            lease: self.lease?,
            types: PhantomData,
        })
    }
}

/// A lease this process holds; dropping it releases the lease, unless it
/// has passed to another process meanwhile.
struct Held {
    link: Arc<Link>,
    key: String,
    token: String,
}

/// Deletes the lease only if it is still ours.
const RELEASE: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

impl Drop for Held {
    fn drop(&mut self) {
        self.link.run("releasing a lease", |c| {
            redis::cmd("EVAL")
                .arg(RELEASE)
                .arg(1)
                .arg(&self.key)
                .arg(&self.token)
                .query::<i64>(c)
        });
    }
}

/// A token no other lease holder has: process id, time and a counter,
/// mixed by a randomly keyed hash.
fn token() -> String {
    use core::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = std::collections::hash_map::RandomState::new();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mixed = state.hash_one((std::process::id(), Instant::now(), n));
    format!("{:x}-{:016x}-{n:x}", std::process::id(), mixed)
}

impl<K, V: DeserializeOwned> Leases<K, V> {
    /// The stored value of `key`: `None` if Redis failed, `Some(None)` if
    /// there is none (or only another key's of the same hash).
    fn read(&self, key: &crate::__private::PeerKey<K>) -> Option<Option<V>> {
        let bytes: Option<Vec<u8>> = self.link.run("reading from Redis", |c| {
            redis::cmd("GET").arg(&key.name).query(c)
        })?;
        Some(bytes.and_then(|bytes| self.link.decode_value(&bytes, key)))
    }

    /// [`read`](Self::read), with a failure taken as no value.
    fn stored(&self, key: &crate::__private::PeerKey<K>) -> Option<V> {
        self.read(key).flatten()
    }
}

impl<K, V> crate::__private::Peers<K, V> for Leases<K, V>
where
    K: Hash + Serialize,
    V: DeserializeOwned,
{
    fn key(&self, key: &K) -> Option<crate::__private::PeerKey<K>> {
        peer_key(&self.namespace, key)
    }

    fn turn(&self, key: crate::__private::PeerKey<K>) -> crate::__private::Turn<V> {
        use crate::__private::Turn;
        let lease_key = format!("{}:lease", key.name);
        let token = token();
        let term = px_millis(self.lease.term).unwrap_or(u64::MAX >> 14);
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let mut waited = false;
        loop {
            let taken: Option<Option<String>> = self.link.run("taking a lease", |c| {
                redis::cmd("SET")
                    .arg(&lease_key)
                    .arg(&token)
                    .arg("NX")
                    .arg("PX")
                    .arg(term)
                    .query(c)
            });
            match taken {
                Some(Some(_)) => {
                    let held = Held {
                        link: Arc::clone(&self.link),
                        key: lease_key,
                        token,
                    };
                    // The value may have been stored, and its lease
                    // released, since this process missed it.
                    if let Some(value) = self.stored(&key) {
                        drop(held);
                        self.link.stats.lock().lease_values += 1;
                        return Turn::Value(value);
                    }
                    self.link.stats.lock().leases += 1;
                    return Turn::Lead(Box::new(held));
                }
                Some(None) => {}
                None => {
                    if waited {
                        self.link.stats.lock().lease_timeouts += 1;
                    }
                    return Turn::Alone;
                }
            }
            if !waited {
                waited = true;
                self.link.stats.lock().lease_waits += 1;
            }
            // Another process holds the lease: has it stored the value?
            match self.read(&key) {
                None => {
                    self.link.stats.lock().lease_timeouts += 1;
                    return Turn::Alone;
                }
                Some(Some(value)) => {
                    self.link.stats.lock().lease_values += 1;
                    return Turn::Value(value);
                }
                Some(None) => {}
            }
            let elapsed = started.elapsed();
            if elapsed >= self.lease.wait {
                self.link.stats.lock().lease_timeouts += 1;
                return Turn::Alone;
            }
            std::thread::sleep(pause.min(self.lease.wait - elapsed));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

#[cfg(feature = "redis-async")]
mod asynchronous {
    use super::*;
    use crate::__private::{PeerKey, Remote, RemoteFuture};
    use redis::aio::{ConnectionManager, ConnectionManagerConfig};

    /// The async tier of one cached function: its keys through one
    /// connection manager, with the cache's fault rules and counters.
    pub(crate) struct AsyncRemote<K, V> {
        link: Arc<Link>,
        namespace: String,
        ttl: Option<Duration>,
        manager: Mutex<Option<ConnectionManager>>,
        types: PhantomData<fn(K) -> V>,
    }

    impl<K, V, L> RedisCache<K, V, L> {
        /// The async tier, when the builder asked for one (taken after
        /// `#[cached]` named the function).
        pub(crate) fn remote(&self) -> Option<AsyncRemote<K, V>> {
            self.asynchronous.then(|| AsyncRemote {
                link: Arc::clone(&self.link),
                namespace: self.namespace(),
                ttl: self.ttl,
                manager: Mutex::new(None),
                types: PhantomData,
            })
        }
    }

    impl<K, V> AsyncRemote<K, V> {
        fn fail(&self, what: &str, error: &dyn core::fmt::Display) {
            *self.manager.lock() = None;
            self.link.fail(what, error);
        }

        /// A connection, unless Redis is being left alone after a failure
        /// or there is no tokio runtime to drive one.
        async fn connection(&self) -> Option<ConnectionManager> {
            if let Some(until) = *self.link.down_until.lock() {
                if Instant::now() < until {
                    return None;
                }
            }
            let Some(Target::Server(client)) = &self.link.client else {
                // No server, or a cluster (whose async path is not built).
                self.link.stats.lock().errors += 1;
                return None;
            };
            if tokio::runtime::Handle::try_current().is_err() {
                self.fail("reaching Redis", &"not on a tokio runtime");
                return None;
            }
            if let Some(manager) = self.manager.lock().clone() {
                return Some(manager);
            }
            let timeout = self.link.timeout;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout))
                .set_number_of_retries(1);
            let connecting = ConnectionManager::new_with_config(client.clone(), config);
            match tokio::time::timeout(timeout.saturating_mul(2), connecting).await {
                Ok(Ok(manager)) => {
                    *self.manager.lock() = Some(manager.clone());
                    Some(manager)
                }
                Ok(Err(e)) => {
                    self.fail("connecting to Redis", &e);
                    None
                }
                Err(_) => {
                    self.fail("connecting to Redis", &"timed out");
                    None
                }
            }
        }

        /// Runs `cmd`, bounded by the timeout; `None` on any failure.
        async fn query<T: redis::FromRedisValue>(&self, what: &str, cmd: redis::Cmd) -> Option<T> {
            let mut manager = self.connection().await?;
            let running = cmd.query_async::<T>(&mut manager);
            match tokio::time::timeout(self.link.timeout, running).await {
                Ok(Ok(value)) => Some(value),
                Ok(Err(e)) => {
                    self.fail(what, &e);
                    None
                }
                Err(_) => {
                    self.fail(what, &"timed out");
                    None
                }
            }
        }
    }

    impl<K, V> Remote<K, V> for AsyncRemote<K, V>
    where
        K: Hash + Serialize,
        V: Serialize + DeserializeOwned + Sync,
    {
        fn key(&self, key: &K) -> Option<PeerKey<K>> {
            peer_key(&self.namespace, key)
        }

        fn get<'a>(&'a self, key: &'a PeerKey<K>) -> RemoteFuture<'a, Option<V>> {
            Box::pin(async move {
                let mut cmd = redis::cmd("GET");
                cmd.arg(&key.name);
                let bytes: Vec<u8> = self
                    .query::<Option<Vec<u8>>>("reading from Redis", cmd)
                    .await??;
                let value = self.link.decode_value(&bytes, key)?;
                self.link.stats.lock().redis_hits += 1;
                Some(value)
            })
        }

        fn set<'a>(&'a self, key: &'a PeerKey<K>, value: &'a V) -> RemoteFuture<'a, ()> {
            Box::pin(async move {
                // `(key, value)` in postcard is the key's bytes, then the
                // value's.
                let bytes = match postcard::to_extend(value, key.encoded.clone()) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        self.link.stats.lock().errors += 1;
                        log::warn!(target: "cachekit::redis", "value not encodable, kept locally only: {e}");
                        return;
                    }
                };
                let mut cmd = redis::cmd("SET");
                cmd.arg(&key.name).arg(bytes);
                if let Some(px) = self.ttl.and_then(px_millis) {
                    cmd.arg("PX").arg(px);
                }
                let _: Option<()> = self.query("writing to Redis", cmd).await;
            })
        }
    }
}

/// `text` with Redis glob's special characters (`*`, `?`, `[`, `]`, `\`)
/// escaped, so that `SCAN MATCH` matches it literally.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The longest expiry Redis takes in `SET ... PX`, with room for the
/// server's clock (expiry is stored as an absolute 64-bit millisecond time):
/// about 2.9 million years.
const MAX_PX: u128 = 1 << 50;

/// `ttl` in whole milliseconds (at least 1) for `PX`, or `None` when it is
/// longer than Redis accepts (the entry is then stored without expiry).
fn px_millis(ttl: Duration) -> Option<u64> {
    let millis = ttl.as_millis();
    if millis > MAX_PX {
        None
    } else {
        u64::try_from(millis.max(1)).ok()
    }
}

impl<K, V, L> crate::Shardable for RedisCache<K, V, L> {
    type Key = K;
}

impl<K, V, L> Cache<K, V> for RedisCache<K, V, L>
where
    K: Hash + Eq + Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
    L: LocalTier<K, V>,
{
    // A lookup may go to Redis (and counts in the local tier): a
    // concurrent cache calls `get` under its lock.
    const SHARED_READS: bool = false;

    fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.local.holds(key) {
            self.stats.hits += 1;
            self.link.stats.lock().local_hits += 1;
            return self.local.lookup(key);
        }
        if self.asynchronous {
            self.stats.misses += 1;
            return None;
        }
        let redis_key = self.redis_key(key);
        let bytes: Option<Vec<u8>> = self
            .run("reading from Redis", |c| {
                redis::cmd("GET").arg(&redis_key).query(c)
            })
            .flatten();
        let Some((k, v)) = bytes.and_then(|b| self.decode(&b, key)) else {
            self.stats.misses += 1;
            return None;
        };
        self.stats.hits += 1;
        self.link.stats.lock().redis_hits += 1;
        match self.local.keep(k, v) {
            None => self.local.lookup(key),
            Some((_, v)) => {
                self.last = Some(v);
                self.last.as_ref()
            }
        }
    }

    /// The local tier's value only: a `&self` read cannot hold a value
    /// fetched from Redis.
    fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.local.peek_local(key)
    }

    fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if self.local.holds(key) {
            return true;
        }
        if self.asynchronous {
            return false;
        }
        let redis_key = self.redis_key(key);
        let bytes: Option<Vec<u8>> = self
            .run("reading from Redis", |c| {
                redis::cmd("GET").arg(&redis_key).query(c)
            })
            .flatten();
        bytes.is_some_and(|b| self.decode(&b, key).is_some())
    }

    /// Stores in Redis (and the local tier); returns `None`: the old value
    /// is not fetched back.
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.asynchronous {
            // The `async fn` writes Redis itself, after storing here.
            let _ = self.local.keep(key, value);
            return None;
        }
        let redis_key = self.redis_key(&key);
        match postcard::to_stdvec(&(&key, &value)) {
            Ok(bytes) => {
                let ttl = self.ttl;
                self.run("writing to Redis", |c| {
                    let mut cmd = redis::cmd("SET");
                    cmd.arg(&redis_key).arg(bytes);
                    // A TTL beyond what Redis accepts is stored without one
                    // (it would outlive the server anyway).
                    if let Some(px) = ttl.and_then(px_millis) {
                        cmd.arg("PX").arg(px);
                    }
                    cmd.query::<()>(c)
                });
            }
            Err(e) => {
                self.link.stats.lock().errors += 1;
                log::warn!(target: "cachekit::redis", "value not encodable, kept locally only: {e}");
            }
        }
        let _ = self.local.keep(key, value);
        None
    }

    fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, TooLarge<K, V>> {
        Ok(self.insert(key, value))
    }

    /// Removes from both tiers (Redis `GETDEL`), returning the value.
    fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let local = self.local.forget(key);
        let redis_key = self.redis_key(key);
        let bytes: Option<Vec<u8>> = self
            .run("deleting from Redis", |c| {
                redis::cmd("GETDEL").arg(&redis_key).query(c)
            })
            .flatten();
        let remote = bytes.and_then(|b| self.decode(&b, key)).map(|(_, v)| v);
        remote.or(local)
    }

    /// Redis has no eviction order to share: nothing is popped.
    fn pop_victim(&mut self) -> Option<(K, V)> {
        None
    }

    /// Deletes every key of this function's namespace, and the local tier.
    fn clear(&mut self) {
        self.local.forget_all();
        self.last = None;
        let keys = self.scan_namespace();
        for chunk in keys.chunks(500) {
            self.run("deleting from Redis", |c| {
                redis::cmd("DEL").arg(chunk).query::<()>(c)
            });
        }
    }

    /// Number of keys in this function's namespace (a `SCAN`: O(keys)).
    fn len(&self) -> usize {
        self.scan_namespace().len()
    }

    fn maxsize(&self) -> usize {
        usize::MAX
    }

    fn currsize(&self) -> usize {
        self.len()
    }

    fn stats(&self) -> CacheStats {
        self.stats
    }

    fn reset_stats(&mut self) {
        self.stats = CacheStats::default();
    }

    fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, mut keep: F) {
        for redis_key in self.scan_namespace() {
            let bytes: Option<Vec<u8>> = self
                .run("reading from Redis", |c| {
                    redis::cmd("GET").arg(&redis_key).query(c)
                })
                .flatten();
            let Some(Ok((k, mut v))) = bytes.map(|b| postcard::from_bytes::<(K, V)>(&b)) else {
                continue;
            };
            if keep(&k, &mut v) {
                if let Ok(bytes) = postcard::to_stdvec(&(&k, &v)) {
                    self.run("writing to Redis", |c| {
                        redis::cmd("SET")
                            .arg(&redis_key)
                            .arg(bytes)
                            .arg("KEEPTTL")
                            .query::<()>(c)
                    });
                }
            } else {
                self.local.forget(&k);
                self.run("deleting from Redis", |c| {
                    redis::cmd("DEL").arg(&redis_key).query::<()>(c)
                });
            }
        }
    }

    fn for_each<F: FnMut(&K, &V)>(&self, mut f: F) {
        for redis_key in self.scan_namespace() {
            let bytes: Option<Vec<u8>> = self
                .run("reading from Redis", |c| {
                    redis::cmd("GET").arg(&redis_key).query(c)
                })
                .flatten();
            if let Some(Ok((k, v))) = bytes.map(|b| postcard::from_bytes::<(K, V)>(&b)) {
                f(&k, &v);
            }
        }
    }
}
