//! The time of one cachekit policy relative to `LruCache` on the Zipf(0.99)
//! mix of `benches/policies.rs`, measured in pairs so that a shared
//! machine's noise cancels:
//!
//! ```text
//! cargo run --release --example paired_timing -- [POLICY] [ROUNDS] [REPEATS]
//! ```
//!
//! Criterion times each benchmark on its own, seconds apart, and on a VM
//! whose neighbours come and go a benchmark moves by up to 2x between runs,
//! so two of them cannot show a 1.3x bar met or missed. Here each round
//! times one batch of 1,024 operations on the policy's cache and the same
//! batch on an LRU, back to back (the order alternating between rounds),
//! and keeps the ratio of the two: a slowdown that lasts longer than a
//! batch (tens of microseconds) slows both. The report is the median of the
//! rounds' ratios with its quartiles, per repeat; each repeat builds both
//! caches afresh (new hash seeds, as a user's cache gets).
//!
//! The workload is `zipf` of `benches/policies.rs` (both take it from
//! `benches/common/workload.rs`): a cache of 10,000 entries filled with
//! keys it will see, batches drawn in turn from 65,536 Zipf(0.99) ranks
//! over 100,000 keys, each request a `get` and an insert on a miss; `u64`
//! keys (scrambled, the value the key) and `String` keys looked up as
//! `&str`. Policies: `tinylfu` (the default), `arc`, `lfu`,
//! `fifo`, `lru` (against itself: the ratio the method reads when there is
//! no difference). Defaults: 20,000 rounds, 3 repeats.

#[path = "../common/workload.rs"]
mod workload;
#[path = "../../tests/common/zipf.rs"]
mod zipf;

use std::borrow::Borrow;
use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;

use cachekit::{ArcCache, FifoCache, LfuCache, LruCache, Policy, PolicyCache, TinyLfuCache};

use workload::{BATCH, CAPACITY, UNIVERSE};
/// Rounds run untimed first, so that both caches reach their steady state.
const WARM_UP_ROUNDS: usize = 2_000;

/// A key type of the workload, looked up as `Q`.
trait Key<Q: ?Sized>: Hash + Eq + Clone + Borrow<Q> {
    fn make(i: u64) -> Self;
    fn value(&self) -> u64;
}

impl Key<u64> for u64 {
    fn make(i: u64) -> Self {
        workload::int_key(i)
    }

    fn value(&self) -> u64 {
        *self
    }
}

impl Key<str> for String {
    fn make(i: u64) -> Self {
        workload::string_key(i)
    }

    fn value(&self) -> u64 {
        self.len() as u64
    }
}

/// Runs one batch: a `get` per key, an insert on a miss.
#[inline(never)]
fn batch<K, Q, P>(cache: &mut PolicyCache<K, u64, P>, keys: &[K])
where
    K: Key<Q>,
    Q: ?Sized + Hash + Eq,
    P: Policy<K, u64>,
{
    for key in keys {
        if cache.get(key.borrow()).is_none() {
            cache.insert(key.clone(), key.value());
        }
    }
}

/// The ratios' quartiles: (lower, median, upper).
fn quartiles(mut ratios: Vec<f64>) -> (f64, f64, f64) {
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    (at(1), at(2), at(3))
}

/// Times `cache` against an LRU on the workload: the quartiles of the
/// rounds' ratios.
fn paired<K, Q, P>(mut cache: PolicyCache<K, u64, P>, rounds: usize) -> (f64, f64, f64)
where
    K: Key<Q>,
    Q: ?Sized + Hash + Eq,
    P: Policy<K, u64>,
{
    let universe: Vec<K> = (0..UNIVERSE as u64).map(K::make).collect();
    let requests: Vec<K> = workload::zipf_ranks()
        .into_iter()
        .map(|rank| universe[rank as usize].clone())
        .collect();
    let mut lru = LruCache::new(CAPACITY);
    for key in &universe[..CAPACITY] {
        lru.insert(key.clone(), key.value());
        cache.insert(key.clone(), key.value());
    }
    let batches = requests.len() / BATCH;
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..WARM_UP_ROUNDS + rounds {
        let keys = &requests[(round % batches) * BATCH..][..BATCH];
        let time = |run: &mut dyn FnMut()| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64
        };
        let mut on_cache = || batch(&mut cache, keys);
        let (policy, lru_time) = if round % 2 == 0 {
            let policy = time(&mut on_cache);
            (policy, time(&mut || batch(&mut lru, keys)))
        } else {
            let lru_time = time(&mut || batch(&mut lru, keys));
            (time(&mut on_cache), lru_time)
        };
        if round >= WARM_UP_ROUNDS && lru_time > 0.0 {
            ratios.push(policy / lru_time);
        }
    }
    black_box((&cache, &lru));
    quartiles(ratios)
}

/// One repeat of `policy` with keys `K`.
fn repeat<K, Q>(policy: &str, rounds: usize) -> (f64, f64, f64)
where
    K: Key<Q>,
    Q: ?Sized + Hash + Eq,
{
    match policy {
        "tinylfu" => paired::<K, Q, _>(TinyLfuCache::new(CAPACITY), rounds),
        "arc" => paired::<K, Q, _>(ArcCache::new(CAPACITY), rounds),
        "lfu" => paired::<K, Q, _>(LfuCache::new(CAPACITY), rounds),
        "fifo" => paired::<K, Q, _>(FifoCache::new(CAPACITY), rounds),
        _ => paired::<K, Q, _>(LruCache::new(CAPACITY), rounds),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let policy = args.first().map_or("tinylfu", String::as_str);
    if !["tinylfu", "arc", "lfu", "fifo", "lru"].contains(&policy) {
        eprintln!("unknown policy {policy:?}: tinylfu, arc, lfu, fifo or lru");
        std::process::exit(2);
    }
    let number = |at: usize, default: usize| match args.get(at) {
        None => default,
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: paired_timing [POLICY] [ROUNDS] [REPEATS]");
            std::process::exit(2);
        }),
    };
    let (rounds, repeats) = (number(1, 20_000).max(1), number(2, 3).max(1));
    println!(
        "{policy} / LRU per batch of {BATCH} (Zipf(0.99) get-or-insert, {CAPACITY} entries): \
         median [quartiles] of {rounds} paired rounds"
    );
    for _ in 0..repeats {
        let (low, median, high) = repeat::<u64, u64>(policy, rounds);
        print!("u64 {median:.3}x [{low:.3}-{high:.3}]");
        let (low, median, high) = repeat::<String, str>(policy, rounds);
        println!("   String {median:.3}x [{low:.3}-{high:.3}]");
    }
}
