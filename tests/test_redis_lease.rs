//! One computation per key across processes: leases in Redis, against a
//! real `redis-server`. Each `#[cached]` function below stands for the
//! same function in another process: its own cache, its own connection,
//! one shared namespace (`.function(..)`).

#[path = "common/at_once.rs"]
mod at_once;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use at_once::at_once;
use cachekit::cached;
use cachekit::redis::{RedisCache, RedisStats};
use redis_server::RedisServer;

/// One server for the whole file (the functions read its URL on first
/// use); the tests use disjoint namespaces.
fn url() -> String {
    static SERVER: OnceLock<Mutex<RedisServer>> = OnceLock::new();
    let server = SERVER.get_or_init(|| Mutex::new(RedisServer::start()));
    server.lock().unwrap().url()
}

fn raw() -> redis::Connection {
    redis::Client::open(url())
        .unwrap()
        .get_connection()
        .unwrap()
}

/// Where `function`'s lease of `key` lives.
fn lease_of(function: &str, key: &str) -> String {
    let cache: RedisCache<String, u64> = RedisCache::builder(&url()).function(function).build();
    format!("{}:lease", cache.redis_key(key))
}

fn exists(key: &str) -> bool {
    redis::cmd("EXISTS")
        .arg(key)
        .query::<i64>(&mut raw())
        .unwrap()
        == 1
}

/// The Redis counters of a `#[cached]` function's cache.
macro_rules! redis_stats {
    ($function:ident) => {
        $function::cache_info().redis.expect("a Redis cache")
    };
}

static QUOTES: AtomicUsize = AtomicUsize::new(0);

/// The cache of `quote`, in each process.
fn quote_cache() -> RedisCache<String, u64> {
    RedisCache::builder(&url())
        .function("quote")
        .lease(Duration::from_secs(10))
        .build()
}

macro_rules! quote_process {
    ($name:ident) => {
        #[cached(cache = quote_cache())]
        fn $name(sku: &str) -> u64 {
            QUOTES.fetch_add(1, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(300));
            sku.len() as u64 * 7
        }
    };
}

quote_process!(quote_a);
quote_process!(quote_b);
quote_process!(quote_c);
quote_process!(quote_d);

#[test]
fn processes_missing_one_key_at_once_compute_it_once() {
    let functions: [fn(&str) -> u64; 4] = [quote_a, quote_b, quote_c, quote_d];
    let results: Vec<u64> = at_once(&functions, "boots");
    assert_eq!(results, [35; 4]);
    assert_eq!(QUOTES.load(Ordering::SeqCst), 1, "one computation for all");
    assert!(
        !exists(&lease_of("quote", "boots")),
        "the lease is released"
    );
    let stats: Vec<RedisStats> = vec![
        redis_stats!(quote_a),
        redis_stats!(quote_b),
        redis_stats!(quote_c),
        redis_stats!(quote_d),
    ];
    assert_eq!(stats.iter().map(|s| s.leases).sum::<u64>(), 1, "{stats:?}");
    // Each of the others got the owner's value: after waiting on its lease
    // or, missing just before the value was stored and taking the lease
    // just after it was released, on its check once it held the lease.
    assert_eq!(
        stats.iter().map(|s| s.lease_values).sum::<u64>(),
        3,
        "{stats:?}"
    );
    assert!(
        stats.iter().map(|s| s.lease_waits).sum::<u64>() <= 3,
        "{stats:?}"
    );
    assert_eq!(stats.iter().map(|s| s.lease_timeouts).sum::<u64>(), 0);
    // Later calls are plain hits, in every process.
    assert_eq!(quote_c("boots"), 35);
    assert_eq!(QUOTES.load(Ordering::SeqCst), 1);
}

static RECOVERED: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = RedisCache::builder(&url())
    .function("recover")
    .lease(Duration::from_secs(10))
    .build())]
fn recover(sku: &str) -> u64 {
    RECOVERED.fetch_add(1, Ordering::SeqCst);
    sku.len() as u64
}

#[test]
fn a_crashed_owners_lease_lets_another_compute_after_its_term() {
    // A process took the lease and died: nobody will release it.
    let lease = lease_of("recover", "hat");
    let set: Option<String> = redis::cmd("SET")
        .arg(&lease)
        .arg("a-dead-process")
        .arg("NX")
        .arg("PX")
        .arg(600)
        .query(&mut raw())
        .unwrap();
    assert!(set.is_some());
    let started = Instant::now();
    assert_eq!(recover("hat"), 3);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(400), "waited {waited:?}");
    assert_eq!(RECOVERED.load(Ordering::SeqCst), 1);
    let stats = redis_stats!(recover);
    assert_eq!(
        (stats.leases, stats.lease_waits, stats.lease_values),
        (1, 1, 0)
    );
    assert!(!exists(&lease));
}

static IMPATIENT: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = RedisCache::builder(&url())
    .function("impatient")
    .lease(Duration::from_secs(10))
    .lease_wait(Duration::from_millis(300))
    .build())]
fn impatient(sku: &str) -> u64 {
    IMPATIENT.fetch_add(1, Ordering::SeqCst);
    sku.len() as u64
}

#[test]
fn a_wait_is_bounded_and_never_takes_anothers_lease() {
    let lease = lease_of("impatient", "scarf");
    let _: Option<String> = redis::cmd("SET")
        .arg(&lease)
        .arg("a-slow-process")
        .arg("PX")
        .arg(20_000)
        .query(&mut raw())
        .unwrap();
    let started = Instant::now();
    assert_eq!(impatient("scarf"), 5);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "waited {waited:?}"
    );
    assert_eq!(IMPATIENT.load(Ordering::SeqCst), 1);
    assert_eq!(redis_stats!(impatient).lease_timeouts, 1);
    let holder: Option<String> = redis::cmd("GET").arg(&lease).query(&mut raw()).unwrap();
    assert_eq!(
        holder.as_deref(),
        Some("a-slow-process"),
        "not ours to release"
    );
}

#[cached(cache = RedisCache::builder(&url())
    .function("overrun")
    .lease(Duration::from_millis(200))
    .build())]
fn overrun(sku: &str) -> u64 {
    // Outlives its lease; meanwhile another process takes the key's lease.
    let lease = lease_of("overrun", sku);
    loop {
        let set: Option<String> = redis::cmd("SET")
            .arg(&lease)
            .arg("the-next-process")
            .arg("NX")
            .arg("PX")
            .arg(20_000)
            .query(&mut raw())
            .unwrap();
        if set.is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    sku.len() as u64
}

#[test]
fn an_owner_whose_lease_ran_out_leaves_the_next_holders_lease_alone() {
    assert_eq!(overrun("gloves"), 6);
    let holder: Option<String> = redis::cmd("GET")
        .arg(lease_of("overrun", "gloves"))
        .query(&mut raw())
        .unwrap();
    assert_eq!(holder.as_deref(), Some("the-next-process"));
}

#[cached(cache = RedisCache::builder(&url())
    .function("failing")
    .lease(Duration::from_secs(30))
    .build())]
fn failing(sku: &str) -> Result<u64, String> {
    Err(format!("no price for {sku}"))
}

#[test]
fn a_failed_computation_releases_its_lease_at_once() {
    assert!(failing("belt").is_err());
    assert!(!exists(&lease_of("failing", "belt")));
    assert_eq!(redis_stats!(failing).leases, 1);
}

#[cached(cache = RedisCache::builder("redis://127.0.0.1:1")
    .function("unreachable")
    .lease(Duration::from_secs(30))
    .build())]
fn unreachable(sku: &str) -> u64 {
    sku.len() as u64
}

#[test]
fn with_redis_down_a_lease_costs_nothing() {
    let started = Instant::now();
    assert_eq!(unreachable("cap"), 3);
    assert_eq!(unreachable("cap"), 3);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The faults show in the function's cache_info.
    let stats = redis_stats!(unreachable);
    assert!(stats.errors >= 1, "{stats:?}");
    assert_eq!(stats.leases, 0);
}

#[test]
fn cache_info_of_a_local_cache_has_no_redis_counters() {
    #[cached(maxsize = 10)]
    fn local(n: u64) -> u64 {
        n
    }
    local(1);
    assert_eq!(local::cache_info().redis, None);
}

#[cached(cache = RedisCache::builder("redis://127.0.0.1:1")
    .function("extreme")
    .timeout(Duration::MAX)
    .retry_after(Duration::MAX)
    .lease(Duration::MAX)
    .lease_wait(Duration::MAX)
    .build())]
fn extreme(sku: &str) -> u64 {
    sku.len() as u64
}

#[test]
fn durations_too_long_for_an_instant_are_no_panic() {
    assert_eq!(extreme("sock"), 4);
    assert_eq!(extreme("sock"), 4);
    assert!(redis_stats!(extreme).errors >= 1);
}
