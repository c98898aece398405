//! Every cache indexes its arena unchecked (see `arena.rs`): these tests
//! drive each policy through every operation that frees slots, including
//! panics from user code and policies moved between caches, and are meant
//! to run under Miri as well (`cargo +nightly miri test -p cachekit-core`),
//! which reports any out-of-bounds or stale access as undefined behaviour.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use cachekit_core::{
    ArcCache, Cache, DefaultHashBuilder, FifoCache, LfuCache, LruCache, ManualClock, MruCache,
    Policy, PolicyCache, RrCache, TinyLfuCache, TlruCache, TtlCache, UnboundedCache,
};

/// Fewer operations under Miri, which is slow.
const OPS: u32 = if cfg!(miri) { 600 } else { 20_000 };

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A cache of `u32 -> u32` weighing each entry by its value.
type Weighted<P> = PolicyCache<u32, u32, P, DefaultHashBuilder, fn(&u32, &u32) -> usize>;

/// Random operations with weights 0..=3 on keys 0..24 against a set of the
/// keys that must be present (the listener reports what leaves).
fn drive<P: Policy<u32, u32>>(mut cache: Weighted<P>, seed: u64) {
    let mut rng = Rng(seed);
    for _ in 0..OPS {
        let key = rng.below(24) as u32;
        match rng.below(10) {
            0..=3 => {
                cache.insert(key, rng.below(4) as u32);
            }
            4..=6 => {
                if let Some(v) = cache.get(&key) {
                    assert!(*v < 4);
                }
            }
            7 => {
                cache.remove(&key);
            }
            8 => match rng.below(4) {
                0 => {
                    cache.pop_victim();
                }
                1 => cache.retain(|k, _| k % 3 != 0),
                2 => cache.set_maxsize(rng.below(12) as usize),
                _ => {
                    if rng.below(8) == 0 {
                        cache.clear();
                    }
                }
            },
            _ => {
                let _ = cache.get_or_insert_with(key, || 1);
            }
        }
        assert!(cache.currsize() <= cache.maxsize());
        assert_eq!(cache.iter().count(), cache.len());
    }
    while cache.pop_victim().is_some() {}
    assert!(cache.is_empty());
}

fn weight(_: &u32, v: &u32) -> usize {
    *v as usize
}

macro_rules! drive_all {
    ($($name:ident => $make:expr),* $(,)?) => {$(
        #[test]
        fn $name() {
            for seed in 1..=3 {
                let cache = ($make).weigher(weight as fn(&u32, &u32) -> usize).build();
                drive(cache, seed);
            }
        }
    )*};
}

drive_all! {
    lru => LruCache::builder(8),
    lfu => LfuCache::builder(8),
    fifo => FifoCache::builder(8),
    mru => MruCache::builder(8),
    rr => RrCache::builder(8),
    unbounded => UnboundedCache::builder(8),
    arc => ArcCache::builder(8),
    tinylfu => TinyLfuCache::builder(8),
    ttl => TtlCache::builder_with_clock(8, Duration::from_secs(2), ManualClock::new()),
}

#[test]
fn tlru_with_a_moving_clock() {
    let clock = ManualClock::new();
    let mut cache = TlruCache::with_clock(
        8,
        |_: &u32, v: &u32, now| now + Duration::from_secs(u64::from(*v)),
        clock.clone(),
    );
    let mut rng = Rng(7);
    for _ in 0..OPS {
        let key = rng.below(24) as u32;
        match rng.below(6) {
            0 | 1 => {
                cache.insert(key, rng.below(4) as u32);
            }
            2 | 3 => {
                cache.get(&key);
            }
            4 => {
                cache.remove(&key);
            }
            _ => clock.advance(Duration::from_secs(1)),
        }
        assert_eq!(cache.iter().count(), cache.len());
    }
}

/// A value whose drop panics when told to.
struct Bomb<'a>(&'a Cell<bool>);

impl Drop for Bomb<'_> {
    fn drop(&mut self) {
        if self.0.get() {
            self.0.set(false);
            panic!("drop");
        }
    }
}

#[test]
fn a_panicking_drop_leaves_no_stale_handle() {
    let armed = Cell::new(false);
    let mut cache = LruCache::new(4);
    for k in 0..4 {
        cache.insert(k, Bomb(&armed));
    }
    // Eviction, removal and clear each drop a value that panics.
    armed.set(true);
    let _ = catch_unwind(AssertUnwindSafe(|| drop(cache.insert(9, Bomb(&armed)))));
    armed.set(true);
    let _ = catch_unwind(AssertUnwindSafe(|| drop(cache.remove(&1))));
    armed.set(true);
    let _ = catch_unwind(AssertUnwindSafe(|| cache.clear()));
    // The cache is still usable.
    for k in 0..8 {
        cache.insert(k, Bomb(&armed));
        assert!(cache.get(&k).is_some());
    }
    assert_eq!(cache.len(), 4);
}

#[test]
fn a_panicking_listener_leaves_no_stale_handle() {
    let mut cache = ArcCache::builder(3)
        .listener(|k: u32, _: u32, _| assert!(!k.is_multiple_of(5), "listener"))
        .build();
    for k in 0..50 {
        let _ = catch_unwind(AssertUnwindSafe(|| cache.insert(k, k)));
        let _ = cache.get(&(k / 2));
        assert!(cache.len() <= 3);
    }
}

#[test]
fn a_policy_cloned_from_a_full_cache_starts_empty() {
    let mut full = LfuCache::new(4);
    for k in 0..4 {
        full.insert(k, k);
        full.get(&k);
    }
    let mut fresh = LfuCache::builder(4).policy(full.policy().clone()).build();
    for k in 10..20 {
        fresh.insert(k, k);
    }
    assert_eq!(fresh.len(), 4);
    assert_eq!(full.len(), 4);
    let mut arc = ArcCache::new(2);
    arc.insert(1, 1);
    arc.insert(2, 2);
    let mut moved = ArcCache::builder(2).policy(arc.policy().clone()).build();
    moved.insert(3, 3);
    assert_eq!(moved.pop_victim(), Some((3, 3)));
    assert_eq!(Cache::len(&arc), 2);
}
