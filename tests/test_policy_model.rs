//! Every policy against a simple reference model: a `Vec` of entries kept
//! in policy order, driven by random operation sequences with weights.
//! After every operation the cache and the model must agree on the result,
//! `len`, `currsize`, the stored pairs, the statistics and the evictions
//! reported to the listener; at the end, draining with `pop_victim` must
//! yield exactly the model's eviction order.

use std::sync::{Arc, Mutex};

use cachekit::{
    Cache, FifoCache, LfuCache, LruCache, MruCache, PolicyCache, RemovalCause, Rr, RrCache,
    UnboundedCache,
};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Lru,
    Lfu,
    Fifo,
    Mru,
    Rr,
    Unbounded,
}

/// Values carry their weight: `(id, weight)`.
type Value = (u32, usize);

#[derive(Clone, Debug)]
struct Entry {
    key: u8,
    value: Value,
    /// LFU: use count, and when it was reached (ties: earliest first).
    count: u64,
    tick: u64,
}

/// The reference: entries in policy order (the back is the most recent
/// use, or the last insertion); LFU picks by `(count, tick)`, RR keeps the
/// documented key list with swap-removal and draws with the same generator.
struct Model {
    kind: Kind,
    maxsize: usize,
    entries: Vec<Entry>,
    tick: u64,
    rng: u64,
    hits: u64,
    misses: u64,
    evictions: Vec<(u8, Value, RemovalCause)>,
}

impl Model {
    fn new(kind: Kind, maxsize: usize, seed: u64) -> Self {
        Model {
            kind,
            maxsize,
            entries: Vec::new(),
            tick: 0,
            rng: seed,
            hits: 0,
            misses: 0,
            evictions: Vec::new(),
        }
    }

    fn currsize(&self) -> usize {
        self.entries.iter().map(|e| e.value.1).sum()
    }

    fn find(&self, key: u8) -> Option<usize> {
        self.entries.iter().position(|e| e.key == key)
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// wyrand, as `Rr` documents.
    fn below(&mut self, n: usize) -> usize {
        self.rng = self.rng.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.rng) * u128::from(self.rng ^ 0xe703_7ed1_a0b4_28db);
        let r = ((t >> 64) as u64) ^ (t as u64);
        ((u128::from(r) * n as u128) >> 64) as usize
    }

    fn victim(&mut self) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        Some(match self.kind {
            Kind::Lru | Kind::Fifo | Kind::Unbounded => 0,
            Kind::Mru => self.entries.len() - 1,
            Kind::Lfu => {
                let (i, _) = self
                    .entries
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, e)| (e.count, e.tick))
                    .unwrap();
                i
            }
            Kind::Rr => self.below(self.entries.len()),
        })
    }

    fn remove_at(&mut self, i: usize) -> Entry {
        match self.kind {
            Kind::Rr => self.entries.swap_remove(i),
            _ => self.entries.remove(i),
        }
    }

    fn move_to_back(&mut self, i: usize) {
        let entry = self.entries.remove(i);
        self.entries.push(entry);
    }

    fn count_use(&mut self, i: usize) {
        let tick = self.next_tick();
        self.entries[i].count += 1;
        self.entries[i].tick = tick;
    }

    fn hit(&mut self, i: usize) {
        match self.kind {
            Kind::Lru | Kind::Mru => self.move_to_back(i),
            Kind::Lfu => self.count_use(i),
            Kind::Fifo | Kind::Rr | Kind::Unbounded => {}
        }
    }

    fn updated(&mut self, i: usize) {
        match self.kind {
            Kind::Lru | Kind::Mru | Kind::Fifo => self.move_to_back(i),
            Kind::Lfu => self.count_use(i),
            Kind::Rr | Kind::Unbounded => {}
        }
    }

    fn push_new(&mut self, key: u8, value: Value) {
        let tick = self.next_tick();
        self.entries.push(Entry {
            key,
            value,
            count: 1,
            tick,
        });
    }

    fn evict(&mut self, i: usize) {
        let e = self.remove_at(i);
        self.evictions.push((e.key, e.value, RemovalCause::Evicted));
    }

    fn make_room(&mut self, weight: usize) {
        while weight > self.maxsize - self.currsize() {
            match self.victim() {
                Some(i) => self.evict(i),
                None => break,
            }
        }
    }

    fn insert(&mut self, key: u8, value: Value) -> Option<Value> {
        let weight = value.1;
        if weight > self.maxsize {
            self.evictions.push((key, value, RemovalCause::TooLarge));
            return None;
        }
        let Some(i) = self.find(key) else {
            self.make_room(weight);
            self.push_new(key, value);
            return None;
        };
        let old_weight = self.entries[i].value.1;
        if weight > old_weight {
            while self.currsize() - old_weight + weight > self.maxsize {
                let Some(v) = self.victim() else { break };
                if self.entries[v].key == key {
                    let old = self.remove_at(v);
                    self.make_room(weight);
                    self.push_new(key, value);
                    return Some(old.value);
                }
                self.evict(v);
            }
        }
        let i = self.find(key).unwrap();
        let old = std::mem::replace(&mut self.entries[i].value, value);
        self.updated(i);
        Some(old)
    }

    fn get(&mut self, key: u8) -> Option<Value> {
        match self.find(key) {
            Some(i) => {
                self.hits += 1;
                let value = self.entries[i].value;
                self.hit(i);
                Some(value)
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    fn pop_victim(&mut self) -> Option<(u8, Value)> {
        let i = self.victim()?;
        let e = self.remove_at(i);
        Some((e.key, e.value))
    }

    fn set_maxsize(&mut self, maxsize: usize) {
        self.maxsize = maxsize;
        while self.currsize() > self.maxsize {
            match self.victim() {
                Some(i) => self.evict(i),
                None => break,
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Insert(u8, u32, usize),
    Get(u8),
    GetMut(u8),
    Peek(u8),
    Contains(u8),
    Remove(u8),
    PopVictim,
    GetOrInsert(u8, u32, usize),
    Retain,
    SetMaxsize(usize),
    Clear,
}

fn op(maxsize: usize) -> impl Strategy<Value = Op> {
    let key = 0u8..16;
    let weight = 0..=maxsize + 2;
    prop_oneof![
        6 => (key.clone(), any::<u32>(), weight.clone()).prop_map(|(k, v, w)| Op::Insert(k, v, w)),
        5 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::GetMut),
        1 => key.clone().prop_map(Op::Peek),
        1 => key.clone().prop_map(Op::Contains),
        2 => key.clone().prop_map(Op::Remove),
        1 => Just(Op::PopVictim),
        2 => (key, any::<u32>(), weight).prop_map(|(k, v, w)| Op::GetOrInsert(k, v, w)),
        1 => Just(Op::Retain),
        1 => (0..=maxsize + 2).prop_map(Op::SetMaxsize),
        1 => Just(Op::Clear),
    ]
}

type Events = Arc<Mutex<Vec<(u8, Value, RemovalCause)>>>;

type Weigh = fn(&u8, &Value) -> usize;
type Under<P> = PolicyCache<u8, Value, P, cachekit::DefaultHashBuilder, Weigh>;

fn weigh(_: &u8, value: &Value) -> usize {
    value.1
}

/// A cache of `maxsize` whose listener records into the returned events.
fn make<P: cachekit::Policy<u8, Value>>(
    builder: cachekit::Builder<u8, Value, P>,
) -> (Under<P>, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let cache = builder
        .weigher(weigh as Weigh)
        .listener(move |k, v, cause| sink.lock().unwrap().push((k, v, cause)))
        .build();
    (cache, events)
}

fn run<P>(
    kind: Kind,
    (mut cache, events): (Under<P>, Events),
    seed: u64,
    ops: Vec<Op>,
) -> Result<(), TestCaseError>
where
    P: cachekit::Policy<u8, Value>,
{
    let mut model = Model::new(kind, cache.maxsize(), seed);
    for op in ops {
        match op.clone() {
            Op::Insert(k, v, w) => {
                prop_assert_eq!(cache.insert(k, (v, w)), model.insert(k, (v, w)), "{:?}", op)
            }
            Op::Get(k) => prop_assert_eq!(cache.get(&k).copied(), model.get(k)),
            Op::GetMut(k) => {
                let got = cache.get_mut(&k).map(|v| {
                    v.0 = v.0.wrapping_add(1);
                    *v
                });
                let expected = model.get(k).map(|_| {
                    let i = model.find(k).unwrap();
                    model.entries[i].value.0 = model.entries[i].value.0.wrapping_add(1);
                    model.entries[i].value
                });
                prop_assert_eq!(got, expected);
            }
            Op::Peek(k) => prop_assert_eq!(
                cache.peek(&k).copied(),
                model.find(k).map(|i| model.entries[i].value)
            ),
            Op::Contains(k) => prop_assert_eq!(cache.contains_key(&k), model.find(k).is_some()),
            Op::Remove(k) => prop_assert_eq!(
                cache.remove(&k),
                model.find(k).map(|i| model.remove_at(i).value)
            ),
            Op::PopVictim => prop_assert_eq!(cache.pop_victim(), model.pop_victim()),
            Op::GetOrInsert(k, v, w) => {
                let got = cache
                    .get_or_insert_with(k, || (v, w))
                    .copied()
                    .map_err(|e| e.cause);
                let expected = match model.get(k) {
                    Some(found) => Ok(found),
                    None if w > model.maxsize => {
                        model.evictions.push((k, (v, w), RemovalCause::TooLarge));
                        Err(RemovalCause::TooLarge)
                    }
                    None => {
                        model.insert(k, (v, w));
                        Ok((v, w))
                    }
                };
                // A refused entry is handed back, not reported.
                if expected.is_err() {
                    model.evictions.pop();
                }
                prop_assert_eq!(got, expected);
            }
            Op::Retain => {
                // What the predicate rejects goes to the listener as
                // `Removed`, in storage order: compared by key.
                let before = events.lock().unwrap().len();
                cache.retain(|k, v| !(k + v.1 as u8).is_multiple_of(3));
                events.lock().unwrap()[before..].sort_unstable_by_key(|e| e.0);
                let rejected = |e: &Entry| (e.key + e.value.1 as u8).is_multiple_of(3);
                let mut removed: Vec<_> = model
                    .entries
                    .iter()
                    .filter(|e| rejected(e))
                    .map(|e| (e.key, e.value, RemovalCause::Removed))
                    .collect();
                removed.sort_unstable_by_key(|e| e.0);
                model.evictions.extend(removed);
                model.entries.retain(|e| !rejected(e));
            }
            Op::SetMaxsize(n) => {
                cache.set_maxsize(n);
                model.set_maxsize(n);
            }
            Op::Clear => {
                cache.clear();
                model.entries.clear();
            }
        }
        prop_assert_eq!(cache.len(), model.entries.len());
        prop_assert_eq!(cache.currsize(), model.currsize());
        prop_assert!(cache.currsize() <= cache.maxsize());
        let mut pairs: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
        pairs.sort_unstable();
        let mut expected: Vec<_> = model.entries.iter().map(|e| (e.key, e.value)).collect();
        expected.sort_unstable();
        prop_assert_eq!(pairs, expected);
        let stats = cache.stats();
        prop_assert_eq!((stats.hits, stats.misses), (model.hits, model.misses));
        let evicted = model
            .evictions
            .iter()
            .filter(|e| e.2 == RemovalCause::Evicted)
            .count() as u64;
        prop_assert_eq!(stats.evictions, evicted);
        prop_assert_eq!(&*events.lock().unwrap(), &model.evictions);
    }
    // Draining reveals the full eviction order.
    loop {
        let (got, expected) = (cache.pop_victim(), model.pop_victim());
        prop_assert_eq!(got, expected);
        if got.is_none() {
            break;
        }
    }
    Ok(())
}

fn case() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (0usize..=10)
        .prop_flat_map(|maxsize| (Just(maxsize), prop::collection::vec(op(maxsize), 0..64)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lru_matches_the_model((maxsize, ops) in case()) {
        run(Kind::Lru, make(LruCache::builder(maxsize)), 0, ops)?;
    }

    #[test]
    fn lfu_matches_the_model((maxsize, ops) in case()) {
        run(Kind::Lfu, make(LfuCache::builder(maxsize)), 0, ops)?;
    }

    #[test]
    fn fifo_matches_the_model((maxsize, ops) in case()) {
        run(Kind::Fifo, make(FifoCache::builder(maxsize)), 0, ops)?;
    }

    #[test]
    fn mru_matches_the_model((maxsize, ops) in case()) {
        run(Kind::Mru, make(MruCache::builder(maxsize)), 0, ops)?;
    }

    #[test]
    fn rr_matches_the_model((maxsize, ops) in case(), seed in any::<u64>()) {
        // `retain` removes in storage order, which the model does not track.
        let ops = ops.into_iter().filter(|op| !matches!(op, Op::Retain)).collect();
        run(Kind::Rr, make(RrCache::builder(maxsize).policy(Rr::with_seed(seed))), seed, ops)?;
    }

    #[test]
    fn unbounded_matches_the_model((_, ops) in case()) {
        run(Kind::Unbounded, make(UnboundedCache::builder(usize::MAX)), 0, ops)?;
    }
}

/// The generic trait sees the same cache.
#[test]
fn the_cache_trait_is_the_inherent_api() {
    fn fill<C: Cache<u8, Value>>(cache: &mut C) -> Vec<u8> {
        for k in 0..5 {
            cache.insert(k, (u32::from(k), 1));
        }
        cache.get(&0);
        cache.insert(9, (9, 1));
        let mut keys: Vec<u8> = (0..10).filter(|k| cache.contains_key(k)).collect();
        keys.sort_unstable();
        keys
    }
    assert_eq!(fill(&mut LruCache::new(5)), [0, 2, 3, 4, 9]);
    assert_eq!(fill(&mut FifoCache::new(5)), [1, 2, 3, 4, 9]);
    assert_eq!(fill(&mut hashbrown::HashMap::new()), [0, 1, 2, 3, 4, 9]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Long runs, so that LRU's use queue is compacted many times.
    #[test]
    fn lru_matches_the_model_over_long_runs(
        (maxsize, ops) in (1usize..=12).prop_flat_map(|maxsize| {
            (Just(maxsize), prop::collection::vec(op(maxsize), 500..3000))
        })
    ) {
        run(Kind::Lru, make(LruCache::builder(maxsize)), 0, ops)?;
    }
}
