//! Time sources for the time-aware caches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::moment::Moment;

/// Where a time-aware cache reads the current time (cachetools' `timer`).
///
/// The default is [`CoarseClock`](crate::CoarseClock) (a millisecond
/// ticker, cheap to read); [`MonotonicClock`] reads the system clock each
/// time; tests use a [`ManualClock`] and move time by hand, so no test
/// needs to sleep.
pub trait Clock {
    /// The current instant; must never go backwards.
    fn now(&self) -> Instant;

    /// [`now`](Clock::now) as the caches keep time; a clock that can say it
    /// without making an `Instant` (the coarse clock) overrides it.
    #[doc(hidden)]
    #[inline]
    fn moment(&self) -> Moment {
        Moment::of(self.now())
    }
}

/// The operating system's monotonic clock, [`Instant::now`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MonotonicClock;

impl Clock for MonotonicClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to; clones share one time, so a test
/// keeps a clone and drives the cache's clock with it.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::time::Duration;
/// use cachekit::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let cache_side = clock.clone();
/// let start = cache_side.now();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(cache_side.now() - start, Duration::from_secs(90));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    origin: Instant,
    /// `origin` as a moment.
    start: Moment,
    elapsed_nanos: Arc<AtomicU64>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock standing at an arbitrary origin.
    pub fn new() -> Self {
        let origin = Instant::now();
        ManualClock {
            origin,
            start: Moment::of(origin),
            elapsed_nanos: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Moves time forward by `by` for every clone of this clock.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // Saturates after 584 years of advancing instead of wrapping.
        let _ = self
            .elapsed_nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(nanos))
            });
    }

    /// Time advanced since the clock was created.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_nanos.load(Ordering::Acquire))
    }
}

impl Clock for ManualClock {
    #[inline]
    fn now(&self) -> Instant {
        self.origin + self.elapsed()
    }

    #[inline]
    fn moment(&self) -> Moment {
        self.start
            .add_nanos(self.elapsed_nanos.load(Ordering::Acquire))
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    #[inline]
    fn now(&self) -> Instant {
        (**self).now()
    }

    #[inline]
    fn moment(&self) -> Moment {
        (**self).moment()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    #[inline]
    fn now(&self) -> Instant {
        (**self).now()
    }

    #[inline]
    fn moment(&self) -> Moment {
        (**self).moment()
    }
}
