//! Time-aware LRU: each entry gets its own deadline from a user function.

use std::time::Instant;

use crate::arena::{linked_by, Handle, Links, List, Secondary};
use crate::policy::{Entries, EntryMeta, Policy, Sealed, Timed};
use crate::time::frozen::{self, Frozen};
use crate::time::moment::Moment;
use crate::time::wheel::{Scheduled, Wheel};
use crate::{Clock, CoarseClock, DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Per-entry state of [`Tlru`]: LRU links, deadline and its place on
/// the timer wheel.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TlruMeta {
    lru: Links,
    wheel: Links,
    deadline: Moment,
    slot: u16,
}

linked_by!(TlruMeta, lru);

linked_by!(TlruMeta, wheel, Secondary);

impl EntryMeta for TlruMeta {
    #[inline]
    fn deadline(&self) -> Moment {
        self.deadline
    }
    #[inline]
    fn set_deadline(&mut self, deadline: Moment) {
        self.deadline = deadline;
    }
}

impl Scheduled for TlruMeta {
    #[inline]
    fn slot(&self) -> u16 {
        self.slot
    }
    #[inline]
    fn set_slot(&mut self, slot: u16) {
        self.slot = slot;
    }
}

/// The TLRU policy: each entry expires at the instant `ttu(key, value,
/// now)` returns; among live entries eviction is LRU.
///
/// Deadlines are kept on a hierarchical timer wheel (as Caffeine and moka
/// keep theirs): storing, updating or removing an entry is O(1), expiring
/// amortized O(1) per entry, and counting the expired entries (for `len`
/// and `currsize`) visits none of them unless they expire within one
/// wheel bucket of the moment asked.
#[derive(Clone, Debug)]
pub struct Tlru<F, C = CoarseClock> {
    ttu: F,
    clock: C,
    frozen: Option<Frozen>,
    lru: List,
    wheel: Wheel,
}

impl<F, C> Tlru<F, C> {
    /// A policy computing deadlines with `ttu`, reading time from `clock`.
    pub fn new(ttu: F, clock: C) -> Self {
        Tlru {
            ttu,
            clock,
            frozen: None,
            lru: List::new(),
            wheel: Wheel::new(),
        }
    }

    /// The deadline function.
    pub fn ttu(&self) -> &F {
        &self.ttu
    }
}

impl<F, C> Sealed for Tlru<F, C> {}

impl<F, C: Clock> Timed for Tlru<F, C> {
    type Clock = C;

    fn clock(&self) -> &C {
        &self.clock
    }

    fn frozen_mut(&mut self) -> &mut Option<Frozen> {
        &mut self.frozen
    }
}

impl<K, V, F, C> Policy<K, V> for Tlru<F, C>
where
    F: Fn(&K, &V, Instant) -> Instant,
    C: Clock,
{
    type Meta = TlruMeta;
    const EXPIRY_BEFORE_WEIGHT: bool = true;
    const EXPIRES: bool = true;

    #[inline]
    fn now(&self) -> Option<Moment> {
        Some(frozen::now(&self.frozen, &self.clock))
    }

    #[inline]
    fn deadline(&self, key: &K, value: &V, now: Moment) -> Moment {
        // `now` came from an instant, so it is one again.
        match now.instant() {
            Some(now) => Moment::of((self.ttu)(key, value, now)),
            None => Moment::NEVER,
        }
    }

    fn on_insert(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.push_back(entries, handle);
        if !self.wheel.started() {
            if let Some(now) = Policy::<K, V>::now(self) {
                self.wheel.start(now);
            }
        }
        self.wheel.schedule(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.move_to_back(entries, handle);
    }

    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, TlruMeta>,
        handle: Handle,
        old_weight: usize,
    ) {
        self.lru.move_to_back(entries, handle);
        // The new deadline and weight are already in the entry.
        self.wheel.reschedule(entries, handle, old_weight);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.unlink(entries, handle);
        let weight = entries[handle].weight;
        self.wheel.cancel(entries, handle, weight);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, TlruMeta>) -> Option<Handle> {
        self.lru.front()
    }

    #[inline]
    fn advance(&mut self, entries: &mut Entries<K, V, TlruMeta>, now: Moment) {
        self.wheel.advance(entries, now);
    }

    #[inline]
    fn next_expired(&self, entries: &Entries<K, V, TlruMeta>, now: Moment) -> Option<Handle> {
        self.wheel.next_expired(entries, now)
    }

    #[inline]
    fn expired_totals(&self, entries: &Entries<K, V, TlruMeta>, now: Moment) -> (usize, usize) {
        self.wheel.expired_totals(entries, now)
    }

    fn clear(&mut self) {
        self.lru.clear();
        self.wheel.clear();
    }

    fn allocated_bytes(&self) -> usize {
        self.wheel.allocated_bytes()
    }
}

/// An LRU cache where each entry has its own deadline (cachetools'
/// `TLRUCache`, "time-aware least recently used").
///
/// - `ttu(&key, &value, now)` returns the instant the entry expires; it is
///   live while `now < deadline`. A deadline that is not after `now` means
///   the entry is not stored, and any entry already stored for its key is
///   removed (and returned by `insert`).
/// - Expired entries are invisible at once (`get`, `peek`, `contains_key`,
///   iteration, `len`, `currsize`); the entry with the earliest deadline
///   expires first; eviction among live entries is LRU.
/// - Expiry is lazy plus [`expire`](PolicyCache::expire), on a timer
///   wheel: O(1) to store or remove an entry, amortized O(1) per expired
///   entry, and `len`/`currsize` count the expired entries by wheel bucket
///   (see [`Tlru`]).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::time::{Duration, Instant};
/// use cachekit::{ManualClock, TlruCache};
///
/// // Sessions live as long as they say; guests get a minute.
/// let ttu = |_id: &u32, ttl: &Option<Duration>, now: Instant| {
///     now + ttl.unwrap_or(Duration::from_secs(60))
/// };
/// let clock = ManualClock::new();
/// let mut sessions = TlruCache::with_clock(100, ttu, clock.clone());
/// sessions.insert(1, Some(Duration::from_secs(3600)));
/// sessions.insert(2, None);
/// sessions.insert(3, Some(Duration::ZERO)); // dead on arrival: not stored
/// assert_eq!(sessions.len(), 2);
/// clock.advance(Duration::from_secs(61));
/// assert!(sessions.contains_key(&1) && !sessions.contains_key(&2));
/// ```
pub type TlruCache<K, V, F, C = CoarseClock, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, Tlru<F, C>, S, W>;

impl<K, V, F> TlruCache<K, V, F>
where
    F: Fn(&K, &V, Instant) -> Instant,
{
    /// A TLRU cache of at most `maxsize` entries whose deadlines `ttu`
    /// computes, on the [`CoarseClock`] (deadlines met within about 1 ms).
    pub fn new(maxsize: usize, ttu: F) -> Self {
        Self::with_policy(maxsize, Tlru::new(ttu, CoarseClock))
    }

    /// A builder for a TLRU cache on the [`CoarseClock`], for adding a
    /// weigher, hasher or listener.
    pub fn builder(maxsize: usize, ttu: F) -> crate::Builder<K, V, Tlru<F>> {
        crate::Builder::new(maxsize, Tlru::new(ttu, CoarseClock))
    }
}

impl<K, V, F, C> TlruCache<K, V, F, C>
where
    F: Fn(&K, &V, Instant) -> Instant,
    C: Clock,
{
    /// A TLRU cache reading time from `clock`.
    pub fn with_clock(maxsize: usize, ttu: F, clock: C) -> Self {
        Self::with_policy(maxsize, Tlru::new(ttu, clock))
    }

    /// A builder for a TLRU cache reading time from `clock`.
    pub fn builder_with_clock(
        maxsize: usize,
        ttu: F,
        clock: C,
    ) -> crate::Builder<K, V, Tlru<F, C>> {
        crate::Builder::new(maxsize, Tlru::new(ttu, clock))
    }
}
