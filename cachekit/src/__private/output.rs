//! How a memoized function's return value is cached: every result, or
//! only `Ok` / `Some`.

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

/// What the shared cache of a `#[cached]` function needs of its values.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be kept in a cache shared by all threads",
    label = "the default `#[cached]` cache is shared by every thread and task, so its values must be `Send + Sync`",
    note = "return a thread-safe type (`Arc` instead of `Rc`, `Mutex` instead of `RefCell`), or keep one cache per thread with `#[cached(thread_local)]`"
)]
pub trait SharedValue: Send + Sync {}
impl<V: Send + Sync> SharedValue for V {}

/// Checks, where the user wrote the return type, that a shared cache can
/// hold its values.
#[inline(always)]
pub fn check_shared_value<V: SharedValue>() {}
