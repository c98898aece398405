//! A cache hit never allocates, and a full cache evicting on every insert
//! does not allocate either: proved with a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cachekit::{FifoCache, KeyRef, LfuCache, LruCache, MruCache, RrCache, UnboundedCache};

struct Counting;

thread_local! {
    // Per thread, so the test harness's other threads do not interfere.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the other tests: a counter that never counts proves nothing.
    let n = allocations_during(|| {
        let v = std::hint::black_box(vec![1u8; 64]);
        drop(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn string_key_hits_with_str_do_not_allocate() {
    let mut cache: LruCache<String, u64> = LruCache::new(100);
    let keys: Vec<String> = (0..100).map(|i| format!("key-{i}")).collect();
    for (i, key) in keys.iter().enumerate() {
        cache.insert(key.clone(), i as u64);
    }
    let n = allocations_during(|| {
        for round in 0..10 {
            for (i, key) in keys.iter().enumerate() {
                let k: &str = key.as_str();
                assert_eq!(cache.get(k), Some(&(i as u64)), "round {round}");
                assert!(cache.contains_key(k));
                assert_eq!(cache.peek(k), Some(&(i as u64)));
            }
        }
    });
    assert_eq!(n, 0);
    assert_eq!(cache.stats().hits, 1000);
}

#[test]
fn tuple_key_hits_with_key_ref_do_not_allocate() {
    let mut cache: LfuCache<(String, u32), String> = LfuCache::new(64);
    for page in 0..64 {
        cache.insert(("shoes".to_string(), page), format!("page {page}"));
    }
    let query = String::from("shoes");
    let n = allocations_during(|| {
        for page in 0..64u32 {
            let hit = cache.get(&KeyRef((query.as_str(), &page)));
            assert_eq!(hit.map(String::len), Some(format_len(page)));
        }
        assert!(cache.get(&KeyRef(("boots", &1u32))).is_none());
    });
    assert_eq!(n, 0);
}

fn format_len(page: u32) -> usize {
    "page ".len() + if page < 10 { 1 } else { 2 }
}

#[test]
fn full_caches_evict_without_allocating() {
    fn churn<C: cachekit::Cache<u64, u64>>(cache: &mut C) -> u64 {
        // Fill and churn until the arena, the policy's structures and the
        // hash table (which grows once when removals leave tombstones)
        // reach their steady-state size.
        for k in 0..20_000 {
            cache.insert(k, k);
        }
        allocations_during(|| {
            for k in 20_000..100_000 {
                cache.insert(k, k);
                assert!(cache.get(&k).is_some());
            }
        })
    }
    assert_eq!(churn(&mut LruCache::new(1_000)), 0, "lru");
    assert_eq!(churn(&mut LfuCache::new(1_000)), 0, "lfu");
    assert_eq!(churn(&mut FifoCache::new(1_000)), 0, "fifo");
    assert_eq!(churn(&mut MruCache::new(1_000)), 0, "mru");
    assert_eq!(churn(&mut RrCache::with_seed(1_000, 1)), 0, "rr");
}

#[test]
fn get_or_insert_with_hits_do_not_allocate() {
    let mut cache: UnboundedCache<u64, Vec<u8>> = UnboundedCache::new();
    for k in 0..100 {
        cache.insert(k, vec![0; 8]);
    }
    let n = allocations_during(|| {
        for k in 0..100 {
            let v = cache.get_or_insert_with(k, || vec![1; 8]).unwrap();
            assert_eq!(v[0], 0);
        }
    });
    assert_eq!(n, 0);
}

#[cachekit::cached(cache = cachekit::LruCache::new(64))]
fn shared_pair_lookup(name: &str, page: u32) -> u64 {
    name.len() as u64 + page as u64
}

#[cachekit::cached(thread_local, cache = cachekit::LruCache::new(64))]
fn local_lookup(name: &str, page: u32) -> u64 {
    name.len() as u64 + page as u64
}

#[cachekit::cached(lock, cache = cachekit::LruCache::new(64))]
fn shared_lookup(name: &str) -> u64 {
    name.len() as u64
}

#[cachekit::cached(cache = cachekit::ConcurrentCache::new(10_000, cachekit::LruCache::new))]
fn sharded_lookup(name: &str) -> u64 {
    name.len() as u64
}

#[cachekit::cached(lock)]
fn shared_result(name: &str) -> Result<u64, String> {
    Ok(name.len() as u64)
}

#[cachekit::cached]
fn generic_lookup<T: Default + Clone + Send + Sync>(name: &str) -> (u64, T) {
    (name.len() as u64, T::default())
}

struct Repo;

#[cachekit::cached]
impl Repo {
    #[cached(maxsize = 8)]
    fn lookup(name: &str) -> u64 {
        name.len() as u64
    }
}

#[test]
fn cached_function_hits_do_not_allocate() {
    let name = String::from("a query string that would have to be copied");
    // Misses build owned keys (and the caches themselves) once.
    local_lookup(&name, 2);
    shared_pair_lookup(&name, 2);
    shared_lookup(&name);
    sharded_lookup(&name);
    shared_result(&name).unwrap();
    generic_lookup::<u8>(&name);
    generic_lookup::<u16>(&name);
    Repo::lookup(&name);
    assert_eq!(
        allocations_during(|| {
            for _ in 0..1000 {
                assert_eq!(generic_lookup::<u16>(&name), (name.len() as u64, 0));
                assert_eq!(Repo::lookup(&name), name.len() as u64);
                assert_eq!(local_lookup(&name, 2), name.len() as u64 + 2);
                assert_eq!(shared_pair_lookup(&name, 2), name.len() as u64 + 2);
                assert_eq!(shared_lookup(&name), name.len() as u64);
                assert_eq!(sharded_lookup(&name), name.len() as u64);
                assert_eq!(shared_result(&name), Ok(name.len() as u64));
            }
        }),
        0
    );
    // The counter does see a miss building its key.
    assert!(
        allocations_during(|| {
            shared_lookup("another query");
        }) > 0
    );
}

struct Catalog {
    cache: std::cell::RefCell<LruCache<(String, u32), u64>>,
    shared: std::sync::Mutex<LruCache<String, u64>>,
}

impl Catalog {
    #[cachekit::cached_method(cache = self.cache)]
    fn search(&self, query: &str, page: u32) -> u64 {
        query.len() as u64 + u64::from(page)
    }

    #[cachekit::cached_method(cache = self.shared)]
    fn lookup(&self, name: &str) -> u64 {
        name.len() as u64
    }
}

#[test]
fn cached_method_hits_do_not_allocate() {
    let catalog = Catalog {
        cache: std::cell::RefCell::new(LruCache::new(16)),
        shared: std::sync::Mutex::new(LruCache::new(16)),
    };
    let query = String::from("running shoes, size 44, waterproof");
    catalog.search(&query, 3);
    catalog.lookup(&query);
    assert_eq!(
        allocations_during(|| {
            for _ in 0..1000 {
                assert_eq!(catalog.search(&query, 3), query.len() as u64 + 3);
                assert_eq!(catalog.lookup(&query), query.len() as u64);
            }
        }),
        0
    );
}
