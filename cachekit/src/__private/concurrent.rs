//! A `lock` memoized function whose cache is a `ConcurrentCache`.

use core::hash::Hash;

use super::{Begin, Done, Request, Shareable};
use crate::memo::{CacheInfo, CacheView};
use crate::{Cache, Equivalent};

/// A `ConcurrentCache` is shared as it is: its shards lock separately and
/// it computes each key once.
impl<C, S> Shareable for crate::ConcurrentCache<C, S>
where
    Self: Send + Sync + 'static,
{
    type Memo = ConcurrentMemo<C, S>;
    fn share(self) -> ConcurrentMemo<C, S> {
        ConcurrentMemo { cache: self }
    }
}

/// A `lock` function's [`ConcurrentCache`](crate::ConcurrentCache): the
/// same operations as [`SharedMemo`], per shard. Its counters are the
/// shards' own statistics (every call makes one counted lookup).
pub struct ConcurrentMemo<C, S> {
    cache: crate::ConcurrentCache<C, S>,
}

impl<C, S: core::hash::BuildHasher> ConcurrentMemo<C, S> {
    /// Looks `probe` up, blocking while another thread computes it.
    #[inline]
    pub fn begin<K, V, Q>(&self, probe: &Q) -> Begin<cachekit_core::concurrent::InFlight<'_, C>, V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match self.cache.begin(probe) {
            Ok(value) => Begin::Hit(value),
            Err(flight) => Begin::Miss(flight),
        }
    }

    /// Looks `probe` up, waiting without blocking the thread.
    pub async fn begin_async<K, V, Q>(
        &self,
        probe: &Q,
    ) -> Begin<cachekit_core::concurrent::InFlight<'_, C>, V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        match self.cache.begin_async(probe).await {
            Ok(value) => Begin::Hit(value),
            Err(flight) => Begin::Miss(flight),
        }
    }

    /// Answers a request about the entry of `probe`.
    pub fn keyed<K, V, Q, R, L>(&'static self, request: Request<'_, L>, probe: &Q) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
        S: 'static,
    {
        match request {
            Request::Invalidate => Done::Value(self.cache.remove(probe)),
            Request::Peek => Done::Value(self.cache.peek(probe)),
            Request::Contains => Done::Bool(self.cache.contains_key(probe)),
            request => self.keyless(request),
        }
    }

    /// Answers a request about the whole cache.
    pub fn keyless<K, V, R, L>(&'static self, request: Request<'_, L>) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash,
        S: 'static,
    {
        match request {
            Request::Clear => {
                self.cache.clear();
                self.cache.reset_stats();
                Done::Unit
            }
            Request::Info => {
                let stats = self.cache.stats();
                Done::Info(CacheInfo {
                    hits: stats.hits,
                    misses: stats.misses,
                    maxsize: self.cache.maxsize(),
                    currsize: self.cache.currsize(),
                    len: self.cache.len(),
                })
            }
            Request::With(f) => {
                f(&mut crate::memo::ConcurrentView::<C, S, K, V>::new(
                    &self.cache,
                ));
                Done::Unit
            }
            Request::Invalidate | Request::Peek | Request::Contains => Done::Unit,
        }
    }
}
