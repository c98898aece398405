//! Window TinyLFU with an adaptive window: the [`TinyLfu`] policy of [`TinyLfuCache`].

use crate::arena::{linked_by, Handle, Links, List};
use crate::policies::history::frequency_sketch::{remix, FrequencySketch};
use crate::policies::history::lossy_ghosts::{self, LossyGhosts};
use crate::policies::history::Side;
use crate::policy::{Entries, EntryMeta, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

mod miniature;

use miniature::{Config, Miniatures, CONFIGS};

/// Entries the sketch is sized for at first; it doubles as the cache fills.
const INITIAL_SKETCH: usize = 64;

/// The window's share of `maxsize` before any adaptation.
const INITIAL_WINDOW: f64 = 0.01;
/// The protected segment's share of the main space.
const PROTECTED_SHARE: f64 = 0.8;
/// Entries moved between segments per operation at most, so that a change
/// of target sizes costs O(1) per operation.
const REBALANCE_BUDGET: usize = 16;
/// Window ghosts are remembered for this many times `maxsize` of weight
/// turned away at the window; the window adapts on the younger ones only.
/// The older ones come back straight to probation under a configuration
/// that recalls them (see the miniatures' `Config::recall`), and under any
/// other if back sooner than protected's least recent entry was used (see
/// [`TinyLfu::reused_sooner`]). The ghost table keeps its size, so once
/// the window ghosts outnumber its slots the oldest in a bucket go first
/// and the recall reaches back less far; they go before any ghost the
/// window adapts on or any main-space ghost, which otherwise they crowd
/// out (P3 at 16,384 fell to 9.84 on a seed). (Measured with
/// `benches/examples/hit_ratio --seeds 4`: a table four times as large,
/// 6 bytes more per entry at 1,000,000 entries, did no better, 23.21
/// points of summed shortfall over the 46 rows against 23.17.)
const RECALL_FACTOR: usize = 2;
/// Under a loop-proof configuration (see the miniatures'
/// `Config::is_loop_proof`) the ghost feedback grows the window to at most
/// this share of `maxsize`. A loop a little longer than the cache brings
/// every key it turns away back after `loop - maxsize` more were turned
/// away, within the tenth of the cache the window adapts on, so without a
/// bound the window grows to the whole cache, an LRU, where the loop never
/// hits; the miniature that chose the configuration keeps a one-entry
/// window. (Measured with `benches/examples/hit_ratio --seeds 4`: the
/// loop of 1,011 blocks at 1,000 entries from 86.46-88.60 to 96.90-98.18,
/// at 950 from 9.88-13.03 to 84.40-93.28; cs_like at 1,000 from
/// 53.88-54.39 to 54.34-54.49; sprite at 100 to 200 entries +0.8 to +1.2,
/// at 300 and 400 -0.5; P3 at 16,384 over 8 seeds from 10.19-10.49 to
/// 10.30-10.57; multi_like at 2,500 -0.3; summed shortfall over the 46
/// visible and synthetic rows 23.17 -> 22.60. Keeping the window at one
/// entry: 23.35, P3 at 65,536 -0.9 and at 16,384 -0.3; bounds of 1/32 to
/// 1/100 did about as well as 1/16 but for P3 at 16,384, 0.1-0.2 lower.)
const LOOP_PROOF_WINDOW: f64 = 1.0 / 16.0;
/// An entry idle for longer than this (in units of the window ghosts'
/// clock, see [`TinyLfu::seen_now`]) is taken as idle for this long: half
/// the span of an entry's 16-bit `seen`, at least 32 times `maxsize`,
/// far beyond the twice `maxsize` a window ghost is remembered.
const SEEN_HORIZON: u16 = 1 << 15;
/// A candidate this frequent is admitted one time in 128 even when it
/// loses: an attacker cannot pin the cache by making one victim look hot.
const HASH_FLOOD_FREQUENCY: u8 = 6;

/// The admission rule: whether a candidate estimated at `candidate` uses
/// replaces a victim estimated at `victim`. It must beat the victim by
/// more than `margin`; with the hash-flood `escape`, a frequent candidate
/// that loses still gets in one contest in 128 (`contests` counts them,
/// `hash` is the candidate's).
#[inline]
fn admits(
    candidate: u8,
    victim: u8,
    margin: u8,
    escape: bool,
    contests: &mut u64,
    hash: u64,
) -> bool {
    candidate > victim.saturating_add(margin)
        || (escape && candidate >= HASH_FLOOD_FREQUENCY && {
            *contests = contests.wrapping_add(1);
            remix(*contests ^ hash) & 127 == 0
        })
}

/// A window target of `share` of `maxsize`: rounded up, at least one
/// entry, at most the whole cache.
fn share_of(maxsize: usize, share: f64) -> usize {
    ((maxsize as f64 * share).ceil() as usize).clamp(1, maxsize.max(1))
}

/// Where a key admitted without a contest goes: probation, or `T2`
/// under ARC.
#[derive(Clone, Copy, Debug)]
struct DirectSegment(Segment);

impl Default for DirectSegment {
    fn default() -> Self {
        Self(Segment::Probation)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Segment {
    #[default]
    Window,
    Probation,
    Protected,
}

/// An entry's segment, uses and place in its segment.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TinyLfuMeta {
    links: Links,
    segment: Segment,
    /// Two counts of up to 15 in one byte, so that the entry's metadata
    /// stays in 16 bytes with `seen` (24 otherwise: 87.7 bytes per entry
    /// at 1,000,000 entries against 79.3): in the low four bits the uses
    /// since the sketch last halved that are not in the sketch yet (a hit
    /// counts here, in the entry the lookup already touched, instead of in
    /// four counters of a sketch block elsewhere in memory; the count
    /// joins the sketch when the entry leaves or the sketch halves); in
    /// the high four the admission contests won in probation since the
    /// entry was last hit (counted only under a configuration that wears,
    /// and subtracted from its estimate there, which is at most 15; a hit
    /// promotes the entry and resets them).
    counts: u8,
    /// The segment's [`pushed`](TinyLfu::pushed) total (low 32 bits)
    /// right after this entry went to its back.
    stamp: u32,
    /// [`TinyLfu::seen_now`] when the entry last went to its segment's
    /// most recent end: its last use, unless a hit left it in place among
    /// protected's most recent half (see [`TinyLfu::refresh`]). How long
    /// protected's least recent entry has gone unused, on the clock a
    /// window ghost's age is counted on, decides whether a key the window
    /// turned away comes back straight to probation (see
    /// [`TinyLfu::reused_sooner`]). (Recording every use instead: the same
    /// hit ratios within 0.05 on every row of `hit_ratio --seeds 4`, for
    /// 1.3 more instructions per operation on the Zipf mix.)
    seen: u16,
}

impl EntryMeta for TinyLfuMeta {}

impl TinyLfuMeta {
    /// The most either count holds.
    const MAX: u8 = 15;
    /// The bits of [`counts`](Self::counts) that count uses.
    const USES: u8 = 0x0f;
    /// One reprieve in [`counts`](Self::counts).
    const REPRIEVE: u8 = 0x10;

    /// Uses not in the sketch yet.
    #[inline]
    fn uses(&self) -> u8 {
        self.counts & Self::USES
    }

    /// Counts a use (up to 15); returns 1 if it counted, else 0. Without
    /// a branch on the count: a popular entry's is at 15 (and stops
    /// counting) while others' are not, which a branch predictor cannot
    /// tell apart.
    #[inline]
    fn add_use(&mut self) -> u8 {
        let counted = u8::from(self.uses() < Self::MAX);
        // Below 15 the low four bits take one more without a carry.
        self.counts += counted;
        counted
    }

    /// Takes the uses not in the sketch yet, leaving none.
    #[inline]
    fn take_uses(&mut self) -> u8 {
        let uses = self.uses();
        self.counts &= !Self::USES;
        uses
    }

    /// Sets the uses not in the sketch yet (at most 15).
    #[inline]
    fn set_uses(&mut self, uses: u8) {
        self.counts = (self.counts & !Self::USES) | uses.min(Self::MAX);
    }

    /// Contests won in probation since the last hit (at most 15).
    #[inline]
    fn reprieves(&self) -> u8 {
        self.counts >> 4
    }

    /// Counts a contest won in probation (up to 15).
    #[inline]
    fn add_reprieve(&mut self) {
        if self.reprieves() < Self::MAX {
            self.counts += Self::REPRIEVE;
        }
    }

    /// Forgets the contests won: the entry was hit.
    #[inline]
    fn forgive(&mut self) {
        self.counts &= Self::USES;
    }
}

linked_by!(TinyLfuMeta, links);

/// The W-TinyLFU policy, with an adaptive window.
///
/// Gil Einziger, Roy Friedman and Ben Manes, "TinyLFU: A Highly Efficient
/// Cache Admission Policy," ACM Transactions on Storage 13(4), 2017; the
/// window's adaptation follows the ghost-list feedback of ARC (Megiddo and
/// Modha, FAST 03) where Caffeine uses a hill climber (Einziger, Eytan,
/// Friedman and Manes, "Adaptive Software Cache Management," Middleware
/// 2018).
///
/// New entries go to a small LRU *window*. When the window overflows, its
/// least recent entry (the candidate) competes with the main space's next
/// victim: a frequency sketch (a count-min sketch of 4-bit counters) estimates how often each
/// was used recently, and only a candidate used more often than the victim
/// gets in. The main space is a segmented LRU: *probation* for admitted
/// entries, *protected* (80% of the main space) for entries hit again
/// there. So a one-time key costs the window one slot and never pushes out
/// a popular entry, and a loop larger than the cache keeps its most
/// popular part instead of missing every time.
///
/// The window starts at 1% and moves with the workload: the policy
/// remembers the hashes of keys it recently turned away at the window and
/// of keys it evicted from the main space. A miss on the first kind means
/// recency was undervalued: the window grows, and the key goes straight to
/// probation. A miss on the second kind shrinks the window. A key the
/// window turned away longer ago (up to twice the cache's weight turned
/// away since) goes straight to probation too, without moving the window,
/// if it came back sooner than protected's least recent entry was last
/// used: as in LIRS (Jiang and Zhang, SIGMETRICS 2002), a key reused
/// within the recency of the least recent of the frequently reused set
/// joins it, so a new working set gets in once the old one goes unused,
/// before the sketch forgets the old one's counts, while a loop larger
/// than the cache, whose resident keys are all used between two uses of a
/// key it turned away, keeps its resident part.
///
/// In a cache of 64 entries or more the policy also runs *miniature
/// simulations* (Waldspurger et al., USENIX ATC 2017): the keys of one hash
/// in 16 or fewer (so that each miniature holds at most 128 entries; below
/// 768 entries one in 8, below 128 one in 4, so that each holds at least
/// 32, or 16 below 256; above 32,768 entries one in 256 still, so that a
/// large cache's miniatures see enough requests to decide on a short trace,
/// each holding up to 1,024) are replayed through six scaled-down copies
/// of the cache holding hashes only, each with a fixed configuration: a
/// window of one entry with admission only by a margin of two uses and no
/// hash-flood escape (what a loop larger than the cache wants), a window of
/// 20% or 50%, the first again with a sketch that forgets eight times as
/// fast (what a working set that moves wants; a key it turned away at the
/// window and that comes back within twice the cache's size goes straight
/// to probation, as LIRS keeps a block whose reuse distance is within its
/// stack), ARC (Megiddo and Modha, FAST 2003), and a window of the whole
/// cache (LRU, for recency-heavy traces). Under the 20% and 50% windows a
/// victim that wins its contest moves to the back of probation, so a
/// stale but once-popular entry cannot turn
/// every newcomer away; under the 50% window each such reprieve also takes
/// one from the entry's estimate until a hit promotes it, so an entry
/// popular long ago but not hit since wears out and leaves (as in S3-FIFO's
/// main queue); and under both, a window that grows makes its room by
/// evicting the main space's least recent entries, where otherwise it takes
/// them in. Each miniature's hits are summed over about the last 20 sampled
/// requests per miniature entry; the configuration with the most replaces
/// the one in force when it leads by three standard deviations of the
/// difference (the miniatures see the same requests, so the noise is in the
/// requests on which they disagree), the LRU and the fast-forgetting ones
/// handicapped by 5% of their hits or misses, whichever are fewer, as
/// switching to them throws away what the sketch learnt (the LRU not when a
/// first period ends without a clear winner, and the best is taken). The
/// first decision waits a quarter of a 40-requests-per-entry period,
/// unless, at checks from a thirty-second of it on, the loop-proof
/// configurations lead by 10%; or the LRU leads the windowed ones by 5%, is
/// behind none of the loop-proof ones and hits a fifth of the requests; or
/// the 20% and 50% windows lead the loop-proof ones by 5% and hit a third
/// of the requests. Until then, from those checks on, an LRU whose
/// miniature scores best and hits a fifth of the requests, or another
/// configuration that scores best, leads both loop-proof ones by three
/// standard deviations and hits a third of the requests, is run for the
/// time being, and after it whichever scores best. No decision is taken
/// while no miniature hits one sampled request in 16. ARC is taken only
/// when a first period ends without a clear winner, or through a trial:
/// while its miniature scores best with a handicap of 4% (of its hits or
/// misses, whichever are fewer), a copy of the miniature in force enters
/// ARC from its state and runs beside it for 5 requests per miniature
/// entry (at least 1,024), and the cache enters ARC if the copy hit three
/// standard deviations more often (ARC's gains are in what it has held
/// for long, which a cache entering it late lacks). Under ARC the window
/// is ARC's `T1`, the main space its `T2`, an exact LRU, and a miss goes
/// to `T2` when it is a ghost or the sketch, which then counts evictions
/// only, has it. The ghost feedback
/// moves the window between decisions (under a loop-proof configuration
/// within a sixteenth of the cache: a loop a little longer than the cache
/// would otherwise grow it into an LRU), and the configuration in force is
/// applied again once a period. Until the first decision, an entry demoted
/// from protected (not hit for a whole pass through it) forgets the uses it
/// gathered while resident, so that a key popular once must be hit again to
/// keep its place: a large cache decides late, and without it a workload
/// whose popular keys change fills probation with entries whose counts no
/// longer hold.
///
/// A hit touches no memory an LRU hit does not: it counts the use in the
/// entry itself (without a branch on the count, which a predictor cannot
/// learn), and the counts reach the sketch when the entry leaves or the
/// sketch ages (every 32 uses per entry the cache holds when full), so the
/// sketch's memory is touched only on a miss. A hit moves the entry to its
/// segment's most recent end only if it is not among the most recent
/// half already, so the hits of popular entries touch no neighbour;
/// order matters at the other end, where the window's candidate and the
/// main space's victim are taken. It takes more instructions than an LRU
/// hit (125.8 against 85.4 under callgrind for a hit on a random resident
/// key, where one hit in five promotes an entry from probation and demotes
/// another), and a miss more than twice as many (the sketch, the ghosts
/// and the admission contest); on a Zipf mix, where it also misses less,
/// it costs about 1.3x an LRU per operation (see the README).
#[derive(Clone, Debug, Default)]
pub struct TinyLfu {
    /// Least recent first, for each [`Segment`].
    lists: [List; 3],
    weights: [usize; 3],
    /// Weight pushed to each segment's back so far: an entry whose stamp
    /// is within half its segment's weight of this is among the
    /// segment's most recent entries.
    pushed: [u64; 3],
    maxsize: usize,
    /// The unit of [`seen_now`](Self::seen_now): `2^seen_shift` of weight.
    seen_shift: u32,
    window_max: usize,
    protected_max: usize,
    /// Weight of the entry being inserted (0 outside an insertion).
    incoming: usize,
    /// The entry being inserted skips the window (a ghost of the window).
    incoming_direct: bool,
    /// The entry being inserted came back by LIRS' rule within half the
    /// cache's weight turned away: it takes the place of protected's least
    /// recent entry, not of probation's (see
    /// [`reused_sooner`](Self::reused_sooner)); of that one entry only,
    /// the one the rule compared it with, if a heavy entry needs more room.
    incoming_replaces_stale: bool,
    sketch: FrequencySketch,
    /// Window ghosts are [`Side::First`], main ghosts [`Side::Second`].
    ghosts: LossyGhosts,
    /// Contested admissions so far (drives the hash-flood escape).
    contests: u64,
    /// A candidate must beat the victim by more than this (set by the
    /// miniatures' decisions).
    margin: u8,
    /// The hash-flood escape is off (likewise).
    no_escape: bool,
    /// A victim that wins its contest moves to the back of probation
    /// (likewise).
    rotate: bool,
    /// Each contest a probation entry wins costs it one from its estimate
    /// in the next (likewise).
    wear: bool,
    /// A key turned away at the window and wanted again within
    /// [`RECALL_FACTOR`] times `maxsize`, after the ghosts the window
    /// adapts on, goes straight to probation (likewise), whether or not
    /// it is back sooner than protected's least recent entry was used.
    recall: bool,
    /// The window grows to at most [`LOOP_PROOF_WINDOW`] of `maxsize`
    /// (likewise, under a loop-proof configuration).
    loop_proof: bool,
    /// A window below its target grows by evicting the main space's
    /// least recent entries, not by taking them in (likewise, under a
    /// windowed configuration; see
    /// [`move_towards_targets`](Self::move_towards_targets)).
    grow_by_eviction: bool,
    /// The cache runs ARC (likewise; see [`Config::arc`]): the window
    /// is ARC's `T1`, the main space its `T2`, the window's target its
    /// `p`, copied from ARC's miniature at every sampled request. There is
    /// no admission contest: a miss goes to `T1` unless it is a ghost or
    /// the sketch counts it, and then to `T2`. The sketch counts only
    /// evictions then (see [`on_remove`](Policy::on_remove)): ARC's ghost
    /// lists `B1` and `B2` without their memory.
    arc: bool,
    /// What ARC changes on the hit and insert paths, kept out of the hit
    /// path (a test of `arc` there, or a mask, took the hits of the `u64`
    /// Zipf mix of `benches/examples/op_profile` from 81.6 to 85.7-86.3
    /// million instructions under callgrind, and the mix from 1.31x LRU's
    /// time per operation to 1.38x): an entry pushed to a segment under
    /// ARC is stamped `stamp_offset` (half the stamps' range) older, so
    /// that a protected hit always moves it and `T2` is an exact LRU; the
    /// sketch, which then counts evictions only, ages after
    /// `arc_evictions` reach its capacity rather than on uses (its period
    /// is made endless); and a key admitted without a contest goes to
    /// `direct_segment`.
    stamp_offset: u32,
    arc_evictions: usize,
    direct_segment: DirectSegment,
    /// The miniatures have chosen a configuration (not one run only
    /// until they decide), or there are none. Until then an entry
    /// demoted from protected forgets its uses (in
    /// [`move_towards_targets`](Self::move_towards_targets)).
    ///
    /// An entry not hit for a whole pass through protected keeps, until
    /// then, only what the sketch has of it and must be hit again in
    /// probation to outweigh a newcomer. The uses it gathered while
    /// resident reach the sketch only when it leaves or the sketch
    /// ages, so a key popular once (every key of a Zipf workload whose
    /// ranking moves) would otherwise hold probation with 15 uses it no
    /// longer earns: nothing rotates probation then, and the sketch of
    /// a large cache ages once in 32 uses per entry. A large cache
    /// decides late (its first period is 40 sampled requests per
    /// miniature entry: 1.2 million requests at 30,000 entries), and
    /// this is what it runs until then. The configurations the
    /// miniatures choose keep the uses: the windowed ones rotate
    /// probation (and the 50% window wears its entries), and the
    /// loop-proof ones need a loop's resident part to keep its counts.
    /// (Measured with `benches/examples/hit_ratio --seeds 4`, worst
    /// seed: zipf_drift at 10,000 entries from 60.01 to 60.54, at
    /// 30,000 from 74.47 to 75.89 (LRU 75.77), at 60,000 from 87.04 to
    /// 87.35; gli_like at 5,000 +0.84; multi_like at 15,000 -0.12; over
    /// 8 seeds P3 at 65,536 from 31.03-31.59 to 30.79-31.60, `sprite`
    /// at 512 from 79.50-80.06 to 79.42-80.22, OLTP at 5,000 -0.03, at
    /// 15,000 +0.07, P3 at 16,384 from 10.26 to 10.28; on a Zipf(0.9)
    /// that does not move (`--synthetic`, 10,000 entries) 67.54 ->
    /// 67.29, moka 67.12; summed shortfall over the 46 visible and
    /// synthetic rows 21.24 -> 18.67, over the 32 other sizes 18.91 ->
    /// 17.87. Under every configuration: 26.12, `loop` at 512 -3.8,
    /// cs_like at 1,000 -1.6; under the windowed ones only: 21.45;
    /// halving the uses instead: 20.26, a quarter left: 18.78. A
    /// tentative first choice at a quarter of the period: 20.66. The
    /// cost, on the Zipf mix of `benches/examples/op_profile`, which the
    /// miniatures decide 400,000 operations into: 213.9 -> 221.7
    /// instructions per operation with `u64` keys under callgrind, more
    /// contests being won and the sketch aging sooner.)
    ///
    /// Until then admission stays strict. Admitting a candidate that
    /// ties with its victim, while undecided, raised P3 at 65,536 by 0.5
    /// points but put P3 at 16,384 at 9.75-10.10 (Caffeine: 10.28) and
    /// `loop` at 1,000 at 89.64 on a seed; only while the miniatures'
    /// best is a windowed configuration, P3 at 65,536 rose from 30.79 to
    /// 31.74 and at 262,144 by 0.5, but P3 at 16,384 still fell to 10.02
    /// and at 4,096 and 8,192 by 0.2 (the miniatures favour the 20%
    /// window there for a third of the first period, then the loop-proof
    /// one; a lenient 1% window is no stand-in for the 20% one). Rotating
    /// probation from the start: P3 at 65,536 +0.42, at 16,384 -0.23.
    /// (Worst of 4 seeds, as above.)
    decided: bool,
    /// Bits of a key's hash (shifted right by 32) that are all zero when
    /// the key is in the miniatures' sample; all ones when there are no
    /// miniatures.
    sample_mask: u64,
    miniatures: Option<Box<Miniatures>>,
}

impl TinyLfu {
    /// The weight the window aims at now (it adapts; see the
    /// [policy docs](TinyLfu)).
    pub fn window_target(&self) -> usize {
        self.window_max
    }

    fn resize(&mut self, maxsize: usize) {
        if self.maxsize == 0 {
            self.window_max = share_of(maxsize, INITIAL_WINDOW);
        } else {
            let scaled = self.window_max as u128 * maxsize as u128 / self.maxsize as u128;
            self.window_max = (scaled as usize).clamp(1, maxsize.max(1));
        }
        self.maxsize = maxsize;
        self.seen_shift = (maxsize as u64)
            .div_ceil(1_024)
            .next_power_of_two()
            .trailing_zeros();
        self.ghosts.set_scale(maxsize as u64);
        self.follow_window();
    }

    /// Derives the protected segment's target and the ghosts' limits from
    /// the window's target (after it changed). Window ghosts are bounded by a quarter of the
    /// window but at least a tenth of the cache, so that a small window
    /// still sees the evidence to grow; main ghosts by a quarter of the
    /// main space. (Measured with `benches/examples/hit_ratio --seeds 8`: a
    /// twentieth instead of a tenth loses 0.2-0.3 points on OLTP up to
    /// 5,000 entries and drops P3 at 4,096 below ARC on one seed of
    /// eight; half the window instead of a quarter is 0.3-0.5 points
    /// worse on OLTP up to 5,000 entries and on P3 at 16,384.) Window
    /// ghosts are remembered [`RECALL_FACTOR`] times `maxsize`, but only
    /// those within the bound weigh in, and act on, the window's
    /// adaptation.
    fn follow_window(&mut self) {
        if self.arc {
            // `T2` is an exact LRU, demoting nothing; every ghost within
            // a cache's weight is ARC's.
            self.protected_max = self.maxsize;
            self.ghosts.set_limits(self.maxsize, self.maxsize);
            return;
        }
        let main = self.maxsize.saturating_sub(self.window_max);
        self.protected_max = (main as f64 * PROTECTED_SHARE) as usize;
        let adapt_limit = self.adapt_limit();
        let recalled = self.maxsize.saturating_mul(RECALL_FACTOR);
        self.ghosts.set_limits(adapt_limit.max(recalled), main / 4);
        self.ghosts.set_first_weighed(adapt_limit);
    }

    /// How old (in weight turned away since) a window ghost may be for
    /// the window to adapt on it.
    fn adapt_limit(&self) -> usize {
        (self.window_max / 4).max(self.maxsize / 10)
    }

    #[inline]
    fn weight(&self, segment: Segment) -> usize {
        self.weights[segment as usize]
    }

    #[inline]
    fn front(&self, segment: Segment) -> Option<Handle> {
        self.lists[segment as usize].front()
    }

    fn push<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        handle: Handle,
        segment: Segment,
    ) {
        let node = &mut entries[handle];
        node.meta.segment = segment;
        self.weights[segment as usize] += node.weight;
        let pushed = &mut self.pushed[segment as usize];
        *pushed = pushed.wrapping_add(node.weight as u64);
        node.meta.stamp = (*pushed as u32).wrapping_sub(self.stamp_offset);
        node.meta.seen = self.seen_now();
        self.lists[segment as usize].push_back(entries, handle);
    }

    /// Makes a hit entry of the protected segment its segment's most
    /// recent, unless it is among the most recent half
    /// (by weight) already: such a hit leaves the list alone, so a popular
    /// entry's hits touch no neighbour. The order changes only where no
    /// eviction or demotion looks for a while. (Half rather than a
    /// quarter: measured with `benches/policies` and `benches/examples/hit_ratio
    /// --seeds 8`, the Zipf mix took 1.27x LRU's time per operation
    /// instead of 1.33x, over three runs each, for 0.1-0.2 points on OLTP,
    /// 0.5 on one seed of eight at 1,000 entries.)
    #[inline]
    fn refresh<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        let s = Segment::Protected as usize;
        let since = (self.pushed[s] as u32).wrapping_sub(entries[handle].meta.stamp);
        if since as usize >= self.weights[s] / 2 {
            self.transfer(entries, handle, Segment::Protected);
        }
    }

    /// A hit outside the protected segment: out of line, so that the hit
    /// path inlined into every lookup is the protected segment's (most
    /// hits) and stays small.
    #[inline(never)]
    fn promote<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        handle: Handle,
        segment: Segment,
    ) {
        if segment == Segment::Probation || self.arc {
            // Under ARC a hit in the window (`T1`) goes to `T2`.
            entries[handle].meta.forgive();
            self.transfer(entries, handle, Segment::Protected);
            // Usually protected was full: its least recent entry makes
            // room here, without the call to the general rebalancing
            // (`op_profile tinylfu hit` under callgrind, where a fifth of
            // the hits are in probation: 126.5 -> 120.6 instructions per
            // operation). The budget is the rebalancing's as before.
            let mut budget = REBALANCE_BUDGET;
            if self.weight(Segment::Protected) > self.protected_max {
                if let Some(front) = self.front(Segment::Protected) {
                    self.demote(entries, front);
                    budget -= 1;
                }
            }
            self.rebalance_within(entries, budget);
        } else {
            // The window is an exact LRU: it is small unless the
            // miniatures chose a recency-heavy configuration, and then
            // its order is what decides.
            self.transfer(entries, handle, Segment::Window);
        }
    }

    fn unlink<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        self.unlink_weighing(entries, handle, entries[handle].weight);
    }

    /// Unlinks the entry at `handle`, which counted `weight` in its segment.
    fn unlink_weighing<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        handle: Handle,
        weight: usize,
    ) {
        let segment = entries[handle].meta.segment as usize;
        self.weights[segment] -= weight;
        self.lists[segment].unlink(entries, handle);
    }

    fn transfer<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        handle: Handle,
        segment: Segment,
    ) {
        self.unlink(entries, handle);
        self.push(entries, handle, segment);
    }

    /// Moves entries towards the segments' targets, a bounded number per
    /// call: protected overflow is demoted to probation, window overflow
    /// moves to probation, and a window below target takes the main
    /// space's least recent entries while the main space is over its
    /// share, unless it grows by eviction (see
    /// [`move_towards_targets`](Self::move_towards_targets)).
    #[inline]
    fn rebalance<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>) {
        self.rebalance_within(entries, REBALANCE_BUDGET);
    }

    /// [`rebalance`](Self::rebalance), moving at most `budget` entries.
    #[inline]
    fn rebalance_within<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, budget: usize) {
        // Usually every segment is at its target: one test, no call.
        let window = self.weight(Segment::Window);
        if self.weight(Segment::Protected) > self.protected_max
            || window > self.window_max
            || (window < self.window_max
                && !self.grow_by_eviction
                && self.weight(Segment::Probation) + self.weight(Segment::Protected)
                    > self.maxsize.saturating_sub(self.window_max))
        {
            self.move_towards_targets(entries, budget);
        }
    }

    /// Moves protected's least recent entry, at `front`, to probation.
    #[inline]
    fn demote<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, front: Handle) {
        self.transfer(entries, front, Segment::Probation);
        if !self.decided {
            // Not hit for a whole pass through protected: until the
            // miniatures decide it keeps only what the sketch has of it
            // (see `decided`).
            entries[front].meta.take_uses();
        }
    }

    #[cold]
    fn move_towards_targets<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        mut budget: usize,
    ) {
        use Segment::*;
        while budget > 0 && self.weight(Protected) > self.protected_max {
            let Some(front) = self.front(Protected) else {
                break;
            };
            self.demote(entries, front);
            budget -= 1;
        }
        // Under ARC the window (`T1`) shrinks by eviction (see `victim`).
        while budget > 0 && !self.arc && self.weight(Window) > self.window_max {
            let Some(front) = self.front(Window) else {
                break;
            };
            self.transfer(entries, front, Probation);
            budget -= 1;
        }
        // A window below its target takes the main space's least recent
        // entries, at its most recent end, unless the configuration is a
        // windowed one: there the main space holds what admission chose,
        // its least recent end the stalest of it, and an entry taken in
        // would stay a whole window's pass; instead the window fills with
        // new keys while the main space's least recent entries are evicted
        // to make room (see `victim`), as the miniatures do. After a
        // one-entry window, as the cache starts, the main space holds the
        // most recent entries, and taking them in keeps them. (Measured
        // with `benches/examples/hit_ratio --seeds 4`, worst seed: OLTP
        // +0.07 to +0.12 at every size, zipf_drift at 10,000 +0.08, phases
        // at 1,500 and 3,000 +0.06 and +0.07; P3 at 131,072 from
        // 43.15-44.18 to 43.58-44.42, `sprite` at 300 and 400 +0.69 and
        // +0.30; over 8 seeds OLTP at 2,000 from 47.59 to 47.71, at
        // 10,000 from 62.94 to 63.09, `sprite` at 2,048 from 92.68 to
        // 92.81, P3 at 16,384 from 10.30 to 10.26 (Caffeine: 10.28);
        // summed shortfall over the 46 visible and synthetic rows 21.52 ->
        // 21.24, over the 32 other sizes 20.75 -> 18.91. Under every
        // configuration but the LRU: 21.78, cs_like at 500 -1.0; under
        // every one: 25.98, zigzag at 1,000 -2.9. Under the 50% window
        // only: 21.34; the 20% only: 21.45. Under the LRU, taking in only
        // protected's entries and evicting probation's: zigzag at 1,000
        // -2.7, `sprite` at 700 to 1,500 -0.25 to -0.4.)
        if self.grow_by_eviction {
            return;
        }
        let main_max = self.maxsize.saturating_sub(self.window_max);
        while budget > 0
            && self.weight(Window) < self.window_max
            && self.weight(Probation) + self.weight(Protected) > main_max
        {
            let Some(front) = self.front(Probation).or(self.front(Protected)) else {
                break;
            };
            if self.weight(Window) + entries[front].weight > self.window_max {
                break;
            }
            self.transfer(entries, front, Window);
            budget -= 1;
        }
    }

    /// Remembers an evicted entry: as a window ghost (turned away at the
    /// window) or a main ghost.
    #[inline]
    fn remember<K, V>(&mut self, entries: &Entries<K, V, TinyLfuMeta>, handle: Handle, side: Side) {
        let node = &entries[handle];
        self.ghosts.remember(node.hash, node.weight, side);
    }

    /// The weight turned away at the window so far (the window ghosts'
    /// clock), in units of `2^seen_shift`, low 16 bits: what an entry's
    /// [`seen`](TinyLfuMeta::seen) records. A unit is `maxsize / 1,024`
    /// rounded up to a power of two, so 16 bits span at least 64 times
    /// `maxsize`; each sketch aging brings an older `seen` to half the
    /// span, and agings come at most about 32 times `maxsize` of weight
    /// turned away apart (each key turned away was a use), so an entry's
    /// idle time does not wrap. (A weight 16 bits save in each entry: with
    /// 32, 87.7 bytes per entry at 1,000,000 entries instead of 79.3.)
    #[inline]
    fn seen_now(&self) -> u16 {
        (self.ghosts.clock(Side::First) >> self.seen_shift) as u16
    }

    /// Counts a use of the resident entry at `handle`.
    #[inline]
    fn count_use<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        let meta = &mut entries[handle].meta;
        let counted = meta.add_use();
        if self.sketch.record_uses(usize::from(counted)) {
            self.age(entries);
        }
    }

    /// Ends a sample period: every resident entry's uses join the sketch,
    /// then the sketch halves. O(entries) once per `32 x capacity` uses.
    ///
    /// The sketch ages only so. Aging it twice more whenever the misses of the
    /// last `maxsize` requests were more than twice those of the `maxsize`
    /// before (a phase change, when the main space holds counts the new phase
    /// no longer earns) raised the synthetic gli_like at 1,000 to 5,000 entries
    /// by 0.6 to 2.7 points and `sprite` at 3,000 and 4,096 by 0.3-0.4, but a
    /// scan looks the same: scan_zipf at 15,000 -0.6, P3 at 131,072 -0.6 on a
    /// seed. Requiring also that one miss in 20 be a key the window turned away
    /// lately (none are, in a scan) kept those and lost most of the gains:
    /// summed shortfall over the 78 rows 34.55 -> 33.65, `loop` at 900 and
    /// 1,000 -0.2. (Worst of 4 seeds, `benches/examples/hit_ratio`.)
    #[cold]
    fn age<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>) {
        let now = self.seen_now();
        let oldest = now.wrapping_sub(SEEN_HORIZON);
        // Under ARC the sketch counts evictions only (see `arc`).
        let keep_uses = !self.arc;
        for (_, node) in entries.iter_mut() {
            let uses = node.meta.take_uses();
            if keep_uses {
                self.sketch.add(node.hash, uses);
            }
            // Idle for longer than the horizon: as good as the horizon
            // (see `seen_now`), and it cannot wrap before the next aging.
            if now.wrapping_sub(node.meta.seen) > SEEN_HORIZON {
                node.meta.seen = oldest;
            }
        }
        self.sketch.halve();
    }

    /// Whether a key the window turned away `age` ago (in weight turned
    /// away since, as the ghosts count it) is back sooner than protected's
    /// least recent entry was last used (probation's, if protected is
    /// empty): LIRS' rule (Jiang and Zhang, SIGMETRICS 2002), under which
    /// a block whose reuse distance is shorter than the recency of the
    /// least recent block of its low inter-reference recency (LIR) set
    /// joins that set.
    ///
    /// Such a key goes straight to probation, as a recalled one does (see
    /// [`recall`](Self::recall)): where the working set moves to keys used
    /// too seldom yet to outweigh the counts of the last one in the
    /// sketch, they come in as soon as the old set goes unused for longer
    /// than they take to come back, instead of once the sketch has aged.
    /// A loop larger than the cache does not displace its resident part:
    /// a key the loop turned away comes back a whole loop later, and every
    /// resident key of the loop was used since. Only the window ghosts the
    /// ghost table samples (one key in four) can come back so; recalling
    /// every key pushed the keys recalled earlier out of probation before
    /// they were used again (P3 at 65,536 entries 30.45-30.67 on 4 seeds,
    /// against 31.87-32.37). The window ghosts remembered are as many as
    /// the table holds (see [`RECALL_FACTOR`]): remembering only `maxsize`
    /// of them lost most of the gains below (P3 at 65,536 31.24-31.90,
    /// gli_like at 2,500 -2.5), and so did a table twice as large (P3 at
    /// 65,536 31.65, gli_like at 1,000 -1.1).
    ///
    /// (Measured with `benches/examples/hit_ratio`, worst seed: over 8 seeds P3
    /// at 65,536 entries from 30.79-31.60 to 31.97-32.36, where LIRS has 32.48:
    /// in the 17th of 20 stretches of the trace a loop longer than the cache
    /// replaces the working set, and there TinyLFU hit 12.6-14.1% before,
    /// 18.0-18.7% now (LIRS 52.8%, LRU 22.3%); in the second, 18.3-21.5%
    /// before, 30.5-30.9% now (LIRS 35.5%); OLTP, P3 and `sprite` within 0.16
    /// on every other visible row. Over 4 seeds the synthetic gli_like at 1,000
    /// and 2,500 entries +1.1 and +2.2, zipf_drift at 10,000 +0.24, phases at
    /// 1,500 +0.29; cs_like at 500 and 1,000 -0.51 and -0.35, P3 at 131,072
    /// -0.36 on a seed; summed shortfall over the 13 visible rows 2.44 -> 1.33,
    /// the 33 synthetic ones 15.93 as before, the 32 other sizes 16.18 ->
    /// 16.19. Comparing with probation's least recent entry instead: P3 at
    /// 16,384 9.96 (below Caffeine's 10.28) and cs_like at 1,000 -1.4; sending
    /// the key to protected, as LIRS does: OLTP at 5,000 -0.5, P3 at 65,536
    /// 31.44-31.86; requiring it back in half the time: P3 at 65,536
    /// 31.82-32.14, cs_like still -0.35.)
    ///
    /// A key back so within half the cache's weight turned away takes the
    /// place of protected's least recent entry, not of probation's: its
    /// reuse fits in the cache, which that entry's idle time did not, so
    /// an LRU would have kept the key and let the entry go. A loop that
    /// fits in the cache then replaces a stale working set within a pass,
    /// where recalled keys pushed each other out of probation before they
    /// were used again. (Measured with `benches/examples/hit_ratio`, worst
    /// seed: over 8 seeds P3 at 65,536 from 32.16-32.73 to 32.50-32.78,
    /// above LIRS' 32.48 on every seed, at 16,384 from 10.26-10.48 to
    /// 10.29-10.64, at 1,024 from 1.12-1.23 to 1.16-1.21, no other visible
    /// row lower on its worst seed (OLTP at 5,000 +0.08); over 4 seeds P3
    /// at 131,072 from 44.33-45.81 to 44.83-46.25 (LRU 44.79), gli_like at 5,000 +0.83,
    /// zipf_drift at 10,000 +0.27, cs_like at 500 -0.35, gli_like at 2,500
    /// -0.24, P3 at 262,144 -0.18, `sprite` at 100 to 300 -0.15 to -0.21;
    /// summed shortfall over the 13 visible rows 0.91 -> 0.81, the 33
    /// synthetic ones 15.90 -> 15.38, the 32 other sizes 16.10 -> 16.05.
    /// Within the whole cache: P3 at 65,536 31.87-32.17 on 4 seeds; within
    /// 0.3 or 0.7 of it, 32.36 and 32.41 on the worst of 8; with no bound,
    /// protected's entry replaced by every key the rule brings back, P3 at
    /// 65,536 30.36-31.33 on 4 seeds, before this sketch.)
    fn reused_sooner<K, V>(&self, entries: &Entries<K, V, TinyLfuMeta>, age: u64) -> bool {
        self.front(Segment::Protected)
            .or(self.front(Segment::Probation))
            .is_some_and(|least| {
                let idle = self.seen_now().wrapping_sub(entries[least].meta.seen);
                age <= u64::from(idle) << self.seen_shift
            })
    }

    /// Estimated recent uses of the resident entry at `handle`.
    #[cfg(test)]
    fn frequency<K, V>(&self, entries: &Entries<K, V, TinyLfuMeta>, handle: Handle) -> u8 {
        let node = &entries[handle];
        (self.sketch.frequency(node.hash) + node.meta.uses()).min(15)
    }

    /// Whether the window's candidate replaces the main space's victim.
    /// The loser's uses join the sketch here, where its counters were
    /// just read (so its removal has none left to add).
    fn admit<K, V>(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        candidate: Handle,
        victim: Handle,
    ) -> bool {
        // The candidate usually loses (a new key against a used entry),
        // so its uses join its counters as they are read, in one pass,
        // and are taken back if it wins. (A victim whose counters collide
        // with the candidate's reads them raised: the overcount any
        // count-min sketch has, a contest earlier. Measured with
        // `hit_ratio --seeds 2`: no row of the 46 moved by more than
        // 0.05; callgrind on the Zipf `u64` mix, 223.5 instructions per
        // operation before, 217.0 after, 215.9 with the sketch's
        // saturating add as it is now.)
        let candidate_at = self.sketch.counters(entries[candidate].hash);
        let candidate_uses = entries[candidate].meta.take_uses();
        let (estimate, added) = self.sketch.read_and_add(&candidate_at, candidate_uses);
        let candidate_freq = (estimate + candidate_uses).min(15);
        // The victim's estimate is at least its own uses: when that
        // settles the contest its counters are not read (the usual case).
        // A victim spared before weighs less by as many contests (zero
        // unless the configuration wears).
        let victim_uses = entries[victim].meta.uses();
        let worn = if self.wear {
            entries[victim].meta.reprieves()
        } else {
            0
        };
        let victim_at = (candidate_freq
            > victim_uses.saturating_sub(worn).saturating_add(self.margin))
        .then(|| self.sketch.counters(entries[victim].hash));
        let victim_freq = match &victim_at {
            Some(at) => (self.sketch.frequency_at(at) + victim_uses)
                .min(15)
                .saturating_sub(worn),
            None => victim_uses.saturating_sub(worn),
        };
        let admitted = admits(
            candidate_freq,
            victim_freq,
            self.margin,
            !self.no_escape,
            &mut self.contests,
            entries[candidate].hash,
        );
        if admitted {
            self.sketch.undo_add(&candidate_at, added);
            entries[candidate].meta.set_uses(candidate_uses);
            let uses = entries[victim].meta.take_uses();
            if uses > 0 {
                let hash = entries[victim].hash;
                let at = victim_at.unwrap_or_else(|| self.sketch.counters(hash));
                self.sketch.add_at(&at, uses);
            }
        }
        admitted
    }

    /// Follows a new `maxsize`, and sizes the sketch and the ghost table
    /// on the first insertion: for a few entries, then growing with the
    /// entries the cache holds (see [`grow_sketch`](Self::grow_sketch)), so
    /// that memory follows the cache's contents, not its bound.
    #[cold]
    fn prepare(&mut self, weight: usize, maxsize: usize) {
        if maxsize != self.maxsize || self.miniatures.is_none() {
            self.miniatures = Miniatures::new(maxsize, weight);
            self.sample_mask = self.miniatures.as_ref().map_or(u64::MAX, |m| m.mask());
            // Without miniatures there is no decision to wait for: the
            // configuration the cache starts with is final.
            self.decided |= self.miniatures.is_none();
        }
        if maxsize != self.maxsize {
            self.resize(maxsize);
        }
        if self.sketch.capacity() == 0 {
            let full = maxsize / weight.max(1);
            self.sketch.ensure_capacity(full.min(INITIAL_SKETCH));
            self.ghosts
                .ensure_capacity(self.sketch.capacity() / lossy_ghosts::SAMPLING as usize);
        }
    }

    /// A key of `weight` missed while remembered as a ghost of `side`:
    /// moves the window's target by ARC's step.
    #[cold]
    fn adapt(&mut self, side: Side, weight: usize, maxsize: usize) {
        // ARC's step, in whole entries.
        let step = (self.ghosts.balance(side) as usize)
            .saturating_mul(weight)
            .saturating_mul(lossy_ghosts::SAMPLING as usize);
        // Without miniatures the window stops one entry short of the
        // whole cache, so that main-space ghosts can still shrink it; with
        // them it may become an LRU, which their next decision revisits.
        // (Measured with `benches/examples/hit_ratio --seeds 8`: sprite at
        // 512 rises from 78.29-78.92 to 78.49-78.92, no other row moves.)
        let largest = if self.loop_proof {
            share_of(maxsize, LOOP_PROOF_WINDOW)
        } else if self.miniatures.is_some() {
            maxsize.max(1)
        } else {
            maxsize.saturating_sub(1).max(1)
        };
        if side == Side::First {
            // Turned away at the window, wanted again: recency matters.
            self.window_max = self.window_max.saturating_add(step).min(largest);
            self.incoming_direct = true;
        } else {
            // Evicted from the main space, wanted again: frequency does.
            self.window_max = self.window_max.saturating_sub(step).max(1);
        }
        self.follow_window();
    }

    /// Replays a request for the key of `hash` in the miniatures if the
    /// key is in their sample.
    #[inline(always)]
    fn sample(&mut self, hash: u64, weight: usize) {
        if (hash >> 32) & self.sample_mask == 0 {
            self.replay(hash, weight);
        }
    }

    #[cold]
    fn replay(&mut self, hash: u64, weight: usize) {
        let Some(miniatures) = &mut self.miniatures else {
            return;
        };
        let best = miniatures.request(hash, weight);
        let decided = miniatures.decided();
        let arc_share = miniatures.arc_share();
        if let Some(best) = best {
            self.apply(CONFIGS[best], decided, arc_share);
        } else if self.arc {
            self.window_max = share_of(self.maxsize, arc_share);
            self.follow_window();
        }
    }

    /// Runs the cache under `config`, the miniatures' choice (`decided`
    /// unless run until they decide); `arc_share` is ARC's `p` as a share
    /// of the capacity.
    fn apply(&mut self, config: Config, decided: bool, arc_share: f64) {
        self.margin = config.margin;
        self.no_escape = !config.escape;
        self.rotate = config.rotate;
        self.wear = config.wear;
        self.recall = config.recall;
        self.loop_proof = config.is_loop_proof();
        self.grow_by_eviction = config.is_windowed() || config.arc;
        self.decided |= decided;
        if config.arc {
            if !self.arc {
                // From now on the sketch counts evictions (see `arc`),
                // and ages on them (see `on_remove`).
                self.sketch.clear();
                self.arc_evictions = 0;
            }
            self.sketch.set_sample_factor(usize::MAX);
            self.window_max = share_of(self.maxsize, arc_share);
        } else {
            if self.arc {
                // The uses counted under ARC were no period's.
                self.sketch.restart_period();
            }
            self.sketch.set_sample_factor(config.aging);
            self.window_max = share_of(self.maxsize, config.window);
        }
        self.arc = config.arc;
        self.stamp_offset = if config.arc { 1 << 31 } else { 0 };
        self.direct_segment = DirectSegment(if config.arc {
            Segment::Protected
        } else {
            Segment::Probation
        });
        self.follow_window();
    }

    /// The victim under ARC: `T1`'s least recent entry when `T1` is over
    /// `p` (or `T2` is empty), else `T2`'s, probation's first (the main
    /// space's least recent after a switch into ARC).
    #[cold]
    fn arc_victim<K, V>(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>) -> Option<Handle> {
        let main = self
            .front(Segment::Probation)
            .or(self.front(Segment::Protected));
        let (victim, side) = match (self.front(Segment::Window), main) {
            (Some(window), main)
                if main.is_none() || self.weight(Segment::Window) > self.window_max =>
            {
                (window, Side::First)
            }
            (_, main) => (main?, Side::Second),
        };
        self.remember(entries, victim, side);
        Some(victim)
    }

    /// Sizes the sketch for the number of entries the cache holds when
    /// full, estimated from the entries' mean weight.
    #[inline]
    fn size_sketch(&mut self, len: usize) {
        if len > self.sketch.capacity() {
            self.grow_sketch(len);
        }
    }

    /// Doubles the sketch (at least to `len` entries), but never beyond
    /// the number of entries the cache is expected to hold when full (from
    /// the mean weight so far): a cache with a huge bound and few entries
    /// keeps a small sketch.
    #[cold]
    fn grow_sketch(&mut self, len: usize) {
        let total = self.weights.iter().sum::<usize>().max(1);
        let expected = (len as u128 * self.maxsize as u128).div_ceil(total as u128);
        let expected = usize::try_from(expected).unwrap_or(usize::MAX);
        let doubled = self.sketch.capacity().saturating_mul(2).max(len);
        self.sketch.ensure_capacity(doubled.min(expected.max(len)));
        self.ghosts
            .ensure_capacity(self.sketch.capacity() / lossy_ghosts::SAMPLING as usize);
    }
}

impl Sealed for TinyLfu {}

impl<K, V> Policy<K, V> for TinyLfu {
    type Meta = TinyLfuMeta;

    #[inline]
    fn before_insert(
        &mut self,
        entries: &Entries<K, V, TinyLfuMeta>,
        hash: u64,
        weight: usize,
        maxsize: usize,
    ) {
        if maxsize != self.maxsize || self.sketch.capacity() == 0 {
            self.prepare(weight, maxsize);
        }
        self.sample(hash, weight);
        self.incoming = weight;
        self.incoming_direct = false;
        self.incoming_replaces_stale = false;
        if let Some((side, age)) = self.ghosts.take(hash) {
            if self.arc {
                // Back from `B1` or `B2`: to `T2` (ARC's `p` moves in its
                // miniature).
                self.incoming_direct = true;
            } else if side == Side::First && age > self.adapt_limit() as u64 {
                // Turned away long ago: no evidence for the window's size,
                // but a reuse a recalling configuration admits at once, and
                // any configuration one sooner than protected's.
                let sooner = !self.recall && self.reused_sooner(entries, age);
                self.incoming_replaces_stale = sooner && age <= self.maxsize as u64 / 2;
                self.incoming_direct = self.recall || sooner;
            } else {
                self.adapt(side, weight, maxsize);
            }
        }
        if self.arc
            && !self.incoming_direct
            && self.sketch.frequency_at(&self.sketch.counters(hash)) > 0
        {
            // Evicted lately, though its ghost was not sampled.
            self.incoming_direct = true;
        }
    }

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        self.incoming = 0;
        self.incoming_replaces_stale = false;
        entries[handle].meta.counts = 0;
        self.count_use(entries, handle);
        let segment = if std::mem::take(&mut self.incoming_direct) {
            self.direct_segment.0
        } else {
            Segment::Window
        };
        self.push(entries, handle, segment);
        self.size_sketch(entries.len());
        self.rebalance(entries);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        self.count_use(entries, handle);
        let node = &entries[handle];
        self.sample(node.hash, node.weight);
        match entries[handle].meta.segment {
            Segment::Protected => self.refresh(entries, handle),
            segment => self.promote(entries, handle, segment),
        }
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, TinyLfuMeta>,
        handle: Handle,
        old_weight: usize,
    ) {
        self.count_use(entries, handle);
        let node = &entries[handle];
        self.sample(node.hash, node.weight);
        self.unlink_weighing(entries, handle, old_weight);
        let segment = match entries[handle].meta.segment {
            Segment::Window => Segment::Window,
            Segment::Probation | Segment::Protected => Segment::Protected,
        };
        self.push(entries, handle, segment);
        self.rebalance(entries);
    }

    #[inline(always)]
    fn on_remove(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>, handle: Handle) {
        self.unlink(entries, handle);
        // A key's uses outlive its entry: if it comes back, they count.
        let node = &entries[handle];
        if self.arc {
            // Under ARC the sketch counts the keys that leave (evicted,
            // or removed, see `arc`), and halves once per cache's worth
            // of them, then per half (as its own period does): a key
            // counted left within the last one or two.
            self.sketch.add(node.hash, 2);
            self.arc_evictions += 1;
            if self.arc_evictions >= self.sketch.capacity() {
                self.arc_evictions /= 2;
                self.age(entries);
            }
            return;
        }
        self.sketch.add(node.hash, node.meta.uses());
    }

    fn victim(&mut self, entries: &mut Entries<K, V, TinyLfuMeta>) -> Option<Handle> {
        if self.arc {
            return self.arc_victim(entries);
        }
        // Set only with `incoming_direct`: the key skips the contest.
        let main_victim = if std::mem::take(&mut self.incoming_replaces_stale) {
            self.front(Segment::Protected)
                .or(self.front(Segment::Probation))
        } else {
            self.front(Segment::Probation)
                .or(self.front(Segment::Protected))
        };
        if let Some(candidate) = self.front(Segment::Window) {
            let window_full =
                self.weight(Segment::Window).saturating_add(self.incoming) > self.window_max;
            if window_full && !self.incoming_direct {
                let Some(victim) = main_victim else {
                    self.remember(entries, candidate, Side::First);
                    return Some(candidate);
                };
                if self.admit(entries, candidate, victim) {
                    self.transfer(entries, candidate, Segment::Probation);
                    self.remember(entries, victim, Side::Second);
                    return Some(victim);
                }
                if self.rotate && entries[victim].meta.segment == Segment::Probation {
                    self.transfer(entries, victim, Segment::Probation);
                    if self.wear {
                        entries[victim].meta.add_reprieve();
                    }
                }
                self.remember(entries, candidate, Side::First);
                return Some(candidate);
            }
        }
        let victim = main_victim.or(self.front(Segment::Window))?;
        let side = match entries[victim].meta.segment {
            Segment::Window => Side::First,
            Segment::Probation | Segment::Protected => Side::Second,
        };
        self.remember(entries, victim, side);
        Some(victim)
    }

    fn clear(&mut self) {
        self.lists = Default::default();
        self.weights = [0; 3];
        self.incoming = 0;
        self.incoming_direct = false;
        self.incoming_replaces_stale = false;
        self.ghosts.clear();
        self.sketch.clear();
        if let Some(miniatures) = &mut self.miniatures {
            miniatures.clear();
        }
    }

    fn allocated_bytes(&self) -> usize {
        self.sketch.allocated_bytes()
            + self.ghosts.allocated_bytes()
            + self.miniatures.as_ref().map_or(0, |m| m.allocated_bytes())
    }
}

/// A W-TinyLFU cache: admits a new key into its main space only if it is
/// used more often than the entry it would replace, judged by a compact
/// frequency sketch; resists scans and loops larger than the cache and
/// adapts its recency window to the workload (see the
/// [policy docs](TinyLfu) for the algorithm and its papers).
///
/// A new entry is always stored (in the window): `insert` then `get`
/// hits, as with every policy. Beyond the entries it keeps a sketch of
/// 16 bytes per entry in a cache of more than 16,384 entries, and of up
/// to 128 KiB in a smaller one (16 times 8 bytes per entry in a small
/// cache: its estimates decide which few entries a small cache keeps)
/// and a table of a sample of recently evicted keys' hashes of 2
/// to 4 bytes per entry; from 64 entries on, its miniature simulations
/// take up to 510 KiB more, under half a byte per entry from 65,536
/// entries on (measured after 20 x maxsize requests for keys drawn from 4
/// x maxsize: 11 KiB at 64 entries, 22 KiB at 256, 78 KiB at 2,048, 66
/// KiB at 10,000, 175 KiB at 65,536, 505 KiB at 262,144, 442 KiB at
/// 1,000,000; they hold at most 1,024 entries each, however large the
/// cache). All operations are O(1).
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::TinyLfuCache;
///
/// let mut cache = TinyLfuCache::new(100);
/// for _ in 0..3 {
///     for key in 0..50 {
///         cache.get_or_insert_with(key, || key * 2).unwrap(); // popular
///     }
/// }
/// for key in 1_000..2_000 {
///     cache.get_or_insert_with(key, || 0).unwrap(); // a scan, used once
/// }
/// let kept = (0..50).filter(|key| cache.contains_key(key)).count();
/// assert!(kept >= 45, "the scan went through the window: {kept} kept");
/// ```
pub type TinyLfuCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, TinyLfu, S, W>;

impl<K, V> TinyLfuCache<K, V> {
    /// A W-TinyLFU cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, TinyLfu::default())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Uses per entry after which the sketch ages (`SAMPLE_FACTOR` in the
    /// sketch).
    const SAMPLE_PERIOD_PER_ENTRY: u32 = 32;

    /// The sketch's estimate for a resident key plus its uses not yet in
    /// the sketch.
    fn estimate(cache: &TinyLfuCache<u32, u32>, key: u32) -> u8 {
        let handle = cache.handle_of(&key).expect("resident");
        cache.policy().frequency(cache.entries(), handle)
    }

    #[test]
    fn uses_join_the_sketch_before_it_ages_and_when_an_entry_leaves() {
        // Fixed hash seeds: the same sketch collisions on every run.
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        // As under a configuration the miniatures chose: 7 keeps its uses
        // when the hits below demote it from protected.
        let mut cache = TinyLfuCache::builder(100)
            .hasher(hasher)
            .policy(TinyLfu {
                decided: true,
                ..TinyLfu::default()
            })
            .build();
        for key in 0..100 {
            cache.insert(key, key);
        }
        for _ in 0..9 {
            cache.get(&7);
        }
        assert_eq!(estimate(&cache, 7), 10, "one insert and nine hits");
        assert_eq!(
            cache.entries()[cache.handle_of(&7).unwrap()].meta.uses(),
            10
        );
        // Hits on the other resident keys (counted in their entries),
        // then new keys (each insert is a use) until the sample period
        // ends: 7's uses join the sketch and are halved with it.
        for key in (0..100).filter(|&key| key != 7) {
            for _ in 0..14 {
                cache.get(&key);
            }
        }
        cache.get(&7); // the most recent in the protected segment
        let uses_of_7 = |cache: &TinyLfuCache<u32, u32>| {
            cache.entries()[cache.handle_of(&7).unwrap()].meta.uses()
        };
        let mut inserts = 0;
        while uses_of_7(&cache) != 0 && inserts < 100 * SAMPLE_PERIOD_PER_ENTRY {
            cache.insert(1_000 + inserts, 0);
            inserts += 1;
        }
        let node = &cache.entries()[cache.handle_of(&7).unwrap()];
        assert_eq!(node.meta.uses(), 0, "folded into the sketch");
        // 11 halved, plus what colliding keys put in 7's counters (a
        // count-min sketch never undercounts); unhalved it would be 11 or
        // more, lost it would be the collisions alone.
        let aged = cache.policy().sketch.frequency(node.hash);
        assert!((5..11).contains(&aged), "{aged}");
        // Removal hands the uses counted since then to the sketch.
        cache.get(&7);
        cache.get(&7);
        let hash = cache.entries()[cache.handle_of(&7).unwrap()].hash;
        cache.remove(&7);
        assert_eq!(cache.policy().sketch.frequency(hash), aged + 2);
    }

    #[test]
    fn an_entry_s_metadata_takes_sixteen_bytes() {
        // The links (8), the stamp (4), `seen` (2), the segment and the
        // packed counts: more would cost 8 bytes per entry in the arena.
        assert_eq!(std::mem::size_of::<TinyLfuMeta>(), 16);
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// The uses and reprieves packed in one byte behave as two
        /// separate counters of 0 to 15 (the model).
        #[test]
        fn uses_and_reprieves_count_apart_in_one_byte(
            ops in proptest::collection::vec((0u8..5, 0u8..20), 0..100),
        ) {
            let mut meta = TinyLfuMeta::default();
            let (mut uses, mut reprieves) = (0u8, 0u8);
            for (op, value) in ops {
                match op {
                    0 => {
                        let counted = meta.add_use();
                        prop_assert_eq!(counted, u8::from(uses < 15));
                        uses = (uses + 1).min(15);
                    }
                    1 => {
                        prop_assert_eq!(meta.take_uses(), uses);
                        uses = 0;
                    }
                    2 => {
                        meta.set_uses(value);
                        uses = value.min(15);
                    }
                    3 => {
                        meta.add_reprieve();
                        reprieves = (reprieves + 1).min(15);
                    }
                    _ => {
                        meta.forgive();
                        reprieves = 0;
                    }
                }
                prop_assert_eq!((meta.uses(), meta.reprieves()), (uses, reprieves));
            }
        }
    }

    /// Keys of `segment`, least recent first.
    fn order<S, W>(cache: &PolicyCache<u32, u32, TinyLfu, S, W>, segment: Segment) -> Vec<u32> {
        let entries = cache.entries();
        cache.policy().lists[segment as usize]
            .iter(entries)
            .map(|handle| entries[handle].key)
            .collect()
    }

    /// A cache of 100 entries under `policy`, holding 0 to 99 (each used
    /// once): the window holds 99, probation 0 to 98. Its miniatures take
    /// no decision before any of them hits, so the configuration stays as
    /// set while the tests insert new keys.
    fn full(policy: TinyLfu) -> TinyLfuCache<u32, u32> {
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut cache = TinyLfuCache::builder(100)
            .hasher(hasher)
            .policy(policy)
            .build();
        for key in 0..100 {
            cache.insert(key, key);
        }
        cache
    }

    /// Inserts newcomers 1,000, 1,001, ... (value 0) into a cache filled
    /// as by [`full`] until the ghost table samples one, and returns that
    /// one. Each is used once and loses its contest with probation's
    /// entries, used once too, so each turns the previous one away from the
    /// one-entry window; the returned one is still in the window.
    fn insert_until_sampled<S, W>(cache: &mut PolicyCache<u32, u32, TinyLfu, S, W>) -> u32
    where
        S: std::hash::BuildHasher,
        W: crate::Weigher<u32, u32>,
    {
        let sampled = |cache: &PolicyCache<u32, u32, TinyLfu, S, W>, key| {
            lossy_ghosts::sampled(cache.entries()[cache.handle_of(&key).unwrap()].hash)
        };
        let mut key = 1_000;
        cache.insert(key, 0);
        while !sampled(cache, key) {
            key += 1;
            cache.insert(key, 0);
        }
        key
    }

    #[test]
    fn a_victim_that_wins_moves_to_the_back_of_probation_when_rotating() {
        let cache_with = |rotate: bool| {
            let mut cache = full(TinyLfu {
                rotate,
                ..TinyLfu::default()
            });
            // The window holds 99; probation 0 to 98. The window's
            // candidate (99, one use) loses to the victim (0, one use):
            // 99 leaves.
            assert_eq!(
                order(&cache, Segment::Probation),
                (0..99).collect::<Vec<_>>()
            );
            cache.insert(1_000, 0);
            assert!(!cache.contains_key(&99));
            order(&cache, Segment::Probation)
        };
        let mut rotated: Vec<u32> = (1..99).collect();
        rotated.push(0);
        assert_eq!(cache_with(true), rotated);
        assert_eq!(cache_with(false), (0..99).collect::<Vec<_>>());
    }

    #[test]
    fn until_the_first_decision_an_entry_demoted_from_protected_forgets_its_uses() {
        let demoted = |decided: bool| {
            let mut cache = full(TinyLfu {
                decided,
                ..TinyLfu::default()
            });
            // 0 is hit five times: promoted to protected, with six uses.
            for _ in 0..5 {
                assert_eq!(cache.get(&0), Some(&0));
            }
            // Protected holds 79 entries at most (80% of the main space's
            // 99): promoting 1 to 79 demotes 0, the least recent.
            for key in 1..80 {
                assert_eq!(cache.get(&key), Some(&key));
            }
            let at = cache.handle_of(&0).unwrap();
            (
                cache.entries()[at].meta.segment,
                estimate(&cache, 0),
                cache.policy().weight(Segment::Protected),
            )
        };
        assert_eq!(demoted(true), (Segment::Probation, 6, 79));
        // Undecided, it keeps only what the sketch has of it (nothing: its
        // uses were all counted while it was resident).
        assert_eq!(demoted(false), (Segment::Probation, 0, 79));
    }

    #[test]
    fn a_reprieve_wears_the_victims_estimate_when_the_configuration_wears() {
        let cache_with = |wear: bool| {
            let mut cache = full(TinyLfu {
                rotate: true,
                wear,
                ..TinyLfu::default()
            });
            // Every entry has one use, and so has every newcomer: each
            // newcomer loses its contest to probation's next entry, which
            // moves to the back, spared once.
            for key in 1_000..1_099 {
                cache.insert(key, 0);
            }
            let spared = cache
                .handle_of(&0)
                .map(|at| cache.entries()[at].meta.reprieves());
            // Probation has gone round once: 0 meets the next newcomer
            // again.
            cache.insert(2_000, 0);
            (spared, cache.contains_key(&0), cache.contains_key(&1_098))
        };
        // Without wear, 0 wins again: the window's candidate (1,098)
        // leaves.
        assert_eq!(cache_with(false), (Some(0), true, false));
        // With it, 0's one use less its one reprieve is no use: the
        // newcomer wins and 0 leaves.
        assert_eq!(cache_with(true), (Some(1), false, true));
    }

    #[test]
    fn a_key_turned_away_beyond_the_adaptation_memory_comes_back_to_probation_if_recalled_or_reused_sooner(
    ) {
        // Where the key turned away first after `full` comes back, after
        // `later` more keys were turned away, and the window's target
        // before and after. Key 5 is hit once (which puts it in
        // protected, alone) before the watched key arrives, or after it
        // was turned away if `used_since`.
        let comeback = |recall: bool, later: u32, used_since: bool| {
            let mut cache = full(TinyLfu {
                recall,
                ..TinyLfu::default()
            });
            if !used_since {
                cache.get(&5);
            }
            let watched = insert_until_sampled(&mut cache);
            // The next turns it away, then `later` more are turned away.
            for key in watched + 1..=watched + 1 + later {
                cache.insert(key, 0);
            }
            assert!(!cache.contains_key(&watched), "turned away");
            if used_since {
                cache.get(&5);
            }
            assert_eq!(order(&cache, Segment::Protected), [5]);
            let target = cache.policy().window_target();
            cache.insert(watched, 0);
            let at = cache.handle_of(&watched).unwrap();
            (
                cache.entries()[at].meta.segment,
                target,
                cache.policy().window_target(),
                cache.contains_key(&5),
            )
        };
        // The window adapts on ghosts up to a tenth of the cache old (10
        // keys here), not on one 30 keys old. But protected's least recent
        // entry, 5, went unused for longer than the key was away: it goes
        // straight to probation (as in LIRS), the window unmoved, and
        // since it came back within half the cache it takes 5's place ...
        assert_eq!(
            comeback(false, 30, false),
            (Segment::Probation, 1, 1, false)
        );
        // ... or, back later, probation's least recent entry's.
        assert_eq!(comeback(false, 60, false), (Segment::Probation, 1, 1, true));
        // Not so if 5 was used since the key was turned away.
        assert_eq!(comeback(false, 30, true), (Segment::Window, 1, 1, true));
        // A recalling configuration sends it to probation either way, in
        // probation's least recent entry's place.
        assert_eq!(comeback(true, 30, true), (Segment::Probation, 1, 1, true));
        assert!(comeback(true, 30, false).3);
        assert_eq!(comeback(true, 60, true).0, Segment::Probation);
        // Twice the cache's weight turned away since: gone.
        assert_eq!(comeback(true, 200, true).0, Segment::Window);
        assert_eq!(comeback(false, 200, false).0, Segment::Window);
    }

    #[test]
    fn a_heavy_key_back_by_lirs_rule_replaces_one_protected_entry_and_probation_gives_the_rest() {
        // An entry weighs 1 plus its value. 0 to 99 of weight 1 (the
        // window holds 99, probation 0 to 98); 5 and 6 are hit once each,
        // so protected holds [5, 6].
        let mut cache = TinyLfuCache::builder(100)
            .hasher(ahash::RandomState::with_seeds(1, 2, 3, 4))
            .weigher(|_: &u32, extra: &u32| 1 + *extra as usize)
            .build();
        for key in 0..100 {
            cache.insert(key, 0);
        }
        cache.get(&5);
        cache.get(&6);
        // The next turns the sampled newcomer away from the window, then
        // 30 more are turned away (beyond the tenth of the cache the
        // window adapts on, within half the cache).
        let watched = insert_until_sampled(&mut cache);
        for key in watched + 1..=watched + 31 {
            cache.insert(key, 0);
        }
        assert!(!cache.contains_key(&watched), "turned away");
        assert_eq!(order(&cache, Segment::Protected), [5, 6]);
        let probation = order(&cache, Segment::Probation);
        // Back with a weight of 3, it needs three entries' room: protected's
        // least recent entry (5, the one LIRS' rule compared it with) and
        // probation's two least recent. 6 stays.
        cache.insert(watched, 2);
        let at = cache.handle_of(&watched).unwrap();
        assert_eq!(cache.entries()[at].meta.segment, Segment::Probation);
        assert!(!cache.contains_key(&5));
        assert!(cache.contains_key(&6));
        assert!(!cache.contains_key(&probation[0]));
        assert!(!cache.contains_key(&probation[1]));
        assert!(cache.contains_key(&probation[2]));
        assert_eq!(cache.currsize(), 100);
    }

    #[test]
    #[cfg_attr(miri, ignore = "inserts 70,000 keys; no unsafe code of its own")]
    fn an_entry_idle_for_longer_than_its_clock_spans_stays_idle() {
        // 100 entries: the clock counts single keys turned away, and an
        // entry's 16 bits span 65,536 of them.
        let mut cache = full(TinyLfu::default());
        for _ in 0..14 {
            cache.get(&5); // to protected, alone, where nothing evicts it
        }
        let idle = |cache: &TinyLfuCache<u32, u32>| {
            let policy = cache.policy();
            let seen = cache.entries()[cache.handle_of(&5).unwrap()].meta.seen;
            policy.seen_now().wrapping_sub(seen)
        };
        let turned_away = |cache: &TinyLfuCache<u32, u32>| cache.policy().ghosts.clock(Side::First);
        let start = turned_away(&cache);
        let mut key = 1_000;
        while turned_away(&cache) - start < 70_000 {
            cache.insert(key, 0);
            key += 1;
        }
        assert_eq!(order(&cache, Segment::Protected), [5]);
        // Without the sketch's agings pulling it back, 70,000 would read
        // as 70,000 - 65,536.
        assert!(idle(&cache) >= SEEN_HORIZON, "{}", idle(&cache));
    }

    #[test]
    #[cfg_attr(miri, ignore = "replays 101,100 requests; no unsafe code of its own")]
    fn a_loop_a_little_longer_than_the_cache_keeps_its_resident_part() {
        // A loop of 1,011 keys over 1,000 entries: the miniatures take the
        // loop-proof configuration, under which each key turned away comes
        // back after 11 others were, well within the ghosts the window
        // adapts on.
        let mut cache = TinyLfuCache::builder(1_000)
            .hasher(ahash::RandomState::with_seeds(1, 2, 3, 4))
            .build();
        let mut hits = 0;
        for pass in 0..100 {
            for key in 0..1_011u32 {
                if cache.get(&key).is_some() {
                    hits += u32::from(pass >= 50);
                } else {
                    cache.insert(key, key);
                }
            }
        }
        let ratio = f64::from(hits) / (50.0 * 1_011.0);
        let window = cache.policy().window_target();
        // The miniatures decided: demoted entries keep their uses now.
        assert!(cache.policy().decided && cache.policy().loop_proof);
        // Unbounded, the window grew towards the whole cache (to 753 here;
        // an LRU, which a loop longer than the cache never hits).
        assert!(window <= 63, "a sixteenth of 1,000, rounded up: {window}");
        assert!(ratio > 0.97, "the resident part of the loop stays: {ratio}");
    }

    #[test]
    fn a_growing_window_evicts_the_main_space_s_least_recent_under_a_windowed_configuration() {
        // The window's target once a turned-away key came back, then, after
        // one more newcomer, the window, probation's least recent entry and
        // whether 1 (probation's least recent before) is still cached.
        let grown = |grow_by_eviction: bool| {
            let mut cache = full(TinyLfu {
                grow_by_eviction,
                ..TinyLfu::default()
            });
            // The watched key is turned away by the next, then comes
            // back, and the window grows.
            let watched = insert_until_sampled(&mut cache);
            cache.insert(watched + 1, 0);
            assert!(!cache.contains_key(&watched), "turned away");
            // It comes back straight to probation, evicting 0.
            cache.insert(watched, 0);
            assert!(!cache.contains_key(&0));
            let target = cache.policy().window_target();
            cache.insert(5_000, 0);
            let window = order(&cache, Segment::Window);
            let window = window
                .iter()
                .map(|&key| if key == watched + 1 { u32::MAX } else { key })
                .collect::<Vec<_>>();
            (
                target,
                window,
                order(&cache, Segment::Probation)[0],
                cache.contains_key(&1),
            )
        };
        // Taking the main space in: probation's four least recent entries
        // move to the window (to its target of five), ahead of the
        // newcomer.
        assert_eq!(grown(false), (5, vec![1, 2, 3, 4, 5_000], 5, true));
        // Evicting instead: the window keeps the newcomer that turned the
        // watched key away (`u32::MAX` here) and takes the next, for
        // which probation's least recent entry, 1, leaves.
        assert_eq!(grown(true), (5, vec![u32::MAX, 5_000], 2, false));
    }

    #[test]
    fn under_arc_hits_go_to_t2_t1_leaves_first_over_p_and_an_evicted_key_comes_back_to_t2() {
        // 50 entries: too few for miniatures, so ARC and its `p` stay as
        // set.
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut cache = TinyLfuCache::builder(50).hasher(hasher).build();
        for key in 0..50 {
            cache.insert(key, key);
        }
        cache.policy_mut().apply(CONFIGS[miniature::ARC], true, 0.2);
        assert_eq!(cache.policy().window_target(), 10);
        for key in 0..25 {
            assert_eq!(cache.get(&key), Some(&key));
        }
        // Hits (in `T1` or the main space) go to `T2`, which is exact LRU.
        let t2: Vec<u32> = (0..25).collect();
        assert_eq!(order(&cache, Segment::Protected), t2);
        for key in 100..130 {
            cache.insert(key, key);
            assert_eq!(cache.len(), 50);
            assert!(cache.policy().weight(Segment::Window) <= 11);
        }
        // `T2`'s hit keys stayed: the main space's other entries left
        // while `T1` was within `p`, then `T1`'s least recent.
        assert_eq!(order(&cache, Segment::Protected), t2);
        assert_eq!(
            order(&cache, Segment::Window),
            (119..130).collect::<Vec<_>>()
        );
        // Hits count nothing in the sketch under ARC; evictions count 2.
        let sketched = |cache: &TinyLfuCache<u32, u32>, key: u32| {
            let handle = cache.handle_of(&key).expect("resident");
            cache
                .policy()
                .sketch
                .frequency(cache.entries()[handle].hash)
        };
        assert_eq!(sketched(&cache, 0), 0);
        assert!(!cache.contains_key(&30));
        cache.insert(30, 30);
        assert_eq!(sketched(&cache, 30), 2);
        // Evicted lately: back to `T2`, not `T1`.
        assert_eq!(order(&cache, Segment::Protected).last(), Some(&30));
        cache.insert(1_000, 0);
        assert_eq!(order(&cache, Segment::Window).last(), Some(&1_000));
        assert_eq!(cache.len(), 50);
    }

    #[test]
    fn a_hit_in_full_protected_s_probation_demotes_protected_s_least_recent() {
        let mut cache = full(TinyLfu::default());
        // Hit probation's entries until protected is full.
        while cache.policy().weight(Segment::Protected) < cache.policy().protected_max {
            let next = order(&cache, Segment::Probation)[0];
            cache.get(&next);
        }
        let protected = order(&cache, Segment::Protected);
        let probation = order(&cache, Segment::Probation);
        let hit = probation[0];
        cache.get(&hit);
        let policy = cache.policy();
        assert_eq!(policy.weight(Segment::Protected), policy.protected_max);
        // The hit entry is protected's most recent; protected's least
        // recent went to probation's most recent end.
        let mut expected = protected[1..].to_vec();
        expected.push(hit);
        assert_eq!(order(&cache, Segment::Protected), expected);
        let mut expected = probation[1..].to_vec();
        expected.push(protected[0]);
        assert_eq!(order(&cache, Segment::Probation), expected);
    }

    #[test]
    fn a_hit_in_probation_forgives_the_reprieves() {
        let mut cache = full(TinyLfu {
            rotate: true,
            wear: true,
            ..TinyLfu::default()
        });
        cache.insert(1_000, 0);
        let reprieves = |cache: &TinyLfuCache<u32, u32>, key| {
            cache.entries()[cache.handle_of(&key).unwrap()]
                .meta
                .reprieves()
        };
        assert_eq!(reprieves(&cache, 0), 1);
        cache.get(&0);
        assert_eq!(
            cache.entries()[cache.handle_of(&0).unwrap()].meta.segment,
            Segment::Protected
        );
        assert_eq!(reprieves(&cache, 0), 0);
    }

    #[test]
    fn a_hit_in_the_most_recent_half_of_protected_leaves_the_order_alone() {
        let mut cache = TinyLfuCache::new(100);
        for key in 0..100 {
            cache.insert(key, key);
        }
        for key in 0..60 {
            cache.get(&key); // from probation to protected, in this order
        }
        let before = order(&cache, Segment::Protected);
        assert_eq!(before, (0..60).collect::<Vec<_>>());
        // 31 went in 28 entries (of 60) ago: within the most recent half.
        cache.get(&31);
        assert_eq!(order(&cache, Segment::Protected), before);
        // 29 went in 30 entries ago, half the segment: it becomes the most
        // recent.
        cache.get(&29);
        let after = order(&cache, Segment::Protected);
        assert_eq!(after.last(), Some(&29));
        assert_eq!(after.len(), 60);
        assert_eq!(after[..29], before[..29]);
        // Now 29 is recent, and 31 (29 pushes back) still is.
        cache.get(&29);
        cache.get(&31);
        assert_eq!(order(&cache, Segment::Protected), after);
    }
}
