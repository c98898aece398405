//! A lossy, constant-time memory of recently evicted keys for
//! [`TinyLfu`](crate::TinyLfu)'s window adaptation.
//!
//! [`ExactGhosts`](crate::policies::history::exact_ghosts::ExactGhosts) keeps exact FIFO ghost lists, as ARC
//! needs; each eviction then costs a hash-table insert and a removal of
//! the oldest ghost. TinyLFU only asks "was this key evicted recently, from
//! where, and how long ago?", so a table of 8-slot buckets (one 64-byte
//! cache line each) answers: a slot holds 32 bits of the key's hash, its
//! side and a stamp, the running total of weight remembered on that side
//! (the stamp's distance from the side's total is the ghost's age). A ghost lives
//! while it and the ghosts remembered after it on its side weigh at most
//! the side's limit, which is the FIFO bound without a queue. A new ghost
//! takes a slot of its bucket whose ghost is gone, else that of a first-side
//! ghost older than what the adaptation weighs, else the one closest to going,
//! so a few old ghosts are lost early. Each operation touches one bucket.
//!
//! Only one key in [`SAMPLING`] (picked by hash bits no other structure
//! uses) is remembered: the others cost an eviction one addition to their
//! side's clock and a miss one bit test, so three misses in four touch no
//! ghost memory. Every eviction still counts towards a ghost's age, and the
//! policy weighs each ghost found as [`SAMPLING`] keys. (Remembering every
//! key gains 0.1-0.3 points on OLTP and 0.3 on the worst seed of P3 at
//! 65,536 entries, but adds two cache-line visits to every miss: the Zipf
//! mix took 1.33-1.57x `LruCache`'s time instead of 1.31-1.37x, measured
//! with `benches/examples/hit_ratio --seeds 8` and `benches/policies`.)

use super::{adaptation_step, Side};

/// One remembered key: the high 32 bits of its hash with the side in
/// place of the lowest (two sampled keys whose hashes agree there share
/// a ghost: the top two bits are zero in the sample, so a 2^-29 chance
/// per lookup and slot), and one more than its side's
/// clock, in [`LossyGhosts::shift`] units, before it was remembered
/// (0: an empty slot).
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    key: u32,
    stamp: u32,
}

/// One key in `SAMPLING` (by hash) is remembered; each ghost found
/// stands for that many.
pub(crate) const SAMPLING: u64 = 4;

/// Whether the key of `hash` is one of the remembered sample (the top
/// two bits: the bucket uses low bits, and the sketch and the miniatures'
/// sample use other bits or mix them).
#[inline]
pub(crate) fn sampled(hash: u64) -> bool {
    hash >> 62 == 0
}

/// Slots per bucket: a key's ghost may be in any of them.
const WAYS: usize = 8;

/// A key's possible slots, aligned to one 64-byte cache line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Bucket([Slot; WAYS]);

#[inline]
fn key(hash: u64, side: Side) -> u32 {
    ((hash >> 32) as u32 & !1) | side as u32
}

#[inline]
fn same_key(slot: Slot, hash: u64) -> bool {
    slot.stamp != 0 && (slot.key ^ (hash >> 32) as u32) & !1 == 0
}

#[inline]
fn side_of(slot: Slot) -> Side {
    if slot.key & 1 == 0 {
        Side::First
    } else {
        Side::Second
    }
}

/// A table of recently evicted keys' hashes in buckets of [`WAYS`] slots,
/// two sides with a weight limit each.
#[derive(Clone, Debug, Default)]
pub(crate) struct LossyGhosts {
    buckets: Vec<Bucket>,
    /// Weight remembered so far, per side.
    clock: [u64; 2],
    /// How much weight a side remembers: a ghost older than this is gone.
    limit: [u64; 2],
    /// How much of it weighs in the adaptation step ([`balance`](Self::balance)):
    /// the limit, unless [`set_first_weighed`](Self::set_first_weighed)
    /// keeps the first side's older ghosts out of it.
    weighed: [u64; 2],
    /// Stamps count weight in units of `2^shift`, so that a limit fits in
    /// 31 bits (0 unless a cache holds 2^31 units of weight or more).
    shift: u32,
}

impl LossyGhosts {
    /// At least `slots` slots (a power of two, 16 to 2^27). Never shrinks.
    /// A larger table starts empty: a slot keeps too few of its hash's
    /// bits to find its bucket in the new one, and the table grows only
    /// while the cache fills, when there are few ghosts to lose.
    pub(crate) fn ensure_capacity(&mut self, slots: usize) {
        let len = slots.clamp(16, 1 << 27).next_power_of_two() / WAYS;
        if len > self.buckets.len() {
            self.buckets = vec![Bucket::default(); len];
        }
    }

    /// Scales the stamps for limits up to `max_limit` (a cache's
    /// `maxsize`); a new scale forgets every ghost.
    pub(crate) fn set_scale(&mut self, max_limit: u64) {
        let shift = (u64::BITS - max_limit.leading_zeros()).saturating_sub(31);
        if shift != self.shift {
            self.shift = shift;
            self.clear();
        }
    }

    /// The index of the key of `hash`'s bucket (bits 2 and up; the slot
    /// keeps bits 32 and up).
    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        (hash >> 2) as usize & self.buckets.len().wrapping_sub(1)
    }

    /// The clock of `side` in stamp units.
    #[inline]
    fn now(&self, side: usize) -> u32 {
        (self.clock[side] >> self.shift) as u32
    }

    /// How much more weight (in stamp units) the side of `slot` can
    /// remember before the slot's ghost is gone, plus one: at most 0 once
    /// it is gone, and the least value for an empty slot. The ghost's own
    /// weight counts: it stays while it and the ghosts after it weigh at
    /// most the limit, as in a FIFO list. Ages wrap at 2^32 units; a slot
    /// left alone that long (no other ghost filed in its bucket) may seem
    /// young again, which costs at most one wrong adaptation step.
    #[inline]
    fn life(&self, slot: Slot) -> i64 {
        if slot.stamp == 0 {
            return i64::MIN;
        }
        let side = (slot.key & 1) as usize;
        let limit = (self.limit[side] >> self.shift).min(u64::from(u32::MAX >> 1));
        limit as i64 + 1 - i64::from(self.units_since(slot))
    }

    /// Stamp units remembered on the side of the ghost in `slot` since it
    /// was remembered, its own included.
    #[inline]
    fn units_since(&self, slot: Slot) -> u32 {
        let side = (slot.key & 1) as usize;
        self.now(side).wrapping_sub(slot.stamp.wrapping_sub(1))
    }

    /// Sets each side's weight limit (older ghosts are forgotten); the
    /// whole of each weighs in the adaptation step.
    #[inline]
    pub(crate) fn set_limits(&mut self, first: usize, second: usize) {
        self.limit = [first as u64, second as u64];
        self.weighed = self.limit;
    }

    /// Weighs at most `first` of the first side's ghosts in the
    /// adaptation step (after [`set_limits`](Self::set_limits)): a policy
    /// that remembers those ghosts longer than it adapts on them keeps the
    /// step it would take with the shorter memory.
    #[inline]
    pub(crate) fn set_first_weighed(&mut self, first: usize) {
        self.weighed[0] = (first as u64).min(self.limit[0]);
    }

    /// The side the key of `hash` was evicted from, if it is remembered.
    #[cfg(test)]
    pub(crate) fn find(&self, hash: u64) -> Option<Side> {
        let bucket = self.buckets.get(self.bucket(hash))?;
        let slot = *bucket.0.iter().find(|&&slot| same_key(slot, hash))?;
        (self.life(slot) > 0).then(|| side_of(slot))
    }

    /// The side the key of `hash` was evicted from and its age (the
    /// weight remembered on that side since, its own included), if it is
    /// remembered; forgets it (the key is back in the cache). One pass
    /// over the bucket.
    #[inline(always)]
    pub(crate) fn take(&mut self, hash: u64) -> Option<(Side, u64)> {
        // Three keys in four are not remembered: no bucket touched, and
        // no call (the search below is too large to inline).
        if !sampled(hash) {
            return None;
        }
        self.take_sampled(hash)
    }

    /// [`take`](Self::take) for a key in the sample.
    #[inline(never)]
    fn take_sampled(&mut self, hash: u64) -> Option<(Side, u64)> {
        let index = self.bucket(hash);
        let way = self
            .buckets
            .get(index)?
            .0
            .iter()
            .position(|&slot| same_key(slot, hash))?;
        let slot = std::mem::take(&mut self.buckets[index].0[way]);
        (self.life(slot) > 0).then(|| (side_of(slot), self.age(slot)))
    }

    /// [`units_since`](Self::units_since) in weight.
    #[inline]
    fn age(&self, slot: Slot) -> u64 {
        u64::from(self.units_since(slot)) << self.shift
    }

    /// Remembers the key of `hash`, of `weight`, as evicted from `side`.
    #[inline]
    pub(crate) fn remember(&mut self, hash: u64, weight: usize, side: Side) {
        let stamp = self.now(side as usize).wrapping_add(1);
        let clock = &mut self.clock[side as usize];
        *clock = clock.wrapping_add(weight as u64);
        // A stamp that wrapped to 0 would read as an empty slot: that
        // one ghost (in 2^32 units of weight) is not remembered.
        if stamp != 0 && sampled(hash) {
            let slot = Slot {
                key: key(hash, side),
                stamp,
            };
            self.place(self.bucket(hash), slot);
        }
    }

    /// Stores `slot` in bucket `index` over a ghost that is gone, else over
    /// a first-side ghost older than what weighs in the adaptation, else
    /// over the one closest to going. A key has one ghost at most:
    /// the policy takes a key's ghost when the key comes back, before it
    /// can be evicted again.
    ///
    /// The first side remembers its ghosts longer than it adapts on them
    /// (see [`set_first_weighed`](Self::set_first_weighed)), and those
    /// older ghosts outnumber the rest; going by life alone, they would
    /// crowd out the second side's, whose limit is shorter. (Measured
    /// with `benches/examples/trace_profile` on P3 at 16,384 entries, 4
    /// hash seeds, with the first side remembering twice the cache: the
    /// second side's ghosts found fell from 29,468 to 1,124 and the hit
    /// ratio from 10.28-10.54 to 9.93-10.50; with these ghosts going
    /// first, 29,468 again and the hit ratio unchanged.)
    fn place(&mut self, index: usize, slot: Slot) {
        let Some(bucket) = self.buckets.get(index) else {
            return;
        };
        // Per side, in stamp units: the clock, the limit and how much
        // weighs in the adaptation. A live ghost's rank (the lowest goes)
        // is the life it has left, plus 2^32 if it weighs.
        let units = |weight: u64| ((weight >> self.shift).min(u64::from(u32::MAX >> 1))) as u32;
        let now = [self.now(0), self.now(1)];
        let limit = self.limit.map(units);
        let weighed = [units(self.weighed[0]), u32::MAX];
        let mut way = 0;
        let mut least = u64::MAX;
        for (i, &other) in bucket.0.iter().enumerate() {
            let side = (other.key & 1) as usize;
            let since = now[side].wrapping_sub(other.stamp.wrapping_sub(1));
            if other.stamp == 0 || since > limit[side] {
                way = i;
                break;
            }
            let rank = u64::from(limit[side] - since) | u64::from(since <= weighed[side]) << 32;
            if rank < least {
                (way, least) = (i, rank);
            }
        }
        self.buckets[index].0[way] = slot;
    }

    /// The weight remembered on `side` so far: the clock a ghost's age
    /// is counted on.
    #[inline]
    pub(crate) fn clock(&self, side: Side) -> u64 {
        self.clock[side as usize]
    }

    /// About how much weight of `side`'s ghosts weighs in the adaptation
    /// step (what it remembered, up to its weighed limit).
    #[inline]
    pub(crate) fn weight(&self, side: Side) -> u64 {
        self.clock[side as usize].min(self.weighed[side as usize])
    }

    /// How much heavier the other side's ghosts are than `side`'s, at
    /// least 1 (ARC's adaptation step).
    #[inline]
    pub(crate) fn balance(&self, side: Side) -> f64 {
        let other = match side {
            Side::First => Side::Second,
            Side::Second => Side::First,
        };
        adaptation_step(self.weight(side), self.weight(other))
    }

    /// Forgets every ghost, keeping the table.
    pub(crate) fn clear(&mut self) {
        self.buckets.fill(Bucket::default());
        self.clock = [0; 2];
    }

    /// Heap bytes of the table.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// A hash whose slot key is `i` (with the side bit clear) and whose
    /// bucket is `bucket`.
    fn hash(i: u32, bucket: u64) -> u64 {
        (u64::from(i << 1) << 32) | (bucket << 2)
    }

    #[test]
    fn remembers_forgets_and_ages_out_by_weight_per_side() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        table.set_limits(10, 4);
        table.remember(hash(1, 0), 3, Side::First);
        table.remember(hash(2, 1), 1, Side::Second);
        assert_eq!(table.find(hash(1, 0)), Some(Side::First));
        assert_eq!(table.find(hash(2, 1)), Some(Side::Second));
        assert_eq!(table.find(hash(5, 0)), None);
        assert_eq!(table.find(hash(1, 2)), None, "another bucket");
        // Seven more units on the first side: 1 is still among the last 10.
        for i in 100..107 {
            table.remember(hash(i, u64::from(i)), 1, Side::First);
        }
        assert_eq!(table.find(hash(1, 0)), Some(Side::First));
        table.remember(hash(107, 3), 1, Side::First);
        assert_eq!(
            table.find(hash(1, 0)),
            None,
            "its 3 units and 8 after it pass 10"
        );
        assert_eq!(
            table.find(hash(2, 1)),
            Some(Side::Second),
            "the other side is apart"
        );
        // Taken with its age: its own unit, nothing after it on its side.
        assert_eq!(table.take(hash(2, 1)), Some((Side::Second, 1)));
        assert_eq!(table.find(hash(2, 1)), None, "taken: forgotten");
        assert_eq!(table.take(hash(2, 1)), None);
        assert_eq!(table.weight(Side::First), 10);
        assert_eq!(table.weight(Side::Second), 1);
        assert_eq!(table.balance(Side::Second), 10.0);
        assert_eq!(table.balance(Side::First), 1.0);
        // Remembering 10 units but weighing only the last 4 in the step.
        table.set_first_weighed(4);
        assert_eq!(table.weight(Side::First), 4);
        assert_eq!(table.balance(Side::Second), 4.0);
        assert_eq!(
            table.find(hash(107, 3)),
            Some(Side::First),
            "still remembered"
        );
    }

    #[test]
    fn only_sampled_keys_are_remembered_but_every_eviction_ages_the_ghosts() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        table.set_limits(3, 3);
        let unsampled = hash(9, 0) | (1 << 63);
        assert!(!sampled(unsampled) && sampled(hash(1, 0)));
        table.remember(hash(1, 0), 1, Side::First);
        table.remember(unsampled, 1, Side::First);
        assert_eq!(table.take(unsampled), None, "not in the sample");
        assert_eq!(table.weight(Side::First), 2, "but its weight counts");
        table.remember(unsampled ^ (4 << 32), 1, Side::First);
        assert_eq!(
            table.find(hash(1, 0)),
            Some(Side::First),
            "3 units: still in"
        );
        table.remember(unsampled ^ (8 << 32), 1, Side::First);
        assert_eq!(
            table.find(hash(1, 0)),
            None,
            "aged out by unsampled evictions"
        );
    }

    #[test]
    fn a_full_bucket_loses_the_ghost_closest_to_being_gone() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(16); // two buckets of eight
        table.set_limits(100, 100);
        for i in 0..8 {
            table.remember(hash(i, 0), 1, Side::First);
        }
        table.remember(hash(8, 0), 1, Side::First);
        assert_eq!(table.find(hash(0, 0)), None, "the oldest went");
        assert!((1..9).all(|i| table.find(hash(i, 0)).is_some()));
    }

    #[test]
    fn first_side_ghosts_past_the_weighed_limit_give_way_first() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(16); // two buckets of eight
        table.set_limits(100, 20);
        table.set_first_weighed(10);
        // Bucket 0: four first-side ghosts that will be past the weighed
        // 10 units, then three second-side ones with little life left.
        for i in 0..4 {
            table.remember(hash(i, 0), 1, Side::First);
        }
        for i in 4..7 {
            table.remember(hash(i, 0), 1, Side::Second);
        }
        for i in 10..26 {
            table.remember(hash(i, 1), 1, Side::Second);
        }
        for i in 30..41 {
            table.remember(hash(i, 1), 1, Side::First);
        }
        // Bucket 0 holds 7 ghosts; 3 more fill it and then displace.
        table.remember(hash(7, 0), 1, Side::First);
        for i in 8..12 {
            table.remember(hash(i, 0), 1, Side::First);
        }
        // The second side's three (2 to 4 units of life left) stayed; four
        // first-side ghosts went, the oldest, past the weighed limit.
        assert!((4..7).all(|i| table.find(hash(i, 0)) == Some(Side::Second)));
        assert!((0..4).all(|i| table.find(hash(i, 0)).is_none()));
        // Within the weighed limit, the one closest to going goes first,
        // whatever its side.
        table.set_first_weighed(100);
        table.remember(hash(12, 0), 1, Side::First);
        assert_eq!(table.find(hash(4, 0)), None, "the least life left");
        assert_eq!(table.find(hash(7, 0)), Some(Side::First));
    }

    #[test]
    fn a_ghost_s_age_is_the_weight_its_side_s_clock_counted_since() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        table.set_limits(100, 100);
        table.remember(hash(1, 0), 3, Side::First);
        let then = table.clock(Side::First);
        table.remember(hash(2, 1), 5, Side::Second);
        assert_eq!(table.clock(Side::First), then, "the sides apart");
        table.remember(hash(3, 2), 2, Side::First);
        table.remember(hash(4, 3), 4, Side::First);
        assert_eq!(table.clock(Side::First) - then, 6);
        // A ghost's age includes its own weight.
        assert_eq!(table.take(hash(3, 2)), Some((Side::First, 6)));
        assert_eq!(table.take(hash(1, 0)), Some((Side::First, 9)));
        assert_eq!(table.clock(Side::Second), 5);
    }

    #[test]
    fn growing_starts_an_empty_table_on_the_same_clocks() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(16);
        table.set_limits(8, 8);
        table.remember(hash(1, 0), 1, Side::First);
        table.ensure_capacity(16);
        assert_eq!(table.find(hash(1, 0)), Some(Side::First), "not grown");
        table.ensure_capacity(1024);
        assert_eq!(table.allocated_bytes(), 1024 * 8);
        assert_eq!(table.find(hash(1, 0)), None);
        assert_eq!(table.weight(Side::First), 1, "the clocks go on");
        table.remember(hash(1, 0), 1, Side::First);
        table.clear();
        assert_eq!(table.find(hash(1, 0)), None);
        assert_eq!(table.weight(Side::First), 0);
    }

    #[test]
    fn huge_weights_age_in_scaled_units_without_wrapping() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        let maxsize = 1u64 << 40;
        table.set_scale(maxsize);
        table.set_limits(1 << 39, 1 << 39);
        table.remember(hash(1, 0), 1 << 37, Side::First);
        for i in 2..5 {
            table.remember(hash(i, u64::from(i)), 1 << 37, Side::First);
        }
        assert_eq!(
            table.find(hash(1, 0)),
            Some(Side::First),
            "4 x 2^37 = the limit"
        );
        table.remember(hash(9, 9), 1, Side::First);
        table.remember(hash(10, 10), 1 << 33, Side::First);
        assert_eq!(table.find(hash(1, 0)), None, "past the limit");
        assert_eq!(table.find(hash(2, 2)), Some(Side::First));
        // An entry as heavy as the limit is remembered until anything
        // else is.
        table.remember(hash(11, 11), 1 << 39, Side::Second);
        assert_eq!(table.find(hash(11, 11)), Some(Side::Second));
        table.remember(hash(12, 12), 1 << 10, Side::Second);
        assert_eq!(table.find(hash(11, 11)), None);
        assert_eq!(table.find(hash(12, 12)), Some(Side::Second));
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// Against an exact model: per side a clock of the weight
        /// remembered, and each remembered key with the clock before it.
        /// The table never reports a ghost the model has forgotten (more
        /// than the side's limit remembered since) or on the wrong side,
        /// and forgets a live one only when its bucket overflowed.
        #[test]
        fn never_remembers_what_the_model_forgot(
            limits in (1usize..40, 1usize..40),
            ops in prop::collection::vec((0u32..48, 1usize..6, any::<bool>(), any::<bool>()), 1..300),
        ) {
            let mut table = LossyGhosts::default();
            table.ensure_capacity(32); // four buckets of eight
            table.set_limits(limits.0, limits.1);
            let limit = [limits.0 as u64, limits.1 as u64];
            let mut clock = [0u64; 2];
            // key -> (side, clock of its side before it, weight)
            let mut model: BTreeMap<u32, (Side, u64, u64)> = Default::default();
            let alive = |model: &BTreeMap<u32, (Side, u64, u64)>, clock: &[u64; 2], key: u32| {
                model.get(&key).and_then(|&(side, before, _)| {
                    (clock[side as usize] - before <= limit[side as usize]).then_some(side)
                })
            };
            let mut overflowed = [false; 4];
            for (key, weight, second, take) in ops {
                let h = hash(key, u64::from(key % 4));
                let side = if second { Side::Second } else { Side::First };
                if take {
                    // A live ghost's age: the weight its side remembered
                    // since it was remembered, its own included.
                    let expected = alive(&model, &clock, key)
                        .map(|side| (side, clock[side as usize] - model[&key].1));
                    let got = table.take(h);
                    if got.is_some() {
                        prop_assert_eq!(got, expected);
                    } else {
                        prop_assert!(expected.is_none() || overflowed[(key % 4) as usize]);
                    }
                    model.remove(&key);
                } else {
                    let live = model
                        .keys()
                        .filter(|&&k| k != key && k % 4 == key % 4 && alive(&model, &clock, k).is_some())
                        .count();
                    overflowed[(key % 4) as usize] |= live >= WAYS;
                    // As the policy does: a key's ghost is taken when the
                    // key comes back, before it is evicted again.
                    table.take(h);
                    table.remember(h, weight, side);
                    model.insert(key, (side, clock[side as usize], weight as u64));
                    clock[side as usize] += weight as u64;
                }
            }
        }
    }
}
