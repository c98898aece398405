//! Where in a trace TinyLFU gains or loses against LRU and ARC: the hit
//! ratio per stretch of the trace, and the window's target at the end of
//! each stretch.
//!
//! `cargo run --release --example trace_profile -- TRACE SIZE [STRETCHES]
//! [SEEDS]` replays `TRACE` (a file of `tests/traces`, or of
//! `$CACHEKIT_TRACES`, as `hit_ratio` reads them) through caches of `SIZE`
//! entries and cuts it into `STRETCHES` (default 10) equal stretches of
//! requests. It prints one line per policy: LRU's and ARC's hit ratio in
//! each stretch (percent of its requests), then, for each of `SEEDS`
//! (default 2) hash seeds, TinyLFU's overall ratio and its difference from
//! LRU in each stretch, and the window's target at each stretch's end.
//! Every request is a lookup; a miss inserts the block (weight 1).
//!
//! A policy's summed hit ratio says how far it is from another; this says
//! when: whether the loss is in the first stretches (before the
//! miniature simulations decide), at a phase change, or throughout. On
//! `sprite` at 2,048 entries, for instance (`sprite.trc.zst 2048 50`),
//! more than half of TinyLFU's 0.45-0.51 points behind LRU are in the
//! trace's last 2% (where keys first seen a little earlier come back
//! after more than the window's worth of others, which the admission
//! contest had turned away) and a quarter in its first 10%, before the
//! miniatures' first decision.

#[path = "../../tests/common/trace.rs"]
mod trace;

use cachekit::{ArcCache, LruCache, PolicyCache, TinyLfuCache};

/// Hits per stretch of `requests` (cut into `stretches`) through
/// `access`, which looks a block up and says whether it hit.
fn replay(requests: &[u64], stretches: usize, mut access: impl FnMut(u64) -> bool) -> Vec<u64> {
    let per = requests.len().div_ceil(stretches).max(1);
    let mut hits = vec![0u64; stretches];
    for (i, &block) in requests.iter().enumerate() {
        if access(block) {
            hits[i / per] += 1;
        }
    }
    hits
}

/// Looks `block` up in `cache`, inserting it on a miss; whether it hit.
fn access<P>(cache: &mut PolicyCache<u64, (), P>, block: u64) -> bool
where
    P: cachekit::Policy<u64, ()>,
{
    if cache.get(&block).is_some() {
        true
    } else {
        // A block weighs 1 and the cache is at least one entry, so the
        // insertion cannot be refused.
        cache.insert(block, ());
        false
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: trace_profile TRACE SIZE [STRETCHES] [SEEDS]");
        std::process::exit(2);
    };
    let number = |i: usize, default: usize| match args.get(i) {
        None => default,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => usage(),
        },
    };
    let (Some(name), Some(_)) = (args.first(), args.get(1)) else {
        usage()
    };
    if args.len() > 4 {
        usage();
    }
    let size = number(1, 0);
    let stretches = number(2, 10);
    let seeds = number(3, 2) as u64;
    let requests = match trace::read_trace(name) {
        Ok(requests) if !requests.is_empty() => requests,
        Ok(_) => {
            eprintln!("{name}: no requests");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let per = requests.len().div_ceil(stretches).max(1);
    // The last stretch may be shorter (or, for a short trace cut into
    // many, empty).
    let lengths: Vec<usize> = (0..stretches)
        .map(|s| requests.len().saturating_sub(s * per).min(per))
        .collect();
    let percent = |hits: u64, s: usize| hits as f64 * 100.0 / lengths[s].max(1) as f64;
    let show = |label: &str, hits: &[u64]| {
        let cells: Vec<String> = (0..stretches)
            .map(|s| format!("{:6.2}", percent(hits[s], s)))
            .collect();
        println!("{label:<14} {}", cells.join(" "));
    };
    println!(
        "{name} at {size} entries, {} requests in {stretches} stretches of {per}",
        requests.len()
    );
    let mut lru = LruCache::new(size);
    let lru_hits = replay(&requests, stretches, |b| access(&mut lru, b));
    show("LRU", &lru_hits);
    let mut arc = ArcCache::new(size);
    show(
        "ARC",
        &replay(&requests, stretches, |b| access(&mut arc, b)),
    );
    for seed in 0..seeds {
        let mut cache = TinyLfuCache::builder(size)
            .hasher(ahash::RandomState::with_seeds(1 + seed, 2, 3, 4))
            .build();
        // The window's target after each stretch's last request.
        let mut windows = vec![0usize; stretches];
        let mut hits = vec![0u64; stretches];
        for (i, &block) in requests.iter().enumerate() {
            if access(&mut cache, block) {
                hits[i / per] += 1;
            }
            windows[i / per] = cache.policy().window_target();
        }
        let total: u64 = hits.iter().sum();
        let overall = total as f64 * 100.0 / requests.len() as f64;
        let cells: Vec<String> = (0..stretches)
            .map(|s| format!("{:+6.2}", percent(hits[s], s) - percent(lru_hits[s], s)))
            .collect();
        println!(
            "{:<14} {}",
            format!("TinyLFU {seed} {overall:.2}"),
            cells.join(" ")
        );
        let cells: Vec<String> = windows.iter().map(|w| format!("{w:6}")).collect();
        println!("{:<14} {}", "  window", cells.join(" "));
    }
    println!("(TinyLFU rows: overall hit ratio, then the difference from LRU per stretch)");
}
