//! Procedural macros of cachekit. Depend on the `cachekit` crate, which
//! re-exports them, rather than on this crate directly.
