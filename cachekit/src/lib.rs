//! Memoization for Rust with the semantics of Python's `cachetools`.
//!
//! ```
//! use cachekit::{cached, LruCache};
//!
//! #[cached(cache = LruCache::new(256))]
//! fn fibonacci(n: u64) -> u64 {
//!     if n < 2 { n } else { fibonacci(n - 1) + fibonacci(n - 2) }
//! }
//!
//! assert_eq!(fibonacci(80), 23_416_728_348_467_685);
//! let info = fibonacci::cache_info();
//! assert_eq!(info.misses, 81); // each n computed once
//! ```
//!
//! # Memoizing
//!
//! - [`macro@cached`] memoizes a function (sync or `async`; free, or
//!   associated with `#[cached]` on its `impl` block too; generic, with one
//!   cache per instantiation), with `cache = ...` (any of the caches below)
//!   or `maxsize = N` / `ttl = SECONDS`, `key = |..| ..`, and
//!   `thread_local` for one cache per thread. By default the cache is one
//!   for the whole process, shared by every thread and task (hits take no
//!   lock; concurrent calls with one key compute once). It generates a
//!   handle: `name::invalidate(args)`, `name::clear()`,
//!   `name::cache_info()`, ...
//! - [`macro@cached_method`] memoizes a method with one cache per instance,
//!   held in a field (see [`CacheCell`] for the field types).
//!
//! # Caches
//!
//! The caches can also be used directly, like maps:
//!
//! ```
//! use cachekit::{LruCache, TooLarge};
//!
//! let mut cache = LruCache::new(2);
//! cache.insert("apple", 3);
//! cache.insert("pear", 5);
//! cache.get("apple"); // a use: "pear" is now the least recently used
//! cache.insert("plum", 7); // evicts "pear"
//! assert!(!cache.contains_key("pear"));
//!
//! // Weighted caches bound the total weight (cachetools' `getsizeof`).
//! let mut bytes = LruCache::with_weigher(16, |_: &&str, v: &Vec<u8>| v.len());
//! bytes.insert("a", vec![0; 10]);
//! let err: TooLarge<_, _> = bytes.try_insert("huge", vec![0; 17]).unwrap_err();
//! assert_eq!(err.weight, 17);
//! assert_eq!(bytes.len(), 1); // the refusal changed nothing
//! ```
//!
//! They are re-exported from `cachekit-core` (see [`PolicyCache`] for the
//! shared API and the [`Cache`] trait for code generic over the policy).
//!
//! | type | evicts |
//! | --- | --- |
//! | [`LruCache`] | the least recently used entry |
//! | [`LfuCache`] | the least frequently used entry |
//! | [`FifoCache`] | the entry inserted first |
//! | [`MruCache`] | the most recently used entry |
//! | [`RrCache`] | a random entry (seedable) |
//! | [`UnboundedCache`] | nothing |
//! | [`ArcCache`] | adaptively between recency and frequency (ARC) |
//! | [`TinyLfuCache`] | W-TinyLFU: a new key displaces an entry only if used more often; the highest hit ratios |
//! | [`TtlCache`] | expired entries first, then LRU; one time-to-live |
//! | [`TlruCache`] | expired entries first, then LRU; a deadline per entry |
//!
//! [`ConcurrentCache`] wraps any of them for many threads: sharded, hits
//! without a lock, one computation per missing key.
//!
//! # Cargo features
//!
//! | feature | adds |
//! | --- | --- |
//! | `redis` | `RedisCache`: a Redis-backed tier shared across processes and hosts, optionally behind a local cache, usable as `cache = ...` in both macros; faults never fail the cached function (see the `redis` module) |
//! | `redis-async` | `redis`, plus `RedisBuilder::asynchronous`: the tier for `async fn`s through an async connection on tokio, so no Redis I/O blocks an executor thread |
//! | `redis-cluster` | `redis`, plus `RedisCache::cluster_builder`: the tier on a Redis Cluster, one hash slot per function |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

pub use cachekit_core::{
    Adaptive, ArcCache, BoxWeigher, Builder, Cache, CacheStats, Clock, CoarseClock,
    ConcurrentCache, DefaultHashBuilder, Equivalent, Fifo, FifoCache, FrozenTime, IntoIter, Iter,
    KeyRef, Lfu, LfuCache, Listener, Lru, LruCache, ManualClock, MonotonicClock, Mru, MruCache,
    NotStored, Policy, PolicyCache, RemovalCause, Rr, RrCache, Shardable, Timed, TinyLfu,
    TinyLfuCache, Tlru, TlruCache, TooLarge, Ttl, TtlCache, Unbounded, UnboundedCache, UnitWeigher,
    Weigher,
};

pub use cachekit_macros::{cached, cached_method};
pub use cell::{Busy, CacheCell};
pub use memo::{CacheInfo, CacheView};

mod cell;
mod memo;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::{RedisCache, RedisStats};

// The README's Rust examples are compiled and run as doc tests, so that
// they stay true (and warning-free: doc tests deny warnings).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod crate_readme {}

#[doc(hidden)]
pub mod __private;
