//! A memoized function's cache together with its call counters.

use core::hash::Hash;

use super::{Done, Request};
use crate::memo::{CacheInfo, CacheView, Viewed};
use crate::{Cache, Equivalent};

/// A cache and the function's call counters.
pub(super) struct State<C> {
    pub(super) cache: C,
    pub(super) hits: u64,
    pub(super) misses: u64,
}

impl<C> State<C> {
    pub(super) fn new(cache: C) -> Self {
        State {
            cache,
            hits: 0,
            misses: 0,
        }
    }

    #[inline]
    pub(super) fn lookup<K, V: Clone, Q>(&mut self, probe: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match self.cache.get(probe) {
            Some(v) => {
                self.hits += 1;
                Some(v.clone())
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    pub(super) fn answer<K, V, Q, R, L>(
        &mut self,
        request: Request<'_, L>,
        probe: Option<&Q>,
    ) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match (request, probe) {
            (Request::Clear, _) => {
                self.cache.clear();
                self.hits = 0;
                self.misses = 0;
                Done::Unit
            }
            (Request::Info, _) => Done::Info(CacheInfo {
                hits: self.hits,
                misses: self.misses,
                maxsize: self.cache.maxsize(),
                currsize: self.cache.currsize(),
                len: self.cache.len(),
                #[cfg(feature = "redis")]
                redis: None,
            }),
            (Request::Invalidate, Some(probe)) => Done::Value(self.cache.remove(probe)),
            (Request::Peek, Some(probe)) => Done::Value(self.cache.peek(probe).cloned()),
            (Request::Contains, Some(probe)) => Done::Bool(self.cache.contains_key(probe)),
            (Request::ExpiresIn, Some(probe)) => Done::Remaining(self.cache.expires_in(probe)),
            (Request::With(f), _) => {
                f(&mut Viewed::<C, K, V>::new(&mut self.cache));
                Done::Unit
            }
            (
                Request::Invalidate | Request::Peek | Request::Contains | Request::ExpiresIn,
                None,
            ) => Done::Unit,
        }
    }
}
