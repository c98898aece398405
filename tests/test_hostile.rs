//! Hostile input: panicking callbacks in the middle of a resize, weights
//! and sizes at `usize::MAX`, time frozen and swapped away, and bounds far
//! above what a cache holds. Every case here once panicked, wrapped, froze
//! or allocated without bound (see also `cachekit-core/tests/panics.rs`,
//! the property test that drives every policy with panics at random).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cachekit::{
    ArcCache, Cache, ConcurrentCache, FifoCache, LfuCache, LruCache, ManualClock, MruCache, Policy,
    PolicyCache, RrCache, TinyLfuCache, TlruCache, TtlCache,
};

/// Fills a cache of maxsize 10 whose listener panics once, shrinks it to
/// 2 (the listener panics on the first eviction), then keeps using it.
fn shrink_with_a_panicking_listener<P: Policy<u32, u32>>(builder: cachekit::Builder<u32, u32, P>) {
    let armed = Arc::new(AtomicBool::new(false));
    let trigger = armed.clone();
    let mut cache = builder
        .listener(move |_, _, _| {
            if trigger.swap(false, Ordering::SeqCst) {
                panic!("listener");
            }
        })
        .build();
    for key in 0..10 {
        cache.insert(key, key);
    }
    armed.store(true, Ordering::SeqCst);
    assert!(catch_unwind(AssertUnwindSafe(|| cache.set_maxsize(2))).is_err());
    // The old bound still holds (the entries fit it), nothing wrapped.
    assert!(cache.currsize() <= cache.maxsize());
    assert_eq!(cache.len(), cache.iter().count());
    for key in 100..110 {
        cache.insert(key, key);
        assert!(cache.currsize() <= cache.maxsize());
    }
    cache.set_maxsize(2);
    assert!(cache.len() <= 2 && cache.currsize() <= 2);
    cache.insert(200, 200);
    assert!(cache.len() <= 2);
}

#[test]
fn a_listener_panicking_during_set_maxsize_leaves_the_bound_true() {
    shrink_with_a_panicking_listener(LruCache::builder(10));
    shrink_with_a_panicking_listener(LfuCache::builder(10));
    shrink_with_a_panicking_listener(FifoCache::builder(10));
    shrink_with_a_panicking_listener(MruCache::builder(10));
    shrink_with_a_panicking_listener(RrCache::builder(10));
    shrink_with_a_panicking_listener(ArcCache::builder(10));
    shrink_with_a_panicking_listener(TinyLfuCache::builder(10));
    let clock = ManualClock::new();
    shrink_with_a_panicking_listener(TtlCache::builder_with_clock(
        10,
        Duration::from_secs(60),
        clock.clone(),
    ));
}

#[test]
fn a_maxsize_of_usize_max_never_overflows() {
    let mut arc = ArcCache::new(usize::MAX);
    arc.insert(1, 1);
    arc.insert(2, 2);
    assert_eq!(arc.get(&1), Some(&1));
    let mut tiny = TinyLfuCache::new(usize::MAX);
    tiny.insert(1, 1);
    assert_eq!(tiny.get(&1), Some(&1));
}

/// Inserts weights that sum past `usize::MAX` into a cache bounded by it.
fn huge_weights<P: Policy<u32, usize>>(builder: cachekit::Builder<u32, usize, P>) {
    let mut cache = builder.weigher(|_: &u32, v: &usize| *v).build();
    cache.insert(1, 5);
    cache.insert(2, usize::MAX - 10);
    cache.insert(1, 100); // 5 + (MAX - 10) - 5 + 100 > MAX: must evict, not wrap
    cache.insert(3, usize::MAX);
    cache.insert(4, 1);
    let total = cache
        .iter()
        .try_fold(0usize, |sum, (_, w)| sum.checked_add(*w))
        .expect("the stored weights fit in usize");
    assert_eq!(cache.currsize(), total);
    assert!(cache.currsize() <= cache.maxsize());
}

#[test]
fn weights_near_usize_max_are_evicted_for_never_summed_past_it() {
    huge_weights(LruCache::builder(usize::MAX));
    huge_weights(LfuCache::builder(usize::MAX));
    huge_weights(FifoCache::builder(usize::MAX));
    huge_weights(MruCache::builder(usize::MAX));
    huge_weights(RrCache::builder(usize::MAX));
    huge_weights(ArcCache::builder(usize::MAX));
    huge_weights(TinyLfuCache::builder(usize::MAX));
}

#[test]
fn swapping_a_frozen_cache_away_does_not_keep_it_frozen() {
    let clock = ManualClock::new();
    let mut cache = TtlCache::with_clock(10, Duration::from_secs(1), clock.clone());
    let mut other = TtlCache::with_clock(10, Duration::from_secs(1), clock.clone());
    other.insert("other", 1);
    {
        let mut guard = cache.freeze_time();
        std::mem::swap(&mut *guard, &mut other);
    }
    // `other` now holds the cache that was frozen; its guard is gone.
    other.insert("a", 1);
    clock.advance(Duration::from_secs(5));
    assert_eq!(
        other.get("a"),
        None,
        "time runs again for the swapped cache"
    );
    assert_eq!(cache.get("other"), None);
    // Nested freezes still hold the outer instant until it ends.
    cache.insert("b", 2);
    let mut outer = cache.freeze_time();
    clock.advance(Duration::from_secs(5));
    outer.with_frozen_time(|inner, _| assert_eq!(inner.get("b"), Some(&2)));
    assert_eq!(outer.get("b"), Some(&2));
    drop(outer);
    assert_eq!(cache.get("b"), None);
}

#[test]
fn a_tinylfu_sketch_follows_the_entries_not_the_bound() {
    // One entry costs a sketch for a few entries and, if its key is in the
    // miniatures' sample, their two sketches (at most 32 KiB each): not
    // counters for the bound, which would be gigabytes.
    let mut huge = TinyLfuCache::new(1_000_000_000);
    huge.insert(1u64, 1u64);
    assert!(
        huge.allocated_bytes() < 128 << 10,
        "{} bytes for one entry",
        huge.allocated_bytes()
    );
    let mut bytes = TinyLfuCache::builder(1 << 30)
        .weigher(|_: &u32, v: &Vec<u8>| v.len())
        .build();
    bytes.insert(1, vec![0; 100]);
    assert!(bytes.allocated_bytes() < 128 << 10);
    // It grows with what the cache holds.
    for key in 0..20_000u64 {
        huge.insert(key, key);
    }
    let grown = huge.allocated_bytes();
    assert!(grown > 64 << 10, "{grown}");
    assert!(grown < 64 << 20, "{grown}");

    let sharded = ConcurrentCache::new(usize::MAX, TinyLfuCache::new);
    for key in 0..64u64 {
        sharded.insert(key, key);
    }
    let mut total = 0;
    sharded.for_each_shard(|shard: &mut PolicyCache<u64, u64, cachekit::TinyLfu>| {
        total += shard.allocated_bytes();
    });
    assert!(total < 4 << 20, "{total} bytes for 64 entries");
    assert_eq!(sharded.len(), 64);
}

#[test]
fn a_tlru_entry_dead_on_arrival_and_too_large_is_expired_as_cachetools_does() {
    let clock = ManualClock::new();
    let ttu =
        |_: &u32, v: &usize, now: std::time::Instant| now + Duration::from_secs(*v as u64 % 2);
    let mut cache = TlruCache::builder_with_clock(3, ttu, clock.clone())
        .weigher(|_: &u32, v: &usize| *v)
        .build();
    cache.insert(1, 3); // lives 1 s
                        // Weight 4 > maxsize 3, and 4 % 2 == 0 s to live: dead on arrival.
    assert!(matches!(cache.try_insert(1, 4), Ok(Some(3))));
    assert!(!cache.contains_key(&1), "the old entry went too");
    assert_eq!(Cache::len(&cache), 0);
}
