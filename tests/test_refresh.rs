//! `#[cached(refresh = ..)]`: stale-while-revalidate. Past the refresh age
//! the first caller recomputes while every other caller gets the stored
//! value; past the TTL callers wait. Time is a `ManualClock`: no sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, LazyLock};
use std::time::{Duration, Instant};

use cachekit::{cached, ManualClock, TtlCache};

#[path = "common/yield_once.rs"]
mod yield_once;
use yield_once::YieldOnce;

/// Waits (up to 10 s, so that a regression fails instead of hanging)
/// until `done`.
fn wait_until(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && start.elapsed() < Duration::from_secs(10) {
        std::thread::yield_now();
    }
}

static CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
static RUNS: AtomicUsize = AtomicUsize::new(0);
static STALE_SERVED: AtomicUsize = AtomicUsize::new(0);

#[cached(
    cache = TtlCache::with_clock(64, Duration::from_secs(60), CLOCK.clone()),
    refresh = 50
)]
fn price(id: u64) -> u64 {
    let run = RUNS.fetch_add(1, Ordering::SeqCst) + 1;
    if run > 1 {
        // The refresh: finish only once the other callers were served.
        wait_until(|| STALE_SERVED.load(Ordering::SeqCst) == 7);
    }
    id * 100 + run as u64
}

#[test]
fn one_caller_refreshes_while_seven_get_the_stale_value() {
    assert_eq!(price(1), 101);
    CLOCK.advance(Duration::from_secs(49));
    assert_eq!(price(1), 101, "younger than the refresh age: a plain hit");
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);

    CLOCK.advance(Duration::from_secs(6)); // 55 s old: stale, still live
    let barrier = std::sync::Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let value = price(1);
                if value == 101 {
                    STALE_SERVED.fetch_add(1, Ordering::SeqCst);
                }
                value
            })
        })
        .collect();
    let mut values: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    values.sort();
    assert_eq!(values, [101, 101, 101, 101, 101, 101, 101, 102]);
    assert_eq!(RUNS.load(Ordering::SeqCst), 2, "exactly one refresh");
    // The refreshed value is fresh: no further computation.
    assert_eq!(price(1), 102);
    assert_eq!(RUNS.load(Ordering::SeqCst), 2);
    assert!(price::contains(1));
}

static ASYNC_CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
static ASYNC_RUNS: AtomicUsize = AtomicUsize::new(0);
static ASYNC_STALE: AtomicUsize = AtomicUsize::new(0);

#[cached(
    cache = TtlCache::with_clock(64, Duration::from_secs(60), ASYNC_CLOCK.clone()),
    refresh = Duration::from_secs(30)
)]
async fn quote(symbol: &str) -> String {
    let run = ASYNC_RUNS.fetch_add(1, Ordering::SeqCst) + 1;
    if run > 1 {
        // Yield until the seven other tasks were served the old value.
        while ASYNC_STALE.load(Ordering::SeqCst) < 7 {
            YieldOnce(false).await;
        }
    }
    format!("{symbol} v{run}")
}

#[test]
fn async_callers_refresh_once_without_waiting() {
    futures::executor::block_on(async {
        assert_eq!(quote("ACME").await, "ACME v1");
        ASYNC_CLOCK.advance(Duration::from_secs(31));
        let calls = (0..8).map(|_| async {
            let value = quote("ACME").await;
            if value == "ACME v1" {
                ASYNC_STALE.fetch_add(1, Ordering::SeqCst);
            }
            value
        });
        let mut values = futures::future::join_all(calls).await;
        values.sort();
        assert_eq!(values.iter().filter(|v| *v == "ACME v1").count(), 7);
        assert_eq!(values.iter().filter(|v| *v == "ACME v2").count(), 1);
        assert_eq!(ASYNC_RUNS.load(Ordering::SeqCst), 2);
        assert_eq!(quote("ACME").await, "ACME v2");
    });
}

static HARD_CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
static HARD_RUNS: AtomicUsize = AtomicUsize::new(0);
static FAIL: AtomicUsize = AtomicUsize::new(0);

#[cached(
    cache = TtlCache::with_clock(8, Duration::from_secs(10), HARD_CLOCK.clone()),
    refresh = 5
)]
fn fetch(id: u32) -> Result<u32, String> {
    let run = HARD_RUNS.fetch_add(1, Ordering::SeqCst) as u32 + 1;
    if FAIL.load(Ordering::SeqCst) > 0 {
        return Err(format!("backend down at run {run}"));
    }
    Ok(id * 10 + run)
}

#[test]
fn a_failed_refresh_keeps_the_stale_value_and_the_ttl_still_bounds_it() {
    assert_eq!(fetch(1), Ok(11));
    HARD_CLOCK.advance(Duration::from_secs(6));
    FAIL.store(1, Ordering::SeqCst);
    // The refresher's own call fails and says so; the stale value stays.
    assert_eq!(fetch(1), Err("backend down at run 2".into()));
    assert_eq!(fetch::peek(1), Some(11));
    // The next caller tries again (no flight is left behind).
    assert_eq!(fetch(1), Err("backend down at run 3".into()));
    FAIL.store(0, Ordering::SeqCst);
    assert_eq!(fetch(1), Ok(14));
    assert_eq!(fetch(1), Ok(14), "fresh again");
    // Past the TTL the value is gone: a miss, which computes.
    HARD_CLOCK.advance(Duration::from_secs(11));
    assert_eq!(fetch::peek(1), None);
    assert_eq!(fetch(1), Ok(15));
}

#[cached(ttl = 60, refresh = 45, maxsize = 16)]
fn shorthand(x: u32) -> u32 {
    x + 1
}

#[test]
fn the_shorthands_build_a_ttl_cache() {
    assert_eq!(shorthand(1), 2);
    assert_eq!(shorthand::cache_info().maxsize, 16);
    let left = shorthand::expires_in(1).expect("a TTL cache");
    assert!(left <= Duration::from_secs(60) && left > Duration::from_secs(50));
}

static IDLE_CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
static IDLE_RUNS: AtomicUsize = AtomicUsize::new(0);

#[cached(
    cache = TtlCache::builder_with_clock(8, Duration::from_secs(60), IDLE_CLOCK.clone())
        .time_to_idle(Duration::from_secs(30))
        .build(),
    refresh = 50
)]
fn profile(id: u32) -> (u32, usize) {
    (id, IDLE_RUNS.fetch_add(1, Ordering::SeqCst) + 1)
}

#[test]
fn refresh_works_with_a_time_to_idle() {
    assert_eq!(profile(1), (1, 1));
    for _ in 0..2 {
        IDLE_CLOCK.advance(Duration::from_secs(20)); // read within the idle time
        assert_eq!(profile(1), (1, 1));
    }
    IDLE_CLOCK.advance(Duration::from_secs(15)); // 55 s old: refreshed by this caller
    assert_eq!(profile(1), (1, 2));
    assert_eq!(IDLE_RUNS.load(Ordering::SeqCst), 2);
    IDLE_CLOCK.advance(Duration::from_secs(31)); // unread for longer than the idle time
    assert!(!profile::contains(1));
}
