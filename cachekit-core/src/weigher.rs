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
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LruCache;
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

/// A weigher whose type can be written down: a boxed closure. A cache built
/// with a closure weigher has an unnameable type; to keep one in a struct
/// field, box the closure (or use a plain `fn(&K, &V) -> usize`, which is a
/// weigher too).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::{BoxWeigher, DefaultHashBuilder, LruCache};
///
/// /// Thumbnails, bounded by their total size in bytes.
/// struct Thumbnails {
///     cache: LruCache<String, Vec<u8>, DefaultHashBuilder, BoxWeigher<String, Vec<u8>>>,
/// }
///
/// impl Thumbnails {
///     fn new(bytes: usize) -> Self {
///         let weigher: BoxWeigher<String, Vec<u8>> = Box::new(|_, image| image.len());
///         Thumbnails { cache: LruCache::with_weigher(bytes, weigher) }
///     }
/// }
///
/// let mut thumbs = Thumbnails::new(1_000);
/// thumbs.cache.insert("cat.png".to_string(), vec![0; 600]);
/// thumbs.cache.insert("dog.png".to_string(), vec![0; 600]); // evicts cat.png
/// assert_eq!(thumbs.cache.currsize(), 600);
///
/// // A function pointer is nameable as it is.
/// fn by_len(_: &String, image: &Vec<u8>) -> usize {
///     image.len()
/// }
/// let _plain: LruCache<String, Vec<u8>, DefaultHashBuilder, fn(&String, &Vec<u8>) -> usize> =
///     LruCache::with_weigher(1_000, by_len);
/// ```
pub type BoxWeigher<K, V> = Box<dyn Fn(&K, &V) -> usize + Send + Sync>;

/// The default weigher: every entry weighs 1, so `maxsize` counts entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnitWeigher;

impl<K, V> Weigher<K, V> for UnitWeigher {
    #[inline(always)]
    fn weigh(&self, _key: &K, _value: &V) -> usize {
        1
    }
}
