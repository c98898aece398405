//! `TinyLfuCache` (W-TinyLFU): the admission, eviction and window rules on
//! small hand-made sequences, use through the macros and the thread-safe
//! cache, and the size and membership invariants under random operations.

#[path = "common/invariants.rs"]
mod invariants;

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use cachekit::{
    cached, cached_method, ConcurrentCache, LruCache, RemovalCause, TinyLfu, TinyLfuCache,
};
use proptest::prelude::*;

/// A cache whose evictions are logged.
fn logged(maxsize: usize) -> (TinyLfuCache<u32, u32>, Arc<Mutex<Vec<u32>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let cache = TinyLfuCache::builder(maxsize)
        .listener(move |k, _, cause| {
            assert_eq!(cause, RemovalCause::Evicted);
            sink.lock().unwrap().push(k);
        })
        .build();
    (cache, log)
}

#[test]
fn a_new_entry_is_always_stored() {
    let mut cache = TinyLfuCache::new(10);
    for round in 0..5 {
        for k in 0..10 {
            cache.insert(k, round);
        }
    }
    for k in 100..200 {
        cache.insert(k, 0);
        assert!(cache.contains_key(&k), "{k} was just inserted");
        assert_eq!(cache.len(), 10);
    }
}

#[test]
fn a_candidate_used_less_than_the_victim_is_turned_away() {
    // maxsize 10: a window of 1, a main space of 9.
    let (mut cache, log) = logged(10);
    for k in 0..10 {
        cache.insert(k, k);
    }
    for k in 0..10 {
        cache.get(&k);
    }
    log.lock().unwrap().clear();
    // Window [9], main [0..9], every key used twice. 100 takes the
    // window; 9 leaves it and ties with the main victim 0: the incumbent
    // stays.
    cache.insert(100, 100);
    // 101 takes the window; 100 (used once) loses to 0 (used twice).
    cache.insert(101, 101);
    assert_eq!(*log.lock().unwrap(), [9, 100]);
    assert!(cache.contains_key(&101) && !cache.contains_key(&100));
    assert!((0..9).all(|k| cache.contains_key(&k)));
}

#[test]
fn a_candidate_used_more_than_the_victim_is_admitted() {
    let (mut cache, log) = logged(10);
    for k in 0..10 {
        cache.insert(k, k);
    }
    // 100 was used often before (its count outlives its entry).
    for _ in 0..3 {
        cache.insert(100, 100);
        cache.get(&100);
        cache.remove(&100);
    }
    log.lock().unwrap().clear();
    cache.insert(100, 100); // window, with a high count
    cache.insert(101, 101); // 100 leaves the window and wins
    let evicted = log.lock().unwrap().clone();
    assert_eq!(evicted.len(), 1);
    assert_ne!(evicted[0], 100, "the frequent candidate got in");
    assert!(cache.contains_key(&100) && cache.contains_key(&101));
}

#[test]
fn popular_keys_survive_a_scan_that_flushes_lru() {
    let mut tiny = TinyLfuCache::new(100);
    let mut lru = LruCache::new(100);
    for _ in 0..3 {
        for k in 0..50 {
            tiny.get_or_insert_with(k, || k).unwrap();
            lru.get_or_insert_with(k, || k).unwrap();
        }
    }
    for k in 1_000..2_000 {
        tiny.insert(k, 0);
        lru.insert(k, 0);
    }
    // All but at most the one in the window when the scan began (it then
    // ties with a popular victim, and ties keep the incumbent).
    assert!((0..50).filter(|k| tiny.contains_key(k)).count() >= 49);
    assert_eq!((0..50).filter(|k| lru.contains_key(k)).count(), 0);
}

/// A hot set of `size / 2` keys interleaved with a loop over `1.5 * size`
/// cold keys: hit ratio in percent.
fn hot_set_and_loop(size: usize, make: impl FnOnce(usize) -> Box<dyn FnMut(u64) -> bool>) -> f64 {
    let mut access = make(size);
    let (hot, cold) = ((size / 2) as u64, (size * 3 / 2) as u64);
    let (mut hits, mut requests) = (0u64, 0u64);
    for _ in 0..20 {
        for i in 0..cold {
            let mut request = |key| {
                requests += 1;
                hits += u64::from(access(key));
            };
            request(1_000_000 + i);
            if i % 3 == 0 {
                request((i / 3) % hot);
            }
        }
    }
    hits as f64 * 100.0 / requests as f64
}

#[test]
fn a_loop_larger_than_the_cache_does_not_flush_the_hot_set() {
    let tiny = hot_set_and_loop(1_000, |n| {
        let mut cache = TinyLfuCache::new(n);
        Box::new(move |k| cache.get(&k).is_some() || cache.insert(k, ()).is_some())
    });
    let lru = hot_set_and_loop(1_000, |n| {
        let mut cache = LruCache::new(n);
        Box::new(move |k| cache.get(&k).is_some() || cache.insert(k, ()).is_some())
    });
    assert_eq!(lru, 0.0);
    // A quarter of the requests are hot: TinyLFU keeps nearly all of them.
    assert!(tiny > 20.0, "hit ratio {tiny:.2}%");
}

/// Each key comes back `n / 20` requests later (only a larger window keeps
/// it), then a stable popular set of `0.9 n` keys is read round-robin
/// with one-time keys in between (main-space ghosts come back).
fn window_moves_with_the_workload(n: u32) {
    let mut cache = TinyLfuCache::new(n as usize);
    cache.insert(u32::MAX, 0);
    assert_eq!(
        cache.policy().window_target(),
        n as usize / 100,
        "starts at 1%"
    );
    let gap = n / 20;
    for k in 0..20 * n {
        cache.get_or_insert_with(k, || k).unwrap();
        if k >= gap {
            cache.get_or_insert_with(k - gap, || k).unwrap();
        }
    }
    let grown = cache.policy().window_target();
    assert!(grown > gap as usize, "window {grown}");
    let hits = cache.stats().hits;
    assert!(hits > 15 * u64::from(n), "recency hits {hits}");
    let popular = n / 10 * 9;
    for round in 0..40 {
        for k in 0..popular {
            cache.get_or_insert_with(100 * n + k, || k).unwrap();
            cache
                .get_or_insert_with(1_000 * n + round * popular + k, || k)
                .unwrap();
        }
    }
    let shrunk = cache.policy().window_target();
    assert!(shrunk < grown, "window {shrunk} after {grown}");
}

#[test]
fn the_window_grows_when_recency_pays_and_shrinks_when_frequency_does() {
    window_moves_with_the_workload(1_000);
}

#[test]
fn the_window_still_adapts_with_sampled_ghosts() {
    // From 8,192 entries up only a sample of evicted keys is remembered.
    window_moves_with_the_workload(20_000);
}

#[test]
fn weighted_entries_and_refusals() {
    let mut cache = TinyLfuCache::builder(10)
        .weigher(|_: &u32, v: &usize| *v)
        .build();
    assert!(cache.try_insert(1, 11).is_err(), "heavier than maxsize");
    for k in 0..20 {
        cache.insert(k, 1 + (k as usize) % 4);
        assert!(cache.currsize() <= 10);
        assert!(cache.contains_key(&k));
    }
}

#[test]
fn usable_with_borrowed_lookups_and_the_cache_trait() {
    let mut cache: TinyLfuCache<String, usize> = TinyLfuCache::new(4);
    cache.insert("a".to_owned(), 1);
    assert_eq!(cache.get("a"), Some(&1));
    fn through_trait(cache: &mut impl cachekit::Cache<String, usize>) -> Option<usize> {
        cache.get("a").copied()
    }
    assert_eq!(through_trait(&mut cache), Some(1));
}

#[cached(cache = TinyLfuCache::new(100))]
fn double(x: u64) -> u64 {
    x * 2
}

#[cached(lock, cache = ConcurrentCache::new(1_000, TinyLfuCache::new))]
fn square(x: u64) -> u64 {
    x * x
}

struct Lengths {
    cache: RefCell<TinyLfuCache<String, usize>>,
}

impl Lengths {
    #[cached_method(cache = self.cache)]
    fn length(&self, s: &str) -> usize {
        s.len()
    }
}

#[test]
fn usable_in_both_macros_and_the_concurrent_cache() {
    assert_eq!((double(4), double(4)), (8, 8));
    assert_eq!(double::cache_info().hits, 1);
    assert_eq!((square(7), square(7)), (49, 49));
    assert_eq!(square::cache_info().hits, 1);
    let lengths = Lengths {
        cache: RefCell::new(TinyLfuCache::new(10)),
    };
    assert_eq!((lengths.length("abc"), lengths.length("abc")), (3, 3));
    assert_eq!(lengths.cache.borrow().stats().hits, 1);

    let shared = Arc::new(ConcurrentCache::new(1_000, TinyLfuCache::new));
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let shared = &shared;
            s.spawn(move || {
                for k in 0..5_000u64 {
                    let key = (k * 7 + t) % 2_000;
                    assert_eq!(shared.get_or_insert_with(key, || key + 1), key + 1);
                }
            });
        }
    });
    assert!(shared.len::<u64, u64>() <= 1_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn size_and_membership_invariants(
        (maxsize, ops) in invariants::maxsize_and_ops()
    ) {
        invariants::check::<TinyLfu>(maxsize, ops)?;
    }
}

#[test]
fn allocated_bytes_count_the_ghost_lists() {
    let mut cache = TinyLfuCache::new(100);
    for _ in 0..2 {
        for k in 0..100u32 {
            cache.get_or_insert_with(k, || k).unwrap();
        }
    }
    let full = cache.allocated_bytes();
    // A scan: one-time keys are turned away at the window and remembered
    // as ghosts; the entries' own storage does not grow.
    for k in 1_000..2_000u32 {
        cache.insert(k, k);
    }
    assert_eq!(cache.len(), 100);
    assert!(
        cache.allocated_bytes() > full,
        "{} after the scan, {full} before",
        cache.allocated_bytes()
    );
}
