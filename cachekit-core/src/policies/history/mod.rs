//! What the adaptive policies remember beyond their entries: how often
//! keys were used ([`frequency_sketch`], TinyLFU's admission test) and
//! which keys were evicted a moment ago (ghosts, from which ARC and
//! TinyLFU learn whether recency or frequency pays).
//!
//! There are two ghost memories because the two policies ask different
//! questions. ARC's adaptation depends on the exact order of its `B1` and
//! `B2` lists, so [`exact_ghosts`] keeps every evicted key in FIFO queues
//! indexed by a hash table (as do TinyLFU's miniatures, for the few keys
//! they sample). TinyLFU only asks "was this key evicted recently, from
//! which segment, and how long ago?", which [`lossy_ghosts`] answers from
//! one cache line per operation, remembering a sample of the keys and
//! forgetting a few early.

pub(crate) mod exact_ghosts;
pub(crate) mod frequency_sketch;
pub(crate) mod lossy_ghosts;

/// Which of a policy's two ghost lists a ghost is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Side {
    /// ARC's `B1`, TinyLFU's window ghosts.
    #[default]
    First,
    /// ARC's `B2`, TinyLFU's main-space ghosts.
    Second,
}

/// ARC's adaptation step for a ghost hit on a side whose ghosts weigh
/// `this` while the other side's weigh `other`: their ratio, at least 1.
/// Shared by both ghost memories.
#[inline]
pub(crate) fn adaptation_step(this: u64, other: u64) -> f64 {
    (other as f64 / this.max(1) as f64).max(1.0)
}
