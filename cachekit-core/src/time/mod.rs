//! Time: the [`Clock`](crate::Clock) the expiring caches read, and the
//! expiring policies ([`TtlCache`](crate::TtlCache): one time-to-live for
//! all entries; [`TlruCache`](crate::TlruCache): a deadline per entry).
//! Inside, time is a `Moment` (`moment.rs`): nanoseconds on one
//! process-wide line, which the coarse clock stores as they are, so that a
//! hit's deadline check is an integer comparison; `Instant`s appear only
//! where users see time.

pub(crate) mod clock;
pub(crate) mod coarse;
pub(crate) mod frozen;
pub(crate) mod moment;
pub(crate) mod tlru;
pub(crate) mod ttl;
pub(crate) mod wheel;
