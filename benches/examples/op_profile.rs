//! One cache workload in a loop, for counting instructions and cache
//! misses with callgrind, which (unlike wall-clock time on a shared
//! machine) gives the same figures on every run:
//!
//! ```text
//! cargo build --release --example op_profile
//! valgrind --tool=callgrind --cache-sim=yes --toggle-collect='op_profile::run*' \
//!     target/release/examples/op_profile tinylfu zipf
//! ```
//!
//! `op_profile POLICY WORKLOAD [u64|string] [SEED]`. Policies: `lru`, `arc`,
//! `tinylfu`, `lfu`, `fifo`, and for reference the `lru` crate's `LruCache`
//! (`lru-crate`), `quick_cache::unsync::Cache` (`quick-cache`) and a bare
//! `hashbrown` map that never evicts (`hashbrown`), all hashing with ahash
//! as cachekit does. Workloads, each of 1,000,000 operations on a cache of
//! 10,000 entries filled beforehand: `zipf` (1,000,000 draws of
//! Zipf(0.99) over 100,000 keys: get, insert on a miss), `mix` (the mix
//! that `benches/policies.rs` and `benches/examples/paired_timing.rs` time,
//! from `benches/common/workload.rs`: the same get and insert, but over
//! 65,536 Zipf(0.99) draws replayed in turn, with those files' keys),
//! `hit` (gets of random resident keys), `insert` (inserts of new keys,
//! each evicting). Keys are `u64`, or `String`s looked up as `&str`; keys
//! are built before the counted part, except that a miss clones its key to
//! insert it (as `benches/policies.rs` does). Divide the collected counts
//! by 1,000,000 for a per-operation figure; the loop itself costs about 10
//! instructions per operation. The hash seeds are fixed, so a run counts
//! what the last did; `SEED` (default 1) changes the first of them, for
//! another table layout and, with TinyLFU, another sample of keys for its
//! miniature simulations (whose share of the requests depends on whether
//! a popular key falls in it). The line printed gives the hits and the
//! loop's wall-clock time per operation: a rough figure on a shared
//! machine, meaningless under callgrind.
//!
//! `zipf` never repeats a request sequence; `mix` does, every 65,536
//! requests, so a policy that keeps the sequence's most requested keys
//! (its 10,000 most requested take 86.7% of its requests) hits more there
//! than on `zipf`: TinyLFU 85.6% of the 1,000,000 operations against 78.2%,
//! LRU 72.7% and 72.5% (`u64` keys).

#[path = "../common/workload.rs"]
mod workload;
#[path = "../../tests/common/zipf.rs"]
mod zipf;

use std::borrow::Borrow;
use std::hash::Hash;
use std::hint::black_box;

use cachekit::{
    ArcCache, FifoCache, LfuCache, LruCache, Policy, PolicyCache, TinyLfuCache, TtlCache,
};

const CAPACITY: usize = 10_000;
const UNIVERSE: u64 = 100_000;
const OPERATIONS: usize = 1_000_000;

/// A key type of the workloads: `u64`, or `String` looked up as `&str`.
trait Key: Hash + Eq + Clone + Borrow<Self::Borrowed> {
    type Borrowed: ?Sized + Hash + Eq;
    fn make(n: u64) -> Self;
    /// The `n`-th key of the timed mix (`benches/common/workload.rs`).
    fn mix(n: u64) -> Self;
    fn borrowed(&self) -> &Self::Borrowed;
}

impl Key for u64 {
    type Borrowed = u64;

    fn make(n: u64) -> Self {
        n
    }

    fn mix(n: u64) -> Self {
        workload::int_key(n)
    }

    fn borrowed(&self) -> &u64 {
        self
    }
}

impl Key for String {
    type Borrowed = str;

    fn make(n: u64) -> Self {
        format!("key-{n:012}")
    }

    fn mix(n: u64) -> Self {
        workload::string_key(n)
    }

    fn borrowed(&self) -> &str {
        self
    }
}

/// The two operations the workloads use.
trait Ops<K: Key> {
    fn get(&mut self, key: &K::Borrowed) -> bool;
    fn insert(&mut self, key: K);
}

impl<K: Key, P: Policy<K, u64>> Ops<K> for PolicyCache<K, u64, P> {
    #[inline]
    fn get(&mut self, key: &K::Borrowed) -> bool {
        PolicyCache::get(self, key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: K) {
        PolicyCache::insert(self, key, 1);
    }
}

impl<K: Key> Ops<K> for lru::LruCache<K, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: &K::Borrowed) -> bool {
        lru::LruCache::get(self, key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: K) {
        self.put(key, 1);
    }
}

type QuickCache<K> =
    quick_cache::unsync::Cache<K, u64, quick_cache::UnitWeighter, ahash::RandomState>;

impl<K: Key> Ops<K> for QuickCache<K>
where
    K::Borrowed: quick_cache::Equivalent<K>,
{
    #[inline]
    fn get(&mut self, key: &K::Borrowed) -> bool {
        QuickCache::get(self, key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: K) {
        QuickCache::insert(self, key, 1);
    }
}

impl<K: Key> Ops<K> for hashbrown::HashMap<K, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: &K::Borrowed) -> bool {
        hashbrown::HashMap::get(self, key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: K) {
        hashbrown::HashMap::insert(self, key, 1);
    }
}

/// Fills the cache, then runs the workload (the part to count): `ops`
/// are looked up, a missed key cloned and inserted (`zipf`, `hit`), or
/// moved in (`insert`). Keys left in `ops` are dropped by the caller.
#[inline(never)]
fn run<K: Key>(mut cache: impl Ops<K>, workload: &str, fill: Vec<K>, ops: &mut Vec<K>) {
    for key in fill {
        cache.insert(key);
    }
    let mut hits = 0u64;
    let start = std::time::Instant::now();
    if workload == "insert" {
        for key in ops.drain(..) {
            cache.insert(key);
        }
    } else {
        for key in ops.iter() {
            if cache.get(key.borrowed()) {
                hits += 1;
            } else {
                cache.insert(key.clone());
            }
        }
    }
    let nanos = start.elapsed().as_nanos() as f64 / OPERATIONS as f64;
    println!("{workload}: {hits} hits in {OPERATIONS} operations, {nanos:.1} ns per operation");
    black_box(&mut cache);
}

/// Builds the keys, then runs `policy` on them.
fn profile<K>(policy: &str, workload: &str, seed: u64)
where
    K: Key,
    K::Borrowed: quick_cache::Equivalent<K>,
{
    let make = if workload == "mix" { K::mix } else { K::make };
    let fill: Vec<K> = (0..CAPACITY as u64).map(make).collect();
    let mut ops: Vec<K> = match workload {
        "mix" => {
            let ranks = workload::zipf_ranks();
            (0..OPERATIONS)
                .map(|i| K::mix(ranks[i % ranks.len()]))
                .collect()
        }
        "zipf" => zipf::zipf(UNIVERSE as usize, 0.99, OPERATIONS, 7)
            .into_iter()
            .map(K::make)
            .collect(),
        "hit" => {
            let mut state = 0x9e37_79b9u64;
            (0..OPERATIONS)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    K::make(state % CAPACITY as u64)
                })
                .collect()
        }
        "insert" => (UNIVERSE..UNIVERSE + OPERATIONS as u64)
            .map(K::make)
            .collect(),
        other => {
            eprintln!("unknown workload {other:?}: zipf, mix, hit or insert");
            std::process::exit(2);
        }
    };
    // Fixed hash seeds: the same table layout, sketch collisions and hit
    // count on every run, so two runs of one binary count the same.
    // (`seed` replaces the first: another layout, another sample of keys
    // for TinyLFU's miniatures.)
    let hasher = || ahash::RandomState::with_seeds(seed, 2, 3, 4);
    macro_rules! cachekit {
        ($cache:ident) => {
            run(
                $cache::builder(CAPACITY).hasher(hasher()).build(),
                workload,
                fill,
                &mut ops,
            )
        };
    }
    match policy {
        "lru" => cachekit!(LruCache),
        "arc" => cachekit!(ArcCache),
        "tinylfu" => cachekit!(TinyLfuCache),
        "lfu" => cachekit!(LfuCache),
        "fifo" => cachekit!(FifoCache),
        "ttl" => run(
            TtlCache::builder(CAPACITY, std::time::Duration::from_secs(3600))
                .hasher(hasher())
                .build(),
            workload,
            fill,
            &mut ops,
        ),
        "lru-crate" => {
            let capacity = std::num::NonZeroUsize::new(CAPACITY).expect("non-zero");
            run(
                lru::LruCache::with_hasher(capacity, hasher()),
                workload,
                fill,
                &mut ops,
            )
        }
        "quick-cache" => {
            let cache = QuickCache::with(
                CAPACITY,
                CAPACITY as u64,
                quick_cache::UnitWeighter,
                hasher(),
                Default::default(),
            );
            run(cache, workload, fill, &mut ops)
        }
        "hashbrown" => run(
            hashbrown::HashMap::with_hasher(hasher()),
            workload,
            fill,
            &mut ops,
        ),
        other => {
            eprintln!(
                "unknown policy {other:?}: lru, arc, tinylfu, lfu, fifo, lru-crate, quick-cache or hashbrown"
            );
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: op_profile POLICY zipf|mix|hit|insert [u64|string] [SEED]");
        std::process::exit(2);
    };
    let (policy, workload) = match args.as_slice() {
        [policy, workload, ..] if args.len() <= 4 => (policy, workload),
        _ => usage(),
    };
    let keys = args.get(2).map_or("u64", String::as_str);
    let seed = match args.get(3) {
        None => 1,
        Some(seed) => seed.parse().unwrap_or_else(|_| usage()),
    };
    match keys {
        "u64" => profile::<u64>(policy, workload, seed),
        "string" => profile::<String>(policy, workload, seed),
        other => {
            eprintln!("unknown key type {other:?}: u64 or string");
            std::process::exit(2);
        }
    }
}
