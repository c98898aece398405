//! A clock that costs a few loads to read: one ticker thread per process
//! stores the time every millisecond, and readers load it.
//!
//! `Instant::now()` is a system call or a vDSO read of a clock source:
//! about 20-30 ns on virtual machines, more than a whole LRU hit. A TTL
//! cache reads the time on every operation, so the default clock of the
//! time-aware caches is this one, as moka and Caffeine's "ticker" keep a
//! coarse time for expiry.
//!
//! The ticker parks when nobody has read the clock for a second and the
//! next reader wakes it (reading the exact time itself that once), so an
//! idle process does not wake up a thousand times a second for nothing.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::clock::Clock;
use super::moment::{self, Moment};

/// How often the ticker stores the time: a deadline is met within this
/// much (plus the ticker's scheduling delay), never early.
pub const RESOLUTION: Duration = Duration::from_millis(1);

/// Ticks without a reader after which the ticker parks.
const IDLE_TICKS: u32 = 1_000;

/// The process's monotonic time, read through one shared ticker thread:
/// a read is an atomic load or two, instead of a clock system call.
///
/// It runs behind real time by at most 1 ms plus however
/// long the ticker thread waits to be scheduled, and never ahead of it, so
/// an entry never expires early and expires late by about a millisecond.
/// The ticker thread (`cachekit-clock`) starts on the first read and parks
/// after a second without readers. Where it cannot run (the thread cannot
/// be spawned, or under Miri), every read asks the system, as
/// [`MonotonicClock`](crate::MonotonicClock) does.
///
/// A process that `fork`s after the first read has no ticker in the child
/// (threads do not survive a fork), so the child's coarse time stands
/// still: give caches used across a fork a
/// [`MonotonicClock`](crate::MonotonicClock).
///
/// This is the default clock of [`TtlCache`](crate::TtlCache) and
/// [`TlruCache`](crate::TlruCache); give them a `MonotonicClock` for
/// deadlines exact to the nanosecond, or a
/// [`ManualClock`](crate::ManualClock) in tests.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::time::Instant;
/// use cachekit::{Clock, CoarseClock};
///
/// let before = Instant::now();
/// let coarse = CoarseClock.now();
/// assert!(coarse <= Instant::now());
/// assert!(before.saturating_duration_since(coarse) <= std::time::Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CoarseClock;

impl Clock for CoarseClock {
    #[inline]
    fn now(&self) -> Instant {
        TICKER.now()
    }

    #[inline]
    fn moment(&self) -> Moment {
        Moment::from_origin_nanos(TICKER.nanos())
    }
}

/// The ticker's state word.
const TICKED: u8 = 0; // the ticker stored a time nobody has read yet
const READ: u8 = 1; // someone read the time since the last tick
const PARKED: u8 = 2; // the ticker sleeps until a reader wakes it
const NO_TICKER: u8 = 3; // every read asks the system
const UNSTARTED: u8 = 4; // no ticker yet: the first reader starts it
const STARTING: u8 = 5; // a reader is starting it: reads ask the system

struct Ticker {
    /// Nanoseconds from the moments' origin
    /// ([`moment::origin`]), only ever raised (`fetch_max`): a stored
    /// time is a [`Moment`] as it is.
    nanos: AtomicU64,
    state: AtomicU8,
    thread: OnceLock<Thread>,
}

/// The process's ticker: a plain static, so that a read tests no
/// initialization flag; the first read starts the thread.
static TICKER: Ticker = Ticker {
    nanos: AtomicU64::new(0),
    state: AtomicU8::new(UNSTARTED),
    thread: OnceLock::new(),
};

/// Starts the process's ticker (the state was `UNSTARTED`); a reader that
/// loses the race to start it reads the system's time meanwhile.
#[cold]
fn start() {
    TICKER.store_now();
    if TICKER
        .state
        .compare_exchange(UNSTARTED, STARTING, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
    {
        TICKER.state.store(READ, Ordering::Release);
        TICKER.spawn(IDLE_TICKS);
    }
}

fn ticker_loop(ticker: &'static Ticker, idle_ticks: u32) {
    let _ = ticker.thread.set(std::thread::current());
    let mut idle = 0;
    loop {
        std::thread::sleep(RESOLUTION);
        ticker.store_now();
        // A reader since the last tick resets the idle count.
        if ticker.state.swap(TICKED, Ordering::AcqRel) == READ {
            idle = 0;
            continue;
        }
        idle += 1;
        if idle >= idle_ticks
            && ticker
                .state
                .compare_exchange(TICKED, PARKED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            // A reader that sees PARKED unparks us; an unpark that comes
            // before this park makes it return at once.
            while ticker.state.load(Ordering::Acquire) == PARKED {
                std::thread::park();
            }
            idle = 0;
        }
    }
}

impl Ticker {
    /// A ticker of its own, started at the current time (for tests; the
    /// process's is [`TICKER`]).
    #[cfg(test)]
    fn new() -> Ticker {
        let ticker = Ticker {
            nanos: AtomicU64::new(0),
            state: AtomicU8::new(if cfg!(miri) { NO_TICKER } else { READ }),
            thread: OnceLock::new(),
        };
        ticker.store_now();
        ticker
    }

    /// Starts the ticker thread; without one, reads ask the system.
    fn spawn(&'static self, idle_ticks: u32) {
        if cfg!(miri) {
            self.state.store(NO_TICKER, Ordering::Relaxed);
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("cachekit-clock".into())
            .spawn(move || ticker_loop(self, idle_ticks));
        if spawned.is_err() {
            self.state.store(NO_TICKER, Ordering::Relaxed);
        }
    }

    fn store_now(&self) {
        let nanos = u64::try_from(moment::origin().elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_max(nanos, Ordering::Release);
    }

    #[inline]
    fn now(&self) -> Instant {
        moment::origin() + Duration::from_nanos(self.nanos())
    }

    /// Nanoseconds from `origin` to now (at the last tick).
    #[inline]
    fn nanos(&self) -> u64 {
        let state = self.state.load(Ordering::Relaxed);
        if state != READ {
            self.seen(state);
        }
        self.nanos.load(Ordering::Acquire)
    }

    #[cold]
    fn seen(&self, state: u8) {
        match state {
            TICKED => {
                let _ =
                    self.state
                        .compare_exchange(TICKED, READ, Ordering::Relaxed, Ordering::Relaxed);
            }
            PARKED => {
                // The stored time is as old as the ticker's sleep: read
                // the system's once, then wake the ticker.
                self.store_now();
                if self
                    .state
                    .compare_exchange(PARKED, READ, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
                {
                    if let Some(thread) = self.thread.get() {
                        thread.unpark();
                    }
                }
            }
            UNSTARTED => start(),
            _ => self.store_now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (up to 10 s, so that a broken ticker fails instead of
    /// hanging) until `done`.
    fn eventually(mut done: impl FnMut() -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    #[test]
    fn the_clock_moves_and_never_runs_ahead_or_back() {
        let mut last = CoarseClock.now();
        assert!(eventually(|| {
            let now = CoarseClock.now();
            assert!(now >= last, "went backwards");
            assert!(now <= Instant::now(), "ran ahead of the system clock");
            let moved = now > last;
            last = now;
            moved || cfg!(miri)
        }));
    }

    #[test]
    fn an_idle_ticker_parks_and_the_next_reader_gets_fresh_time() {
        if cfg!(miri) {
            // No ticker thread under Miri (and a leaked one would be
            // reported): reads are exact.
            let ticker = Ticker::new();
            let before = Instant::now();
            assert!(ticker.now() >= before, "without a ticker, reads are exact");
            return;
        }
        let ticker: &'static Ticker = Box::leak(Box::new(Ticker::new()));
        ticker.spawn(5);
        assert!(eventually(|| ticker.state.load(Ordering::Acquire) == PARKED));
        std::thread::sleep(Duration::from_millis(20));
        let before = Instant::now();
        assert!(ticker.now() >= before, "a parked ticker's time is stale");
        // The reader woke it: it ticks again.
        assert!(eventually(|| ticker.state.load(Ordering::Acquire) == TICKED));
    }

    #[test]
    fn without_a_ticker_every_read_is_exact() {
        let ticker = Ticker::new();
        ticker.state.store(NO_TICKER, Ordering::Relaxed);
        let before = Instant::now();
        assert!(ticker.now() >= before);
    }
}
