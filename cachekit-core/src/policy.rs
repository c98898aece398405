//! The eviction-policy trait that [`PolicyCache`](crate::PolicyCache) is generic over.
//!
//! A policy keeps its own ordering structure (a list, frequency buckets, a
//! key vector, a timer wheel) beside the shared arena and is told about
//! every insertion, use, update and removal; when the cache needs room it
//! asks the policy for its victim. Time-aware policies also say when an
//! entry expires. The trait is sealed: the policies are the ones this crate
//! ships, so their internals can change without breaking anyone.

use crate::time::moment::Moment;

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

impl<K, V, M: Linked<F>, F> Linked<F> for Node<K, V, M> {
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

/// Per-entry policy state.
#[doc(hidden)]
pub trait EntryMeta: Default {
    /// When the entry expires; [`Moment::NEVER`] for never.
    #[inline]
    fn deadline(&self) -> Moment {
        Moment::NEVER
    }

    /// Records the entry's deadline (ignored by policies without expiry).
    #[inline]
    fn set_deadline(&mut self, _deadline: Moment) {}

    /// Whether the entry is still visible at `now`: strictly before its
    /// deadline, as in cachetools.
    #[inline]
    fn is_live(&self, now: Option<Moment>) -> bool {
        match now {
            Some(now) => now < self.deadline(),
            None => true,
        }
    }
}

impl EntryMeta for Links {}

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// An eviction policy: which entry goes when a cache needs room, and for
/// time-aware policies when an entry expires.
///
/// Implemented by the policy types of this crate; sealed. Each method is
/// O(1) (amortized, for expiry) for every shipped policy.
pub trait Policy<K, V>: Sealed {
    /// Per-entry bookkeeping (list links, a use count, a deadline, ...).
    #[doc(hidden)]
    type Meta: EntryMeta;

    /// Whether a concurrent cache must hand the hits its readers make to
    /// [`on_hit`](Policy::on_hit) later (in batches). `false` for policies
    /// whose `on_hit` does nothing, and for those that take such hits
    /// through [`shared_hit`](Policy::shared_hit) instead.
    #[doc(hidden)]
    const RECORDS_HITS: bool = true;

    /// A concurrent cache will look entries up through `&self` and report
    /// its hits with [`shared_hit`](Policy::shared_hit) or, when
    /// [`RECORDS_HITS`](Policy::RECORDS_HITS), later through `on_hit`;
    /// `slots` is the arena's slot count now (every handle is below it).
    #[doc(hidden)]
    #[inline]
    fn share(&mut self, _slots: usize) {}

    /// A reader holding `&self` hit the entry at `handle` (only after
    /// [`share`](Policy::share)).
    #[doc(hidden)]
    #[inline]
    fn shared_hit(&self, _handle: Handle) {}

    /// Whether an insert decides "dead on arrival" before "too large"
    /// (cachetools' TLRU computes the deadline before `Cache.__setitem__`
    /// weighs the value; its TTL weighs first).
    #[doc(hidden)]
    const EXPIRY_BEFORE_WEIGHT: bool = false;

    /// Whether entries expire; `false` compiles every expiry check away.
    #[doc(hidden)]
    const EXPIRES: bool = false;

    /// The time operations of an expiring policy see; `None` otherwise.
    #[doc(hidden)]
    #[inline]
    fn now(&self) -> Option<Moment> {
        None
    }

    /// The deadline of `key -> value` stored at `now` (`NEVER`: never
    /// expires). Called only when `EXPIRES`.
    #[doc(hidden)]
    #[inline]
    fn deadline(&self, _key: &K, _value: &V, _now: Moment) -> Moment {
        Moment::NEVER
    }

    /// A new key of `hash` and `weight` is about to be stored, before any
    /// eviction makes room for it (adaptive policies learn from the keys
    /// they evicted recently).
    #[doc(hidden)]
    #[inline]
    fn before_insert(
        &mut self,
        _entries: &Entries<K, V, Self::Meta>,
        _hash: u64,
        _weight: usize,
        _maxsize: usize,
    ) {
    }

    /// A new entry was stored at `handle` (its deadline already set).
    #[doc(hidden)]
    fn on_insert(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// `get`/`get_mut` found the live entry at `handle`.
    #[doc(hidden)]
    fn on_hit(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// `insert` replaced the value (and deadline) of the entry at `handle`;
    /// the entry weighed `old_weight` before (the node holds the new
    /// weight), so a policy that sums weights needs no copy of its own.
    #[doc(hidden)]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, Self::Meta>,
        handle: Handle,
        old_weight: usize,
    );

    /// The entry at `handle` is about to leave the arena.
    #[doc(hidden)]
    fn on_remove(&mut self, entries: &mut Entries<K, V, Self::Meta>, handle: Handle);

    /// The entry this policy evicts next, if any; the caller evicts it.
    /// A policy may relink entries while choosing (an admission policy
    /// moves the candidate that beat the victim into its main space).
    #[doc(hidden)]
    fn victim(&mut self, entries: &mut Entries<K, V, Self::Meta>) -> Option<Handle>;

    /// Whether a read changes the entry's deadline (a time to idle): then
    /// a [`ConcurrentCache`](crate::ConcurrentCache) reads it under its
    /// lock, as the policy must see the read before the next lookup does.
    #[doc(hidden)]
    #[inline]
    fn extends_on_read(&self) -> bool {
        false
    }

    /// When the entry was stored, where the policy knows it (a TTL
    /// entry's deadline less the TTL): what a refresh-after-write measures
    /// an entry's age from.
    #[doc(hidden)]
    #[inline]
    fn stored_at(&self, _meta: &Self::Meta) -> Option<Moment> {
        None
    }

    /// Moves the policy's expiry structure to `now`, before entries
    /// expired by then are taken with
    /// [`next_expired`](Policy::next_expired).
    #[doc(hidden)]
    #[inline]
    fn advance(&mut self, _entries: &mut Entries<K, V, Self::Meta>, _now: Moment) {}

    /// The entry that expires first, if it has expired at `now` (after
    /// [`advance`](Policy::advance) to `now`).
    #[doc(hidden)]
    #[inline]
    fn next_expired(&self, _entries: &Entries<K, V, Self::Meta>, _now: Moment) -> Option<Handle> {
        None
    }

    /// Number and total weight of the entries expired at `now` but still
    /// stored.
    #[doc(hidden)]
    #[inline]
    fn expired_totals(&self, _entries: &Entries<K, V, Self::Meta>, _now: Moment) -> (usize, usize) {
        (0, 0)
    }

    /// Every entry is gone.
    #[doc(hidden)]
    fn clear(&mut self);

    /// Heap bytes of the policy's own state (ghost lists, a sketch, ...).
    #[doc(hidden)]
    #[inline]
    fn allocated_bytes(&self) -> usize {
        0
    }
}

/// A policy whose entries expire by a [`Clock`](crate::Clock): the
/// policies of [`TtlCache`](crate::TtlCache) and
/// [`TlruCache`](crate::TlruCache).
pub trait Timed: Sealed {
    /// The clock type.
    type Clock: crate::Clock;

    /// The clock the policy reads.
    fn clock(&self) -> &Self::Clock;

    /// The instant operations see instead of the clock's, while time is
    /// held still.
    #[doc(hidden)]
    fn frozen_mut(&mut self) -> &mut Option<crate::time::frozen::Frozen>;
}
