//! Time: the [`Clock`](crate::Clock) the expiring caches read, and the
//! expiring policies ([`TtlCache`](crate::TtlCache): one time-to-live for
//! all entries; [`TlruCache`](crate::TlruCache): a deadline per entry).

pub(crate) mod clock;
pub(crate) mod coarse;
pub(crate) mod frozen;
pub(crate) mod moment;
pub(crate) mod tlru;
pub(crate) mod ttl;
pub(crate) mod wheel;
