//! A hierarchical timer wheel over arena entries: per-entry deadlines with
//! O(1) schedule and cancel, expiry amortized O(1) per entry, and counts of
//! the expired entries without visiting them.
//!
//! Time is kept in nanoseconds since the wheel's origin (the first instant
//! it saw). Level `k` has 64 buckets of `2^(16 + 6k)` ns: 65.5 µs at level
//! 0, 4.2 ms, 268 ms, 17.2 s, 18.3 min, 19.5 h and 52 days at level 6, so
//! seven levels reach 9.1 years; later deadlines wait in an overflow
//! bucket. An entry due at `d` sits at the level of the highest bit group
//! where `d` and the wheel's time `t` differ, in the bucket of `d`'s digit
//! at that level (level 0 also holds the bucket `t` is in). So an entry's
//! bucket is a function of `(d, t)`: entries with one deadline always share
//! a bucket, in the order they were scheduled, and stay in that order as
//! they move down. When `t` moves into a bucket, the bucket's entries move
//! to lower levels (each entry moves at most once per level); when `t`
//! passes them, they join the *due* list, which is sorted by deadline (each
//! batch that joins it is sorted; ties keep their order).
//!
//! Every bucket and the due list keep their number of entries and total
//! weight, so "how many have expired by `now`" sums whole buckets (at most
//! 7 × 64, found through one occupancy bitmap per level) and
//! looks at entries only in the one bucket per level that `now` falls in
//! (nothing at all when the wheel was advanced at `now`'s level-0 bucket).
//! Deadlines are compared exactly (as moments) wherever a bucket is
//! split by `now`; the wheel only decides which entries need looking at.

use super::moment::Moment;

use crate::arena::{Handle, Linked, List, Secondary};
use crate::policy::{Entries, EntryMeta, Node};

/// Low bits of a tick below level 0's bucket width (2^16 ns = 65.5 µs).
const SHIFT0: u32 = 16;
/// Bits of a tick per level: 64 buckets each.
const BITS: u32 = 6;
const BUCKETS: usize = 1 << BITS;
const LEVELS: usize = 7;
/// Ticks at or above this bit differ from the wheel's time only in the
/// overflow bucket.
const TOP: u32 = SHIFT0 + BITS * LEVELS as u32;
const OVERFLOW: usize = LEVELS * BUCKETS;
const DUE: usize = OVERFLOW + 1;
const SLOTS: usize = DUE + 1;
/// The tick of every instant 584 years or more after the origin, where
/// ticks saturate: such deadlines wait in the overflow bucket and are
/// compared exactly.
const FAR: u64 = u64::MAX;

/// Entry state the wheel needs beside its deadline: its links and which
/// bucket it is in.
pub(crate) trait Scheduled: EntryMeta + Linked<Secondary> {
    /// The entry's bucket plus one; 0 while it is on no bucket.
    fn slot(&self) -> u16;
    /// Records the entry's bucket plus one (0: none).
    fn set_slot(&mut self, slot: u16);
}

/// Number and total weight of a set of entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Totals {
    count: usize,
    weight: usize,
}

impl Totals {
    #[inline]
    fn add(&mut self, weight: usize) {
        self.count += 1;
        self.weight = self.weight.saturating_add(weight);
    }

    #[inline]
    fn sub(&mut self, weight: usize) {
        self.count -= 1;
        self.weight = self.weight.saturating_sub(weight);
    }

    #[inline]
    fn merge(&mut self, other: Totals) {
        self.count += other.count;
        self.weight = self.weight.saturating_add(other.weight);
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    list: List<Secondary>,
    totals: Totals,
}

/// The timer wheel; see the module docs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wheel {
    /// Moment of tick 0; `None` until the wheel first sees the time.
    origin: Option<Moment>,
    /// The latest moment the wheel was advanced to: every entry on the
    /// due list is due at or before it, every entry in a bucket after it.
    time: Option<Moment>,
    /// The wheel's time: ticks since `origin`. Every entry in a bucket is
    /// due after it, every entry on the due list at or before it.
    now: u64,
    /// Before this moment no entry comes due and no bucket needs moving,
    /// so advancing is one comparison; `None`: look every time.
    next_check: Option<Moment>,
    /// Not above the earliest deadline (in ticks) in the bucket `now` is
    /// in at level 0; `u64::MAX` when that bucket holds nothing.
    current_min: u64,
    /// Level buckets, then the overflow bucket, then the due list; empty
    /// until the first entry is scheduled.
    slots: Vec<Bucket>,
    /// One bit per non-empty bucket of each level.
    occupied: [u64; LEVELS],
    /// Entries coming due in one advance, before they are sorted:
    /// `(deadline, order found, handle)`.
    batch: Vec<(Moment, u32, Handle)>,
    /// The last deadline scheduled and its tick: entries stored within one
    /// tick of a coarse clock, with one time to live, share a deadline,
    /// and a comparison is cheaper than a conversion.
    last: Option<(Moment, u64)>,
}

/// The slots of `level`'s buckets whose bits are set in `bits` (an
/// occupancy mask), in digit order.
#[inline]
fn slots_of(mut bits: u64, level: usize) -> impl Iterator<Item = usize> {
    core::iter::from_fn(move || {
        let digit = bits.trailing_zeros() as usize;
        (bits != 0).then(|| {
            bits &= bits - 1;
            level * BUCKETS + digit
        })
    })
}

/// The digits below `digit`, as a mask.
#[inline]
fn below(digit: usize) -> u64 {
    (1u64 << digit) - 1
}

#[inline]
fn digit(tick: u64, level: usize) -> usize {
    ((tick >> (SHIFT0 + BITS * level as u32)) as usize) & (BUCKETS - 1)
}

/// Whether `a` and `b` lie in one block of the levels above `level`.
#[inline]
fn same_block(a: u64, b: u64, level: usize) -> bool {
    let up = SHIFT0 + BITS * (level as u32 + 1);
    (a >> up) == (b >> up)
}

impl Wheel {
    /// An empty wheel (allocates nothing).
    pub(crate) const fn new() -> Self {
        Wheel {
            origin: None,
            time: None,
            now: 0,
            next_check: None,
            current_min: u64::MAX,
            slots: Vec::new(),
            occupied: [0; LEVELS],
            batch: Vec::new(),
            last: None,
        }
    }

    /// Whether the wheel has seen the time yet (an entry can be scheduled
    /// only after it has).
    #[inline]
    pub(crate) fn started(&self) -> bool {
        self.origin.is_some()
    }

    /// Starts the wheel's time at `now` unless it has started already.
    #[inline]
    pub(crate) fn start(&mut self, now: Moment) {
        if self.origin.is_none() {
            self.origin = Some(now);
            self.time = Some(now);
            self.next_check = Some(Self::at(now, 1 << SHIFT0));
        }
    }

    /// Ticks from the origin to `at` (0 before it, saturating far after).
    #[inline]
    fn tick(origin: Moment, at: Moment) -> u64 {
        at.nanos_since(origin)
    }

    /// The moment of `tick`.
    #[inline]
    fn at(origin: Moment, tick: u64) -> Moment {
        origin.add_nanos(tick)
    }

    /// The bucket an entry due at `tick` belongs in now (`None`: due).
    #[inline]
    fn bucket_of(&self, tick: u64) -> Option<usize> {
        if tick == FAR {
            return Some(OVERFLOW);
        }
        if tick <= self.now {
            return None;
        }
        let highest = 63 - (tick ^ self.now).leading_zeros();
        let level = (highest.saturating_sub(SHIFT0) / BITS) as usize;
        Some(if level >= LEVELS {
            OVERFLOW
        } else {
            level * BUCKETS + digit(tick, level)
        })
    }

    #[inline]
    fn link<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        handle: Handle,
        slot: usize,
    ) {
        let weight = entries[handle].weight;
        let bucket = &mut self.slots[slot];
        bucket.list.push_back(entries, handle);
        bucket.totals.add(weight);
        if slot < OVERFLOW {
            let level = slot / BUCKETS;
            self.occupied[level] |= 1 << (slot % BUCKETS);
        }
        // Slots stay below `SLOTS`, far below `u16::MAX`.
        entries[handle].meta.set_slot(slot as u16 + 1);
    }

    /// Collects an entry taken off its bucket for the due list.
    #[inline]
    fn collect<K, V, M: Scheduled>(&mut self, entries: &mut Entries<K, V, M>, handle: Handle) {
        let meta = &mut entries[handle].meta;
        meta.set_slot(0);
        let deadline = meta.deadline();
        let order = self.batch.len() as u32;
        self.batch.push((deadline, order, handle));
    }

    /// Links an entry into the due list right after `anchor` (at the
    /// front for `None`).
    #[inline]
    fn link_due<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        anchor: Option<Handle>,
        handle: Handle,
    ) {
        let weight = entries[handle].weight;
        let due = &mut self.slots[DUE];
        due.list.insert_after(entries, anchor, handle);
        due.totals.add(weight);
        entries[handle].meta.set_slot(DUE as u16 + 1);
    }

    /// Links an entry due at `tick` into bucket `slot`, keeping
    /// `current_min` a lower bound of the wheel's current bucket.
    #[inline]
    fn file<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        handle: Handle,
        origin: Moment,
        tick: u64,
        slot: usize,
    ) {
        if slot == digit(self.now, 0) && tick < self.current_min {
            self.lower_current_min(origin, tick);
        }
        self.link(entries, handle, slot);
    }

    /// Empties bucket `slot` and puts each of its entries where its
    /// deadline now calls for (a lower level, the overflow bucket again,
    /// or the due batch).
    fn refile<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        origin: Moment,
        slot: usize,
    ) {
        let mut next = self.take(slot);
        while let Some(handle) = next {
            next = List::<Secondary>::next(entries, handle);
            let deadline = entries[handle].meta.deadline();
            match self.bucket_of(Self::tick(origin, deadline)) {
                None => self.collect(entries, handle),
                Some(to) => self.file(entries, handle, origin, Self::tick(origin, deadline), to),
            }
        }
    }

    /// Empties bucket `slot`, returning its first entry (the rest follow
    /// through their links, which stay intact until each is relinked).
    fn take(&mut self, slot: usize) -> Option<Handle> {
        let bucket = std::mem::take(&mut self.slots[slot]);
        if slot < OVERFLOW {
            let level = slot / BUCKETS;
            self.occupied[level] &= !(1 << (slot % BUCKETS));
        }
        bucket.list.front()
    }

    /// An entry due at `tick` joined the level-0 bucket the wheel's time
    /// is in, before any other entry there.
    #[cold]
    fn lower_current_min(&mut self, origin: Moment, tick: u64) {
        self.current_min = tick;
        self.next_check = self
            .next_check
            .map(|check| check.min(Self::at(origin, tick)));
    }

    /// Schedules an entry that is on no bucket, by its deadline (none:
    /// never expires, not scheduled). The wheel must have started.
    pub(crate) fn schedule<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        handle: Handle,
    ) {
        let deadline = entries[handle].meta.deadline();
        let Some(origin) = self.origin.filter(|_| deadline != Moment::NEVER) else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![Bucket::default(); SLOTS];
        }
        let tick = match self.last {
            Some((at, tick)) if at == deadline => tick,
            _ => {
                let tick = Self::tick(origin, deadline);
                self.last = Some((deadline, tick));
                tick
            }
        };
        let later = self.time.is_some_and(|time| deadline > time);
        if let (true, Some(slot)) = (later, self.bucket_of(tick)) {
            self.file(entries, handle, origin, tick, slot);
        } else {
            // Due already (the clock went back, or the wheel ran ahead):
            // into the due list at its place by deadline.
            let mut anchor = self.slots[DUE].list.back();
            while let Some(at) = anchor {
                if entries[at].meta.deadline() <= deadline {
                    break;
                }
                anchor = List::<Secondary>::prev(entries, at);
            }
            self.link_due(entries, anchor, handle);
        }
    }

    /// Takes an entry off its bucket; it weighed `weight` when scheduled.
    #[inline]
    pub(crate) fn cancel<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        handle: Handle,
        weight: usize,
    ) {
        let slot = entries[handle].meta.slot();
        if slot == 0 {
            return;
        }
        let slot = usize::from(slot - 1);
        entries[handle].meta.set_slot(0);
        let bucket = &mut self.slots[slot];
        bucket.list.unlink(entries, handle);
        bucket.totals.sub(weight);
        if slot < OVERFLOW {
            let level = slot / BUCKETS;
            if self.slots[slot].totals.count == 0 {
                self.occupied[level] &= !(1 << (slot % BUCKETS));
            }
        }
    }

    /// The entry's deadline or weight changed (it weighed `old_weight`).
    #[inline]
    pub(crate) fn reschedule<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        handle: Handle,
        old_weight: usize,
    ) {
        self.cancel(entries, handle, old_weight);
        self.schedule(entries, handle);
    }

    /// Moves the wheel's time to `now`: entries due by then join the due
    /// list, in deadline order. Does nothing if the clock went back.
    #[inline]
    pub(crate) fn advance<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        now: Moment,
    ) {
        match self.next_check {
            Some(check) if now < check => {}
            _ => self.advance_slow(entries, now),
        }
    }

    #[cold]
    fn advance_slow<K, V, M: Scheduled>(&mut self, entries: &mut Entries<K, V, M>, now: Moment) {
        let Some(origin) = self.origin else {
            self.start(now);
            return;
        };
        let exact = Self::tick(origin, now);
        // The wheel's time stays below `FAR`, the tick of every deadline
        // too late to count in ticks.
        let to = exact.min(FAR - 1);
        if to > self.now && !self.slots.is_empty() {
            self.move_to(entries, origin, to);
        }
        self.now = self.now.max(to);
        self.time = self.time.max(Some(now));
        if exact == FAR && !self.slots.is_empty() {
            self.split_far(entries, now);
        }
        self.flush_batch(entries);
        let boundary = ((self.now >> SHIFT0) + 1) << SHIFT0;
        self.next_check = match exact {
            FAR => None,
            _ => Some(Self::at(origin, boundary.min(self.current_min))),
        };
    }

    /// Moves the wheel's time forward to tick `to` (below `FAR`),
    /// collecting what comes due by then.
    fn move_to<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        origin: Moment,
        to: u64,
    ) {
        let from = self.now;
        self.now = to;
        let current = digit(to, 0);
        for level in 0..LEVELS {
            let base = level * BUCKETS;
            if !same_block(from, to, level) {
                // Every entry here shares `from`'s block, which `to` left.
                for slot in slots_of(self.occupied[level], level) {
                    self.drain_due(entries, slot);
                }
                if level == 0 {
                    self.current_min = u64::MAX;
                }
                continue;
            }
            let (a, b) = (digit(from, level), digit(to, level));
            if a == b && level > 0 {
                continue;
            }
            // Buckets wholly before `to`'s: due.
            for slot in slots_of(self.occupied[level] & below(b), level) {
                self.drain_due(entries, slot);
            }
            if self.occupied[level] & (1 << b) == 0 {
                if level == 0 {
                    self.current_min = u64::MAX;
                }
                continue;
            }
            if level == 0 {
                if a == b && to < self.current_min {
                    continue;
                }
                // `to`'s own bucket: what is due leaves, the rest stays.
                self.split_current(entries, origin, base + b);
            } else {
                // `to` entered this bucket: its entries move down.
                self.refile(entries, origin, base + b);
            }
        }
        if (from >> TOP) != (to >> TOP) {
            self.refile(entries, origin, OVERFLOW);
        }
        if self.occupied[0] & (1 << current) == 0 {
            self.current_min = u64::MAX;
        }
    }

    /// With the time itself past `FAR`: collects the overflow bucket's
    /// entries expired at `now`, by their exact deadlines.
    #[cold]
    fn split_far<K, V, M: Scheduled>(&mut self, entries: &mut Entries<K, V, M>, now: Moment) {
        let mut next = self.take(OVERFLOW);
        while let Some(handle) = next {
            next = List::<Secondary>::next(entries, handle);
            if entries[handle].meta.is_live(Some(now)) {
                self.link(entries, handle, OVERFLOW);
            } else {
                self.collect(entries, handle);
            }
        }
    }

    /// Collects every entry of bucket `slot` for the due list.
    fn drain_due<K, V, M: Scheduled>(&mut self, entries: &mut Entries<K, V, M>, slot: usize) {
        let mut next = self.take(slot);
        while let Some(handle) = next {
            next = List::<Secondary>::next(entries, handle);
            self.collect(entries, handle);
        }
    }

    /// Splits the level-0 bucket the wheel's time is in: due entries
    /// leave, the others stay (in order), and `current_min` is recomputed.
    fn split_current<K, V, M: Scheduled>(
        &mut self,
        entries: &mut Entries<K, V, M>,
        origin: Moment,
        slot: usize,
    ) {
        self.current_min = u64::MAX;
        let mut next = self.take(slot);
        while let Some(handle) = next {
            next = List::<Secondary>::next(entries, handle);
            let deadline = entries[handle].meta.deadline();
            let tick = Self::tick(origin, deadline);
            if tick <= self.now {
                self.collect(entries, handle);
            } else {
                self.current_min = self.current_min.min(tick);
                self.link(entries, handle, slot);
            }
        }
    }

    /// Sorts the collected batch by deadline and appends it to the due
    /// list (every entry already there is due no later than these).
    fn flush_batch<K, V, M: Scheduled>(&mut self, entries: &mut Entries<K, V, M>) {
        if self.batch.is_empty() {
            return;
        }
        let mut batch = std::mem::take(&mut self.batch);
        batch.sort_unstable_by_key(|&(deadline, order, _)| (deadline, order));
        for &(_, _, handle) in &batch {
            let back = self.slots[DUE].list.back();
            self.link_due(entries, back, handle);
        }
        batch.clear();
        self.batch = batch;
    }

    /// The entry due first, if it has expired at `now` (after
    /// [`advance`](Self::advance) to `now`, every expired entry is due).
    #[inline]
    pub(crate) fn next_expired<K, V, M: Scheduled>(
        &self,
        entries: &Entries<K, V, M>,
        now: Moment,
    ) -> Option<Handle> {
        let first = self.slots.get(DUE)?.list.front()?;
        (!entries[first].meta.is_live(Some(now))).then_some(first)
    }

    /// Number and total weight of the entries expired at `now`: whole
    /// buckets by their totals, entries only where `now` splits a bucket.
    pub(crate) fn expired_totals<K, V, M: Scheduled>(
        &self,
        entries: &Entries<K, V, M>,
        now: Moment,
    ) -> (usize, usize) {
        let Some(origin) = self.origin else {
            return (0, 0);
        };
        if self.slots.is_empty() {
            return (0, 0);
        }
        let mut totals = Totals::default();
        // Counts the expired entries of a bucket; `sorted`: by deadline,
        // so the first live one ends the count.
        let scan = |totals: &mut Totals, slot: usize, sorted: bool| {
            for handle in self.slots[slot].list.iter(entries) {
                let node: &Node<K, V, M> = &entries[handle];
                if !node.meta.is_live(Some(now)) {
                    totals.add(node.weight);
                } else if sorted {
                    break;
                }
            }
        };
        let at = Self::tick(origin, now);
        if self.time.is_some_and(|time| now < time) {
            // The clock went back: only a prefix of the due list (sorted)
            // may have expired; everything in a bucket is later still.
            scan(&mut totals, DUE, true);
            return (totals.count, totals.weight);
        }
        totals.merge(self.slots[DUE].totals);
        for level in 0..LEVELS {
            if self.occupied[level] == 0 {
                continue;
            }
            // Buckets wholly expired: all of the level once `at` left the
            // wheel's block, else those before `at`'s digit.
            let b = digit(at, level);
            let whole = if same_block(self.now, at, level) {
                below(b)
            } else {
                !0
            };
            for slot in slots_of(self.occupied[level] & whole, level) {
                totals.merge(self.slots[slot].totals);
            }
            if whole == !0 {
                continue;
            }
            let base = level * BUCKETS;
            let split = self.occupied[level] & (1 << b) != 0
                && !(level == 0 && b == digit(self.now, 0) && at < self.current_min);
            if split {
                scan(&mut totals, base + b, false);
            }
        }
        if (self.now >> TOP) != (at >> TOP) || at == FAR {
            scan(&mut totals, OVERFLOW, false);
        }
        (totals.count, totals.weight)
    }

    /// Forgets every entry (the arena is cleared separately); keeps the
    /// buckets' memory.
    pub(crate) fn clear(&mut self) {
        for bucket in &mut self.slots {
            *bucket = Bucket::default();
        }
        self.occupied = [0; LEVELS];
        self.current_min = u64::MAX;
        self.batch.clear();
        if let Some(origin) = self.origin {
            self.next_check = Some(Self::at(origin, ((self.now >> SHIFT0) + 1) << SHIFT0));
        }
    }

    /// Heap bytes the wheel holds.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Bucket>()
            + self.batch.capacity() * std::mem::size_of::<(Moment, u32, Handle)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::{linked_by, Arena, Links};
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    #[derive(Clone, Copy, Debug, Default)]
    struct Meta {
        wheel: Links,
        deadline: Moment,
        slot: u16,
    }

    linked_by!(Meta, wheel, Secondary);

    impl EntryMeta for Meta {
        fn deadline(&self) -> Moment {
            self.deadline
        }
        fn set_deadline(&mut self, deadline: Moment) {
            self.deadline = deadline;
        }
    }

    impl Scheduled for Meta {
        fn slot(&self) -> u16 {
            self.slot
        }
        fn set_slot(&mut self, slot: u16) {
            self.slot = slot;
        }
    }

    /// Offsets in ns, spread over every level of the wheel and past it.
    fn offset() -> impl Strategy<Value = u64> {
        prop_oneof![
            4 => 0u64..1 << 17,
            4 => 0u64..1 << 24,
            3 => 0u64..1 << 34,
            2 => 0u64..1 << 46,
            1 => 0u64..1 << 60,
            1 => Just(u64::MAX / 2),
        ]
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Schedule a new entry due `offset` after the current time
        /// (`None`: never), of `weight`.
        Insert(Option<u64>, usize),
        /// Cancel the `n`-th live entry (modulo their number).
        Cancel(usize),
        /// Give the `n`-th entry a new deadline and weight.
        Reschedule(usize, Option<u64>, usize),
        /// Move time forward by `offset` and advance the wheel.
        Advance(u64),
        /// Move time back by `offset` (a clock that is not monotonic).
        Back(u64),
        /// Count the expired at `offset` after the current time without
        /// advancing.
        Count(u64),
        /// Advance and take every expired entry.
        Expire,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (prop::option::weighted(0.9, offset()), 0usize..4).prop_map(|(o, w)| Op::Insert(o, w)),
            2 => any::<usize>().prop_map(Op::Cancel),
            2 => (any::<usize>(), prop::option::weighted(0.9, offset()), 0usize..4)
                .prop_map(|(n, o, w)| Op::Reschedule(n, o, w)),
            4 => offset().prop_map(Op::Advance),
            1 => (0u64..1 << 20).prop_map(Op::Back),
            4 => offset().prop_map(Op::Count),
            2 => Just(Op::Expire),
        ]
    }

    /// The reference: every scheduled entry with its deadline, weight and
    /// the order it was last scheduled in.
    struct Model {
        live: Vec<(Handle, Option<Moment>, usize, u64)>,
        seq: u64,
    }

    impl Model {
        fn expired(&self, now: Moment) -> (usize, usize) {
            self.live
                .iter()
                .filter(|e| e.1.is_some_and(|d| d <= now))
                .fold((0, 0), |(c, w), e| (c + 1, w + e.2))
        }

        /// The expired entries in deadline order, ties in schedule order.
        fn take_expired(&mut self, now: Moment) -> Vec<Handle> {
            let mut due: Vec<_> = self
                .live
                .iter()
                .filter(|e| e.1.is_some_and(|d| d <= now))
                .map(|e| (e.1, e.3, e.0))
                .collect();
            due.sort_by_key(|e| (e.0, e.1));
            self.live.retain(|e| e.1.is_none_or(|d| d > now));
            due.into_iter().map(|e| e.2).collect()
        }
    }

    fn run(ops: &[Op]) -> Result<(), TestCaseError> {
        let base = Moment::of(Instant::now());
        let later = |at: Moment, by: u64| Some(at.add_nanos(by));
        let mut now = base;
        let mut entries: Arena<Node<u32, (), Meta>> = Arena::new();
        let mut wheel = Wheel::new();
        wheel.start(now);
        let mut model = Model {
            live: Vec::new(),
            seq: 0,
        };
        for (step, op) in ops.iter().enumerate() {
            match *op {
                Op::Insert(offset, weight) => {
                    let deadline = offset.and_then(|o| later(now, o));
                    let node = Node {
                        key: step as u32,
                        value: (),
                        hash: 0,
                        weight,
                        meta: Meta {
                            deadline: deadline.unwrap_or(Moment::NEVER),
                            ..Meta::default()
                        },
                    };
                    let handle = entries.insert(node).ok().unwrap();
                    wheel.schedule(&mut entries, handle);
                    model.seq += 1;
                    model.live.push((handle, deadline, weight, model.seq));
                }
                Op::Cancel(n) if !model.live.is_empty() => {
                    let (handle, _, weight, _) = model.live.swap_remove(n % model.live.len());
                    wheel.cancel(&mut entries, handle, weight);
                    entries.remove(handle);
                }
                Op::Reschedule(n, offset, weight) if !model.live.is_empty() => {
                    let n = n % model.live.len();
                    let (handle, _, old_weight, _) = model.live[n];
                    let deadline = offset.and_then(|o| later(now, o));
                    entries[handle].meta.deadline = deadline.unwrap_or(Moment::NEVER);
                    entries[handle].weight = weight;
                    wheel.reschedule(&mut entries, handle, old_weight);
                    model.seq += 1;
                    model.live[n] = (handle, deadline, weight, model.seq);
                }
                Op::Cancel(_) | Op::Reschedule(..) => {}
                Op::Advance(by) => {
                    now = later(now, by).unwrap_or(now);
                    wheel.advance(&mut entries, now);
                }
                Op::Back(by) => {
                    now = now.before(Duration::from_nanos(by)).unwrap_or(now);
                    wheel.advance(&mut entries, now);
                }
                Op::Count(by) => {
                    let at = later(now, by).unwrap_or(now);
                    prop_assert_eq!(
                        wheel.expired_totals(&entries, at),
                        model.expired(at),
                        "step {}: {:?}",
                        step,
                        op
                    );
                }
                Op::Expire => {
                    wheel.advance(&mut entries, now);
                    let mut taken = Vec::new();
                    while let Some(handle) = wheel.next_expired(&entries, now) {
                        let weight = entries[handle].weight;
                        wheel.cancel(&mut entries, handle, weight);
                        entries.remove(handle);
                        taken.push(handle);
                    }
                    prop_assert_eq!(taken, model.take_expired(now), "step {}", step);
                }
            }
            prop_assert_eq!(
                wheel.expired_totals(&entries, now),
                model.expired(now),
                "step {}: {:?}",
                step,
                op
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1024))]

        #[test]
        fn the_wheel_matches_a_sorted_reference(ops in prop::collection::vec(op(), 0..=96)) {
            run(&ops)?;
        }
    }

    #[test]
    fn entries_with_one_deadline_expire_in_the_order_they_were_scheduled() {
        let base = Moment::of(Instant::now());
        let mut entries: Arena<Node<u32, (), Meta>> = Arena::new();
        let mut wheel = Wheel::new();
        wheel.start(base);
        let deadline = base.after(Duration::from_secs(90));
        let mut handles = Vec::new();
        for key in 0..5 {
            let meta = Meta {
                deadline,
                ..Meta::default()
            };
            let node = Node {
                key,
                value: (),
                hash: 0,
                weight: 1,
                meta,
            };
            let handle = entries.insert(node).ok().unwrap();
            wheel.schedule(&mut entries, handle);
            handles.push(handle);
            // Time moves between the stores, down through the levels.
            wheel.advance(
                &mut entries,
                base.after(Duration::from_secs(17 * (key as u64 + 1))),
            );
        }
        assert_eq!(wheel.expired_totals(&entries, deadline), (5, 5));
        let before = deadline.before(Duration::from_nanos(1)).unwrap();
        assert_eq!(wheel.expired_totals(&entries, before), (0, 0));
        wheel.advance(&mut entries, deadline);
        let mut taken = Vec::new();
        while let Some(handle) = wheel.next_expired(&entries, deadline) {
            wheel.cancel(&mut entries, handle, 1);
            taken.push(handle);
        }
        assert_eq!(taken, handles);
    }

    #[test]
    fn counting_the_expired_visits_no_wholly_expired_bucket() {
        // Entries one millisecond apart, all expired: the count comes
        // from bucket totals; the model test checks it is right, this one
        // that it needs no walk (a walk would see the poisoned weights).
        let base = Moment::of(Instant::now());
        let mut entries: Arena<Node<u32, (), Meta>> = Arena::new();
        let mut wheel = Wheel::new();
        wheel.start(base);
        let stored: u32 = if cfg!(miri) { 300 } else { 10_000 };
        for key in 0..stored {
            let meta = Meta {
                deadline: base.after(Duration::from_millis(u64::from(key) + 1)),
                ..Meta::default()
            };
            let node = Node {
                key,
                value: (),
                hash: 0,
                weight: 2,
                meta,
            };
            let handle = entries.insert(node).ok().unwrap();
            wheel.schedule(&mut entries, handle);
        }
        let at = base.after(Duration::from_secs(3600));
        // Erase the deadlines: a count that looked at entries would now
        // find none expired.
        for (_, node) in entries.iter_mut() {
            node.meta.deadline = Moment::NEVER;
        }
        let stored = stored as usize;
        assert_eq!(wheel.expired_totals(&entries, at), (stored, 2 * stored));
    }
}
