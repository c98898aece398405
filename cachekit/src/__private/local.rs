//! The per-thread cache of a memoized function.

use core::any::Any;
use core::cell::{OnceCell, RefCell};
use core::hash::Hash;
use std::thread::LocalKey;

use super::state::State;
use super::{Done, Request};
use crate::memo::CacheView;
use crate::{Cache, Equivalent};

/// A thread-local memoized function's cache slot.
pub struct LocalSlot {
    cell: OnceCell<Box<dyn Any>>,
}

impl LocalSlot {
    /// An empty slot (the cache is built on first use).
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        LocalSlot {
            cell: OnceCell::new(),
        }
    }

    #[inline]
    fn memo<C: 'static>(&self, init: impl FnOnce() -> C) -> &LocalMemo<C> {
        let memo = self.cell.get_or_init(|| {
            Box::new(LocalMemo {
                state: RefCell::new(State::new(init())),
            })
        });
        // Only the one generated function that owns this slot fills it, always
        // with the same type.
        memo.downcast_ref()
            .expect("cachekit: a memoized function's slot holds one cache type")
    }
}

/// Runs `f` with this thread's cache of a memoized function, or with `None`
/// while the thread is being torn down (the call is then not cached).
#[inline]
pub fn local<C: 'static, T>(
    slot: &'static LocalKey<LocalSlot>,
    init: impl FnOnce() -> C,
    f: impl FnOnce(Option<&LocalMemo<C>>) -> T,
) -> T {
    let mut f = Some(f);
    if let Ok(Some(out)) = slot.try_with(|slot| f.take().map(|f| f(Some(slot.memo(init))))) {
        return out;
    }
    match f {
        Some(f) => f(None),
        // `try_with` either ran the closure, which produced the output, or
        // did not, which left `f` in place.
        None => unreachable!("cachekit: a thread-local slot lost a result"),
    }
}

/// A memoized function's cache for one thread.
///
/// A re-entrant use (a weigher, listener or `Clone` impl calling the
/// memoized function) finds the cache busy: the call is computed and not
/// cached rather than panicking.
pub struct LocalMemo<C> {
    state: RefCell<State<C>>,
}

impl<C> LocalMemo<C> {
    /// Looks `probe` up, counting a hit or a miss.
    #[inline]
    pub fn lookup<K, V, Q>(&self, probe: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.state.try_borrow_mut().ok()?.lookup(probe)
    }

    /// Stores a computed value (a value too large for the cache is not
    /// stored).
    #[inline]
    pub fn store<K, V>(&self, key: K, value: Option<V>)
    where
        C: Cache<K, V>,
    {
        if let (Some(value), Ok(mut state)) = (value, self.state.try_borrow_mut()) {
            let _ = state.cache.try_insert(key, value);
        }
    }

    /// Answers a request about the entry of `probe`.
    pub fn keyed<K, V, Q, R, L>(&self, request: Request<'_, L>, probe: &Q) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match self.state.try_borrow_mut() {
            Ok(mut state) => state.answer(request, Some(probe)),
            Err(_) => Done::Unit,
        }
    }

    /// Answers a request about the whole cache.
    pub fn keyless<K, V, R, L>(&self, request: Request<'_, L>) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash + Eq,
        V: Clone,
    {
        match self.state.try_borrow_mut() {
            Ok(mut state) => state.answer(request, None::<&K>),
            Err(_) => Done::Unit,
        }
    }
}
