//! The process-wide cache of a `lock` memoized function: one lock around
//! the cache, with one computation per key at a time.

use core::any::Any;
use core::future::Future;
use core::hash::Hash;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::OnceLock;

use cachekit_core::flight::{Caller, Flights};
use parking_lot::{Condvar, Mutex, MutexGuard};

use super::state::State;
use super::{Done, Request};
use crate::memo::CacheView;
use crate::{Cache, Equivalent};

/// A shared (`lock`) memoized function's cache slot.
pub struct SharedSlot {
    cell: OnceLock<Box<dyn Any + Send + Sync>>,
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
    #[inline]
    pub fn memo<T: Shareable>(&self, init: impl FnOnce() -> T) -> &T::Memo {
        let memo = self.cell.get_or_init(|| Box::new(init().share()));
        // Only the one generated function that owns this slot fills it, always
        // with the same type.
        memo.downcast_ref()
            .expect("cachekit: a memoized function's slot holds one cache type")
    }
}

/// A cache a `lock` function can share between threads, and how.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the cache of a `#[cached(lock)]` function",
    label = "the `cache = ...` expression",
    note = "use one of cachekit's caches, a `hashbrown::HashMap`, or a `ConcurrentCache`"
)]
pub trait Shareable: Sized + 'static {
    /// The shared form: one lock around the cache, or the cache itself
    /// when it is already thread-safe.
    type Memo: Send + Sync + 'static;
    /// Wraps the cache for sharing.
    fn share(self) -> Self::Memo;
}

impl<K, V, P, S, W> Shareable for crate::PolicyCache<K, V, P, S, W>
where
    P: crate::Policy<K, V>,
    Self: Send + 'static,
{
    type Memo = SharedMemo<Self>;
    fn share(self) -> SharedMemo<Self> {
        SharedMemo::new(self)
    }
}

impl<K, V, S> Shareable for hashbrown::HashMap<K, V, S>
where
    Self: Send + 'static,
{
    type Memo = SharedMemo<Self>;
    fn share(self) -> SharedMemo<Self> {
        SharedMemo::new(self)
    }
}

#[cfg(feature = "redis")]
impl<K, V, L> Shareable for crate::RedisCache<K, V, L>
where
    Self: Send + 'static,
{
    type Memo = SharedMemo<Self>;
    fn share(self) -> SharedMemo<Self> {
        SharedMemo::new(self)
    }
}

/// A memoized function's cache shared by all threads, computing each key
/// once at a time.
///
/// Keys being computed are tracked by hash in `pending`; a caller whose key
/// is pending waits (a thread on the condition variable, a task through its
/// waker) and then looks up again, like cachetools' `condition`. A 64-bit
/// hash collision only makes a caller wait for an unrelated computation; a
/// thread never waits for a computation it runs itself (recursion).
pub struct SharedMemo<C> {
    inner: Mutex<Shared<C>>,
    ready: Condvar,
    hasher: ahash::RandomState,
}

struct Shared<C> {
    state: State<C>,
    pending: Flights,
}

/// The outcome of a single-flight lookup.
pub enum Begin<T, V> {
    /// The cached value.
    Hit(V),
    /// The caller computes, then calls the ticket's `finish`.
    Miss(T),
}

/// A pending computation: dropping it without [`finish`](Ticket::finish)
/// (panic, cancelled future, result not cached) lets a waiter take over.
pub struct Ticket<'a, C> {
    memo: &'a SharedMemo<C>,
    hash: u64,
    owns: bool,
}

impl<C> SharedMemo<C> {
    fn new(cache: C) -> Self {
        SharedMemo {
            inner: Mutex::new(Shared {
                state: State::new(cache),
                pending: Flights::new(),
            }),
            ready: Condvar::new(),
            hasher: ahash::RandomState::new(),
        }
    }

    /// Looks `probe` up, blocking while another thread computes it.
    pub fn begin<K, V, Q>(&self, probe: &Q) -> Begin<Ticket<'_, C>, V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let mut hash = None;
        let mut shared = self.inner.lock();
        loop {
            if let Some(begin) = self.step(&mut shared, probe, &mut hash, Caller::Thread) {
                return begin;
            }
            self.ready.wait(&mut shared);
        }
    }

    /// Looks `probe` up, waiting (without blocking the thread) while another
    /// caller computes it.
    pub fn begin_async<'m, 'p, K, V, Q>(&'m self, probe: &'p Q) -> BeginAsync<'m, 'p, C, Q, K, V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        BeginAsync {
            memo: self,
            probe,
            hash: None,
            types: core::marker::PhantomData,
        }
    }

    /// One attempt: `None` means wait and try again.
    fn step<K, V, Q>(
        &self,
        shared: &mut MutexGuard<'_, Shared<C>>,
        probe: &Q,
        hash: &mut Option<u64>,
        caller: Caller<'_>,
    ) -> Option<Begin<Ticket<'_, C>, V>>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if !shared.pending.is_empty() {
            let h = *hash.get_or_insert_with(|| self.hasher.hash_one(probe));
            if shared.pending.must_wait(h, caller) {
                return None;
            }
        }
        if let Some(value) = shared.state.lookup(probe) {
            return Some(Begin::Hit(value));
        }
        let h = *hash.get_or_insert_with(|| self.hasher.hash_one(probe));
        let owns = shared.pending.start(h, caller);
        Some(Begin::Miss(Ticket {
            memo: self,
            hash: h,
            owns,
        }))
    }

    /// Answers a request about the entry of `probe`.
    pub fn keyed<K, V, Q, R, L>(&self, request: Request<'_, L>, probe: &Q) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.inner.lock().state.answer(request, Some(probe))
    }

    /// Answers a request about the whole cache.
    pub fn keyless<K, V, R, L>(&self, request: Request<'_, L>) -> Done<R, V>
    where
        L: ?Sized + FnMut(&mut dyn CacheView),
        C: Cache<K, V> + 'static,
        K: Hash + Eq,
        V: Clone,
    {
        self.inner.lock().state.answer(request, None::<&K>)
    }
}

impl<C> Ticket<'_, C> {
    /// Stores the computed value (unless `None` or too large) and wakes the
    /// callers waiting for it.
    pub fn finish<K, V>(mut self, key: K, value: Option<V>)
    where
        C: Cache<K, V>,
    {
        let mut shared = self.memo.inner.lock();
        if let Some(value) = value {
            let _ = shared.state.cache.try_insert(key, value);
        }
        self.release(&mut shared);
    }

    fn release(&mut self, shared: &mut Shared<C>) {
        if std::mem::take(&mut self.owns) {
            shared.pending.finish(self.hash);
            self.memo.ready.notify_all();
        }
    }
}

impl<C> Drop for Ticket<'_, C> {
    fn drop(&mut self) {
        if self.owns {
            let mut shared = self.memo.inner.lock();
            self.release(&mut shared);
        }
    }
}

/// The future of [`SharedMemo::begin_async`].
pub struct BeginAsync<'m, 'p, C, Q: ?Sized, K, V> {
    memo: &'m SharedMemo<C>,
    probe: &'p Q,
    hash: Option<u64>,
    types: core::marker::PhantomData<fn() -> (K, V)>,
}

impl<'m, C, Q, K, V> Future for BeginAsync<'m, '_, C, Q, K, V>
where
    C: Cache<K, V>,
    V: Clone,
    Q: ?Sized + Hash + Equivalent<K>,
{
    type Output = Begin<Ticket<'m, C>, V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let memo = this.memo;
        let mut shared = memo.inner.lock();
        match memo.step(
            &mut shared,
            this.probe,
            &mut this.hash,
            Caller::Task(cx.waker()),
        ) {
            Some(begin) => Poll::Ready(begin),
            None => Poll::Pending,
        }
    }
}
