//! Behaviour of `#[cached_method]`: per-instance caches in `RefCell`,
//! `Mutex` and plain fields, key closures, the generated handle methods,
//! generic and trait impls, `async` methods and one computation per key.

#![deny(warnings)]

#[path = "common/yield_once.rs"]
mod yield_once;

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use cachekit::{cached_method, LruCache, ManualClock, TtlCache};
use futures::executor::block_on;
use yield_once::YieldOnce;

#[derive(Clone, Debug, PartialEq)]
struct Product {
    id: u64,
    name: String,
}

struct ProductRepository {
    cache: RefCell<LruCache<u64, Product>>,
    loads: Cell<usize>,
}

impl ProductRepository {
    fn new(maxsize: usize) -> Self {
        ProductRepository {
            cache: RefCell::new(LruCache::new(maxsize)),
            loads: Cell::new(0),
        }
    }

    #[cached_method(cache = self.cache)]
    fn get_product(&self, product_id: u64) -> Product {
        self.loads.set(self.loads.get() + 1);
        Product {
            id: product_id,
            name: format!("product {product_id}"),
        }
    }

    fn invalidate(&self, product_id: u64) -> bool {
        self.get_product_invalidate(product_id).is_some()
    }
}

#[test]
fn each_instance_has_its_own_cache() {
    let a = ProductRepository::new(2);
    let b = ProductRepository::new(2);
    assert_eq!(a.get_product(1).name, "product 1");
    a.get_product(1);
    assert_eq!(a.loads.get(), 1);
    b.get_product(1);
    assert_eq!(b.loads.get(), 1, "b does not see a's entry");
    let info = a.get_product_cache_info();
    assert_eq!(
        (info.hits, info.misses, info.currsize, info.maxsize),
        (1, 1, 1, 2)
    );
}

#[test]
fn invalidate_peek_contains_and_clear() {
    let repo = ProductRepository::new(10);
    repo.get_product(7);
    assert!(repo.get_product_contains(7));
    assert_eq!(repo.get_product_peek(7).map(|p| p.id), Some(7));
    assert!(repo.invalidate(7));
    assert!(!repo.invalidate(7));
    repo.get_product(7);
    assert_eq!(repo.loads.get(), 2, "invalidated entries are recomputed");
    repo.get_product(8);
    repo.get_product_clear();
    let info = repo.get_product_cache_info();
    assert_eq!((info.hits, info.misses, info.len), (0, 0, 0));
}

#[test]
fn lru_eviction_applies_per_instance() {
    let repo = ProductRepository::new(2);
    repo.get_product(1);
    repo.get_product(2);
    repo.get_product(1);
    repo.get_product(3); // evicts 2
    assert!(repo.get_product_contains(1) && !repo.get_product_contains(2));
}

struct WeatherClient {
    cache: Mutex<TtlCache<(String, char), f64, ManualClock>>,
    fetches: AtomicUsize,
}

impl WeatherClient {
    #[cached_method(cache = self.cache, key = |city: &str, units: char| (city.to_lowercase(), units))]
    fn temperature(&self, city: &str, units: char) -> Result<f64, String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if city.is_empty() {
            return Err("no city".into());
        }
        let celsius = city.len() as f64;
        Ok(if units == 'F' {
            celsius * 1.8 + 32.0
        } else {
            celsius
        })
    }

    fn prefetch(&self, cities: &[&str]) {
        for city in cities {
            let _ = self.temperature(city, 'C');
        }
    }
}

#[test]
fn key_closure_ttl_and_failures() {
    let clock = ManualClock::new();
    let client = WeatherClient {
        cache: Mutex::new(TtlCache::with_clock(
            16,
            Duration::from_secs(600),
            clock.clone(),
        )),
        fetches: AtomicUsize::new(0),
    };
    client.prefetch(&["Paris", "Oslo"]);
    assert_eq!(client.temperature("PARIS", 'C'), Ok(5.0));
    assert_eq!(
        client.fetches.load(Ordering::SeqCst),
        2,
        "the key lowercases the city"
    );
    assert!(client.temperature("", 'C').is_err());
    assert!(client.temperature("", 'C').is_err());
    assert_eq!(
        client.fetches.load(Ordering::SeqCst),
        4,
        "errors are not cached"
    );
    clock.advance(Duration::from_secs(600));
    assert!(!client.temperature_contains("paris", 'C'));
    client.temperature("Paris", 'C').unwrap();
    assert_eq!(client.fetches.load(Ordering::SeqCst), 5);
}

struct Counter {
    cache: LruCache<u32, u32>,
    calls: u32,
}

impl Counter {
    #[cached_method(cache = self.cache)]
    fn square(&mut self, x: u32) -> u32 {
        self.calls += 1;
        x * x
    }
}

#[test]
fn mut_self_methods_use_a_plain_cache() {
    let mut counter = Counter {
        cache: LruCache::new(4),
        calls: 0,
    };
    assert_eq!(counter.square(3), 9);
    assert_eq!(counter.square(3), 9);
    assert_eq!(counter.calls, 1);
    assert_eq!(counter.square_invalidate(3), Some(9));
    counter.square(3);
    assert_eq!(counter.calls, 2);
    assert_eq!(counter.cache.len(), 1);
}

struct Shared {
    cache: parking_lot::Mutex<LruCache<u32, u32>>,
    computations: AtomicUsize,
}

impl Shared {
    #[cached_method(cache = self.cache)]
    fn slow(&self, key: u32) -> u32 {
        self.computations.fetch_add(1, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(50));
        key + 1
    }

    #[cached_method(cache = self.cache)]
    fn flaky(&self, key: u32) -> u32 {
        if self.computations.fetch_add(1, Ordering::SeqCst) == 0 {
            thread::sleep(Duration::from_millis(50));
            panic!("the first computation fails");
        }
        key + 1
    }
}

#[test]
fn a_thread_safe_field_computes_each_key_once() {
    let shared = Arc::new(Shared {
        cache: parking_lot::Mutex::new(LruCache::new(8)),
        computations: AtomicUsize::new(0),
    });
    let barrier = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let (shared, barrier) = (shared.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                shared.slow(41)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 42);
    }
    assert_eq!(shared.computations.load(Ordering::SeqCst), 1);
}

#[test]
fn a_panicking_method_hands_over_to_a_waiter() {
    let shared = Arc::new(Shared {
        cache: parking_lot::Mutex::new(LruCache::new(8)),
        computations: AtomicUsize::new(0),
    });
    let barrier = Arc::new(Barrier::new(3));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (shared, barrier) = (shared.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shared.flaky(1))).ok()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_none()).count(), 1);
    assert!(results.iter().flatten().all(|&v| v == 2));
    assert_eq!(shared.computations.load(Ordering::SeqCst), 2);
}

struct Generic<T> {
    cache: RefCell<LruCache<usize, T>>,
    items: Vec<T>,
}

impl<T: Clone> Generic<T> {
    #[cached_method(cache = self.cache)]
    fn item(&self, index: usize) -> Option<T> {
        self.items.get(index).cloned()
    }
}

#[test]
fn generic_impls_work() {
    let g = Generic {
        cache: RefCell::new(LruCache::new(4)),
        items: vec!["a".to_string(), "b".to_string()],
    };
    assert_eq!(g.item(1).as_deref(), Some("b"));
    assert_eq!(g.item(5), None);
    assert_eq!(g.item_cache_info().currsize, 1, "None is not cached");
}

trait Lookup {
    fn lookup(&self, id: u32) -> String;
}

struct Directory {
    cache: RefCell<LruCache<u32, String>>,
}

impl Lookup for Directory {
    // A trait impl may not add methods: `no_handle` omits the handle.
    #[cached_method(cache = self.cache, no_handle)]
    fn lookup(&self, id: u32) -> String {
        format!("entry {id}")
    }
}

#[test]
fn trait_impls_work_without_a_handle() {
    let dir = Directory {
        cache: RefCell::new(LruCache::new(4)),
    };
    assert_eq!(dir.lookup(1), "entry 1");
    assert_eq!(dir.lookup(1), "entry 1");
    assert_eq!(dir.cache.borrow().stats().hits, 1);
}

struct Users {
    cache: Mutex<LruCache<u64, String>>,
    fetches: AtomicUsize,
}

impl Users {
    #[cached_method(cache = self.cache)]
    async fn user(&self, id: u64) -> String {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        YieldOnce(false).await;
        format!("user {id}")
    }
}

#[test]
fn async_methods_compute_each_key_once() {
    let users = Users {
        cache: Mutex::new(LruCache::new(8)),
        fetches: AtomicUsize::new(0),
    };
    let results = block_on(futures::future::join_all((0..4).map(|_| users.user(5))));
    assert!(results.iter().all(|u| u == "user 5"));
    assert_eq!(users.fetches.load(Ordering::SeqCst), 1);
    fn assert_send<T: Send>(_: &T) {}
    let future = users.user(6);
    assert_send(&future);
    assert_eq!(block_on(future), "user 6");
}

/// A field behind an `Arc` (shared by clones of the instance) works as the
/// field itself.
mod pointer_fields {
    use cachekit::{cached_method, ConcurrentCache, LruCache};
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    #[derive(Clone)]
    struct Catalog {
        cache: Arc<Mutex<LruCache<u64, String>>>,
        fast: Arc<ConcurrentCache<LruCache<u64, String>>>,
        local: Rc<RefCell<LruCache<u64, String>>>,
        loads: Arc<AtomicUsize>,
    }

    impl Catalog {
        #[cached_method(cache = self.cache)]
        fn name(&self, id: u64) -> String {
            self.loads.fetch_add(1, Ordering::SeqCst);
            format!("item {id}")
        }

        #[cached_method(cache = self.fast)]
        fn fast_name(&self, id: u64) -> String {
            self.loads.fetch_add(1, Ordering::SeqCst);
            format!("fast {id}")
        }

        #[cached_method(cache = self.local)]
        fn local_name(&self, id: u64) -> String {
            self.loads.fetch_add(1, Ordering::SeqCst);
            format!("local {id}")
        }
    }

    #[test]
    fn arc_and_rc_fields_share_one_cache_between_clones() {
        let catalog = Catalog {
            cache: Arc::new(Mutex::new(LruCache::new(8))),
            fast: Arc::new(ConcurrentCache::unsharded(LruCache::new(8))),
            local: Rc::new(RefCell::new(LruCache::new(8))),
            loads: Arc::new(AtomicUsize::new(0)),
        };
        let copy = catalog.clone();
        assert_eq!(catalog.name(1), "item 1");
        assert_eq!(copy.name(1), "item 1");
        assert_eq!(catalog.fast_name(1), "fast 1");
        assert_eq!(copy.fast_name(1), "fast 1");
        assert_eq!(catalog.local_name(1), "local 1");
        assert_eq!(copy.local_name(1), "local 1");
        assert_eq!(catalog.loads.load(Ordering::SeqCst), 3);
        assert!(copy.name_contains(1));
        assert_eq!(copy.name_cache_info().hits, 1);
        catalog.name_clear();
        assert!(!copy.name_contains(1));
    }
}

mod method_lifetimes {
    use cachekit::{cached_method, ConcurrentCache, LruCache};

    struct Fetcher {
        cache: ConcurrentCache<LruCache<String, usize>>,
    }

    impl Fetcher {
        #[cached_method(cache = self.cache)]
        fn get<'a>(&'a self, url: &'a str) -> usize {
            url.len()
        }
    }

    #[test]
    fn a_method_with_lifetimes_is_cached() {
        let fetcher = Fetcher {
            cache: ConcurrentCache::unsharded(LruCache::new(4)),
        };
        assert_eq!(fetcher.get("https://example.com"), 19);
        assert!(fetcher.get_contains("https://example.com"));
        assert_eq!(fetcher.get_cache_info().misses, 1);
    }
}
