//! Hit ratios of every policy on the ARC and LIRS papers' traces, side by side
//! with moka and quick_cache, in one run.
//!
//! `cargo run --release --example hit_ratio [-- TRACE ...]` (by default the
//! four traces of `tests/traces`), or
//! `-- --synthetic` for a Zipf(0.9) and a scan-heavy synthetic workload;
//! `--only LRU,TinyLFU` limits the columns to those policies, and
//! `--seeds N` gives TinyLFU's range over N hash seeds (its sketch and
//! ghost table depend on the hashes) instead of one fixed seed's figure;
//! `--synthetic-suite` replays the synthetic traces of
//! `benches/synthetic` (written by its `make_traces.py` to
//! `$CACHEKIT_TRACES`, by default `target/synthetic-traces`) at the sizes
//! of its `best_known.tsv` and prints each row's shortfall against the
//! best libCacheSim policy there and TinyLFU's difference from LRU
//! (replayed in the same run), then the rows where TinyLFU is more than
//! 0.1 below LRU and those where it is more than 0.1 below ARC (the two
//! floors it must not fall below); `--other-sizes` does the same for the
//! four traces of `tests/traces` at the sizes of
//! `benches/synthetic/other_sizes.tsv` (the ARC paper's other P3 sizes,
//! OLTP and the LIRS traces below and above the tested ones).
//!
//! Every request is a lookup; a miss inserts the block (weight 1). The
//! reference LRU and ARC columns are from `tests/traces/README.md`; the
//! OLTP rows are the paper's: Nimrod Megiddo and Dharmendra S. Modha, "ARC:
//! A Self-Tuning, Low Overhead Replacement Cache," USENIX Conference on File
//! and Storage Technologies (FAST 03), San Francisco, CA, pp. 115-130,
//! March 31 - April 2, 2003.

#[path = "../../tests/common/trace.rs"]
mod trace;
#[path = "../../tests/common/zipf.rs"]
mod zipf;

use std::sync::atomic::{AtomicU64, Ordering};

use cachekit::{
    ArcCache, FifoCache, LfuCache, LruCache, MruCache, PolicyCache, RrCache, TinyLfuCache,
};

/// Added to TinyLFU's first hash seed (`--seeds N` replays with 0..N).
static SEED: AtomicU64 = AtomicU64::new(0);

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
            let seed = SEED.load(Ordering::Relaxed);
            let hasher = ahash::RandomState::with_seeds(1 + seed, 2, 3, 4);
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
fn synthetic(policies: &[(&'static str, Make)], seeds: u64) {
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
        for (name, make) in policies {
            print!(" {} |", measure(name, *make, requests, *size, seeds));
        }
        println!();
    }
}

/// Which table of sizes and best known figures a suite replays.
#[derive(Clone, Copy)]
enum Suite {
    /// `benches/synthetic/best_known.tsv`, on the synthetic traces.
    Synthetic,
    /// `benches/synthetic/other_sizes.tsv`, on the traces of `tests/traces`.
    OtherSizes,
}

impl Suite {
    /// The table of sizes and best known figures.
    fn table(self) -> &'static str {
        match self {
            Suite::Synthetic => concat!(env!("CARGO_MANIFEST_DIR"), "/synthetic/best_known.tsv"),
            Suite::OtherSizes => concat!(env!("CARGO_MANIFEST_DIR"), "/synthetic/other_sizes.tsv"),
        }
    }

    /// Where its traces are unless `$CACHEKIT_TRACES` says, and what writes
    /// them (`None`: the repository's `tests/traces`, always there).
    fn generated(self) -> Option<(&'static str, &'static str)> {
        match self {
            Suite::Synthetic => Some((
                concat!(env!("CARGO_MANIFEST_DIR"), "/../target/synthetic-traces"),
                "python3 benches/synthetic/make_traces.py",
            )),
            Suite::OtherSizes => None,
        }
    }
}

/// A suite: every row of its table, each policy's figure (TinyLFU's worst
/// seed when there are several), TinyLFU's shortfall against the best
/// known figure and its difference from `lru` (cachekit's LRU, replayed in
/// the same run: the floor TinyLFU must not fall 0.1 below); then the
/// rows more than 0.1 below LRU and those more than 0.1 below `arc`
/// (cachekit's ARC, replayed likewise: the other floor).
fn suite(
    policies: &[(&'static str, Make)],
    floors: Floors,
    seeds: u64,
    which: Suite,
) -> Result<(), String> {
    let table = which.table();
    let text = std::fs::read_to_string(table).map_err(|e| format!("{table}: {e}"))?;
    if let Some((dir, _)) = which.generated() {
        if std::env::var_os("CACHEKIT_TRACES").is_none() {
            std::env::set_var("CACHEKIT_TRACES", dir);
        }
    }
    print!("| trace | size |");
    for (name, _) in policies {
        print!(" {name} |");
    }
    println!(" best known | TinyLFU's shortfall | TinyLFU - LRU |");
    print!("| --- | --: |");
    for _ in policies {
        print!(" --: |");
    }
    println!(" --- | --: | --: |");
    let (mut rows, mut reached, mut shortfall) = (0, 0, 0.0);
    let (mut below_lru, mut below_arc) = (Vec::new(), Vec::new());
    let mut loaded: Option<(String, Vec<u64>)> = None;
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, size, best, who] = fields[..] else {
            return Err(format!("{table}: not four fields: {line:?}"));
        };
        let size: usize = size.parse().map_err(|e| format!("{table}: {e}"))?;
        let best: f64 = best.parse().map_err(|e| format!("{table}: {e}"))?;
        if loaded.as_ref().is_none_or(|(loaded, _)| loaded != name) {
            let requests = trace::read_trace(name).map_err(|e| match which.generated() {
                Some((_, writer)) => format!("{e} (write the traces with {writer})"),
                None => e,
            })?;
            loaded = Some((name.to_string(), requests));
        }
        let requests = loaded.as_ref().map(|(_, requests)| requests).unwrap();
        print!("| {} | {size} |", name.split('.').next().unwrap_or(name));
        let (mut tinylfu, mut lru_ratio, mut arc_ratio) = (None, None, None);
        for (policy_name, make) in policies {
            let ratio = measure(policy_name, *make, requests, size, seeds);
            match *policy_name {
                "TinyLFU" => tinylfu = Some(worst_seed(&ratio)),
                "LRU" => lru_ratio = Some(worst_seed(&ratio)),
                "ARC" => arc_ratio = Some(worst_seed(&ratio)),
                _ => {}
            }
            print!(" {ratio} |");
        }
        match tinylfu {
            Some(tinylfu) => {
                let gap = tinylfu - best;
                let floor = |ratio: Option<f64>, policy: &str, make: Make| {
                    ratio.unwrap_or_else(|| worst_seed(&measure(policy, make, requests, size, 1)))
                };
                let over_lru = tinylfu - floor(lru_ratio, "LRU", floors.lru);
                let over_arc = tinylfu - floor(arc_ratio, "ARC", floors.arc);
                rows += 1;
                reached += usize::from(gap >= -0.1);
                shortfall += gap.min(0.0);
                let name = name.split('.').next().unwrap_or(name);
                if over_lru < -0.1 {
                    below_lru.push(format!("{name} at {size} ({over_lru:+.2})"));
                }
                if over_arc < -0.1 {
                    below_arc.push(format!("{name} at {size} ({over_arc:+.2})"));
                }
                println!(" {best:.2} ({who}) | {gap:+.2} | {over_lru:+.2} |");
            }
            None => println!(" {best:.2} ({who}) | | |"),
        }
    }
    if rows > 0 {
        println!("\nTinyLFU reaches the best known figure (less 0.1) on {reached} of {rows} rows; summed shortfall {shortfall:.2} points.");
        for (floor, below) in [("LRU", &below_lru), ("ARC", &below_arc)] {
            if below.is_empty() {
                println!("TinyLFU is never more than 0.1 below {floor}.");
            } else {
                println!(
                    "TinyLFU is more than 0.1 below {floor} on {} rows: {}.",
                    below.len(),
                    below.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// The policies a suite holds TinyLFU to, replayed when `--only` leaves
/// them out.
#[derive(Clone, Copy)]
struct Floors {
    lru: Make,
    arc: Make,
}

/// The first (worst seed's) figure of a [`measure`] result.
fn worst_seed(ratio: &str) -> f64 {
    ratio
        .split('-')
        .next()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0.0)
}

/// Command-line options: `[--only NAMES] [--seeds N] [--synthetic |
/// --synthetic-suite | --other-sizes | TRACE...]`.
struct Options {
    only: Option<Vec<String>>,
    seeds: u64,
    synthetic: bool,
    suite: Option<Suite>,
    traces: Vec<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        only: None,
        seeds: 1,
        synthetic: false,
        suite: None,
        traces: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--only" => {
                let names = args.next().ok_or("--only needs a comma-separated list")?;
                options.only = Some(names.split(',').map(str::to_string).collect());
            }
            "--seeds" => {
                let n = args.next().ok_or("--seeds needs a number")?;
                options.seeds = match n.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--seeds needs a positive number, not {n:?}")),
                };
            }
            "--synthetic" => options.synthetic = true,
            "--synthetic-suite" => options.suite = Some(Suite::Synthetic),
            "--other-sizes" => options.suite = Some(Suite::OtherSizes),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => options.traces.push(arg),
        }
    }
    Ok(options)
}

/// A policy's hit ratio on `requests` at `size`; a range over the seeds
/// for TinyLFU when there are several.
fn measure(name: &str, make: Make, requests: &[u64], size: usize, seeds: u64) -> String {
    let seeds = if name == "TinyLFU" { seeds } else { 1 };
    let mut hits: Vec<u64> = (0..seeds)
        .map(|seed| {
            SEED.store(seed, Ordering::Relaxed);
            trace::replay(requests, make(size))
        })
        .collect();
    SEED.store(0, Ordering::Relaxed);
    hits.sort_unstable();
    let (least, most) = (hits[0], hits[hits.len() - 1]);
    let percent = |hits| trace::percent(hits, requests.len());
    if hits.len() == 1 {
        percent(least)
    } else {
        format!("{}-{}", percent(least), percent(most))
    }
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "usage: hit_ratio [--only NAMES] [--seeds N] \
                 [--synthetic | --synthetic-suite | --other-sizes | TRACE...]"
            );
            std::process::exit(2);
        }
    };
    let mut policies = policies();
    let make = |wanted: &str| {
        policies
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|&(_, make)| make)
            .expect("LRU and ARC are among the policies")
    };
    let floors = Floors {
        lru: make("LRU"),
        arc: make("ARC"),
    };
    if let Some(wanted) = &options.only {
        if let Some(unknown) = wanted
            .iter()
            .find(|w| !policies.iter().any(|(name, _)| name == w))
        {
            let known: Vec<&str> = policies.iter().map(|(name, _)| *name).collect();
            eprintln!("unknown policy {unknown:?}; known: {}", known.join(", "));
            std::process::exit(2);
        }
        policies.retain(|(name, _)| wanted.iter().any(|w| w == name));
    }
    if options.synthetic {
        synthetic(&policies, options.seeds);
        return;
    }
    if let Some(which) = options.suite {
        if let Err(e) = suite(&policies, floors, options.seeds, which) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let names: Vec<&str> = if options.traces.is_empty() {
        vec![
            "OLTP.lis.zst",
            "P3.lis.zst",
            "loop.trc.zst",
            "sprite.trc.zst",
        ]
    } else {
        options.traces.iter().map(String::as_str).collect()
    };
    println!("Hit ratios (%) on the ARC paper's traces (Megiddo and Modha, FAST 03) and the");
    println!("LIRS paper's (Jiang and Zhang, SIGMETRICS 02). `ref LRU` and `ref ARC` are the");
    println!("ARC paper's figures (`=` marks an exact LRU match); `Belady` and `best known` are");
    println!("from tests/traces/README.md (libCacheSim, Caffeine, moka, quick_cache).\n");
    print!("| trace | size |");
    for (name, _) in &policies {
        print!(" {name} |");
    }
    println!(" ref LRU | ref ARC | Belady | best known |");
    print!("| --- | --: |");
    for _ in &policies {
        print!(" --: |");
    }
    println!(" --: | --: | --: | --- |");
    for name in names {
        let requests = match trace::read_trace(name) {
            Ok(requests) => requests,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let rows = trace::BEST_KNOWN.iter().filter(|row| row.0 == name).map(
            |&(_, size, belady, best, who)| {
                let reference = trace::REFERENCE.iter().find(|r| (r.0, r.1) == (name, size));
                let (ref_lru, ref_arc) =
                    (reference.map_or("", |r| r.2), reference.map_or("", |r| r.3));
                (
                    size,
                    ref_lru,
                    ref_arc,
                    format!(" {belady:.2} | {best:.2} ({who}) |"),
                )
            },
        );
        for (size, ref_lru, ref_arc, best) in rows {
            print!("| {} | {size} |", name.split('.').next().unwrap_or(name));
            for (policy_name, make) in &policies {
                let ratio = measure(policy_name, *make, &requests, size, options.seeds);
                let mark = if *policy_name == "LRU" && ratio == ref_lru {
                    " ="
                } else {
                    ""
                };
                print!(" {ratio}{mark} |");
            }
            println!(" {ref_lru} | {ref_arc} |{best}");
        }
    }
}
