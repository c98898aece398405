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
