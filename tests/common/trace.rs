//! Reading the ARC paper's block traces (`tests/traces/*.lis.zst`, see
//! `tests/traces/README.md`) and replaying them through a cache.
//!
//! Traces from: Nimrod Megiddo and Dharmendra S. Modha, "ARC: A
//! Self-Tuning, Low Overhead Replacement Cache," USENIX Conference on File
//! and Storage Technologies (FAST 03), San Francisco, CA, pp. 115-130,
//! March 31 - April 2, 2003.

#![allow(dead_code)] // each includer uses a part

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// Where the traces are: `$CACHEKIT_TRACES`, else the repository's
/// `tests/traces` (this file is compiled into the `tests` and `benches`
/// packages, both one level below the repository root).
pub fn trace_dir() -> PathBuf {
    match std::env::var_os("CACHEKIT_TRACES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/traces"),
    }
}

/// Every request of a trace, in order: in the ARC paper's traces
/// (`.lis`) each line `start count _ _` stands for the blocks
/// `start..start + count`; in the LIRS paper's (`.trc`) each line is one
/// block (a line `*` is skipped).
pub fn read_trace(name: &str) -> Result<Vec<u64>, String> {
    let path = trace_dir().join(name);
    let file = File::open(&path).map_err(|e| {
        format!(
            "cannot open trace {} ({e}); set CACHEKIT_TRACES to the directory holding {name}",
            path.display()
        )
    })?;
    let decoder = ruzstd::decoding::StreamingDecoder::new(BufReader::new(file))
        .map_err(|e| format!("{}: not a zstd stream: {e}", path.display()))?;
    let mut requests = Vec::new();
    for (number, line) in BufReader::new(decoder).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let mut fields = line.split_whitespace();
        let parse = |field: &str| {
            field
                .parse::<u64>()
                .map_err(|e| format!("{}:{}: {e}", path.display(), number + 1))
        };
        match (fields.next(), fields.next()) {
            (Some(start), Some(count)) => {
                let (start, count) = (parse(start)?, parse(count)?);
                requests.extend(start..start + count);
            }
            (Some("*"), None) | (None, _) => {}
            (Some(block), None) => requests.push(parse(block)?),
        }
    }
    Ok(requests)
}

/// Hits of `requests` replayed as "get; on a miss, insert".
pub fn replay(requests: &[u64], mut access: impl FnMut(u64) -> bool) -> u64 {
    requests.iter().filter(|&&block| access(block)).count() as u64
}

/// `hits / requests` as a percentage rounded to two decimals, as text.
pub fn percent(hits: u64, requests: usize) -> String {
    format!("{:.2}", hits as f64 * 100.0 / requests as f64)
}

/// The reference table of `tests/traces/README.md`: trace, size, LRU,
/// ARC.
pub const REFERENCE: &[(&str, usize, &str, &str)] = &[
    ("OLTP.lis.zst", 1_000, "32.83", "38.93"),
    ("OLTP.lis.zst", 2_000, "42.47", "46.08"),
    ("OLTP.lis.zst", 5_000, "53.65", "55.25"),
    ("OLTP.lis.zst", 10_000, "60.70", "61.87"),
    ("OLTP.lis.zst", 15_000, "64.63", "65.40"),
    ("P3.lis.zst", 1_024, "1.05", "1.12"),
    ("P3.lis.zst", 4_096, "1.32", "2.33"),
    ("P3.lis.zst", 16_384, "2.07", "7.00"),
    ("P3.lis.zst", 65_536, "12.72", "26.89"),
];

/// The best known hit ratios of `tests/traces/README.md`: trace, size,
/// Belady's offline optimum (without bypass), the best figure any known
/// policy reaches, and who reaches it (libCacheSim's policies, Caffeine,
/// moka, quick_cache; see the README for the sources).
pub const BEST_KNOWN: &[(&str, usize, f64, f64, &str)] = &[
    ("OLTP.lis.zst", 1_000, 53.61, 40.86, "S3-FIFO"),
    ("OLTP.lis.zst", 2_000, 60.40, 47.03, "S3-FIFO"),
    ("OLTP.lis.zst", 5_000, 68.27, 55.75, "S3-FIFO"),
    ("OLTP.lis.zst", 10_000, 73.02, 62.69, "S3-FIFO"),
    ("OLTP.lis.zst", 15_000, 75.14, 65.98, "S3-FIFO"),
    ("P3.lis.zst", 1_024, 3.07, 1.12, "ARC"),
    ("P3.lis.zst", 4_096, 6.92, 2.49, "S3-FIFO, W-TinyLFU"),
    ("P3.lis.zst", 16_384, 18.92, 10.28, "Caffeine"),
    ("P3.lis.zst", 65_536, 51.03, 32.48, "LIRS"),
    ("loop.trc.zst", 256, 25.22, 25.25, "moka"),
    ("loop.trc.zst", 512, 50.54, 50.54, "moka"),
    ("sprite.trc.zst", 512, 88.20, 79.37, "S3-FIFO"),
    ("sprite.trc.zst", 2_048, 94.62, 93.57, "LeCaR"),
];
