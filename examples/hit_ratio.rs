//! Hit ratios of every policy on the ARC paper's block traces, side by side
//! with moka and quick_cache, in one run.
//!
//! `cargo run --release --example hit_ratio [-- TRACE.lis.zst ...]`, or
//! `-- --synthetic` for a Zipf(0.9) and a scan-heavy synthetic workload.
//!
//! Every request is a lookup; a miss inserts the block (weight 1). The
//! reference LRU and ARC columns are from `../shared/traces/README.md`; the
//! OLTP rows are the paper's: Nimrod Megiddo and Dharmendra S. Modha, "ARC:
//! A Self-Tuning, Low Overhead Replacement Cache," USENIX Conference on File
//! and Storage Technologies (FAST 03), San Francisco, CA, pp. 115-130,
//! March 31 - April 2, 2003.

#[path = "../tests/common/trace.rs"]
mod trace;
#[path = "../tests/common/zipf.rs"]
mod zipf;

use cachekit::{
    ArcCache, FifoCache, LfuCache, LruCache, MruCache, PolicyCache, RrCache, TinyLfuCache,
};

/// A cache under test: `access(block)` looks the block up, inserts it on a
/// miss, and says whether it hit.
type Access = Box<dyn FnMut(u64) -> bool>;

/// Builds a cache of the given size.
type Make = fn(usize) -> Access;

/// Wraps one of cachekit's caches.
fn policy<P>(mut cache: PolicyCache<u64, (), P>) -> Access
where
    P: cachekit::Policy<u64, ()> + 'static,
{
    Box::new(move |block| {
        if cache.get(&block).is_some() {
            true
        } else {
            cache.insert(block, ());
            false
        }
    })
}

/// The policies in the table, by column name.
fn policies() -> Vec<(&'static str, Make)> {
    vec![
        ("LRU", |n| policy(LruCache::new(n))),
        ("ARC", |n| policy(ArcCache::new(n))),
        ("TinyLFU", |n| {
            // Fixed hash seeds: the sketch's collisions, and so the
            // figures, are the same on every run.
            let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
            policy(TinyLfuCache::builder(n).hasher(hasher).build())
        }),
        ("LFU", |n| policy(LfuCache::new(n))),
        ("FIFO", |n| policy(FifoCache::new(n))),
        ("MRU", |n| policy(MruCache::new(n))),
        ("RR", |n| policy(RrCache::with_seed(n, 7))),
        ("moka", |n| {
            let cache = moka::sync::Cache::new(n as u64);
            Box::new(move |block| {
                if cache.get(&block).is_some() {
                    true
                } else {
                    cache.insert(block, ());
                    // Apply admission and eviction now, so the cache never
                    // runs over its capacity between maintenance passes.
                    cache.run_pending_tasks();
                    false
                }
            })
        }),
        ("quick_cache", |n| {
            let mut cache = quick_cache::unsync::Cache::new(n);
            Box::new(move |block| {
                if cache.get(&block).is_some() {
                    true
                } else {
                    cache.insert(block, ());
                    false
                }
            })
        }),
    ]
}

/// A hot set of `size / 2` keys read in turn with a loop over
/// `1.5 * size` cold keys: the loop is larger than the cache, so LRU keeps
/// flushing the hot keys.
fn scan_heavy(size: usize, rounds: usize) -> Vec<u64> {
    let hot = (size / 2) as u64;
    let cold = (size * 3 / 2) as u64;
    let mut requests = Vec::new();
    for _ in 0..rounds {
        for i in 0..cold {
            requests.push(1_000_000 + i);
            if i % 3 == 0 {
                requests.push((i / 3) % hot);
            }
        }
    }
    requests
}

/// Synthetic workloads a policy was not tuned on.
fn synthetic(policies: &[(&'static str, Make)]) {
    println!("\nSynthetic workloads (hit ratio, %):\n");
    print!("| workload | size |");
    for (name, _) in policies {
        print!(" {name} |");
    }
    println!();
    print!("| --- | --: |");
    for _ in policies {
        print!(" --: |");
    }
    println!();
    let workloads = [
        (
            "Zipf(0.9), 100k keys",
            1_000,
            zipf::zipf(100_000, 0.9, 1_000_000, 11),
        ),
        (
            "Zipf(0.9), 100k keys",
            10_000,
            zipf::zipf(100_000, 0.9, 1_000_000, 11),
        ),
        ("scan-heavy loop", 1_000, scan_heavy(1_000, 50)),
        ("scan-heavy loop", 10_000, scan_heavy(10_000, 20)),
    ];
    for (name, size, requests) in &workloads {
        print!("| {name} | {size} |");
        for (_, make) in policies {
            let hits = trace::replay(requests, make(*size));
            print!(" {} |", trace::percent(hits, requests.len()));
        }
        println!();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--synthetic") {
        synthetic(&policies());
        return;
    }
    let names: Vec<&str> = if args.is_empty() {
        vec!["OLTP.lis.zst", "P3.lis.zst"]
    } else {
        args.iter().map(String::as_str).collect()
    };
    let policies = policies();
    println!("Hit ratios (%) on the ARC paper's traces (Megiddo and Modha, FAST 03).");
    println!("`ref LRU` and `ref ARC` are the published figures; `=` marks an exact LRU match.\n");
    print!("| trace | size |");
    for (name, _) in &policies {
        print!(" {name} |");
    }
    println!(" ref LRU | ref ARC |");
    print!("| --- | --: |");
    for _ in &policies {
        print!(" --: |");
    }
    println!(" --: | --: |");
    for name in names {
        let requests = match trace::read_trace(name) {
            Ok(requests) => requests,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        for &(trace_name, size, ref_lru, ref_arc) in trace::REFERENCE {
            if trace_name != name {
                continue;
            }
            print!("| {} | {size} |", name.trim_end_matches(".lis.zst"));
            for (policy_name, make) in &policies {
                let hits = trace::replay(&requests, make(size));
                let ratio = trace::percent(hits, requests.len());
                let mark = if *policy_name == "LRU" && ratio == ref_lru {
                    " ="
                } else {
                    ""
                };
                print!(" {ratio}{mark} |");
            }
            println!(" {ref_lru} | {ref_arc} |");
        }
    }
}
