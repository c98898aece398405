//! The field types that hold a `#[cached_method]` cache.

use core::cell::{RefCell, RefMut};
use core::hash::{BuildHasher, Hash};

use crate::{Cache, CacheInfo, ConcurrentCache, Equivalent};

/// The cache was in use by this very thread (a re-entrant call from the
/// cache's own weigher or listener): the call is computed and not cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// A field holding a method's cache, used through `&self`: the types
/// `#[cached_method(cache = self.FIELD)]` accepts.
///
/// | field type | threads | concurrent calls with one key |
/// | --- | --- | --- |
/// | [`ConcurrentCache<C>`] | many: hits take no lock, misses lock one shard (`ConcurrentCache::unsharded(cache)` keeps one cache's exact policy) | compute once |
/// | `std::sync::Mutex<C>`, `parking_lot::Mutex<C>` | many, one lock for every call | compute once |
/// | `std::sync::RwLock<C>`, `parking_lot::RwLock<C>` | many (lookups write: they count a use) | compute once |
/// | `RefCell<C>` | one (the owner is not `Sync`) | — |
///
/// where `C` is any cache (`LruCache`, `TtlCache`, `hashbrown::HashMap`,
/// ...); any of these behind an `Arc` or `Rc` works the same (one cache
/// shared by the instances holding the pointer). A `&mut self` method takes
/// the cache itself as its field (no wrapper). Locks are held only to look up and to store, never while the
/// method body runs. A poisoned `std` lock is used anyway: a cache is
/// consistent after any panic, as only its own methods mutate it.
///
/// # Examples
///
/// ```
/// use cachekit::{cached_method, ConcurrentCache, LruCache};
///
/// struct Repository {
///     cache: ConcurrentCache<LruCache<u64, String>>,
/// }
///
/// impl Repository {
///     #[cached_method(cache = self.cache)]
///     fn product(&self, id: u64) -> String {
///         format!("product {id}")
///     }
/// }
///
/// let repo = Repository { cache: ConcurrentCache::new(10_000, LruCache::new) };
/// assert_eq!(repo.product(7), "product 7");
/// assert!(repo.product_contains(7));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a `#[cached_method]` cache for `&self` methods",
    label = "the `cache = ...` field",
    note = "hold the cache in a `ConcurrentCache`, a `Mutex` or `RwLock`, or a `RefCell` (each may be behind an `Arc` or `Rc`), or take `&mut self` to use a plain cache"
)]
pub trait CacheCell<K, V> {
    /// Whether several threads may call through the field at once (then
    /// concurrent calls with the same key compute once).
    const SHARED: bool;

    /// A clone of the value of `key`, counted as a use and a hit or miss.
    fn cell_get<Q>(&self, key: &Q) -> Result<Option<V>, Busy>
    where
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>;

    /// A clone of the value of `key`, without counting a use.
    fn cell_peek<Q>(&self, key: &Q) -> Option<V>
    where
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>;

    /// Whether `key` is cached, without counting a use.
    fn cell_contains<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>;

    /// Stores a computed value (not stored if too large or busy).
    fn cell_store(&self, key: K, value: V);

    /// Removes `key`, returning its value.
    fn cell_remove<Q>(&self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>;

    /// Empties the cache and resets its statistics.
    fn cell_clear(&self);

    /// The cache's statistics and sizes.
    fn cell_info(&self) -> CacheInfo;
}

/// The counters of one cache as a [`CacheInfo`].
fn info<K, V, C: Cache<K, V>>(cache: &C) -> CacheInfo {
    let stats = cache.stats();
    CacheInfo {
        hits: stats.hits,
        misses: stats.misses,
        maxsize: cache.maxsize(),
        currsize: cache.currsize(),
        len: cache.len(),
        #[cfg(feature = "redis")]
        redis: None,
    }
}

/// Implements [`CacheCell`] for a wrapper that lends `&mut C` through
/// `$lend` (returning `Option<impl DerefMut<Target = C>>`, `None` = busy).
macro_rules! lending_cell {
    ($(#[$doc:meta])* $ty:ty, shared = $shared:expr, |$this:ident| $lend:expr) => {
        $(#[$doc])*
        impl<K, V, C: Cache<K, V>> CacheCell<K, V> for $ty {
            const SHARED: bool = $shared;

            #[inline]
            fn cell_get<Q>(&self, key: &Q) -> Result<Option<V>, Busy>
            where
                V: Clone,
                Q: ?Sized + Hash + Equivalent<K>,
            {
                let $this = self;
                let mut cache = $lend.ok_or(Busy)?;
                Ok(cache.get(key).cloned())
            }

            #[inline]
            fn cell_peek<Q>(&self, key: &Q) -> Option<V>
            where
                V: Clone,
                Q: ?Sized + Hash + Equivalent<K>,
            {
                let $this = self;
                let cache = $lend?;
                cache.peek(key).cloned()
            }

            fn cell_contains<Q>(&self, key: &Q) -> bool
            where
                Q: ?Sized + Hash + Equivalent<K>,
            {
                let $this = self;
                $lend.is_some_and(|cache| cache.contains_key(key))
            }

            #[inline]
            fn cell_store(&self, key: K, value: V) {
                let $this = self;
                if let Some(mut cache) = $lend {
                    let _ = cache.try_insert(key, value);
                }
            }

            fn cell_remove<Q>(&self, key: &Q) -> Option<V>
            where
                Q: ?Sized + Hash + Equivalent<K>,
            {
                let $this = self;
                $lend?.remove(key)
            }

            fn cell_clear(&self) {
                let $this = self;
                if let Some(mut cache) = $lend {
                    cache.clear();
                    cache.reset_stats();
                }
            }

            fn cell_info(&self) -> CacheInfo {
                let $this = self;
                $lend.map(|cache| info(&*cache)).unwrap_or_default()
            }
        }
    };
}

lending_cell!(
    /// One thread; a re-entrant call finds the cache [`Busy`].
    RefCell<C>, shared = false, |this| this.try_borrow_mut().ok()
);
lending_cell!(
    /// Many threads.
    std::sync::Mutex<C>,
    shared = true,
    |this| Some(this.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
);
lending_cell!(
    /// Many threads; every lookup takes the write lock (it counts a use).
    std::sync::RwLock<C>,
    shared = true,
    |this| Some(this.write().unwrap_or_else(std::sync::PoisonError::into_inner))
);
lending_cell!(
    /// Many threads.
    parking_lot::Mutex<C>, shared = true, |this| Some(this.lock())
);
lending_cell!(
    /// Many threads; every lookup takes the write lock (it counts a use).
    parking_lot::RwLock<C>, shared = true, |this| Some(this.write())
);

/// Many threads, sharded.
impl<K, V, C, S> CacheCell<K, V> for ConcurrentCache<C, S>
where
    C: Cache<K, V> + crate::Shardable,
    K: Hash,
    S: BuildHasher,
{
    const SHARED: bool = true;

    #[inline]
    fn cell_get<Q>(&self, key: &Q) -> Result<Option<V>, Busy>
    where
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        Ok(self.get(key))
    }

    #[inline]
    fn cell_peek<Q>(&self, key: &Q) -> Option<V>
    where
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.peek(key)
    }

    fn cell_contains<Q>(&self, key: &Q) -> bool
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.contains_key(key)
    }

    #[inline]
    fn cell_store(&self, key: K, value: V) {
        self.insert(key, value);
    }

    fn cell_remove<Q>(&self, key: &Q) -> Option<V>
    where
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.remove(key)
    }

    fn cell_clear(&self) {
        self.clear();
        self.reset_stats();
    }

    fn cell_info(&self) -> CacheInfo {
        let stats = self.stats();
        CacheInfo {
            hits: stats.hits,
            misses: stats.misses,
            maxsize: self.maxsize(),
            currsize: self.currsize(),
            len: self.len(),
            #[cfg(feature = "redis")]
            redis: None,
        }
    }
}

/// A `&mut self` method's cache, lent for one step of a call.
#[doc(hidden)]
pub struct Exclusive<'a, C>(RefCell<&'a mut C>);

impl<'a, C> Exclusive<'a, C> {
    /// Lends `cache`.
    #[inline]
    pub fn new(cache: &'a mut C) -> Self {
        Exclusive(RefCell::new(cache))
    }
}

lending_cell!(
    /// One `&mut self` call.
    Exclusive<'_, C>,
    shared = false,
    |this| this.0.try_borrow_mut().ok().map(|r| RefMut::map(r, |c| &mut **c))
);

/// Implements [`CacheCell`] for a pointer to a cell (`Arc<Mutex<C>>`,
/// `Rc<RefCell<C>>`, ...) by lending the cell it points to.
macro_rules! pointer_cell {
    ($(#[$doc:meta])* $ptr:ident) => {
        $(#[$doc])*
        impl<K, V, F: CacheCell<K, V> + ?Sized> CacheCell<K, V> for $ptr<F> {
            const SHARED: bool = F::SHARED;

            #[inline]
            fn cell_get<Q>(&self, key: &Q) -> Result<Option<V>, Busy>
            where
                V: Clone,
                Q: ?Sized + Hash + Equivalent<K>,
            {
                (**self).cell_get(key)
            }

            #[inline]
            fn cell_peek<Q>(&self, key: &Q) -> Option<V>
            where
                V: Clone,
                Q: ?Sized + Hash + Equivalent<K>,
            {
                (**self).cell_peek(key)
            }

            fn cell_contains<Q>(&self, key: &Q) -> bool
            where
                Q: ?Sized + Hash + Equivalent<K>,
            {
                (**self).cell_contains(key)
            }

            #[inline]
            fn cell_store(&self, key: K, value: V) {
                (**self).cell_store(key, value)
            }

            fn cell_remove<Q>(&self, key: &Q) -> Option<V>
            where
                Q: ?Sized + Hash + Equivalent<K>,
            {
                (**self).cell_remove(key)
            }

            fn cell_clear(&self) {
                (**self).cell_clear()
            }

            fn cell_info(&self) -> CacheInfo {
                (**self).cell_info()
            }
        }
    };
}

use std::rc::Rc;
use std::sync::Arc;

pointer_cell!(
    /// A cell shared by reference count: `Arc<Mutex<C>>`,
    /// `Arc<ConcurrentCache<C>>` (the cell inside is lent).
    Arc
);
pointer_cell!(
    /// A cell shared by reference count on one thread: `Rc<RefCell<C>>`.
    Rc
);
