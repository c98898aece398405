//! A lossy, constant-time memory of recently evicted keys for
//! [`TinyLfu`](crate::TinyLfu)'s window adaptation.
//!
//! [`Ghosts`](crate::ghosts::Ghosts) keeps exact FIFO ghost lists, as ARC
//! needs; each eviction then costs a hash-table insert and a removal of
//! the oldest ghost. TinyLFU only asks "was this key evicted recently, and
//! from where?", so a direct-mapped table answers: a slot per hash holds a
//! tag, the side and a stamp, the running total of weight remembered on
//! that side. A ghost is live while less than the side's limit of weight
//! was remembered after it, which is the FIFO bound without a queue;
//! remembering overwrites whatever the slot held, so a few old ghosts are
//! lost early. Each operation is one memory access.

use crate::ghosts::Side;

/// One remembered key. `mark` is 0 for an empty slot, else the side in
/// the top bit and one more than the stamp below it.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    hash: u64,
    mark: u64,
}

const SIDE_BIT: u64 = 1 << 63;
/// Slots per bucket: a key's ghost may be in any of them (64 bytes, one
/// cache line).
const WAYS: usize = 4;

impl Slot {
    #[inline]
    fn side(self) -> Side {
        if self.mark & SIDE_BIT == 0 {
            Side::First
        } else {
            Side::Second
        }
    }

    #[inline]
    fn stamp(self) -> u64 {
        (self.mark & !SIDE_BIT).wrapping_sub(1)
    }
}

/// A direct-mapped table of recently evicted keys' hashes, two sides with
/// a weight limit each.
#[derive(Clone, Debug, Default)]
pub(crate) struct GhostTable {
    slots: Vec<Slot>,
    /// Weight remembered so far, per side (below 2^63).
    clock: [u64; 2],
    /// How much weight a side remembers: a ghost older than this is gone.
    limit: [u64; 2],
}

impl GhostTable {
    /// At least `slots` slots (a power of two, 16 to 2^26). Never shrinks;
    /// the remembered ghosts move to the new table.
    pub(crate) fn ensure_capacity(&mut self, slots: usize) {
        let len = slots.clamp(16, 1 << 26).next_power_of_two();
        if len <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); len]);
        for slot in old {
            if self.life(slot) > 0 {
                self.place(slot);
            }
        }
    }

    /// The first slot of the key of `hash`'s bucket.
    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        hash as usize & self.slots.len().wrapping_sub(1) & !(WAYS - 1)
    }

    /// One more than the weight the side of `slot` can still remember
    /// before the slot's ghost is gone (0 once it is gone or the slot is
    /// empty).
    #[inline]
    fn life(&self, slot: Slot) -> u64 {
        if slot.mark == 0 {
            return 0;
        }
        // `age` counts the ghost's own weight: it stays while it and the
        // ghosts after it weigh at most the limit, as in a FIFO list.
        let side = slot.side() as usize;
        let age = self.clock[side].wrapping_sub(slot.stamp()) & !SIDE_BIT;
        self.limit[side].saturating_add(1).saturating_sub(age)
    }

    /// Sets each side's weight limit (older ghosts are forgotten).
    #[inline]
    pub(crate) fn set_limits(&mut self, first: usize, second: usize) {
        self.limit = [first as u64, second as u64];
    }

    /// The side the key of `hash` was evicted from, if it is remembered.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<Side> {
        let start = self.bucket(hash);
        let bucket = self.slots.get(start..start + WAYS)?;
        let slot = *bucket
            .iter()
            .find(|slot| slot.hash == hash && slot.mark != 0)?;
        (self.life(slot) > 0).then(|| slot.side())
    }

    /// Forgets the key of `hash` (it is back in the cache).
    #[inline]
    pub(crate) fn forget(&mut self, hash: u64) {
        let start = self.bucket(hash);
        if let Some(bucket) = self.slots.get_mut(start..start + WAYS) {
            for slot in bucket.iter_mut().filter(|slot| slot.hash == hash) {
                slot.mark = 0;
            }
        }
    }

    /// Remembers the key of `hash`, of `weight`, as evicted from `side`.
    #[inline]
    pub(crate) fn remember(&mut self, hash: u64, weight: usize, side: Side) {
        let clock = &mut self.clock[side as usize];
        let stamp = *clock;
        *clock = clock.wrapping_add(weight as u64) & !SIDE_BIT;
        let side_bit = if side == Side::First { 0 } else { SIDE_BIT };
        self.place(Slot {
            hash,
            mark: side_bit | ((stamp + 1) & !SIDE_BIT),
        });
    }

    /// Stores `slot` in its bucket over the ghost closest to being gone.
    #[inline]
    fn place(&mut self, slot: Slot) {
        let start = self.bucket(slot.hash);
        let Some(bucket) = self.slots.get(start..start + WAYS) else {
            return;
        };
        let mut way = 0;
        let mut least = u64::MAX;
        for (i, &other) in bucket.iter().enumerate() {
            let life = self.life(other);
            if life < least {
                (way, least) = (i, life);
            }
        }
        self.slots[start + way] = slot;
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
        (self.weight(other) as f64 / self.weight(side).max(1) as f64).max(1.0)
    }

    /// Forgets every ghost, keeping the table.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(Slot::default());
        self.clock = [0; 2];
    }

    /// Heap bytes of the table.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_forgets_and_ages_out_by_weight_per_side() {
        let mut table = GhostTable::default();
        table.ensure_capacity(64);
        table.set_limits(10, 4);
        table.remember(1, 3, Side::First);
        table.remember(2, 1, Side::Second);
        assert_eq!(table.find(1), Some(Side::First));
        assert_eq!(table.find(2), Some(Side::Second));
        assert_eq!(table.find(3), None);
        // Seven more units on the first side: 1 is still among the last 10.
        for hash in 100..107 {
            table.remember(hash, 1, Side::First);
        }
        assert_eq!(table.find(1), Some(Side::First));
        table.remember(107, 1, Side::First);
        assert_eq!(table.find(1), None, "its 3 units and 8 after it pass 10");
        assert_eq!(table.find(2), Some(Side::Second), "the other side is apart");
        table.forget(2);
        assert_eq!(table.find(2), None);
        assert_eq!(table.weight(Side::First), 10);
        assert_eq!(table.weight(Side::Second), 1);
        assert_eq!(table.balance(Side::Second), 10.0);
        assert_eq!(table.balance(Side::First), 1.0);
    }

    #[test]
    fn a_full_bucket_loses_the_ghost_closest_to_being_gone() {
        let mut table = GhostTable::default();
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
        let mut table = GhostTable::default();
        table.ensure_capacity(16);
        table.set_limits(8, 8);
        for hash in 0..12 {
            table.remember(hash, 1, Side::First);
        }
        table.ensure_capacity(1024);
        assert!((4..12).all(|hash| table.find(hash) == Some(Side::First)));
        assert!((0..4).all(|hash| table.find(hash).is_none()));
        table.clear();
        assert!((0..12).all(|hash| table.find(hash).is_none()));
    }
}
