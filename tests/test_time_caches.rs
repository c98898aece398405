//! `TtlCache` and `TlruCache`: cachetools' `test_ttl.py` and `test_tlru.py`
//! ported with a manual clock (one tick = one second, never a `sleep`),
//! then both caches against a model with explicit time steps.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cachekit::{Cache, ManualClock, RemovalCause, TlruCache, TtlCache};
use proptest::prelude::*;

const TICK: Duration = Duration::from_secs(1);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn keys<C: Cache<i32, i32>>(cache: &C) -> BTreeSet<i32> {
    let mut keys = BTreeSet::new();
    cache.for_each(|k, _| {
        keys.insert(*k);
    });
    keys
}

fn set(keys: &[i32]) -> BTreeSet<i32> {
    keys.iter().copied().collect()
}

mod ttl {
    use super::*;

    #[test]
    fn ttl() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(2, secs(2), clock.clone());
        assert_eq!(cache.ttl(), secs(2));
        cache.insert(1, 1);
        assert_eq!(cache.get(&1), Some(&1));
        assert_eq!((cache.len(), keys(&cache)), (1, set(&[1])));
        clock.advance(TICK);
        assert_eq!(cache.get(&1), Some(&1));
        cache.insert(2, 2);
        assert_eq!(cache.get(&1), Some(&1));
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!((cache.len(), keys(&cache)), (2, set(&[1, 2])));
        clock.advance(TICK);
        assert!(!cache.contains_key(&1));
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!((cache.len(), keys(&cache)), (1, set(&[2])));
        cache.insert(3, 3);
        assert!(!cache.contains_key(&1));
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!(cache.get(&3), Some(&3));
        assert_eq!((cache.len(), keys(&cache)), (2, set(&[2, 3])));
        clock.advance(TICK);
        assert!(!cache.contains_key(&1) && !cache.contains_key(&2));
        assert_eq!(cache.get(&3), Some(&3));
        assert_eq!((cache.len(), keys(&cache)), (1, set(&[3])));
        clock.advance(TICK);
        assert!(!cache.contains_key(&3));
        // Deleting an expired key reports "not found".
        assert_eq!(cache.remove(&1), None);
        assert_eq!(cache.remove(&2), None);
        assert_eq!(cache.remove(&3), None);
        assert_eq!((cache.len(), keys(&cache)), (0, set(&[])));
    }

    #[test]
    fn ttl_lru() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(2, secs(1), clock);
        cache.insert(1, 1);
        cache.insert(2, 2);
        cache.insert(3, 3);
        assert_eq!(cache.len(), 2);
        assert!(!cache.contains_key(&1));
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!(cache.get(&3), Some(&3));
        cache.get(&2);
        cache.insert(4, 4);
        assert!(!cache.contains_key(&3));
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!(cache.get(&4), Some(&4));
        cache.insert(5, 5);
        assert!(!cache.contains_key(&2));
        assert_eq!(cache.get(&4), Some(&4));
        assert_eq!(cache.get(&5), Some(&5));
    }

    #[test]
    fn ttl_expire() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(3, secs(3), clock.clone());
        cache.insert(1, 1);
        clock.advance(TICK);
        cache.insert(2, 2);
        clock.advance(TICK);
        cache.insert(3, 3);
        assert_eq!((cache.len(), keys(&cache)), (3, set(&[1, 2, 3])));
        assert_eq!(cache.expire(), []);
        assert_eq!(cache.len(), 3);
        clock.advance(TICK); // t = 3: key 1 (inserted at 0) expires
        assert_eq!(cache.expire(), [(1, 1)]);
        assert_eq!(keys(&cache), set(&[2, 3]));
        clock.advance(TICK);
        assert_eq!(cache.expire(), [(2, 2)]);
        clock.advance(TICK);
        assert_eq!(cache.expire(), [(3, 3)]);
        assert_eq!((cache.len(), cache.currsize()), (0, 0));
    }

    #[test]
    fn expire_returns_everything_in_deadline_order() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(10, secs(5), clock.clone());
        for i in 0..4 {
            cache.insert(i, i);
            clock.advance(TICK);
        }
        cache.insert(0, 100); // re-inserting resets the deadline
        clock.advance(secs(10));
        assert_eq!(cache.expire(), [(1, 1), (2, 2), (3, 3), (0, 100)]);
        assert_eq!(cache.stats().expirations, 4);
    }

    #[test]
    fn iteration_skips_expired_entries_without_removing_them() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(2, secs(2), clock.clone());
        cache.insert(1, 1);
        clock.advance(TICK);
        cache.insert(2, 2);
        clock.advance(TICK);
        assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!((cache.len(), cache.currsize()), (1, 1));
        assert_eq!(cache.expire(), [(1, 1)]);
        assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn a_read_does_not_extend_and_a_reinsert_resets() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(4, secs(10), clock.clone());
        cache.insert("a", 1);
        cache.insert("b", 1);
        clock.advance(secs(9));
        assert_eq!(cache.get("a"), Some(&1));
        cache.insert("b", 2);
        clock.advance(TICK);
        assert_eq!(cache.get("a"), None, "expires exactly at ttl");
        assert_eq!(cache.get("b"), Some(&2));
        assert_eq!(cache.peek("a"), None);
        assert_eq!(cache.stats().misses, 1);
    }

    #[test]
    fn stale_entries_never_push_out_live_ones() {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let clock = ManualClock::new();
        let mut cache = TtlCache::builder_with_clock(3, secs(5), clock.clone())
            .listener(move |k, v, cause| sink.lock().unwrap().push((k, v, cause)))
            .build();
        cache.insert(1, 1);
        cache.insert(2, 2);
        clock.advance(secs(3));
        cache.insert(3, 3);
        clock.advance(secs(2)); // 1 and 2 are stale, 3 is live
        cache.insert(4, 4);
        cache.insert(5, 5);
        assert_eq!(keys(&cache), set(&[3, 4, 5]));
        assert_eq!(
            *events.lock().unwrap(),
            [(1, 1, RemovalCause::Expired), (2, 2, RemovalCause::Expired)]
        );
        let stats = cache.stats();
        assert_eq!((stats.expirations, stats.evictions), (2, 0));
    }

    #[test]
    fn ttl_zero_stores_nothing_and_removes_the_old_entry() {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let clock = ManualClock::new();
        let mut cache = TtlCache::builder_with_clock(3, Duration::ZERO, clock.clone())
            .listener(move |k, v, cause| sink.lock().unwrap().push((k, v, cause)))
            .build();
        assert_eq!(cache.insert(1, 1), None);
        assert_eq!((cache.len(), cache.currsize()), (0, 0));
        assert_eq!(*events.lock().unwrap(), [(1, 1, RemovalCause::Expired)]);
        let err = cache.get_or_insert_with(2, || 2).unwrap_err();
        assert_eq!(
            (err.key, err.value, err.cause),
            (2, 2, RemovalCause::Expired)
        );
    }

    #[test]
    fn atomic_with_an_auto_advancing_clock() {
        // cachetools' `Timer(auto=True)`: time moves on every reading.
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(1, secs(2), clock.clone());
        cache.insert(1, 1);
        clock.advance(TICK);
        assert_eq!(cache.get(&1), Some(&1));
        cache.insert(1, 1);
        clock.advance(TICK);
        assert_eq!(cache.remove(&1), Some(1));
        cache.insert(1, 1);
        cache.clear();
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn tuple_keys_and_borrowed_lookups() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(1, secs(1), clock.clone());
        cache.insert(("eur".to_string(), 3u32), 42);
        assert_eq!(cache.get(&cachekit::KeyRef(("eur", &3u32))), Some(&42));
        clock.advance(TICK);
        assert_eq!(cache.get(&cachekit::KeyRef(("eur", &3u32))), None);
    }

    #[test]
    fn frozen_time_holds_one_instant() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::with_clock(10, secs(1), clock.clone());
        cache.insert(1, 1);
        let seen = cache.with_frozen_time(|cache, now| {
            clock.advance(secs(5)); // the batch still sees `now`
            let inner = cache.with_frozen_time(|_, inner| inner);
            (cache.get(&1).copied(), now, inner)
        });
        assert_eq!(seen.0, Some(1));
        assert_eq!(seen.1, seen.2, "nesting keeps the outer instant");
        assert_eq!(cache.get(&1), None, "time moves again after the batch");
        let mut guard = cache.freeze_time();
        guard.insert(2, 2);
        clock.advance(secs(5));
        assert_eq!(guard.get(&2), Some(&2));
        drop(guard);
        assert_eq!(cache.get(&2), None);
    }

    #[test]
    fn weighted_and_too_large() {
        let clock = ManualClock::new();
        let mut cache = TtlCache::builder_with_clock(10, secs(5), clock.clone())
            .weigher(|_: &u32, v: &Vec<u8>| v.len())
            .build();
        cache.insert(1, vec![0; 6]);
        assert!(cache.try_insert(2, vec![0; 11]).is_err());
        cache.insert(2, vec![0; 6]); // evicts 1
        assert_eq!((cache.len(), cache.currsize()), (1, 6));
        clock.advance(secs(5));
        assert_eq!(cache.currsize(), 0);
        assert_eq!(cache.pop_victim(), None);
    }
}

mod tlru {
    use super::*;

    fn after(now: Instant, ticks: i32) -> Instant {
        if ticks >= 0 {
            now + secs(ticks as u64)
        } else {
            now.checked_sub(secs(ticks.unsigned_abs() as u64))
                .unwrap_or(now)
        }
    }

    #[test]
    fn ttu() {
        let clock = ManualClock::new();
        let mut cache = TlruCache::with_clock(
            6,
            |_: &i32, v: &i32, now: Instant| after(now, v + 1),
            clock.clone(),
        );
        cache.insert(1, 1);
        assert_eq!(cache.get(&1), Some(&1));
        clock.advance(TICK);
        assert_eq!(cache.get(&1), Some(&1));
        cache.insert(2, 2);
        assert_eq!(keys(&cache), set(&[1, 2]));
        clock.advance(TICK);
        assert!(!cache.contains_key(&1));
        assert_eq!(cache.get(&2), Some(&2));
        cache.insert(3, 3);
        assert_eq!(keys(&cache), set(&[2, 3]));
        clock.advance(TICK);
        assert_eq!(cache.get(&2), Some(&2));
        assert_eq!(cache.get(&3), Some(&3));
        cache.insert(1, 1);
        assert_eq!((cache.len(), keys(&cache)), (3, set(&[1, 2, 3])));
        clock.advance(TICK);
        assert_eq!(cache.get(&1), Some(&1));
        assert!(!cache.contains_key(&2));
        assert_eq!(keys(&cache), set(&[1, 3]));
        clock.advance(TICK);
        assert_eq!(keys(&cache), set(&[3]));
        clock.advance(TICK);
        assert_eq!(keys(&cache), set(&[]));
        assert_eq!(cache.remove(&3), None);
    }

    #[test]
    fn ttu_lru() {
        let clock = ManualClock::new();
        let mut cache = TlruCache::with_clock(2, |_: &i32, _: &i32, now| after(now, 1), clock);
        cache.insert(1, 1);
        cache.insert(2, 2);
        cache.insert(3, 3);
        assert!(!cache.contains_key(&1));
        cache.get(&2);
        cache.insert(4, 4);
        assert!(!cache.contains_key(&3));
        assert!(cache.contains_key(&2) && cache.contains_key(&4));
        cache.insert(5, 5);
        assert!(!cache.contains_key(&2));
    }

    #[test]
    fn overwrite_existing_with_expired() {
        let clock = ManualClock::new();
        let mut cache = TlruCache::with_clock(2, |_: &i32, v: &i32, now| after(now, *v), clock);
        cache.insert(1, 5);
        assert_eq!(cache.get(&1), Some(&5));
        // Dead on arrival: nothing stored, and the old value does not stay.
        assert_eq!(cache.insert(1, 0), Some(5));
        assert!(!cache.contains_key(&1));
        assert_eq!((cache.len(), cache.currsize()), (0, 0));
    }

    #[test]
    fn ttu_expire_and_iteration() {
        let clock = ManualClock::new();
        let mut cache =
            TlruCache::with_clock(3, |_: &i32, _: &i32, now| after(now, 3), clock.clone());
        cache.insert(1, 1);
        clock.advance(TICK);
        cache.insert(2, 2);
        clock.advance(TICK);
        cache.insert(3, 3);
        assert_eq!(cache.expire(), []);
        clock.advance(TICK);
        assert_eq!(cache.keys().copied().collect::<BTreeSet<_>>(), set(&[2, 3]));
        assert_eq!(cache.expire(), [(1, 1)]);
        clock.advance(TICK);
        assert_eq!(cache.expire(), [(2, 2)]);
        clock.advance(TICK);
        assert_eq!(cache.expire(), [(3, 3)]);
    }

    #[test]
    fn ttu_expired_on_arrival() {
        let clock = ManualClock::new();
        let mut cache = TlruCache::with_clock(1, |k: &i32, _: &(), now| after(now, *k), clock);
        cache.insert(1, ());
        cache.insert(0, ());
        assert!(!cache.contains_key(&0));
        assert_eq!(cache.get(&1), Some(&()));
        cache.insert(-1, ());
        assert!(!cache.contains_key(&-1));
        assert_eq!((cache.len(), cache.get(&1)), (1, Some(&())));
    }

    #[test]
    fn reverse_insert_expires_earliest_first() {
        let clock = ManualClock::new();
        let mut cache =
            TlruCache::with_clock(4, |_: &i32, v: &i32, now| after(now, *v), clock.clone());
        for v in [3, 2, 1, 0] {
            cache.insert(v, v);
        }
        assert_eq!(keys(&cache), set(&[1, 2, 3]));
        clock.advance(TICK);
        assert_eq!(keys(&cache), set(&[2, 3]));
        clock.advance(TICK);
        assert_eq!(keys(&cache), set(&[3]));
        clock.advance(TICK);
        assert_eq!(keys(&cache), set(&[]));
    }

    #[test]
    fn replacements_leave_no_stale_deadlines() {
        let clock = ManualClock::new();
        let mut cache =
            TlruCache::with_clock(4, |_: &i32, _: &i32, now| after(now, 1), clock.clone());
        cache.insert(1, 1);
        cache.insert(2, 2);
        for i in 0..5 {
            cache.insert(1, 10 + i);
            cache.insert(2, 20 + i);
        }
        assert_eq!(cache.expire(), []);
        assert_eq!(cache.get(&1), Some(&14));
        assert_eq!(cache.get(&2), Some(&24));
        cache.insert(3, 3);
        cache.insert(4, 4);
        clock.advance(TICK);
        assert_eq!(cache.expire().len(), 4);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn per_entry_deadlines_expire_in_deadline_order() {
        let clock = ManualClock::new();
        let mut cache = TlruCache::with_clock(
            10,
            |_: &&str, ttl: &u64, now| now + secs(*ttl),
            clock.clone(),
        );
        cache.insert("slow", 30);
        cache.insert("fast", 5);
        cache.insert("medium", 10);
        clock.advance(secs(60));
        assert_eq!(cache.expire(), [("fast", 5), ("medium", 10), ("slow", 30)]);
    }

    #[test]
    fn clear_then_reuse() {
        let clock = ManualClock::new();
        let mut cache =
            TlruCache::with_clock(2, |_: &i32, _: &i32, now| after(now, 2), clock.clone());
        cache.insert(1, 1);
        cache.insert(2, 2);
        cache.clear();
        assert_eq!((cache.len(), cache.expire()), (0, vec![]));
        cache.insert(3, 3);
        clock.advance(secs(2));
        assert_eq!(cache.expire(), [(3, 3)]);
    }
}

// The model ---------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One time-to-live, in ticks.
    Ttl(u64),
    /// Each value's `ttu` is `value % 5` ticks (0: dead on arrival).
    Tlru,
}

/// Values carry their weight: `(id, weight)`.
type Value = (u32, usize);

#[derive(Clone, Debug)]
struct Entry {
    key: u8,
    value: Value,
    deadline: u64,
}

/// Live iff `now < deadline`; `entries` in LRU order (front = least
/// recent).
struct Model {
    kind: Kind,
    maxsize: usize,
    now: u64,
    entries: Vec<Entry>,
    hits: u64,
    misses: u64,
    evictions: u64,
    expirations: u64,
    events: Vec<(u8, Value, RemovalCause)>,
}

impl Model {
    fn ttl(&self, value: Value) -> u64 {
        match self.kind {
            Kind::Ttl(ttl) => ttl,
            Kind::Tlru => u64::from(value.0 % 5),
        }
    }

    fn live(&self, i: usize) -> bool {
        self.now < self.entries[i].deadline
    }

    fn find_live(&self, key: u8) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.key == key)
            .filter(|&i| self.live(i))
    }

    fn currsize(&self) -> usize {
        (0..self.entries.len())
            .filter(|&i| self.live(i))
            .map(|i| self.entries[i].value.1)
            .sum()
    }

    /// Removes the expired entries (earliest deadline first).
    fn take_expired(&mut self) -> Vec<(u8, Value)> {
        let mut expired: Vec<Entry> = Vec::new();
        let now = self.now;
        self.entries.retain(|e| {
            if now < e.deadline {
                true
            } else {
                expired.push(e.clone());
                false
            }
        });
        expired.sort_by_key(|e| e.deadline);
        self.expirations += expired.len() as u64;
        expired.into_iter().map(|e| (e.key, e.value)).collect()
    }

    fn expire_to_listener(&mut self) {
        for (k, v) in self.take_expired() {
            self.events.push((k, v, RemovalCause::Expired));
        }
    }

    fn evict_front(&mut self) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let e = self.entries.remove(0);
        self.evictions += 1;
        self.events.push((e.key, e.value, RemovalCause::Evicted));
        true
    }

    fn make_room(&mut self, weight: usize) {
        while weight > self.maxsize - self.currsize() && self.evict_front() {}
    }

    fn insert(&mut self, key: u8, value: Value) -> Option<Value> {
        let weight = value.1;
        // Expiry first, even when the entry is then refused (cachetools).
        self.expire_to_listener();
        if weight > self.maxsize {
            self.events.push((key, value, RemovalCause::TooLarge));
            return None;
        }
        let deadline = self.now + self.ttl(value);
        let existing = self.entries.iter().position(|e| e.key == key);
        if deadline <= self.now {
            self.events.push((key, value, RemovalCause::Expired));
            return existing.map(|i| self.entries.remove(i).value);
        }
        let Some(i) = existing else {
            self.make_room(weight);
            self.entries.push(Entry {
                key,
                value,
                deadline,
            });
            return None;
        };
        let old_weight = self.entries[i].value.1;
        if weight > old_weight {
            while self.currsize() - old_weight + weight > self.maxsize {
                if self.entries[0].key == key {
                    let old = self.entries.remove(0);
                    self.make_room(weight);
                    self.entries.push(Entry {
                        key,
                        value,
                        deadline,
                    });
                    return Some(old.value);
                }
                self.evict_front();
            }
        }
        let i = self.entries.iter().position(|e| e.key == key).unwrap();
        let mut entry = self.entries.remove(i);
        let old = std::mem::replace(&mut entry.value, value);
        entry.deadline = deadline;
        self.entries.push(entry);
        Some(old)
    }

    fn get(&mut self, key: u8) -> Option<Value> {
        match self.find_live(key) {
            Some(i) => {
                self.hits += 1;
                let entry = self.entries.remove(i);
                let value = entry.value;
                self.entries.push(entry);
                Some(value)
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Insert(u8, u32, usize),
    Get(u8),
    Peek(u8),
    Contains(u8),
    Remove(u8),
    PopVictim,
    Expire,
    Advance(u64),
    Clear,
}

fn op(maxsize: usize) -> impl Strategy<Value = Op> {
    let key = 0u8..12;
    prop_oneof![
        6 => (key.clone(), any::<u32>(), 0..=maxsize + 1).prop_map(|(k, v, w)| Op::Insert(k, v, w)),
        4 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::Peek),
        1 => key.clone().prop_map(Op::Contains),
        2 => key.prop_map(Op::Remove),
        1 => Just(Op::PopVictim),
        1 => Just(Op::Expire),
        3 => (0u64..4).prop_map(Op::Advance),
        1 => Just(Op::Clear),
    ]
}

type Events = Arc<Mutex<Vec<(u8, Value, RemovalCause)>>>;

/// Sorted, so that entries expiring at the same instant may be reported
/// in either order.
fn sorted(mut events: Vec<(u8, Value, RemovalCause)>) -> Vec<(u8, Value, RemovalCause)> {
    events.sort_by_key(|&(k, v, cause)| (k, v, cause as u8));
    events
}

fn run<C: Cache<u8, Value>>(
    cache: &mut C,
    expire: impl Fn(&mut C) -> Vec<(u8, Value)>,
    events: &Events,
    clock: &ManualClock,
    mut model: Model,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    for op in ops {
        let seen = events.lock().unwrap().len();
        let expected_from = model.events.len();
        match op {
            Op::Insert(k, v, w) => {
                prop_assert_eq!(cache.insert(k, (v, w)), model.insert(k, (v, w)))
            }
            Op::Get(k) => prop_assert_eq!(cache.get(&k).copied(), model.get(k)),
            Op::Peek(k) => prop_assert_eq!(
                cache.peek(&k).copied(),
                model.find_live(k).map(|i| model.entries[i].value)
            ),
            Op::Contains(k) => {
                prop_assert_eq!(cache.contains_key(&k), model.find_live(k).is_some())
            }
            Op::Remove(k) => {
                let expected = model.entries.iter().position(|e| e.key == k).and_then(|i| {
                    let live = model.live(i);
                    let e = model.entries.remove(i);
                    live.then_some(e.value)
                });
                prop_assert_eq!(cache.remove(&k), expected);
            }
            Op::PopVictim => {
                model.expire_to_listener();
                let expected = (!model.entries.is_empty()).then(|| {
                    let e = model.entries.remove(0);
                    (e.key, e.value)
                });
                prop_assert_eq!(cache.pop_victim(), expected);
            }
            Op::Expire => {
                let got = expire(cache);
                let expected = model.take_expired();
                let deadlines_sorted = |pairs: &[(u8, Value)]| {
                    let mut p = pairs.to_vec();
                    p.sort_unstable();
                    p
                };
                prop_assert_eq!(deadlines_sorted(&got), deadlines_sorted(&expected));
            }
            Op::Advance(ticks) => {
                clock.advance(secs(ticks));
                model.now += ticks;
            }
            Op::Clear => {
                cache.clear();
                model.entries.clear();
            }
        }
        prop_assert_eq!(
            cache.len(),
            (0..model.entries.len()).filter(|&i| model.live(i)).count()
        );
        prop_assert_eq!(cache.currsize(), model.currsize());
        let mut pairs = Vec::new();
        cache.for_each(|k, v| pairs.push((*k, *v)));
        pairs.sort_unstable();
        let mut expected: Vec<_> = (0..model.entries.len())
            .filter(|&i| model.live(i))
            .map(|i| (model.entries[i].key, model.entries[i].value))
            .collect();
        expected.sort_unstable();
        prop_assert_eq!(pairs, expected);
        let stats = cache.stats();
        prop_assert_eq!(
            (stats.hits, stats.misses, stats.evictions, stats.expirations),
            (model.hits, model.misses, model.evictions, model.expirations)
        );
        let got = sorted(events.lock().unwrap()[seen..].to_vec());
        prop_assert_eq!(got, sorted(model.events[expected_from..].to_vec()));
    }
    Ok(())
}

fn model(kind: Kind, maxsize: usize) -> Model {
    Model {
        kind,
        maxsize,
        now: 0,
        entries: Vec::new(),
        hits: 0,
        misses: 0,
        evictions: 0,
        expirations: 0,
        events: Vec::new(),
    }
}

fn case() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (0usize..=8).prop_flat_map(|maxsize| (Just(maxsize), prop::collection::vec(op(maxsize), 0..64)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn ttl_matches_the_model((maxsize, ops) in case(), ttl in 0u64..5) {
        let clock = ManualClock::new();
        let events: Events = Arc::default();
        let sink = events.clone();
        let mut cache = TtlCache::builder_with_clock(maxsize, secs(ttl), clock.clone())
            .weigher(|_: &u8, v: &Value| v.1)
            .listener(move |k, v, cause| sink.lock().unwrap().push((k, v, cause)))
            .build();
        run(&mut cache, |c| c.expire(), &events, &clock, model(Kind::Ttl(ttl), maxsize), ops)?;
    }

    #[test]
    fn tlru_matches_the_model((maxsize, ops) in case()) {
        let clock = ManualClock::new();
        let events: Events = Arc::default();
        let sink = events.clone();
        let mut cache = TlruCache::builder_with_clock(
            maxsize,
            |_: &u8, v: &Value, now: Instant| now + secs(u64::from(v.0 % 5)),
            clock.clone(),
        )
        .weigher(|_: &u8, v: &Value| v.1)
        .listener(move |k, v, cause| sink.lock().unwrap().push((k, v, cause)))
        .build();
        run(&mut cache, |c| c.expire(), &events, &clock, model(Kind::Tlru, maxsize), ops)?;
    }
}
