//! `ConcurrentCache` under many threads: invariants of random operation
//! mixes, one computation per key under contention, panicking and failing
//! loaders, the async variant, and the sharding arithmetic.

#[path = "common/within.rs"]
mod within;
#[path = "common/yield_once.rs"]
mod yield_once;

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use cachekit::{ConcurrentCache, LfuCache, LruCache, ManualClock, TtlCache};
use futures::executor::block_on;
use yield_once::YieldOnce;

/// A small deterministic generator per thread (no shared RNG state).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn shards_add_up_to_maxsize() {
    for (maxsize, shards) in [(0, 4), (1, 4), (7, 4), (1000, 3), (1000, 16), (65_537, 64)] {
        let cache = ConcurrentCache::with_shards(maxsize, shards, LruCache::<u64, u64>::new);
        assert!(cache.shards().is_power_of_two());
        assert!(cache.shards() >= shards);
        let mut total = 0;
        cache.for_each_shard(|shard| total += shard.maxsize());
        assert_eq!(total, maxsize, "{maxsize} over {shards} shards");
    }
    // Small caches get one shard and follow their policy exactly.
    assert_eq!(
        ConcurrentCache::new(100, LruCache::<u64, u64>::new).shards(),
        1
    );
    let big = ConcurrentCache::new(1 << 20, LruCache::<u64, u64>::new);
    assert!(big.shards() > 1);
}

#[test]
fn one_shard_is_exactly_the_policy() {
    let cache = ConcurrentCache::with_shards(3, 1, LruCache::new);
    cache.insert("a", 1);
    cache.insert("b", 2);
    cache.insert("c", 3);
    assert_eq!(cache.get("a"), Some(1));
    cache.insert("d", 4); // evicts b, the least recent
    assert!(!cache.contains_key("b"));
    assert_eq!(cache.peek("a"), Some(1));
    assert_eq!(cache.remove("a"), Some(1));
    let mut keys: Vec<_> = cache.snapshot().into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["c", "d"]);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.evictions), (1, 1));
}

#[test]
fn random_operations_from_many_threads_keep_the_invariants() {
    const THREADS: u64 = 8;
    const OPS: u64 = 20_000;
    const KEYS: u64 = 512;
    let cache = Arc::new(ConcurrentCache::with_shards(256, 8, LruCache::new));
    let gets = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (cache, gets) = (cache.clone(), gets.clone());
            thread::spawn(move || {
                let mut rng = SplitMix(t);
                for _ in 0..OPS {
                    let r = rng.next();
                    let key = r % KEYS;
                    // Every value encodes its key: a lost or crossed entry
                    // would show up as a value for the wrong key.
                    match (r >> 32) % 10 {
                        0..=3 => {
                            gets.fetch_add(1, Ordering::Relaxed);
                            if let Some(v) = cache.get(&key) {
                                assert_eq!(v % KEYS, key);
                            }
                        }
                        4..=6 => {
                            cache.insert(key, key + KEYS * (r >> 48));
                        }
                        7 => {
                            if let Some(v) = cache.remove(&key) {
                                assert_eq!(v % KEYS, key);
                            }
                        }
                        8 => {
                            gets.fetch_add(1, Ordering::Relaxed);
                            let v = cache.get_or_insert_with(key, || key + KEYS);
                            assert_eq!(v % KEYS, key);
                        }
                        _ => {
                            assert!(cache.len() <= 256);
                            assert!(cache.currsize() <= 256);
                        }
                    }
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    let entries = cache.snapshot();
    assert!(entries.len() <= 256);
    assert_eq!(entries.len(), cache.len());
    let keys: HashSet<_> = entries.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys.len(), entries.len(), "no key is stored twice");
    assert!(entries.iter().all(|(k, v)| v % KEYS == *k));
    let stats = cache.stats();
    assert_eq!(
        stats.hits + stats.misses,
        gets.load(Ordering::Relaxed) as u64,
        "every get is counted exactly once"
    );
}

#[test]
fn contended_misses_compute_once() {
    let cache = Arc::new(ConcurrentCache::new(1000, LruCache::new));
    let computations = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (cache, computations, barrier) =
                (cache.clone(), computations.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                cache.get_or_insert_with("key".to_string(), || {
                    computations.fetch_add(1, Ordering::SeqCst);
                    thread::sleep(Duration::from_millis(50));
                    42
                })
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 42);
    }
    assert_eq!(computations.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (7, 1));
}

#[test]
fn other_keys_are_not_blocked_by_a_computation() {
    let cache = Arc::new(ConcurrentCache::with_shards(100, 1, LruCache::new));
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let slow = {
        let cache = cache.clone();
        thread::spawn(move || {
            cache.get_or_insert_with(1, || {
                started_tx.send(()).unwrap();
                release_rx.recv_timeout(Duration::from_secs(10)).unwrap();
                1
            })
        })
    };
    started_rx.recv().unwrap();
    // Same shard, another key: proceeds while key 1 computes.
    assert_eq!(cache.get_or_insert_with(2, || 2), 2);
    cache.insert(3, 3);
    release_tx.send(()).unwrap();
    assert_eq!(slow.join().unwrap(), 1);
}

#[test]
fn a_panicking_loader_wakes_its_waiters_and_nothing_hangs() {
    let cache = Arc::new(ConcurrentCache::new(100, LruCache::new));
    let attempts = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (cache, attempts, barrier) = (cache.clone(), attempts.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    cache.get_or_insert_with(9u32, || {
                        if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                            thread::sleep(Duration::from_millis(50));
                            panic!("loader failed");
                        }
                        90u32
                    })
                }))
                .ok()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // The three callers that waited for the panicking one then computed
    // for themselves (all at once rather than one after another).
    assert_eq!(results.iter().filter(|r| r.is_none()).count(), 1);
    assert!(results.iter().flatten().all(|&v| v == 90));
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    assert_eq!(cache.get(&9), Some(90));
}

/// A key whose hash is the same for every value: single flight must tell
/// the keys apart by `Eq`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Collide(u32);

impl std::hash::Hash for Collide {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u8(0);
    }
}

#[test]
fn callers_of_keys_whose_hashes_collide_do_not_wait_for_each_other() {
    within::within(30, colliding_keys);
}

fn colliding_keys() {
    let cache = Arc::new(ConcurrentCache::new(100, LruCache::new));
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let slow = {
        let cache = cache.clone();
        thread::spawn(move || {
            cache.get_or_insert_with(Collide(1), || {
                started_tx.send(()).unwrap();
                release_rx.recv_timeout(Duration::from_secs(10)).unwrap();
                1
            })
        })
    };
    started_rx.recv().unwrap();
    // Collide(2) hashes as Collide(1) does, whose computation waits for
    // this thread: waiting for it would fail the `recv_timeout` above.
    assert_eq!(cache.get_or_insert_with(Collide(2), || 2), 2);
    release_tx.send(()).unwrap();
    assert_eq!(slow.join().unwrap(), 1);
    assert_eq!(
        (cache.get(&Collide(1)), cache.get(&Collide(2))),
        (Some(1), Some(2))
    );
}

#[test]
fn a_blocking_caller_on_the_thread_of_an_async_computation_does_not_hang() {
    within::within(30, blocking_caller_beside_its_async_computation);
}

fn blocking_caller_beside_its_async_computation() {
    // A single-threaded executor: the task computing key 1 cannot run
    // while this thread blocks, so the blocking caller computes instead.
    let cache = ConcurrentCache::new(100, LruCache::new);
    let mut task = Box::pin(cache.get_or_insert_with_async(1u32, async {
        YieldOnce(false).await;
        10u32
    }));
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(task.as_mut().poll(&mut cx).is_pending());
    assert_eq!(cache.get_or_insert_with(1u32, || 11), 11);
    assert_eq!(block_on(task), 10);
}

#[test]
fn hits_reach_the_policy_in_batches_and_before_every_eviction() {
    // One shard of 3 of a TTL cache (LRU among live entries, whose hits the
    // concurrent cache hands over in batches): its order must reflect
    // every hit, also those still buffered when an insert evicts.
    let clock = ManualClock::new();
    let cache = ConcurrentCache::with_shards(3, 1, |n| {
        TtlCache::with_clock(n, Duration::from_secs(60), clock.clone())
    });
    for key in [1, 0, 2u32] {
        cache.insert(key, key);
    }
    for round in 0..40u32 {
        // Use 0 and 2 (fewer than a batch, then more), keep 1 the least
        // recent; the insert of a new key must evict 1.
        for _ in 0..round % 20 {
            assert_eq!(cache.get(&0), Some(0));
            assert_eq!(cache.get(&2), Some(2));
        }
        cache.insert(100 + round, 0);
        assert!(
            !cache.contains_key(&1),
            "round {round}: the LRU entry survived"
        );
        assert!(cache.contains_key(&0) && cache.contains_key(&2));
        cache.remove(&(100 + round));
        cache.insert(1, 1);
        for _ in 0..3 {
            cache.get(&1);
            cache.get(&0);
            cache.get(&2);
        }
    }
}

#[test]
fn lru_shards_give_hit_entries_a_second_chance() {
    // Lookups do not move entries; a hit entry that reaches the least
    // recent end goes round once more.
    let cache = ConcurrentCache::with_shards(3, 1, LruCache::new);
    for key in [1, 2, 3u32] {
        cache.insert(key, key);
    }
    assert_eq!(cache.get(&1), Some(1)); // 1 is the least recent, but used
    cache.insert(4, 4); // 1 goes round again, 2 is evicted
    assert!(cache.contains_key(&1) && !cache.contains_key(&2));
    cache.insert(5, 5); // 3: never used since it arrived
    assert!(!cache.contains_key(&3));
    cache.insert(6, 6); // 1's second chance is spent
    assert!(!cache.contains_key(&1));
    let mut keys: Vec<_> = cache.snapshot().into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    assert_eq!(keys, [4, 5, 6]);
    assert_eq!(cache.stats().evictions, 3);
}

#[test]
fn calls_from_inside_a_listener_neither_deadlock_nor_write() {
    within::within(30, listener_calls_back);
}

fn listener_calls_back() {
    type Shared = ConcurrentCache<LruCache<u32, u32>>;
    let cache: Arc<std::sync::OnceLock<Shared>> = Arc::new(std::sync::OnceLock::new());
    let inner = cache.clone();
    let listened = Arc::new(AtomicUsize::new(0));
    let seen = listened.clone();
    cache
        .set(ConcurrentCache::with_shards(2, 1, move |n| {
            let inner = inner.clone();
            let seen = seen.clone();
            LruCache::builder(n)
                .listener(move |key: u32, _value: u32, _cause| {
                    let cache = inner.get().unwrap();
                    // Reads are answered; writes and computations do not wait.
                    assert!(cache.get(&key).is_none());
                    assert_eq!(cache.insert(key, 0), None);
                    assert_eq!(cache.get_or_insert_with(1000, || 7), 7);
                    seen.fetch_add(1, Ordering::SeqCst);
                })
                .build()
        }))
        .unwrap_or_else(|_| unreachable!());
    let cache = cache.get().unwrap();
    for key in 0..4 {
        cache.insert(key, key);
    }
    assert_eq!(listened.load(Ordering::SeqCst), 2);
    assert!(!cache.contains_key(&1000));
    assert_eq!(cache.len(), 2);
}

#[test]
fn errors_are_returned_and_not_cached() {
    let cache = ConcurrentCache::new(100, LfuCache::new);
    let r: Result<u32, String> = cache.try_get_or_insert_with(1u32, || Err("down".into()));
    assert_eq!(r, Err("down".to_string()));
    assert!(!cache.contains_key(&1));
    let r: Result<u32, String> = cache.try_get_or_insert_with(1u32, || Ok(10));
    assert_eq!(r, Ok(10));
    let r: Result<u32, String> = cache.try_get_or_insert_with(1u32, || Err("unused".into()));
    assert_eq!(r, Ok(10));
}

#[test]
fn async_callers_of_one_key_compute_once() {
    let cache = ConcurrentCache::new(100, LruCache::new);
    let computations = AtomicUsize::new(0);
    let values = block_on(futures::future::join_all((0..5).map(|_| {
        cache.get_or_insert_with_async(7u32, async {
            computations.fetch_add(1, Ordering::SeqCst);
            YieldOnce(false).await;
            70u32
        })
    })));
    assert_eq!(values, [70; 5]);
    assert_eq!(computations.load(Ordering::SeqCst), 1);
    fn assert_send<T: Send>(_: &T) {}
    let future = cache.get_or_insert_with_async(8u32, async { 80u32 });
    assert_send(&future);
    assert_eq!(block_on(future), 80);
}

#[test]
fn a_cancelled_async_computation_hands_over() {
    let cache = ConcurrentCache::new(100, LruCache::new);
    let mut first = Box::pin(cache.get_or_insert_with_async(1u32, async {
        YieldOnce(false).await;
        10u32
    }));
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(first.as_mut().poll(&mut cx).is_pending());
    drop(first);
    assert_eq!(
        block_on(cache.get_or_insert_with_async(1u32, async { 11u32 })),
        11
    );
}

#[test]
fn ttl_shards_expire_on_the_clock() {
    let clock = ManualClock::new();
    let cache = ConcurrentCache::with_shards(64, 4, |n| {
        TtlCache::with_clock(n, Duration::from_secs(10), clock.clone())
    });
    for i in 0..20u32 {
        cache.insert(i, i);
    }
    assert_eq!(cache.len(), 20);
    clock.advance(Duration::from_secs(10));
    assert_eq!(cache.len(), 0);
    assert_eq!(cache.get(&3), None);
    let mut expired = 0;
    cache.for_each_shard(|shard| expired += shard.expire().len());
    assert_eq!(expired, 20);
}

#[test]
fn retain_and_clear_reach_every_shard() {
    let cache = ConcurrentCache::with_shards(1000, 8, LruCache::new);
    for i in 0..100u32 {
        cache.insert(i, i);
    }
    cache.retain(|_, v: &mut u32| v.is_multiple_of(2));
    assert_eq!(cache.len(), 50);
    assert!(cache.snapshot().iter().all(|(_, v)| v.is_multiple_of(2)));
    cache.clear();
    assert!(cache.is_empty());
}
