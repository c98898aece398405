//! Memoization for Rust with the semantics of Python's `cachetools`.
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
//! This crate is the facade: it re-exports the caches of `cachekit-core`
//! (see [`PolicyCache`] for the shared API and the [`Cache`] trait for code
//! generic over the policy).
//!
//! | type | evicts |
//! | --- | --- |
//! | [`LruCache`] | the least recently used entry |
//! | [`LfuCache`] | the least frequently used entry |
//! | [`FifoCache`] | the entry inserted first |
//! | [`MruCache`] | the most recently used entry |
//! | [`RrCache`] | a random entry (seedable) |
//! | [`UnboundedCache`] | nothing |
//! | [`TtlCache`] | expired entries first, then LRU; one time-to-live |
//! | [`TlruCache`] | expired entries first, then LRU; a deadline per entry |

pub use cachekit_core::{
    Builder, Cache, CacheStats, Clock, ConcurrentCache, DefaultHashBuilder, Equivalent, Fifo,
    FifoCache, FrozenTime, Iter, KeyRef, Lfu, LfuCache, Listener, Lru, LruCache, ManualClock,
    MonotonicClock, Mru, MruCache, NotStored, Policy, PolicyCache, RemovalCause, Rr, RrCache,
    Timed, Tlru, TlruCache, TooLarge, Ttl, TtlCache, Unbounded, UnboundedCache, UnitWeigher,
    Weigher,
};

pub use cachekit_macros::{cached, cached_method};
pub use cell::{Busy, CacheCell};
pub use memo::{CacheInfo, CacheView};

mod cell;
mod memo;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
