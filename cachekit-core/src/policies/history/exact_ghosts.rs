//! Ghost lists: the hashes (and weights) of recently evicted keys, no
//! values, in two FIFO lists. Adaptive policies learn from a miss on a key
//! they evicted a moment ago: [`Adaptive`](crate::Adaptive) keeps ARC's
//! `B1`/`B2` here. ([`TinyLfu`](crate::TinyLfu), which needs no exact
//! order, uses the cheaper [`LossyGhosts`](crate::policies::history::lossy_ghosts::LossyGhosts).)
//!
//! A ghost is never touched, only remembered, forgotten when its key comes
//! back, or dropped as the oldest: so each list is a queue, and forgetting
//! from the middle leaves a stale slot in the queue that the index no
//! longer confirms. Stale slots are skipped when they reach the front and
//! compacted away when they outnumber the live ghosts, so memory stays
//! O(live ghosts) and every operation amortized O(1).

use std::collections::VecDeque;

use hashbrown::HashTable;

use super::{adaptation_step, Side};

/// A remembered key: its hash, weight, list, and the stamp of its queue
/// slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ghost {
    hash: u64,
    stamp: u64,
    weight: usize,
    side: Side,
}

impl Ghost {
    #[inline]
    pub(crate) fn weight(&self) -> usize {
        self.weight
    }

    #[inline]
    pub(crate) fn side(&self) -> Side {
        self.side
    }
}

/// Two FIFO lists of evicted keys' hashes with an index by hash.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExactGhosts {
    index: HashTable<Ghost>,
    /// `(hash, stamp)` per remembered ghost, oldest first; a slot is live
    /// while the index holds that hash with that stamp.
    queues: [VecDeque<(u64, u64)>; 2],
    /// Live ghosts per side.
    live: [usize; 2],
    /// Per side; `u128`, so that weights up to `usize::MAX` each never
    /// overflow the sum.
    weights: [u128; 2],
    next_stamp: u64,
}

impl ExactGhosts {
    /// The ghost of `hash`, if remembered.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<Ghost> {
        self.index.find(hash, |g| g.hash == hash).copied()
    }

    /// Total weight of the ghosts on `side`.
    #[inline]
    pub(crate) fn weight(&self, side: Side) -> usize {
        usize::try_from(self.weights[side as usize]).unwrap_or(usize::MAX)
    }

    /// How much heavier the other side's ghosts are than `side`'s, at
    /// least 1: ARC's step for adapting its target (`|B2| / |B1|` on a hit
    /// in `B1`).
    #[inline]
    pub(crate) fn balance(&self, side: Side) -> f64 {
        let (this, other) = match side {
            Side::First => (self.weights[0], self.weights[1]),
            Side::Second => (self.weights[1], self.weights[0]),
        };
        let saturated = |w: u128| u64::try_from(w).unwrap_or(u64::MAX);
        adaptation_step(saturated(this), saturated(other))
    }

    /// Forgets `ghost` (its key is back in the cache).
    pub(crate) fn forget(&mut self, ghost: Ghost) {
        if let Ok(slot) = self
            .index
            .find_entry(ghost.hash, |g| g.stamp == ghost.stamp)
        {
            slot.remove();
            let side = ghost.side as usize;
            self.live[side] -= 1;
            self.weights[side] -= ghost.weight as u128;
            self.compact(side);
        }
    }

    /// Forgets the oldest ghost on `side` and returns its weight; `None`
    /// if there is none.
    pub(crate) fn forget_oldest(&mut self, side: Side) -> Option<usize> {
        let s = side as usize;
        while let Some((hash, stamp)) = self.queues[s].pop_front() {
            if let Ok(slot) = self.index.find_entry(hash, |g| g.stamp == stamp) {
                let (ghost, _) = slot.remove();
                self.live[s] -= 1;
                self.weights[s] -= ghost.weight as u128;
                return Some(ghost.weight);
            }
        }
        None
    }

    /// Remembers `hash` as the newest ghost on `side`. The caller forgot
    /// any earlier ghost of the key when the key came back.
    pub(crate) fn remember(&mut self, hash: u64, weight: usize, side: Side) {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        let ghost = Ghost {
            hash,
            stamp,
            weight,
            side,
        };
        self.index.insert_unique(hash, ghost, |g| g.hash);
        let s = side as usize;
        self.queues[s].push_back((hash, stamp));
        self.live[s] += 1;
        self.weights[s] += weight as u128;
    }

    /// Forgets the oldest ghosts on `side` until its weight is at most
    /// `limit`.
    pub(crate) fn trim(&mut self, side: Side, limit: usize) {
        while self.weights[side as usize] > limit as u128 && self.forget_oldest(side).is_some() {}
    }

    /// Drops the stale slots of `side`'s queue once they outnumber the live
    /// ones (amortized O(1): at least as many forgets paid for it).
    fn compact(&mut self, side: usize) {
        let queue = &mut self.queues[side];
        if queue.len() > 2 * self.live[side] + 16 {
            let index = &self.index;
            queue.retain(|&(hash, stamp)| index.find(hash, |g| g.stamp == stamp).is_some());
        }
    }

    /// Heap bytes of the ghosts and their index.
    pub(crate) fn allocated_bytes(&self) -> usize {
        let queues: usize = self.queues.iter().map(VecDeque::capacity).sum();
        self.index.capacity() * (std::mem::size_of::<Ghost>() + 1) + queues * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_forgets_and_drops_the_oldest_per_side() {
        let mut ghosts = ExactGhosts::default();
        for hash in 0..10 {
            let side = if hash % 2 == 0 {
                Side::First
            } else {
                Side::Second
            };
            ghosts.remember(hash, 1 + hash as usize, side);
        }
        assert_eq!(ghosts.weight(Side::First), 1 + 3 + 5 + 7 + 9);
        let four = ghosts.find(4).unwrap();
        assert_eq!((four.weight(), four.side()), (5, Side::First));
        ghosts.forget(four);
        assert!(ghosts.find(4).is_none());
        assert_eq!(ghosts.forget_oldest(Side::First), Some(1)); // hash 0
        assert_eq!(ghosts.forget_oldest(Side::First), Some(3)); // hash 2
        assert_eq!(ghosts.forget_oldest(Side::First), Some(7)); // 4 skipped
        ghosts.trim(Side::Second, 10);
        // 2 + 4 + 6 + 8 + 10: the four oldest go.
        assert!([1, 3, 5, 7].iter().all(|&hash| ghosts.find(hash).is_none()));
        assert!(ghosts.find(8).is_some(), "the other side is untouched");
        assert_eq!(ghosts.find(9).map(|g| g.weight()), Some(10));
        assert_eq!(ghosts.weight(Side::Second), 10);
    }

    #[test]
    fn stale_slots_do_not_accumulate() {
        let mut ghosts = ExactGhosts::default();
        let rounds = if cfg!(miri) { 500 } else { 100_000u64 };
        for hash in 0..rounds {
            ghosts.remember(hash, 1, Side::First);
            let ghost = ghosts.find(hash).unwrap();
            ghosts.forget(ghost);
        }
        assert_eq!(ghosts.weight(Side::First), 0);
        assert!(ghosts.queues[0].len() <= 16, "{}", ghosts.queues[0].len());
        assert_eq!(ghosts.forget_oldest(Side::First), None);
    }
}
