//! The time the expiring policies keep: nanoseconds on one process-wide
//! line, so that reading the coarse clock, comparing a deadline and
//! counting wheel ticks are integer operations.
//!
//! An [`Instant`] is opaque: turning the coarse clock's stored nanoseconds
//! into one costs a division and an out-of-line checked add, and comparing
//! two compares seconds, then nanoseconds. A TTL hit does both, and they
//! made it 1.5 times an LRU hit. A [`Moment`] is the offset from a process
//! origin, biased so that instants long before the origin fit too: a
//! 96-bit count held as a 32-bit and a 64-bit word (12 bytes, 4-byte
//! aligned, so that a TTL entry stays small), exact to the nanosecond over
//! the whole range an `Instant` has, and converted to and from `Instant`
//! only where users see time.

use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The high word of the origin: instants up to 2^94 ns (about 6e11
/// years) either side of the origin are exact, far more than an `Instant`
/// holds.
const ORIGIN_HI: u32 = 1 << 30;

/// [`ORIGIN_HI`] as the high word's type.
const ORIGIN_HI_WORD: NonZeroU32 = match NonZeroU32::new(ORIGIN_HI) {
    Some(word) => word,
    None => panic!("the origin's high word is not zero"),
};

/// The origin's count: [`ORIGIN_HI`] in the high word.
const BASE: u128 = (ORIGIN_HI as u128) << 64;

/// Beyond this many nanoseconds from the origin (about 157 billion years,
/// past what an `Instant` can hold) a deadline is "never", as an
/// `Instant` sum that overflows is.
const HORIZON: u128 = 1 << 92;

/// A point in time, or [`NEVER`](Moment::NEVER). Ordered as time is, with
/// `NEVER` after every instant.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C, packed(4))]
pub struct Moment {
    /// Never zero (every moment lies within 2^94 ns of 2^94): so an entry
    /// holding a moment leaves the arena's slot tag a niche.
    hi: NonZeroU32,
    lo: u64,
}

// Ordered as the 128-bit count: one compare and one subtract with borrow,
// where comparing the words in turn branches twice.
impl Ord for Moment {
    #[inline]
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.bits().cmp(&other.bits())
    }
}

impl PartialOrd for Moment {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }

    #[inline]
    fn lt(&self, other: &Self) -> bool {
        self.bits() < other.bits()
    }

    #[inline]
    fn le(&self, other: &Self) -> bool {
        self.bits() <= other.bits()
    }

    #[inline]
    fn gt(&self, other: &Self) -> bool {
        self.bits() > other.bits()
    }

    #[inline]
    fn ge(&self, other: &Self) -> bool {
        self.bits() >= other.bits()
    }
}

impl Default for Moment {
    fn default() -> Self {
        Moment::NEVER
    }
}

/// The instant every moment counts from: the first time the process asked.
#[inline]
pub(crate) fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

impl Moment {
    /// Later than every instant: a deadline that never comes.
    pub const NEVER: Moment = Moment {
        hi: NonZeroU32::MAX,
        lo: u64::MAX,
    };

    /// The moment of a count, `NEVER` from its count on. Every count made
    /// here is at least 2^94 - 2^93, so the high word is never zero (a
    /// zero would be read as the earliest moment rather than wrap).
    #[inline]
    fn from_bits(bits: u128) -> Moment {
        if bits >= Moment::NEVER.bits() {
            return Moment::NEVER;
        }
        Moment {
            hi: NonZeroU32::new((bits >> 64) as u32).unwrap_or(NonZeroU32::MIN),
            lo: bits as u64,
        }
    }

    #[inline]
    const fn bits(self) -> u128 {
        ((self.hi.get() as u128) << 64) | self.lo as u128
    }

    /// `nanos` nanoseconds after the origin (what the coarse clock stores).
    #[inline]
    pub(crate) const fn from_origin_nanos(nanos: u64) -> Moment {
        Moment {
            hi: ORIGIN_HI_WORD,
            lo: nanos,
        }
    }

    /// The moment of `at`.
    pub fn of(at: Instant) -> Moment {
        let origin = origin();
        // An `Instant` lies within 2^93 ns of any other (its seconds are
        // an `i64` on every platform that has more than a `u64` count of
        // ticks), the bias is 2^94.
        Moment::from_bits(match at.checked_duration_since(origin) {
            Some(after) => BASE + after.as_nanos(),
            None => BASE - origin.duration_since(at).as_nanos(),
        })
    }

    /// The instant of this moment; `None` for `NEVER` or a moment an
    /// `Instant` cannot hold.
    pub fn instant(self) -> Option<Instant> {
        if self == Moment::NEVER {
            return None;
        }
        let origin = origin();
        if self.hi == ORIGIN_HI_WORD {
            // The common case: within 584 years after the origin.
            return origin.checked_add(Duration::from_nanos(self.lo));
        }
        let bits = self.bits();
        if bits >= BASE {
            origin.checked_add(duration(bits - BASE))
        } else {
            origin.checked_sub(duration(BASE - bits))
        }
    }

    /// `by` later; `NEVER` when that is beyond any instant (as
    /// `Instant::checked_add` fails) or `self` is `NEVER`.
    #[inline]
    pub fn after(self, by: Duration) -> Moment {
        // Counts stay below 2^96 and a `Duration` below 2^94 ns: no
        // overflow, and `NEVER` plus anything is past the horizon.
        let bits = self.bits() + by.as_nanos();
        if bits <= BASE + HORIZON {
            Moment::from_bits(bits)
        } else {
            Moment::NEVER
        }
    }

    /// `by` earlier; `None` for `NEVER` or before any instant.
    #[inline]
    pub fn before(self, by: Duration) -> Option<Moment> {
        if self == Moment::NEVER {
            return None;
        }
        let bits = self.bits().checked_sub(by.as_nanos())?;
        (bits >= BASE - HORIZON).then(|| Moment::from_bits(bits))
    }

    /// Nanoseconds from `earlier` to `self` (0 if `earlier` is later),
    /// saturating at `u64::MAX` (584 years).
    #[inline]
    pub(crate) fn nanos_since(self, earlier: Moment) -> u64 {
        if { self.hi } == { earlier.hi } {
            return self.lo.saturating_sub(earlier.lo);
        }
        u64::try_from(self.bits().saturating_sub(earlier.bits())).unwrap_or(u64::MAX)
    }

    /// `nanos` nanoseconds later, saturating at `NEVER`.
    #[inline]
    pub(crate) fn add_nanos(self, nanos: u64) -> Moment {
        // Below 2^96 + 2^64: no overflow; `from_bits` saturates.
        Moment::from_bits(self.bits() + u128::from(nanos))
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn duration_since(self, earlier: Moment) -> Duration {
        duration(self.bits().saturating_sub(earlier.bits()))
    }
}

/// A duration of `nanos` nanoseconds, saturating at `Duration::MAX`.
fn duration(nanos: u128) -> Duration {
    const NANOS: u128 = 1_000_000_000;
    match u64::try_from(nanos / NANOS) {
        Ok(secs) => Duration::new(secs, (nanos % NANOS) as u32),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn instants_round_trip_and_keep_their_order() {
        let origin = origin();
        let later = origin + Duration::from_secs(3);
        let earlier = origin.checked_sub(Duration::from_nanos(1));
        assert_eq!(Moment::of(origin).instant(), Some(origin));
        assert_eq!(Moment::of(later).instant(), Some(later));
        assert!(Moment::of(origin) < Moment::of(later));
        if let Some(earlier) = earlier {
            assert_eq!(Moment::of(earlier).instant(), Some(earlier));
            assert!(Moment::of(earlier) < Moment::of(origin));
        }
        assert_eq!(
            Moment::from_origin_nanos(5).instant(),
            Some(origin + Duration::from_nanos(5))
        );
    }

    #[test]
    fn never_is_after_everything_and_stays_never() {
        let now = Moment::of(Instant::now());
        assert!(now < Moment::NEVER);
        assert!(now.after(Duration::MAX) == Moment::NEVER);
        assert_eq!(Moment::NEVER.after(Duration::ZERO), Moment::NEVER);
        assert_eq!(Moment::NEVER.before(Duration::ZERO), None);
        assert_eq!(Moment::NEVER.instant(), None);
        assert_eq!(now.before(Duration::MAX), None);
        assert_eq!(Moment::NEVER.add_nanos(1), Moment::NEVER);
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// Moments add, subtract and compare as the instants they stand
        /// for, across the origin and across the low word's wrap.
        #[test]
        fn arithmetic_matches_instants(
            a in 0u64..u64::MAX,
            b in 0u64..u64::MAX,
            back in 0u64..1 << 40,
        ) {
            let origin = origin();
            let start = Moment::from_origin_nanos(a);
            let by = Duration::from_nanos(b);
            let sum = start.after(by);
            prop_assert!(sum >= start);
            prop_assert_eq!(sum.duration_since(start), by);
            prop_assert_eq!(sum.before(by), Some(start));
            prop_assert_eq!(sum.nanos_since(start), b);
            prop_assert_eq!(start.add_nanos(b), sum);
            prop_assert_eq!(start.instant(), origin.checked_add(Duration::from_nanos(a)));
            if let Some(at) = sum.instant() {
                prop_assert_eq!(Moment::of(at), sum);
            }
            if let Some(before) = origin.checked_sub(Duration::from_nanos(back)) {
                let m = Moment::of(before);
                prop_assert_eq!(m.instant(), Some(before));
                prop_assert_eq!(Moment::from_origin_nanos(0).duration_since(m), Duration::from_nanos(back));
                prop_assert_eq!(m.cmp(&start), before.cmp(&origin.checked_add(Duration::from_nanos(a)).unwrap()));
            }
        }
    }
}
