//! Runtime support for the code the caching macros generate. Not public
//! API: everything here may change in any release.
//!
//! The macros cannot name a cache's type (it is inferred from the
//! `cache = ...` expression and may hold closures), so a function's cache
//! lives in an untyped slot and is recovered by a downcast in the one
//! generated function that builds it; every operation on the cache is a
//! variant of [`Op`] dispatched inside that function.

use core::any::Any;
use core::cell::{OnceCell, RefCell};
use core::future::Future;
use core::hash::Hash;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::OnceLock;
use std::thread::LocalKey;

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::memo::{CacheInfo, CacheView, Viewed};

pub use crate::cell::Exclusive;
pub use method::*;

#[path = "method_runtime.rs"]
mod method;
use crate::{Cache, Equivalent};
use cachekit_core::flight::{Caller, Flights};

pub use crate::KeyRef;
pub use std::thread_local;

/// How a return value is cached.
#[diagnostic::on_unimplemented(
    message = "a cached function must return a `Clone` value",
    label = "`{Self}` cannot be cached",
    note = "the cache keeps one copy and every hit returns a clone; wrap large or non-`Clone` values in `std::sync::Arc`"
)]
pub trait Output<Kind>: Sized {
    /// What the cache stores.
    type Value: Clone;
    /// The value to store, or `None` when this result is not cached.
    fn cacheable(&self) -> Option<Self::Value>;
    /// The result a hit returns.
    fn from_cached(value: Self::Value) -> Self;
}

/// Every result is cached.
pub enum Always {}
/// Only `Ok(_)` / `Some(_)` is cached.
pub enum Fallible {}

impl<R: Clone> Output<Always> for R {
    type Value = R;
    #[inline]
    fn cacheable(&self) -> Option<R> {
        Some(self.clone())
    }
    #[inline]
    fn from_cached(value: R) -> R {
        value
    }
}

impl<T: Clone, E> Output<Fallible> for Result<T, E> {
    type Value = T;
    #[inline]
    fn cacheable(&self) -> Option<T> {
        self.as_ref().ok().cloned()
    }
    #[inline]
    fn from_cached(value: T) -> Self {
        Ok(value)
    }
}

impl<T: Clone> Output<Fallible> for Option<T> {
    type Value = T;
    #[inline]
    fn cacheable(&self) -> Option<T> {
        self.clone()
    }
    #[inline]
    fn from_cached(value: T) -> Self {
        Some(value)
    }
}

/// Type checks placed on the user's tokens so that errors point there.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a cache key",
    label = "a cache key must be `Hash + Eq + 'static`",
    note = "with a `key = |..| ..` closure, return an owned key (e.g. `String` rather than `&str`)"
)]
pub trait Key: Hash + Eq + 'static {}
impl<K: Hash + Eq + 'static> Key for K {}

/// Checks, where the user wrote an argument's type, that it can be part of
/// the default key.
#[inline(always)]
pub fn check_key_part<Q: ?Sized + KeyPart>(_: &Q) {}

/// What an argument must be to take part in the default key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a cache key",
    label = "the default key needs every argument to be `Hash + Eq`",
    note = "give `#[cached(key = |..| ..)]` a key closure that leaves this argument out or converts it (e.g. `f64::to_bits`)"
)]
pub trait KeyPart: Hash + Eq {}
impl<Q: ?Sized + Hash + Eq> KeyPart for Q {}

/// Checks that a key part can build an owned key.
#[inline(always)]
pub fn check_key<K: Key>(key: K) -> K {
    key
}

/// The closure a [`Request::With`] lends the cache to.
pub type Lent<'a> = dyn FnMut(&mut dyn CacheView) + 'a;
/// The closure of [`Request::With`] for an `async fn`, whose future must
/// stay `Send`.
pub type LentSend<'a> = dyn FnMut(&mut dyn CacheView) + Send + 'a;

/// A handle operation on a memoized function's cache.
pub enum Request<'a, L: ?Sized + 'a = Lent<'a>> {
    /// Clear the cache and the hit/miss counts.
    Clear,
    /// Read the counters.
    Info,
    /// Remove the entry of the given arguments.
    Invalidate,
    /// Read the entry of the given arguments without a use.
    Peek,
    /// Whether the given arguments have an entry.
    Contains,
    /// Lend the cache.
    With(&'a mut L),
}

/// What the generated dispatch function is asked to do.
pub enum Op<'a, A, L: ?Sized + 'a = Lent<'a>> {
    /// Call the function with these arguments.
    Call(A),
    /// A request about the entry of these arguments.
    Keyed(Request<'a, L>, A),
    /// A request about the whole cache.
    Keyless(Request<'a, L>),
}

/// What an [`Op`] answers.
pub enum Done<R, V> {
    /// The function's result.
    Returned(R),
    /// A removed or peeked value.
    Value(Option<V>),
    /// Whether an entry exists.
    Bool(bool),
    /// The counters.
    Info(CacheInfo),
    /// Nothing to answer, or the cache was unavailable.
    Unit,
}

impl<R, V> Done<R, V> {
    /// The function's result.
    #[inline]
    pub fn returned(self) -> R {
        match self {
            Done::Returned(r) => r,
            // The generated code answers `Op::Call` with `Returned` only.
            _ => unreachable!("cachekit: a call was answered without a result"),
        }
    }
    /// A removed or peeked value (`None` also when the cache was unavailable).
    #[inline]
    pub fn value(self) -> Option<V> {
        match self {
            Done::Value(v) => v,
            _ => None,
        }
    }
    /// Whether an entry exists (`false` also when the cache was unavailable).
    #[inline]
    pub fn bool(self) -> bool {
        matches!(self, Done::Bool(true))
    }
    /// The counters (zeros when the cache was unavailable).
    #[inline]
    pub fn info(self) -> CacheInfo {
        match self {
            Done::Info(i) => i,
            _ => CacheInfo::default(),
        }
    }
}

/// Runs `f` on the cache through `dispatch(Request::With(..))`; `None` when
/// the cache was unavailable.
pub fn lend<T>(
    f: impl FnOnce(&mut dyn CacheView) -> T,
    dispatch: impl FnOnce(Request<'_>),
) -> Option<T> {
    let mut f = Some(f);
    let mut out = None;
    dispatch(Request::With(&mut |view: &mut dyn CacheView| {
        if let Some(f) = f.take() {
            out = Some(f(view));
        }
    }));
    out
}

/// [`lend`] for an `async fn`'s cache.
pub fn lend_send<T: Send>(
    f: impl FnOnce(&mut dyn CacheView) -> T + Send,
    dispatch: impl FnOnce(Request<'_, LentSend<'_>>),
) -> Option<T> {
    let mut f = Some(f);
    let mut out = None;
    dispatch(Request::With(&mut |view: &mut dyn CacheView| {
        if let Some(f) = f.take() {
            out = Some(f(view));
        }
    }));
    out
}

/// Runs a future that never waits (a handle operation on an `async fn`'s
/// cache) to completion.
pub fn now<F: Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A cache and the function's call counters.
struct State<C> {
    cache: C,
    hits: u64,
    misses: u64,
}

impl<C> State<C> {
    fn new(cache: C) -> Self {
        State {
            cache,
            hits: 0,
            misses: 0,
        }
    }

    #[inline]
    fn lookup<K, V: Clone, Q>(&mut self, probe: &Q) -> Option<V>
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

    fn answer<K, V, Q, R, L>(&mut self, request: Request<'_, L>, probe: Option<&Q>) -> Done<R, V>
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
            }),
            (Request::Invalidate, Some(probe)) => Done::Value(self.cache.remove(probe)),
            (Request::Peek, Some(probe)) => Done::Value(self.cache.peek(probe).cloned()),
            (Request::Contains, Some(probe)) => Done::Bool(self.cache.contains_key(probe)),
            (Request::With(f), _) => {
                f(&mut Viewed::<C, K, V>::new(&mut self.cache));
                Done::Unit
            }
            (Request::Invalidate | Request::Peek | Request::Contains, None) => Done::Unit,
        }
    }
}

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

/// Tells a cache the name of the function it serves, when it wants it (a
/// Redis cache names its keys after it); a no-op for every other cache.
/// Resolved at compile time: `(&mut Namer(&mut cache)).name(..)` picks
/// [`NameRedis`] for a `RedisCache`, [`NameAny`] otherwise.
pub struct Namer<'a, T>(pub &'a mut T);

/// See [`Namer`].
pub trait NameRedis {
    /// Names the function.
    fn name(self, function: &str);
}

/// See [`Namer`].
pub trait NameAny {
    /// Does nothing.
    fn name(self, function: &str);
}

#[cfg(feature = "redis")]
impl<K, V, L> NameRedis for &mut Namer<'_, crate::RedisCache<K, V, L>> {
    fn name(self, function: &str) {
        self.0.set_function(function);
    }
}

impl<T> NameAny for &Namer<'_, T> {
    #[inline]
    fn name(self, _: &str) {}
}

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
