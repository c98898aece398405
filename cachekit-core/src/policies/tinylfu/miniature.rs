//! Miniature simulations: scaled-down copies of the cache, each trying
//! one [`Config`] on the same sample of the keys, so the real cache can
//! take the configuration that would have hit most on its own workload.
//!
//! No single window size and admission rule is best everywhere: a
//! recency-heavy trace wants a window of most of the cache, a loop wants
//! no window and no admission on a tie, a database trace something
//! between. Ghost feedback only says in which direction to move, and
//! moves too slowly on a short trace or too far on a noisy one. A
//! miniature simulation (Waldspurger, Saemundsson, Ahmad and Park, "Cache
//! Modeling and Optimization using Miniature Simulations," USENIX ATC
//! 2017) answers the question directly: keys whose hash falls in a
//! `1 / 2^shift` sample are replayed through one small W-TinyLFU per
//! configuration, each holding `maxsize / 2^shift`; hash sampling keeps
//! every sampled key's whole history, so each miniature sees a scaled
//! copy of the workload and its hit ratio tracks what the full cache
//! would get with that configuration.
//!
//! The miniatures hold hashes only (24 bytes per node, a few hundred
//! nodes each), share one table from hash to their nodes and one
//! frequency sketch, and are fed only the sampled requests: the real
//! cache pays one test of hash bits per operation.

use hashbrown::HashTable;

use super::Segment;
use crate::policies::history::frequency_sketch::{remix, FrequencySketch};

/// One way to run the cache: what the miniatures compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Config {
    /// The window's share of `maxsize` (0: a single entry).
    pub(super) window: f64,
    /// A candidate is admitted only if its estimate beats the victim's
    /// by more than this.
    pub(super) margin: u8,
    /// Whether a frequent candidate that loses is still admitted now
    /// and then (the hash-flood escape).
    pub(super) escape: bool,
}

/// The configurations tried side by side.
pub(super) const CONFIGS: [Config; 4] = [
    Config {
        window: 0.0,
        margin: 1,
        escape: false,
    },
    Config {
        window: 0.2,
        margin: 0,
        escape: true,
    },
    Config {
        window: 0.5,
        margin: 0,
        escape: true,
    },
    Config {
        window: 1.0,
        margin: 0,
        escape: true,
    },
];

const COUNT: usize = CONFIGS.len();
/// The configuration with a window of the whole cache: an LRU.
const LRU: usize = COUNT - 1;

/// A miniature aims at this many entries at least (so the sample rate is
/// the largest power of two that keeps it). Measured with
/// `benches/examples/hit_ratio --seeds 8`: 256 instead of 128 changes no
/// row by more than 0.2 points and doubles the cost; 64 loses 0.5 points
/// on P3 at 65,536 and 0.1-0.2 elsewhere.
const MIN_ENTRIES: usize = 128;
/// ... but samples at most one key in 16, so that a small cache pays for
/// its miniatures on a sixteenth of its operations at most. (One in 4
/// is no better on any row but sprite at 512, by 0.2 points.)
const MIN_SHIFT: u32 = 4;
/// Entries a miniature holds at most (below a bound of 2^39 entries
/// the sample rate keeps them under twice [`MIN_ENTRIES`]).
const MAX_ENTRIES: usize = 2 * MIN_ENTRIES;
/// A cache expected to hold fewer entries runs no miniatures (they would
/// hold fewer than 16).
const MIN_CACHE_ENTRIES: usize = 256;
/// Sampled requests per decision, per entry a miniature holds. (10 or 20
/// decide sooner, which helps the short sprite trace, but lose 0.3-0.5
/// points on OLTP at 10,000 and 15,000 entries and on P3 at 16,384 to
/// decisions taken on too little evidence; the first decision taken
/// after an eighth of a period loses 5 points on P3 at 65,536.)
const PERIOD_FACTOR: u64 = 40;
/// A period in which no miniature hit more than one request in this many
/// decides nothing: with so few hits the configurations' differences are
/// within noise, and the ghost feedback alone moves the window. (Measured
/// with `benches/examples/hit_ratio --seeds 8`: without it P3 at 1,024
/// falls from 1.11-1.23 to 1.06-1.14, below ARC; 10 or 12 keep P3 at
/// 16,384 below its best known figure on one seed.)
const MIN_HIT_SHARE: u64 = 16;
/// Before the first decision, at 1/16, 1/8, 1/4 and 1/2 of the period,
/// the strict configuration alone is taken early if its miniature hit
/// this many times as often as every other: a loop larger than the cache
/// shows that at once, and waiting costs it the whole first period
/// (measured with `benches/examples/hit_ratio --seeds 8`: loop at 256
/// 25.12-25.14 without, 25.17 with; at 512 50.16-50.29 and 50.44; no row
/// worse; a lead of 1.2 leaves 512 at 50.39). Early decisions for any
/// configuration mistake a trace's warm-up for the trace: P3 at 65,536
/// fell to 16.4 on one seed.
const EARLY_LEAD: f64 = 1.1;
/// A decision leaves the configuration decided on before unless another
/// scored this many times as much: every switch moves entries between
/// segments, and flipping between near-equal configurations costs more
/// than either. (Measured with `benches/examples/hit_ratio --seeds 8`:
/// sprite at 512, where the miniatures hold 32 entries, rises from
/// 77.88-78.99 to 78.29-78.92 with a lead of 1.02 to 1.05; 1.1 drops P3
/// at 16,384 to 9.89 on a seed; no other row moves by more than 0.1.)
const SWITCH_LEAD: f64 = 1.03;
/// Each decision weighs the hits of the periods before by this.
const DECAY: f64 = 0.9;
/// A decision takes the LRU configuration when it scored within this
/// share of the best: on a recency-friendly trace the windowed
/// configurations' miniatures score within noise of it (0.3% apart on
/// the LIRS paper's sprite trace at 2,048 entries), while the full-size
/// cache loses 0.7 points with them; an LRU is also the floor the cache
/// must not fall below. (Measured with `benches/examples/hit_ratio
/// --seeds 8`: sprite at 2,048 rises from 92.57-93.37 to 93.30-93.39,
/// with 1% too; 2% costs OLTP at 10,000 and 15,000 entries up to 1.7
/// points on a seed; no other row moves.)
const LRU_TIE: f64 = 0.005;

/// No node.
const NIL: u16 = u16::MAX;
/// Nodes a miniature holds at most (one index short of [`NIL`]).
const MAX_NODES: usize = NIL as usize - 1;

#[derive(Clone, Copy, Debug)]
struct Node {
    hash: u64,
    weight: u32,
    prev: u16,
    next: u16,
    segment: Segment,
}

/// Where one sampled key is in each miniature.
#[derive(Clone, Copy, Debug)]
struct Slot {
    hash: u64,
    at: [u16; COUNT],
}

/// What a miniature replaying a request shares with the others.
struct Context<'a> {
    sketch: &'a FrequencySketch,
    /// Contested admissions so far (drives the hash-flood escape).
    contests: &'a mut u64,
    /// Keys evicted, with the index of the miniature that evicted them.
    evicted: &'a mut Vec<(u64, usize)>,
    /// The replaying miniature's index.
    me: usize,
}

/// One scaled-down W-TinyLFU with a fixed configuration.
#[derive(Clone, Debug)]
struct Miniature {
    nodes: Vec<Node>,
    /// Unused nodes, linked by `next`.
    free: u16,
    /// Least recent first, per segment.
    head: [u16; 3],
    tail: [u16; 3],
    weights: [u64; 3],
    capacity: u64,
    window_max: u64,
    protected_max: u64,
    margin: u8,
    escape: bool,
    /// Hits in the current period.
    hits: u64,
    /// Hits of earlier periods, decayed.
    score: f64,
}

impl Miniature {
    fn new(config: Config, capacity: u64) -> Self {
        let window_max = ((capacity as f64 * config.window).ceil() as u64).clamp(1, capacity);
        let main = capacity - window_max;
        Self {
            nodes: Vec::new(),
            free: NIL,
            head: [NIL; 3],
            tail: [NIL; 3],
            weights: [0; 3],
            capacity,
            window_max,
            protected_max: (main as f64 * super::PROTECTED_SHARE) as u64,
            margin: config.margin,
            escape: config.escape,
            hits: 0,
            score: 0.0,
        }
    }

    /// Forgets every key, keeping the configuration and the score.
    fn clear(&mut self) {
        self.nodes.clear();
        self.free = NIL;
        self.head = [NIL; 3];
        self.tail = [NIL; 3];
        self.weights = [0; 3];
        self.hits = 0;
    }

    fn unlink(&mut self, at: u16) {
        let Node {
            prev,
            next,
            segment,
            weight,
            ..
        } = self.nodes[at as usize];
        let s = segment as usize;
        match prev {
            NIL => self.head[s] = next,
            prev => self.nodes[prev as usize].next = next,
        }
        match next {
            NIL => self.tail[s] = prev,
            next => self.nodes[next as usize].prev = prev,
        }
        self.weights[s] -= u64::from(weight);
    }

    fn push(&mut self, at: u16, segment: Segment) {
        let s = segment as usize;
        let tail = self.tail[s];
        let node = &mut self.nodes[at as usize];
        node.segment = segment;
        node.prev = tail;
        node.next = NIL;
        self.weights[s] += u64::from(node.weight);
        match tail {
            NIL => self.head[s] = at,
            tail => self.nodes[tail as usize].next = at,
        }
        self.tail[s] = at;
    }

    fn transfer(&mut self, at: u16, segment: Segment) {
        self.unlink(at);
        self.push(at, segment);
    }

    fn total(&self) -> u64 {
        self.weights.iter().sum()
    }

    /// Frees the node at `at` and reports its hash.
    fn evict(&mut self, at: u16, cx: &mut Context<'_>) {
        self.unlink(at);
        let node = &mut self.nodes[at as usize];
        cx.evicted.push((node.hash, cx.me));
        node.next = self.free;
        self.free = at;
    }

    /// Makes room for an entry of `weight`, as the real cache's victim
    /// choice does.
    fn make_room(&mut self, weight: u64, cx: &mut Context<'_>) {
        use Segment::*;
        while self.total() + weight > self.capacity
            || (self.free == NIL && self.nodes.len() >= MAX_NODES)
        {
            let main = match self.head[Probation as usize] {
                NIL => self.head[Protected as usize],
                at => at,
            };
            let candidate = self.head[Window as usize];
            let victim =
                if candidate != NIL && self.weights[Window as usize] + weight > self.window_max {
                    if main == NIL {
                        candidate
                    } else {
                        let c = cx
                            .sketch
                            .frequency_at(&cx.sketch.counters(self.nodes[candidate as usize].hash));
                        let v = cx
                            .sketch
                            .frequency_at(&cx.sketch.counters(self.nodes[main as usize].hash));
                        let admitted = super::admits(
                            c,
                            v,
                            self.margin,
                            self.escape,
                            cx.contests,
                            self.nodes[candidate as usize].hash,
                        );
                        if admitted {
                            self.transfer(candidate, Probation);
                            main
                        } else {
                            candidate
                        }
                    }
                } else if main != NIL {
                    main
                } else {
                    candidate
                };
            if victim == NIL {
                return;
            }
            self.evict(victim, cx);
        }
    }

    /// Replays one request: `at` is the key's node (or [`NIL`]); returns
    /// its node after the request.
    fn request(&mut self, at: u16, hash: u64, weight: u64, cx: &mut Context<'_>) -> u16 {
        use Segment::*;
        if at != NIL {
            self.hits += 1;
            match self.nodes[at as usize].segment {
                Probation => {
                    self.transfer(at, Protected);
                    while self.weights[Protected as usize] > self.protected_max {
                        let front = self.head[Protected as usize];
                        self.transfer(front, Probation);
                    }
                }
                segment => self.transfer(at, segment),
            }
            return at;
        }
        self.make_room(weight, cx);
        let node = Node {
            hash,
            weight: weight as u32, // at most the capacity, a u32
            prev: NIL,
            next: NIL,
            segment: Window,
        };
        let at = match self.free {
            NIL => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u16
            }
            free => {
                self.free = self.nodes[free as usize].next;
                self.nodes[free as usize] = node;
                free
            }
        };
        self.push(at, Window);
        while self.weights[Window as usize] > self.window_max {
            let front = self.head[Window as usize];
            self.transfer(front, Probation);
        }
        at
    }
}

/// The miniatures of one cache, one per [`CONFIGS`] entry.
#[derive(Clone, Debug)]
pub(super) struct Miniatures {
    /// A key is sampled when these bits of its hash, shifted right by
    /// 32, are all zero (bits no other structure of the cache selects on).
    mask: u64,
    index: HashTable<Slot>,
    minis: Vec<Miniature>,
    /// Sized on the first sampled request, so that a cache with a huge
    /// bound and few entries allocates nothing for its miniatures.
    sketch: FrequencySketch,
    mini_entries: usize,
    /// A period has ended.
    decided: bool,
    /// The configuration last decided on.
    chosen: Option<usize>,
    /// Sampled requests in the current period, and per period.
    requests: u64,
    period: u64,
    contests: u64,
    capacity: u64,
    evicted: Vec<(u64, usize)>,
}

impl Miniatures {
    /// Miniatures for a cache of `maxsize` whose entries weigh about
    /// `weight`; `None` when it is too small to sample.
    pub(super) fn new(maxsize: usize, weight: usize) -> Option<Box<Self>> {
        let entries = maxsize / weight.max(1);
        if entries < MIN_CACHE_ENTRIES {
            return None;
        }
        let shift = (entries / MIN_ENTRIES).max(1).ilog2().clamp(MIN_SHIFT, 32);
        let capacity = ((maxsize >> shift) as u64).min(u64::from(u32::MAX));
        let mini_entries = (entries >> shift).max(1);
        if mini_entries > MAX_ENTRIES {
            // Beyond what 32 bits of hash sample down: a bound this large
            // (2^40 entries and more) is no bound to tune for.
            return None;
        }
        Some(Box::new(Self {
            mask: (1u64 << shift) - 1,
            index: HashTable::new(),
            minis: CONFIGS
                .iter()
                .map(|&config| Miniature::new(config, capacity))
                .collect(),
            sketch: FrequencySketch::default(),
            mini_entries,
            decided: false,
            chosen: None,
            requests: 0,
            period: (mini_entries as u64).saturating_mul(PERIOD_FACTOR),
            contests: 0,
            capacity,
            evicted: Vec::new(),
        }))
    }

    /// A key is in the sample when these bits of its hash, shifted right
    /// by 32, are all zero.
    pub(super) fn mask(&self) -> u64 {
        self.mask
    }

    /// Forgets every key, keeping the configurations' scores.
    pub(super) fn clear(&mut self) {
        self.index.clear();
        self.sketch.clear();
        self.requests = 0;
        for mini in &mut self.minis {
            mini.clear();
        }
    }

    /// Replays a request for the sampled key of `hash`; at the end of a
    /// period returns the index of the best configuration.
    pub(super) fn request(&mut self, hash: u64, weight: usize) -> Option<usize> {
        let weight = weight.max(1) as u64;
        if weight <= self.capacity {
            if self.sketch.capacity() == 0 {
                self.sketch.ensure_capacity(self.mini_entries);
            }
            self.sketch.add(hash, 1);
            if self.sketch.record() {
                self.sketch.halve();
            }
            let mut slot = self.index.find_mut(remix(hash), |slot| slot.hash == hash);
            let mut at = slot.as_ref().map_or([NIL; COUNT], |slot| slot.at);
            let mut evicted = std::mem::take(&mut self.evicted);
            for (me, mini) in self.minis.iter_mut().enumerate() {
                let mut cx = Context {
                    sketch: &self.sketch,
                    contests: &mut self.contests,
                    evicted: &mut evicted,
                    me,
                };
                at[me] = mini.request(at[me], hash, weight, &mut cx);
            }
            let known = match slot.as_mut() {
                Some(slot) => {
                    slot.at = at;
                    true
                }
                None => false,
            };
            for (gone, me) in evicted.drain(..) {
                if let Ok(mut entry) = self.index.find_entry(remix(gone), |slot| slot.hash == gone)
                {
                    let slot = entry.get_mut();
                    slot.at[me] = NIL;
                    if slot.at.iter().all(|&at| at == NIL) {
                        entry.remove();
                    }
                }
            }
            self.evicted = evicted;
            if !known {
                self.index
                    .insert_unique(remix(hash), Slot { hash, at }, |slot| remix(slot.hash));
            }
        }
        self.requests += 1;
        if self.requests < self.period {
            if !self.decided && self.requests.is_power_of_two() && self.requests >= self.period >> 4
            {
                return self.early();
            }
            return None;
        }
        self.decide()
    }

    /// Ends a period: folds its hits into the scores and returns the
    /// configuration to run, if the period hit often enough to tell.
    fn decide(&mut self) -> Option<usize> {
        self.decided = true;
        self.requests = 0;
        let most = self.minis.iter().map(|mini| mini.hits).max().unwrap_or(0);
        for mini in self.minis.iter_mut() {
            mini.score = mini.score * DECAY + std::mem::take(&mut mini.hits) as f64;
        }
        if most * MIN_HIT_SHARE < self.period {
            return None;
        }
        let mut best = 0;
        for (i, mini) in self.minis.iter().enumerate() {
            if mini.score > self.minis[best].score {
                best = i;
            }
        }
        if self.minis[LRU].score * (1.0 + LRU_TIE) >= self.minis[best].score {
            best = LRU;
        }
        if let Some(chosen) = self.chosen {
            if self.minis[best].score <= self.minis[chosen].score * SWITCH_LEAD {
                best = chosen;
            }
        }
        self.chosen = Some(best);
        Some(best)
    }

    /// Before the first decision: the strict configuration (the first)
    /// if its miniature already hit [`EARLY_LEAD`] times as often as any
    /// other.
    fn early(&self) -> Option<usize> {
        let strict = self.minis[0].hits;
        if strict * MIN_HIT_SHARE < self.requests {
            return None;
        }
        let others = self.minis[1..]
            .iter()
            .map(|mini| mini.hits)
            .max()
            .unwrap_or(0);
        (strict as f64 > others as f64 * EARLY_LEAD).then_some(0)
    }

    /// Heap bytes.
    pub(super) fn allocated_bytes(&self) -> usize {
        self.sketch.allocated_bytes()
            + self.index.capacity() * std::mem::size_of::<Slot>()
            + self
                .minis
                .iter()
                .map(|mini| mini.nodes.capacity() * std::mem::size_of::<Node>())
                .sum::<usize>()
            + self.evicted.capacity() * std::mem::size_of::<(u64, usize)>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};

    use proptest::prelude::*;

    use super::*;

    /// A hash in the sample of miniatures whose mask is `mask`.
    fn sampled(key: u64, mask: u64) -> u64 {
        let hash = remix(key);
        hash & !(mask << 32)
    }

    /// Keys of each segment of `mini`, least recent first, checking the
    /// links both ways and the segment totals on the way.
    fn segments(mini: &Miniature) -> [Vec<u64>; 3] {
        let mut lists: [Vec<u64>; 3] = Default::default();
        for (s, list) in lists.iter_mut().enumerate() {
            let (mut at, mut prev, mut weight) = (mini.head[s], NIL, 0);
            while at != NIL {
                let node = mini.nodes[at as usize];
                assert_eq!(node.prev, prev);
                assert_eq!(node.segment as usize, s);
                list.push(node.hash);
                weight += u64::from(node.weight);
                (prev, at) = (at, node.next);
            }
            assert_eq!(mini.tail[s], prev);
            assert_eq!(mini.weights[s], weight);
        }
        lists
    }

    #[test]
    fn a_miniature_with_a_whole_window_is_an_lru() {
        assert_eq!(CONFIGS[LRU].window, 1.0);
        let mut mini = Miniature::new(CONFIGS[LRU], 50);
        let sketch = FrequencySketch::default();
        let (mut contests, mut evicted) = (0, Vec::new());
        let mut model: VecDeque<u64> = VecDeque::new();
        let mut at: BTreeMap<u64, u16> = BTreeMap::new();
        let (mut hits, mut model_hits) = (0, 0);
        let mut x = 1u64;
        for _ in 0..20_000 {
            x = remix(x);
            let key = x % 80;
            let before = mini.hits;
            let place = at.get(&key).copied().unwrap_or(NIL);
            let mut cx = Context {
                sketch: &sketch,
                contests: &mut contests,
                evicted: &mut evicted,
                me: 0,
            };
            let now = mini.request(place, key, 1, &mut cx);
            at.insert(key, now);
            for (gone, _) in evicted.drain(..) {
                at.remove(&gone);
            }
            hits += mini.hits - before;
            if let Some(i) = model.iter().position(|&k| k == key) {
                model.remove(i);
                model_hits += 1;
            } else if model.len() == 50 {
                model.pop_front();
            }
            model.push_back(key);
            assert_eq!(segments(&mini)[0], Vec::from(model.clone()));
        }
        assert_eq!(hits, model_hits);
        assert!(hits > 5_000, "{hits}");
    }

    /// The decision at the end of a period in which the miniatures hit
    /// `hits` times, the configuration `chosen` before.
    fn decision(hits: [u64; COUNT], chosen: Option<usize>) -> Option<usize> {
        let mut minis = Miniatures::new(4_096, 1).unwrap();
        for (mini, hits) in minis.minis.iter_mut().zip(hits) {
            mini.hits = hits;
        }
        minis.chosen = chosen;
        minis.decide()
    }

    #[test]
    fn a_decision_takes_the_best_but_the_lru_on_a_near_tie() {
        // 4,096 entries: miniatures of 128, a period of 40 x 128 sampled
        // requests; no decision unless one miniature hit at least one in
        // 16 (320).
        assert_eq!(Miniatures::new(4_096, 1).unwrap().period, 5_120);
        assert_eq!(decision([319, 100, 100, 100], None), None);
        assert_eq!(decision([320, 100, 100, 100], None), Some(0));
        assert_eq!(decision([900, 1_000, 990, 980], None), Some(1));
        // Within half a percent of the best, the LRU.
        assert_eq!(decision([900, 1_000, 990, 996], None), Some(LRU));
        assert_eq!(decision([1_000, 900, 990, 996], None), Some(LRU));
        assert_eq!(decision([1_000, 900, 990, 994], None), Some(0));
        // Leaving what was chosen takes a 3% lead.
        assert_eq!(decision([1_000, 1_030, 990, 900], Some(0)), Some(0));
        assert_eq!(decision([1_000, 1_031, 990, 900], Some(0)), Some(1));
        assert_eq!(decision([1_000, 1_031, 990, 1_030], Some(2)), Some(LRU));
    }

    proptest! {
        /// Every miniature keeps within its capacity, its lists and totals
        /// agree, and the shared index knows exactly the keys some
        /// miniature holds, where each holds it.
        #[test]
        fn the_index_follows_every_miniature(
            requests in prop::collection::vec((0u64..300, 1usize..5), 1..2_000),
        ) {
            let mut minis = Miniatures::new(4_096, 1).unwrap();
            let mask = minis.mask();
            for &(key, weight) in &requests {
                minis.request(sampled(key, mask), weight);
            }
            let mut held: BTreeMap<u64, [u16; COUNT]> = BTreeMap::new();
            for (me, mini) in minis.minis.iter().enumerate() {
                let lists = segments(mini);
                prop_assert!(mini.total() <= mini.capacity);
                for (s, at) in mini.head.iter().enumerate() {
                    let mut at = *at;
                    while at != NIL {
                        let node = mini.nodes[at as usize];
                        held.entry(node.hash).or_insert([NIL; COUNT])[me] = at;
                        at = node.next;
                    }
                    prop_assert!(lists[s].len() <= MAX_NODES);
                }
            }
            let index: BTreeMap<u64, [u16; COUNT]> =
                minis.index.iter().map(|slot| (slot.hash, slot.at)).collect();
            prop_assert_eq!(index, held);
        }
    }

    /// `requests` replayed through a TinyLFU cache of `maxsize`.
    fn replay(
        maxsize: usize,
        requests: impl Iterator<Item = u64>,
    ) -> super::super::TinyLfuCache<u64, ()> {
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut cache = super::super::TinyLfuCache::builder(maxsize)
            .hasher(hasher)
            .build();
        for key in requests {
            if cache.get(&key).is_none() {
                cache.insert(key, ());
            }
        }
        cache
    }

    #[test]
    fn a_loop_larger_than_the_cache_turns_admission_strict() {
        // 2,048 entries: miniatures of 128 sample one key in 16, and a
        // decision falls every 5,120 sampled requests (82,000 requests),
        // but the strict configuration leads by far long before.
        let early = replay(2_048, (0..20_000).map(|i| i % 3_000));
        assert_eq!(early.policy().margin, 1);
        let cache = replay(2_048, (0..400_000).map(|i| i % 3_000));
        let policy = cache.policy();
        assert_eq!((policy.margin, policy.no_escape), (1, true));
        assert!(policy.window_target() <= 2, "{}", policy.window_target());
        // The loop's hits: at most 2,047 of every 3,000 requests, and the
        // cache keeps close to that once it decided.
        let tail = replay_hits(cache, (400_000..700_000).map(|i| i % 3_000));
        assert!(tail > 300_000 * 2_000 / 3_000, "{tail}");
    }

    fn replay_hits(
        mut cache: super::super::TinyLfuCache<u64, ()>,
        requests: impl Iterator<Item = u64>,
    ) -> u64 {
        let mut hits = 0;
        for key in requests {
            if cache.get(&key).is_some() {
                hits += 1;
            } else {
                cache.insert(key, ());
            }
        }
        hits
    }

    #[test]
    fn reuse_within_the_cache_but_beyond_half_of_it_grows_the_window() {
        // Every key is asked for twice, 1,600 requests apart, in a cache
        // of 2,048: only recency keeps it (its estimate when it would be
        // admitted is one, lower than any entry hit before), so an LRU
        // hits every second request and a small window almost none.
        let requests = (0..600_000u64).map(|i| {
            let (block, offset) = (i / 3_200, i % 3_200);
            block * 1_600 + offset % 1_600
        });
        let cache = replay(2_048, requests);
        let policy = cache.policy();
        assert_eq!((policy.margin, policy.no_escape), (0, false));
        assert!(policy.window_target() > 1_024, "{}", policy.window_target());
        // The miniatures chose the LRU: the window is the whole cache,
        // and no ghost took an entry off it.
        assert_eq!(policy.window_target(), 2_048);
    }
}
