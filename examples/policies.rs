//! A tour of cachekit's cache types: which entry each policy evicts, weighted
//! sizes, refused entries and statistics.
//!
//! Run with `cargo run --example policies`.

use cachekit::{Cache, FifoCache, LfuCache, LruCache, MruCache, RrCache, UnboundedCache};

/// Inserts `a`..`d` with `a` read in between, into a cache of three.
fn fill<C: Cache<&'static str, u32>>(cache: &mut C) -> Vec<&'static str> {
    cache.insert("a", 1);
    cache.insert("b", 2);
    cache.insert("c", 3);
    cache.get("a");
    cache.get("a");
    cache.insert("d", 4);
    let mut keys: Vec<_> = ["a", "b", "c", "d"]
        .into_iter()
        .filter(|k| cache.contains_key(k))
        .collect();
    keys.sort_unstable();
    keys
}

fn main() {
    println!("insert a, b, c; read a twice; insert d into caches of 3 entries:");
    println!(
        "  LRU keeps      {:?}  (b was least recently used)",
        fill(&mut LruCache::new(3))
    );
    println!(
        "  LFU keeps      {:?}  (b and c had one use; b got it first)",
        fill(&mut LfuCache::new(3))
    );
    println!(
        "  FIFO keeps     {:?}  (a was first in)",
        fill(&mut FifoCache::new(3))
    );
    println!(
        "  MRU keeps      {:?}  (a was most recently used)",
        fill(&mut MruCache::new(3))
    );
    println!(
        "  RR keeps       {:?}  (random, seed 7)",
        fill(&mut RrCache::with_seed(3, 7))
    );
    println!("  Unbounded has  {:?}", fill(&mut UnboundedCache::new()));

    // Weighted: the cache bounds total bytes, not entries.
    let mut pages = LruCache::with_weigher(1024, |_: &u32, body: &String| body.len());
    for id in 0..10 {
        pages.insert(id, "x".repeat(200));
    }
    println!(
        "\nweighted LRU of 1024 bytes after ten 200-byte pages: {} pages, {} bytes",
        pages.len(),
        pages.currsize()
    );
    match pages.try_insert(99, "y".repeat(2000)) {
        Ok(_) => println!("stored a 2000-byte page?"),
        Err(refused) => println!(
            "refused page 99: {refused}; cache still holds {} pages",
            pages.len()
        ),
    }

    let mut lru = LruCache::new(100);
    for i in 0..1000u64 {
        let key = i % 150;
        if lru.get(&key).is_none() {
            lru.insert(key, key * key);
        }
    }
    let stats = lru.stats();
    println!(
        "\nLRU of 100 over a loop of 150 keys: {} hits, {} misses, {} evictions (a loop larger than an LRU cache never hits)",
        stats.hits, stats.misses, stats.evictions
    );
}
