//! Time to live: entries expire a fixed time after they were stored.

use std::time::{Duration, Instant};

use crate::arena::{linked_by, Handle, Links, List, Primary, Secondary};
use crate::policy::{Entries, EntryMeta, Policy, Sealed, Timed};
use crate::time::frozen::Frozen;
use crate::{Clock, CoarseClock, DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Per-entry state of [`Ttl`]: LRU links, expiry links and the deadline.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TtlMeta {
    lru: Links,
    expiry: Links,
    deadline: Option<Instant>,
}

linked_by!(TtlMeta, lru);

linked_by!(TtlMeta, expiry, Secondary);

impl EntryMeta for TtlMeta {
    #[inline]
    fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
    #[inline]
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
}

/// The TTL policy: every entry expires `ttl` after it was stored; among
/// live entries eviction is LRU.
///
/// One `ttl` for all entries means storage order is expiry order, so the
/// expiry structure is a plain list (re-inserting moves a key to its end)
/// and expiring costs O(1) per expired entry.
#[derive(Clone, Debug)]
pub struct Ttl<C = CoarseClock> {
    ttl: Duration,
    clock: C,
    frozen: Option<Frozen>,
    lru: List<Primary>,
    expiry: List<Secondary>,
}

impl<C> Ttl<C> {
    /// A policy expiring entries `ttl` after they were stored, by `clock`.
    pub fn new(ttl: Duration, clock: C) -> Self {
        Ttl {
            ttl,
            clock,
            frozen: None,
            lru: List::new(),
            expiry: List::new(),
        }
    }

    /// The time to live of every entry.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

impl<C> Sealed for Ttl<C> {}

impl<C: Clock> Timed for Ttl<C> {
    type Clock = C;

    fn clock(&self) -> &C {
        &self.clock
    }

    fn frozen_mut(&mut self) -> &mut Option<Frozen> {
        &mut self.frozen
    }
}

impl<K, V, C: Clock> Policy<K, V> for Ttl<C> {
    type Meta = TtlMeta;
    const EXPIRES: bool = true;

    #[inline]
    fn now(&self) -> Option<Instant> {
        Some(
            self.frozen
                .as_ref()
                .and_then(Frozen::instant)
                .unwrap_or_else(|| self.clock.now()),
        )
    }

    #[inline]
    fn deadline(&self, _key: &K, _value: &V, now: Instant) -> Option<Instant> {
        // An overflowing deadline means the entry never expires.
        now.checked_add(self.ttl)
    }

    #[inline]
    fn stored_at(&self, meta: &TtlMeta) -> Option<Instant> {
        // Every deadline is `stored + ttl` (none: the sum overflowed).
        meta.deadline?.checked_sub(self.ttl)
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        self.lru.push_back(entries, handle);
        self.expiry.push_back(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        self.lru.move_to_back(entries, handle);
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, TtlMeta>,
        handle: Handle,
        _old_weight: usize,
    ) {
        self.lru.move_to_back(entries, handle);
        self.expiry.move_to_back(entries, handle);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        self.lru.unlink(entries, handle);
        self.expiry.unlink(entries, handle);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, TtlMeta>) -> Option<Handle> {
        self.lru.front()
    }

    #[inline]
    fn next_expired(&self, entries: &Entries<K, V, TtlMeta>, now: Instant) -> Option<Handle> {
        let first = self.expiry.front()?;
        (!entries[first].meta.is_live(Some(now))).then_some(first)
    }

    fn for_each_expired(
        &self,
        entries: &Entries<K, V, TtlMeta>,
        now: Instant,
        mut f: impl FnMut(Handle),
    ) {
        for handle in self.expiry.iter(entries) {
            if entries[handle].meta.is_live(Some(now)) {
                break;
            }
            f(handle);
        }
    }

    fn clear(&mut self) {
        self.lru.clear();
        self.expiry.clear();
    }
}

/// An LRU cache whose entries expire a fixed time after they were stored
/// (cachetools' `TTLCache`).
///
/// - An entry is live while `now < stored_at + ttl`; a `get` does not
///   extend it, re-inserting the key does.
/// - Expired entries are invisible at once to `get`, `peek`,
///   `contains_key`, iteration, `len` and `currsize`; they are removed by
///   the next insertion (which expires first, so a cache full of stale
///   entries never evicts a live one), by [`expire`](PolicyCache::expire),
///   or by `remove`.
/// - Among live entries eviction is LRU.
/// - `ttl = 0` stores nothing: each entry is dead on arrival.
///
/// Expiry is lazy plus `expire()`, O(1) per expired entry. Time comes from
/// a [`Clock`]: by default [`CoarseClock`], a shared millisecond ticker
/// that costs a load to read, so an entry expires within about 1 ms after
/// its deadline, never before; [`MonotonicClock`](crate::MonotonicClock)
/// for nanosecond deadlines at the price of a system clock read per
/// operation; a [`ManualClock`](crate::ManualClock) in tests;
/// [`with_frozen_time`](PolicyCache::with_frozen_time) holds it still for a
/// batch of operations.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::time::Duration;
/// use cachekit::{ManualClock, TtlCache};
///
/// let clock = ManualClock::new();
/// let mut rates = TtlCache::with_clock(100, Duration::from_secs(60), clock.clone());
/// rates.insert(("USD", "EUR"), 0.92);
/// clock.advance(Duration::from_secs(59));
/// assert_eq!(rates.get(&("USD", "EUR")), Some(&0.92));
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(rates.get(&("USD", "EUR")), None); // expired at exactly 60 s
/// assert_eq!(rates.len(), 0);
/// assert_eq!(rates.expire(), vec![(("USD", "EUR"), 0.92)]);
/// ```
pub type TtlCache<K, V, C = CoarseClock, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, Ttl<C>, S, W>;

impl<K, V> TtlCache<K, V> {
    /// A TTL cache of at most `maxsize` entries living `ttl` each, on the
    /// [`CoarseClock`].
    pub fn new(maxsize: usize, ttl: Duration) -> Self {
        Self::with_policy(maxsize, Ttl::new(ttl, CoarseClock))
    }
}

impl<K, V, C: Clock> TtlCache<K, V, C> {
    /// A TTL cache reading time from `clock`.
    pub fn with_clock(maxsize: usize, ttl: Duration, clock: C) -> Self {
        Self::with_policy(maxsize, Ttl::new(ttl, clock))
    }

    /// A builder for a TTL cache reading time from `clock`, for adding a
    /// weigher, hasher or listener.
    pub fn builder_with_clock(
        maxsize: usize,
        ttl: Duration,
        clock: C,
    ) -> crate::Builder<K, V, Ttl<C>> {
        crate::Builder::new(maxsize, Ttl::new(ttl, clock))
    }
}

impl<K, V, C: Clock, S, W> TtlCache<K, V, C, S, W> {
    /// The time to live of every entry.
    pub fn ttl(&self) -> Duration {
        self.policy().ttl()
    }
}

impl<K, V> TtlCache<K, V> {
    /// A builder for a TTL cache on the [`CoarseClock`], for adding a
    /// weigher, hasher or listener.
    pub fn builder(maxsize: usize, ttl: Duration) -> crate::Builder<K, V, Ttl> {
        crate::Builder::new(maxsize, Ttl::new(ttl, CoarseClock))
    }
}
