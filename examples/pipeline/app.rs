//! The application behind `examples/pipeline`: every pattern of a typical
//! cachetools program, in Rust. `tests/test_pipeline.rs` checks each one.

#![allow(dead_code)] // the example and the test each use a part

use std::any::TypeId;
use std::cell::RefCell;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use cachekit::{cached, cached_method, LfuCache, LruCache, ManualClock, RrCache, TtlCache};

/// How long the simulated remote calls take.
pub const REMOTE_LATENCY: Duration = Duration::from_millis(20);

// 1. The cache types used directly --------------------------------------

/// LRU: reading `a` protects it; inserting `d` evicts `b`, the least recent.
pub fn lru_demo() -> Vec<&'static str> {
    let mut cache = LruCache::new(3);
    for (k, v) in [("a", 1), ("b", 2), ("c", 3)] {
        cache.insert(k, v);
    }
    cache.get("a");
    cache.insert("d", 4);
    sorted_keys(cache.keys().copied())
}

/// TTL: an entry is visible for `ttl`, then gone (time advanced by hand).
pub fn ttl_demo() -> (Option<&'static str>, Option<&'static str>) {
    let clock = ManualClock::new();
    let mut cache = TtlCache::with_clock(10, Duration::from_secs(60), clock.clone());
    cache.insert("session", "alice");
    clock.advance(Duration::from_secs(59));
    let before = cache.get("session").copied();
    clock.advance(Duration::from_secs(1));
    let after = cache.get("session").copied();
    (before, after)
}

/// LFU: the key read often survives a stream of one-off keys.
pub fn lfu_demo() -> (bool, usize) {
    let mut cache = LfuCache::new(3);
    cache.insert("hot", 0);
    for _ in 0..5 {
        cache.get("hot");
    }
    for i in 0..20 {
        cache.insert(if i % 2 == 0 { "x" } else { "y" }, i);
        cache.insert("z", i);
    }
    (cache.contains_key("hot"), cache.len())
}

/// Random replacement: always exactly `maxsize` entries once full.
pub fn rr_demo() -> Vec<usize> {
    let mut cache = RrCache::with_seed(4, 42);
    (0..10)
        .map(|i| {
            cache.insert(i, i);
            cache.len()
        })
        .collect()
}

fn sorted_keys(keys: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut keys: Vec<_> = keys.collect();
    keys.sort_unstable();
    keys
}

// 2. A cached recursive function ------------------------------------------

#[cached(cache = LruCache::new(128))]
pub fn fibonacci(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fibonacci(n - 1) + fibonacci(n - 2)
    }
}

// 3. A TTL-cached slow external call --------------------------------------

pub static RATE_CALLS: AtomicUsize = AtomicUsize::new(0);

// `lock` reads as cachetools' `lock=RLock()`; it states the default (one
// cache for the whole process, one computation per key at a time).
#[cached(lock, cache = TtlCache::new(256, Duration::from_secs(300)))]
pub fn get_exchange_rate(from: &str, to: &str) -> Result<f64, String> {
    RATE_CALLS.fetch_add(1, Ordering::SeqCst);
    thread::sleep(REMOTE_LATENCY);
    match (from, to) {
        (a, b) if a == b => Ok(1.0),
        ("USD", "EUR") => Ok(0.92),
        ("EUR", "USD") => Ok(1.087),
        _ => Err(format!("no rate for {from}/{to}")),
    }
}

// 4. A key function that ignores an argument ------------------------------

pub static SEARCHES: AtomicUsize = AtomicUsize::new(0);

#[cached(
    cache = LruCache::new(1000),
    key = |query: &str, page: u32, _timestamp: f64| (query.trim().to_lowercase(), page)
)]
pub fn search_products(query: &str, page: u32, timestamp: f64) -> Arc<Vec<String>> {
    SEARCHES.fetch_add(1, Ordering::SeqCst);
    let _ = timestamp; // only for logging in a real service
    let query = query.trim().to_lowercase();
    Arc::new(
        (0..3)
            .map(|i| format!("{query} #{}", page * 3 + i))
            .collect(),
    )
}

// 5. Typed keys ---------------------------------------------------------------

/// Rust's types already do what cachetools' `typedkey` adds: `square(3)`
/// has one argument type, so `3u8` and `3u16` cannot share an entry.
#[cached]
pub fn square(x: u16) -> u32 {
    u32::from(x) * u32::from(x)
}

/// A generic function cannot carry `#[cached]` (its cache is one static);
/// the typed key is spelled out instead: the `TypeId` keeps `1u8` and
/// `1u16` apart although they print the same.
#[cached]
fn describe_typed(type_id: TypeId, type_name: &'static str, repr: String) -> String {
    let _ = type_id;
    format!("{repr}: {type_name}")
}

pub fn describe<T: Debug + 'static>(value: T) -> String {
    describe_typed(
        TypeId::of::<T>(),
        std::any::type_name::<T>(),
        format!("{value:?}"),
    )
}

pub fn describe_entries() -> usize {
    describe_typed::cache_info().len
}

// 6. One TTL cache shared by every thread (the default) -------------------

pub static USER_LOADS: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = TtlCache::new(10_000, Duration::from_secs(30)))]
pub fn get_user(id: u64) -> Arc<String> {
    USER_LOADS.fetch_add(1, Ordering::SeqCst);
    thread::sleep(REMOTE_LATENCY);
    Arc::new(format!("user-{id}"))
}

/// Invalidates `id` from another thread: every thread sees it gone.
pub fn invalidate_user(id: u64) -> bool {
    thread::spawn(move || get_user::invalidate(id).is_some())
        .join()
        .unwrap()
}

pub static SCRATCH_BUILDS: AtomicUsize = AtomicUsize::new(0);

/// `thread_local`: one cache per thread, nothing shared (the fastest
/// choice, for values that need not be shared or cannot be).
#[cached(thread_local)]
pub fn scratch_buffer(size: usize) -> std::rc::Rc<Vec<u8>> {
    SCRATCH_BUILDS.fetch_add(1, Ordering::SeqCst);
    std::rc::Rc::new(vec![0; size])
}

/// Two threads each build their own buffer once.
pub fn scratch_per_thread() -> usize {
    let build = || {
        scratch_buffer(64);
        scratch_buffer(64);
    };
    build();
    thread::spawn(build).join().unwrap();
    SCRATCH_BUILDS.load(Ordering::SeqCst)
}

/// Eight threads ask for the same three users at once.
pub fn load_users_concurrently() -> Vec<Arc<String>> {
    let handles: Vec<_> = (0..8)
        .map(|t| thread::spawn(move || get_user(t % 3)))
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

// 7. A repository with a per-instance LRU cache ---------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub price_cents: u64,
}

pub struct ProductRepository {
    cache: RefCell<LruCache<u64, Product>>,
    pub queries: RefCell<usize>,
}

impl ProductRepository {
    pub fn new(maxsize: usize) -> Self {
        ProductRepository {
            cache: RefCell::new(LruCache::new(maxsize)),
            queries: RefCell::new(0),
        }
    }

    #[cached_method(cache = self.cache)]
    pub fn get_product(&self, product_id: u64) -> Product {
        *self.queries.borrow_mut() += 1; // a database query in real code
        Product {
            id: product_id,
            name: format!("product {product_id}"),
            price_cents: 100 * product_id,
        }
    }

    /// After an update, drop the stale entry.
    pub fn invalidate(&self, product_id: u64) -> bool {
        self.get_product_invalidate(product_id).is_some()
    }

    pub fn cache_info(&self) -> cachekit::CacheInfo {
        self.get_product_cache_info()
    }
}

// 8. A client with a per-instance TTL cache and prefetch ------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Units {
    Metric,
    Imperial,
}

pub struct WeatherClient {
    cache: Mutex<TtlCache<(String, Units), f64, ManualClock>>,
    pub requests: AtomicUsize,
}

impl WeatherClient {
    pub fn new(clock: ManualClock) -> Self {
        WeatherClient {
            cache: Mutex::new(TtlCache::with_clock(100, Duration::from_secs(600), clock)),
            requests: AtomicUsize::new(0),
        }
    }

    #[cached_method(
        cache = self.cache,
        key = |city: &str, units: Units| (city.to_lowercase(), units)
    )]
    pub fn temperature(&self, city: &str, units: Units) -> Result<f64, String> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if city.is_empty() {
            return Err("empty city name".to_string());
        }
        let celsius = 10.0 + city.len() as f64;
        Ok(match units {
            Units::Metric => celsius,
            Units::Imperial => celsius * 1.8 + 32.0,
        })
    }

    /// Warms the cache for the cities a dashboard will show.
    pub fn prefetch(&self, cities: &[&str], units: Units) -> usize {
        cities
            .iter()
            .filter(|city| self.temperature(city, units).is_ok())
            .count()
    }

    pub fn is_cached(&self, city: &str, units: Units) -> bool {
        self.temperature_contains(city, units)
    }
}
