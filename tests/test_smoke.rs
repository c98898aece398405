use cachekit::LruCache;

#[test]
fn lru_evicts_least_recent() {
    let mut cache = LruCache::new(2);
    cache.insert(1, "a");
    cache.insert(2, "b");
    cache.get(&1);
    cache.insert(3, "c");
    assert!(cache.contains_key(&1) && !cache.contains_key(&2));
}

#[test]
fn caches_iterate_by_value_and_skip_the_expired() {
    use cachekit::{ManualClock, TtlCache};
    use std::time::Duration;
    let clock = ManualClock::new();
    let mut cache = TtlCache::with_clock(10, Duration::from_secs(10), clock.clone());
    cache.insert("old", 1);
    clock.advance(Duration::from_secs(6));
    cache.insert("new", 2);
    clock.advance(Duration::from_secs(5)); // "old" expired, "new" live
    let pairs: Vec<_> = cache.into_iter().collect();
    assert_eq!(pairs, [("new", 2)]);
}

#[test]
fn unbounded_caches_collect_from_pairs() {
    let cache: cachekit::UnboundedCache<u32, &str> =
        [(1, "a"), (2, "b"), (1, "c")].into_iter().collect();
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.peek(&1), Some(&"c"));
    assert_eq!(cache.maxsize(), usize::MAX);
}

#[cachekit::cached(cache = LruCache::new(4))]
fn shown(x: u32) -> u32 {
    x
}

#[test]
fn cache_info_prints_like_cachetools() {
    shown(1);
    shown(1);
    let info = shown::cache_info();
    assert_eq!(info.to_string(), "hits 1, misses 1, maxsize 4, currsize 1");
    assert_eq!(
        format!("{info:?}"),
        "CacheInfo { hits: 1, misses: 1, maxsize: 4, currsize: 1, len: 1 }"
    );
}
