//! Cache data structures with the semantics of Python's `cachetools`, built
//! for speed: the core of [cachekit](https://docs.rs/cachekit).
//!
//! ```
//! # extern crate cachekit_core as cachekit;
//! use cachekit::{Cache, LruCache};
//!
//! let mut cache = LruCache::new(2);
//! cache.insert("apple", 3);
//! cache.insert("pear", 5);
//! assert_eq!(cache.get("apple"), Some(&3)); // "apple" is now the most recent
//! cache.insert("plum", 7); // full: evicts "pear", the least recently used
//! assert!(!cache.contains_key("pear"));
//! assert_eq!((cache.len(), cache.currsize(), cache.maxsize()), (2, 2, 2));
//! assert_eq!(cache.stats().hits, 1);
//! ```
//!
//! # Caches
//!
//! | type | evicts | cachetools |
//! | --- | --- | --- |
//! | [`LruCache`] | the least recently used entry | `LRUCache` |
//! | [`LfuCache`] | the least frequently used entry (ties: least recently counted) | `LFUCache` |
//! | [`FifoCache`] | the entry inserted first | `FIFOCache` |
//! | [`MruCache`] | the most recently used entry | `MRUCache` (removed in cachetools 6) |
//! | [`RrCache`] | a random entry (seedable) | `RRCache` |
//! | [`UnboundedCache`] | nothing | `Cache` with infinite `maxsize` |
//! | [`ArcCache`] | adaptively, between recency and frequency (ARC); resists scans | — |
//! | [`TinyLfuCache`] | W-TinyLFU: admits a new key only if used more often than the victim; adaptive window; resists scans and loops | — |
//! | [`TtlCache`] | expired entries, then LRU; one time-to-live for all | `TTLCache` |
//! | [`TlruCache`] | expired entries, then LRU; a deadline per entry | `TLRUCache` |
//!
//! [`ConcurrentCache`] wraps any of them for use by many threads through
//! `&self`, striped into shards, with one computation per missing key.
//!
//! All are aliases of one generic [`PolicyCache`], so they share one API:
//! `get` (a use), `peek` and `contains_key` (not uses), `insert` (returns
//! the old value), `try_insert`, `remove`, `pop_victim` (cachetools'
//! `popitem`), `get_or_insert_with`, `retain`, `clear`, iteration,
//! `Extend`, `Clone` and `Debug`. The [`Cache`] trait lets code be generic
//! over the policy.
//!
//! # Sizes and weights
//!
//! `maxsize()` bounds `currsize()`, the total weight of the entries. By
//! default each entry weighs 1; build a cache with a [`Weigher`] closure to
//! weigh entries by, say, bytes (cachetools' `getsizeof`). An entry heavier
//! than `maxsize` is refused without touching the cache: [`TooLarge`] hands
//! it back.
//!
//! # Performance
//!
//! Every operation is O(1). Entries live in one arena (a `Vec` with a free
//! list) linked by 32-bit indices; a `hashbrown` table maps hashes to
//! indices; lookups take any [`Equivalent`] form of the key (`&str` for
//! `String`, [`KeyRef`] for tuples) so a hit never allocates. A full cache
//! evicting on every insert never allocates either.
//!
//! # Observing evictions
//!
//! [`stats`](PolicyCache::stats) counts hits, misses and evictions; a
//! [`Listener`] set with [`Builder::listener`] receives every evicted or
//! refused entry.

#![warn(missing_docs)]

#[doc(hidden)]
#[allow(unsafe_code)] // unchecked indexing; the safety argument is in the module
pub mod arena;
mod cache;
#[doc(hidden)]
pub mod concurrent;
mod error;
mod key;
mod policies;
mod policy;
mod policy_cache;
mod stats;
#[cfg(test)]
mod testing;
mod time;
mod weigher;

pub use cache::Cache;
#[doc(hidden)]
pub use cache::Shardable;
pub use concurrent::ConcurrentCache;
pub use equivalent::Equivalent;
pub use error::{NotStored, TooLarge};
pub use key::KeyRef;
pub use policies::arc::{Adaptive, ArcCache};
pub use policies::fifo::{Fifo, FifoCache};
pub use policies::lfu::{Lfu, LfuCache};
pub use policies::lru::{Lru, LruCache};
pub use policies::mru::{Mru, MruCache};
pub use policies::rr::{Rr, RrCache};
pub use policies::tinylfu::{TinyLfu, TinyLfuCache};
pub use policies::unbounded::{Unbounded, UnboundedCache};
pub use policy::{Policy, Timed};
pub use policy_cache::{Builder, FrozenTime, IntoIter, Iter, Listener, PolicyCache, RemovalCause};
pub use stats::CacheStats;
pub use time::clock::{Clock, ManualClock, MonotonicClock};
pub use time::coarse::CoarseClock;
#[doc(hidden)]
pub use time::moment::Moment;
pub use time::tlru::{Tlru, TlruCache};
pub use time::ttl::{Ttl, TtlCache};
pub use weigher::{BoxWeigher, UnitWeigher, Weigher};

// The module paths of earlier releases, kept so that code naming them
// still compiles.
#[doc(hidden)]
pub use policies::arc as adaptive;
#[doc(hidden)]
pub use policies::tinylfu;

/// The hasher caches use unless built with another: ahash, randomly keyed.
pub type DefaultHashBuilder = ahash::RandomState;
