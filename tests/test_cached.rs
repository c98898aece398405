use cachekit::{cached, LruCache};
use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = LruCache::new(2))]
fn square(x: u64) -> u64 {
    CALLS.fetch_add(1, Ordering::SeqCst);
    x * x
}

#[cached(key = |query: &str, page: u32, _ts: f64| (query.trim().to_lowercase(), page))]
fn search(query: &str, page: u32, timestamp: f64) -> String {
    format!("{query}:{page}:{timestamp}")
}

#[cached(lock, cache = LruCache::new(100))]
fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

#[cached]
fn greet(name: &str, times: usize) -> Result<String, String> {
    if times == 0 {
        Err("no".into())
    } else {
        Ok(name.repeat(times))
    }
}

#[cached(lock)]
async fn slow(x: u32) -> u32 {
    x + 1
}

#[test]
fn smoke() {
    assert_eq!(square(3), 9);
    assert_eq!(square(3), 9);
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    let info = square::cache_info();
    assert_eq!((info.hits, info.misses), (1, 1));
    assert_eq!(search(" Shoes ", 1, 1.0), " Shoes :1:1");
    assert_eq!(search("shoes", 1, 2.0), " Shoes :1:1");
    assert_eq!(fib(80), 23416728348467685);
    assert!(greet("a", 0).is_err());
    assert_eq!(greet("a", 2).unwrap(), "aa");
    assert_eq!(greet::cache_info().misses, 2);
    assert!(greet::contains("a", 2));
    assert!(!greet::contains("a", 0));
    assert_eq!(cachekit::__private::now(slow(1)), 2);
    assert!(slow::contains(1));
}
