//! Behaviour of `#[cached]`: every option and their combinations
//! (lock × async × fallible results × cache kinds), the per-function handle,
//! one computation per key under contention, and panics in the computing
//! call.

#![deny(warnings)]

#[path = "common/within.rs"]
mod within;
#[path = "common/yield_once.rs"]
mod yield_once;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, LazyLock, Mutex};
use std::task::Context;
use std::thread;
use std::time::Duration;

use cachekit::{cached, FifoCache, LfuCache, LruCache, ManualClock, TtlCache};
use futures::executor::block_on;
use yield_once::YieldOnce;

/// Counts the calls of one function body.
struct Calls(AtomicUsize);

impl Calls {
    const fn new() -> Self {
        Calls(AtomicUsize::new(0))
    }
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Callers that wait (up to five seconds) until `n` of them are inside at
/// once: computations that run one after another never meet.
struct Rendezvous {
    state: Mutex<(usize, usize)>,
    arrived: std::sync::Condvar,
}

impl Rendezvous {
    const fn new() -> Self {
        Rendezvous {
            state: Mutex::new((0, 0)),
            arrived: std::sync::Condvar::new(),
        }
    }

    fn arrive_and_wait(&self, n: usize) {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        state.1 = state.1.max(state.0);
        self.arrived.notify_all();
        let (mut state, _) = self
            .arrived
            .wait_timeout_while(state, Duration::from_secs(5), |s| s.1 < n)
            .unwrap();
        state.0 -= 1;
    }

    /// The most callers that were inside at once.
    fn largest_crowd(&self) -> usize {
        self.state.lock().unwrap().1
    }
}

mod thread_local_cache {
    use super::*;

    static CALLS: Calls = Calls::new();

    #[cached(cache = LruCache::new(2))]
    fn square(x: u64) -> u64 {
        CALLS.hit();
        x * x
    }

    #[test]
    fn hits_skip_the_body_and_lru_evicts() {
        assert_eq!(square(2), 4);
        assert_eq!(square(2), 4);
        assert_eq!(CALLS.get(), 1);
        square(3);
        square(2); // a use: 3 is now least recent
        square(4); // evicts 3
        assert!(square::contains(2) && square::contains(4));
        assert!(!square::contains(3));
        let info = square::cache_info();
        assert_eq!((info.hits, info.misses), (2, 3));
        assert_eq!((info.maxsize, info.currsize, info.len), (2, 2, 2));
    }

    static PER_THREAD: Calls = Calls::new();

    #[cached(thread_local)]
    fn per_thread(x: u32) -> u32 {
        PER_THREAD.hit();
        x
    }

    #[test]
    fn each_thread_has_its_own_cache() {
        per_thread(1);
        per_thread(1);
        assert_eq!(PER_THREAD.get(), 1);
        thread::spawn(|| {
            assert!(!per_thread::contains(1));
            per_thread(1);
            assert_eq!(per_thread::cache_info().misses, 1);
        })
        .join()
        .unwrap();
        assert_eq!(PER_THREAD.get(), 2);
        // This thread's counters did not see the other thread's call.
        assert_eq!(per_thread::cache_info().misses, 1);
        // The default cache is unbounded.
        assert_eq!(per_thread::cache_info().maxsize, usize::MAX);
    }
}

mod keys {
    use super::*;

    static SEARCHES: Calls = Calls::new();

    #[cached(key = |query: &str, page: u32, _timestamp: f64| (query.trim().to_lowercase(), page))]
    fn search_products(query: &str, page: u32, timestamp: f64) -> Vec<String> {
        SEARCHES.hit();
        vec![format!("{query}/{page}/{timestamp}")]
    }

    #[test]
    fn key_closure_ignores_an_argument_and_normalises_another() {
        let first = search_products("Shoes ", 1, 1.5);
        assert_eq!(search_products(" shoes", 1, 99.0), first);
        assert_eq!(SEARCHES.get(), 1);
        search_products("shoes", 2, 1.5);
        assert_eq!(SEARCHES.get(), 2);
        // The handle applies the key closure too.
        assert!(search_products::contains("SHOES", 2, 0.0));
        assert_eq!(search_products::invalidate("shoes", 1, -1.0), Some(first));
        assert!(!search_products::contains("shoes", 1, 0.0));
    }

    #[cached(key = |a, _, _| a % 10)]
    fn untyped_key(a: u32, b: u32, _: &str) -> u32 {
        a + b
    }

    #[test]
    fn untyped_closure_parameters_are_inferred() {
        assert_eq!(untyped_key(3, 1, "x"), 4);
        // Same key (13 % 10 == 3): the cached result is returned.
        assert_eq!(untyped_key(13, 100, "y"), 4);
        assert_eq!(untyped_key::peek(23, 0, ""), Some(4));
    }

    #[cached]
    fn owned_and_borrowed(name: String, tag: &str, count: u8, bytes: &[u8]) -> usize {
        name.len() + tag.len() + count as usize + bytes.len()
    }

    #[test]
    fn default_key_is_all_arguments() {
        assert_eq!(owned_and_borrowed("ab".into(), "c", 1, &[1, 2]), 6);
        assert_eq!(owned_and_borrowed("ab".into(), "c", 1, &[1, 2]), 6);
        assert_eq!(owned_and_borrowed("ab".into(), "c", 2, &[1, 2]), 7);
        let info = owned_and_borrowed::cache_info();
        assert_eq!((info.hits, info.misses), (1, 2));
        assert!(owned_and_borrowed::contains("ab".into(), "c", 2, &[1, 2]));
        assert!(!owned_and_borrowed::contains("ab".into(), "c", 2, &[1]));
    }

    static NO_ARGS: Calls = Calls::new();

    #[cached]
    fn no_args() -> &'static str {
        NO_ARGS.hit();
        "constant"
    }

    #[cached]
    fn unit_result(mut x: u32) {
        x += 1;
        let _ = x;
    }

    #[test]
    fn zero_arguments_and_unit_results() {
        no_args();
        no_args();
        assert_eq!(NO_ARGS.get(), 1);
        unit_result(1);
        unit_result(1);
        assert_eq!(unit_result::cache_info().hits, 1);
    }
}

mod failures {
    use super::*;

    static PARSES: Calls = Calls::new();

    #[cached]
    fn parse(text: &str) -> Result<u32, String> {
        PARSES.hit();
        text.parse().map_err(|_| format!("not a number: {text}"))
    }

    #[test]
    fn errors_are_not_cached() {
        assert!(parse("x").is_err());
        assert!(parse("x").is_err());
        assert_eq!(PARSES.get(), 2);
        assert_eq!(parse("7"), Ok(7));
        assert_eq!(parse("7"), Ok(7));
        assert_eq!(PARSES.get(), 3);
        assert_eq!(parse::peek("7"), Some(7));
        assert_eq!(parse::peek("x"), None);
    }

    static FINDS: Calls = Calls::new();

    #[cached(lock)]
    fn find(id: u32) -> Option<String> {
        FINDS.hit();
        (id % 2 == 0).then(|| format!("user {id}"))
    }

    #[test]
    fn none_is_not_cached() {
        assert_eq!(find(1), None);
        assert_eq!(find(1), None);
        assert_eq!(find(2).as_deref(), Some("user 2"));
        assert_eq!(find(2).as_deref(), Some("user 2"));
        assert_eq!(FINDS.get(), 3);
    }

    static NEGATIVE: Calls = Calls::new();

    #[cached(cache_failures)]
    fn negative(id: u32) -> Option<u32> {
        NEGATIVE.hit();
        id.checked_sub(10)
    }

    #[test]
    fn cache_failures_caches_none_too() {
        assert_eq!(negative(1), None);
        assert_eq!(negative(1), None);
        assert_eq!(NEGATIVE.get(), 1);
        assert_eq!(negative::peek(1), Some(None));
    }

    static BIG: Calls = Calls::new();

    #[cached(cache = LruCache::with_weigher(10, |_: &usize, v: &Vec<u8>| v.len()))]
    fn bytes(n: usize) -> Vec<u8> {
        BIG.hit();
        vec![0; n]
    }

    #[test]
    fn a_value_too_large_is_returned_not_cached() {
        assert_eq!(bytes(20).len(), 20);
        assert_eq!(bytes(20).len(), 20);
        assert_eq!(BIG.get(), 2);
        bytes(4);
        bytes(4);
        assert_eq!(BIG.get(), 3);
        assert_eq!(bytes::cache_info().currsize, 4);
    }
}

mod cache_kinds {
    use super::*;

    static CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
    static RATES: Calls = Calls::new();

    #[cached(lock, cache = TtlCache::with_clock(16, Duration::from_secs(60), CLOCK.clone()))]
    fn exchange_rate(from: &str, to: &str) -> f64 {
        RATES.hit();
        from.len() as f64 / to.len() as f64
    }

    #[test]
    fn ttl_entries_expire_on_the_injected_clock() {
        exchange_rate("USD", "EURO");
        CLOCK.advance(Duration::from_secs(59));
        exchange_rate("USD", "EURO");
        assert_eq!(RATES.get(), 1);
        CLOCK.advance(Duration::from_secs(1));
        assert!(!exchange_rate::contains("USD", "EURO"));
        exchange_rate("USD", "EURO");
        assert_eq!(RATES.get(), 2);
    }

    #[cached(cache = LfuCache::new(2))]
    fn lfu(x: u32) -> u32 {
        x
    }

    #[cached(cache = FifoCache::new(2))]
    fn fifo(x: u32) -> u32 {
        x
    }

    #[cached(cache = hashbrown::HashMap::new())]
    fn plain_map(x: u32) -> u32 {
        x
    }

    #[test]
    fn policies_apply_to_the_function_cache() {
        lfu(1);
        lfu(1);
        lfu(2);
        lfu(3); // evicts 2, the least frequently used
        assert!(lfu::contains(1) && !lfu::contains(2));
        fifo(1);
        fifo(1);
        fifo(2);
        fifo(3); // evicts 1, the first in, whatever its uses
        assert!(!fifo::contains(1) && fifo::contains(2));
        for x in 0..100 {
            plain_map(x);
        }
        assert_eq!(plain_map::cache_info().len, 100);
        assert_eq!(plain_map::cache_info().maxsize, usize::MAX);
    }
}

mod handle {
    use super::*;

    #[cached(lock, cache = LruCache::new(8))]
    fn double(x: u32) -> u32 {
        x * 2
    }

    #[test]
    fn clear_invalidate_peek_and_with_cache() {
        double(1);
        double(2);
        double(2);
        assert_eq!(double::peek(2), Some(4));
        assert_eq!(double::peek(3), None);
        // peek and contains count neither hits nor misses.
        assert_eq!(double::cache_info().hits, 1);
        assert_eq!(double::invalidate(1), Some(2));
        assert_eq!(double::invalidate(1), None);
        assert_eq!(double::with_cache(|cache| cache.len()), Some(1));
        let primed = double::with_cache(|cache| {
            let lru = cache.as_any_mut().downcast_mut::<LruCache<u32, u32>>()?;
            lru.insert(100, 7);
            Some(lru.len())
        });
        assert_eq!(primed, Some(Some(2)));
        assert_eq!(double(100), 7, "a primed entry is a hit");
        double::clear();
        let info = double::cache_info();
        assert_eq!((info.hits, info.misses, info.len), (0, 0, 0));
    }

    #[cached(lock, cache = LruCache::new(200))]
    fn fibonacci(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            fibonacci(n - 1) + fibonacci(n - 2)
        }
    }

    #[cached]
    fn fibonacci_local(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            fibonacci_local(n - 1) + fibonacci_local(n - 2)
        }
    }

    #[test]
    fn recursion_does_not_deadlock_and_computes_each_value_once() {
        assert_eq!(fibonacci(90), 2_880_067_194_370_816_120);
        assert_eq!(fibonacci::cache_info().misses, 91);
        assert_eq!(fibonacci_local(90), 2_880_067_194_370_816_120);
        assert_eq!(fibonacci_local::cache_info().misses, 91);
    }

    thread_local! {
        static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    /// Calls itself once with the very key it is computing.
    #[cached(lock)]
    fn reentrant(x: u64) -> u64 {
        let depth = DEPTH.with(|d| d.replace(d.get() + 1));
        let value = if depth == 0 { reentrant(x) + 1 } else { x * 10 };
        DEPTH.with(|d| d.set(depth));
        value
    }

    #[test]
    fn a_thread_never_waits_for_the_key_it_is_computing_itself() {
        // Waiting here would wait forever: run it where a hang can be seen.
        let (done, finished) = std::sync::mpsc::channel();
        thread::spawn(move || done.send(reentrant(4)).unwrap());
        let value = finished
            .recv_timeout(Duration::from_secs(30))
            .expect("the inner call waited for its own thread's computation");
        assert_eq!(value, 41, "the inner call computed 40 itself");
        // The outer call stored its value last; another thread finds it.
        assert_eq!(thread::spawn(|| reentrant(4)).join().unwrap(), 41);
        let info = reentrant::cache_info();
        assert_eq!((info.hits, info.misses), (1, 2));
    }
}

mod concurrency {
    use super::*;

    static SLOW: Calls = Calls::new();

    #[cached(lock)]
    fn slow(key: u32) -> u32 {
        SLOW.hit();
        thread::sleep(Duration::from_millis(50));
        key * 10
    }

    #[test]
    fn concurrent_callers_of_one_key_compute_once() {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    slow(7)
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 70);
        }
        assert_eq!(SLOW.get(), 1);
        let info = slow::cache_info();
        assert_eq!((info.hits, info.misses), (7, 1));
    }

    static GATE: LazyLock<Mutex<Option<std::sync::mpsc::Receiver<()>>>> =
        LazyLock::new(|| Mutex::new(None));

    #[cached(lock)]
    fn gated(key: u32) -> u32 {
        if key == 1 {
            // Key 1 computes until key 2 has finished: if key 2 waited for
            // key 1, this would time out.
            let rx = GATE.lock().unwrap().take().unwrap();
            rx.recv_timeout(Duration::from_secs(10))
                .expect("another key was blocked by this computation");
        }
        key
    }

    #[test]
    fn other_keys_proceed_while_one_computes() {
        let (tx, rx) = std::sync::mpsc::channel();
        *GATE.lock().unwrap() = Some(rx);
        let first = thread::spawn(|| gated(1));
        while gated::cache_info().misses == 0 {
            thread::yield_now();
        }
        assert_eq!(gated(2), 2);
        tx.send(()).unwrap();
        assert_eq!(first.join().unwrap(), 1);
    }

    static PANICS: Calls = Calls::new();
    static RETRIES: Rendezvous = Rendezvous::new();

    #[cached(lock)]
    fn flaky(key: u32) -> u32 {
        PANICS.hit();
        if PANICS.get() == 1 {
            thread::sleep(Duration::from_millis(50));
            panic!("first computation fails");
        }
        // The three waiters retry at once: each sees the other two arrive.
        RETRIES.arrive_and_wait(3);
        key + 1
    }

    #[test]
    fn a_panicking_computation_wakes_its_waiters_to_compute_together() {
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    std::panic::catch_unwind(|| flaky(5)).ok()
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        // One caller panicked; the three that waited for it computed at the
        // same time (one after another, the first would have waited alone
        // until its rendezvous timed out); nobody hung, nothing is poisoned.
        assert_eq!(results.iter().filter(|r| r.is_none()).count(), 1);
        assert!(results.iter().flatten().all(|&v| v == 6));
        assert_eq!(PANICS.get(), 4);
        assert_eq!(RETRIES.largest_crowd(), 3, "the retries ran one at a time");
        assert_eq!(flaky(5), 6);
        assert_eq!(PANICS.get(), 4);
    }

    static FAILS: Calls = Calls::new();
    static FAILED_RETRIES: Rendezvous = Rendezvous::new();

    #[cached]
    fn failing(key: u32) -> Result<u32, String> {
        FAILS.hit();
        if FAILS.get() == 1 {
            thread::sleep(Duration::from_millis(50));
            return Err("backend down".into());
        }
        FAILED_RETRIES.arrive_and_wait(3);
        Err(format!("still down for {key}"))
    }

    #[test]
    fn failures_do_not_queue() {
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    failing(7)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(results.iter().all(Result::is_err));
        assert_eq!(FAILS.get(), 4);
        assert_eq!(
            FAILED_RETRIES.largest_crowd(),
            3,
            "the retries ran one at a time"
        );
        assert_eq!(failing::cache_info().currsize, 0);
    }

    #[cached(lock)]
    fn counted(key: u32) -> u32 {
        key
    }

    #[test]
    fn hits_and_misses_are_exact_under_contention() {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                thread::spawn(move || {
                    for i in 0..1000u32 {
                        assert_eq!(counted((i * 7 + t) % 10), (i * 7 + t) % 10);
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        let info = counted::cache_info();
        assert_eq!(info.hits + info.misses, 4000);
        assert_eq!(info.misses, 10, "each key is computed exactly once");
    }
}

mod asynchronous {
    use super::*;

    static FETCHES: Calls = Calls::new();

    #[cached(lock, cache = LruCache::new(16))]
    async fn fetch(id: u32) -> Result<String, String> {
        FETCHES.hit();
        YieldOnce(false).await;
        if id == 0 {
            Err("no such id".into())
        } else {
            Ok(format!("item {id}"))
        }
    }

    #[test]
    fn concurrent_tasks_of_one_key_compute_once() {
        let results = block_on(futures::future::join_all((0..5).map(|_| fetch(3))));
        assert!(results.iter().all(|r| r.as_deref() == Ok("item 3")));
        assert_eq!(FETCHES.get(), 1);
        assert!(block_on(fetch(0)).is_err());
        assert!(block_on(fetch(0)).is_err());
        assert_eq!(FETCHES.get(), 3, "errors are not cached");
        assert_eq!(fetch::peek(3).as_deref(), Some("item 3"));
        let info = fetch::cache_info();
        assert_eq!((info.hits, info.misses), (4, 3));
    }

    #[test]
    fn futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let future = shared_echo(1);
        assert_send(&future);
        assert_eq!(block_on(future), 1);
        let local = local_echo(1);
        assert_send(&local);
        assert_eq!(block_on(local), 1);
        assert!(local_echo::contains(1));
    }

    #[cached(lock)]
    async fn shared_echo(id: u32) -> u32 {
        YieldOnce(false).await;
        id
    }

    #[cached(thread_local)]
    async fn local_echo(id: u32) -> u32 {
        YieldOnce(false).await;
        id
    }

    static LOCAL: Calls = Calls::new();

    #[cached(thread_local)]
    async fn local_fetch(id: u32) -> u32 {
        LOCAL.hit();
        YieldOnce(false).await;
        id
    }

    #[test]
    fn thread_local_async_caches_per_thread() {
        thread::spawn(|| {
            assert_eq!(block_on(local_fetch(9)), 9);
            assert_eq!(block_on(local_fetch(9)), 9);
            assert_eq!(LOCAL.get(), 1);
            assert!(local_fetch::contains(9));
            local_fetch::clear();
            assert!(!local_fetch::contains(9));
        })
        .join()
        .unwrap();
    }

    static CANCELLED: Calls = Calls::new();

    #[cached(lock)]
    async fn cancellable(id: u32) -> u32 {
        CANCELLED.hit();
        YieldOnce(false).await;
        id
    }

    #[test]
    fn a_cancelled_computation_hands_over() {
        // Poll the first call once (it marks the key pending), then drop it.
        let mut first = Box::pin(cancellable(4));
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(first.as_mut().poll(&mut cx).is_pending());
        drop(first);
        assert_eq!(block_on(cancellable(4)), 4);
        assert_eq!(CANCELLED.get(), 2);
    }

    #[cached(lock)]
    async fn rate(from: &str, to: &str) -> f64 {
        YieldOnce(false).await;
        from.len() as f64 / to.len() as f64
    }

    #[test]
    fn borrowed_multi_argument_keys_work_across_await() {
        let from = String::from("USD");
        assert_eq!(block_on(rate(&from, "EURO")), 0.75);
        assert_eq!(block_on(rate("USD", "EURO")), 0.75);
        assert_eq!(rate::cache_info().hits, 1);
    }
}

/// A public cached function's generated handle is documented: this module
/// denies `missing_docs`.
#[deny(missing_docs)]
pub mod documented {
    /// Doubles, cached per thread.
    #[cachekit::cached]
    pub fn double(x: u32) -> u32 {
        x * 2
    }

    /// Triples, cached for all threads.
    #[cachekit::cached(lock)]
    pub async fn triple(x: u32) -> u32 {
        x * 3
    }

    #[test]
    fn documented_functions_work() {
        assert_eq!(double(2), 4);
        assert_eq!(futures::executor::block_on(triple(2)), 6);
    }
}

mod placement {
    #[test]
    fn a_cached_function_can_be_local_to_a_block() {
        #[cachekit::cached(cache = cachekit::LruCache::new(4))]
        fn local_square(x: u32) -> u32 {
            x * x
        }
        assert_eq!(local_square(3), 9);
        assert_eq!(local_square(3), 9);
        assert_eq!(local_square::cache_info().hits, 1);
    }

    pub(crate) mod nested {
        /// Slices and crate-visible functions.
        #[cachekit::cached(lock)]
        pub(crate) fn checksum(bytes: &[u8], seed: u64) -> u64 {
            bytes.iter().fold(seed, |acc, &b| {
                acc.wrapping_mul(31).wrapping_add(u64::from(b))
            })
        }
    }

    #[test]
    fn slices_key_as_vecs() {
        let data = vec![1u8, 2, 3];
        let a = nested::checksum(&data, 7);
        assert_eq!(nested::checksum(&[1, 2, 3], 7), a);
        assert_eq!(nested::checksum::cache_info().hits, 1);
        assert!(nested::checksum::contains(&data[..], 7));
    }
}

mod sharded {
    use super::*;
    use cachekit::ConcurrentCache;

    static LOADS: Calls = Calls::new();

    #[cached(lock, cache = ConcurrentCache::new(10_000, LruCache::new))]
    fn profile(id: u64) -> String {
        LOADS.hit();
        thread::sleep(Duration::from_millis(20));
        format!("profile {id}")
    }

    #[test]
    fn a_concurrent_cache_shards_a_lock_function() {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    profile(t % 2)
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            assert_eq!(h.join().unwrap(), format!("profile {}", t % 2));
        }
        assert_eq!(LOADS.get(), 2, "each key computed once");
        let info = profile::cache_info();
        assert_eq!((info.hits, info.misses, info.len), (6, 2, 2));
        assert_eq!(info.maxsize, 10_000);
        assert_eq!(profile::peek(1).as_deref(), Some("profile 1"));
        assert_eq!(profile::invalidate(1).as_deref(), Some("profile 1"));
        assert!(!profile::contains(1));
        let shards = profile::with_cache(|view| {
            view.as_any_mut()
                .downcast_mut::<&ConcurrentCache<LruCache<u64, String>>>()
                .map(|cache| cache.shards())
        });
        assert!(matches!(shards, Some(Some(n)) if n >= 1));
        profile::clear();
        assert_eq!(profile::cache_info().len, 0);
    }

    static FETCHES: Calls = Calls::new();

    #[cached(lock, cache = ConcurrentCache::new(1000, LruCache::new))]
    async fn fetch(id: u32) -> Result<u32, String> {
        FETCHES.hit();
        YieldOnce(false).await;
        if id == 0 {
            Err("zero".into())
        } else {
            Ok(id * 10)
        }
    }

    #[test]
    fn async_functions_share_a_concurrent_cache() {
        let results = block_on(futures::future::join_all((0..4).map(|_| fetch(3))));
        assert!(results.iter().all(|r| *r == Ok(30)));
        assert_eq!(FETCHES.get(), 1);
        assert!(block_on(fetch(0)).is_err());
        assert!(!fetch::contains(0), "errors are not cached");
    }
}

/// The default cache is one per function, shared by every thread and task.
mod shared_by_default {
    use super::*;
    use futures::executor::ThreadPool;
    use futures::task::SpawnExt;

    static SLOW: Calls = Calls::new();

    #[cached]
    fn slow_square(x: u64) -> u64 {
        SLOW.hit();
        thread::sleep(Duration::from_millis(30));
        x * x
    }

    #[test]
    fn eight_threads_calling_one_key_compute_once() {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let barrier = barrier.clone();
                thread::spawn(move || {
                    barrier.wait();
                    slow_square(12)
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), 144);
        }
        assert_eq!(SLOW.get(), 1);
        let info = slow_square::cache_info();
        assert_eq!((info.hits, info.misses, info.len), (7, 1, 1));
    }

    static PRICES: Calls = Calls::new();

    #[cached(cache = LruCache::new(100))]
    fn price(sku: u32) -> u64 {
        PRICES.hit();
        u64::from(sku) * 10
    }

    #[test]
    fn an_invalidation_on_one_thread_is_seen_by_all() {
        let (to_worker, worker_rx) = std::sync::mpsc::channel::<()>();
        let (to_main, main_rx) = std::sync::mpsc::channel::<bool>();
        let worker = thread::spawn(move || {
            assert_eq!(price(1), 10);
            assert_eq!(price(1), 10); // a hit in the one cache
            to_main.send(price::contains(1)).unwrap();
            worker_rx.recv().unwrap(); // main invalidates meanwhile
            to_main.send(price::contains(1)).unwrap();
            assert_eq!(price(1), 10); // computed again
        });
        assert!(main_rx.recv().unwrap());
        // This thread sees the worker's entry and its counts...
        assert!(price::contains(1));
        let info = price::cache_info();
        assert_eq!((info.hits, info.misses), (1, 1));
        // ...and its invalidation reaches the worker.
        assert_eq!(price::invalidate(1), Some(10));
        to_worker.send(()).unwrap();
        assert!(!main_rx.recv().unwrap());
        worker.join().unwrap();
        assert_eq!(PRICES.get(), 2);
        price::clear();
        assert_eq!(price::cache_info().misses, 0);
        assert!(!thread::spawn(|| price::contains(1)).join().unwrap());
    }

    static FETCHES: Calls = Calls::new();

    #[cached(cache = LruCache::new(100))]
    async fn fetch(id: u32) -> String {
        FETCHES.hit();
        for _ in 0..3 {
            YieldOnce(false).await;
        }
        thread::sleep(Duration::from_millis(20));
        format!("item {id}")
    }

    #[test]
    fn async_calls_on_a_multi_thread_pool_compute_once() {
        let pool = ThreadPool::builder().pool_size(4).create().unwrap();
        let tasks: Vec<_> = (0..100)
            .map(|_| pool.spawn_with_handle(fetch(3)).unwrap())
            .collect();
        for task in tasks {
            assert_eq!(block_on(task), "item 3");
        }
        assert_eq!(FETCHES.get(), 1);
        let info = fetch::cache_info();
        assert_eq!((info.hits, info.misses), (99, 1));
    }

    /// A value whose `Clone` calls a cached function, as a hit clones it
    /// while other threads may be writing the cache.
    #[derive(Debug, PartialEq)]
    struct Reentrant(u32);

    impl Clone for Reentrant {
        fn clone(&self) -> Self {
            if self.0 < 3 {
                // Another key of the same function, from inside its hit.
                let _ = reentrant(self.0 + 1);
            }
            Reentrant(self.0)
        }
    }

    static REENTRANT: Calls = Calls::new();

    #[cached]
    fn reentrant(x: u32) -> Reentrant {
        REENTRANT.hit();
        Reentrant(x)
    }

    #[test]
    fn a_clone_that_calls_the_function_does_not_deadlock() {
        crate::within::within(30, clone_calls_the_function);
    }

    fn clone_calls_the_function() {
        // Storing 1 clones it, outside the cache: 2 and 3 are computed and
        // stored on the way.
        assert_eq!(reentrant(1), Reentrant(1));
        assert!(reentrant::contains(2) && reentrant::contains(3));
        assert_eq!(REENTRANT.get(), 3);
        reentrant::invalidate(2);
        // A hit clones inside the cache's read: the clone's call of the
        // missing 2 is computed, and not stored (a writer could be waiting
        // for this very read to end).
        assert_eq!(reentrant(1), Reentrant(1));
        assert_eq!(REENTRANT.get(), 4);
        assert!(!reentrant::contains(2));
        assert!(reentrant::contains(1) && reentrant::contains(3));
    }

    static EVICTIONS: Calls = Calls::new();

    #[cached(cache = LruCache::builder(1)
        .listener(|_key, _value, _cause| {
            EVICTIONS.hit();
            // The listener runs while the cache is being written.
            assert_eq!(evicting(100), 200);
        })
        .build())]
    fn evicting(x: u32) -> u32 {
        x * 2
    }

    #[test]
    fn a_listener_that_calls_the_function_does_not_deadlock() {
        crate::within::within(30, listener_calls_the_function);
    }

    fn listener_calls_the_function() {
        assert_eq!(evicting(1), 2);
        assert_eq!(evicting(2), 4); // evicts 1: the listener calls evicting(100)
        assert_eq!(EVICTIONS.get(), 1);
        assert!(evicting::contains(2));
        assert!(
            !evicting::contains(100),
            "computed from the listener, not stored"
        );
    }
}

/// `maxsize = N` and `ttl = SECONDS`: the caches cachetools users reach for
/// first, without writing the cache expression.
mod shorthands {
    use super::*;

    static BOUNDED: Calls = Calls::new();

    #[cached(maxsize = 2)]
    fn bounded(x: u32) -> u32 {
        BOUNDED.hit();
        x
    }

    #[test]
    fn maxsize_is_an_lru_cache_of_that_many_entries() {
        bounded(1);
        bounded(2);
        bounded(1); // a use: 2 is now the least recent
        bounded(3); // evicts 2
        assert!(bounded::contains(1) && bounded::contains(3) && !bounded::contains(2));
        assert_eq!(bounded::cache_info().maxsize, 2);
        assert_eq!(BOUNDED.get(), 3);
    }

    #[cached(maxsize = 64, ttl = 60)]
    fn rate(pair: &str) -> usize {
        pair.len()
    }

    #[cached(ttl = 0.5)]
    fn half_second(x: u8) -> u8 {
        x
    }

    #[cached(ttl = Duration::from_millis(0))]
    fn never_kept(x: u8) -> u8 {
        x
    }

    #[test]
    fn ttl_takes_seconds_or_a_duration() {
        assert_eq!(rate("USD/EUR"), 7);
        assert!(rate::contains("USD/EUR"));
        assert_eq!(rate::cache_info().maxsize, 64);
        assert_eq!(half_second(1), 1);
        assert!(half_second::contains(1));
        assert_eq!(half_second::cache_info().maxsize, usize::MAX);
        // A zero time to live: nothing is ever visible (cachetools' ttl=0).
        assert_eq!(never_kept(1), 1);
        assert!(!never_kept::contains(1));
        assert_eq!(never_kept::cache_info().misses, 1);
    }
}

/// Lifetime parameters are fine when the value does not borrow from them.
mod lifetimes {
    use super::*;

    static WORDS: Calls = Calls::new();

    #[cached(maxsize = 16)]
    fn first_word<'a>(text: &'a str) -> String {
        WORDS.hit();
        text.split_whitespace().next().unwrap_or("").to_owned()
    }

    #[cached]
    async fn shout<'a, 'b: 'a>(text: &'a str, suffix: &'b str) -> String {
        format!("{}{suffix}", text.to_uppercase())
    }

    #[test]
    fn lifetime_parameters_are_accepted() {
        let owned = String::from("hello world");
        assert_eq!(first_word(&owned), "hello");
        assert_eq!(first_word("hello world"), "hello");
        assert_eq!(WORDS.get(), 1);
        assert!(first_word::contains("hello world"));
        assert_eq!(first_word::invalidate(&owned).as_deref(), Some("hello"));
        assert_eq!(block_on(shout("hi", "!")), "HI!");
        assert!(shout::contains("hi", "!"));
    }
}
