//! Entry weights (Python cachetools' `getsizeof`).

/// Computes the weight of an entry; a cache's `currsize` is the sum of the
/// weights of its entries and never exceeds its `maxsize`.
///
/// Any `Fn(&K, &V) -> usize` closure is a weigher. The weight is computed
/// once, when the entry is inserted: mutating a value in place through
/// `get_mut` does not re-weigh it (as in cachetools, which stores sizes).
/// A weight of 0 is allowed; such entries never cause an eviction.
///
/// # Examples
///
/// ```
/// use cachekit_core::LruCache;
///
/// // Weigh entries by their value's length in bytes.
/// let mut cache = LruCache::with_weigher(8, |_: &u32, value: &String| value.len());
/// cache.insert(1, "four".to_string());
/// cache.insert(2, "four".to_string());
/// assert_eq!(cache.currsize(), 8);
/// cache.insert(3, "xy".to_string()); // evicts 1, the least recently used
/// assert_eq!(cache.currsize(), 6);
/// assert!(!cache.contains_key(&1));
/// ```
pub trait Weigher<K, V> {
    /// The weight of the entry `key -> value`.
    fn weigh(&self, key: &K, value: &V) -> usize;
}

impl<K, V, F> Weigher<K, V> for F
where
    F: Fn(&K, &V) -> usize,
{
    #[inline]
    fn weigh(&self, key: &K, value: &V) -> usize {
        self(key, value)
    }
}

/// The default weigher: every entry weighs 1, so `maxsize` counts entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnitWeigher;

impl<K, V> Weigher<K, V> for UnitWeigher {
    #[inline(always)]
    fn weigh(&self, _key: &K, _value: &V) -> usize {
        1
    }
}
