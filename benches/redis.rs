//! Against a throwaway `redis-server` on loopback (`cargo bench --features
//! redis --bench redis`): a cache hit in each tier of a two-tier Redis
//! cache, and a `#[cached]` function's miss with and without a lease (one
//! computation per key across processes); with `--features redis-async`
//! also a Redis hit of a `#[cached] async fn` on the async tier against
//! the same hit of a synchronous function.

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use cachekit::{cached, Cache, LruCache, RedisCache};
use criterion::{criterion_group, criterion_main, Criterion};

fn tiers(c: &mut Criterion) {
    let server = redis_server::RedisServer::start();
    let mut group = c.benchmark_group("redis_tier_hit");

    let mut two_tier = RedisCache::builder(&server.url())
        .function("bench_local")
        .local(LruCache::new(1000))
        .build();
    two_tier.insert(42u64, "value".to_string());
    group.bench_function("local_tier", |b| {
        b.iter(|| black_box(two_tier.get(black_box(&42u64)).is_some()))
    });

    let mut remote: RedisCache<u64, String> = RedisCache::builder(&server.url())
        .function("bench_remote")
        .build();
    remote.insert(42, "value".to_string());
    group.bench_function("redis_tier", |b| {
        b.iter(|| black_box(remote.get(black_box(&42u64)).is_some()))
    });
    group.finish();
    assert_eq!(remote.redis_stats().errors, 0);
}

/// The memo benchmarks' server, started once and kept for the run.
fn url() -> String {
    static SERVER: OnceLock<std::sync::Mutex<redis_server::RedisServer>> = OnceLock::new();
    let server = SERVER.get_or_init(|| std::sync::Mutex::new(redis_server::RedisServer::start()));
    server.lock().unwrap().url()
}

#[cached(cache = RedisCache::builder(&url()).function("bench_plain").build())]
fn plain(n: u64) -> u64 {
    n
}

#[cached(cache = RedisCache::builder(&url())
    .function("bench_leased")
    .lease(Duration::from_secs(5))
    .build())]
fn leased(n: u64) -> u64 {
    n
}

/// Every call a miss (a key never used before): the Redis round trips a
/// miss costs, without a lease (`GET`, `SET`) and with one (`GET`,
/// `SET NX`, `GET`, `SET`, the releasing script).
fn misses(c: &mut Criterion) {
    let next = AtomicU64::new(0);
    let mut group = c.benchmark_group("redis_memo_miss");
    group.bench_function("no_lease", |b| {
        b.iter(|| black_box(plain(next.fetch_add(1, Ordering::Relaxed))))
    });
    group.bench_function("lease", |b| {
        b.iter(|| black_box(leased(next.fetch_add(1, Ordering::Relaxed))))
    });
    group.finish();
    let leases = leased::cache_info().redis.unwrap();
    assert_eq!(leases.errors, 0);
    assert!(leases.leases > 0);
}

#[cfg(feature = "redis-async")]
mod hits {
    use super::*;

    #[cached(cache = RedisCache::builder(&url()).function("bench_sync_hit").build())]
    pub fn sync_hit(n: u64) -> u64 {
        n
    }

    #[cached(cache = RedisCache::builder(&url())
        .function("bench_async_hit")
        .asynchronous()
        .build())]
    pub async fn async_hit(n: u64) -> u64 {
        n
    }
}

/// A memoized function's hit in Redis (no local tier), synchronous and
/// on the async tier (one tokio worker thread).
#[cfg(feature = "redis-async")]
fn async_hits(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    hits::sync_hit(7);
    rt.block_on(hits::async_hit(7));
    assert_eq!(hits::sync_hit::cache_info().redis.unwrap().redis_hits, 0);
    let mut group = c.benchmark_group("redis_memo_hit");
    group.bench_function("sync", |b| {
        b.iter(|| black_box(hits::sync_hit(black_box(7))))
    });
    group.bench_function("async", |b| {
        b.iter(|| rt.block_on(async { black_box(hits::async_hit(black_box(7)).await) }))
    });
    group.finish();
    for stats in [
        hits::sync_hit::cache_info().redis.unwrap(),
        hits::async_hit::cache_info().redis.unwrap(),
    ] {
        assert_eq!(stats.errors, 0, "{stats:?}");
        assert!(stats.redis_hits > 0, "{stats:?}");
    }
}

#[cfg(not(feature = "redis-async"))]
fn async_hits(_: &mut Criterion) {}

criterion_group!(benches, tiers, misses, async_hits);
criterion_main!(benches);
