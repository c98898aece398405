//! Miniature simulations: scaled-down copies of the cache, each trying
//! one [`Config`] on the same sample of the keys, so the real cache can
//! take the configuration that would have hit most on its own workload.
//!
//! No single window size and admission rule is best everywhere: a
//! recency-heavy trace wants a window of most of the cache, a loop wants
//! no window and no admission on a tie, a database trace something
//! between. Ghost feedback only says in which direction to move, and
//! moves too slowly on a short trace or too far on a noisy one. A
//! miniature simulation (Waldspurger, Saemundsson, Ahmad and Park, "Cache
//! Modeling and Optimization using Miniature Simulations," USENIX ATC
//! 2017) answers the question directly: keys whose hash falls in a
//! `1 / 2^shift` sample are replayed through one small W-TinyLFU per
//! configuration, each holding `maxsize / 2^shift`; hash sampling keeps
//! every sampled key's whole history, so each miniature sees a scaled
//! copy of the workload and its hit ratio tracks what the full cache
//! would get with that configuration.
//!
//! The miniatures hold hashes only (24 bytes per node, a few hundred
//! nodes each), share one table from hash to their nodes and one small
//! frequency sketch per aging (two), and are fed only the sampled
//! requests: the real cache pays one test of hash bits per operation.
//!
//! Which configuration wins is a paired comparison: every miniature
//! replays the same requests, so two of them differ only on the requests
//! where one hits and the other misses, and the noise of their
//! difference is the square root of those, not of all requests. A
//! configuration replaces the one in force as soon as its lead is three
//! times that noise (a sequential test, in the manner of McNemar's), so a
//! clear winner is taken within a few hundred sampled requests and a
//! near tie is never switched on.

use hashbrown::HashTable;

use super::{Segment, RECALL_FACTOR};
use crate::policies::history::exact_ghosts::ExactGhosts;
use crate::policies::history::frequency_sketch::{remix, FrequencySketch};
use crate::policies::history::lossy_ghosts;
use crate::policies::history::Side;

/// One way to run the cache: what the miniatures compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Config {
    /// The window's share of `maxsize` (0: a single entry).
    pub(super) window: f64,
    /// A candidate is admitted only if its estimate beats the victim's
    /// by more than this.
    pub(super) margin: u8,
    /// Whether a frequent candidate that loses is still admitted now
    /// and then (the hash-flood escape).
    pub(super) escape: bool,
    /// The sketch's increments between halvings per entry (0: default).
    pub(super) aging: usize,
    /// Whether a victim that wins its contest moves to the back of
    /// probation, so that the next candidate meets another entry. Without
    /// it a victim whose count is high but stale (a key popular in the
    /// last phase) turns every candidate away until the sketch ages; with
    /// it probation is a clock whose weakest entry leaves. The windowed
    /// configurations rotate; the loop-proof ones must not, since there a
    /// fixed gatekeeper is what keeps the loop's resident part in place.
    /// (Measured with `benches/examples/hit_ratio --seeds 8`: OLTP +0.03
    /// to +0.44 on the worst seed, P3 at 65,536 from 30.06-31.54 to
    /// 31.01-31.58, sprite +0.1; rotating the loop-proof ones too loses
    /// 0.7-2.2 points on the synthetic cs_like trace.)
    pub(super) rotate: bool,
    /// Whether every contest a probation entry wins costs it one from its
    /// estimate in the next, until a hit promotes it (see
    /// [`TinyLfuMeta::reprieves`](super::TinyLfuMeta)): with rotation,
    /// probation is then a clock in which an entry popular long ago but
    /// not hit since wears out its count and leaves, as in S3-FIFO's main
    /// queue, instead of turning newcomers away until the sketch ages.
    /// Only the 50% window wears. (Measured with
    /// `benches/examples/hit_ratio --seeds 8` and the synthetic suite at 4
    /// seeds, worst seed: sprite at 512 from 78.66-79.53 to 79.05-79.67,
    /// above LRU's 78.94 on every seed; OLTP at 5,000 +0.5, at 15,000
    /// from 65.97-66.38 to 66.15-66.70; zipf_drift at 10,000 +0.6, phases
    /// at 1,500 +0.4, at 3,000 -0.3, zipf_drift at 30,000 -0.2; summed
    /// shortfall over the 46 rows 26.76 -> 25.85, rows more than 0.1
    /// below LRU 9 -> 7. The 20% window wearing too: OLTP at 1,000 -0.9,
    /// P3 at 65,536 -1.5. Halving the estimate per reprieve instead of
    /// subtracting one: 26.26, cpp_like at 3,000 -0.4; subtracting one
    /// per two reprieves: 27.60.)
    pub(super) wear: bool,
    /// Whether a key turned away at the window and wanted again within
    /// [`RECALL_FACTOR`] times the cache's size goes straight to
    /// probation, as a key the window's adaptation grows for does (the
    /// window adapts only on keys turned away within a tenth of the cache
    /// or a quarter of the window, and then the key's return moves it).
    /// A loop whose length changes by phase (the LIRS paper's glimpse and
    /// multi traces) comes back to keys the window turned away a loop ago:
    /// LIRS keeps them, their reuse distance being within its stack, while
    /// a sketch that forgets fast has no count for them. Only the fast
    /// loop-proof configuration recalls: in the loop-proof one, recalled
    /// keys push a loop larger than the cache out of its resident part
    /// (loop at 512 entries: 50.44 to 48.95), and in the windowed ones
    /// recalling traded sprite at 512 (-0.3) for OLTP (+0.1 to +0.2).
    /// (Measured with `benches/examples/hit_ratio --seeds 4`, worst seed:
    /// gli_like at 5,000 from 85.59-86.35 to 87.23-87.61, at 2,500
    /// 61.66-63.17 to 61.48-63.09, at 1,000 28.77-31.72 to 28.06-30.65,
    /// where LIRS has 21.32; P3 at 65,536 over 8 seeds from 30.93-31.75 to
    /// 31.11-31.70; at 300 to 700 entries multi_like +0.4 to +1.3,
    /// cpp_like at 300 +1.1; at 64 to 250 entries cpp_like at 100 -1.0, at
    /// 200 and 250 +1.3 and +1.0; no other row of those, and no visible
    /// row, down by more than 0.3; summed shortfall over the 46 visible
    /// and synthetic rows 25.05 -> 23.17, rows at the best known figure
    /// 30 as before.)
    pub(super) recall: bool,
    /// Whether the configuration runs ARC instead (Megiddo and Modha, FAST
    /// 2003): the window is ARC's `T1`, the main space its `T2`, and the
    /// window's target its `p`. Its miniature runs ARC exactly; the cache
    /// enters it only at the end of a first period without a clear winner
    /// or through a [`Trial`] (see [`Miniatures::try_arc`]).
    pub(super) arc: bool,
}

impl Config {
    /// A window of the whole cache: an LRU.
    fn is_lru(&self) -> bool {
        self.window >= 1.0
    }

    /// A window of part of the cache, larger than one entry.
    pub(super) fn is_windowed(&self) -> bool {
        !self.is_lru() && !self.is_loop_proof() && !self.arc
    }

    /// A one-entry window: what a loop larger than the cache wants.
    pub(super) fn is_loop_proof(&self) -> bool {
        self.window == 0.0 && !self.arc
    }
}

/// The configurations tried side by side: a loop-proof one (a one-entry
/// window, admission by a margin, no hash-flood escape), windows of 20%
/// and 50%, the loop-proof one again with a sketch that forgets
/// [`FAST_AGING`] times as fast (what a trace whose working set moves
/// wants: the LIRS paper's looping traces change loops, and counts from
/// the last loop keep the next one out; it also recalls keys the window
/// turned away lately, see [`Config::recall`]), ARC (see [`Config::arc`])
/// and an LRU. The windowed ones rotate probation (see
/// [`Config::rotate`]), and under the 50% window a reprieve wears an
/// entry's estimate (see [`Config::wear`]). (Before ARC, a sixth: an
/// ARC-like 20% window whose hits promote to the main space at once and
/// whose candidates need three uses, lifted zipf_drift at
/// 10,000 by 1 to 2 points but was chosen wrongly on zigzag at 1,000, 12
/// points lower on a seed, or with LRU's handicap cost sprite at 512 0.25
/// on its worst seed: its miniature cannot tell. A sixth with LIRS' 1%
/// window and recall: 29.3 against 25.85 over the 46 rows. The 20%
/// window with the fast sketch was a sixth; it was in force on 2 of 46
/// rows for a few decisions, and without it no row of the visible and
/// synthetic suites moves by more than 0.5 points, the sum of their
/// shortfalls by +0.1, for a sixth less replay. Back as a sixth with
/// wear, it moved only P3 at 65,536, by +0.18, and the sum from 25.85
/// to 25.69. The 50% window with the fast sketch instead of the default
/// one: P3 at 131,072 and 262,144 2 points lower, `sprite` at 512 -0.64.)
pub(super) const CONFIGS: [Config; 6] = [
    // Loop-proof.
    Config {
        margin: 1,
        escape: false,
        ..PLAIN
    },
    Config {
        window: 0.2,
        rotate: true,
        ..PLAIN
    },
    Config {
        window: 0.5,
        rotate: true,
        wear: true,
        ..PLAIN
    },
    // Loop-proof, forgetting fast.
    Config {
        margin: 1,
        escape: false,
        aging: FAST_AGING,
        recall: true,
        ..PLAIN
    },
    Config { arc: true, ..PLAIN },
    // LRU.
    Config {
        window: 1.0,
        ..PLAIN
    },
];

/// What each of [`CONFIGS`] departs from: a one-entry window, admission
/// on any lead with the hash-flood escape, the default aging, and none of
/// the options.
const PLAIN: Config = Config {
    window: 0.0,
    margin: 0,
    escape: true,
    aging: 0,
    rotate: false,
    wear: false,
    recall: false,
    arc: false,
};

/// The fast-forgetting configurations' sketch halves after 4 uses per
/// entry (the default is 32, see the sketch). Measured with
/// `benches/examples/hit_ratio --seeds 8` with the sketch of every
/// configuration at 4: 8 points more on a synthetic trace of loops
/// changing phase, 1-2 points less on OLTP and P3.
pub(super) const FAST_AGING: usize = 4;

const COUNT: usize = CONFIGS.len();
/// The configuration that runs ARC.
pub(super) const ARC: usize = 4;
const _: () = assert!(CONFIGS[ARC].arc);
/// The configuration with a window of the whole cache: an LRU.
#[cfg(test)]
const LRU: usize = COUNT - 1;

/// A miniature holds at most this many entries, and more than half as
/// many: the sample rate is the largest power of two that keeps it at
/// this many or fewer. (Measured with `benches/examples/hit_ratio --seeds
/// 8` and the synthetic suite at 4 seeds: miniatures of 128 to 255
/// entries instead, twice the replay where the bound is not a power of
/// two, such as 10,000 entries, gave the same P3, loop and sprite rows,
/// OLTP 0.05-0.17 higher on the worst seed and 0.5 points less summed
/// shortfall over the 46 rows; miniatures of 64 to 127 put P3 at 16,384
/// below its best known figure (10.15 on the worst seed) and sprite at
/// 2,048 and P3 at 65,536 0.1 lower.)
const MAX_ENTRIES: usize = 128;
/// ... but samples at most one key in 16, so that a cache pays for its
/// miniatures on a sixteenth of its operations at most (one in 4 is no
/// better on any row but sprite at 512, by 0.2 points) ...
const MIN_SHIFT: u32 = 4;
/// ... unless that leaves a miniature fewer than this many entries: a
/// cache of 256 to 767 entries samples one key in 8 instead
/// ([`FAIR_SHIFT`]). A miniature of 16 to 47 entries follows the
/// workload too coarsely to tell a recency-heavy trace's configurations
/// apart: sprite at 512 entries (miniatures of 32) hit 78.38-79.90 over
/// 24 hash seeds, with miniatures of 64 79.23-79.90 (8 seeds:
/// 79.05-79.67 and 79.29-79.78, against S3-FIFO's 79.37); over every
/// visible and synthetic trace at 300, 400, 600 and 700 entries (4
/// seeds, worst seed) the summed shortfall against the better of LRU and
/// ARC fell from 26.5 to 22.1 points (sprite at 300 from 58.32 to 59.86,
/// cpp_like at 300 from 52.19 to 54.36; gli_like at 700 -0.6, multi_like
/// at 600 -0.5). Twice the replay costs such a cache about 17% more
/// instructions per operation on a Zipf mix (512 entries: 455 instead of
/// 389; LRU 160). Applied up to 1,023 entries (miniatures of 64 and up)
/// it put gli_like at 1,000 3.1 points lower on one seed of four.
const FAIR_ENTRIES: usize = 48;
/// One key in `2^FAIR_SHIFT` (8): see [`FAIR_ENTRIES`].
const FAIR_SHIFT: u32 = 3;
/// Below that, and whatever it costs, a miniature holds at least this
/// many entries: a cache of fewer than 256 entries samples one key in 8,
/// or in 4 below 128. Without miniatures such a cache has only the ghost
/// feedback, which
/// leaves it far below LRU where recency decides and below ARC where
/// frequency does. (Measured with `benches/examples/hit_ratio --seeds
/// 4` on every visible and synthetic trace at 64 to 250 entries, worst
/// seed: the summed shortfall against the better of LRU and ARC fell
/// from 66.4 to 16.6 points, zigzag at 250 from 4.84 to 16.50 against
/// LRU's 16.58, OLTP at 250 from 17.07 to 26.14 against ARC's 21.23;
/// miniatures of 8 entries at one key in 16 instead left 24.1 points,
/// 2pools at 128 4.6 below its other seeds. The cost: at 100 entries a
/// Zipf mix runs 682 instructions per operation instead of 313, at 200
/// 494 instead of 299; this floor changes nothing from 256 entries on.)
const MIN_ENTRIES: usize = 16;
/// A cache expected to hold fewer entries runs no miniatures: one key in
/// 4 would give them fewer than [`MIN_ENTRIES`], and sampling more of
/// the keys would cost more than the cache itself.
const MIN_CACHE_ENTRIES: usize = 64;
/// A cache of 33,024 entries or more samples one key in 256
/// (`2^LARGE_SHIFT`) at least, so that its miniatures hold more than
/// [`MAX_ENTRIES`]. The period and the scores' memory are counted in
/// sampled requests per miniature entry, so in the cache's own requests
/// they span as much as before, with more of them sampled. A large cache
/// fills slowly and a trace may end within a few periods, so with one
/// key in 1,024 or fewer sampled its miniatures saw too few requests to
/// tell configurations apart before the trace was half over, and chose
/// by noise. (Measured
/// with `benches/examples/hit_ratio --seeds 4`, worst seed: P3 at
/// 131,072 entries from 41.60-44.92 to 43.15-44.18 (LRU 44.79), at
/// 262,144 from 63.26-63.55 to 64.59-64.78; zipf_drift at 60,000 from
/// 86.61-87.52 to 87.04-87.20; P3 at 65,536 over 8 seeds from
/// 31.14-31.72 to 31.03-31.59; summed shortfall over the 46 visible and
/// synthetic rows 22.49 -> 22.17, over the other sizes 23.84 -> 20.96.
/// One key in 128 instead: P3 at 65,536 from 31.14 to 30.55 on the
/// worst seed of four; one in 512: only P3 at 131,072 moved, +1.2.)
const LARGE_SHIFT: u32 = 8;
/// ... and beyond this many entries per miniature (caches of more than
/// 262,144 entries) the sample rate falls again, so that the miniatures
/// stay small beside the cache: at most 1,024 nodes of 24 bytes each.
///
/// (Four times as many keys sampled from 2,049 entries on, in miniatures
/// four times larger, measured with `benches/examples/hit_ratio --seeds
/// 4`, worst seed: OLTP at 10,000 +0.61, P3 at 131,072 +0.56, gli_like
/// at 2,500 +1.66, but multi_like at 2,500 -0.82 and zipf_drift at
/// 30,000 -0.48, for four times the replay; summed shortfall over the
/// 46 visible and synthetic rows and the 32 other sizes 34.55 -> 33.61.
/// Sampling so only until the first decision, then keeping the usual
/// sample's keys in smaller miniatures, each segment in its order:
/// 34.41, with P3 at 262,144 1.0 lower on a seed.)
const LARGE_ENTRIES: usize = 1_024;
/// The miniatures' sketches have counters for at most this many keys (32
/// KiB each): 16 per miniature entry up to 256 entries, as a small
/// cache's sketch has, fewer in the largest. (Measured with
/// `benches/examples/hit_ratio --seeds 4`: at most 2,048 keys put P3 at
/// 262,144 entries at 63.46-64.78 instead of 64.59-64.78; none of the 46
/// visible and synthetic rows, nor the other sizes, moved otherwise.)
const SKETCH_KEYS: usize = 4_096;
/// The scores remember about this many sampled requests per entry a
/// miniature holds: each request's hit or miss weighs `1 - 1 / (this x
/// entries)` times less than the next. (10 follows phase changes sooner
/// and loses 0.3 points on P3; 40 keeps P3 at 16,384 below its best on
/// a seed.)
const MEMORY_FACTOR: f64 = 20.0;
/// Every period (this many sampled requests per miniature entry) the
/// configuration in force is applied again, undoing the drift of the
/// ghost feedback; a cache that has not decided by then takes the best.
const PERIOD_FACTOR: u64 = 40;
/// The scores' unit is brought back to 1 beyond this (far from the
/// largest `f64`, 2^1023, and from losing a request's hit in the sums'
/// 53 bits of precision, since the sums are about `memory` units).
const RESCALE: f64 = 1e100;
/// Configurations are compared every this many sampled requests.
const CHECK_EVERY: u64 = 32;
/// A configuration replaces the one in force when it leads by this many
/// standard deviations: the miniatures see the same requests, so their
/// difference is a paired test (McNemar's) and its noise grows with the
/// requests on which they disagree, not with all of them. 3 switches on
/// noise about once in 700 checks where two configurations are equal;
/// 4 waits too long on OLTP (1.3 points on a seed at 15,000 entries).
const LEAD_SIGMAS: f64 = 3.0;
/// The first decision waits for this share of a period at least, for
/// every miniature to fill and its sketch to count: a cold miniature
/// favours recency (the LRU led every other in P3's first 300,000
/// requests at 65,536 entries, then lost 3 points by being chosen).
const FIRST_DECISION: u64 = 4;
/// No decision while the best miniature hits fewer than one request in
/// this many: with so few hits the configurations' differences are
/// within noise of the sample, and the ghost feedback alone moves the
/// window. (Without it P3 at 1,024 falls below ARC.)
const MIN_HIT_SHARE: f64 = 16.0;
/// The checks for an early choice, before the first decision, come at each
/// power of two of sampled requests from the period shifted right by this
/// on (a thirty-second of it, 1.25 sampled requests per miniature entry:
/// the miniatures are about full). A large cache's miniatures hold up to
/// 1,024 entries, so its checks come late in its own requests, and at 1/16
/// the first check of a cache of 131,072 entries came 520,000 requests in.
/// (Measured with `benches/examples/hit_ratio --seeds 4`, with
/// [`EARLY_LRU_HIT_SHARE`] at 5: P3 at 131,072 entries from 43.58-44.42 to
/// 44.04-44.81, its second and third stretches of 20 recency-heavy; neither
/// change alone moved it.)
const EARLY_FROM: u32 = 5;
/// Before the first decision, at the checks from [`EARLY_FROM`] on, the
/// better of the loop-proof configurations is taken early if its
/// miniature hit this many times as often as every windowed one: a loop
/// larger than the cache shows that at once, and waiting costs it the
/// first period (loop at 512: 50.23 without, 50.44 with).
const EARLY_LEAD: f64 = 1.1;
/// At the same checks, the LRU is taken early if its miniature hit this
/// many times as often as every windowed one, and at least as often as
/// the loop-proof ones ...
///
/// A tie with the loop-proof ones is enough: where every reuse fits in
/// the cache (a zigzag over 1.5 times the cache, whose LRU hits two
/// requests in three), a fixed set of keys hits as often as LRU at
/// first, so a lead over them never shows, while the windowed
/// configurations fall far behind and the 1% window a cache starts with
/// loses up to a fifth of the requests until the first decision.
/// (Measured with `benches/examples/hit_ratio --seeds 4`: zigzag at
/// 1,000 entries from 65.38-65.87 to 65.87-65.92, LRU 66.33; at 700 from
/// 45.38-45.39 to 45.77-45.95; no other visible or synthetic row, nor any
/// at 64 to 700 entries, moves by more than 0.1 on the worst seed but
/// sprite at 300, from 59.86-61.25 to 59.23-61.25, above LRU's 57.75 and
/// ARC's 58.80.)
const EARLY_LRU_LEAD: f64 = 1.05;
/// ... and hit at least one request in this many: a trace where recency
/// decides shows it at once, and the 1% window a cache starts with loses
/// up to a fifth of the requests until the first decision (sprite at 512
/// entries: 78.30-78.66 over 8 seeds without, 78.52-79.08 with). Without
/// this floor P3 at 1,024 entries, whose first requests favour recency
/// but which hits 1% in all, keeps an LRU and falls below ARC (as it
/// does on one seed of four with one request in 8). One in 2 was too
/// many for the zigzag above, whose LRU hits 48% of the first 512
/// sampled requests. One in 5 rather than 3: a trace whose recency-heavy
/// part follows a colder start (P3 at 131,072 entries, whose LRU hits
/// 12% in the first 200,000 requests and 72% in the next) is seen
/// sooner (see [`EARLY_FROM`]), and zigzag at 500 entries from
/// 32.67-32.70 to 32.79-33.00 (LRU 33.17); over 8 seeds no visible row
/// moved by more than 0.05 but OLTP at 2,000, 47.71 -> 47.60 on its
/// worst seed (S3-FIFO: 47.03). The windowed configurations keep a
/// third ([`EARLY_WINDOWED_HIT_SHARE`]).
const EARLY_LRU_HIT_SHARE: f64 = 5.0;
/// At the same checks, failing both, the better of the other windowed
/// configurations is taken early if its miniature hit this many times as
/// often as the loop-proof ones, and hit at least one request in
/// [`EARLY_WINDOWED_HIT_SHARE`]. The loop-proof configurations are the
/// nearest to the 1% window a cache starts with, so a trace that wants a
/// larger window shows it there at once, and waiting for a lead over the
/// LRU and every windowed configuration (which a recency-heavy trace
/// gives none of them early) keeps the 1% window, 5 to 8 points behind
/// LRU on `sprite` until then. (Measured with
/// `benches/examples/hit_ratio --seeds 4`: `sprite` at 600 entries from
/// 82.65-83.52 to 82.91-83.52, at 1,000 from 89.93-90.38 to 90.07-90.38,
/// lowfreq_recency at 600 66.88-66.92 to 66.93-66.96, over 8 seeds
/// `sprite` at 512 from 79.29-79.78 to 79.46-79.78, cpp_like at 1,000
/// +0.12, OLTP at 2,000 and 5,000 +0.06; no row of the 46 visible and
/// synthetic ones or of the 32 other sizes falls by 0.05 on its worst
/// seed; summed shortfall over the 46 rows 22.60 -> 22.49, over the other
/// sizes 24.29 -> 23.84. The LRU taken by this rule too, when it is the
/// better: OLTP at 10,000 -0.14, nothing gained. A lead of 5% instead of
/// 10%, on the worst of 4 seeds: `sprite` at 2,048 from 92.69 to 92.99,
/// cpp_like at 1,000 +0.35, OLTP at 15,000 +0.16 and at 5,000 +0.08,
/// multi_like at 7,500 from 84.66 to 84.17, still above S3-FIFO's 83.98;
/// over 8 seeds OLTP at 10,000 from 63.03 to 62.94 (S3-FIFO: 62.69) and
/// `sprite` at 2,048 still 92.68 on one; summed shortfall over the 46
/// rows 22.17 -> 21.87, over the other sizes 20.96 -> 20.75. A lead of
/// 3%: 22.37 and OLTP at 15,000 -0.45.)
const EARLY_WINDOWED_LEAD: f64 = 1.05;
/// The share of requests the windowed configuration taken early must hit
/// (see [`EARLY_WINDOWED_LEAD`]): one in 3. (One in 5, as for the LRU:
/// P3 at 65,536 from 30.79 to 30.44 on the worst of 4 seeds, db_mix at
/// 20,000 -0.64, P3 at 2,048 below its best known figure.)
const EARLY_WINDOWED_HIT_SHARE: f64 = 3.0;
/// The LRU and the fast-forgetting configurations lose this share of
/// their hits or of their misses, whichever are fewer, when compared:
/// switching to them discards what the sketch learnt, which a
/// miniature's score does not see, and a young miniature favours them.
/// (Measured with `benches/examples/hit_ratio --seeds 8`: against no
/// handicap, OLTP at 15,000 from 65.84-66.56 to 66.35-66.59, P3 at 1,024
/// from 1.04-1.17 to 1.10-1.19 and at 16,384 from 9.88-10.39 to
/// 10.10-10.41.) A share of the hits alone held the LRU back by 4.7
/// points where everything hits 95% of the time (sprite at 2,048
/// entries), far more than the sketch is worth there; the misses bound
/// it by what could still be gained. Over the 46 rows of the visible and
/// synthetic traces (4 seeds, worst) that took the summed shortfall from
/// the best known figures from 38.1 to 30.7 points: zigzag at 1,000
/// +3.2, zipf_drift +0.5-0.7, phases at 3,000 +0.6, gli_like at 5,000
/// +1.5, no row below its best known or LRU that was not already.
const HANDICAP: f64 = 0.05;

/// ARC's score is handicapped by this share of its hits or misses,
/// whichever are fewer (as the [`HANDICAP`]), when it is weighed for a
/// [`Trial`] to start or at the end of the first period. (Measured with
/// ARC taken on its score alone, before trials: at 2%, P3 at
/// 16,384 entries fell to 10.15 on a seed, Caffeine 10.28; at 5% the
/// gains on zipf_drift and P3 went.)
const ARC_HANDICAP: f64 = 0.04;

/// A [`Trial`] runs for this many times a miniature's entries in sampled
/// requests, and at least [`MIN_TRIAL`].
const TRIAL_FACTOR: u64 = 5;
const MIN_TRIAL: u64 = 1_024;

/// How many standard deviations of the difference the fork must lead
/// its base by. Trials repeat while ARC's miniature scores best, so a
/// lead of chance comes up sooner or later: at 2.5, P3 at 16,384 entries
/// entered ARC in its last stretch on a lead of 12 requests in 20 and
/// fell to 10.15 on a seed of 8 (Caffeine 10.28), and P3 at 131,072 kept
/// 45.36 instead of 45.85 on its worst of 4; at 2, phases at 1,500 lost
/// 0.16 too.
const TRIAL_SIGMAS: f64 = 3.0;

/// No node.
const NIL: u16 = u16::MAX;
/// Nodes a miniature holds at most (one index short of [`NIL`]).
const MAX_NODES: usize = NIL as usize - 1;

#[derive(Clone, Copy, Debug)]
struct Node {
    hash: u64,
    weight: u32,
    prev: u16,
    next: u16,
    segment: Segment,
    /// Contests won in probation since the last hit (see
    /// [`Config::wear`]).
    reprieves: u8,
}

/// Where one sampled key is in each miniature.
#[derive(Clone, Copy, Debug)]
struct Slot {
    hash: u64,
    /// One per miniature, then the [`Trial`]'s fork.
    at: [u16; COUNT + 1],
}

/// The trial's fork's column in [`Slot::at`].
const FORK: usize = COUNT;

/// What a miniature replaying a request shares with the others.
struct Context<'a> {
    sketch: &'a FrequencySketch,
    /// Contested admissions so far (drives the hash-flood escape).
    contests: &'a mut u64,
    /// Keys evicted, with the index of the miniature that evicted them.
    evicted: &'a mut Vec<(u64, usize)>,
    /// The replaying miniature's index.
    me: usize,
}

/// One scaled-down W-TinyLFU with a fixed configuration.
#[derive(Clone, Debug)]
struct Miniature {
    nodes: Vec<Node>,
    /// Unused nodes, linked by `next`.
    free: u16,
    /// Least recent first, per segment.
    head: [u16; 3],
    tail: [u16; 3],
    weights: [u64; 3],
    capacity: u64,
    window_max: u64,
    protected_max: u64,
    margin: u8,
    escape: bool,
    rotate: bool,
    wear: bool,
    /// Keys turned away at the window lately, for [`RECALL_FACTOR`] times
    /// the capacity, under a configuration that recalls them.
    recall: Option<Box<ExactGhosts>>,
    /// ARC's ghosts, under the configuration that runs ARC: `B1` (keys
    /// the window, `T1`, evicted) and `B2` (keys the main space, `T2`,
    /// evicted). The window's target is then ARC's `p`.
    arc: Option<Box<ExactGhosts>>,
    /// Hits so far.
    hits: u64,
}

impl Miniature {
    fn new(config: Config, capacity: u64) -> Self {
        let window_max = if config.arc {
            0
        } else {
            ((capacity as f64 * config.window).ceil() as u64).clamp(1, capacity)
        };
        let main = capacity - window_max;
        Self {
            nodes: Vec::new(),
            free: NIL,
            head: [NIL; 3],
            tail: [NIL; 3],
            weights: [0; 3],
            capacity,
            window_max,
            protected_max: (main as f64 * super::PROTECTED_SHARE) as u64,
            margin: config.margin,
            escape: config.escape,
            rotate: config.rotate,
            wear: config.wear,
            recall: config.recall.then(Box::default),
            arc: config.arc.then(Box::default),
            hits: 0,
        }
    }

    /// Forgets every key, keeping the configuration.
    fn clear(&mut self) {
        self.nodes.clear();
        self.free = NIL;
        self.head = [NIL; 3];
        self.tail = [NIL; 3];
        self.weights = [0; 3];
        self.hits = 0;
        if let Some(recall) = &mut self.recall {
            **recall = ExactGhosts::default();
        }
        if let Some(arc) = &mut self.arc {
            **arc = ExactGhosts::default();
        }
    }

    fn unlink(&mut self, at: u16) {
        let Node {
            prev,
            next,
            segment,
            weight,
            ..
        } = self.nodes[at as usize];
        let s = segment as usize;
        match prev {
            NIL => self.head[s] = next,
            prev => self.nodes[prev as usize].next = next,
        }
        match next {
            NIL => self.tail[s] = prev,
            next => self.nodes[next as usize].prev = prev,
        }
        self.weights[s] -= u64::from(weight);
    }

    fn push(&mut self, at: u16, segment: Segment) {
        let s = segment as usize;
        let tail = self.tail[s];
        let node = &mut self.nodes[at as usize];
        node.segment = segment;
        node.prev = tail;
        node.next = NIL;
        self.weights[s] += u64::from(node.weight);
        match tail {
            NIL => self.head[s] = at,
            tail => self.nodes[tail as usize].next = at,
        }
        self.tail[s] = at;
    }

    fn transfer(&mut self, at: u16, segment: Segment) {
        self.unlink(at);
        self.push(at, segment);
    }

    fn total(&self) -> u64 {
        self.weights.iter().sum()
    }

    /// Frees the node at `at` and reports its hash.
    fn evict(&mut self, at: u16, cx: &mut Context<'_>) {
        self.unlink(at);
        let node = &mut self.nodes[at as usize];
        if let Some(recall) = &mut self.recall {
            if node.segment == Segment::Window {
                recall.remember(node.hash, node.weight as usize, Side::First);
                let limit = self.capacity.saturating_mul(RECALL_FACTOR as u64);
                recall.trim(Side::First, usize::try_from(limit).unwrap_or(usize::MAX));
            }
        }
        cx.evicted.push((node.hash, cx.me));
        node.next = self.free;
        self.free = at;
    }

    /// Whether an entry of `weight` needs room made first.
    fn full_for(&self, weight: u64) -> bool {
        self.total() + weight > self.capacity || (self.free == NIL && self.nodes.len() >= MAX_NODES)
    }

    /// Stores a new key (in a free node if any) at `segment`'s most
    /// recent end; returns its node.
    fn insert(&mut self, hash: u64, weight: u64, segment: Segment) -> u16 {
        let node = Node {
            hash,
            weight: weight as u32, // at most the capacity, a u32
            prev: NIL,
            next: NIL,
            segment,
            reprieves: 0,
        };
        let at = match self.free {
            NIL => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u16
            }
            free => {
                self.free = self.nodes[free as usize].next;
                self.nodes[free as usize] = node;
                free
            }
        };
        self.push(at, segment);
        at
    }

    /// Makes room for an entry of `weight`, as the real cache's victim
    /// choice does (`direct`: the entry goes straight to probation).
    fn make_room(&mut self, weight: u64, direct: bool, cx: &mut Context<'_>) {
        use Segment::*;
        while self.full_for(weight) {
            let main = match self.head[Probation as usize] {
                NIL => self.head[Protected as usize],
                at => at,
            };
            let candidate = self.head[Window as usize];
            let victim = if !direct
                && candidate != NIL
                && self.weights[Window as usize] + weight > self.window_max
            {
                if main == NIL {
                    candidate
                } else {
                    let c = cx
                        .sketch
                        .frequency_at(&cx.sketch.counters(self.nodes[candidate as usize].hash));
                    let v = cx
                        .sketch
                        .frequency_at(&cx.sketch.counters(self.nodes[main as usize].hash));
                    let v = if self.wear {
                        v.saturating_sub(self.nodes[main as usize].reprieves)
                    } else {
                        v
                    };
                    let admitted = super::admits(
                        c,
                        v,
                        self.margin,
                        self.escape,
                        cx.contests,
                        self.nodes[candidate as usize].hash,
                    );
                    if admitted {
                        self.transfer(candidate, Probation);
                        main
                    } else {
                        if self.rotate && self.nodes[main as usize].segment == Probation {
                            self.transfer(main, Probation);
                            if self.wear {
                                let reprieves = &mut self.nodes[main as usize].reprieves;
                                *reprieves = reprieves.saturating_add(1);
                            }
                        }
                        candidate
                    }
                }
            } else if main != NIL {
                main
            } else {
                candidate
            };
            if victim == NIL {
                return;
            }
            self.evict(victim, cx);
        }
    }

    /// Replays one request: `at` is the key's node (or [`NIL`]); returns
    /// its node after the request.
    fn request(&mut self, at: u16, hash: u64, weight: u64, cx: &mut Context<'_>) -> u16 {
        use Segment::*;
        if self.arc.is_some() {
            return self.request_arc(at, hash, weight, cx);
        }
        if at != NIL {
            self.hits += 1;
            match self.nodes[at as usize].segment {
                Probation => {
                    self.nodes[at as usize].reprieves = 0;
                    self.transfer(at, Protected);
                    while self.weights[Protected as usize] > self.protected_max {
                        let front = self.head[Protected as usize];
                        self.transfer(front, Probation);
                    }
                }
                // Already the most recent (a popular sampled key asked
                // again): moving it would leave the list as it is.
                segment if self.tail[segment as usize] == at => {}
                segment => self.transfer(at, segment),
            }
            return at;
        }
        // Every key turned away is remembered, so that the memory spans
        // the weight the cache's ghosts do; only the cache's sample of
        // them is recalled.
        let recalled = self.recall.as_mut().is_some_and(|recall| {
            recall.find(hash).is_some_and(|ghost| {
                recall.forget(ghost);
                lossy_ghosts::sampled(hash)
            })
        });
        self.make_room(weight, recalled, cx);
        let at = self.insert(hash, weight, if recalled { Probation } else { Window });
        while self.weights[Window as usize] > self.window_max {
            let front = self.head[Window as usize];
            self.transfer(front, Probation);
        }
        at
    }
}

impl Miniature {
    /// [`request`](Self::request) under ARC, as `ArcCache` runs it: a hit
    /// moves the key to the main space's (`T2`'s) most recent end; a key
    /// back from a ghost list moves `p` by ARC's step and goes to `T2`; a
    /// new key goes to the window (`T1`).
    fn request_arc(&mut self, at: u16, hash: u64, weight: u64, cx: &mut Context<'_>) -> u16 {
        use Segment::*;
        if at != NIL {
            self.hits += 1;
            if self.tail[Protected as usize] != at {
                self.transfer(at, Protected);
            }
            return at;
        }
        let Some(ghosts) = self.arc.as_mut() else {
            return NIL;
        };
        let back = ghosts.find(hash).map(|ghost| {
            ghosts.forget(ghost);
            // ARC's step: the other ghost list's weight over this one's,
            // at least 1, per unit of weight.
            let step = (ghosts.balance(ghost.side()) * weight as f64) as u64;
            self.window_max = match ghost.side() {
                Side::First => self.window_max.saturating_add(step).min(self.capacity),
                Side::Second => self.window_max.saturating_sub(step),
            };
            ghost.side()
        });
        while self.full_for(weight) {
            let t1 = self.weights[Window as usize];
            let from_window = self.head[Window as usize] != NIL
                && (self.head[Protected as usize] == NIL
                    || t1 > self.window_max
                    || (back == Some(Side::Second) && t1 >= self.window_max));
            let victim = if from_window {
                self.head[Window as usize]
            } else {
                self.head[Protected as usize]
            };
            if victim == NIL {
                return NIL;
            }
            let node = self.nodes[victim as usize];
            self.evict(victim, cx);
            if let Some(ghosts) = self.arc.as_mut() {
                let side = if from_window {
                    Side::First
                } else {
                    Side::Second
                };
                ghosts.remember(node.hash, node.weight as usize, side);
            }
        }
        let at = self.insert(
            hash,
            weight,
            if back.is_some() { Protected } else { Window },
        );
        // ARC's directory: |T1| + |B1| <= c, and all four <= 2c.
        let c = usize::try_from(self.capacity).unwrap_or(usize::MAX);
        let t1 = self.weights[Window as usize] as usize;
        let t2 = self.weights[Protected as usize] as usize;
        if let Some(ghosts) = self.arc.as_mut() {
            ghosts.trim(Side::First, c.saturating_sub(t1));
            let b1 = ghosts.weight(Side::First);
            ghosts.trim(
                Side::Second,
                c.saturating_mul(2).saturating_sub(t1 + t2 + b1),
            );
        }
        at
    }

    /// ARC entered from this miniature's state, as the cache enters it:
    /// the window becomes `T1`, probation then protected (least recent
    /// first) `T2`, with no ghosts yet, and `p` is `p`.
    fn fork_arc(&self, p: u64) -> Self {
        use Segment::*;
        let mut fork = self.clone();
        fork.recall = None;
        fork.arc = Some(Box::default());
        fork.window_max = p;
        fork.protected_max = fork.capacity;
        fork.hits = 0;
        // Probation's entries are the main space's least recent: they go
        // first, then protected's, each in its order.
        let mut main = Vec::new();
        for segment in [Probation, Protected] {
            let mut at = fork.head[segment as usize];
            while at != NIL {
                main.push(at);
                at = fork.nodes[at as usize].next;
            }
        }
        for &at in &main {
            fork.unlink(at);
        }
        for &at in &main {
            fork.push(at, Protected);
        }
        fork
    }
}

/// The miniatures of one cache, one per [`CONFIGS`] entry.
#[derive(Clone, Debug)]
pub(super) struct Miniatures {
    /// A key is sampled when these bits of its hash, shifted right by
    /// 32, are all zero (bits no other structure of the cache selects on).
    mask: u64,
    index: HashTable<Slot>,
    minis: Vec<Miniature>,
    /// The miniatures' sketches: one for the default aging, one for
    /// [`FAST_AGING`] (miniatures of the same aging count the same
    /// requests, so they share one). Sized on the first sampled request,
    /// so that a cache with a huge bound and few entries allocates nothing
    /// for its miniatures.
    sketches: [FrequencySketch; 2],
    mini_entries: usize,
    /// The configuration decided on, if any.
    chosen: Option<usize>,
    /// Sampled requests so far, and per period.
    requests: u64,
    period: u64,
    contests: u64,
    capacity: u64,
    evicted: Vec<(u64, usize)>,
    /// The hits over about [`MEMORY_FACTOR`] sampled requests per entry
    /// of a miniature.
    tally: Tally,
    /// The configuration run for now, before the first decision (see
    /// [`tentative`](Self::tentative)).
    tentative: Option<usize>,
    /// ARC entered from the configuration in force, on trial (see
    /// [`try_arc`](Self::try_arc)).
    trial: Option<Trial>,
}

/// ARC entered from the state of the configuration in force (`base`),
/// run beside it from the sampled request `from` on.
#[derive(Clone, Debug)]
struct Trial {
    fork: Box<Miniature>,
    base: usize,
    from: u64,
    /// Hits since `from`: the fork's, the base's, and the requests on
    /// which one of the two hit and the other missed.
    fork_hits: u64,
    base_hits: u64,
    disagreements: u64,
}

/// The miniatures' hits, every request weighing `keep` times the one
/// after it.
#[derive(Clone, Debug)]
struct Tally {
    /// Each miniature's hits.
    scores: [f64; COUNT],
    /// For each pair `i < j`, the requests (weighed likewise) on which one
    /// of the two hit and the other missed.
    disagreements: [[f64; COUNT]; COUNT],
    /// The requests, weighed likewise.
    total: f64,
    /// About how many requests the sums remember.
    memory: f64,
    /// The weight of a request relative to the next one: `1 - 1 /
    /// memory`.
    keep: f64,
    /// What the last request added to the sums (see [`add`](Self::add)).
    unit: f64,
}

impl Tally {
    fn new(memory: f64) -> Self {
        Self {
            scores: [0.0; COUNT],
            disagreements: [[0.0; COUNT]; COUNT],
            total: 0.0,
            memory,
            keep: 1.0 - 1.0 / memory,
            unit: 1.0,
        }
    }

    /// Ages the sums by one request and counts its hits (bit `i` for
    /// miniature `i`).
    ///
    /// Instead of multiplying every sum by `keep` each request, each
    /// request adds `unit`, which grows by `1 / keep` per request (the
    /// sums are read divided by it): a request on which every miniature
    /// missed costs one division, and only the requests on which they
    /// disagree touch the disagreements.
    fn add(&mut self, hits: u32) {
        self.unit /= self.keep;
        self.total += self.unit;
        if hits != 0 {
            let hit = |i: usize| (hits >> i) & 1 == 1;
            for i in (0..COUNT).filter(|&i| hit(i)) {
                self.scores[i] += self.unit;
            }
            if hits != (1 << COUNT) - 1 {
                for i in 0..COUNT {
                    for j in i + 1..COUNT {
                        if hit(i) != hit(j) {
                            self.disagreements[i][j] += self.unit;
                        }
                    }
                }
            }
        }
        if self.unit > RESCALE {
            for score in &mut self.scores {
                *score /= self.unit;
            }
            for sum in self.disagreements.iter_mut().flatten() {
                *sum /= self.unit;
            }
            self.total /= self.unit;
            self.unit = 1.0;
        }
    }

    /// The scores as compared: hits remembered, the fast-forgetting
    /// configurations' less the [`HANDICAP`], and the LRU's too if
    /// `lru_handicap`.
    fn weighed(&self, lru_handicap: bool) -> [f64; COUNT] {
        let total = self.total / self.unit;
        let mut scores = self.scores.map(|score| score / self.unit);
        for (score, config) in scores.iter_mut().zip(&CONFIGS) {
            if (lru_handicap && config.is_lru()) || config.aging != 0 {
                *score -= HANDICAP * score.min(total - *score).max(0.0);
            }
        }
        scores
    }

    /// Takes the [`ARC_HANDICAP`] from ARC's score in `scores` (as
    /// [`weighed`](Self::weighed)).
    fn handicap_arc(&self, scores: &mut [f64; COUNT]) {
        let total = self.total / self.unit;
        let arc = scores[ARC];
        scores[ARC] -= ARC_HANDICAP * arc.min(total - arc).max(0.0);
    }

    /// Makes `to`'s sums `from`'s: `to` is to be scored as `from` so far.
    fn copy(&mut self, from: usize, to: usize) {
        self.scores[to] = self.scores[from];
        for other in (0..COUNT).filter(|&other| other != from && other != to) {
            let sum = self.disagreements[other.min(from)][other.max(from)];
            self.disagreements[other.min(to)][other.max(to)] = sum;
        }
        self.disagreements[from.min(to)][from.max(to)] = 0.0;
    }

    /// Whether configuration `a` leads `b` by [`LEAD_SIGMAS`] standard
    /// deviations (`scores` as [`weighed`](Self::weighed)).
    fn leads(&self, scores: &[f64; COUNT], a: usize, b: usize) -> bool {
        let disagreements = self.disagreements[a.min(b)][a.max(b)] / self.unit;
        scores[a] - scores[b] > LEAD_SIGMAS * disagreements.max(1.0).sqrt()
    }
}

/// The highest of `scores` (the first of equals).
fn best_of(scores: &[f64; COUNT]) -> usize {
    (0..COUNT).fold(0, |best, i| if scores[i] > scores[best] { i } else { best })
}

impl Miniatures {
    /// Miniatures for a cache of `maxsize` whose entries weigh about
    /// `weight`; `None` when it is too small to sample.
    pub(super) fn new(maxsize: usize, weight: usize) -> Option<Box<Self>> {
        let entries = maxsize / weight.max(1);
        if entries < MIN_CACHE_ENTRIES {
            return None;
        }
        let mut shift = MIN_SHIFT;
        while entries >> shift > MAX_ENTRIES && shift < LARGE_SHIFT {
            shift += 1;
        }
        while entries >> shift > LARGE_ENTRIES && shift < 32 {
            shift += 1;
        }
        if shift == MIN_SHIFT && entries >> shift < FAIR_ENTRIES {
            shift = FAIR_SHIFT;
        }
        while entries >> shift < MIN_ENTRIES && shift > 0 {
            shift -= 1;
        }
        let capacity = ((maxsize >> shift) as u64).min(u64::from(u32::MAX));
        let mini_entries = (entries >> shift).max(1);
        if mini_entries > LARGE_ENTRIES {
            // Beyond what 32 bits of hash sample down: a bound this large
            // (2^42 entries and more) is no bound to tune for.
            return None;
        }
        Some(Box::new(Self {
            mask: (1u64 << shift) - 1,
            index: HashTable::new(),
            minis: CONFIGS
                .iter()
                .map(|&config| Miniature::new(config, capacity))
                .collect(),
            sketches: [0, FAST_AGING].map(|aging| {
                let mut sketch = FrequencySketch::default();
                sketch.set_sample_factor(aging);
                sketch
            }),
            mini_entries,
            chosen: None,
            requests: 0,
            period: (mini_entries as u64).saturating_mul(PERIOD_FACTOR),
            contests: 0,
            capacity,
            evicted: Vec::new(),
            tally: Tally::new(MEMORY_FACTOR * mini_entries as f64),
            tentative: None,
            trial: None,
        }))
    }

    /// A key is in the sample when these bits of its hash, shifted right
    /// by 32, are all zero.
    pub(super) fn mask(&self) -> u64 {
        self.mask
    }

    /// Forgets every key, keeping the configurations' scores.
    pub(super) fn clear(&mut self) {
        self.index.clear();
        self.trial = None;
        for sketch in &mut self.sketches {
            sketch.clear();
        }
        for mini in &mut self.minis {
            mini.clear();
        }
    }

    /// Replays a request for the sampled key of `hash`; returns the index
    /// of the configuration to run when that changes (or is due to be
    /// applied again).
    pub(super) fn request(&mut self, hash: u64, weight: usize) -> Option<usize> {
        let weight = weight.max(1) as u64;
        if weight <= self.capacity {
            let hits = self.replay(hash, weight);
            self.tally.add(hits & ((1 << COUNT) - 1));
            if let Some(trial) = &mut self.trial {
                let fork = (hits >> FORK) & 1;
                let base = (hits >> trial.base) & 1;
                trial.fork_hits += u64::from(fork);
                trial.base_hits += u64::from(base);
                trial.disagreements += u64::from(fork != base);
            }
        }
        self.requests += 1;
        if let Some(arc) = self.try_arc() {
            return Some(arc);
        }
        if self.chosen.is_none() && self.early_check_due() {
            if let Some(strict) = self.early() {
                self.chosen = Some(strict);
                return Some(strict);
            }
        }
        if self.requests.is_multiple_of(CHECK_EVERY) {
            return self.decide();
        }
        None
    }

    /// ARC's `p` (its miniature's target for the window) as a share of
    /// the capacity: what the cache's window follows while it runs ARC.
    pub(super) fn arc_share(&self) -> f64 {
        self.minis[ARC].window_max as f64 / self.capacity as f64
    }

    /// Whether a configuration has been decided on (not only run
    /// [`tentative`](Self::tentative)ly).
    pub(super) fn decided(&self) -> bool {
        self.chosen.is_some()
    }

    /// While no decision is clear in the first period (see
    /// [`decide`](Self::decide), whose handicapped `best` this takes),
    /// from the first check for an early choice ([`EARLY_FROM`]) on: the
    /// LRU, to run until the decision, once its miniature scores best and
    /// has hit at least one request in [`EARLY_LRU_HIT_SHARE`], or any
    /// configuration but the loop-proof ones once it scores best, leads
    /// both loop-proof ones by [`LEAD_SIGMAS`] and has hit at least one
    /// request in [`EARLY_WINDOWED_HIT_SHARE`]; from then on, whichever
    /// scores best. Returns the configuration when it changes.
    ///
    /// The cache starts with a 1% window and, unless a configuration
    /// leads clearly ([`early`](Self::early)), decides a quarter period
    /// in at the earliest; where recency decides, that start costs it
    /// against the LRU floor. The LRU's lead needs no significance
    /// here: nothing is decided, and the next check can undo it. Only the
    /// LRU starts it, with a share of hits, since elsewhere the 1% window
    /// is a good start: taking whichever configuration scores best from
    /// the first check instead cost P3 at 65,536 entries 0.9 points and
    /// db_mix at 20,000 and 100,000 0.9 and 1.4 on the worst of 4 seeds
    /// (summed shortfall over the 46 visible and synthetic rows 18.50 ->
    /// 24.08), and without the LRU's handicap 22.04. (Measured with
    /// `benches/examples/hit_ratio --seeds 4`, worst seed: `sprite` at
    /// 512 entries from 79.42 to 79.64 (8 seeds: 79.42-80.22 to
    /// 79.64-80.22), at 300 from 59.82 to 60.16, at 700 to 1,500 +0.06
    /// to +0.10; zigzag at 1,000 from 65.92 to 66.05; P3 at 131,072 from
    /// 44.04 to 44.65 (LRU 44.79); no other of the 46 visible and
    /// synthetic rows, the 32 other sizes or, over 8 seeds, the visible
    /// rows moves by 0.05; summed shortfall 18.50 -> 18.37 over the 46
    /// rows, 17.41 -> 16.18 over the other sizes. With the LRU's share
    /// at one in 3: 18.51 and 16.82; leaving the LRU only for a lead of
    /// 2 sigmas: 16.84 over the other sizes.)
    ///
    /// The second way in is for a trace where most requests hit and
    /// recency matters, but no configuration leads the LRU: the 1% window
    /// is nearest the loop-proof configurations, so when both fall
    /// significantly behind, the start is what is wrong, and the best of
    /// the others is a better one to run while the period goes on. A
    /// large cache on a short trace may not see its first period end
    /// (`sprite` at 4,096 entries ends after about 4,000 sampled requests,
    /// the period is 5,120): before, it ran the 1% window, moved only by
    /// the ghost feedback, to the end. The share of hits keeps it to
    /// traces where the sketch has little left to win: P3, whose first
    /// stretches favour recency but which hits far fewer than one request
    /// in 3 early on, lost 1.8 points at 65,536 entries without it, and
    /// with one in 5 instead 1.0. (Measured with
    /// `benches/examples/hit_ratio --seeds 4`, worst seed: `sprite` at
    /// 3,000 entries from 93.14 to 93.96 (LRU 94.16), at 4,096 from 93.69
    /// to 94.08 (LRU 94.33), at 2,048 from 92.94 to 93.12; OLTP at 15,000
    /// +0.29, at 20,000 +0.26, at 30,000 from 70.62 to 71.17, no longer
    /// below ARC's 70.83; multi_like at 7,500 -0.12 (84.11, S3-FIFO
    /// 83.98); P3 at 262,144 -0.20 on one seed, the same range over 8; no
    /// other of the 46 visible and synthetic rows or the 32 other sizes
    /// moves by 0.1; summed shortfall 0.81 -> 0.63 over the visible rows,
    /// 13.91 -> 13.81 over the synthetic ones, 15.03 -> 13.57 over the
    /// other sizes. Over 8 seeds `sprite` at 2,048 from 92.88 to 92.94,
    /// OLTP at 15,000 from 66.56 to 66.60, no other visible row moves. A
    /// lead of 2 sigmas: multi_like at 15,000 -0.32, db_mix at 20,000
    /// -0.21, P3 at 524,288 -0.62; of 4: OLTP at 20,000 and 30,000 and
    /// `sprite` at 4,096 -0.2.)
    fn tentative(&mut self, scores: &[f64; COUNT], best: usize) -> Option<usize> {
        if self.requests < self.period >> EARLY_FROM {
            return None;
        }
        let take = match self.tentative {
            None => {
                (CONFIGS[best].is_lru() && self.hit_share(best, EARLY_LRU_HIT_SHARE))
                    || (!CONFIGS[best].is_loop_proof()
                        && self.hit_share(best, EARLY_WINDOWED_HIT_SHARE)
                        && (0..COUNT)
                            .filter(|&i| CONFIGS[i].is_loop_proof())
                            .all(|strict| self.tally.leads(scores, best, strict)))
            }
            Some(running) => running != best,
        };
        take.then(|| {
            self.tentative = Some(best);
            best
        })
    }

    /// Replays a request in every miniature; returns which of them hit
    /// (bit `i` for miniature `i`).
    fn replay(&mut self, hash: u64, weight: u64) -> u32 {
        let mut slot = self.index.find_mut(remix(hash), |slot| slot.hash == hash);
        let mut at = slot.as_ref().map_or([NIL; COUNT + 1], |slot| slot.at);
        let mut evicted = std::mem::take(&mut self.evicted);
        let mut hits = 0;
        for sketch in &mut self.sketches {
            if sketch.capacity() == 0 {
                sketch.ensure_capacity_within(self.mini_entries, SKETCH_KEYS);
            }
            sketch.add(hash, 1);
            if sketch.record() {
                sketch.halve();
            }
        }
        for (me, mini) in self.minis.iter_mut().enumerate() {
            let sketch = &self.sketches[usize::from(CONFIGS[me].aging != 0)];
            let mut cx = Context {
                sketch,
                contests: &mut self.contests,
                evicted: &mut evicted,
                me,
            };
            let before = mini.hits;
            at[me] = mini.request(at[me], hash, weight, &mut cx);
            hits |= u32::from(mini.hits != before) << me;
        }
        if let Some(trial) = &mut self.trial {
            // As the cache's would, the fork's `p` follows ARC's miniature.
            trial.fork.window_max = self.minis[ARC].window_max;
            let mut cx = Context {
                sketch: &self.sketches[0],
                contests: &mut self.contests,
                evicted: &mut evicted,
                me: FORK,
            };
            let before = trial.fork.hits;
            at[FORK] = trial.fork.request(at[FORK], hash, weight, &mut cx);
            hits |= u32::from(trial.fork.hits != before) << FORK;
        }
        let known = match slot.as_mut() {
            Some(slot) => {
                slot.at = at;
                true
            }
            None => false,
        };
        for (gone, me) in evicted.drain(..) {
            if let Ok(mut entry) = self.index.find_entry(remix(gone), |slot| slot.hash == gone) {
                let slot = entry.get_mut();
                slot.at[me] = NIL;
                if slot.at.iter().all(|&at| at == NIL) {
                    entry.remove();
                }
            }
        }
        self.evicted = evicted;
        if !known {
            self.index
                .insert_unique(remix(hash), Slot { hash, at }, |slot| remix(slot.hash));
        }
        hits
    }

    /// Compares the configurations: the best (after the [`HANDICAP`])
    /// replaces the one in force when it leads it significantly; the
    /// first decision takes one that leads every other, or at the end of
    /// the first period the best, the LRU then without its handicap; until
    /// then one may run [`tentative`](Self::tentative)ly.
    fn decide(&mut self) -> Option<usize> {
        // ARC is entered through a trial (see `try_arc`), or at the end
        // of the first period.
        let in_arc = self.chosen == Some(ARC);
        let weighed = |lru_handicap: bool| {
            let mut scores = self.tally.weighed(lru_handicap);
            if !in_arc {
                scores[ARC] = 0.0;
            }
            scores
        };
        let scores = weighed(true);
        let mut best = best_of(&scores);
        // Once warm the scores weigh about `memory` requests.
        let horizon = self.tally.memory.min(self.requests as f64);
        if scores[best] * MIN_HIT_SHARE < horizon {
            return None;
        }
        // An LRU needs no lead: it is the floor the cache must not fall
        // below, and its handicap already holds it back.
        let lru = CONFIGS[best].is_lru();
        let leads = |a: usize, b: usize| self.tally.leads(&scores, a, b);
        match self.chosen {
            None => {
                let clear = self.requests >= self.period / FIRST_DECISION
                    && (lru || (0..COUNT).all(|other| other == best || leads(best, other)));
                if !clear {
                    if self.requests < self.period {
                        return self.tentative(&scores, best);
                    }
                    // A whole period without a clear winner: the best is
                    // taken, the LRU without its handicap. Its miniature,
                    // a period old, no longer favours recency for being
                    // young, and a trace on which no configuration stood
                    // out for so long gives the sketch little to lose.
                    // (Measured with `benches/examples/hit_ratio --seeds
                    // 4`, worst seed: zipf_drift at 30,000 entries from
                    // 74.09-75.37 to 74.47-75.51, LRU 75.77; over 8 seeds
                    // `sprite` at 2,048 from 92.68-93.13 to 92.68-93.39;
                    // no other row of the 46 visible and synthetic ones or
                    // of the 32 other sizes moved by 0.05. Without the
                    // handicap from a quarter of the period on, zipf_drift
                    // at 30,000 rose by 0.8 but P3 at 1,024 fell below
                    // ARC, cpp_like at 3,000 by 0.4, multi_like at 15,000
                    // by 0.3.)
                    // ARC too, handicapped as when a trial starts: no
                    // configuration was decided on yet, so its state is
                    // no more to lose than at any first decision. (Without
                    // ARC here, zipf_drift at 10,000 entries: 62.13 on the
                    // worst of 4 seeds instead of 62.62, with trials at
                    // 2.5 standard deviations.)
                    let mut scores = self.tally.weighed(false);
                    self.tally.handicap_arc(&mut scores);
                    best = best_of(&scores);
                }
            }
            Some(chosen) => {
                if best == chosen || !(lru || leads(best, chosen)) {
                    // Applied again once a period.
                    return (self.requests % self.period < CHECK_EVERY).then_some(chosen);
                }
            }
        }
        self.chosen = Some(best);
        Some(best)
    }

    /// Enters ARC when a [`Trial`] shows that entering it pays: while
    /// ARC's miniature scores best (less [`ARC_HANDICAP`]) and a decided
    /// configuration other than ARC is in force, a fork of that
    /// configuration's miniature runs ARC from its state beside it, for
    /// [`TRIAL_FACTOR`] times a miniature's entries in sampled requests
    /// and at least [`MIN_TRIAL`]; the cache enters ARC if the fork hit
    /// [`TRIAL_SIGMAS`] standard deviations more often, and the fork
    /// becomes ARC's miniature. A trial ends early when the configuration
    /// in force changes. Returns [`ARC`] when the cache is to enter it.
    ///
    /// ARC's miniature, running ARC from the start, cannot tell what
    /// entering it costs: ARC's gains are in what `T2` has held for long,
    /// and a cache that enters ARC late starts from what another
    /// configuration kept. Chosen on its miniature's score alone, ARC
    /// lifted zipf_drift at 10,000 entries and P3 at 131,072 but cost P3
    /// at 262,144 0.6 points on the worst seed (entered late, out of a
    /// 50% window), `sprite` at 200 0.3 and zigzag at 150 0.2; the trial
    /// keeps the gains without those losses. (Measured with
    /// `benches/examples/hit_ratio --seeds 4`, worst seed, against the
    /// cache without ARC: zipf_drift at 10,000 from 61.05 to 62.54 (ARC
    /// 63.59), P3 at 131,072 from 44.83 to 45.85 (ARC 50.63); no other of
    /// the 46 visible and synthetic rows or the 32 other sizes moves by
    /// 0.1; over 8 seeds P3 at 4,096 from 2.72 to 2.69 (S3-FIFO 2.49) and
    /// at 16,384 from 10.29 to 10.27 (Caffeine 10.28), no other visible
    /// row. Without the fork taking ARC's miniature's place, the cache
    /// left ARC on P3 at 131,072 as the miniature that had run ARC from
    /// the start fell behind: 44.39 on a seed. With trials at 2 standard
    /// deviations: forking the tentative LRU, before the first decision,
    /// 44.39 there too; without [`MIN_TRIAL`], trials of 125 requests at
    /// `sprite` 200 entered ARC on a lead of 9: -0.55.)
    fn try_arc(&mut self) -> Option<usize> {
        if let Some(trial) = &self.trial {
            if self.chosen != Some(trial.base) {
                // The configuration in force changed: the fork no longer
                // starts from it.
                self.end_trial();
                return None;
            }
            let length = (self.mini_entries as u64)
                .saturating_mul(TRIAL_FACTOR)
                .max(MIN_TRIAL);
            if self.requests - trial.from < length {
                return None;
            }
            let lead = trial.fork_hits as f64 - trial.base_hits as f64;
            let won = lead > TRIAL_SIGMAS * (trial.disagreements.max(1) as f64).sqrt();
            if !won {
                self.end_trial();
                return None;
            }
            // The fork is what the cache runs from now on: ARC's
            // miniature, scored as the configuration it was forked from.
            let base = trial.base;
            let fork = self.trial.take().map(|trial| trial.fork)?;
            self.minis[ARC] = *fork;
            self.index.retain(|slot| {
                slot.at[ARC] = slot.at[FORK];
                slot.at[FORK] = NIL;
                slot.at.iter().any(|&at| at != NIL)
            });
            self.tally.copy(base, ARC);
            self.chosen = Some(ARC);
            return Some(ARC);
        }
        if !self.requests.is_multiple_of(CHECK_EVERY) {
            return None;
        }
        let base = self.chosen.filter(|&chosen| chosen != ARC)?;
        let mut scores = self.tally.weighed(true);
        self.tally.handicap_arc(&mut scores);
        if best_of(&scores) != ARC {
            return None;
        }
        let fork = self.minis[base].fork_arc(self.minis[ARC].window_max);
        for slot in self.index.iter_mut() {
            slot.at[FORK] = slot.at[base];
        }
        self.trial = Some(Trial {
            fork: Box::new(fork),
            base,
            from: self.requests,
            fork_hits: 0,
            base_hits: 0,
            disagreements: 0,
        });
        None
    }

    /// Drops the trial's fork, and the keys only it held.
    fn end_trial(&mut self) {
        if self.trial.take().is_some() {
            self.index.retain(|slot| {
                slot.at[FORK] = NIL;
                slot.at.iter().any(|&at| at != NIL)
            });
        }
    }

    /// Whether [`early`](Self::early) is consulted at this request: at
    /// each power of two from [`EARLY_FROM`] on.
    fn early_check_due(&self) -> bool {
        self.requests.is_power_of_two() && self.requests >= self.period >> EARLY_FROM
    }

    /// Before the first decision: the better loop-proof configuration if
    /// its miniature already hit [`EARLY_LEAD`] times as often as any
    /// other (ARC's included, though ARC is never taken here); else the
    /// LRU if its miniature hit at least one
    /// request in [`EARLY_LRU_HIT_SHARE`], [`EARLY_LRU_LEAD`] times as
    /// often as any other windowed one and at least as often as the
    /// loop-proof ones; else the better of the other windowed ones if it
    /// hit as large a share, [`EARLY_WINDOWED_LEAD`] times as often as the
    /// loop-proof ones.
    fn early(&self) -> Option<usize> {
        let hits = |i: usize| self.minis[i].hits as f64;
        let most_hits = |chosen: &dyn Fn(usize) -> bool| {
            (0..COUNT)
                .filter(|&i| chosen(i))
                .max_by_key(|&i| (self.minis[i].hits, std::cmp::Reverse(i)))
        };
        let loop_proof = |i: usize| CONFIGS[i].is_loop_proof();
        let strict = most_hits(&loop_proof)?;
        let windowed = most_hits(&|i| !loop_proof(i)).map_or(0.0, hits);
        if self.hit_share(strict, MIN_HIT_SHARE) && hits(strict) > windowed * EARLY_LEAD {
            return Some(strict);
        }
        let lru = most_hits(&|i| CONFIGS[i].is_lru())?;
        let best_windowed = most_hits(&|i| CONFIGS[i].is_windowed())?;
        if self.hit_share(lru, EARLY_LRU_HIT_SHARE)
            && hits(lru) > hits(best_windowed) * EARLY_LRU_LEAD
            && hits(lru) >= hits(strict)
        {
            return Some(lru);
        }
        (self.hit_share(best_windowed, EARLY_WINDOWED_HIT_SHARE)
            && hits(best_windowed) > hits(strict) * EARLY_WINDOWED_LEAD)
            .then_some(best_windowed)
    }

    /// Whether miniature `i` has hit at least one sampled request in
    /// `one_in` since the start.
    fn hit_share(&self, i: usize, one_in: f64) -> bool {
        self.minis[i].hits as f64 * one_in >= self.requests as f64
    }

    /// Heap bytes.
    pub(super) fn allocated_bytes(&self) -> usize {
        self.sketches
            .iter()
            .map(FrequencySketch::allocated_bytes)
            .sum::<usize>()
            + self.index.capacity() * std::mem::size_of::<Slot>()
            + self
                .minis
                .iter()
                .chain(self.trial.as_ref().map(|trial| &*trial.fork))
                .map(|mini| {
                    mini.nodes.capacity() * std::mem::size_of::<Node>()
                        + [&mini.recall, &mini.arc]
                            .into_iter()
                            .flatten()
                            .map(|ghosts| ghosts.allocated_bytes())
                            .sum::<usize>()
                })
                .sum::<usize>()
            + self
                .trial
                .as_ref()
                .map_or(0, |_| std::mem::size_of::<Miniature>())
            + self.evicted.capacity() * std::mem::size_of::<(u64, usize)>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};

    use proptest::prelude::*;

    use super::*;

    /// A hash in the sample of miniatures whose mask is `mask`.
    fn sampled(key: u64, mask: u64) -> u64 {
        let hash = remix(key);
        hash & !(mask << 32)
    }

    /// Keys of each segment of `mini`, least recent first, checking the
    /// links both ways and the segment totals on the way.
    fn segments(mini: &Miniature) -> [Vec<u64>; 3] {
        let mut lists: [Vec<u64>; 3] = Default::default();
        for (s, list) in lists.iter_mut().enumerate() {
            let (mut at, mut prev, mut weight) = (mini.head[s], NIL, 0);
            while at != NIL {
                let node = mini.nodes[at as usize];
                assert_eq!(node.prev, prev);
                assert_eq!(node.segment as usize, s);
                list.push(node.hash);
                weight += u64::from(node.weight);
                (prev, at) = (at, node.next);
            }
            assert_eq!(mini.tail[s], prev);
            assert_eq!(mini.weights[s], weight);
        }
        lists
    }

    /// Replays keys through one miniature outside [`Miniatures`], keeping
    /// the key-to-node map the shared index would.
    #[derive(Default)]
    struct Driver {
        at: BTreeMap<u64, u16>,
        contests: u64,
        evicted: Vec<(u64, usize)>,
    }

    impl Driver {
        fn request(&mut self, mini: &mut Miniature, sketch: &FrequencySketch, key: u64) {
            let place = self.at.get(&key).copied().unwrap_or(NIL);
            let mut cx = Context {
                sketch,
                contests: &mut self.contests,
                evicted: &mut self.evicted,
                me: 0,
            };
            self.at.insert(key, mini.request(place, key, 1, &mut cx));
            for (gone, _) in self.evicted.drain(..) {
                self.at.remove(&gone);
            }
        }

        /// Replays `keys` through `mini`, each counted once in a sketch
        /// first, as the miniatures' sketch counts every sampled request.
        fn replay_counted(mini: &mut Miniature, keys: &[u64]) -> Self {
            let mut sketch = FrequencySketch::default();
            sketch.ensure_capacity(16);
            let mut driver = Self::default();
            for &key in keys {
                sketch.add(key, 1);
                driver.request(mini, &sketch, key);
            }
            driver
        }
    }

    #[test]
    fn a_miniature_with_a_whole_window_is_an_lru() {
        assert!(CONFIGS[LRU].is_lru());
        assert_eq!(CONFIGS.iter().filter(|c| c.is_lru()).count(), 1);
        let mut mini = Miniature::new(CONFIGS[LRU], 50);
        let sketch = FrequencySketch::default();
        let mut driver = Driver::default();
        let mut model: VecDeque<u64> = VecDeque::new();
        let (mut hits, mut model_hits) = (0, 0);
        let mut x = 1u64;
        // Fewer under Miri, which runs this a thousand times slower (the
        // miniatures have no unsafe code of their own).
        let requests = if cfg!(miri) { 1_000 } else { 20_000 };
        for _ in 0..requests {
            x = remix(x);
            let key = x % 80;
            let before = mini.hits;
            driver.request(&mut mini, &sketch, key);
            hits += mini.hits - before;
            if let Some(i) = model.iter().position(|&k| k == key) {
                model.remove(i);
                model_hits += 1;
            } else if model.len() == 50 {
                model.pop_front();
            }
            model.push_back(key);
            assert_eq!(segments(&mini)[0], Vec::from(model.clone()));
        }
        assert_eq!(hits, model_hits);
        // 50 of 80 keys fit: more than a quarter of the requests hit.
        assert!(hits > requests / 4, "{hits}");
    }

    /// A hot set of 60 keys asked three times in four, and otherwise a
    /// cold key from a range ten times as large, `n` requests: where ARC
    /// and an LRU part.
    fn hot_and_cold(n: usize) -> Vec<u64> {
        let mut x = 7u64;
        (0..n)
            .map(|_| {
                x = remix(x);
                if x.is_multiple_of(4) {
                    100 + (x >> 8) % 600
                } else {
                    (x >> 8) % 60
                }
            })
            .collect()
    }

    #[test]
    fn the_arc_miniature_runs_arc() {
        assert_eq!(CONFIGS.iter().filter(|c| c.arc).count(), 1);
        assert!(!CONFIGS[ARC].is_windowed() && !CONFIGS[ARC].is_loop_proof());
        let keys = hot_and_cold(if cfg!(miri) { 2_000 } else { 20_000 });
        let mut mini = Miniature::new(CONFIGS[ARC], 50);
        let sketch = FrequencySketch::default();
        let mut driver = Driver::default();
        let mut arc = crate::ArcCache::new(50);
        let mut arc_hits = 0u64;
        for &key in &keys {
            driver.request(&mut mini, &sketch, key);
            match arc.get(&key) {
                Some(_) => arc_hits += 1,
                None => {
                    arc.insert(key, ());
                }
            }
            assert!(mini.total() <= 50);
        }
        // The same algorithm, ghosts and directory bounds as `ArcCache`.
        assert_eq!(mini.hits, arc_hits);
        // And not an LRU's: the hot set stays while cold keys pass.
        let mut lru = Miniature::new(CONFIGS[LRU], 50);
        let mut driver = Driver::default();
        for &key in &keys {
            driver.request(&mut lru, &sketch, key);
        }
        assert!(
            mini.hits * 20 > lru.hits * 21,
            "{} against {}",
            mini.hits,
            lru.hits
        );
    }

    #[test]
    fn a_fork_into_arc_takes_the_window_as_t1_and_the_main_space_as_t2() {
        let mut mini = Miniature::new(CONFIGS[1], 50);
        let mut sketch = FrequencySketch::default();
        sketch.ensure_capacity(16);
        let mut driver = Driver::default();
        for &key in &hot_and_cold(2_000) {
            sketch.add(key, 1);
            driver.request(&mut mini, &sketch, key);
        }
        let [window, probation, protected] = segments(&mini);
        assert!(!probation.is_empty() && !protected.is_empty());
        let fork = mini.fork_arc(7);
        let [t1, none, t2] = segments(&fork);
        assert_eq!(t1, window);
        assert!(none.is_empty());
        assert_eq!(t2, [probation, protected].concat());
        assert_eq!(fork.weights, [t1.len() as u64, 0, t2.len() as u64]);
        assert_eq!((fork.window_max, fork.hits), (7, 0));
        assert!(fork.arc.is_some() && fork.recall.is_none());
        // It runs ARC from there: a hit in T1 moves to T2's back.
        let mut fork = fork;
        let mut driver = Driver {
            at: resident(&fork),
            ..Driver::default()
        };
        driver.request(&mut fork, &sketch, t1[0]);
        assert_eq!(segments(&fork)[2].last(), Some(&t1[0]));
        assert_eq!(fork.hits, 1);
    }

    /// Each resident key's node.
    fn resident(mini: &Miniature) -> BTreeMap<u64, u16> {
        let mut at = BTreeMap::new();
        for s in 0..3 {
            let mut node = mini.head[s];
            while node != NIL {
                at.insert(mini.nodes[node as usize].hash, node);
                node = mini.nodes[node as usize].next;
            }
        }
        at
    }

    #[test]
    fn a_trial_forks_the_configuration_in_force_and_enters_arc_on_a_clear_lead() {
        let mut minis = Miniatures::new(4_096, 1).unwrap();
        let mask = minis.mask();
        for key in hot_and_cold(3_000) {
            minis.replay(sampled(key, mask), 1);
        }
        let base = 1;
        let start = |minis: &mut Miniatures| {
            minis.chosen = Some(base);
            minis.requests = minis.requests.next_multiple_of(CHECK_EVERY);
            minis.tally.total = minis.tally.memory / minis.tally.unit;
            minis.tally.scores = [1_000.0; COUNT].map(|s| s / minis.tally.unit);
            minis.tally.scores[ARC] = 1_000.0 / minis.tally.unit;
            // Tied: no trial (ARC is handicapped).
            assert_eq!(minis.try_arc(), None);
            assert!(minis.trial.is_none());
            minis.tally.scores[ARC] = 1_100.0 / minis.tally.unit;
            assert_eq!(minis.try_arc(), None);
            let trial = minis.trial.as_ref().expect("on trial");
            assert_eq!((trial.base, trial.from), (base, minis.requests));
            // The fork holds the base's keys, its window as T1.
            assert_eq!(segments(&trial.fork)[0], segments(&minis.minis[base])[0]);
            let [_, probation, protected] = segments(&minis.minis[base]);
            assert_eq!(segments(&trial.fork)[2], [probation, protected].concat());
            for slot in minis.index.iter() {
                assert_eq!(slot.at[FORK], slot.at[base]);
            }
        };
        let end = |minis: &mut Miniatures, fork_hits: u64| {
            let trial = minis.trial.as_mut().expect("on trial");
            (trial.fork_hits, trial.base_hits, trial.disagreements) = (fork_hits, 500, 100);
            minis.requests += MIN_TRIAL - 1;
            assert_eq!(minis.try_arc(), None, "not over yet");
            minis.requests += 1;
            minis.try_arc()
        };
        // A lead of 30 in 100 disagreements is 3 sigmas, not more.
        start(&mut minis);
        assert_eq!(end(&mut minis, 530), None);
        assert!(minis.trial.is_none());
        assert!(minis.index.iter().all(|slot| slot.at[FORK] == NIL));
        assert_eq!(minis.chosen, Some(base));
        // A trial ends when the configuration in force changes.
        start(&mut minis);
        minis.chosen = Some(0);
        assert_eq!(minis.try_arc(), None);
        assert!(minis.trial.is_none());
        // A lead of 31 enters ARC: the fork becomes ARC's miniature, scored
        // as its base so far.
        start(&mut minis);
        let fork = segments(&minis.trial.as_ref().unwrap().fork);
        let columns: Vec<(u64, u16)> = minis
            .index
            .iter()
            .map(|slot| (slot.hash, slot.at[FORK]))
            .filter(|&(_, at)| at != NIL)
            .collect();
        assert_eq!(end(&mut minis, 531), Some(ARC));
        assert_eq!(minis.chosen, Some(ARC));
        assert!(minis.trial.is_none());
        assert_eq!(segments(&minis.minis[ARC]), fork);
        for (hash, at) in columns {
            let slot = minis.index.iter().find(|slot| slot.hash == hash).unwrap();
            assert_eq!((slot.at[ARC], slot.at[FORK]), (at, NIL));
        }
        assert_eq!(minis.tally.scores[ARC], minis.tally.scores[base]);
        // No trial runs while ARC is in force.
        minis.requests += CHECK_EVERY;
        assert_eq!(minis.try_arc(), None);
        assert!(minis.trial.is_none());
    }

    /// The decision of miniatures for 4,096 entries after `requests`
    /// sampled requests with these `scores`, every two disagreeing on
    /// `disagreements` requests, `chosen` in force.
    fn decision(
        requests: u64,
        scores: [f64; COUNT],
        disagreements: f64,
        chosen: Option<usize>,
    ) -> Option<usize> {
        let mut minis = Miniatures::new(4_096, 1).unwrap();
        minis.requests = requests;
        minis.tally.scores = scores;
        minis.tally.disagreements = [[disagreements; COUNT]; COUNT];
        minis.tally.total = minis.tally.memory;
        minis.chosen = chosen;
        minis.decide()
    }

    #[test]
    fn a_configuration_replaces_another_when_it_leads_by_three_sigmas() {
        // 4,096 entries: miniatures of 128, a period of 40 x 128 sampled
        // requests, scores over about 20 x 128 (2,560) requests.
        let minis = Miniatures::new(4_096, 1).unwrap();
        assert_eq!((minis.period, minis.mini_entries), (5_120, 128));
        assert_eq!(minis.tally.memory, 2_560.0);
        let s = |first: f64, rest: f64| {
            let mut scores = [rest; COUNT];
            scores[0] = first;
            scores
        };
        // No decision while the best hits fewer than 1 request in 16.
        assert_eq!(decision(5_120, s(159.0, 100.0), 100.0, None), None);
        assert_eq!(decision(5_120, s(160.0, 100.0), 100.0, None), Some(0));
        // A first decision waits a quarter of a period, then takes a
        // configuration leading every other by 3 sigmas (3 x sqrt(100)).
        assert_eq!(decision(1_279, s(400.0, 300.0), 100.0, None), None);
        assert_eq!(decision(1_280, s(400.0, 300.0), 100.0, None), Some(0));
        assert_eq!(decision(1_280, s(400.0, 371.0), 100.0, None), None);
        // ... or at the end of the first period the best, however close.
        assert_eq!(decision(5_120, s(400.0, 399.0), 100.0, None), Some(0));
        // Once one is in force, another replaces it only by 3 sigmas.
        assert_eq!(decision(6_400, s(400.0, 369.0), 100.0, Some(1)), Some(0));
        assert_eq!(decision(6_400, s(400.0, 371.0), 100.0, Some(1)), None);
        // ... and the one in force is applied again once a period.
        assert_eq!(decision(10_240, s(400.0, 371.0), 100.0, Some(1)), Some(1));
        // The LRU and the fast-forgetting configurations lose 5% of their
        // hits or misses, whichever are fewer (the requests remembered
        // are 2,560 here, as `decision` sets them).
        let mut scores = [300.0; COUNT];
        scores[LRU] = 420.0; // 399 after the handicap
        scores[2] = 400.0;
        assert_eq!(decision(6_400, scores, 100.0, Some(1)), Some(2));
        // (A first decision before the period's end needs a clear lead,
        // which 400 has not over 399; at the end of the first period the
        // LRU competes without its handicap.)
        assert_eq!(decision(5_088, scores, 100.0, None), None);
        assert_eq!(decision(5_120, scores, 100.0, None), Some(LRU));
        scores[LRU] = 422.0; // 400.9
        assert_eq!(decision(6_400, scores, 100.0, Some(1)), Some(LRU));
        assert_eq!(CONFIGS[3].aging, FAST_AGING);
        assert!(CONFIGS
            .iter()
            .all(|c| c.aging == 0 || c.aging == FAST_AGING));
        scores[3] = 460.0; // 437
        assert_eq!(decision(6_400, scores, 100.0, Some(2)), Some(3));
        // Where nearly every request hits, the misses bound the handicap:
        // 2,460 hits of 2,560 lose 5 (5% of 100 misses), not 123.
        let mut scores = [2_400.0; COUNT];
        scores[LRU] = 2_460.0;
        assert_eq!(decision(5_120, scores, 100.0, Some(1)), Some(LRU));
        scores[LRU] = 2_404.0; // 2,396.2 after the handicap
        assert_eq!(decision(6_400, scores, 100.0, Some(1)), None);
        assert_eq!(decision(5_120, scores, 100.0, None), Some(LRU));
    }

    /// What [`Miniatures::early`] takes after 1,000 sampled requests on
    /// which miniature `i` hit `hits[i]` times.
    fn early_choice(hits: [u64; COUNT]) -> Option<usize> {
        let mut minis = Miniatures::new(4_096, 1).unwrap();
        minis.requests = 1_000;
        for (mini, hits) in minis.minis.iter_mut().zip(hits) {
            mini.hits = hits;
        }
        minis.early()
    }

    #[test]
    fn before_the_first_decision_a_leading_lru_is_run_tentatively() {
        // 4,096 entries: a period of 5,120 sampled requests, checks from
        // 160 on; the scores remember about 2,560 requests.
        // Every two disagree on 10,000 requests: no lead is significant,
        // so nothing is decided before the period ends.
        let minis = |requests: u64, scores: [f64; COUNT], lru_hits: u64| {
            let mut minis = Miniatures::new(4_096, 1).unwrap();
            minis.requests = requests;
            minis.tally.scores = scores;
            minis.tally.disagreements = [[10_000.0; COUNT]; COUNT];
            minis.tally.total = 2_560.0;
            minis.minis[LRU].hits = lru_hits;
            minis
        };
        // The LRU best after its handicap (5% of its 1,060 misses: 1,447),
        // hitting one request in 5 since the start: run for now, not
        // decided.
        let mut scores = [1_400.0; COUNT];
        scores[LRU] = 1_500.0;
        let mut leading = minis(1_024, scores, 205);
        assert_eq!(leading.decide(), Some(LRU));
        assert!(!leading.decided());
        // Applied once: the next check changes nothing.
        assert_eq!(leading.decide(), None);
        // Once another configuration scores best, that one runs instead.
        leading.tally.scores[2] = 1_460.0;
        assert_eq!(leading.decide(), Some(2));
        assert!(!leading.decided());
        // Not before the first check for an early choice, not below the
        // share of hits, and not ahead only before its handicap.
        assert_eq!(minis(128, scores, 205).decide(), None);
        assert_eq!(minis(1_024, scores, 204).decide(), None);
        let mut close = scores;
        close[LRU] = 1_440.0;
        assert_eq!(minis(1_024, close, 205).decide(), None);
        // Once decided, the decision rule takes the LRU (it needs no
        // lead), and nothing runs tentatively.
        let mut decided = minis(1_024, scores, 205);
        decided.chosen = Some(0);
        assert_eq!(decided.decide(), Some(LRU));
        assert_eq!(decided.tentative, None);
        assert!(decided.decided());
        // A configuration other than the LRU starts nothing unless it
        // leads both loop-proof ones significantly ...
        let mut windowed = [1_400.0; COUNT];
        windowed[2] = 1_500.0;
        assert_eq!(minis(1_024, windowed, 205).decide(), None);
        // ... by 3 sigmas (here 3 x sqrt(100): 30), having hit one request
        // in 3 since the start.
        let windowed_start = |lead: f64, hits: u64| {
            let mut scores = [1_400.0; COUNT];
            scores[2] = 1_400.0 + lead;
            let mut minis = minis(1_024, scores, 0);
            minis.tally.disagreements = [[100.0; COUNT]; COUNT];
            minis.minis[2].hits = hits;
            minis
        };
        let mut leading = windowed_start(31.0, 342);
        assert_eq!(leading.decide(), Some(2));
        assert!(!leading.decided());
        assert_eq!(windowed_start(30.0, 342).decide(), None);
        assert_eq!(windowed_start(31.0, 341).decide(), None);
        // A loop-proof configuration in the lead starts nothing: the 1%
        // window the cache starts with is near it.
        let mut strict = windowed_start(0.0, 342);
        strict.tally.scores[0] = 1_431.0;
        strict.minis[0].hits = 342;
        assert_eq!(strict.decide(), None);
    }

    #[test]
    fn early_checks_start_once_the_miniatures_are_about_full() {
        // 131,072 entries, one key in 256: miniatures of 512 entries, a
        // period of 20,480 sampled requests, checks from 640 on.
        let mut minis = Miniatures::new(131_072, 1).unwrap();
        assert_eq!((minis.mini_entries, minis.period), (512, 20_480));
        let due = |minis: &mut Miniatures, requests: u64| {
            minis.requests = requests;
            minis.early_check_due()
        };
        assert!(!due(&mut minis, 512));
        assert!(due(&mut minis, 1_024));
        assert!(!due(&mut minis, 1_536));
        assert!(due(&mut minis, 2_048));
        // A miniature of 128 entries (a cache of 2,048): from 160 on.
        let mut minis = Miniatures::new(2_048, 1).unwrap();
        assert_eq!(minis.period, 5_120);
        assert!(!due(&mut minis, 128));
        assert!(due(&mut minis, 256));
    }

    #[test]
    fn a_clear_loop_or_recency_lead_is_taken_before_the_first_decision() {
        let with = |i: usize, hits: u64, rest: u64| {
            let mut all = [rest; COUNT];
            all[i] = hits;
            all
        };
        // A loop-proof configuration 10% ahead of every windowed one
        // (and hitting one request in 16).
        assert_eq!(early_choice(with(0, 111, 100)), Some(0));
        assert_eq!(early_choice(with(0, 110, 100)), None);
        // ... but not below one hit in 16 (62.5 of 1,000), however far
        // ahead.
        assert_eq!(early_choice(with(3, 61, 50)), None);
        // The LRU 5% ahead of every other, hitting a fifth of the
        // requests.
        assert_eq!(early_choice(with(LRU, 526, 500)), Some(LRU));
        assert_eq!(early_choice(with(LRU, 525, 500)), None);
        assert_eq!(early_choice(with(LRU, 200, 180)), Some(LRU));
        assert_eq!(early_choice(with(LRU, 199, 180)), None);
        // A tie with the loop-proof ones is enough (a zigzag, where a
        // fixed set hits as often as LRU at first), a loss is not.
        let zigzag = |strict: u64| [strict, 52, 180, strict, 999, 480];
        assert_eq!(early_choice(zigzag(480)), Some(LRU));
        assert_eq!(early_choice(zigzag(481)), None);
        // Else the better of the 20% and 50% windows, 5% ahead of the
        // loop-proof ones and hitting a third of the requests, even when
        // the LRU is as good (a recency-heavy trace: the LRU leads none
        // of them by 5%). ARC is never taken early: its hits (999 here)
        // only hold the loop-proof ones back.
        assert_eq!(early_choice([400, 430, 441, 400, 999, 441]), Some(2));
        assert_eq!(early_choice([400, 441, 430, 380, 999, 441]), Some(1));
        assert_eq!(early_choice([400, 400, 421, 400, 999, 441]), Some(2));
        assert_eq!(early_choice([400, 410, 420, 400, 999, 441]), None);
        assert_eq!(early_choice([300, 333, 300, 300, 999, 333]), None);
        assert_eq!(early_choice([300, 334, 300, 300, 999, 334]), Some(1));
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// Every miniature keeps within its capacity, its lists and totals
        /// agree, and the shared index knows exactly the keys some
        /// miniature holds, where each holds it.
        #[test]
        fn the_index_follows_every_miniature(
            requests in prop::collection::vec((0u64..300, 1usize..5), 1..2_000),
        ) {
            let mut minis = Miniatures::new(4_096, 1).unwrap();
            let mask = minis.mask();
            for &(key, weight) in &requests {
                minis.request(sampled(key, mask), weight);
            }
            let mut held: BTreeMap<u64, [u16; COUNT + 1]> = BTreeMap::new();
            let fork = minis.trial.as_ref().map(|trial| &*trial.fork);
            for (me, mini) in minis.minis.iter().chain(fork).enumerate() {
                let lists = segments(mini);
                prop_assert!(mini.total() <= mini.capacity);
                for (s, at) in mini.head.iter().enumerate() {
                    let mut at = *at;
                    while at != NIL {
                        let node = mini.nodes[at as usize];
                        held.entry(node.hash).or_insert([NIL; COUNT + 1])[me] = at;
                        at = node.next;
                    }
                    prop_assert!(lists[s].len() <= MAX_NODES);
                }
            }
            let index: BTreeMap<u64, [u16; COUNT + 1]> =
                minis.index.iter().map(|slot| (slot.hash, slot.at)).collect();
            prop_assert_eq!(index, held);
        }
    }

    /// `requests` replayed through a TinyLFU cache of `maxsize`.
    fn replay(
        maxsize: usize,
        requests: impl Iterator<Item = u64>,
    ) -> super::super::TinyLfuCache<u64, ()> {
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut cache = super::super::TinyLfuCache::builder(maxsize)
            .hasher(hasher)
            .build();
        for key in requests {
            if cache.get(&key).is_none() {
                cache.insert(key, ());
            }
        }
        cache
    }

    #[test]
    #[cfg_attr(miri, ignore = "replays 400,000 requests; no unsafe code of its own")]
    fn a_loop_larger_than_the_cache_turns_admission_strict() {
        // 2,048 entries: miniatures of 128 sample one key in 16, and a
        // decision falls every 5,120 sampled requests (82,000 requests),
        // but the strict configuration leads by far long before.
        let early = replay(2_048, (0..20_000).map(|i| i % 3_000));
        assert_eq!(early.policy().margin, 1);
        let cache = replay(2_048, (0..400_000).map(|i| i % 3_000));
        let policy = cache.policy();
        assert_eq!((policy.margin, policy.no_escape), (1, true));
        assert!(policy.window_target() <= 2, "{}", policy.window_target());
        // The loop's hits: at most 2,047 of every 3,000 requests, and the
        // cache keeps close to that once it decided.
        let tail = replay_hits(cache, (400_000..700_000).map(|i| i % 3_000));
        assert!(tail > 300_000 * 2_000 / 3_000, "{tail}");
    }

    #[test]
    fn a_miniature_that_wears_lets_a_spared_entry_go_next_time() {
        // Which of `keys` a miniature of 10 entries under the 50% window
        // holds after replaying them, with or without wear.
        let held_after = |wear: bool, keys: &[u64]| {
            assert!(CONFIGS[2].wear && CONFIGS[2].window == 0.5);
            let mut mini = Miniature::new(Config { wear, ..CONFIGS[2] }, 10);
            let driver = Driver::replay_counted(&mut mini, keys);
            driver.at.into_keys().collect::<Vec<_>>()
        };
        // 0 to 4 go to probation, 5 to 9 fill the window. Each of 100 to
        // 104 pushes a window entry into a contest with probation's next
        // entry, used once like it: the window entry leaves, and 0 to 4
        // are spared once each, in turn.
        let keys: Vec<u64> = (0..10).chain(100..106).collect();
        let mut kept: Vec<u64> = (0..5).chain(101..106).collect();
        // 105 pushes 100 into a contest with 0 again: without wear, 0
        // wins again ...
        assert_eq!(held_after(false, &keys), kept);
        // ... with it, 0 is worn to no use and 100 takes its place.
        kept[0] = 100;
        kept.sort_unstable();
        assert_eq!(held_after(true, &keys), kept);
    }

    #[test]
    fn a_recalling_miniature_admits_a_key_its_window_turned_away_lately() {
        // What a miniature of 10 entries under the fast loop-proof
        // configuration holds after replaying `keys`, and where `key` is.
        let replay = |recall: bool, keys: &[u64], key: u64| {
            assert!(CONFIGS[3].recall && CONFIGS[3].is_loop_proof());
            let mut mini = Miniature::new(
                Config {
                    recall,
                    ..CONFIGS[3]
                },
                10,
            );
            let driver = Driver::replay_counted(&mut mini, keys);
            let segment = driver
                .at
                .get(&key)
                .map(|&at| mini.nodes[at as usize].segment);
            (driver.at.into_keys().collect::<Vec<_>>(), segment)
        };
        // 0 to 8 fill probation, 9 the one-entry window; 100 and 101 each
        // push the window's entry into a contest it loses (a margin of
        // one use), so 9 and 100 are turned away. Then 9 comes back.
        let keys: Vec<u64> = (0..10).chain([100, 101, 9]).collect();
        // Without recall it goes to the window and turns 101 away ...
        assert_eq!(
            replay(false, &keys, 9),
            ((0..10).collect(), Some(Segment::Window))
        );
        // ... with it, straight to probation, whose next entry (0) leaves.
        assert_eq!(
            replay(true, &keys, 9),
            ((1..10).chain([101]).collect(), Some(Segment::Probation))
        );
        // Recalled while the keys turned away since weigh less than twice
        // the capacity, not after.
        let after = |turned_away: u64| {
            (0..10)
                .chain(100..101 + turned_away)
                .chain([9])
                .collect::<Vec<_>>()
        };
        assert_eq!(replay(true, &after(19), 9).1, Some(Segment::Probation));
        assert_eq!(replay(true, &after(20), 9).1, Some(Segment::Window));
    }

    #[test]
    fn a_huge_cache_s_miniatures_stay_small_beside_it() {
        // The first sampled key of a cache with a huge bound sizes the two
        // sketches (at most `SKETCH_KEYS` keys' worth, 32 KiB each), one
        // node per miniature and the index: what
        // `tests/test_hostile.rs` allows a one-entry cache.
        for maxsize in [1 << 20, 1 << 30] {
            let mut minis = Miniatures::new(maxsize, 1).unwrap();
            assert!(minis.mini_entries <= LARGE_ENTRIES);
            minis.request(sampled(1, minis.mask()), 1);
            let sketches: usize = minis.sketches.iter().map(|s| s.allocated_bytes()).sum();
            assert_eq!(sketches, 2 * SKETCH_KEYS * 8, "{maxsize}");
            assert!(
                minis.allocated_bytes() < 96 << 10,
                "{maxsize}: {}",
                minis.allocated_bytes()
            );
        }
        // A miniature of 128 entries keeps 16 keys' worth per entry.
        let mut minis = Miniatures::new(2_048, 1).unwrap();
        minis.request(sampled(1, minis.mask()), 1);
        let sketch = minis.sketches[0].allocated_bytes();
        assert_eq!(sketch, 16 * 128 * 8);
    }

    #[test]
    fn a_small_cache_samples_more_keys_so_that_its_miniatures_hold_enough() {
        let sampling =
            |maxsize: usize| Miniatures::new(maxsize, 1).map(|m| (m.mask + 1, m.mini_entries));
        assert_eq!(sampling(63), None);
        assert_eq!(sampling(64), Some((4, 16)));
        assert_eq!(sampling(127), Some((4, 31)));
        assert_eq!(sampling(128), Some((8, 16)));
        assert_eq!(sampling(255), Some((8, 31)));
        // One key in 8 up to 767 entries, so that each holds 32 to 95 ...
        assert_eq!(sampling(256), Some((8, 32)));
        assert_eq!(sampling(512), Some((8, 64)));
        assert_eq!(sampling(767), Some((8, 95)));
        // ... then one in 16 again, each holding 48 to 128.
        assert_eq!(sampling(768), Some((16, 48)));
        assert_eq!(sampling(2_048), Some((16, 128)));
        assert_eq!(sampling(4_095), Some((32, 127)));
        assert_eq!(sampling(4_096), Some((32, 128)));
        // At most 128 up to one key in 256 (32,768 entries) ...
        assert_eq!(sampling(32_768), Some((256, 128)));
        assert_eq!(sampling(32_769), Some((256, 128)));
        // ... then one in 256 up to 1,024 each ...
        assert_eq!(sampling(65_536), Some((256, 256)));
        assert_eq!(sampling(262_143), Some((256, 1_023)));
        assert_eq!(sampling(262_144), Some((256, 1_024)));
        // ... and fewer keys beyond, each holding 512 to 1,024.
        assert_eq!(sampling(262_400), Some((512, 512)));
        assert_eq!(sampling(1_000_000), Some((1_024, 976)));
        #[cfg(target_pointer_width = "64")]
        assert_eq!(sampling(1 << 42), Some((1 << 32, 1_024)));
        #[cfg(target_pointer_width = "64")]
        assert_eq!(sampling((1 << 42) + (1 << 32)), None);
        // Entries of weight 4: a bound of 1,024 holds 256 of them.
        assert_eq!(Miniatures::new(1_024, 4).map(|m| m.mini_entries), Some(32));
    }

    #[test]
    #[cfg_attr(miri, ignore = "replays 300,000 requests; no unsafe code of its own")]
    fn a_small_cache_on_a_zigzag_follows_lru() {
        // Up and down over 10 times a cache of 150 entries, every key as
        // often as every other: only recency keeps a key, so an LRU hits
        // the 150 requests after each turn (one in 10) and a small window
        // with admission by frequency fewer of them (6.4% to 8.7% over
        // four hash seeds without miniatures).
        let requests = || {
            (0..300_000u64).map(|i| match i % 3_000 {
                up @ 0..1_500 => up,
                down => 2_999 - down,
            })
        };
        let cache = replay(150, requests());
        assert_eq!(cache.policy().window_target(), 150);
        let mut lru = crate::LruCache::new(150);
        let mut lru_hits = 0u64;
        for key in requests() {
            if lru.get(&key).is_some() {
                lru_hits += 1;
            } else {
                lru.insert(key, ());
            }
        }
        let hits = replay_hits(cache, requests());
        assert!(
            hits * 100 >= lru_hits * 99,
            "{hits} against LRU's {lru_hits}"
        );
    }

    fn replay_hits(
        mut cache: super::super::TinyLfuCache<u64, ()>,
        requests: impl Iterator<Item = u64>,
    ) -> u64 {
        let mut hits = 0;
        for key in requests {
            if cache.get(&key).is_some() {
                hits += 1;
            } else {
                cache.insert(key, ());
            }
        }
        hits
    }

    #[test]
    #[cfg_attr(miri, ignore = "replays 400,000 requests; no unsafe code of its own")]
    fn reuse_within_the_cache_but_beyond_half_of_it_grows_the_window() {
        // Every key is asked for twice, 1,600 requests apart, in a cache
        // of 2,048: only recency keeps it (its estimate when it would be
        // admitted is one, lower than any entry hit before), so an LRU
        // hits every second request and a small window almost none.
        let requests = (0..600_000u64).map(|i| {
            let (block, offset) = (i / 3_200, i % 3_200);
            block * 1_600 + offset % 1_600
        });
        let cache = replay(2_048, requests);
        let policy = cache.policy();
        assert_eq!((policy.margin, policy.no_escape), (0, false));
        assert!(policy.window_target() > 1_024, "{}", policy.window_target());
        // The miniatures chose the LRU: the window is the whole cache,
        // and no ghost took an entry off it.
        assert_eq!(policy.window_target(), 2_048);
    }
}
