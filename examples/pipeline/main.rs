//! cachekit end to end: the patterns of a typical cachetools program, each
//! printed with its result.
//!
//! Run with `cargo run --example pipeline` (`tests/test_pipeline.rs` checks
//! the same behaviours with assertions).

mod app;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use app::*;
use cachekit::ManualClock;

fn main() {
    println!("1. Cache types");
    println!(
        "   LRU(3) after a,b,c, read a, insert d keeps {:?}",
        lru_demo()
    );
    let (before, after) = ttl_demo();
    println!("   TTL(60 s): at 59 s {before:?}, at 60 s {after:?}");
    let (hot_kept, len) = lfu_demo();
    println!("   LFU(3): hot key kept after 40 one-off inserts: {hot_kept} ({len} entries)");
    println!("   RR(4) sizes while inserting 10 keys: {:?}", rr_demo());

    println!("\n2. Cached recursion");
    let start = Instant::now();
    let cold = fibonacci(35);
    let cold_time = start.elapsed();
    let start = Instant::now();
    let warm = fibonacci(35);
    let warm_time = start.elapsed();
    let info = fibonacci::cache_info();
    println!("   fibonacci(35) = {cold} cold in {cold_time:?}, {warm} warm in {warm_time:?}");
    println!(
        "   {} misses (each n once), {} hits",
        info.misses, info.hits
    );

    println!("\n3. TTL-cached remote call ({REMOTE_LATENCY:?} each)");
    for _ in 0..3 {
        let start = Instant::now();
        let rate = get_exchange_rate("USD", "EUR");
        println!("   USD/EUR = {rate:?} in {:?}", start.elapsed());
    }
    println!("   unknown pair: {:?}", get_exchange_rate("USD", "XYZ"));
    println!("   unknown pair: {:?}", get_exchange_rate("USD", "XYZ"));
    println!(
        "   {} remote calls: errors are not cached",
        RATE_CALLS.load(Ordering::SeqCst)
    );

    println!("\n4. Key function ignoring the timestamp");
    let a = search_products("Laptop ", 0, 1_700_000_000.0);
    let b = search_products("laptop", 0, 1_700_000_042.5);
    println!("   {:?}", a);
    println!(
        "   same results object for both calls: {}, {} search(es) run",
        std::sync::Arc::ptr_eq(&a, &b),
        SEARCHES.load(Ordering::SeqCst)
    );

    println!("\n5. Typed keys");
    println!(
        "   square(3u16) = {} (the argument type is part of the signature)",
        square(3)
    );
    println!(
        "   {} / {} / {}",
        describe(1u8),
        describe(1u16),
        describe(1u8)
    );
    println!(
        "   describe() entries: {} (1u8 and 1u16 kept apart by TypeId)",
        describe_entries()
    );

    println!("\n6. One TTL cache for every thread (the default)");
    let start = Instant::now();
    let users = load_users_concurrently();
    println!(
        "   8 threads loaded {:?} in {:?} with {} loads (one per id)",
        users.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
        start.elapsed(),
        USER_LOADS.load(Ordering::SeqCst)
    );
    println!(
        "   invalidate_user(1) on another thread: {}",
        invalidate_user(1)
    );
    get_user(1);
    println!(
        "   loads after reading user 1 again here: {}",
        USER_LOADS.load(Ordering::SeqCst)
    );
    println!(
        "   thread_local scratch buffers: {} built by 2 threads calling twice each",
        scratch_per_thread()
    );

    println!("\n7. ProductRepository (per-instance LRU)");
    let repo = ProductRepository::new(2);
    for id in [1, 2, 1, 3, 2] {
        let product = repo.get_product(id);
        println!(
            "   get_product({id}) -> {} at {} cents",
            product.name, product.price_cents
        );
    }
    println!("   invalidate(3): {}", repo.invalidate(3));
    let info = repo.cache_info();
    println!(
        "   cache_info: hits {}, misses {}, currsize {}/{}; {} queries",
        info.hits,
        info.misses,
        info.currsize,
        info.maxsize,
        repo.queries.borrow()
    );

    println!("\n8. WeatherClient (per-instance TTL, prefetch)");
    let clock = ManualClock::new();
    let client = WeatherClient::new(clock.clone());
    let warmed = client.prefetch(&["Paris", "Oslo", ""], Units::Metric);
    println!("   prefetched {warmed} cities (the empty name failed and was not cached)");
    println!(
        "   PARIS metric: {:?}, imperial: {:?}",
        client.temperature("PARIS", Units::Metric),
        client.temperature("Paris", Units::Imperial)
    );
    println!(
        "   {} requests so far; cached(paris, metric) = {}",
        client.requests.load(Ordering::SeqCst),
        client.is_cached("paris", Units::Metric)
    );
    clock.advance(Duration::from_secs(600));
    println!(
        "   after 10 minutes: cached(paris, metric) = {}",
        client.is_cached("paris", Units::Metric)
    );
}
