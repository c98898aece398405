//! Checks on key types, placed on the user's tokens so that a type error
//! points at the argument or key closure that causes it.

use core::hash::Hash;

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

/// What the arguments' borrowed key must be to look up a cache keyed by
/// `K`: checked where the arguments are, so that a mismatch names both
/// types instead of a missing `Borrow` impl deep in the bounds.
#[diagnostic::on_unimplemented(
    message = "the arguments make a key of type `{Self}`, which cannot look up this cache's keys of type `{K}`",
    label = "looked up as `{Self}`",
    note = "the default key is the arguments owned: a `&str` argument makes a `String` key, `&[T]` a `Vec<T>`, several arguments a tuple; give the cache that key type, or `key = |..| ..` returning a `{K}`"
)]
pub trait ProbeOf<K> {}
#[diagnostic::do_not_recommend]
impl<K, Q: ?Sized + Hash + crate::Equivalent<K>> ProbeOf<K> for Q {}

/// Checks that a method's arguments can look up its field's cache.
#[inline(always)]
pub fn check_field_probe<F, K, V, Q>(_field: &F, _probe: &Q)
where
    F: crate::CacheCell<K, V>,
    Q: ?Sized + ProbeOf<K>,
{
}

/// Checks that a function's arguments can look up its shared cache.
#[inline(always)]
pub fn check_memo_probe<C, S, K, V, Q>(_memo: &super::SharedMemo<C, S>, _probe: &Q)
where
    C: crate::Cache<K, V> + crate::Shardable,
    Q: ?Sized + ProbeOf<K>,
{
}
