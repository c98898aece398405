//! A shard's cache, lent to many readers at once or to one writer: the
//! reader-writer discipline of [`ConcurrentCache`](crate::ConcurrentCache),
//! and the second module of the crate with `unsafe` (the cache lives in an
//! `UnsafeCell`; this module alone decides who may touch it).
//!
//! # Why not a `RwLock`
//!
//! A hit must not write to anything another core reads on its hits. A
//! `RwLock` counts its readers in one word, which every hit of every
//! thread writes twice; on many cores that line moves between them on
//! every hit, and the counter of hits would be a third shared write. Here
//! the readers of a shard are counted in *stripes*, one cache line each;
//! a thread reads through the stripe its number picks, so threads on
//! different stripes share no written line. The stripe's counter word also
//! counts the lookups (its high bits), and the stripe keeps the thread's
//! recent hits for the policy (a ring of entry handles): a hit is one
//! atomic add on entry, two plain stores, and one atomic subtract on exit,
//! all on the thread's own stripe. (Measured on the machine of the README,
//! one thread, 10,000 `u64` keys: a hashbrown lookup inside this gate 6.3
//! ns, inside a `parking_lot::RwLock` 6.6 ns, and 8.6 ns with a separate
//! atomic hit counter.)
//!
//! # The protocol
//!
//! - A reader adds one to its stripe's reader count, then checks the
//!   shard's `writing` flag. If it is clear, the reader may use `&C` until
//!   it subtracts its one again. If it is set, the reader subtracts at once
//!   and takes the shard's lock instead.
//! - A writer takes the shard's lock (so writers exclude each other), sets
//!   `writing`, then waits until every stripe counts no reader. Only then
//!   does it use `&mut C`; clearing `writing` ends the write.
//! - Holding the lock without writing also lends `&C` (no writer can start
//!   without the lock), alongside any readers.
//!
//! Every access to a stripe's word and to `writing` is `SeqCst`: either
//! the reader's load comes after the writer's store in their single total
//! order, and the reader sees `writing` and backs off, or it comes before,
//! and then so does the reader's add, which the writer's later load of the
//! stripe sees (Dekker's argument). A reader's exit is a release that the
//! writer's load acquires, so everything the reader did (its ring stores)
//! happens before the writer's access. (The exit would be correct as a
//! plain `Release` too, but Miri's model of mixed orderings then reports a
//! race it cannot rule out; on x86 every atomic add is the same `lock`
//! instruction whatever its ordering, so `SeqCst` costs nothing there.)
//!
//! Readers never wait inside the gate, so a writer waits at most as long
//! as the slowest reader runs user code (a key's `Eq`, a value's `Clone`).
//! A thread inside the gate that calls back into a cache is told it is
//! busy ([`this_thread::busy`](super::this_thread::busy)) and must not
//! wait for a writer, which may be waiting for it.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::this_thread::Section;

// A stripe's word: readers inside (bits 0-15, far more than threads can
// be on one stripe), lookups (bits 16-39) and misses (bits 40-63) counted
// since the last fold.
/// One reader in a stripe's word.
const READER: u64 = 1;
/// The reader count's bits.
const READERS: u64 = (1 << 16) - 1;
/// One lookup.
const LOOKUP: u64 = 1 << 16;
/// One miss.
const MISS: u64 = 1 << 40;
/// A count field's mask, once shifted down.
const FIELD: u64 = (1 << 24) - 1;
/// The top bit of each count field: a count that reaches it (8 million
/// lookups or misses on one stripe) is moved to the gate's 64-bit totals
/// before its 24 bits could wrap.
const FOLD_BITS: u64 = (1 << 39) | (1 << 63);
/// Hits a stripe keeps for the policy between two drains: a drain's fixed
/// cost (the lock, closing the gate) is shared by this many hits.
pub(crate) const RING: u32 = 64;

/// Where the threads of one stripe count themselves and record their hits.
#[repr(align(128))]
struct Stripe {
    /// Readers inside (low 20 bits) and lookups made (high 44 bits).
    word: AtomicU64,
    /// Hits recorded so far (wrapping): the next goes to `ring[tail % RING]`.
    tail: AtomicU32,
    /// `tail` at the last drain (written by the writer only).
    drained: AtomicU32,
    /// Tokens of recent hits; 0 is none (a token of an earlier lap may be
    /// read again after two threads raced on `tail`: one use too many, for
    /// a policy, never a dangling handle). Two threads on one stripe may
    /// overwrite each other's: the policy then misses a use, nothing more.
    ring: [AtomicU32; RING as usize],
}

impl Stripe {
    fn new() -> Self {
        Stripe {
            word: AtomicU64::new(0),
            tail: AtomicU32::new(0),
            drained: AtomicU32::new(0),
            ring: [const { AtomicU32::new(0) }; RING as usize],
        }
    }
}

/// Aligned so that what writers write and what readers read on every hit
/// stay on different cache lines.
#[repr(align(128))]
struct Padded<T>(T);

/// A cache lent to many readers or one writer, with state `T` that only
/// the holder of the lock sees.
pub(crate) struct Gate<C, T> {
    /// Read on every hit, written by writers only.
    shared: Padded<Shared<C>>,
    stripes: Box<[Stripe]>,
    /// `stripes.len() - 1` (a power of two less one).
    mask: u64,
    lock: Padded<Mutex<T>>,
    /// Lookups and misses moved out of the stripes' words (see
    /// [`FOLD_BITS`]).
    folded_lookups: AtomicU64,
    folded_misses: AtomicU64,
}

struct Shared<C> {
    writing: AtomicBool,
    cache: UnsafeCell<C>,
}

// SAFETY: the gate hands out `&C` to several threads at once (needs `C:
// Sync`) and `&mut C` or `C` itself to one thread at a time, possibly not
// the one that created it (needs `C: Send`); `T` is behind a mutex.
unsafe impl<C: Send + Sync, T: Send> Sync for Gate<C, T> {}
// SAFETY: the gate owns its `C` and `T`; sending it sends them.
unsafe impl<C: Send, T: Send> Send for Gate<C, T> {}

impl<C, T> Gate<C, T> {
    /// A gate around `cache` with `stripes` stripes (rounded up to a power
    /// of two, at least 1).
    pub(crate) fn new(cache: C, state: T, stripes: usize) -> Self {
        let n = stripes.clamp(1, 1 << 10).next_power_of_two();
        Gate {
            shared: Padded(Shared {
                writing: AtomicBool::new(false),
                cache: UnsafeCell::new(cache),
            }),
            stripes: (0..n).map(|_| Stripe::new()).collect(),
            mask: n as u64 - 1,
            lock: Padded(Mutex::new(state)),
            folded_lookups: AtomicU64::new(0),
            folded_misses: AtomicU64::new(0),
        }
    }

    /// Enters as a reader, unless a writer holds the cache (then `None`:
    /// take the [`lock`](Gate::lock)). `count_lookup` counts one lookup
    /// (also when the gate turns the reader away).
    #[inline(always)]
    pub(crate) fn enter(&self, count_lookup: bool) -> Option<Reader<'_, C, T>> {
        let (section, number) = Section::enter_numbered();
        // `number & mask` is at most `mask`, below the stripes' length.
        let stripe = &self.stripes[(number & self.mask) as usize];
        let add = if count_lookup {
            READER + LOOKUP
        } else {
            READER
        };
        let before = stripe.word.fetch_add(add, Ordering::SeqCst);
        if before & FOLD_BITS != 0 {
            self.fold(stripe);
        }
        if self.shared.0.writing.load(Ordering::SeqCst) {
            stripe.word.fetch_sub(READER, Ordering::SeqCst);
            return None;
        }
        Some(Reader {
            gate: self,
            stripe,
            leave: READER.wrapping_neg(),
            _section: section,
        })
    }

    /// Moves `stripe`'s counts to the gate's totals (rare: see
    /// [`FOLD_BITS`]). A compare-exchange, so that two threads folding at
    /// once cannot both move the same counts.
    #[cold]
    fn fold(&self, stripe: &Stripe) {
        let mut word = stripe.word.load(Ordering::SeqCst);
        loop {
            let counts = word & !READERS;
            match stripe.word.compare_exchange(
                word,
                word - counts,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => {
                    self.folded_lookups
                        .fetch_add((counts >> 16) & FIELD, Ordering::Relaxed);
                    self.folded_misses
                        .fetch_add(counts >> 40, Ordering::Relaxed);
                    return;
                }
                Err(now) => word = now,
            }
        }
    }

    /// Lookups and misses counted so far (see [`enter`](Gate::enter) and
    /// [`Reader::miss`]); summed while others count, a lookup's miss may
    /// show a moment after the lookup.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let (mut lookups, mut misses) = (
            self.folded_lookups.load(Ordering::Relaxed),
            self.folded_misses.load(Ordering::Relaxed),
        );
        for stripe in self.stripes.iter() {
            let word = stripe.word.load(Ordering::Relaxed);
            lookups = lookups.saturating_add((word >> 16) & FIELD);
            misses = misses.saturating_add(word >> 40);
        }
        (lookups, misses)
    }

    /// Takes the lock: then the cache can be read alongside readers, or
    /// written once they have left.
    pub(crate) fn lock(&self) -> Locked<'_, C, T> {
        let section = Section::enter();
        Locked {
            gate: self,
            guard: self.lock.0.lock(),
            _section: section,
        }
    }

    /// [`lock`](Gate::lock) if nobody holds it.
    pub(crate) fn try_lock(&self) -> Option<Locked<'_, C, T>> {
        let section = Section::enter();
        Some(Locked {
            gate: self,
            guard: self.lock.0.try_lock()?,
            _section: section,
        })
    }

    /// The cache, through exclusive access to the gate.
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self) -> &mut C {
        self.shared.0.cache.get_mut()
    }
}

/// A reader inside the gate: the cache is shared with other readers until
/// this is dropped.
pub(crate) struct Reader<'a, C, T> {
    gate: &'a Gate<C, T>,
    stripe: &'a Stripe,
    /// Added to the stripe's word on leaving: one reader less (wrapping),
    /// and for a miss one miss more.
    leave: u64,
    _section: Section,
}

impl<C, T> Reader<'_, C, T> {
    /// The cache.
    #[inline]
    pub(crate) fn cache(&self) -> &C {
        // SAFETY: this reader is counted in its stripe and saw `writing`
        // clear after counting itself, so no writer holds `&mut C` now or
        // until this reader leaves (the protocol in the module docs); only
        // shared references exist meanwhile.
        unsafe { &*self.gate.shared.0.cache.get() }
    }

    /// Records a hit's token (non-zero) for the policy; whether the
    /// stripe's ring is full and due for a [`Writing::drain`].
    #[inline]
    pub(crate) fn record(&self, token: u32) -> bool {
        let tail = self.stripe.tail.load(Ordering::Relaxed);
        self.stripe.ring[(tail % RING) as usize].store(token, Ordering::Relaxed);
        let tail = tail.wrapping_add(1);
        self.stripe.tail.store(tail, Ordering::Relaxed);
        tail.wrapping_sub(self.stripe.drained.load(Ordering::Relaxed)) >= RING
    }
}

impl<C, T> Reader<'_, C, T> {
    /// Leaves, counting the lookup a miss (in the atomic add that leaves).
    #[inline]
    pub(crate) fn miss(mut self) {
        self.leave = MISS.wrapping_sub(READER);
    }
}

impl<C, T> Drop for Reader<'_, C, T> {
    #[inline]
    fn drop(&mut self) {
        self.stripe.word.fetch_add(self.leave, Ordering::SeqCst);
    }
}

/// The gate's lock, held: the state, and the cache shared with readers.
pub(crate) struct Locked<'a, C, T> {
    gate: &'a Gate<C, T>,
    guard: MutexGuard<'a, T>,
    _section: Section,
}

impl<'a, C, T> Locked<'a, C, T> {
    /// The state only the lock's holder sees.
    #[inline]
    pub(crate) fn state(&mut self) -> &mut T {
        &mut self.guard
    }

    /// The cache, shared with the readers inside the gate.
    #[inline]
    pub(crate) fn cache(&self) -> &C {
        // SAFETY: a writer needs the lock, which this guard holds, and no
        // `Writing` of this guard is alive while `&self` is borrowed (it
        // borrows the guard mutably): only shared references exist.
        unsafe { &*self.gate.shared.0.cache.get() }
    }

    /// Waits for `ready` to be notified, letting go of the lock meanwhile.
    pub(crate) fn wait(&mut self, ready: &Condvar) {
        ready.wait(&mut self.guard);
    }

    /// Closes the gate and waits for the readers inside to leave: the
    /// cache is then this guard's alone until the [`Writing`] is dropped.
    pub(crate) fn write(&mut self) -> Writing<'_, 'a, C, T> {
        let shared = &self.gate.shared.0;
        shared.writing.store(true, Ordering::SeqCst);
        for stripe in self.gate.stripes.iter() {
            let mut spins = 0u32;
            while stripe.word.load(Ordering::SeqCst) & READERS != 0 {
                // Readers run only a lookup and a clone inside: spin a
                // little, then let them have the core.
                if spins < 6 {
                    for _ in 0..1u32 << spins {
                        core::hint::spin_loop();
                    }
                    spins += 1;
                } else {
                    std::thread::yield_now();
                }
            }
        }
        Writing { locked: self }
    }
}

/// The cache, written by the holder of the lock with the gate closed.
pub(crate) struct Writing<'l, 'a, C, T> {
    locked: &'l mut Locked<'a, C, T>,
}

impl<C, T> Writing<'_, '_, C, T> {
    /// The cache.
    #[inline]
    pub(crate) fn cache(&mut self) -> &mut C {
        // SAFETY: the gate is closed (`writing` set under the lock this
        // writer holds) and every stripe counted no reader afterwards:
        // readers arriving since see `writing` and stay out, the lock
        // keeps other writers and lock holders out, and `&mut self` makes
        // this the only reference.
        unsafe { &mut *self.locked.gate.shared.0.cache.get() }
    }

    /// Hands every hit the stripes recorded since the last drain to
    /// `replay`, oldest first per stripe (at most [`RING`] per stripe; a
    /// ring that overflowed lost its oldest).
    pub(crate) fn drain(&mut self, mut replay: impl FnMut(&mut C, u32)) {
        let gate = self.locked.gate;
        for stripe in gate.stripes.iter() {
            let tail = stripe.tail.load(Ordering::Relaxed);
            let drained = stripe.drained.load(Ordering::Relaxed);
            let pending = tail.wrapping_sub(drained).min(RING);
            if pending == 0 {
                continue;
            }
            // Mark them drained first: `replay` runs a policy, which does
            // not panic, but if it did the ring would not be replayed twice.
            // (The slots need no clearing: `drained` says which are new.)
            stripe.drained.store(tail, Ordering::Relaxed);
            for i in (0..pending).rev() {
                let slot = &stripe.ring[(tail.wrapping_sub(i + 1) % RING) as usize];
                let token = slot.load(Ordering::Relaxed);
                if token != 0 {
                    replay(self.cache(), token);
                }
            }
        }
    }
}

impl<C, T> Drop for Writing<'_, '_, C, T> {
    #[inline]
    fn drop(&mut self) {
        self.locked
            .gate
            .shared
            .0
            .writing
            .store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn readers_share_and_writers_exclude() {
        let gate = Arc::new(Gate::new(vec![0u64; 4], 0u64, 4));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    let rounds = if cfg!(miri) { 20 } else { 2_000 };
                    for i in 0..rounds {
                        if (i + t) % 4 == 0 {
                            let mut locked = gate.lock();
                            *locked.state() += 1;
                            let mut writing = locked.write();
                            // A torn write would show as unequal elements.
                            for x in writing.cache().iter_mut() {
                                *x += 1;
                            }
                        } else if let Some(reader) = gate.enter(true) {
                            let v = reader.cache();
                            assert!(v.iter().all(|&x| x == v[0]), "a reader saw a write");
                        } else {
                            let locked = gate.lock();
                            let v = locked.cache();
                            assert!(v.iter().all(|&x| x == v[0]));
                        }
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let mut gate = Arc::into_inner(gate).unwrap();
        let writes = *gate.lock().state();
        assert_eq!(gate.get_mut()[0], writes);
        let rounds = if cfg!(miri) { 20 } else { 2_000 };
        assert_eq!(gate.counts(), (4 * rounds - writes, 0));
    }

    #[test]
    fn hits_recorded_inside_are_drained_in_order_once() {
        let gate = Gate::new(Vec::<u32>::new(), (), 1);
        for token in 1..=5 {
            let reader = gate.enter(false).unwrap();
            assert!(!reader.record(token));
        }
        let mut locked = gate.lock();
        let mut writing = locked.write();
        writing.drain(|seen, token| seen.push(token));
        writing.drain(|seen, token| seen.push(token));
        assert_eq!(*writing.cache(), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_full_ring_asks_for_a_drain_and_keeps_the_newest() {
        let gate = Gate::new(Vec::<u32>::new(), (), 1);
        let due = (1..=RING + 3)
            .map(|token| gate.enter(false).unwrap().record(token))
            .filter(|&due| due)
            .count();
        assert_eq!(due, 4, "from the RING-th record on");
        let mut locked = gate.lock();
        let mut writing = locked.write();
        writing.drain(|seen, token| seen.push(token));
        let expected: Vec<u32> = (4..=RING + 3).collect();
        assert_eq!(*writing.cache(), expected);
    }

    #[test]
    fn a_closed_gate_turns_readers_away_but_counts_their_lookup() {
        let gate = Gate::new(0u8, (), 2);
        let mut locked = gate.lock();
        let writing = locked.write();
        assert!(gate.enter(true).is_none());
        drop(writing);
        assert!(gate.enter(true).is_some());
        assert_eq!(gate.counts(), (2, 0));
    }

    #[test]
    fn a_panicking_reader_leaves_the_gate() {
        let gate = Gate::new(0u8, (), 1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _reader = gate.enter(false).unwrap();
            panic!("user code");
        }));
        assert!(caught.is_err());
        // A writer would wait forever for a reader that never left.
        let mut locked = gate.lock();
        drop(locked.write());
        drop(locked);
        assert!(!super::super::this_thread::busy());
    }

    #[test]
    fn folding_keeps_the_counts() {
        let gate = Gate::new((), (), 1);
        let near = FIELD >> 1; // one below the fold bit of each field
        gate.stripes[0]
            .word
            .store((near << 16) | (near << 40), Ordering::Relaxed);
        for _ in 0..3 {
            gate.enter(true).unwrap().miss();
        }
        drop(gate.enter(true));
        assert_eq!(gate.counts(), (near + 4, near + 3));
        let word = gate.stripes[0].word.load(Ordering::Relaxed);
        assert_eq!(word & FOLD_BITS, 0, "folded before a field could wrap");
        assert_eq!(word & READERS, 0);
    }
}
