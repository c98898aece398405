//! Hits made through a shared reference: one bit per arena slot that a
//! concurrent reader sets and the policy reads when it picks a victim
//! (second chance), so that a hit of an LRU entry writes no list.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arena::Handle;

/// One bit per arena slot; empty (and costless) until
/// [`enable`](SharedHits::enable)d by a concurrent cache.
#[derive(Debug, Default)]
pub(crate) struct SharedHits {
    words: Vec<AtomicU64>,
    enabled: bool,
}

impl Clone for SharedHits {
    fn clone(&self) -> Self {
        SharedHits {
            words: self
                .words
                .iter()
                .map(|word| AtomicU64::new(word.load(Ordering::Relaxed)))
                .collect(),
            enabled: self.enabled,
        }
    }
}

#[inline]
fn place(handle: Handle) -> (usize, u64) {
    let index = handle.index();
    (index / 64, 1 << (index % 64))
}

impl SharedHits {
    /// Starts recording hits (for a cache shared by a concurrent cache)
    /// of the entries in the arena's `slots` slots and those to come.
    pub(crate) fn enable(&mut self, slots: usize) {
        self.enabled = true;
        let words = slots.div_ceil(64);
        if self.words.len() < words {
            self.words.resize_with(words, || AtomicU64::new(0));
        }
    }

    /// Whether hits are recorded here.
    #[inline]
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// A reader hit the entry at `handle`. The bit is written only when it
    /// is clear, so the hits of a popular entry write nothing until the
    /// policy clears it again.
    #[inline]
    pub(crate) fn hit(&self, handle: Handle) {
        let (word, bit) = place(handle);
        if let Some(word) = self.words.get(word) {
            if word.load(Ordering::Relaxed) & bit == 0 {
                word.fetch_or(bit, Ordering::Relaxed);
            }
        }
    }

    /// A new entry took the slot of `handle`: make room for its bit, clear.
    #[inline]
    pub(crate) fn arrived(&mut self, handle: Handle) {
        if !self.enabled {
            return;
        }
        let (word, bit) = place(handle);
        if word >= self.words.len() {
            // Doubling: amortized O(1) per insert, as the arena's own growth.
            let len = (word + 1).max(self.words.len() * 2);
            self.words.resize_with(len, || AtomicU64::new(0));
        }
        *self.words[word].get_mut() &= !bit;
    }

    /// Takes the bit of `handle`: whether a reader hit it since it was last
    /// taken (or the entry arrived).
    #[inline]
    pub(crate) fn take(&mut self, handle: Handle) -> bool {
        self.take_index(handle.index())
    }

    /// [`take`](SharedHits::take) by arena slot index.
    #[inline]
    pub(crate) fn take_index(&mut self, index: usize) -> bool {
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        match self.words.get_mut(word) {
            Some(word) => {
                let word = word.get_mut();
                let was = *word & bit != 0;
                *word &= !bit;
                was
            }
            None => false,
        }
    }

    /// Forgets every hit (the cache was cleared).
    pub(crate) fn clear(&mut self) {
        self.words.iter_mut().for_each(|word| *word.get_mut() = 0);
    }

    /// Heap bytes held.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.words.capacity() * core::mem::size_of::<AtomicU64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cache;
    use crate::LruCache;

    #[test]
    fn bits_are_set_once_taken_once_and_grow_with_the_arena() {
        let mut cache = LruCache::new(200);
        for key in 0..100u32 {
            cache.insert(key, key);
        }
        let handles: Vec<Handle> = (0..100u32)
            .map(|key| cache.handle_of(&key).unwrap())
            .collect();
        let mut hits = SharedHits::default();
        hits.hit(handles[3]); // not enabled: nothing to set
        hits.enable(cache.entries().slots());
        assert!(!hits.take(handles[3]));
        hits.hit(handles[70]);
        hits.hit(handles[70]);
        assert!(hits.take(handles[70]));
        assert!(!hits.take(handles[70]));
        // A slot beyond the first words: room is made when it arrives.
        for key in 100..200u32 {
            cache.insert(key, key);
        }
        let late = cache.handle_of(&199).unwrap();
        hits.arrived(late);
        hits.hit(late);
        let copy = hits.clone();
        assert!(hits.take(late));
        hits.hit(handles[5]);
        hits.clear();
        assert!(!hits.take(handles[5]));
        let mut copy = copy;
        assert!(copy.take(late), "clones keep the bits");
        assert!(Cache::len(&cache) == 200 && hits.allocated_bytes() >= 32);
    }
}
