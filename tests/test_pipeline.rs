//! The behaviours `cargo run --example pipeline` prints, checked.

#[path = "../examples/pipeline/app.rs"]
mod app;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use app::*;
use cachekit::ManualClock;

#[test]
fn cache_types() {
    assert_eq!(lru_demo(), ["a", "c", "d"]);
    assert_eq!(ttl_demo(), (Some("alice"), None));
    assert_eq!(lfu_demo(), (true, 3));
    assert_eq!(rr_demo(), [1, 2, 3, 4, 4, 4, 4, 4, 4, 4]);
}

#[test]
fn cached_recursion_computes_each_value_once() {
    assert_eq!(fibonacci(35), 9_227_465);
    assert_eq!(fibonacci(35), 9_227_465);
    let info = fibonacci::cache_info();
    assert_eq!(info.misses, 36);
    assert_eq!(info.hits, 34);
}

#[test]
fn exchange_rates_are_cached_but_errors_are_not() {
    assert_eq!(get_exchange_rate("USD", "EUR"), Ok(0.92));
    assert_eq!(get_exchange_rate("USD", "EUR"), Ok(0.92));
    assert_eq!(RATE_CALLS.load(Ordering::SeqCst), 1);
    assert!(get_exchange_rate("USD", "XYZ").is_err());
    assert!(get_exchange_rate("USD", "XYZ").is_err());
    assert_eq!(RATE_CALLS.load(Ordering::SeqCst), 3);
    assert!(get_exchange_rate::contains("USD", "EUR"));
    assert!(!get_exchange_rate::contains("USD", "XYZ"));
}

#[test]
fn search_key_ignores_the_timestamp() {
    let a = search_products("Laptop ", 0, 1.0);
    let b = search_products("laptop", 0, 2.0);
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(SEARCHES.load(Ordering::SeqCst), 1);
    let page_two = search_products("laptop", 1, 1.0);
    assert!(!Arc::ptr_eq(&a, &page_two));
    assert_eq!(SEARCHES.load(Ordering::SeqCst), 2);
}

#[test]
fn typed_keys_keep_types_apart() {
    assert_eq!(square(3), 9);
    assert_eq!(describe(1u8), "1: u8");
    assert_eq!(describe(1u16), "1: u16");
    assert_eq!(describe(1u8), "1: u8");
    assert_eq!(describe_entries(), 2);
}

#[test]
fn users_load_once_per_id_across_threads_and_invalidate() {
    let users = load_users_concurrently();
    assert_eq!(users.len(), 8);
    for (t, user) in users.iter().enumerate() {
        assert_eq!(**user, format!("user-{}", t % 3));
    }
    assert_eq!(USER_LOADS.load(Ordering::SeqCst), 3);
    // Invalidated on another thread, gone for this one too.
    assert!(invalidate_user(1));
    assert!(!invalidate_user(1));
    assert!(!get_user::contains(1));
    get_user(1);
    assert_eq!(USER_LOADS.load(Ordering::SeqCst), 4);
}

#[test]
fn thread_local_caches_are_per_thread() {
    assert_eq!(scratch_per_thread(), 2);
}

#[test]
fn product_repository_has_a_per_instance_lru() {
    let repo = ProductRepository::new(2);
    let other = ProductRepository::new(2);
    for id in [1, 2, 1, 3, 2] {
        assert_eq!(repo.get_product(id).price_cents, 100 * id);
    }
    // 1, 2 miss; 1 hits; 3 evicts 2; 2 misses again and evicts 1.
    assert_eq!(*repo.queries.borrow(), 4);
    let info = repo.cache_info();
    assert_eq!(
        (info.hits, info.misses, info.currsize, info.maxsize),
        (1, 4, 2, 2)
    );
    assert!(repo.invalidate(3));
    assert!(!repo.invalidate(1), "1 was evicted");
    other.get_product(2);
    assert_eq!(*other.queries.borrow(), 1, "instances do not share entries");
}

#[test]
fn weather_client_prefetches_and_expires() {
    let clock = ManualClock::new();
    let client = WeatherClient::new(clock.clone());
    assert_eq!(client.prefetch(&["Paris", "Oslo", ""], Units::Metric), 2);
    assert_eq!(client.requests.load(Ordering::SeqCst), 3);
    assert_eq!(client.temperature("PARIS", Units::Metric), Ok(15.0));
    assert_eq!(
        client.requests.load(Ordering::SeqCst),
        3,
        "case-insensitive key"
    );
    assert_eq!(client.temperature("Paris", Units::Imperial), Ok(59.0));
    assert_eq!(
        client.requests.load(Ordering::SeqCst),
        4,
        "units are part of the key"
    );
    assert!(client.is_cached("paris", Units::Metric));
    assert!(
        !client.is_cached("", Units::Metric),
        "errors are not cached"
    );
    clock.advance(Duration::from_secs(599));
    assert!(client.is_cached("paris", Units::Metric));
    clock.advance(Duration::from_secs(1));
    assert!(!client.is_cached("paris", Units::Metric));
}
