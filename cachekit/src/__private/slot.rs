//! The static slot of a shared memoized function's cache, and the facade's
//! one `unsafe` block.
//!
//! The macros cannot name a cache's type (it is inferred from the
//! `cache = ...` expression), so the slot holds it type-erased and every
//! call recovers it. `<dyn Any>::downcast_ref` would do that with a virtual
//! call to `type_id` on every hit, a noticeable share of a 10 ns hit; the
//! slot instead stores the `TypeId` beside the value when it fills itself
//! and compares it with the caller's, a comparison of constants.

use core::any::{Any, TypeId};
use std::sync::OnceLock;

use core::hash::{BuildHasher, Hash};

use super::shared::{Shareable, SharedMemo};
use super::{Lent, Request};
use crate::memo::CacheInfo;
use crate::{Cache, Shardable};

/// A shared memoized function's cache slot.
pub struct SharedSlot {
    cell: OnceLock<(TypeId, Box<dyn Any + Send + Sync>)>,
}

impl SharedSlot {
    /// An empty slot (the cache is built on first use).
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        SharedSlot {
            cell: OnceLock::new(),
        }
    }

    /// The cache in this slot, built by `init` on first use.
    ///
    /// # Panics
    ///
    /// If the slot was filled with another type (only the one generated
    /// function that owns a slot uses it, always with one type).
    #[inline]
    pub fn memo<T: Shareable>(&self, init: impl FnOnce() -> T) -> &SharedMemo<T::Cache, T::Hasher> {
        let (id, memo) = self.cell.get_or_init(|| {
            let memo: Box<dyn Any + Send + Sync> = Box::new(init().share());
            (TypeId::of::<SharedMemo<T::Cache, T::Hasher>>(), memo)
        });
        assert!(
            *id == TypeId::of::<SharedMemo<T::Cache, T::Hasher>>(),
            "cachekit: a memoized function's slot holds one cache type"
        );
        let memo: *const (dyn Any + Send + Sync) = &**memo;
        #[allow(unsafe_code)]
        // SAFETY: the slot is filled once, with a box and the `TypeId` of
        // the value in it, written together above (`Box::new` of a
        // `SharedMemo<T::Cache, T::Hasher>` and that type's id), and never
        // changed; the assertion checked that this caller's type has that
        // id. So the box holds a value of exactly the type cast to, and the
        // reference lives as long as `&self`.
        unsafe {
            &*memo.cast::<SharedMemo<T::Cache, T::Hasher>>()
        }
    }
}

/// The slot of a generic memoized function: one cache per instantiation,
/// told apart by the `TypeId` of the tuple of its type parameters (the
/// impl's, then the function's), so that `parse::<u32>("5")` and
/// `parse::<u64>("5")` are separate entries even where the key and value
/// types agree.
///
/// Instantiations are few and never removed. The first `INLINE` sit in
/// write-once cells filled in order, so that finding one is a few loads
/// and no lock; more go to a vector behind a lock. Each cache is leaked, as
/// a static would be.
pub struct GenericSlot {
    inline: [OnceLock<Instance>; INLINE],
    more: parking_lot::RwLock<Vec<Instance>>,
}

/// How many instantiations a [`GenericSlot`] finds without a lock.
pub const INLINE: usize = 8;

#[derive(Clone, Copy)]
struct Instance {
    params: TypeId,
    memo: &'static (dyn Any + Send + Sync),
    clear: fn(&'static (dyn Any + Send + Sync)),
    info: fn(&'static (dyn Any + Send + Sync)) -> CacheInfo,
}

impl GenericSlot {
    /// An empty slot.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        GenericSlot {
            inline: [const { OnceLock::new() }; INLINE],
            more: parking_lot::RwLock::new(Vec::new()),
        }
    }

    /// The cache of the instantiation `P`, built by `init` on its first
    /// use (outside the slot's lock: `init` is the user's expression).
    ///
    /// # Panics
    ///
    /// If the instantiation's cache has another type (only the one
    /// generated function that owns a slot uses it, and its cache type is
    /// a function of its type parameters).
    #[inline]
    pub fn memo<P, K, V, T>(
        &'static self,
        init: impl FnOnce() -> T,
    ) -> &'static SharedMemo<T::Cache, T::Hasher>
    where
        P: ?Sized + 'static,
        T: Shareable,
        T::Cache: Cache<K, V>,
        K: Hash,
        T::Hasher: BuildHasher,
    {
        let params = TypeId::of::<P>();
        let memo = match self.find(params) {
            Some(memo) => memo,
            None => self.add(Instance {
                params,
                memo: Box::leak(Box::new(init().share())),
                clear: clear::<T::Cache, T::Hasher, K, V>,
                info: info::<T::Cache, T::Hasher, K, V>,
            }),
        };
        memo.downcast_ref()
            .expect("cachekit: a memoized function's instantiation holds one cache type")
    }

    #[inline]
    fn find(&self, params: TypeId) -> Option<&'static (dyn Any + Send + Sync)> {
        for cell in &self.inline {
            match cell.get() {
                Some(instance) if instance.params == params => return Some(instance.memo),
                Some(_) => {}
                // Cells fill in order: an empty one ends the list.
                None => return None,
            }
        }
        self.more
            .read()
            .iter()
            .find(|i| i.params == params)
            .map(|i| i.memo)
    }

    /// Stores a new instantiation, or finds the one another thread stored
    /// meanwhile (the first one stored wins; the other cache, empty, stays
    /// leaked: a race of first calls, once per instantiation).
    #[cold]
    fn add(&self, instance: Instance) -> &'static (dyn Any + Send + Sync) {
        for cell in &self.inline {
            // Only the first empty cell is ever filled, so the filled ones
            // stay contiguous.
            let stored = cell.get_or_init(|| instance);
            if stored.params == instance.params {
                return stored.memo;
            }
        }
        let mut more = self.more.write();
        match more.iter().find(|i| i.params == instance.params) {
            Some(found) => found.memo,
            None => {
                more.push(instance);
                instance.memo
            }
        }
    }

    fn each(&self, mut f: impl FnMut(Instance)) {
        for cell in &self.inline {
            match cell.get() {
                Some(instance) => f(*instance),
                None => return,
            }
        }
        // By index, each instance copied out, so that no lock is held while
        // a cache is cleared (which drops the user's values).
        let mut i = 0;
        loop {
            let Some(instance) = self.more.read().get(i).copied() else {
                return;
            };
            f(instance);
            i += 1;
        }
    }

    /// Empties every instantiation's cache and resets its counts.
    pub fn clear_all(&self) {
        self.each(|instance| (instance.clear)(instance.memo));
    }

    /// Every instantiation's counts and sizes, summed.
    pub fn info_all(&self) -> CacheInfo {
        let mut total = CacheInfo::default();
        self.each(|instance| {
            let info = (instance.info)(instance.memo);
            total.hits = total.hits.saturating_add(info.hits);
            total.misses = total.misses.saturating_add(info.misses);
            total.maxsize = total.maxsize.saturating_add(info.maxsize);
            total.currsize = total.currsize.saturating_add(info.currsize);
            total.len = total.len.saturating_add(info.len);
        });
        total
    }
}

fn clear<C, S, K, V>(memo: &'static (dyn Any + Send + Sync))
where
    C: Cache<K, V> + Shardable + 'static,
    S: BuildHasher + 'static,
    K: Hash,
{
    if let Some(memo) = memo.downcast_ref::<SharedMemo<C, S>>() {
        let _ = memo.keyless::<K, V, (), Lent<'_>>(Request::Clear);
    }
}

fn info<C, S, K, V>(memo: &'static (dyn Any + Send + Sync)) -> CacheInfo
where
    C: Cache<K, V> + Shardable + 'static,
    S: BuildHasher + 'static,
    K: Hash,
{
    match memo.downcast_ref::<SharedMemo<C, S>>() {
        Some(memo) => memo.keyless::<K, V, (), Lent<'_>>(Request::Info).info(),
        None => CacheInfo::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__private::Claim;
    use crate::{LruCache, UnboundedCache};

    #[test]
    fn a_slot_hands_back_its_cache() {
        let slot = SharedSlot::new();
        let memo = slot.memo(|| LruCache::<u32, u32>::new(4));
        assert!(memo.begin::<u32, u32, u32>(&1).is_err());
        let again = slot.memo(|| -> LruCache<u32, u32> { unreachable!("built once") });
        assert!(core::ptr::eq(memo, again));
    }

    #[test]
    #[should_panic(expected = "holds one cache type")]
    fn a_slot_refuses_another_type() {
        let slot = SharedSlot::new();
        slot.memo(|| LruCache::<u32, u32>::new(4));
        slot.memo(UnboundedCache::<u32, u32>::new);
    }

    #[test]
    fn a_generic_slot_keeps_one_cache_per_instantiation() {
        static SLOT: GenericSlot = GenericSlot::new();
        let a = SLOT.memo::<(u8,), u32, u32, _>(|| LruCache::<u32, u32>::new(4));
        let b = SLOT.memo::<(u16,), u32, u32, _>(|| LruCache::<u32, u32>::new(8));
        assert!(!core::ptr::eq(a, b));
        let again = SLOT
            .memo::<(u8,), u32, u32, _>(|| -> LruCache<u32, u32> { unreachable!("built once") });
        assert!(core::ptr::eq(a, again));
        // Past the inline cells, instantiations go to the locked list.
        macro_rules! more {
            ($($t:ty),*) => {$(
                let memo = SLOT.memo::<($t,), u32, u32, _>(|| LruCache::<u32, u32>::new(1));
                let again = SLOT.memo::<($t,), u32, u32, _>(|| -> LruCache<u32, u32> {
                    unreachable!("built once")
                });
                assert!(core::ptr::eq(memo, again));
            )*};
        }
        more!(u32, u64, u128, i8, i16, i32, i64, i128, char, bool);
        assert_eq!(SLOT.more.read().len(), 4);
        let missed = a.begin::<u32, u32, u32>(&1).unwrap_err();
        match a.claim(missed, 1u32) {
            Claim::Compute(ticket) => ticket.finish(Some(10u32)),
            Claim::Value(_) => unreachable!("nobody else computes"),
        }
        assert_eq!(a.begin::<u32, u32, u32>(&1).ok(), Some(10));
        assert!(b.begin::<u32, u32, u32>(&1).is_err());
        let info = SLOT.info_all();
        assert_eq!((info.currsize, info.maxsize), (1, 12 + 10));
        assert!(info.hits > 0);
        SLOT.clear_all();
        let info = SLOT.info_all();
        assert_eq!((info.hits, info.currsize), (0, 0));
    }
}
