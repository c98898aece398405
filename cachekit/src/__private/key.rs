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
