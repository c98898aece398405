//! A lossy, constant-time memory of recently evicted keys for
//! [`TinyLfu`](crate::TinyLfu)'s window adaptation.
//!
//! [`ExactGhosts`](crate::policies::history::exact_ghosts::ExactGhosts) keeps exact FIFO ghost lists, as ARC
//! needs; each eviction then costs a hash-table insert and a removal of
//! the oldest ghost. TinyLFU only asks "was this key evicted recently, and
//! from where?", so a table of 4-slot buckets (one 64-byte cache line each)
//! answers: a slot holds the key's hash, its side and a stamp, the running
//! total of weight remembered on that side. A ghost lives while it and the
//! ghosts remembered after it on its side weigh at most the side's limit,
//! which is the FIFO bound without a queue. A new ghost takes a slot of
//! its bucket whose ghost is gone, else the one closest to going, so a few
//! old ghosts are lost early. Each operation touches one bucket.
//!
//! Only one key in [`SAMPLING`] (picked by hash bits no other structure
//! uses) is remembered: the others cost an eviction one addition to their
//! side's clock and a miss one bit test, so three misses in four touch no
//! ghost memory. Every eviction still counts towards a ghost's age, and the
//! policy weighs each ghost found as [`SAMPLING`] keys. (On the ARC paper's
//! traces this costs at most 0.6 points, on OLTP at 2,000 entries, and
//! takes a quarter of the Zipf mix's instructions off the ghosts; measured
//! with `benches/examples/hit_ratio` and `benches/examples/op_profile`.)

use super::{adaptation_step, Side};

/// One remembered key: its hash with the side in place of the lowest bit
/// (two keys whose hashes differ only there share a ghost, a 2^-63
/// chance), and one more than its side's clock before it was remembered
/// (0: an empty slot).
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    key: u64,
    stamp: u64,
}

/// One key in `SAMPLING` (by hash) is remembered; each ghost found
/// stands for that many.
pub(crate) const SAMPLING: u64 = 4;

/// Whether the key of `hash` is one of the remembered sample (the top
/// two bits: the bucket and the sketch use other bits).
#[inline]
fn sampled(hash: u64) -> bool {
    hash >> 62 == 0
}

/// Slots per bucket: a key's ghost may be in any of them.
const WAYS: usize = 4;

/// A key's possible slots, aligned to one 64-byte cache line (unaligned,
/// three buckets in four would straddle two lines).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Bucket([Slot; WAYS]);

#[inline]
fn key(hash: u64, side: Side) -> u64 {
    (hash & !1) | side as u64
}

#[inline]
fn same_key(slot: Slot, hash: u64) -> bool {
    slot.stamp != 0 && (slot.key ^ hash) & !1 == 0
}

/// See [`LossyGhosts::life`].
#[inline]
fn life(slot: Slot, clock: [u64; 2], limit: [u64; 2]) -> i64 {
    let side = (slot.key & 1) as usize;
    let life = slot
        .stamp
        .wrapping_add(limit[side])
        .wrapping_sub(clock[side]) as i64;
    if slot.stamp == 0 {
        i64::MIN
    } else {
        life
    }
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
}

impl LossyGhosts {
    /// At least `slots` slots (a power of two, 16 to 2^26). Never shrinks;
    /// the remembered ghosts move to the new table.
    pub(crate) fn ensure_capacity(&mut self, slots: usize) {
        let len = slots.clamp(16, 1 << 26).next_power_of_two() / WAYS;
        if len <= self.buckets.len() {
            return;
        }
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::default(); len]);
        for slot in old.into_iter().flat_map(|bucket| bucket.0) {
            if self.life(slot) > 0 {
                self.place(slot);
            }
        }
    }

    /// The index of the key of `hash`'s bucket (bit 0 is the side; bits
    /// 2 and up pick the bucket).
    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        (hash >> 2) as usize & self.buckets.len().wrapping_sub(1)
    }

    /// How much more weight the side of `slot` can remember before the
    /// slot's ghost is gone, plus one: at most 0 once it is gone, and the
    /// least value for an empty slot. The ghost's own weight counts: it
    /// stays while it and the ghosts after it weigh at most the limit, as
    /// in a FIFO list.
    #[inline]
    fn life(&self, slot: Slot) -> i64 {
        life(slot, self.clock, self.limit)
    }

    /// Sets each side's weight limit (older ghosts are forgotten).
    #[inline]
    pub(crate) fn set_limits(&mut self, first: usize, second: usize) {
        self.limit = [first as u64, second as u64];
    }

    /// The side the key of `hash` was evicted from, if it is remembered.
    #[cfg(test)]
    pub(crate) fn find(&self, hash: u64) -> Option<Side> {
        let bucket = self.buckets.get(self.bucket(hash))?;
        let slot = *bucket.0.iter().find(|&&slot| same_key(slot, hash))?;
        (self.life(slot) > 0).then(|| side_of(slot))
    }

    /// The side the key of `hash` was evicted from, if it is remembered;
    /// forgets it (the key is back in the cache). One pass over the bucket.
    #[inline(always)]
    pub(crate) fn take(&mut self, hash: u64) -> Option<Side> {
        // Three keys in four are not remembered: no call, no bucket.
        if !sampled(hash) {
            return None;
        }
        self.take_sampled(hash)
    }

    /// [`take`](Self::take) for a key of the remembered sample.
    #[inline(never)]
    fn take_sampled(&mut self, hash: u64) -> Option<Side> {
        let index = self.bucket(hash);
        let (clock, limit) = (self.clock, self.limit);
        let bucket = self.buckets.get_mut(index)?;
        let mut found = None;
        for slot in bucket.0.iter_mut() {
            if same_key(*slot, hash) {
                if life(*slot, clock, limit) > 0 {
                    found = Some(side_of(*slot));
                }
                slot.stamp = 0;
            }
        }
        found
    }

    /// Remembers the key of `hash`, of `weight`, as evicted from `side`.
    #[inline(always)]
    pub(crate) fn remember(&mut self, hash: u64, weight: usize, side: Side) {
        let clock = &mut self.clock[side as usize];
        let stamp = clock.wrapping_add(1);
        *clock = clock.wrapping_add(weight as u64);
        // Three keys in four only age the others: no call, no bucket.
        if sampled(hash) {
            self.place(Slot {
                key: key(hash, side),
                stamp,
            });
        }
    }

    /// Stores `slot` in its bucket over the ghost closest to being gone.
    #[inline(never)]
    fn place(&mut self, slot: Slot) {
        let index = self.bucket(slot.key);
        let Some(bucket) = self.buckets.get(index) else {
            return;
        };
        // Any gone ghost will do (most slots hold one: the limits keep
        // fewer live ghosts than slots); else the one closest to going.
        let mut way = 0;
        let mut least = i64::MAX;
        for (i, &other) in bucket.0.iter().enumerate() {
            let life = self.life(other);
            if life <= 0 {
                way = i;
                break;
            }
            if life < least {
                (way, least) = (i, life);
            }
        }
        self.buckets[index].0[way] = slot;
    }

    /// About how much weight `side` remembers (what it remembered, up to
    /// its limit).
    #[inline]
    pub(crate) fn weight(&self, side: Side) -> u64 {
        self.clock[side as usize].min(self.limit[side as usize])
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
    use super::*;

    #[test]
    fn remembers_forgets_and_ages_out_by_weight_per_side() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        table.set_limits(10, 4);
        table.remember(1, 3, Side::First);
        table.remember(2, 1, Side::Second);
        assert_eq!(table.find(1), Some(Side::First));
        assert_eq!(table.find(2), Some(Side::Second));
        assert_eq!(table.find(5), None);
        // Seven more units on the first side: 1 is still among the last 10.
        for hash in 100..107 {
            table.remember(hash * 4, 1, Side::First);
        }
        assert_eq!(table.find(1), Some(Side::First));
        table.remember(107 * 4, 1, Side::First);
        assert_eq!(table.find(1), None, "its 3 units and 8 after it pass 10");
        assert_eq!(table.find(2), Some(Side::Second), "the other side is apart");
        assert_eq!(table.take(2), Some(Side::Second));
        assert_eq!(table.find(2), None, "taken: forgotten");
        assert_eq!(table.take(2), None);
        assert_eq!(table.weight(Side::First), 10);
        assert_eq!(table.weight(Side::Second), 1);
        assert_eq!(table.balance(Side::Second), 10.0);
        assert_eq!(table.balance(Side::First), 1.0);
    }

    #[test]
    fn only_sampled_keys_are_remembered_but_every_eviction_ages_the_ghosts() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(64);
        table.set_limits(3, 3);
        let unsampled = (1 << 63) | 8;
        assert!(!sampled(unsampled) && sampled(4));
        table.remember(4, 1, Side::First);
        table.remember(unsampled, 1, Side::First);
        assert_eq!(table.take(unsampled), None, "not in the sample");
        assert_eq!(table.weight(Side::First), 2, "but its weight counts");
        table.remember(unsampled ^ 16, 1, Side::First);
        assert_eq!(table.find(4), Some(Side::First), "3 units: still in");
        table.remember(unsampled ^ 32, 1, Side::First);
        assert_eq!(table.find(4), None, "aged out by unsampled evictions");
    }

    #[test]
    fn a_full_bucket_loses_the_ghost_closest_to_being_gone() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(16); // four buckets of four
        table.set_limits(100, 100);
        // Hashes 0, 16, 32, ... share bucket 0.
        for i in 0..4 {
            table.remember(i * 16, 1, Side::First);
        }
        table.remember(4 * 16, 1, Side::First);
        assert_eq!(table.find(0), None, "the oldest went");
        assert!((1..5).all(|i| table.find(i * 16).is_some()));
    }

    #[test]
    fn growing_keeps_the_live_ghosts() {
        let mut table = LossyGhosts::default();
        table.ensure_capacity(16);
        table.set_limits(8, 8);
        let hashes: Vec<u64> = (0..12).map(|i| i * 2).collect();
        for &hash in &hashes {
            table.remember(hash, 1, Side::First);
        }
        table.ensure_capacity(1024);
        let (gone, live) = hashes.split_at(4);
        assert!(live
            .iter()
            .all(|&hash| table.find(hash) == Some(Side::First)));
        assert!(gone.iter().all(|&hash| table.find(hash).is_none()));
        table.clear();
        assert!(hashes.iter().all(|&hash| table.find(hash).is_none()));
    }
}
