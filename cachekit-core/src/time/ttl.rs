//! Time to live: entries expire a fixed time after they were stored.

use std::time::Duration;

use crate::arena::{linked_by, Handle, Links, List, Primary, Secondary};
use crate::policy::{Entries, EntryMeta, Policy, Sealed, Timed};
use crate::time::frozen::{self, Frozen};
use crate::time::moment::Moment;
use crate::time::wheel::{Scheduled, Wheel};
use crate::{Clock, CoarseClock, DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Per-entry state of [`Ttl`]: LRU links, the deadline and its place on
/// the timer wheel and, with a time to idle, the deadline its time to live
/// sets.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TtlMeta {
    lru: Links,
    wheel: Links,
    deadline: Moment,
    /// With a time to idle (which moves `deadline` on every read, never
    /// past `stored + ttl`): nanoseconds from `deadline` to `stored + ttl`,
    /// `u64::MAX` for never. Eight bytes where a second deadline would
    /// take twelve (and the entry's padding four more); a time to live 584
    /// years or more beyond the idle deadline counts as none.
    hard: u64,
    slot: u16,
}

linked_by!(TtlMeta, lru);

linked_by!(TtlMeta, wheel, Secondary);

impl Scheduled for TtlMeta {
    #[inline]
    fn slot(&self) -> u16 {
        self.slot
    }
    #[inline]
    fn set_slot(&mut self, slot: u16) {
        self.slot = slot;
    }
}

impl EntryMeta for TtlMeta {
    #[inline]
    fn deadline(&self) -> Moment {
        self.deadline
    }
    #[inline]
    fn set_deadline(&mut self, deadline: Moment) {
        self.deadline = deadline;
    }
}

/// The TTL policy: every entry expires `ttl` after it was stored, and
/// with a time to idle also `idle` after it was last read or stored; among
/// live entries eviction is LRU.
///
/// Deadlines are kept on a hierarchical timer wheel (the one
/// [`Tlru`](crate::Tlru) uses): storing, re-storing, reading with a time
/// to idle and removing are O(1), expiring amortized O(1) per entry, and
/// `len`/`currsize` count the expired entries by wheel bucket instead of
/// one by one.
#[derive(Clone, Debug)]
pub struct Ttl<C = CoarseClock> {
    ttl: Duration,
    idle: Option<Duration>,
    clock: C,
    frozen: Option<Frozen>,
    lru: List<Primary>,
    wheel: Wheel,
}

impl<C> Ttl<C> {
    /// A policy expiring entries `ttl` after they were stored, by `clock`.
    pub fn new(ttl: Duration, clock: C) -> Self {
        Ttl {
            ttl,
            idle: None,
            clock,
            frozen: None,
            lru: List::new(),
            wheel: Wheel::new(),
        }
    }

    /// The time to live of every entry.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Also expires an entry `idle` after its last read or store (time to
    /// idle), never later than its time to live. `ttl = Duration::MAX`
    /// leaves the time to idle alone.
    pub fn with_idle(mut self, idle: Duration) -> Self {
        self.idle = Some(idle);
        self
    }

    /// The time to idle, if any.
    pub fn idle(&self) -> Option<Duration> {
        self.idle
    }

    /// The deadline the time to live sets.
    #[inline]
    fn hard(&self, meta: &TtlMeta) -> Moment {
        match (self.idle, meta.hard) {
            (None, _) => meta.deadline,
            (Some(_), u64::MAX) => Moment::NEVER,
            (Some(_), after) => meta.deadline.add_nanos(after),
        }
    }
}

impl<C: Clock> Ttl<C> {
    /// With a time to idle: records the time-to-live deadline of an entry
    /// just stored, from its deadline (the earlier of the two, both from
    /// the one instant it was stored at), so that the two agree exactly.
    #[inline]
    fn stored<K, V>(&self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        if let Some(idle) = self.idle {
            let meta = &mut entries[handle].meta;
            let hard = if self.ttl <= idle {
                meta.deadline
            } else {
                // The deadline is `stored + idle`; `NEVER` only if both
                // sums overflowed.
                match meta.deadline.before(idle) {
                    Some(stored) => stored.after(self.ttl),
                    None => Moment::NEVER,
                }
            };
            meta.hard = hard_after(hard, meta.deadline);
        }
    }

    /// With a time to idle: a read restarts the entry's idle time, unless
    /// it has expired meanwhile (a read recorded late, through a
    /// `ConcurrentCache`, must not revive it). Whether the entry is live.
    #[inline]
    fn read<K, V>(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) -> bool {
        match self.idle {
            None => true,
            Some(idle) => self.read_idle(entries, handle, idle),
        }
    }

    /// [`read`](Self::read) with a time to idle: kept out of line, so that
    /// a hit without one stays small.
    #[inline(never)]
    fn read_idle<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TtlMeta>,
        handle: Handle,
        idle: Duration,
    ) -> bool {
        let Some(now) = <Self as Policy<K, V>>::now(self) else {
            return true;
        };
        let hard = self.hard(&entries[handle].meta);
        let meta = &mut entries[handle].meta;
        if !meta.is_live(Some(now)) {
            return false;
        }
        let deadline = hard.min(now.after(idle));
        if meta.deadline != deadline {
            meta.deadline = deadline;
            meta.hard = hard_after(hard, deadline);
            let weight = entries[handle].weight;
            self.wheel.reschedule(entries, handle, weight);
        }
        true
    }
}

/// [`TtlMeta::hard`] for a time-to-live deadline `hard` and a deadline
/// (not after it).
#[inline]
fn hard_after(hard: Moment, deadline: Moment) -> u64 {
    if hard == Moment::NEVER {
        u64::MAX
    } else {
        hard.nanos_since(deadline)
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
    fn now(&self) -> Option<Moment> {
        Some(frozen::now(&self.frozen, &self.clock))
    }

    #[inline]
    fn deadline(&self, _key: &K, _value: &V, now: Moment) -> Moment {
        // An overflowing deadline means the entry never expires.
        let hard = now.after(self.ttl);
        match self.idle {
            None => hard,
            Some(idle) => hard.min(now.after(idle)),
        }
    }

    #[inline]
    fn extends_on_read(&self) -> bool {
        self.idle.is_some()
    }

    #[inline]
    fn stored_at(&self, meta: &TtlMeta) -> Option<Moment> {
        // Every time-to-live deadline is `stored + ttl` (`NEVER`: the sum
        // overflowed).
        self.hard(meta).before(self.ttl)
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        self.stored(entries, handle);
        self.lru.push_back(entries, handle);
        if !self.wheel.started() {
            if let Some(now) = Policy::<K, V>::now(self) {
                self.wheel.start(now);
            }
        }
        self.wheel.schedule(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        // An expired entry stays where it is: the LRU list must stay in the
        // order of idle deadlines.
        if self.read(entries, handle) {
            self.lru.move_to_back(entries, handle);
        }
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, TtlMeta>,
        handle: Handle,
        old_weight: usize,
    ) {
        self.stored(entries, handle);
        self.lru.move_to_back(entries, handle);
        self.wheel.reschedule(entries, handle, old_weight);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, TtlMeta>, handle: Handle) {
        self.lru.unlink(entries, handle);
        let weight = entries[handle].weight;
        self.wheel.cancel(entries, handle, weight);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, TtlMeta>) -> Option<Handle> {
        self.lru.front()
    }

    #[inline]
    fn advance(&mut self, entries: &mut Entries<K, V, TtlMeta>, now: Moment) {
        self.wheel.advance(entries, now);
    }

    #[inline]
    fn next_expired(&self, entries: &Entries<K, V, TtlMeta>, now: Moment) -> Option<Handle> {
        self.wheel.next_expired(entries, now)
    }

    #[inline]
    fn expired_totals(&self, entries: &Entries<K, V, TtlMeta>, now: Moment) -> (usize, usize) {
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

/// An LRU cache whose entries expire a fixed time after they were stored
/// (cachetools' `TTLCache`).
///
/// - An entry is live while `now < stored_at + ttl`; a `get` does not
///   extend it, re-inserting the key does. With a time to idle
///   ([`with_idle`](TtlCache::with_idle),
///   [`time_to_idle`](crate::Builder::time_to_idle)) it is live while also
///   `now < last_read + idle`: every read (`get`, a hit of
///   `get_or_insert_with`; not `peek`) extends it, up to its TTL. Inside a
///   [`ConcurrentCache`](crate::ConcurrentCache) such a cache is read under
///   its shard's lock, since every read writes a deadline.
/// - Expired entries are invisible at once to `get`, `peek`,
///   `contains_key`, iteration, `len` and `currsize`; they are removed by
///   the next insertion (which expires first, so a cache full of stale
///   entries never evicts a live one), by [`expire`](PolicyCache::expire),
///   or by `remove`.
/// - Among live entries eviction is LRU.
/// - `ttl = 0` stores nothing: each entry is dead on arrival.
///
/// Expiry is lazy plus `expire()`, on a timer wheel: amortized O(1) per
/// expired entry, and `len`/`currsize` cost the same however many entries
/// have expired unread (they sum the wheel's bucket totals; see
/// [`PolicyCache::len`]). Time comes from
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

    /// The time to idle of every entry, if any.
    pub fn idle(&self) -> Option<Duration> {
        self.policy().idle()
    }
}

impl<K, V> TtlCache<K, V> {
    /// A TTL cache whose entries also expire `idle` after their last read
    /// (time to idle: a read extends the entry, never past `ttl` after it
    /// was stored), on the [`CoarseClock`]. For a time to idle alone, give
    /// `ttl = Duration::MAX`.
    ///
    /// ```
    /// # extern crate cachekit_core as cachekit;
    /// use std::time::Duration;
    /// use cachekit::{ManualClock, TtlCache};
    ///
    /// let clock = ManualClock::new();
    /// let mut sessions = TtlCache::builder_with_clock(100, Duration::from_secs(3600), clock.clone())
    ///     .time_to_idle(Duration::from_secs(600))
    ///     .build();
    /// sessions.insert("alice", 1);
    /// clock.advance(Duration::from_secs(500));
    /// assert_eq!(sessions.get(&"alice"), Some(&1)); // read: idle again from now
    /// clock.advance(Duration::from_secs(500));
    /// assert_eq!(sessions.get(&"alice"), Some(&1)); // 1,000 s old, 500 s idle
    /// clock.advance(Duration::from_secs(601));
    /// assert_eq!(sessions.get(&"alice"), None); // idle for more than 600 s
    /// ```
    pub fn with_idle(maxsize: usize, ttl: Duration, idle: Duration) -> Self {
        Self::with_policy(maxsize, Ttl::new(ttl, CoarseClock).with_idle(idle))
    }
}

impl<K, V, C: Clock, S, W> crate::Builder<K, V, Ttl<C>, S, W> {
    /// Also expires an entry `idle` after its last read or store (see
    /// [`TtlCache::with_idle`]).
    pub fn time_to_idle(mut self, idle: Duration) -> Self {
        self.policy = self.policy.with_idle(idle);
        self
    }
}

impl<K, V> TtlCache<K, V> {
    /// A builder for a TTL cache on the [`CoarseClock`], for adding a
    /// weigher, hasher or listener.
    pub fn builder(maxsize: usize, ttl: Duration) -> crate::Builder<K, V, Ttl> {
        crate::Builder::new(maxsize, Ttl::new(ttl, CoarseClock))
    }
}
