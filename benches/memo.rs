//! The cost of memoization itself: a hit and a miss through `#[cached]`
//! (the default shared cache, `thread_local`, a `ConcurrentCache`) and
//! `#[cached_method]` (`RefCell`, `Mutex` and `ConcurrentCache` fields),
//! against the `cached` crate's `#[cached]` and a hand-written `HashMap`
//! memo, in one run: `cargo bench --bench memo`.
//!
//! Each iteration makes 1,024 calls of a trivial function, so the time is
//! the memoization overhead alone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;

use cachekit::{cached_method, ConcurrentCache, LruCache};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

const BATCH: usize = 1024;
const KEYS: u64 = 512;

// ---- u64 argument --------------------------------------------------------

/// The bound of every bounded hit benchmark (all 512 keys fit).
const BOUND: usize = 100_000;

#[cachekit::cached(cache = LruCache::new(BOUND))]
fn cachekit_shared(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cachekit::cached(thread_local, cache = LruCache::new(BOUND))]
fn cachekit_thread_local(x: u64) -> u64 {
    x.wrapping_mul(3)
}

/// A generic function: one cache per instantiation, found on each call.
#[cachekit::cached(cache = LruCache::new(BOUND))]
fn cachekit_generic<T: Default + Clone + Send + Sync>(x: u64) -> (u64, T) {
    (x.wrapping_mul(3), T::default())
}

struct Repo;

/// An associated function, through `#[cached]` on its impl block.
#[cachekit::cached]
impl Repo {
    #[cached(cache = LruCache::new(BOUND))]
    fn lookup(x: u64) -> u64 {
        x.wrapping_mul(3)
    }
}

#[cachekit::cached]
fn cachekit_shared_unbounded(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cachekit::cached(cache = cachekit::ConcurrentCache::new(BOUND, LruCache::new))]
fn cachekit_sharded(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cached::macros::cached]
fn cached_crate(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cached::macros::cached(max_size = 100_000)] // BOUND
fn cached_crate_lru(x: u64) -> u64 {
    x.wrapping_mul(3)
}

thread_local! {
    static HAND: RefCell<HashMap<u64, u64, ahash::RandomState>> = RefCell::default();
    static HAND_STR: RefCell<HashMap<String, usize, ahash::RandomState>> = RefCell::default();
}

fn hand_written(x: u64) -> u64 {
    if let Some(v) = HAND.with(|m| m.borrow().get(&x).copied()) {
        return v;
    }
    let v = x.wrapping_mul(3);
    HAND.with(|m| m.borrow_mut().insert(x, v));
    v
}

struct Service {
    local: RefCell<LruCache<u64, u64>>,
    shared: Mutex<LruCache<u64, u64>>,
    concurrent: ConcurrentCache<LruCache<u64, u64>>,
    local_str: RefCell<LruCache<String, usize>>,
    shared_str: Mutex<LruCache<String, usize>>,
    concurrent_str: ConcurrentCache<LruCache<String, usize>>,
}

impl Service {
    fn new(maxsize: usize) -> Self {
        Service {
            local: RefCell::new(LruCache::new(maxsize)),
            shared: Mutex::new(LruCache::new(maxsize)),
            concurrent: ConcurrentCache::unsharded(LruCache::new(maxsize)),
            local_str: RefCell::new(LruCache::new(maxsize)),
            shared_str: Mutex::new(LruCache::new(maxsize)),
            concurrent_str: ConcurrentCache::unsharded(LruCache::new(maxsize)),
        }
    }

    #[cached_method(cache = self.concurrent)]
    fn concurrent(&self, x: u64) -> u64 {
        x.wrapping_mul(3)
    }

    #[cached_method(cache = self.concurrent_str)]
    fn concurrent_str(&self, name: &str) -> usize {
        name.len()
    }

    #[cached_method(cache = self.local)]
    fn refcell(&self, x: u64) -> u64 {
        x.wrapping_mul(3)
    }

    #[cached_method(cache = self.shared)]
    fn mutex(&self, x: u64) -> u64 {
        x.wrapping_mul(3)
    }

    #[cached_method(cache = self.local_str)]
    fn refcell_str(&self, name: &str) -> usize {
        name.len()
    }

    #[cached_method(cache = self.shared_str)]
    fn mutex_str(&self, name: &str) -> usize {
        name.len()
    }
}

// ---- &str argument -------------------------------------------------------

#[cachekit::cached(cache = LruCache::new(BOUND))]
fn cachekit_shared_str(name: &str) -> usize {
    name.len()
}

#[cachekit::cached(thread_local, cache = LruCache::new(BOUND))]
fn cachekit_thread_local_str(name: &str) -> usize {
    name.len()
}

#[cached::macros::cached(key = "String", convert = { name.to_string() })]
fn cached_crate_str(name: &str) -> usize {
    name.len()
}

#[cached::macros::cached(max_size = 100_000, key = "String", convert = { name.to_string() })]
fn cached_crate_lru_str(name: &str) -> usize {
    name.len()
}

fn hand_written_str(name: &str) -> usize {
    if let Some(v) = HAND_STR.with(|m| m.borrow().get(name).copied()) {
        return v;
    }
    let v = name.len();
    HAND_STR.with(|m| m.borrow_mut().insert(name.to_string(), v));
    v
}

// ---- misses ---------------------------------------------------------------

#[cachekit::cached(cache = LruCache::new(1000))]
fn cachekit_shared_miss(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cachekit::cached(thread_local, cache = LruCache::new(1000))]
fn cachekit_thread_local_miss(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cached::macros::cached(max_size = 1000)]
fn cached_crate_miss(x: u64) -> u64 {
    x.wrapping_mul(3)
}

#[cachekit::cached(cache = LruCache::new(1000))]
fn cachekit_shared_str_miss(name: &str) -> usize {
    name.len()
}

#[cachekit::cached(thread_local, cache = LruCache::new(1000))]
fn cachekit_thread_local_str_miss(name: &str) -> usize {
    name.len()
}

#[cached::macros::cached(max_size = 1000, key = "String", convert = { name.to_string() })]
fn cached_crate_str_miss(name: &str) -> usize {
    name.len()
}

fn hits(c: &mut Criterion) {
    let keys: Vec<u64> = (0..BATCH as u64).map(|i| (i * 7919) % KEYS).collect();
    let service = Service::new(KEYS as usize);
    let mut group = c.benchmark_group("memo_hit/u64");
    group.throughput(Throughput::Elements(BATCH as u64));
    macro_rules! bench {
        ($name:expr, $call:expr) => {
            for &k in &keys {
                $call(k); // warm
            }
            group.bench_function($name, |b| {
                b.iter(|| {
                    for &k in &keys {
                        black_box($call(black_box(k)));
                    }
                })
            });
        };
    }
    bench!("cachekit_cached", cachekit_shared);
    bench!("cachekit_cached_thread_local", cachekit_thread_local);
    bench!("cachekit_cached_associated", Repo::lookup);
    bench!("cachekit_cached_generic", |k| cachekit_generic::<u8>(k).0);
    bench!("cachekit_cached_unbounded", cachekit_shared_unbounded);
    bench!("cachekit_cached_sharded", cachekit_sharded);
    bench!("cachekit_method_refcell", |k| service.refcell(k));
    bench!("cachekit_method_mutex", |k| service.mutex(k));
    bench!("cachekit_method_concurrent", |k| service.concurrent(k));
    bench!("cached_crate", cached_crate);
    bench!("cached_crate_lru", cached_crate_lru);
    bench!("hand_written_hashmap", hand_written);
    group.finish();

    let names: Vec<String> = (0..KEYS)
        .map(|i| format!("a fairly ordinary query string #{i}"))
        .collect();
    let calls: Vec<&str> = keys.iter().map(|&k| names[k as usize].as_str()).collect();
    let mut group = c.benchmark_group("memo_hit/str");
    group.throughput(Throughput::Elements(BATCH as u64));
    macro_rules! bench_str {
        ($name:expr, $call:expr) => {
            for name in &calls {
                $call(name);
            }
            group.bench_function($name, |b| {
                b.iter(|| {
                    for name in &calls {
                        black_box($call(black_box(name)));
                    }
                })
            });
        };
    }
    bench_str!("cachekit_cached", cachekit_shared_str);
    bench_str!("cachekit_cached_thread_local", cachekit_thread_local_str);
    bench_str!("cachekit_method_refcell", |name| service.refcell_str(name));
    bench_str!("cachekit_method_mutex", |name| service.mutex_str(name));
    bench_str!("cachekit_method_concurrent", |name| service
        .concurrent_str(name));
    bench_str!("cached_crate", cached_crate_str);
    bench_str!("cached_crate_lru", cached_crate_lru_str);
    bench_str!("hand_written_hashmap", hand_written_str);
    group.finish();
}

/// Every call a new argument: the lookup misses, the function runs and its
/// result is stored, evicting the least recent of 1,000 entries. (A
/// hand-written `HashMap` memo has no bound, so it has no miss figure.)
fn misses(c: &mut Criterion) {
    let service = Service::new(1000);
    let mut group = c.benchmark_group("memo_miss/u64");
    group.throughput(Throughput::Elements(BATCH as u64));
    // Each benchmark counts up from 1: every call a key its cache never saw.
    let counter = || {
        let mut next = 0u64;
        move || {
            next += 1;
            next
        }
    };
    bench_misses(
        &mut group,
        "cachekit_cached",
        counter(),
        cachekit_shared_miss,
    );
    bench_misses(
        &mut group,
        "cachekit_cached_thread_local",
        counter(),
        cachekit_thread_local_miss,
    );
    bench_misses(&mut group, "cachekit_method_refcell", counter(), |k| {
        service.refcell(k)
    });
    bench_misses(&mut group, "cachekit_method_mutex", counter(), |k| {
        service.mutex(k)
    });
    bench_misses(&mut group, "cached_crate", counter(), cached_crate_miss);
    group.finish();

    // Names built up front, so that a miss costs the lookup, the call and
    // the owned copy of the key that the cache stores, not the formatting.
    let names: Vec<String> = (0..1 << 20)
        .map(|i| format!("a fairly ordinary query string #{i}"))
        .collect();
    let mut group = c.benchmark_group("memo_miss/str");
    group.throughput(Throughput::Elements(BATCH as u64));
    let names = &names;
    let cycle = || {
        let mut next = 0usize;
        move || {
            next = (next + 1) % names.len();
            names[next].as_str()
        }
    };
    bench_misses(
        &mut group,
        "cachekit_cached",
        cycle(),
        cachekit_shared_str_miss,
    );
    bench_misses(
        &mut group,
        "cachekit_cached_thread_local",
        cycle(),
        cachekit_thread_local_str_miss,
    );
    bench_misses(&mut group, "cachekit_method_refcell", cycle(), |n| {
        service.refcell_str(n)
    });
    bench_misses(&mut group, "cachekit_method_mutex", cycle(), |n| {
        service.mutex_str(n)
    });
    bench_misses(&mut group, "cached_crate", cycle(), cached_crate_str_miss);
    group.finish();
}

/// Times batches of `call(next())`, each argument new to `call`'s cache.
fn bench_misses<A, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    mut next: impl FnMut() -> A,
    call: impl Fn(A) -> R,
) {
    group.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                black_box(call(black_box(next())));
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30);
    targets = hits, misses
}
criterion_main!(benches);
