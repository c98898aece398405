//! The cache-operation workloads' shape, shared by `benches/policies.rs`
//! and `benches/examples/paired_timing.rs` so that both time the same
//! keys and requests. The includer declares `mod zipf` (from
//! `tests/common/zipf.rs`) beside this module.

#![allow(dead_code)] // each includer uses a part

/// Entries a benchmarked cache holds.
pub const CAPACITY: usize = 10_000;
/// Operations per timed batch.
pub const BATCH: usize = 1024;
/// Keys the Zipf mix draws from.
pub const UNIVERSE: usize = 100_000;

/// The `i`-th `u64` key: scrambled, so that neighbours do not hash alike.
pub fn int_key(i: u64) -> u64 {
    i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555
}

/// The `i`-th `String` key.
pub fn string_key(i: u64) -> String {
    format!("user:{i:08}:profile")
}

/// The Zipf(0.99) mix's requests, as indices into the key universe: 64
/// batches' worth, replayed in turn.
pub fn zipf_ranks() -> Vec<u64> {
    super::zipf::zipf(UNIVERSE, 0.99, 64 * BATCH, 7)
}
