//! The error of an insertion the cache refused.

use core::fmt;

use crate::RemovalCause;

/// An entry the cache refused because its weight exceeds the cache's
/// `maxsize` (Python cachetools raises `ValueError("value too large")`).
///
/// The cache is left exactly as it was, and the refused key and value are
/// handed back so nothing is lost.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LruCache;
///
/// let mut cache = LruCache::with_weigher(10, |_key: &&str, value: &String| value.len());
/// cache.insert("small", "abc".to_string());
/// let err = cache.try_insert("big", "x".repeat(11)).unwrap_err();
/// assert_eq!((err.weight, err.maxsize), (11, 10));
/// assert_eq!(err.to_string(), "entry of weight 11 exceeds the cache's maxsize 10");
/// let (key, value) = err.into_inner();
/// assert_eq!((key, value.len()), ("big", 11));
/// assert_eq!(cache.len(), 1); // nothing was evicted
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TooLarge<K, V> {
    /// The refused key.
    pub key: K,
    /// The refused value.
    pub value: V,
    /// The entry's weight as the cache's weigher computed it.
    pub weight: usize,
    /// The cache's `maxsize` at the time.
    pub maxsize: usize,
}

impl<K, V> TooLarge<K, V> {
    /// The refused key and value.
    pub fn into_inner(self) -> (K, V) {
        (self.key, self.value)
    }
}

impl<K, V> fmt::Debug for TooLarge<K, V> {
    // Keys and values need not be `Debug`; the sizes say what went wrong.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TooLarge")
            .field("weight", &self.weight)
            .field("maxsize", &self.maxsize)
            .finish_non_exhaustive()
    }
}

impl<K, V> fmt::Display for TooLarge<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry of weight {} exceeds the cache's maxsize {}",
            self.weight, self.maxsize
        )
    }
}

impl<K, V> std::error::Error for TooLarge<K, V> {}

/// A computed entry that [`get_or_insert_with`](crate::PolicyCache::get_or_insert_with)
/// could not store, handed back with the reason: it weighs more than
/// `maxsize` ([`RemovalCause::TooLarge`]) or its deadline had already
/// passed ([`RemovalCause::Expired`]).
#[derive(Clone, PartialEq, Eq)]
pub struct NotStored<K, V> {
    /// The key.
    pub key: K,
    /// The computed value.
    pub value: V,
    /// Why it was not stored.
    pub cause: RemovalCause,
}

impl<K, V> NotStored<K, V> {
    /// The key and the computed value.
    pub fn into_inner(self) -> (K, V) {
        (self.key, self.value)
    }
}

impl<K, V> From<TooLarge<K, V>> for NotStored<K, V> {
    fn from(refused: TooLarge<K, V>) -> Self {
        NotStored {
            key: refused.key,
            value: refused.value,
            cause: RemovalCause::TooLarge,
        }
    }
}

impl<K, V> fmt::Debug for NotStored<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotStored")
            .field("cause", &self.cause)
            .finish_non_exhaustive()
    }
}

impl<K, V> fmt::Display for NotStored<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cause {
            RemovalCause::Expired => f.write_str("entry expired before it could be stored"),
            _ => f.write_str("entry weighs more than the cache's maxsize"),
        }
    }
}

impl<K, V> std::error::Error for NotStored<K, V> {}
