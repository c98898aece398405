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
//! Policies: `lru`, `arc`, `tinylfu`, `lfu`, `fifo`, and for reference
//! the `lru` crate's `LruCache` (`lru-crate`) and a bare `hashbrown`
//! map that never evicts (`hashbrown`), both hashing with ahash as cachekit
//! does. Workloads, each of
//! 1,000,000 operations on a `u64 -> u64` cache of 10,000 entries filled
//! beforehand: `zipf` (Zipf(0.99) over 100,000 keys: get, insert on a miss;
//! the mixed workload of `benches/policies.rs`), `hit` (gets of random
//! resident keys), `insert` (inserts of new keys, each evicting). Divide
//! the collected counts by 1,000,000 for a per-operation figure; the loop
//! itself costs about 15 instructions per operation.

#[path = "../tests/common/zipf.rs"]
mod zipf;

use std::hint::black_box;

use cachekit::{ArcCache, FifoCache, LfuCache, LruCache, Policy, PolicyCache, TinyLfuCache};

const CAPACITY: usize = 10_000;
const UNIVERSE: u64 = 100_000;
const OPERATIONS: usize = 1_000_000;

/// The two operations the workloads use.
trait Ops {
    fn get(&mut self, key: u64) -> bool;
    fn insert(&mut self, key: u64);
}

impl<P: Policy<u64, u64>> Ops for PolicyCache<u64, u64, P> {
    #[inline]
    fn get(&mut self, key: u64) -> bool {
        PolicyCache::get(self, &key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: u64) {
        PolicyCache::insert(self, key, key);
    }
}

impl Ops for lru::LruCache<u64, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: u64) -> bool {
        lru::LruCache::get(self, &key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: u64) {
        self.put(key, key);
    }
}

impl Ops for hashbrown::HashMap<u64, u64, ahash::RandomState> {
    #[inline]
    fn get(&mut self, key: u64) -> bool {
        hashbrown::HashMap::get(self, &key).is_some()
    }

    #[inline]
    fn insert(&mut self, key: u64) {
        hashbrown::HashMap::insert(self, key, key);
    }
}

/// Fills the cache, then runs the workload (the part to count).
#[inline(never)]
fn run(mut cache: impl Ops, workload: &str, keys: &[u64]) {
    for key in 0..CAPACITY as u64 {
        cache.insert(key);
    }
    let mut hits = 0u64;
    match workload {
        "zipf" => {
            for &key in keys {
                if cache.get(key) {
                    hits += 1;
                } else {
                    cache.insert(key);
                }
            }
        }
        "hit" => {
            let mut state = 0x9e37_79b9u64;
            for _ in 0..OPERATIONS {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                hits += u64::from(cache.get(state % CAPACITY as u64));
            }
        }
        "insert" => {
            for key in UNIVERSE..UNIVERSE + OPERATIONS as u64 {
                cache.insert(key);
            }
        }
        other => {
            eprintln!("unknown workload {other:?}: zipf, hit or insert");
            std::process::exit(2);
        }
    }
    println!("{workload}: {hits} hits in {OPERATIONS} operations");
    black_box(&mut cache);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, workload] = args.as_slice() else {
        eprintln!("usage: op_profile POLICY zipf|hit|insert (POLICY: lru, arc, tinylfu, lfu, fifo, lru-crate, hashbrown)");
        std::process::exit(2);
    };
    let keys = if workload == "zipf" {
        zipf::zipf(UNIVERSE as usize, 0.99, OPERATIONS, 7)
    } else {
        Vec::new()
    };
    match policy.as_str() {
        "lru" => run(LruCache::new(CAPACITY), workload, &keys),
        "arc" => run(ArcCache::new(CAPACITY), workload, &keys),
        "tinylfu" => run(TinyLfuCache::new(CAPACITY), workload, &keys),
        "lfu" => run(LfuCache::new(CAPACITY), workload, &keys),
        "fifo" => run(FifoCache::new(CAPACITY), workload, &keys),
        "lru-crate" => {
            let capacity = std::num::NonZeroUsize::new(CAPACITY).expect("non-zero");
            let hasher = ahash::RandomState::new();
            run(
                lru::LruCache::with_hasher(capacity, hasher),
                workload,
                &keys,
            )
        }
        "hashbrown" => {
            let hasher = ahash::RandomState::new();
            run(hashbrown::HashMap::with_hasher(hasher), workload, &keys)
        }
        other => {
            eprintln!(
                "unknown policy {other:?}: lru, arc, tinylfu, lfu, fifo, lru-crate or hashbrown"
            );
            std::process::exit(2);
        }
    }
}
