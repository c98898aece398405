//! Throughput of the thread-safe caches, cachekit's `ConcurrentCache` (LRU
//! shards) against `moka::sync::Cache` and `quick_cache::sync::Cache` in the
//! same run, on two workloads:
//!
//! - `zipf`: each thread replays its own slice of one pre-generated
//!   Zipf(0.99) key sequence over 100,000 keys as "get, and insert on a
//!   miss" (the memoization access pattern) against a cache of 10,000;
//! - `hits`: uniform lookups of the 10,000 keys a cache of 10,000 holds.
//!
//! `cargo bench --bench concurrent` runs 1 and 2 threads; set
//! `CACHEKIT_BENCH_THREADS` to a list (`1,2,4,8,16`) to measure how the
//! caches scale on a machine with more cores.

#[path = "../tests/common/zipf.rs"]
mod zipf;

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use cachekit::{ConcurrentCache, LruCache};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const CAPACITY: usize = 10_000;
const KEYS: usize = 100_000;
const OPS_PER_THREAD: usize = 100_000;

/// The thread counts to measure: `$CACHEKIT_BENCH_THREADS` (`1,2,4`), else 1 and 2.
fn thread_counts() -> Vec<usize> {
    std::env::var("CACHEKIT_BENCH_THREADS")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .filter(|&n| n > 0)
                .collect()
        })
        .filter(|list: &Vec<usize>| !list.is_empty())
        .unwrap_or_else(|| vec![1, 2])
}

/// What a benchmarked cache must do.
trait SharedCache: Send + Sync + 'static {
    fn get_or_insert(&self, key: u64) -> u64;
}

impl SharedCache for ConcurrentCache<LruCache<u64, u64>> {
    #[inline]
    fn get_or_insert(&self, key: u64) -> u64 {
        match self.get(&key) {
            Some(v) => v,
            None => {
                self.insert(key, key);
                key
            }
        }
    }
}

impl SharedCache for moka::sync::Cache<u64, u64> {
    #[inline]
    fn get_or_insert(&self, key: u64) -> u64 {
        match self.get(&key) {
            Some(v) => v,
            None => {
                self.insert(key, key);
                key
            }
        }
    }
}

impl SharedCache for quick_cache::sync::Cache<u64, u64> {
    #[inline]
    fn get_or_insert(&self, key: u64) -> u64 {
        match self.get(&key) {
            Some(v) => v,
            None => {
                self.insert(key, key);
                key
            }
        }
    }
}

/// Runs `iters` rounds of every thread replaying its key slice; returns
/// the wall time of the replays only.
fn run<C: SharedCache>(
    cache: &Arc<C>,
    keys: &Arc<Vec<u64>>,
    threads: usize,
    iters: u64,
) -> Duration {
    let mut elapsed = Duration::ZERO;
    for _ in 0..iters {
        let barrier = Arc::new(Barrier::new(threads + 1));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (cache, keys, barrier) = (cache.clone(), keys.clone(), barrier.clone());
                thread::spawn(move || {
                    let slice = &keys[t * OPS_PER_THREAD..(t + 1) * OPS_PER_THREAD];
                    barrier.wait();
                    let mut sum = 0u64;
                    for &key in slice {
                        sum = sum.wrapping_add(cache.get_or_insert(key));
                    }
                    black_box(sum);
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        handles.into_iter().for_each(|h| h.join().unwrap());
        elapsed += start.elapsed();
    }
    elapsed
}

/// One group: every cache on `keys`, sliced over `threads` threads.
fn group(c: &mut Criterion, name: &str, keys: &Arc<Vec<u64>>, threads: usize) {
    let mut group = c.benchmark_group(format!("concurrent/{name}/{threads}_threads"));
    group.throughput(Throughput::Elements((threads * OPS_PER_THREAD) as u64));
    group.sample_size(20);

    let cachekit = Arc::new(ConcurrentCache::new(CAPACITY, LruCache::new));
    run(&cachekit, keys, threads, 1); // warm the cache
    group.bench_function("cachekit", |b| {
        b.iter_custom(|iters| run(&cachekit, keys, threads, iters))
    });

    let moka = Arc::new(moka::sync::Cache::new(CAPACITY as u64));
    run(&moka, keys, threads, 1);
    group.bench_function("moka", |b| {
        b.iter_custom(|iters| run(&moka, keys, threads, iters))
    });

    let quick = Arc::new(quick_cache::sync::Cache::new(CAPACITY));
    run(&quick, keys, threads, 1);
    group.bench_function("quick_cache", |b| {
        b.iter_custom(|iters| run(&quick, keys, threads, iters))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let counts = thread_counts();
    let most = counts.iter().copied().max().unwrap_or(1);
    let zipf = Arc::new(zipf::zipf(KEYS, 0.99, most * OPS_PER_THREAD, 0x5eed));
    // Every key of the hit workload is stored by the warming run; a cache
    // of CAPACITY holds them all (each cache's own policy permitting).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let hits: Vec<u64> = (0..most * OPS_PER_THREAD)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % (CAPACITY as u64 * 9 / 10)
        })
        .collect();
    let hits = Arc::new(hits);
    for &threads in &counts {
        group(c, "zipf", &zipf, threads);
        group(c, "hits", &hits, threads);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
