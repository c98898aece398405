//! `ArcCache` (adaptive replacement): the admission and eviction rules on
//! small hand-made sequences, and the size and membership invariants
//! under random operations.

#[path = "common/invariants.rs"]
mod invariants;

use cachekit::{cached, Adaptive, ArcCache, ConcurrentCache, LruCache};
use proptest::prelude::*;

#[test]
fn a_key_seen_twice_survives_a_scan() {
    let mut arc = ArcCache::new(4);
    let mut lru = LruCache::new(4);
    for k in [1, 2] {
        arc.insert(k, ());
        lru.insert(k, ());
        arc.get(&k);
        lru.get(&k);
    }
    for k in 100..120 {
        arc.insert(k, ());
        lru.insert(k, ());
    }
    assert!(
        arc.contains_key(&1) && arc.contains_key(&2),
        "ARC keeps the frequent keys"
    );
    assert!(
        !lru.contains_key(&1) && !lru.contains_key(&2),
        "LRU lets the scan flush them"
    );
}

#[test]
fn one_time_keys_are_evicted_before_frequent_ones() {
    let mut cache = ArcCache::new(3);
    cache.insert("hot", 0);
    cache.get("hot");
    cache.insert("a", 0);
    cache.insert("b", 0);
    cache.insert("c", 0); // full: a one-time key goes first
    assert!(cache.contains_key("hot"));
    assert!(!cache.contains_key("a"));
    assert_eq!(cache.len(), 3);
}

/// The paper's cases, traced by hand for a cache of 2: a miss on a key in
/// B1 (evicted from T1) raises T1's target p to 1 and brings the key back
/// into T2, evicting T2's least recent entry; with p = 1 the next new key
/// then evicts from T2 again.
#[test]
fn ghost_hits_adapt_the_split_as_the_paper_says() {
    let mut cache = ArcCache::new(2);
    cache.insert(1, ());
    cache.get(&1); // T2 = [1]
    cache.insert(2, ()); // T1 = [2]
    cache.insert(3, ()); // REPLACE: T1 (1) > p (0): 2 goes to B1
    assert!(!cache.contains_key(&2));
    cache.insert(2, ()); // B1 hit: p = 1; T1 (1) > p fails, so 1 goes to B2
    assert!(cache.contains_key(&2) && cache.contains_key(&3));
    assert!(!cache.contains_key(&1));
    cache.insert(5, ()); // T1 (1) > p (1) fails again: 2 (T2) goes
    assert!(cache.contains_key(&3) && cache.contains_key(&5));
    assert!(!cache.contains_key(&2));
    cache.insert(1, ()); // B2 hit: p drops back to 0; T1's LRU (3) goes
    assert!(cache.contains_key(&1) && cache.contains_key(&5));
    assert!(!cache.contains_key(&3));
}

#[test]
fn weighted_entries_and_refusals() {
    let mut cache = ArcCache::with_weigher(10, |_: &u32, v: &usize| *v);
    cache.insert(1, 4);
    cache.insert(2, 4);
    cache.insert(3, 4); // evicts to fit
    assert!(cache.currsize() <= 10);
    assert!(cache.try_insert(9, 11).is_err());
    assert!(cache.currsize() <= 10);
}

#[cached(lock, cache = ConcurrentCache::new(1000, ArcCache::new))]
fn square(x: u64) -> u64 {
    x * x
}

#[test]
fn usable_in_the_macros_and_the_concurrent_cache() {
    assert_eq!(square(7), 49);
    assert_eq!(square(7), 49);
    assert_eq!(square::cache_info().hits, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn size_and_membership_invariants(
        (maxsize, ops) in invariants::maxsize_and_ops()
    ) {
        invariants::check::<Adaptive>(maxsize, ops)?;
    }
}
