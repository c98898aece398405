//! An instant held still for a batch of operations
//! ([`PolicyCache::freeze_time`](crate::PolicyCache::freeze_time)).
//!
//! The instant lives in the policy, but it only counts while the guard that
//! froze it is alive: the guard and the policy share a flag the guard
//! clears when it is dropped. So a frozen cache that safe code moves away
//! from under its guard (`mem::swap` through the guard's `DerefMut`) thaws
//! all the same when the guard goes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::clock::Clock;
use super::moment::Moment;

/// The instant operations see while a [`FrozenTime`](crate::FrozenTime)
/// guard is alive.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Frozen {
    now: Instant,
    /// `now` as a moment.
    moment: Moment,
    /// Cleared when the guard that froze time is dropped.
    alive: Arc<AtomicBool>,
}

impl Frozen {
    /// Time held still at `now`, with the flag its guard keeps.
    pub(crate) fn new(now: Instant) -> (Self, Thaw) {
        let alive = Arc::new(AtomicBool::new(true));
        (
            Frozen {
                now,
                moment: Moment::of(now),
                alive: alive.clone(),
            },
            Thaw(alive),
        )
    }

    /// The frozen instant, while its guard lives.
    #[inline]
    pub(crate) fn instant(&self) -> Option<Instant> {
        self.alive.load(Ordering::Acquire).then_some(self.now)
    }

    /// The frozen moment, while its guard lives.
    #[inline]
    pub(crate) fn moment(&self) -> Option<Moment> {
        self.alive.load(Ordering::Acquire).then_some(self.moment)
    }
}

/// The time an expiring policy's operations see: the frozen moment while a
/// guard holds one, else `clock`'s.
#[inline]
pub(crate) fn now<C: Clock>(frozen: &Option<Frozen>, clock: &C) -> Moment {
    match frozen {
        None => clock.moment(),
        Some(frozen) => frozen.moment().unwrap_or_else(|| clock.moment()),
    }
}

/// The guard's half: dropping it thaws every policy holding the instant.
#[derive(Debug)]
pub(crate) struct Thaw(Arc<AtomicBool>);

impl Drop for Thaw {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
