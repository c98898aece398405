//! Telling a cache which function it serves.

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
