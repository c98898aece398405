//! The async Redis tier (`RedisBuilder::asynchronous`) against a real
//! `redis-server`: `#[cached] async fn`s read and write Redis without
//! blocking their executor's thread, and keep the tier's fault rules.

#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cachekit::cached;
use cachekit::redis::RedisCache;
use redis_server::RedisServer;

fn url() -> String {
    static SERVER: OnceLock<Mutex<RedisServer>> = OnceLock::new();
    let server = SERVER.get_or_init(|| Mutex::new(RedisServer::start()));
    server.lock().unwrap().url()
}

fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[cached(cache = RedisCache::builder(&url())
    .function("async_two_tier")
    .local(cachekit::LruCache::new(100))
    .asynchronous()
    .build())]
async fn two_tier(n: u64) -> u64 {
    n * 3
}

#[test]
fn with_a_local_tier_repeated_calls_stay_in_process() {
    let rt = runtime();
    assert_eq!(rt.block_on(two_tier(4)), 12);
    assert_eq!(rt.block_on(two_tier(4)), 12);
    let stats = two_tier::cache_info().redis.unwrap();
    assert_eq!(
        (stats.local_hits, stats.redis_hits, stats.errors),
        (1, 0, 0),
        "{stats:?}"
    );
    // And it is in Redis for the others.
    let probe: RedisCache<u64, u64> = RedisCache::builder(&url())
        .function("async_two_tier")
        .build();
    let exists: i64 = redis::cmd("EXISTS")
        .arg(probe.redis_key(&4u64))
        .query(&mut raw(&url()))
        .unwrap();
    assert_eq!(exists, 1);
}

static PRICES: AtomicUsize = AtomicUsize::new(0);
static PRICES_ELSEWHERE: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = RedisCache::builder(&url()).function("async_price").asynchronous().build())]
async fn price(sku: String) -> u64 {
    PRICES.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(5)).await;
    sku.len() as u64 * 10
}

/// The same function in another process.
#[cached(cache = RedisCache::builder(&url()).function("async_price").asynchronous().build())]
async fn price_elsewhere(sku: String) -> u64 {
    PRICES_ELSEWHERE.fetch_add(1, Ordering::SeqCst);
    unreachable!("the other process computed {sku} already")
}

#[test]
fn an_async_fn_shares_its_entries_through_redis() {
    let rt = runtime();
    assert_eq!(rt.block_on(price("boots".into())), 50);
    assert_eq!(rt.block_on(price("boots".into())), 50);
    assert_eq!(PRICES.load(Ordering::SeqCst), 1);
    // In Redis, where the other process finds it.
    let probe: RedisCache<String, u64> =
        RedisCache::builder(&url()).function("async_price").build();
    let stored: Option<Vec<u8>> = redis::cmd("GET")
        .arg(probe.redis_key("boots"))
        .query(&mut raw(&url()))
        .unwrap();
    assert!(stored.is_some());
    assert_eq!(rt.block_on(price_elsewhere("boots".into())), 50);
    assert_eq!(PRICES_ELSEWHERE.load(Ordering::SeqCst), 0);
    let elsewhere = price_elsewhere::cache_info().redis.unwrap();
    assert_eq!((elsewhere.redis_hits, elsewhere.errors), (1, 0));
    // Without a local tier, every call reads Redis again.
    assert_eq!(rt.block_on(price_elsewhere("boots".into())), 50);
    assert_eq!(price_elsewhere::cache_info().redis.unwrap().redis_hits, 2);
    assert_eq!(price::cache_info().redis.unwrap().errors, 0);
}

/// Its own server: the test pauses it.
fn paused_url() -> String {
    static SERVER: OnceLock<Mutex<RedisServer>> = OnceLock::new();
    let server = SERVER.get_or_init(|| Mutex::new(RedisServer::start()));
    server.lock().unwrap().url()
}

#[cached(cache = RedisCache::builder(&paused_url())
    .function("async_paused")
    .timeout(Duration::from_millis(200))
    .retry_after(Duration::ZERO)
    .asynchronous()
    .build())]
async fn stalled(sku: String) -> usize {
    sku.len()
}

#[test]
fn a_slow_redis_never_blocks_the_executor_thread() {
    // One thread runs everything: if the Redis call blocked it, the other
    // task could only run after the call returned.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(stalled("warm".into())), 4, "connects first");
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(600)
        .arg("ALL")
        .query(&mut raw(&paused_url()))
        .unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    rt.block_on(async {
        let other = {
            let order = Arc::clone(&order);
            tokio::spawn(async move { order.lock().unwrap().push("other task") })
        };
        assert_eq!(stalled("paused".into()).await, 6);
        order.lock().unwrap().push("cached call");
        other.await.unwrap();
    });
    assert_eq!(*order.lock().unwrap(), ["other task", "cached call"]);
    assert!(
        stalled::cache_info().redis.unwrap().errors >= 1,
        "the stalled read timed out"
    );
}

#[cached(cache = RedisCache::builder(&url()).function("async_anywhere").asynchronous().build())]
async fn anywhere(n: u32) -> u32 {
    n + 1
}

#[test]
fn off_a_tokio_runtime_it_computes_and_counts_an_error() {
    assert_eq!(futures::executor::block_on(anywhere(1)), 2);
    let stats = anywhere::cache_info().redis.unwrap();
    assert_eq!(stats.errors, 1, "{stats:?}");
}

#[cached(cache = RedisCache::builder("redis://127.0.0.1:1")
    .function("async_down")
    .asynchronous()
    .build())]
async fn down(n: u32) -> u32 {
    n * 2
}

#[test]
fn with_redis_down_an_async_fn_still_answers() {
    let rt = runtime();
    assert_eq!(rt.block_on(down(2)), 4);
    assert_eq!(rt.block_on(down(3)), 6);
    assert!(down::cache_info().redis.unwrap().errors >= 1);
}
