//! Hit, miss and eviction counters.

/// Counters a cache keeps about its own use.
///
/// They are plain integers bumped on the paths that already touch the cache,
/// so they are always on. Only the counting operations count: `get`,
/// `get_mut` and `get_or_insert_with` record a hit or a miss; `peek` and
/// `contains_key` record nothing. An eviction is an entry the policy removed
/// to make room; explicit `remove`, `pop_victim` and `clear` are not
/// evictions.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LruCache;
///
/// let mut cache = LruCache::new(1);
/// cache.insert("a", 1);
/// cache.get("a");
/// cache.get("b");
/// cache.insert("b", 2); // evicts "a"
/// let stats = cache.stats();
/// assert_eq!((stats.hits, stats.misses, stats.evictions), (1, 1, 1));
/// assert_eq!(stats.hit_ratio(), 0.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups that found their key.
    pub hits: u64,
    /// Lookups that did not find their key.
    pub misses: u64,
    /// Entries removed by the policy to make room for another.
    pub evictions: u64,
    /// Entries removed because their time ran out (time-aware caches).
    pub expirations: u64,
}

impl CacheStats {
    /// `hits / (hits + misses)`, or 0 before the first lookup.
    pub fn hit_ratio(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }

    /// Number of counted lookups, `hits + misses`.
    pub fn lookups(&self) -> u64 {
        self.hits + self.misses
    }
}
