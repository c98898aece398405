//! The Redis tier against a real `redis-server` (started per test on a
//! free loopback port): round trips, expiry, namespaces, two tiers, the
//! macros, and the faults that must never fail a cached function.

#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use cachekit::redis::RedisCache;
use cachekit::{cached, cached_method, Cache, LruCache};
use redis_server::RedisServer;

/// A direct connection, to look behind the cache's back.
fn raw(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn keys(server: &RedisServer, pattern: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(pattern)
        .query(&mut raw(server))
        .unwrap()
}

#[test]
fn round_trip_through_redis() {
    let server = RedisServer::start();
    let mut cache: RedisCache<String, Vec<u32>> = RedisCache::builder(&server.url())
        .function("round_trip")
        .build();
    assert_eq!(cache.get("a"), None);
    cache.insert("a".to_string(), vec![1, 2, 3]);
    assert_eq!(cache.get("a"), Some(&vec![1, 2, 3]));
    assert!(cache.contains_key("a"));
    assert_eq!(cache.len(), 1);
    assert_eq!(keys(&server, "cachekit:round_trip:*").len(), 1);
    assert_eq!(cache.remove("a"), Some(vec![1, 2, 3]));
    assert_eq!(cache.get("a"), None);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 2));
    assert_eq!(cache.redis_stats().errors, 0);
}

#[test]
fn tuple_keys_are_looked_up_borrowed() {
    let server = RedisServer::start();
    let mut cache: RedisCache<(String, u32), u64> = RedisCache::new(&server.url());
    cache.insert(("shoes".to_string(), 2), 20);
    assert_eq!(cache.get(&cachekit::KeyRef(("shoes", &2u32))), Some(&20));
    assert_eq!(cache.get(&cachekit::KeyRef(("shoes", &3u32))), None);
}

#[test]
fn entries_expire_by_redis_ttl() {
    let server = RedisServer::start();
    let mut cache: RedisCache<u32, u32> = RedisCache::builder(&server.url())
        .function("ttl")
        .ttl(Duration::from_secs(60))
        .build();
    cache.insert(1, 1);
    let key = &keys(&server, "cachekit:ttl:*")[0];
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(key)
        .query(&mut raw(&server))
        .unwrap();
    assert!(ttl_ms > 0 && ttl_ms <= 60_000, "PTTL {ttl_ms}");
}

#[test]
fn namespaces_keep_functions_and_prefixes_apart() {
    let server = RedisServer::start();
    let url = server.url();
    let mut a: RedisCache<u32, String> = RedisCache::builder(&url).function("a").build();
    let mut b: RedisCache<u32, String> = RedisCache::builder(&url).function("b").build();
    let mut other_app: RedisCache<u32, String> = RedisCache::builder(&url)
        .prefix("other")
        .function("a")
        .build();
    a.insert(1, "from a".into());
    b.insert(1, "from b".into());
    assert_eq!(a.get(&1).map(String::as_str), Some("from a"));
    assert_eq!(b.get(&1).map(String::as_str), Some("from b"));
    assert_eq!(other_app.get(&1), None);
    a.clear();
    assert_eq!(a.get(&1), None);
    assert_eq!(
        b.get(&1).map(String::as_str),
        Some("from b"),
        "clear stays in its namespace"
    );
}

#[test]
fn two_clients_share_entries_like_two_processes() {
    let server = RedisServer::start();
    let mut writer: RedisCache<String, u64> = RedisCache::builder(&server.url())
        .function("shared")
        .build();
    let mut reader: RedisCache<String, u64> = RedisCache::builder(&server.url())
        .function("shared")
        .build();
    writer.insert("k".into(), 7);
    assert_eq!(reader.get("k"), Some(&7));
    assert_eq!(reader.redis_stats().redis_hits, 1);
}

#[test]
fn the_local_tier_serves_hits_and_invalidation_reaches_both() {
    let server = RedisServer::start();
    let mut two_tier = RedisCache::builder(&server.url())
        .function("tiers")
        .local(LruCache::new(10))
        .build();
    let mut other: RedisCache<u32, u32> =
        RedisCache::builder(&server.url()).function("tiers").build();
    two_tier.insert(1u32, 10u32);
    assert_eq!(two_tier.get(&1), Some(&10));
    assert_eq!(two_tier.get(&1), Some(&10));
    let stats = two_tier.redis_stats();
    assert_eq!((stats.local_hits, stats.redis_hits), (2, 0));
    // Another process's entry is fetched once, then served locally.
    other.insert(2, 20);
    assert_eq!(two_tier.get(&2), Some(&20));
    assert_eq!(two_tier.get(&2), Some(&20));
    let stats = two_tier.redis_stats();
    assert_eq!((stats.local_hits, stats.redis_hits), (3, 1));
    assert_eq!(two_tier.remove(&1), Some(10));
    assert_eq!(other.get(&1), None, "removed from Redis too");
    assert!(!two_tier.contains_key(&1));
}

// ---- the macros ------------------------------------------------------------

/// The server of the macro test, which owns it (so that it stops with the
/// test); the cached functions read its URL on first use.
static URL: OnceLock<String> = OnceLock::new();

fn shared_url() -> String {
    URL.get().cloned().unwrap_or_default()
}

static PRICE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[cached(lock, cache = RedisCache::new(&shared_url()))]
fn price(sku: &str) -> u64 {
    PRICE_CALLS.fetch_add(1, Ordering::SeqCst);
    sku.len() as u64 * 100
}

#[cached(lock, cache = RedisCache::new(&shared_url()))]
fn stock(sku: &str) -> u64 {
    sku.len() as u64
}

#[test]
fn cached_functions_share_redis_under_their_own_names() {
    let server = RedisServer::start();
    URL.set(server.url()).unwrap();
    assert_eq!(price("abc"), 300);
    assert_eq!(price("abc"), 300);
    assert_eq!(PRICE_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(stock("abc"), 3, "same arguments, another function");
    let mut price_keys = keys(&server, "cachekit:*price:*");
    price_keys.sort();
    assert_eq!(price_keys.len(), 1, "{price_keys:?}");
    assert!(price_keys[0].contains("test_redis::price:"));
    // A second process would see the entry: a fresh client reads it.
    let key = &price_keys[0];
    let function = &key["cachekit:".len()..key.rfind(':').unwrap()];
    assert_eq!(function, "test_redis::price");
    let mut other: RedisCache<String, u64> = RedisCache::builder(&shared_url())
        .function(function)
        .build();
    assert_eq!(other.get("abc"), Some(&300));
    assert_eq!(price::invalidate("abc"), Some(300));
    assert_eq!(other.get("abc"), None);
}

struct Catalog {
    cache: Mutex<RedisCache<u64, String>>,
    loads: AtomicUsize,
}

impl Catalog {
    #[cached_method(cache = self.cache)]
    fn product(&self, id: u64) -> String {
        self.loads.fetch_add(1, Ordering::SeqCst);
        format!("product {id}")
    }
}

#[test]
fn a_method_caches_through_a_redis_field() {
    let server = RedisServer::start();
    let catalog = Catalog {
        cache: Mutex::new(
            RedisCache::builder(&server.url())
                .function("catalog")
                .build(),
        ),
        loads: AtomicUsize::new(0),
    };
    assert_eq!(catalog.product(1), "product 1");
    assert_eq!(catalog.product(1), "product 1");
    assert_eq!(catalog.loads.load(Ordering::SeqCst), 1);
    assert_eq!(catalog.product_invalidate(1).as_deref(), Some("product 1"));
    catalog.product(1);
    assert_eq!(catalog.loads.load(Ordering::SeqCst), 2);
}

// ---- faults ----------------------------------------------------------------

#[test]
fn a_closed_port_computes_and_counts_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // bound then dropped: nothing listens there
    let mut cache: RedisCache<u32, u32> =
        RedisCache::builder(&format!("redis://127.0.0.1:{port}/"))
            .retry_after(Duration::ZERO)
            .build();
    assert_eq!(cache.get(&1), None);
    cache.insert(1, 1);
    assert_eq!(cache.get(&1), None);
    assert!(cache.redis_stats().errors >= 3);
    let mut invalid: RedisCache<u32, u32> = RedisCache::new("not a url");
    assert_eq!(invalid.get(&1), None);
    assert!(invalid.redis_stats().errors >= 1);
}

static FLAKY_CALLS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_server_that_goes_away_mid_test_never_fails_the_function() {
    let mut server = RedisServer::start();
    let mut cache: RedisCache<u32, u32> = RedisCache::builder(&server.url())
        .retry_after(Duration::ZERO)
        .build();
    cache.insert(1, 10);
    assert_eq!(cache.get(&1), Some(&10));
    server.stop();
    let mut compute = |k: u32| -> u32 {
        if let Some(v) = cache.get(&k) {
            return *v;
        }
        FLAKY_CALLS.fetch_add(1, Ordering::SeqCst);
        cache.insert(k, k * 10);
        k * 10
    };
    assert_eq!(compute(1), 10);
    assert_eq!(compute(2), 20);
    assert_eq!(FLAKY_CALLS.load(Ordering::SeqCst), 2);
    assert!(cache.redis_stats().errors >= 2);
}

#[test]
fn garbage_in_redis_is_a_miss() {
    let server = RedisServer::start();
    let mut cache: RedisCache<u32, String> = RedisCache::builder(&server.url())
        .function("garbage")
        .build();
    cache.insert(5, "five".into());
    let key = keys(&server, "cachekit:garbage:*").remove(0);
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg(&[0xffu8, 0xff, 0xff, 0xff, 0xff][..])
        .query(&mut raw(&server))
        .unwrap();
    assert_eq!(cache.get(&5), None);
    assert_eq!(cache.redis_stats().decode_errors, 1);
}

#[test]
fn a_slow_server_times_out_into_a_miss() {
    let server = RedisServer::start();
    let mut cache: RedisCache<u32, u32> = RedisCache::builder(&server.url())
        .timeout(Duration::from_millis(50))
        .build();
    cache.insert(1, 1);
    // Block the server for longer than the cache's timeout.
    let url = server.url();
    let sleeper = std::thread::spawn(move || {
        let mut conn = redis::Client::open(url).unwrap().get_connection().unwrap();
        let _: redis::RedisResult<()> = redis::cmd("DEBUG").arg("SLEEP").arg("1").query(&mut conn);
    });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(cache.get(&1), None, "a timeout is a miss");
    assert!(cache.redis_stats().errors >= 1);
    sleeper.join().unwrap();
}

#[test]
fn prefixes_with_glob_characters_or_a_shared_stem_never_see_each_others_keys() {
    let server = RedisServer::start();
    let prefixes = ["p", "p:", "pa", "p?", "p*", "p[a]", "p]", "p\\", "p\\*"];
    let mut caches: Vec<RedisCache<u32, u32>> = prefixes
        .iter()
        .map(|prefix| RedisCache::builder(&server.url()).prefix(prefix).build())
        .collect();
    for (i, cache) in caches.iter_mut().enumerate() {
        cache.insert(i as u32, i as u32);
    }
    for (i, cache) in caches.iter().enumerate() {
        let mut seen = Vec::new();
        cache.for_each(|k, _| seen.push(*k));
        assert_eq!(seen, [i as u32], "prefix {:?} saw {seen:?}", prefixes[i]);
        assert_eq!(cache.len(), 1, "prefix {:?}", prefixes[i]);
    }
    // Clearing one namespace deletes its key alone.
    caches[3].clear(); // "p?", whose unescaped pattern would match "pa"
    caches[4].clear(); // "p*", which would match all of them
    for (i, cache) in caches.iter().enumerate() {
        let expected = usize::from(i != 3 && i != 4);
        assert_eq!(cache.len(), expected, "prefix {:?}", prefixes[i]);
    }
    caches[0].retain(|_, _| false);
    assert_eq!(caches[1].len(), 1, "retain of \"p\" reached \"p:\"");
    assert_eq!(caches[2].len(), 1, "retain of \"p\" reached \"pa\"");
}

#[test]
fn a_ttl_longer_than_redis_takes_stores_without_expiry() {
    let server = RedisServer::start();
    for ttl in [Duration::MAX, Duration::from_secs(u64::MAX / 1000)] {
        let mut cache: RedisCache<u32, u32> = RedisCache::builder(&server.url())
            .function("forever")
            .ttl(ttl)
            .build();
        cache.insert(1, 10);
        assert_eq!(cache.get(&1), Some(&10));
        assert_eq!(cache.redis_stats().errors, 0, "{ttl:?}");
        let key = keys(&server, "cachekit:forever:*").pop().unwrap();
        let pttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query(&mut raw(&server))
            .unwrap();
        assert_eq!(pttl, -1, "stored without expiry");
        cache.clear();
    }
    // A long but representable TTL still expires.
    let mut cache: RedisCache<u32, u32> = RedisCache::builder(&server.url())
        .function("long")
        .ttl(Duration::from_secs(3600 * 24 * 365))
        .build();
    cache.insert(1, 10);
    let key = keys(&server, "cachekit:long:*").pop().unwrap();
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query(&mut raw(&server))
        .unwrap();
    assert!(pttl > 0);
}
