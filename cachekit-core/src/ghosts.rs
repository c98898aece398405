//! Ghost lists: the hashes (and weights) of recently evicted keys, no
//! values, in two LRU lists. Adaptive policies learn from a miss on a key
//! they evicted a moment ago: [`Adaptive`](crate::Adaptive) keeps ARC's
//! `B1`/`B2`, [`TinyLfu`](crate::TinyLfu) remembers what left its window
//! and what left its main space.

use hashbrown::HashTable;

use crate::arena::{Arena, Handle, Linked, Links, List};

/// Which of the two lists a ghost is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Side {
    /// ARC's `B1`, TinyLFU's window ghosts.
    #[default]
    First,
    /// ARC's `B2`, TinyLFU's main ghosts.
    Second,
}

#[derive(Clone, Debug)]
struct Ghost {
    hash: u64,
    weight: usize,
    side: Side,
    links: Links,
}

impl Linked for Ghost {
    #[inline]
    fn links(&self) -> &Links {
        &self.links
    }
    #[inline]
    fn links_mut(&mut self) -> &mut Links {
        &mut self.links
    }
}

/// Two LRU lists of evicted keys' hashes with an index by hash; O(1) per
/// operation, about 40 bytes per ghost.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ghosts {
    arena: Arena<Ghost>,
    index: HashTable<Handle>,
    lists: [List; 2],
    weights: [usize; 2],
}

impl Ghosts {
    /// The ghost of `hash`, with its weight and side.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<(Handle, usize, Side)> {
        let arena = &self.arena;
        let handle = *self.index.find(hash, |&h| arena[h].hash == hash)?;
        let ghost = &arena[handle];
        Some((handle, ghost.weight, ghost.side))
    }

    /// Total weight of the ghosts on `side`.
    #[inline]
    pub(crate) fn weight(&self, side: Side) -> usize {
        self.weights[side as usize]
    }

    /// The weight of the oldest ghost on `side`.
    #[inline]
    pub(crate) fn oldest_weight(&self, side: Side) -> Option<usize> {
        self.lists[side as usize]
            .front()
            .map(|h| self.arena[h].weight)
    }

    pub(crate) fn forget(&mut self, handle: Handle) {
        let hash = self.arena[handle].hash;
        if let Ok(slot) = self.index.find_entry(hash, |&h| h == handle) {
            slot.remove();
        }
        let ghost = &self.arena[handle];
        let (side, weight) = (ghost.side as usize, ghost.weight);
        self.lists[side].unlink(&mut self.arena, handle);
        self.weights[side] -= weight;
        self.arena.remove(handle);
    }

    /// Forgets the oldest ghost on `side`; `false` if there is none.
    pub(crate) fn forget_oldest(&mut self, side: Side) -> bool {
        match self.lists[side as usize].front() {
            Some(handle) => {
                self.forget(handle);
                true
            }
            None => false,
        }
    }

    /// Remembers `hash` as the newest ghost on `side` (replacing any ghost
    /// of the same hash).
    pub(crate) fn remember(&mut self, hash: u64, weight: usize, side: Side) {
        if let Some((old, _, _)) = self.find(hash) {
            self.forget(old);
        }
        let Ok(handle) = self.arena.insert(Ghost {
            hash,
            weight,
            side,
            links: Links::default(),
        }) else {
            return; // four billion ghosts: remember nothing more
        };
        let arena = &self.arena;
        self.index.insert_unique(hash, handle, |&h| arena[h].hash);
        self.lists[side as usize].push_back(&mut self.arena, handle);
        self.weights[side as usize] += weight;
    }

    /// Heap bytes of the ghosts and their index.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.arena.allocated_bytes() + self.index.capacity() * (std::mem::size_of::<Handle>() + 1)
    }

    /// Forgets the oldest ghosts on `side` until its weight is at most
    /// `limit`.
    pub(crate) fn trim(&mut self, side: Side, limit: usize) {
        while self.weights[side as usize] > limit && self.forget_oldest(side) {}
    }
}
