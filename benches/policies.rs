//! Core cache operations, side by side with the crates a user would pick
//! instead, in one run: `cargo bench --bench policies`.
//!
//! For a cache of 10,000 entries, with `u64` and `String` keys (looked up
//! as `&str`): `get_hit` (every lookup finds its key), `get_miss` (none
//! does), `insert_evict` (the cache is full: every insert evicts) and
//! `zipf` (Zipf(0.99) over 100,000 keys: get, insert on a miss). Each
//! iteration runs 1,024 operations; criterion reports time per iteration
//! and throughput in operations per second. A bare `hashbrown::HashMap`
//! (ahash) `get` is the physical limit for a hit.
//!
//! Expiry at scale: `len_expired` times `len()` on a TTL and a TLRU cache
//! holding 200,000 entries that have all expired unread (`ManualClock`),
//! and `tlru_insert_evict` TLRU inserts into a full cache with per-entry
//! deadlines from 1 s to 1 h.

#[path = "common/workload.rs"]
mod workload;
#[path = "../tests/common/zipf.rs"]
mod zipf;

use std::hint::black_box;

use std::time::{Duration, Instant};

use cachekit::{
    ArcCache, FifoCache, LfuCache, LruCache, ManualClock, RrCache, TinyLfuCache, TlruCache,
    TtlCache,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use workload::{BATCH, CAPACITY, UNIVERSE};

/// The operations every benchmarked cache offers, with `Q` the borrowed
/// form lookups use.
trait Ops<K, Q: ?Sized> {
    fn get(&mut self, key: &Q) -> bool;
    fn put(&mut self, key: K);
}

macro_rules! cachekit_ops {
    ($($cache:ty),*) => {$(
        impl Ops<u64, u64> for $cache {
            #[inline]
            fn get(&mut self, key: &u64) -> bool {
                self.get(key).is_some()
            }
            #[inline]
            fn put(&mut self, key: u64) {
                self.insert(key, key);
            }
        }
    )*};
}

macro_rules! cachekit_string_ops {
    ($($cache:ty),*) => {$(
        impl Ops<String, str> for $cache {
            #[inline]
            fn get(&mut self, key: &str) -> bool {
                self.get(key).is_some()
            }
            #[inline]
            fn put(&mut self, key: String) {
                self.insert(key, 0);
            }
        }
    )*};
}

cachekit_ops!(
    LruCache<u64, u64>,
    ArcCache<u64, u64>,
    TinyLfuCache<u64, u64>,
    LfuCache<u64, u64>,
    FifoCache<u64, u64>,
    RrCache<u64, u64>,
    TtlCache<u64, u64>
);
cachekit_string_ops!(
    LruCache<String, u64>,
    ArcCache<String, u64>,
    TinyLfuCache<String, u64>,
    LfuCache<String, u64>,
    FifoCache<String, u64>,
    RrCache<String, u64>,
    TtlCache<String, u64>
);

impl Ops<u64, u64> for lru::LruCache<u64, u64> {
    #[inline]
    fn get(&mut self, key: &u64) -> bool {
        self.get(key).is_some()
    }
    #[inline]
    fn put(&mut self, key: u64) {
        self.put(key, key);
    }
}

impl Ops<String, str> for lru::LruCache<String, u64> {
    #[inline]
    fn get(&mut self, key: &str) -> bool {
        self.get(key).is_some()
    }
    #[inline]
    fn put(&mut self, key: String) {
        self.put(key, 0);
    }
}

impl Ops<u64, u64> for quick_cache::unsync::Cache<u64, u64> {
    #[inline]
    fn get(&mut self, key: &u64) -> bool {
        quick_cache::unsync::Cache::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: u64) {
        self.insert(key, key);
    }
}

impl Ops<String, str> for quick_cache::unsync::Cache<String, u64> {
    #[inline]
    fn get(&mut self, key: &str) -> bool {
        quick_cache::unsync::Cache::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: String) {
        self.insert(key, 0);
    }
}

/// moka has no single-threaded cache: its TTL cache is the concurrent one
/// (`moka::sync::Cache` with `time_to_live`), measured from one thread.
type MokaTtl<K> = moka::sync::Cache<K, u64>;

impl Ops<u64, u64> for MokaTtl<u64> {
    #[inline]
    fn get(&mut self, key: &u64) -> bool {
        moka::sync::Cache::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: u64) {
        self.insert(key, key);
    }
}

impl Ops<String, str> for MokaTtl<String> {
    #[inline]
    fn get(&mut self, key: &str) -> bool {
        moka::sync::Cache::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: String) {
        self.insert(key, 0);
    }
}

fn moka_ttl<K: std::hash::Hash + Eq + Send + Sync + 'static>() -> MokaTtl<K> {
    moka::sync::Cache::builder()
        .max_capacity(CAPACITY as u64)
        .time_to_live(std::time::Duration::from_secs(3600))
        .build()
}

type Schnell<K> = schnellru::LruMap<K, u64, schnellru::ByLength>;

impl Ops<u64, u64> for Schnell<u64> {
    #[inline]
    fn get(&mut self, key: &u64) -> bool {
        schnellru::LruMap::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: u64) {
        self.insert(key, key);
    }
}

impl Ops<String, str> for Schnell<String> {
    #[inline]
    fn get(&mut self, key: &str) -> bool {
        schnellru::LruMap::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: String) {
        self.insert(key, 0);
    }
}

/// The physical limit of a hit: no policy, no eviction.
impl Ops<u64, u64> for hashbrown::HashMap<u64, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: &u64) -> bool {
        hashbrown::HashMap::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: u64) {
        self.insert(key, key);
    }
}

impl Ops<String, str> for hashbrown::HashMap<String, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: &str) -> bool {
        hashbrown::HashMap::get(self, key).is_some()
    }
    #[inline]
    fn put(&mut self, key: String) {
        self.insert(key, 0);
    }
}

/// A seeded xorshift stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The key universe, as `u64` (scrambled so that neighbours do not hash
/// alike) and as `String`.
struct Keys {
    ints: Vec<u64>,
    strings: Vec<String>,
}

impl Keys {
    fn new() -> Self {
        let ints: Vec<u64> = (0..UNIVERSE as u64 + 1_000_000)
            .map(workload::int_key)
            .collect();
        let strings = (0..UNIVERSE + 1_000_000)
            .map(|i| workload::string_key(i as u64))
            .collect();
        Keys { ints, strings }
    }
}

/// What each workload needs: a filled cache, and the keys it touches.
fn bench_group<C, K, Q>(
    c: &mut Criterion,
    key_kind: &str,
    name: &str,
    make: impl Fn() -> C,
    universe: &[K],
    borrow: impl Fn(&K) -> &Q + Copy,
) where
    C: Ops<K, Q>,
    K: Clone,
    Q: ?Sized,
{
    let mut rng = Rng(0xbe7c4);
    let resident = &universe[..CAPACITY];
    let hits: Vec<&Q> = (0..BATCH)
        .map(|_| borrow(&resident[rng.next() as usize % CAPACITY]))
        .collect();
    let misses: Vec<&Q> = (0..BATCH)
        .map(|i| borrow(&universe[UNIVERSE + i]))
        .collect();
    let zipf_keys: Vec<&K> = workload::zipf_ranks()
        .into_iter()
        .map(|rank| &universe[rank as usize])
        .collect();

    let filled = || {
        let mut cache = make();
        for key in resident {
            cache.put(key.clone());
        }
        cache
    };

    let mut group = c.benchmark_group(format!("get_hit/{key_kind}"));
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut cache = filled();
    group.bench_function(name, |b| {
        b.iter(|| {
            for key in &hits {
                black_box(cache.get(black_box(key)));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("get_miss/{key_kind}"));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            for key in &misses {
                black_box(cache.get(black_box(key)));
            }
        })
    });
    group.finish();

    // Every insert evicts: fresh keys from beyond the resident set. Owned
    // keys are cloned outside the timed loop.
    let mut group = c.benchmark_group(format!("insert_evict/{key_kind}"));
    group.throughput(Throughput::Elements(BATCH as u64));
    let fresh = &universe[UNIVERSE..];
    let mut next = 0usize;
    group.bench_function(name, |b| {
        b.iter_batched(
            || {
                let batch: Vec<K> = (0..BATCH)
                    .map(|i| fresh[(next + i) % fresh.len()].clone())
                    .collect();
                next = (next + BATCH) % fresh.len();
                batch
            },
            |batch| {
                for key in batch {
                    cache.put(key);
                }
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group(format!("zipf/{key_kind}"));
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut cache = filled();
    let mut offset = 0;
    group.bench_function(BenchmarkId::new(name, "0.99"), |b| {
        b.iter(|| {
            for key in &zipf_keys[offset..offset + BATCH] {
                if !cache.get(borrow(key)) {
                    cache.put((*key).clone());
                }
            }
            offset = (offset + BATCH) % (zipf_keys.len() - BATCH);
        })
    });
    group.finish();
}

fn run_all<K, Q>(
    c: &mut Criterion,
    key_kind: &str,
    universe: &[K],
    borrow: impl Fn(&K) -> &Q + Copy,
) where
    K: Clone + std::hash::Hash + Eq + Send + Sync + 'static,
    Q: ?Sized,
    LruCache<K, u64>: Ops<K, Q>,
    ArcCache<K, u64>: Ops<K, Q>,
    TinyLfuCache<K, u64>: Ops<K, Q>,
    LfuCache<K, u64>: Ops<K, Q>,
    FifoCache<K, u64>: Ops<K, Q>,
    RrCache<K, u64>: Ops<K, Q>,
    TtlCache<K, u64>: Ops<K, Q>,
    MokaTtl<K>: Ops<K, Q>,
    lru::LruCache<K, u64>: Ops<K, Q>,
    quick_cache::unsync::Cache<K, u64>: Ops<K, Q>,
    Schnell<K>: Ops<K, Q>,
    hashbrown::HashMap<K, u64, ahash::RandomState>: Ops<K, Q>,
{
    let cap = std::num::NonZeroUsize::new(CAPACITY).unwrap();
    bench_group(
        c,
        key_kind,
        "hashbrown",
        || hashbrown::HashMap::with_capacity_and_hasher(CAPACITY, ahash::RandomState::new()),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_lru",
        || LruCache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "lru",
        || lru::LruCache::new(cap),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "quick_cache",
        || quick_cache::unsync::Cache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "schnellru",
        || schnellru::LruMap::new(schnellru::ByLength::new(CAPACITY as u32)),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_arc",
        || ArcCache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_tinylfu",
        || TinyLfuCache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_lfu",
        || LfuCache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_fifo",
        || FifoCache::new(CAPACITY),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_rr",
        || RrCache::with_seed(CAPACITY, 1),
        universe,
        borrow,
    );
    bench_group(
        c,
        key_kind,
        "cachekit_ttl",
        || TtlCache::new(CAPACITY, std::time::Duration::from_secs(3600)),
        universe,
        borrow,
    );
    bench_group(c, key_kind, "moka_ttl", moka_ttl::<K>, universe, borrow);
}

fn policies(c: &mut Criterion) {
    let keys = Keys::new();
    run_all(c, "u64", &keys.ints, |k: &u64| k);
    run_all(c, "string", &keys.strings, |k: &String| k.as_str());
}

fn expiry(c: &mut Criterion) {
    const STALE: u64 = 200_000;
    let mut group = c.benchmark_group("len_expired");
    let clock = ManualClock::new();
    let mut ttl = TtlCache::with_clock(STALE as usize, Duration::from_secs(1), clock.clone());
    for key in 0..STALE {
        ttl.insert(key, key);
        clock.advance(Duration::from_micros(1));
    }
    clock.advance(Duration::from_secs(2));
    assert_eq!(ttl.len(), 0);
    group.bench_function("cachekit_ttl", |b| b.iter(|| black_box(&ttl).len()));

    let clock = ManualClock::new();
    let ttu = |key: &u64, _: &u64, now: Instant| now + Duration::from_millis(500 + key % 1000);
    let mut tlru = TlruCache::with_clock(STALE as usize, ttu, clock.clone());
    for key in 0..STALE {
        tlru.insert(key, key);
        clock.advance(Duration::from_micros(1));
    }
    clock.advance(Duration::from_secs(2));
    assert_eq!(tlru.len(), 0);
    group.bench_function("cachekit_tlru", |b| b.iter(|| black_box(&tlru).len()));
    group.finish();

    // Per-entry deadlines 1 s to 1 h away, into a full cache: every insert
    // schedules one deadline and evicts (and unschedules) another.
    let mut group = c.benchmark_group("tlru_insert_evict/u64");
    group.throughput(Throughput::Elements(BATCH as u64));
    let ttu =
        |key: &u64, _: &u64, now: Instant| now + Duration::from_millis(1000 + key % 3_599_000);
    let mut tlru = TlruCache::new(CAPACITY, ttu);
    let mut rng = Rng(0x7e1);
    for _ in 0..CAPACITY {
        tlru.insert(rng.next(), 0);
    }
    group.bench_function("cachekit_tlru", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                tlru.insert(rng.next(), 0);
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30);
    targets = policies, expiry
}
criterion_main!(benches);
