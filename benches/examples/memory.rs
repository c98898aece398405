//! Heap bytes per cached `u64 -> u64` entry at 1,000,000 entries, for
//! cachekit's `LruCache` and the crates a user would pick instead, measured
//! with a counting global allocator: `cargo run --release --example memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged and only
// tracks the number of live bytes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ENTRIES: u64 = 1_000_000;

/// Bytes per entry held by the cache `fill` builds and fills.
fn bytes_per_entry<C>(fill: impl FnOnce() -> C) -> f64 {
    let before = LIVE.load(Ordering::Relaxed);
    let cache = fill();
    let after = LIVE.load(Ordering::Relaxed);
    drop(cache);
    (after - before) as f64 / ENTRIES as f64
}

fn main() {
    let capacity = std::num::NonZeroUsize::new(ENTRIES as usize).unwrap();
    let rows = [
        (
            "cachekit LruCache",
            bytes_per_entry(|| {
                let mut cache = cachekit::LruCache::new(ENTRIES as usize);
                for i in 0..ENTRIES {
                    cache.insert(i, i);
                }
                cache
            }),
        ),
        (
            "cachekit TtlCache",
            bytes_per_entry(|| {
                let ttl = std::time::Duration::from_secs(3600);
                let mut cache = cachekit::TtlCache::new(ENTRIES as usize, ttl);
                for i in 0..ENTRIES {
                    cache.insert(i, i);
                }
                cache
            }),
        ),
        (
            "cachekit ArcCache (steady state: 2x inserts, ghosts full)",
            bytes_per_entry(|| {
                let mut cache = cachekit::ArcCache::new(ENTRIES as usize);
                for i in 0..2 * ENTRIES {
                    cache.insert(i, i);
                }
                cache
            }),
        ),
        (
            "cachekit TinyLfuCache (steady state: 2x inserts, ghosts full)",
            bytes_per_entry(|| {
                let mut cache = cachekit::TinyLfuCache::new(ENTRIES as usize);
                for i in 0..2 * ENTRIES {
                    cache.insert(i, i);
                }
                cache
            }),
        ),
        (
            "lru::LruCache",
            bytes_per_entry(|| {
                let mut cache = lru::LruCache::new(capacity);
                for i in 0..ENTRIES {
                    cache.put(i, i);
                }
                cache
            }),
        ),
        (
            "quick_cache::unsync::Cache",
            bytes_per_entry(|| {
                let mut cache = quick_cache::unsync::Cache::new(ENTRIES as usize);
                for i in 0..ENTRIES {
                    cache.insert(i, i);
                }
                cache
            }),
        ),
        (
            "moka::sync::Cache",
            bytes_per_entry(|| {
                let cache = moka::sync::Cache::new(ENTRIES);
                for i in 0..ENTRIES {
                    cache.insert(i, i);
                }
                cache.run_pending_tasks();
                cache
            }),
        ),
        (
            "hashbrown::HashMap (no policy)",
            bytes_per_entry(|| {
                let mut map = hashbrown::HashMap::<u64, u64>::new();
                for i in 0..ENTRIES {
                    map.insert(i, i);
                }
                map
            }),
        ),
    ];
    println!("| cache | bytes per `u64 -> u64` entry at {ENTRIES} entries |");
    println!("| --- | --: |");
    for (name, bytes) in rows {
        println!("| {name} | {bytes:.1} |");
    }
}
