//! The frequency sketch of [`TinyLfu`](crate::TinyLfu): a count-min sketch
//! of 4-bit counters that halves itself every `32 x capacity` increments,
//! so it estimates how often each key was used recently in a few bits per
//! key (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache
//! Admission Policy", ACM Transactions on Storage 13(4), 2017).
//!
//! A cache of more than 16,384 entries gets 32 counters per entry (16
//! bytes; see [`KEYS_PER_ENTRY`]). A smaller one gets a key's worth of 16
//! counters (8 bytes) for each of 16 times as many keys as it holds, up
//! to 16,384 keys' worth (128 KiB): a sample period sees up to `32 x
//! capacity` distinct keys, so a small table is mostly collisions, and in
//! a small cache a wrong estimate turns away one of the few entries that
//! would have hit. (Measured, not derived: see
//! [`SMALL_CACHE_KEYS`]. More is not always better; a table for 2^20 keys
//! did worse at 1,024 entries than one for 2^14.)
//!
//! Layout as in Caffeine's sketch: the four counters of a key lie in one
//! 64-byte block of eight words (one cache line per lookup), one counter
//! in each of four word pairs, 16 counters of 4 bits per word.

/// A count-min sketch of 4-bit counters with periodic halving.
#[derive(Clone, Debug, Default)]
pub(crate) struct FrequencySketch {
    /// Blocks of eight words, sixteen 4-bit counters per word.
    table: Vec<Block>,
    /// A key's block is `((hash's high half x block_scale) >> 32) &
    /// block_mask` (see [`counters`](Self::counters)): for a table of a
    /// power of two blocks, a scale of 2^32 and the mask of its size; for
    /// another, a scale of its size and no mask.
    block_scale: u64,
    block_mask: u64,
    /// Increments since the last halving.
    additions: usize,
    /// Increments between two halvings.
    sample_size: usize,
    /// Number of keys the table is sized for.
    capacity: usize,
    /// Increments between two halvings per key of capacity (0: the
    /// default, [`SAMPLE_FACTOR`]).
    factor: usize,
}

/// Eight words of counters, aligned so that a key's four counters are in
/// one cache line (unaligned, half the blocks straddle two).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Block([u64; 8]);

/// Where one key's counters are: its block and its remixed hash (which
/// picks the four counters in the block).
pub(crate) struct Counters {
    block: usize,
    h: u64,
}

/// What a [`FrequencySketch::read_and_add`] raised each of the four
/// counters by (4 bits each).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Added(u16);

/// Every counter's low three bits (what remains after a right shift).
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
/// Every counter's lowest bit.
const ONE_MASK: u64 = 0x1111_1111_1111_1111;
/// The low nibble of every byte.
const BYTE_LOW_NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
/// One in every byte: a multiplication by it sums the bytes into the top
/// one.
const BYTE_ONES: u64 = 0x0101_0101_0101_0101;
/// Increments between two halvings, per key of capacity. The paper and
/// Caffeine use 10; on the ARC paper's traces a longer memory keeps
/// popularity across P3's long loops and costs little on OLTP (measured
/// with `benches/examples/hit_ratio --seeds 8`: 24 instead of 10 raised P3 at
/// 4,096 from 2.21-2.34 to 2.31-2.60 and at 65,536 from 29.9-31.0 to
/// 31.3-31.6). With the small-cache counters below, 32 instead of 24
/// makes P3 at 1,024 1.126-1.205 over 24 hash seeds instead of
/// 1.098-1.246 over 16 (ARC: 1.12), for at most 0.3 points off any other
/// row. (64 instead: P3 at 65,536 -0.48 and at 16,384 -0.21 on the worst
/// of 4 seeds, sprite at 100 -0.82.)
const SAMPLE_FACTOR: usize = 32;
/// A small cache's table has counters for this many times its capacity
/// ...
const SMALL_CACHE_COUNTERS: usize = 16;
/// ... up to this many keys' worth (128 KiB). Measured on P3 at 1,024
/// entries (with a [`SAMPLE_FACTOR`] of 32): 1.012-1.047 over 8 hash
/// seeds with one key's counters per entry; over 24 seeds 1.120-1.194
/// with 8,192 keys' worth, 1.126-1.205 with 16,384 and 1.086-1.198 with
/// 32,768 (and over 8 seeds, with the old period of 24, 1.067-1.114 with
/// 2^20). P3 at 4,096 rises from 2.39-2.55 to 2.90-3.08; caches of
/// 16,384 entries and more are unaffected. (These were measured while a
/// TinyLFU hit refreshed entries outside the most recent quarter; with
/// the half it refreshes now, 16,384 keys give 1.116-1.204 over 24
/// seeds, median 1.154, one seed of 24 below ARC's 1.12.)
///
/// Larger caches gain from more counters too (see [`KEYS_PER_ENTRY`]),
/// but pay in speed while the table grows past this one: four keys'
/// worth per entry from 4,097 entries on (up to 2 MiB) put P3
/// at 16,384 entries at 11.07-11.20 instead of 10.28-10.54 on 4 seeds,
/// at 8,192 and 32,768 +0.23 and +0.52, the synthetic gli_like at 5,000
/// +0.43, with no row of 78 lower by 0.2; but at 10,000 entries the
/// table of 512 KiB instead of 128 KiB made the Zipf mix of
/// `benches/examples/paired_timing` 5-8% slower against `LruCache`
/// (twice the keys: +0.46 on P3 at 16,384, 3-5% slower). A conservative
/// update (raising only the counters at the minimum) instead lost 0.51
/// points on P3 at 65,536 and 1.1 on the synthetic multi_like at 2,500.
const SMALL_CACHE_KEYS: usize = 1 << 14;
/// A cache larger than the small-cache table ([`SMALL_CACHE_KEYS`]
/// entries) gets this many keys' worth of counters (16 each, 8 bytes) per
/// entry: twice Caffeine's. Between two halvings the sketch takes
/// [`SAMPLE_FACTOR`] (32) increments per entry, each raising four
/// counters, so with one key's worth per entry the average counter holds
/// about 8 of its 15 from other keys' counts alone; with two, half that.
/// The table is sized exactly, not rounded up to a power of two, so a
/// cache of 1,000,000 entries pays 16 bytes per entry, not 16.8 (the whole
/// cache 79.3 bytes per entry, `benches/examples/memory`).
///
/// (Measured with `benches/examples/hit_ratio`, worst seed, against one
/// key's worth rounded up: over 8 seeds P3 at 65,536 entries from
/// 31.97-32.36 to 32.16-32.73, where LIRS has 32.48; over 4 seeds from
/// 31.97-32.36 to 32.39-32.65, at 32,768 from 18.49-19.05 to
/// 19.25-19.59, and no other row of 78 by more than 0.07. Summed
/// shortfall over the 13 visible rows 1.33 -> 0.91, the 33 synthetic ones
/// 15.93 -> 15.90, the 32 other sizes 16.19 -> 16.10. From 8,193 entries
/// on, which takes the 10,000 entries of `benches/examples/paired_timing`
/// from 128 KiB to 156 KiB: P3 at 16,384 from 10.26-10.48 to 10.70-10.92
/// too, but the Zipf mix 1.32x `LruCache` instead of 1.29x, the median of
/// nine alternating repeats each. Another sample period per entry, 24,
/// 40 or 48, with this table (its blocks then picked by multiplication
/// at every size): P3 at 65,536 32.32, 32.16 and 32.07 on the worst of 8
/// seeds, against 32.24 with 32. A conservative update: see
/// [`SMALL_CACHE_KEYS`].)
const KEYS_PER_ENTRY: usize = 2;
/// The most keys the sketch is sized for (128 MiB of counters).
const MAX_CAPACITY: usize = 1 << 23;

/// A 64-bit finalizer (splitmix64): the cache's hash picks the table
/// slot, so the sketch remixes it to draw independent counters.
#[inline]
pub(crate) fn remix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Where the `i`-th of a key's four counters is in its block: the word
/// (one of pair `i`, so the four never share a word) and the bit shift.
#[inline(always)]
fn counter(h: u64, i: usize) -> (usize, u32) {
    let byte = (h >> (i << 3)) as u32;
    ((i << 1) | (byte & 1) as usize, ((byte >> 1) & 15) << 2)
}

impl FrequencySketch {
    /// The number of keys the sketch is sized for (0 before the first
    /// [`ensure_capacity`](Self::ensure_capacity)).
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sizes the table for a cache of `capacity` keys: 16 bytes per key,
    /// more for a small cache (see the [module docs](self)); the counts
    /// start over. Never shrinks.
    pub(crate) fn ensure_capacity(&mut self, capacity: usize) {
        self.ensure_capacity_within(capacity, usize::MAX);
    }

    /// [`ensure_capacity`](Self::ensure_capacity), but with counters for
    /// at most `max_keys` keys' worth (and at least `capacity`'s): the
    /// miniatures bound their sketches so (see
    /// `tinylfu::miniature::SKETCH_KEYS`).
    pub(crate) fn ensure_capacity_within(&mut self, capacity: usize, max_keys: usize) {
        let capacity = capacity.clamp(1, MAX_CAPACITY);
        if capacity <= self.capacity {
            return;
        }
        self.capacity = capacity;
        self.sample_size = capacity.saturating_mul(self.factor());
        let small = max_keys
            .min(SMALL_CACHE_KEYS.min(capacity * SMALL_CACHE_COUNTERS))
            .next_power_of_two();
        let large = if max_keys == usize::MAX && capacity > SMALL_CACHE_KEYS {
            capacity * KEYS_PER_ENTRY
        } else {
            capacity
        };
        let blocks = (small.max(large) / 8).max(1);
        self.table = vec![Block::default(); blocks];
        (self.block_scale, self.block_mask) = if blocks.is_power_of_two() {
            (1 << 32, blocks as u64 - 1)
        } else {
            (blocks as u64, u64::MAX)
        };
        self.additions = 0;
    }

    /// Increments between two halvings per key of capacity.
    fn factor(&self) -> usize {
        if self.factor == 0 {
            SAMPLE_FACTOR
        } else {
            self.factor
        }
    }

    /// Sets the increments between two halvings per key of capacity (0:
    /// [`SAMPLE_FACTOR`]); the counts so far stay.
    pub(crate) fn set_sample_factor(&mut self, factor: usize) {
        self.factor = factor;
        self.sample_size = self.capacity.saturating_mul(self.factor());
    }

    /// Where the counters of the key of `hash` are: computed once when a
    /// key's estimate is read and its count then added.
    #[inline]
    pub(crate) fn counters(&self, hash: u64) -> Counters {
        let h = remix(hash);
        // A table of any size takes the high half of the hash as a
        // fraction of 2^32 times its size (Lemire's multiply-shift), as
        // uniform as a mask. A power-of-two table keeps the mask, as
        // before tables of other sizes were possible, so a small cache's
        // keys share counters as they did.
        Counters {
            block: ((((h >> 32) * self.block_scale) >> 32) & self.block_mask) as usize,
            h,
        }
    }

    /// Estimated uses of the key of `hash` (0 to 15) in the recent past.
    #[cfg(test)]
    pub(crate) fn frequency(&self, hash: u64) -> u8 {
        self.frequency_at(&self.counters(hash))
    }

    /// Estimated uses (0 to 15) of the key whose counters are located at
    /// `counters`.
    #[inline]
    pub(crate) fn frequency_at(&self, counters: &Counters) -> u8 {
        let Some(block) = self.table.get(counters.block) else {
            return 0;
        };
        let mut min = 15;
        for i in 0..4 {
            let (word, shift) = counter(counters.h, i);
            min = min.min((block.0[word] >> shift) & 15);
        }
        min as u8
    }

    /// Counts one use of the key of `hash`.
    #[cfg(test)]
    pub(crate) fn increment(&mut self, hash: u64) {
        self.add(hash, 1);
        if self.record() {
            self.halve();
        }
    }

    /// Raises the key of `hash`'s counters by `count` (each saturating at
    /// 15) without counting towards the sample period: the policy counts
    /// each use with [`record`](Self::record) when it happens and adds
    /// the uses of a resident entry here when the entry leaves.
    #[inline]
    pub(crate) fn add(&mut self, hash: u64, count: u8) {
        if count > 0 {
            self.add_at(&self.counters(hash), count);
        }
    }

    /// [`add`](Self::add) to located counters: a
    /// [`read_and_add`](Self::read_and_add) whose reading is not needed
    /// (and, inlined, not computed).
    #[inline]
    pub(crate) fn add_at(&mut self, counters: &Counters, count: u8) {
        self.read_and_add(counters, count);
    }

    /// Reads the estimate of located counters, as
    /// [`frequency_at`](Self::frequency_at), and raises them by `count`
    /// (each saturating at 15) in the same pass: the admission
    /// contest adds the loser's uses to counters it has just read, and the
    /// loser is usually the candidate. Returns the estimate before the
    /// add and what the add changed, which
    /// [`undo_add`](Self::undo_add) takes back if the candidate wins.
    #[inline]
    pub(crate) fn read_and_add(&mut self, counters: &Counters, count: u8) -> (u8, Added) {
        let Some(block) = self.table.get_mut(counters.block) else {
            return (0, Added(0));
        };
        let count = u64::from(count.min(15));
        let mut min = 15;
        let mut added = 0;
        for i in 0..4 {
            let (word, shift) = counter(counters.h, i);
            let current = (block.0[word] >> shift) & 15;
            min = min.min(current);
            let raised = count.min(15 - current);
            block.0[word] += raised << shift;
            added |= (raised as u16) << (i << 2);
        }
        (min as u8, Added(added))
    }

    /// Takes back a [`read_and_add`](Self::read_and_add) to the same
    /// counters, exactly (the add's saturation included) as long as
    /// nothing was added to them in between.
    pub(crate) fn undo_add(&mut self, counters: &Counters, added: Added) {
        let Some(block) = self.table.get_mut(counters.block) else {
            return;
        };
        for i in 0..4 {
            let (word, shift) = counter(counters.h, i);
            block.0[word] -= u64::from((added.0 >> (i << 2)) & 15) << shift;
        }
    }

    /// Counts one use towards the sample period; true when the period
    /// is over and the caller should [`halve`](Self::halve).
    #[inline]
    pub(crate) fn record(&mut self) -> bool {
        self.record_uses(1)
    }

    /// Counts `uses` uses (0 or 1) towards the sample period, as
    /// [`record`](Self::record): with a count of 0 or 1 computed without
    /// a branch, the caller's hit path has none to mispredict.
    #[inline]
    pub(crate) fn record_uses(&mut self, uses: usize) -> bool {
        self.additions += uses;
        self.additions >= self.sample_size
    }

    /// Ages every count: halves each counter, so old popularity fades.
    pub(crate) fn halve(&mut self) {
        let mut odd = 0;
        for block in &mut self.table {
            // The odd counters are counted per nibble across the block's
            // eight words (at most 8 per nibble), then summed once: about
            // 5 instructions per word against 25 for a population count
            // per word without the `popcnt` instruction (callgrind), and
            // the miniatures' small sketches halve every few hundred
            // sampled requests.
            let mut odd_nibbles = 0;
            for word in &mut block.0 {
                odd_nibbles += *word & ONE_MASK;
                *word = (*word >> 1) & RESET_MASK;
            }
            let bytes = (odd_nibbles & BYTE_LOW_NIBBLES) + ((odd_nibbles >> 4) & BYTE_LOW_NIBBLES);
            odd += (bytes.wrapping_mul(BYTE_ONES) >> 56) as usize;
        }
        // Each increment raised four counters; the odd ones lost half a
        // count each in the shift.
        self.additions = (self.additions - (odd / 4).min(self.additions)) / 2;
    }

    /// Starts the sample period afresh, keeping the counts.
    pub(crate) fn restart_period(&mut self) {
        self.additions = 0;
    }

    /// Forgets every count, keeping the table.
    pub(crate) fn clear(&mut self) {
        self.table.fill(Block::default());
        self.additions = 0;
    }

    /// Heap bytes of the table.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.table.capacity() * 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_up_to_fifteen_and_halves() {
        let mut sketch = FrequencySketch::default();
        assert_eq!(sketch.frequency(7), 0);
        sketch.increment(7); // no table yet: ignored
        sketch.ensure_capacity(64);
        for expected in 1..=15 {
            sketch.increment(7);
            assert_eq!(sketch.frequency(7), expected);
        }
        sketch.increment(7);
        assert_eq!(sketch.frequency(7), 15, "counters saturate");
        sketch.halve();
        assert_eq!(sketch.frequency(7), 7);
    }

    #[test]
    fn adds_several_uses_at_once_and_saturates() {
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(64);
        sketch.add(3, 0);
        assert_eq!(sketch.frequency(3), 0);
        sketch.add(3, 5);
        assert_eq!(sketch.frequency(3), 5);
        sketch.add(3, 12);
        assert_eq!(sketch.frequency(3), 15, "saturated");
        sketch.add(3, 1);
        assert_eq!(sketch.frequency(3), 15);
        assert_eq!(sketch.additions, 0, "add does not count towards aging");
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// `read_and_add` reads what `frequency` reads and adds what `add`
        /// adds; `undo_add` restores the table exactly, saturated counters
        /// included.
        #[test]
        fn read_and_add_is_a_read_then_an_add_and_undoes_exactly(
            earlier in proptest::collection::vec((0u64..40, 0u8..20), 0..200),
            key in 0u64..40,
            count in 0u8..20,
        ) {
            let mut sketch = FrequencySketch::default();
            sketch.ensure_capacity(4);
            for (k, c) in earlier {
                sketch.add(remix(k), c);
            }
            let hash = remix(key);
            let before = sketch.table.clone();
            let mut expected = sketch.clone();
            let estimate = expected.frequency(hash);
            expected.add(hash, count);

            let at = sketch.counters(hash);
            let (read, added) = sketch.read_and_add(&at, count);
            prop_assert_eq!(read, estimate);
            prop_assert!(sketch.table.iter().zip(&expected.table).all(|(a, b)| a.0 == b.0));
            sketch.undo_add(&at, added);
            prop_assert!(sketch.table.iter().zip(&before).all(|(a, b)| a.0 == b.0));
        }

        /// `halve` halves every counter (rounding down) and takes a
        /// quarter of the odd counters off the increments counted, as a
        /// counter-by-counter reading of the table says.
        #[test]
        fn halving_halves_every_counter_and_counts_the_odd_ones(
            words in proptest::collection::vec(any::<u64>(), 8 * 32),
            additions in 0usize..100_000,
        ) {
            let mut sketch = FrequencySketch::default();
            sketch.ensure_capacity(16); // counters for 256 keys: 32 blocks
            prop_assert_eq!(sketch.table.len(), 32);
            for (block, words) in sketch.table.iter_mut().zip(words.chunks(8)) {
                block.0.copy_from_slice(words);
            }
            sketch.additions = additions;
            let nibbles = |word: u64| (0..16).map(move |i| (word >> (4 * i)) & 15);
            let odd = words.iter().flat_map(|&w| nibbles(w)).filter(|n| n % 2 == 1).count();

            sketch.halve();
            let halved = sketch.table.iter().flat_map(|block| block.0);
            for (before, after) in words.iter().zip(halved) {
                prop_assert!(nibbles(*before).zip(nibbles(after)).all(|(b, a)| a == b / 2));
            }
            prop_assert_eq!(sketch.additions, (additions - (odd / 4).min(additions)) / 2);
        }
    }

    #[test]
    fn estimates_never_undercount_and_rarely_overcount() {
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(1024);
        // Keys 0..512 used (k % 8) times: within one sample period.
        for key in 0..512u64 {
            for _ in 0..key % 8 {
                sketch.increment(remix(key));
            }
        }
        let mut exact = 0;
        for key in 0..512u64 {
            let f = sketch.frequency(remix(key));
            assert!(u64::from(f) >= key % 8, "count-min never undercounts");
            exact += usize::from(u64::from(f) == key % 8);
        }
        assert!(exact > 480, "{exact} of 512 exact");
    }

    #[test]
    fn a_small_cache_gets_more_counters_per_entry_up_to_a_bound() {
        let bytes_for = |capacity| {
            let mut sketch = FrequencySketch::default();
            sketch.ensure_capacity(capacity);
            sketch.allocated_bytes()
        };
        // 16 counters (8 bytes) per key of the table; a small cache's
        // table is a power of two.
        assert_eq!(bytes_for(100), 2048 * 8, "16 x 100 keys, rounded up");
        assert_eq!(bytes_for(1024), SMALL_CACHE_KEYS * 8, "capped");
        assert_eq!(bytes_for(8192), SMALL_CACHE_KEYS * 8, "still the cap");
        assert_eq!(bytes_for(16_384), SMALL_CACHE_KEYS * 8, "as large");
        assert_eq!(bytes_for(20_000), 40_000 * 8, "larger: two keys each");
        assert_eq!(
            bytes_for(1_000_000),
            16_000_000,
            "sized exactly: 16 bytes per entry, not rounded up"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "hashes 500,000 keys; no unsafe code of its own")]
    fn a_table_of_any_size_uses_every_block_evenly() {
        // 40,000 keys' worth: 5,000 blocks, not a power of two.
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(20_000);
        assert_eq!(sketch.table.len(), 5_000);
        let mut per_block = vec![0u32; 5_000];
        for key in 0..500_000u64 {
            per_block[sketch.counters(key).block] += 1;
        }
        // 100 keys per block on average; a binomial's spread is 10.
        let (least, most) = (per_block.iter().min(), per_block.iter().max());
        assert!(
            least >= Some(&50) && most <= Some(&150),
            "{least:?} to {most:?} keys per block"
        );
    }

    #[test]
    fn a_power_of_two_table_picks_the_hash_s_low_block_bits() {
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(65_536);
        assert_eq!(sketch.table.len(), 16_384, "two keys' worth per entry");
        for key in 0..10_000u64 {
            let mask = (remix(key) >> 32) as usize & 16_383;
            assert_eq!(sketch.counters(key).block, mask);
        }
    }

    #[test]
    fn halves_after_a_sample_period() {
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(64);
        for _ in 0..15 {
            sketch.increment(1);
        }
        assert_eq!(sketch.frequency(1), 15);
        let mut increments = 15;
        let mut key = 100;
        loop {
            let before = sketch.additions;
            sketch.increment(key);
            key += 1;
            increments += 1;
            if sketch.additions < before {
                break;
            }
        }
        assert_eq!(
            increments,
            64 * SAMPLE_FACTOR,
            "a period is SAMPLE_FACTOR x capacity"
        );
        assert!(sketch.frequency(1) <= 8, "aged: {}", sketch.frequency(1));
    }
}
