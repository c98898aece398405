//! The field types that hold a `#[cached_method]` cache.

use core::cell::RefCell;

/// A field that lends its cache to a `&self` method: the types
/// `#[cached_method(cache = self.FIELD)]` accepts.
///
/// | field type | threads | concurrent calls with one key |
/// | --- | --- | --- |
/// | `RefCell<C>` | one (the owner is not `Sync`) | — |
/// | `std::sync::Mutex<C>`, `parking_lot::Mutex<C>` | many | compute once |
/// | `std::sync::RwLock<C>`, `parking_lot::RwLock<C>` | many (lookups write: they count a use) | compute once |
///
/// A `&mut self` method takes the cache itself as its field (`C`, no
/// wrapper). The lock is held only to look up and to store, never while the
/// method body runs. A poisoned `std` lock is used anyway: a cache is valid
/// after any panic, since it is only ever mutated by its own methods.
///
/// # Examples
///
/// ```
/// use cachekit::{cached_method, LruCache};
/// use std::sync::Mutex;
///
/// struct Repository {
///     cache: Mutex<LruCache<u64, String>>,
/// }
///
/// impl Repository {
///     #[cached_method(cache = self.cache)]
///     fn product(&self, id: u64) -> String {
///         format!("product {id}")
///     }
/// }
///
/// let repo = Repository { cache: Mutex::new(LruCache::new(100)) };
/// assert_eq!(repo.product(7), "product 7");
/// assert!(repo.product_contains(7));
/// ```
pub trait CacheCell {
    /// The cache inside.
    type Cache;

    /// Whether several threads may call through the field at once (then
    /// concurrent calls with the same key compute once).
    const SHARED: bool;

    /// Runs `f` on the cache; `None` when the cache is busy (a `RefCell`
    /// already borrowed by a re-entrant call).
    fn with_cache<T>(&self, f: impl FnOnce(&mut Self::Cache) -> T) -> Option<T>;
}

impl<C> CacheCell for RefCell<C> {
    type Cache = C;
    const SHARED: bool = false;

    #[inline]
    fn with_cache<T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T> {
        Some(f(&mut *self.try_borrow_mut().ok()?))
    }
}

impl<C> CacheCell for std::sync::Mutex<C> {
    type Cache = C;
    const SHARED: bool = true;

    #[inline]
    fn with_cache<T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T> {
        let mut guard = self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(f(&mut guard))
    }
}

impl<C> CacheCell for std::sync::RwLock<C> {
    type Cache = C;
    const SHARED: bool = true;

    #[inline]
    fn with_cache<T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T> {
        let mut guard = self
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(f(&mut guard))
    }
}

impl<C> CacheCell for parking_lot::Mutex<C> {
    type Cache = C;
    const SHARED: bool = true;

    #[inline]
    fn with_cache<T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T> {
        Some(f(&mut self.lock()))
    }
}

impl<C> CacheCell for parking_lot::RwLock<C> {
    type Cache = C;
    const SHARED: bool = true;

    #[inline]
    fn with_cache<T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T> {
        Some(f(&mut self.write()))
    }
}
