//! Time to idle: an entry expires a while after its last read (and never
//! later than its time to live), in a cache, through a `ConcurrentCache`,
//! and in `#[cached]`. Time is a `ManualClock`: no sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

use cachekit::{cached, ConcurrentCache, ManualClock, TtlCache};

const S: Duration = Duration::from_secs(1);

#[test]
fn reads_extend_an_entry_up_to_its_time_to_live() {
    let clock = ManualClock::new();
    let mut cache = TtlCache::builder_with_clock(8, 100 * S, clock.clone())
        .time_to_idle(10 * S)
        .build();
    cache.insert("a", 1);
    cache.insert("b", 2);
    for _ in 0..9 {
        clock.advance(9 * S);
        assert_eq!(cache.get(&"a"), Some(&1), "read within its idle time");
    }
    // "b" was not read: idle since 0 s.
    assert_eq!(cache.peek(&"b"), None);
    assert_eq!(cache.len(), 1);
    // 81 s: "a" lives to its TTL at 100 s however often it is read.
    clock.advance(9 * S);
    assert_eq!(cache.get(&"a"), Some(&1));
    clock.advance(9 * S); // 99 s
    assert_eq!(cache.get(&"a"), Some(&1));
    clock.advance(S); // 100 s
    assert_eq!(cache.get(&"a"), None);
    // A peek is not a read: it does not extend.
    cache.insert("c", 3);
    clock.advance(9 * S);
    assert_eq!(cache.peek(&"c"), Some(&3));
    clock.advance(S);
    assert_eq!(cache.peek(&"c"), None);
    assert_eq!(cache.idle(), Some(10 * S));
}

#[test]
fn a_time_to_idle_alone() {
    let clock = ManualClock::new();
    let mut cache = TtlCache::builder_with_clock(8, Duration::MAX, clock.clone())
        .time_to_idle(5 * S)
        .build();
    cache.insert(1, "one");
    for _ in 0..100 {
        clock.advance(4 * S);
        assert!(cache.get(&1).is_some());
    }
    clock.advance(5 * S);
    assert!(cache.get(&1).is_none());
    assert_eq!(cache.expire(), vec![(1, "one")]);
}

/// With a time to idle, an entry keeps its time-to-live deadline as an
/// offset from its idle deadline: exact over centuries of reads, and a
/// time to live 584 years or more beyond the idle deadline counts as none.
#[test]
fn a_long_time_to_live_under_a_time_to_idle() {
    const YEAR: Duration = Duration::from_secs(365 * 86_400);
    let clock = ManualClock::new();
    let mut cache = TtlCache::builder_with_clock(8, 300 * YEAR, clock.clone())
        .time_to_idle(YEAR)
        .build();
    cache.insert("a", 1);
    for _ in 0..299 {
        clock.advance(YEAR - S);
        assert_eq!(cache.get(&"a"), Some(&1));
    }
    // 299 years less 299 s: the idle deadline, a year on, comes first.
    assert_eq!(cache.expires_in(&"a"), Some(YEAR));
    // Half a year on, a read would extend past the time to live: capped.
    clock.advance(YEAR / 2);
    assert_eq!(cache.get(&"a"), Some(&1));
    assert_eq!(cache.expires_in(&"a"), Some(YEAR / 2 + 299 * S));
    clock.advance(YEAR / 2 + 298 * S);
    assert_eq!(cache.get(&"a"), Some(&1));
    clock.advance(S);
    assert_eq!(cache.get(&"a"), None, "300 years after it was stored");

    // 600 years is beyond what the offset holds: the time to idle alone.
    let clock = ManualClock::new();
    let mut cache = TtlCache::builder_with_clock(8, 600 * YEAR, clock.clone())
        .time_to_idle(S)
        .build();
    cache.insert("b", 2);
    assert_eq!(cache.expires_in(&"b"), Some(S));
    clock.advance(S / 2);
    assert_eq!(cache.get(&"b"), Some(&2));
    clock.advance(S);
    assert_eq!(cache.get(&"b"), None, "the time to idle still holds");
}

#[test]
fn a_concurrent_cache_sees_every_read_at_once() {
    // Reads through a `ConcurrentCache` are usually recorded in batches;
    // one that moves a deadline must reach the policy before the next
    // lookup, or an entry read in time would expire.
    let clock = ManualClock::new();
    let cache = ConcurrentCache::unsharded(
        TtlCache::builder_with_clock(8, Duration::MAX, clock.clone())
            .time_to_idle(10 * S)
            .build(),
    );
    cache.insert(1u32, 10u32);
    for _ in 0..20 {
        clock.advance(9 * S);
        assert_eq!(cache.get(&1), Some(10));
    }
    clock.advance(10 * S);
    assert_eq!(cache.get(&1), None);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (20, 1));
}

static CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
static RUNS: AtomicUsize = AtomicUsize::new(0);

#[cached(cache = TtlCache::builder_with_clock(64, 3600 * S, CLOCK.clone()).time_to_idle(60 * S).build())]
fn session(user: &str) -> String {
    RUNS.fetch_add(1, Ordering::SeqCst);
    format!("session of {user}")
}

#[test]
fn a_memoized_function_keeps_what_is_used() {
    assert_eq!(session("ann"), "session of ann");
    for _ in 0..10 {
        CLOCK.advance(59 * S);
        assert_eq!(session("ann"), "session of ann");
    }
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);
    CLOCK.advance(60 * S);
    assert!(!session::contains("ann"));
    session("ann");
    assert_eq!(RUNS.load(Ordering::SeqCst), 2);
}

#[cached(idle = 600, maxsize = 32)]
fn shorthand(x: u32) -> u32 {
    x * 2
}

#[cached(ttl = 60, idle = 10)]
fn both(x: u32) -> u32 {
    x * 3
}

#[test]
fn the_shorthands_build_a_ttl_cache_with_a_time_to_idle() {
    assert_eq!(shorthand(2), 4);
    assert_eq!(shorthand::cache_info().maxsize, 32);
    // An idle time alone: the entry expires (a TTL cache's default would
    // be never), within the idle time.
    let left = shorthand::expires_in(2).expect("expires");
    assert!(left <= 600 * S && left > 590 * S, "{left:?}");
    assert_eq!(both(2), 6);
    // With a TTL of 60 s the idle time (10 s) decides.
    let left = both::expires_in(2).expect("expires");
    assert!(left <= 10 * S && left > 5 * S, "{left:?}");
}

static TOKEN_CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);

#[cached(cache = TtlCache::with_clock(8, 60 * S, TOKEN_CLOCK.clone()))]
fn token(user: u32) -> String {
    format!("token {user}")
}

#[cached(thread_local, cache = TtlCache::with_clock(8, 30 * S, TOKEN_CLOCK.clone()))]
fn local_token(user: u32) -> String {
    format!("token {user}")
}

#[test]
fn an_entrys_time_left_is_visible() {
    let clock = ManualClock::new();
    let mut cache = TtlCache::builder_with_clock(8, 60 * S, clock.clone())
        .time_to_idle(20 * S)
        .build();
    cache.insert(1, "a");
    assert_eq!(cache.expires_in(&1), Some(20 * S));
    clock.advance(15 * S);
    assert_eq!(cache.expires_in(&1), Some(5 * S));
    cache.get(&1);
    assert_eq!(
        cache.expires_in(&1),
        Some(20 * S),
        "a read restarts the idle time"
    );
    clock.advance(20 * S);
    assert_eq!(cache.expires_in(&1), None, "expired");
    assert_eq!(cachekit::LruCache::<u8, u8>::new(2).expires_in(&1), None);

    let shared = ConcurrentCache::new(64, |n| TtlCache::with_clock(n, 10 * S, clock.clone()));
    shared.insert(7u8, 7u8);
    clock.advance(4 * S);
    assert_eq!(shared.expires_in(&7), Some(6 * S));

    token(1);
    local_token(1);
    TOKEN_CLOCK.advance(25 * S);
    assert_eq!(token::expires_in(1), Some(35 * S));
    assert_eq!(local_token::expires_in(1), Some(5 * S));
    assert_eq!(token::expires_in(2), None);
}
