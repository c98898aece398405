//! The handle protocol: every operation on a memoized function's cache is
//! an [`Op`] passed to the one generated function that can name the
//! cache's type, and answered with a [`Done`].

use core::future::Future;
use core::task::{Context, Poll, Waker};

use crate::memo::{CacheInfo, CacheView};

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
    /// How long the entry of the given arguments has left to live.
    ExpiresIn,
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
    /// An entry's time left to live.
    Remaining(Option<core::time::Duration>),
    /// The counters.
    Info(CacheInfo),
    /// Nothing to answer, or the cache was unavailable.
    Unit,
}

impl<R, V> Done<R, V> {
    /// An entry's time left to live.
    #[inline]
    pub fn remaining(self) -> Option<core::time::Duration> {
        match self {
            Done::Remaining(left) => left,
            _ => None,
        }
    }

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
