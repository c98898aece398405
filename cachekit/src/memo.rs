//! What the caching macros expose about a memoized function's cache.

use core::any::Any;
use core::marker::PhantomData;

use crate::{Cache, CacheStats, Shardable};

/// A snapshot of a memoized function's cache (cachetools' `cache_info()`).
///
/// `hits` and `misses` count calls of the function: every call is exactly
/// one of them, also under contention (a caller that waited for another
/// caller's computation of its key and then found the value counts a hit).
///
/// # Examples
///
/// ```
/// use cachekit::cached;
///
/// #[cached(cache = cachekit::LruCache::new(2))]
/// fn square(x: u64) -> u64 {
///     x * x
/// }
///
/// square(3);
/// square(3);
/// square(4);
/// let info = square::cache_info();
/// assert_eq!((info.hits, info.misses, info.currsize, info.maxsize), (1, 2, 2, 2));
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CacheInfo {
    /// Calls answered from the cache.
    pub hits: u64,
    /// Calls that ran the function.
    pub misses: u64,
    /// The cache's largest total weight (`usize::MAX` when unbounded).
    pub maxsize: usize,
    /// The cache's current total weight.
    pub currsize: usize,
    /// Number of cached entries.
    pub len: usize,
    /// The Redis tier's counters (faults, hits per tier, leases), for a
    /// function whose cache is a [`RedisCache`](crate::RedisCache);
    /// `None` otherwise.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub redis: Option<crate::redis::RedisStats>,
}

/// Shows `maxsize: unbounded` for an unbounded cache (`usize::MAX`).
impl core::fmt::Debug for CacheInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        struct Maxsize(usize);
        impl core::fmt::Debug for Maxsize {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.0 {
                    usize::MAX => f.write_str("unbounded"),
                    n => core::fmt::Debug::fmt(&n, f),
                }
            }
        }
        let mut f = f.debug_struct("CacheInfo");
        f.field("hits", &self.hits)
            .field("misses", &self.misses)
            .field("maxsize", &Maxsize(self.maxsize))
            .field("currsize", &self.currsize)
            .field("len", &self.len);
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.redis {
            f.field("redis", redis);
        }
        f.finish()
    }
}

/// `hits 3, misses 1, maxsize 100, currsize 1`, as cachetools prints its
/// `CacheInfo`, with `maxsize unbounded` for an unbounded cache.
///
/// # Examples
///
/// ```
/// use cachekit::cached;
///
/// #[cached]
/// fn double(x: u32) -> u32 {
///     x * 2
/// }
///
/// double(1);
/// double(1);
/// let info = double::cache_info();
/// assert_eq!(info.to_string(), "hits 1, misses 1, maxsize unbounded, currsize 1");
/// assert!(format!("{info:?}").contains("maxsize: unbounded"));
/// ```
impl core::fmt::Display for CacheInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "hits {}, misses {}, maxsize ", self.hits, self.misses)?;
        match self.maxsize {
            usize::MAX => f.write_str("unbounded")?,
            n => write!(f, "{n}")?,
        }
        write!(f, ", currsize {}", self.currsize)
    }
}

impl CacheInfo {
    /// `hits / (hits + misses)`, or 0 before the first call.
    pub fn hit_ratio(&self) -> f64 {
        let calls = self.hits + self.misses;
        if calls == 0 {
            0.0
        } else {
            self.hits as f64 / calls as f64
        }
    }
}

/// A memoized function's cache, seen without its key and value types.
///
/// The caching macros infer the cache's type from the `cache = ...`
/// expression, so the handle they generate cannot name it; `with_cache`
/// lends the cache as `&mut dyn CacheView` instead. Everything that needs no
/// key is here; for the rest, [`as_any_mut`](CacheView::as_any_mut)
/// downcasts to the concrete cache type when you can name it (for a
/// `lock` function with a `ConcurrentCache`, to `&ConcurrentCache<C>`).
///
/// # Examples
///
/// ```
/// use cachekit::{cached, LruCache};
///
/// #[cached(cache = LruCache::new(8))]
/// fn double(x: u32) -> u32 {
///     x * 2
/// }
///
/// double(1);
/// double(2);
/// let len = double::with_cache(|cache| cache.len());
/// assert_eq!(len, Some(2));
///
/// // With the concrete type, everything the cache offers is reachable.
/// double::with_cache(|cache| {
///     let lru = cache.as_any_mut().downcast_mut::<LruCache<u32, u32>>().unwrap();
///     lru.insert(10, 20); // prime an entry
/// });
/// assert_eq!(double::peek(10), Some(20));
/// ```
pub trait CacheView {
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
    /// The cache's own counters (see [`CacheStats`]).
    fn stats(&self) -> CacheStats;
    /// Removes every entry (the function's hit and miss counts stay).
    fn clear(&mut self);
    /// Removes the entry the policy would evict next; whether there was one.
    fn pop_victim(&mut self) -> bool;
    /// The cache itself, to downcast to its concrete type.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Lends a typed cache as a [`CacheView`].
pub(crate) struct Viewed<'a, C, K, V> {
    cache: &'a mut C,
    types: PhantomData<fn(K, V)>,
}

impl<'a, C, K, V> Viewed<'a, C, K, V> {
    pub(crate) fn new(cache: &'a mut C) -> Self {
        Viewed {
            cache,
            types: PhantomData,
        }
    }
}

impl<C: Cache<K, V> + 'static, K, V> CacheView for Viewed<'_, C, K, V> {
    fn len(&self) -> usize {
        self.cache.len()
    }
    fn maxsize(&self) -> usize {
        self.cache.maxsize()
    }
    fn currsize(&self) -> usize {
        self.cache.currsize()
    }
    fn stats(&self) -> CacheStats {
        self.cache.stats()
    }
    fn clear(&mut self) {
        self.cache.clear()
    }
    fn pop_victim(&mut self) -> bool {
        self.cache.pop_victim().is_some()
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self.cache
    }
}

/// Lends a shared [`ConcurrentCache`](crate::ConcurrentCache) as a
/// [`CacheView`]; `as_any_mut` gives `&'a ConcurrentCache<C, S>`.
pub(crate) struct ConcurrentView<'a, C: Shardable, S, K, V> {
    cache: &'a crate::ConcurrentCache<C, S>,
    types: PhantomData<fn(K, V)>,
}

impl<'a, C: Shardable, S, K, V> ConcurrentView<'a, C, S, K, V> {
    pub(crate) fn new(cache: &'a crate::ConcurrentCache<C, S>) -> Self {
        ConcurrentView {
            cache,
            types: PhantomData,
        }
    }
}

impl<C, S, K, V> CacheView for ConcurrentView<'static, C, S, K, V>
where
    C: Cache<K, V> + Shardable + 'static,
    S: core::hash::BuildHasher + 'static,
{
    fn len(&self) -> usize {
        self.cache.len()
    }
    fn maxsize(&self) -> usize {
        self.cache.maxsize()
    }
    fn currsize(&self) -> usize {
        self.cache.currsize()
    }
    fn stats(&self) -> CacheStats {
        self.cache.stats()
    }
    fn clear(&mut self) {
        self.cache.clear()
    }
    fn pop_victim(&mut self) -> bool {
        let mut popped = false;
        self.cache.for_each_shard(|shard| {
            if !popped {
                popped = shard.pop_victim().is_some();
            }
        });
        popped
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        &mut self.cache
    }
}
