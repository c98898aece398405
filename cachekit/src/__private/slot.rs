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

use super::shared::{Shareable, SharedMemo};

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

#[cfg(test)]
mod tests {
    use super::*;
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
}
