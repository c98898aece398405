//! A cache hit in each tier of a two-tier Redis cache, against a throwaway
//! `redis-server` on loopback: `cargo bench --features redis --bench redis`.

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::hint::black_box;

use cachekit::{Cache, LruCache, RedisCache};
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

criterion_group!(benches, tiers);
criterion_main!(benches);
