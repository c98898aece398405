//! The eviction-policy trait that [`PolicyCache`](crate::PolicyCache) is generic over.
//!
//! A policy keeps its own ordering structure (a list, frequency buckets, a
//! key vector) beside the shared arena and is told about every insertion,
//! use, update and removal; when the cache needs room it asks the policy for
//! its victim. The trait is sealed: the policies are the ones this crate
//! ships ([`Lru`](crate::Lru), [`Lfu`](crate::Lfu), [`Fifo`](crate::Fifo),
//! [`Mru`](crate::Mru), [`Rr`](crate::Rr), [`Unbounded`](crate::Unbounded)),
//! so their internals can change without breaking anyone.

use crate::arena::{Arena, Handle, Linked, Links};

/// One cached entry as stored in the arena.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Node<K, V, M> {
    pub(crate) key: K,
    pub(crate) value: V,
    /// The key's hash, kept so that removing an entry or growing the table
    /// never re-hashes a key.
    pub(crate) hash: u64,
    pub(crate) weight: usize,
    pub(crate) meta: M,
}

impl<K, V, M: Linked> Linked for Node<K, V, M> {
    #[inline]
    fn links(&self) -> &Links {
        self.meta.links()
    }
    #[inline]
    fn links_mut(&mut self) -> &mut Links {
        self.meta.links_mut()
    }
}

/// The arena type a policy works on.
#[doc(hidden)]
pub type Entries<K, V, M> = Arena<Node<K, V, M>>;

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// An eviction policy: which entry goes when a cache needs room.
///
/// Implemented by the policy types of this crate; sealed. Each method is
/// O(1) for every shipped policy.
pub trait Policy: Sealed {
    /// Per-entry bookkeeping (list links, a use count, ...).
    #[doc(hidden)]
    type Meta: Default;

    /// A new entry was stored at `handle`.
    #[doc(hidden)]
    fn on_insert<K, V>(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// `get`/`get_mut` found the entry at `handle`.
    #[doc(hidden)]
    fn on_hit<K, V>(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// `insert` replaced the value of the entry at `handle`.
    #[doc(hidden)]
    fn on_update<K, V>(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// The entry at `handle` is about to leave the arena.
    #[doc(hidden)]
    fn on_remove<K, V>(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// The entry this policy evicts next, if any.
    #[doc(hidden)]
    fn victim<K, V>(&mut self, entries: &Entries<K, V, Self::Meta>) -> Option<Handle>;

    /// Every entry is gone.
    #[doc(hidden)]
    fn clear(&mut self);
}
