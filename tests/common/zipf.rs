//! Seeded Zipf-distributed key streams for benchmarks and hit-ratio runs.

#![allow(dead_code)] // each includer uses a part

/// `count` ranks drawn from Zipf(`s`) over `0..n` by inverse CDF, with a
/// seeded xorshift generator so every run replays the same stream.
pub fn zipf(n: usize, s: f64, count: usize, seed: u64) -> Vec<u64> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for rank in 1..=n {
        total += 1.0 / (rank as f64).powf(s);
        cdf.push(total);
    }
    let mut state = seed | 1;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 * total;
            cdf.partition_point(|&c| c < u).min(n - 1) as u64
        })
        .collect()
}
