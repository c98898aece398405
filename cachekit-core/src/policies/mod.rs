//! The eviction policies, one file each, and the history the adaptive ones
//! keep ([`history`]). Each policy implements [`Policy`](crate::Policy) and
//! names its cache as an alias of [`PolicyCache`](crate::PolicyCache).
//! The time-aware policies live in [`time`](crate::time).

pub mod arc;
pub(crate) mod fifo;
pub(crate) mod history;
pub(crate) mod lfu;
pub(crate) mod lru;
pub(crate) mod mru;
pub(crate) mod rr;
pub(crate) mod shared_hits;
pub mod tinylfu;
pub(crate) mod unbounded;
