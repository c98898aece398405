//! `LruCache` reproduces the LRU column of the reference hit ratios on the
//! ARC paper's traces exactly (to the second decimal).
//!
//! Traces and reference figures: Nimrod Megiddo and Dharmendra S. Modha,
//! "ARC: A Self-Tuning, Low Overhead Replacement Cache," USENIX Conference
//! on File and Storage Technologies (FAST 03), San Francisco, CA,
//! pp. 115-130, March 31 - April 2, 2003.

#[path = "common/trace.rs"]
mod trace;

use cachekit::LruCache;

fn lru_hit_ratio(requests: &[u64], size: usize) -> String {
    let mut cache = LruCache::new(size);
    let hits = trace::replay(requests, |block| {
        if cache.get(&block).is_some() {
            true
        } else {
            cache.insert(block, ());
            false
        }
    });
    // The cache's own counters agree with the replay's.
    assert_eq!(cache.stats().hits, hits);
    assert_eq!(cache.stats().lookups(), requests.len() as u64);
    trace::percent(hits, requests.len())
}

fn check(name: &str, expected_requests: usize) {
    let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        requests.len(),
        expected_requests,
        "{name} expands to the documented count"
    );
    for &(trace_name, size, lru, _arc) in trace::REFERENCE {
        if trace_name == name {
            assert_eq!(lru_hit_ratio(&requests, size), lru, "{name} at {size}");
        }
    }
}

#[test]
fn lru_matches_the_reference_on_oltp() {
    check("OLTP.lis.zst", 914_145);
}

#[test]
fn lru_matches_the_reference_on_p3() {
    check("P3.lis.zst", 3_912_296);
}
