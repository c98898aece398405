//! One shard of a [`ConcurrentCache`](crate::ConcurrentCache): its cache
//! behind a [`Gate`], the counters of its lookups, and the computations in
//! progress of its keys.

use core::future::Future;
use core::hash::Hash;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::{Context, Poll};

use equivalent::Equivalent;
use parking_lot::Condvar;

use super::flight::{Flights, Owner};
use super::gate::{Gate, Locked};
use super::this_thread;
use crate::{Cache, CacheStats, Shardable, TooLarge};

/// What only the holder of a shard's lock sees.
pub(crate) struct State<K> {
    pub(crate) flights: Flights<K>,
}

pub(crate) struct Shard<C: Shardable> {
    pub(crate) gate: Gate<C, State<C::Key>>,
    /// Whether the cache hashes keys with the concurrent cache's hasher
    /// (then its `_hashed` methods take the concurrent cache's hashes).
    pub(crate) hashed: bool,
    /// Notified whenever a computation ends (threads waiting for one).
    ready: Condvar,
    /// Misses counted away from the gate (under the lock, or by a claim);
    /// hits are the gate's lookups less all misses.
    misses: AtomicU64,
    /// The gate's lookup and miss counts at the last `reset_stats`.
    lookups_before: AtomicU64,
    misses_before: AtomicU64,
}

/// The outcome of `Shard::claim`: the value, stored meanwhile by another
/// caller, or the computation this caller now owes.
pub enum Claim<'a, C: Shardable, V> {
    /// The value (a hit).
    Value(V),
    /// Compute the value, then [`finish`](Ticket::finish) the ticket.
    Compute(Ticket<'a, C>),
}

impl<C: Shardable> Shard<C> {
    /// A shard holding `cache`; `hashed` if the cache adopted the
    /// concurrent cache's hasher.
    pub(crate) fn new(mut cache: C, hashed: bool, stripes: usize) -> Self {
        cache.share();
        Shard {
            gate: Gate::new(
                cache,
                State {
                    flights: Flights::new(),
                },
                stripes,
            ),
            hashed,
            ready: Condvar::new(),
            misses: AtomicU64::new(0),
            lookups_before: AtomicU64::new(0),
            misses_before: AtomicU64::new(0),
        }
    }

    /// `hash`, if this shard's cache takes the concurrent cache's hashes.
    #[inline]
    fn own(&self, hash: Option<u64>) -> Option<u64> {
        hash.filter(|_| self.hashed)
    }

    /// Counts a miss of a lookup (one that [`find`](Shard::find) counted).
    #[inline]
    pub(crate) fn count_miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// The value of `key` (a clone), counted as a lookup; a miss is
    /// counted too if `count_miss`, else the caller settles it with
    /// [`claim`](Shard::claim). A hit is recorded for the policy. `hash` is
    /// the key's hash by the concurrent cache's hasher, if computed.
    #[inline(always)]
    pub(crate) fn find<K, V, Q>(&self, hash: Option<u64>, key: &Q, count_miss: bool) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.lookup::<K, V, Q, false>(hash, key, count_miss, core::time::Duration::ZERO)
            .map(|(value, _)| value)
    }

    /// [`find`](Shard::find) for a refreshing memo (no miss counted): the
    /// value and whether the entry is at least `refresh` old. With the
    /// gate closed (a writer in) or a cache read under its lock, the value
    /// is returned as fresh, and a later call sees its age.
    #[inline]
    pub(crate) fn find_aged<K, V, Q>(
        &self,
        hash: Option<u64>,
        key: &Q,
        refresh: core::time::Duration,
    ) -> Option<(V, bool)>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        self.lookup::<K, V, Q, true>(hash, key, false, refresh)
    }

    /// [`find`](Shard::find), and with `AGED` whether the entry is at
    /// least `refresh` old (else `false`, and no age is read).
    #[inline(always)]
    fn lookup<K, V, Q, const AGED: bool>(
        &self,
        hash: Option<u64>,
        key: &Q,
        count_miss: bool,
        refresh: core::time::Duration,
    ) -> Option<(V, bool)>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if C::SHARED_READS {
            if let Some(reader) = self.gate.enter(true) {
                if reader.cache().extends_on_read() {
                    // A read moves the entry's deadline: under the lock.
                    drop(reader);
                    return self.lookup_exclusive::<K, V, Q, AGED>(hash, key, count_miss, refresh);
                }
                let own = self.own(hash);
                let found = if AGED {
                    reader
                        .cache()
                        .peek_hit_aged(own, key)
                        .map(|(value, token, age)| (value, token, is_stale(age, refresh)))
                } else {
                    let found = match own {
                        Some(hash) => reader.cache().peek_hit_hashed(hash, key),
                        None => reader.cache().peek_hit(key),
                    };
                    found.map(|(value, token)| (value, token, false))
                };
                let Some((value, token, stale)) = found else {
                    if count_miss {
                        reader.miss();
                    }
                    return None;
                };
                let value = value.clone();
                let drain = C::RECORDS_HITS && reader.record(token);
                drop(reader);
                if drain {
                    self.drain();
                }
                return Some((value, stale));
            }
        } else {
            drop(self.gate.enter(true));
        }
        let found = self.find_locked(hash, key);
        if found.is_none() && count_miss {
            self.count_miss();
        }
        found.map(|value| (value, false))
    }

    /// [`lookup`](Shard::lookup) through the write lock, the read told to
    /// the policy at once (a time to idle).
    #[cold]
    fn lookup_exclusive<K, V, Q, const AGED: bool>(
        &self,
        hash: Option<u64>,
        key: &Q,
        count_miss: bool,
        refresh: core::time::Duration,
    ) -> Option<(V, bool)>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let found = if this_thread::depth() > 1 {
            // From inside a critical section: look, but do not write.
            self.find_locked(hash, key).map(|value| (value, false))
        } else {
            let own = self.own(hash);
            self.write(|cache| {
                let (value, token, age) = cache.peek_hit_aged(own, key)?;
                let found = (value.clone(), AGED && is_stale(age, refresh));
                cache.record_hit(token);
                Some(found)
            })
            .flatten()
        };
        if found.is_none() && count_miss {
            self.count_miss();
        }
        found
    }

    /// Starts refreshing `key`, whose stored value is stale, unless a
    /// computation of it is already under way (then `None`: the caller
    /// serves the stale value). The ticket's value replaces the stale one;
    /// callers that miss meanwhile (the entry expired) wait for it.
    pub(crate) fn claim_refresh<K, V>(&self, hash: u64, key: K) -> Option<Ticket<'_, C>>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
    {
        let mut locked = self.lock_to_write()?;
        if locked.state().flights.find(hash, &key).is_some() {
            return None;
        }
        let owner = Owner {
            thread: this_thread::number(),
            task: false,
        };
        let id = locked.state().flights.start(hash, key, owner);
        Some(Ticket {
            kind: TicketKind::Owner {
                shard: self,
                hash,
                id,
            },
        })
    }

    /// [`find`](Shard::find) when the gate is closed (a writer is in) or
    /// the cache cannot be read through `&self`: under the lock.
    #[cold]
    fn find_locked<K, V, Q>(&self, hash: Option<u64>, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let mut locked = self.lock()?;
        self.peek_locked(&mut locked, hash, key)
    }

    /// The value of `key` under the lock, not counted.
    fn peek_locked<K, V, Q>(
        &self,
        locked: &mut Locked<'_, C, State<C::Key>>,
        hash: Option<u64>,
        key: &Q,
    ) -> Option<V>
    where
        C: Cache<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if C::SHARED_READS {
            // A use for policies that take hits through `&self`; a
            // recorded one's token is dropped (no reader slot to put it in).
            let found = match self.own(hash) {
                Some(hash) => locked.cache().peek_hit_hashed(hash, key),
                None => locked.cache().peek_hit(key),
            };
            found.map(|(value, _)| value.clone())
        } else if this_thread::depth() > 1 {
            None
        } else {
            locked.write().cache().get(key).cloned()
        }
    }

    /// Stores `value` through the write lock (see [`write`](Shard::write)),
    /// hashed when the cache takes the concurrent cache's hashes.
    pub(crate) fn insert<K, V>(&self, hash: Option<u64>, key: K, value: V) -> Option<V>
    where
        C: Cache<K, V>,
    {
        let hash = self.own(hash);
        self.write(|cache| match hash {
            Some(hash) => cache.insert_hashed(hash, key, value),
            None => cache.insert(key, value),
        })
        .flatten()
    }

    /// Removes `key` through the write lock.
    pub(crate) fn remove<K, V, Q>(&self, hash: Option<u64>, key: &Q) -> Option<V>
    where
        C: Cache<K, V>,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let hash = self.own(hash);
        self.write(|cache| match hash {
            Some(hash) => cache.remove_hashed(hash, key),
            None => cache.remove(key),
        })
        .flatten()
    }

    /// Stores a computed `value`; whether it was stored.
    fn store<K, V>(
        cache: &mut C,
        hash: Option<u64>,
        key: K,
        value: V,
    ) -> Result<Option<V>, TooLarge<K, V>>
    where
        C: Cache<K, V>,
    {
        // The caller drops what comes back (a replaced value, a refused
        // entry) after unlocking: their `Drop` is the user's code.
        match hash {
            Some(hash) => cache.try_insert_hashed(hash, key, value),
            None => cache.try_insert(key, value),
        }
    }

    /// The lock, unless this thread is inside another critical section,
    /// where waiting could deadlock: then the lock only if it is free.
    #[inline]
    pub(crate) fn lock(&self) -> Option<Locked<'_, C, State<C::Key>>> {
        if this_thread::busy() {
            self.gate.try_lock()
        } else {
            Some(self.gate.lock())
        }
    }

    /// The lock, to write: `None` when this thread is inside a critical
    /// section already (calling back from a key's `Eq`, a value's `Clone`
    /// or a listener), where a writer could wait for this thread itself.
    #[inline]
    pub(crate) fn lock_to_write(&self) -> Option<Locked<'_, C, State<C::Key>>> {
        if this_thread::busy() {
            None
        } else {
            Some(self.gate.lock())
        }
    }

    /// Hands the hits the readers recorded to the policy, if the lock is
    /// free (else a later writer will).
    #[cold]
    fn drain<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        if this_thread::busy() {
            return;
        }
        if let Some(mut locked) = self.gate.try_lock() {
            locked.write().drain(|cache, token| cache.record_hit(token));
        }
    }

    /// Runs `f` on the cache for writing, after the recorded hits reached
    /// the policy; `None` when this thread may not write (see
    /// [`lock_to_write`](Shard::lock_to_write)).
    pub(crate) fn write<K, V, T>(&self, f: impl FnOnce(&mut C) -> T) -> Option<T>
    where
        C: Cache<K, V>,
    {
        let mut locked = self.lock_to_write()?;
        let mut writing = locked.write();
        if C::RECORDS_HITS {
            writing.drain(|cache, token| cache.record_hit(token));
        }
        Some(f(writing.cache()))
    }

    /// Runs `f` on the cache shared with readers (no lookup counted).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&C) -> T) -> Option<T> {
        if let Some(reader) = self.gate.enter(false) {
            return Some(f(reader.cache()));
        }
        let locked = self.lock()?;
        Some(f(locked.cache()))
    }

    /// This shard's counters: its lookups, misses, and the cache's own
    /// evictions and expirations.
    pub(crate) fn stats<K, V>(&self) -> CacheStats
    where
        C: Cache<K, V>,
    {
        let own = self.read(|cache| cache.stats()).unwrap_or_default();
        let (lookups, gate_misses) = self.gate.counts();
        let lookups = lookups.saturating_sub(self.lookups_before.load(Ordering::Relaxed));
        let misses = gate_misses
            .saturating_sub(self.misses_before.load(Ordering::Relaxed))
            .saturating_add(self.misses.load(Ordering::Relaxed))
            .min(lookups);
        CacheStats {
            hits: lookups - misses,
            misses,
            ..own
        }
    }

    /// Counts from zero again, the cache's own counters too.
    pub(crate) fn reset_stats<K, V>(&self)
    where
        C: Cache<K, V>,
    {
        let _ = self.write(|cache| {
            let (lookups, misses) = self.gate.counts();
            self.lookups_before.store(lookups, Ordering::Relaxed);
            self.misses_before.store(misses, Ordering::Relaxed);
            self.misses.store(0, Ordering::Relaxed);
            cache.reset_stats();
        });
    }

    /// Settles a lookup of `key` (hash `hash`) that [`find`](Shard::find)
    /// missed: waits while another caller computes the key, then returns
    /// the value it stored, or the computation this caller now owes (a
    /// miss). Blocks the thread; see [`claim_async`](Shard::claim_async).
    pub(crate) fn claim<K, V>(&self, hash: u64, key: K) -> Claim<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        let Some(mut locked) = self.lock_to_write() else {
            // Called back from inside a cache's critical section: compute,
            // and store nothing (a writer may be waiting for this thread).
            self.count_miss();
            return Claim::Compute(Ticket::unstored());
        };
        let me = this_thread::number();
        let mut key = Some(key);
        let mut waited = None;
        loop {
            match self.step(&mut locked, hash, &mut key, &mut waited, me, None) {
                Step::Done(claim) => return claim,
                Step::Wait => locked.wait(&self.ready),
            }
        }
    }

    /// [`claim`](Shard::claim) for tasks: waits without blocking the thread.
    pub(crate) fn claim_async<K, V>(&self, hash: u64, key: K) -> ClaimAsync<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        ClaimAsync {
            shard: self,
            hash,
            key: Some(key),
            waited: None,
            types: core::marker::PhantomData,
        }
    }

    /// One attempt of a claim under the lock.
    fn step<K, V>(
        &self,
        locked: &mut Locked<'_, C, State<K>>,
        hash: u64,
        key: &mut Option<K>,
        waited: &mut Option<u64>,
        me: u64,
        task: Option<&core::task::Waker>,
    ) -> Step<'_, C, V>
    where
        C: Cache<K, V> + Shardable<Key = K>,
        K: Hash + Eq,
        V: Clone,
    {
        let Some(owned) = key.as_ref() else {
            // A future polled after it completed.
            return Step::Done(Claim::Compute(Ticket::unstored()));
        };
        if let Some(id) = *waited {
            if let Some(flight) = locked.state().flights.get(hash, id) {
                if !flight.failed {
                    // Woken by the end of another key's computation.
                    if let Some(waker) = task {
                        flight.wake_me(waker);
                    }
                    return Step::Wait;
                }
                // It ended without a value: its waiters all compute now
                // rather than one after another.
                flight.waiting -= 1;
                if flight.waiting == 0 {
                    locked.state().flights.remove(hash, id);
                }
                *waited = None;
                self.count_miss();
                return Step::Done(Claim::Compute(Ticket::free(self, hash, key.take())));
            }
            *waited = None;
        }
        if let Some(flight) = locked.state().flights.find(hash, owned) {
            // A thread never waits for itself: a computation that asks for
            // its own key again (recursion), or a blocking caller on the
            // thread where a task it would wait for started.
            let cannot_wait = flight.owner.thread == me && (task.is_none() || !flight.owner.task);
            if !cannot_wait {
                flight.waiting += 1;
                if let Some(waker) = task {
                    flight.wake_me(waker);
                }
                *waited = Some(flight.id);
                return Step::Wait;
            }
            self.count_miss();
            return Step::Done(Claim::Compute(Ticket::free(self, hash, key.take())));
        }
        if let Some(value) = self.peek_locked(locked, Some(hash), owned) {
            // Stored meanwhile (the lookup counted: a hit).
            return Step::Done(Claim::Value(value));
        }
        self.count_miss();
        let owner = Owner {
            thread: me,
            task: task.is_some(),
        };
        let Some(owned) = key.take() else {
            return Step::Done(Claim::Compute(Ticket::unstored()));
        };
        let id = locked.state().flights.start(hash, owned, owner);
        Step::Done(Claim::Compute(Ticket {
            kind: TicketKind::Owner {
                shard: self,
                hash,
                id,
            },
        }))
    }

    /// Ends the computation `id` (stores `value` if any) and wakes its
    /// waiters.
    fn end<K, V>(&self, hash: u64, id: u64, value: Option<V>)
    where
        C: Cache<K, V> + Shardable<Key = K>,
    {
        // The owner is never inside a critical section (its claim would
        // have been `unstored`), so it may wait for the lock; it must, or
        // its waiters would wait forever.
        let mut locked = self.gate.lock();
        let Some(flight) = locked.state().flights.get(hash, id) else {
            return;
        };
        let key = flight.key.take();
        let wakers = core::mem::take(&mut flight.wakers);
        let waiting = flight.waiting;
        let mut stored = false;
        let mut displaced = None;
        if let (Some(key), Some(value)) = (key, value) {
            let mut writing = locked.write();
            if C::RECORDS_HITS {
                writing.drain(|cache, token| cache.record_hit(token));
            }
            let outcome = Self::store(writing.cache(), self.own(Some(hash)), key, value);
            stored = outcome.is_ok();
            displaced = Some(outcome);
        }
        match locked.state().flights.get(hash, id) {
            Some(flight) if !stored && waiting > 0 => flight.failed = true,
            _ => drop(locked.state().flights.remove(hash, id)),
        }
        drop(locked);
        self.ready.notify_all();
        wakers.into_iter().for_each(core::task::Waker::wake);
        // Last: a panicking `Drop` must not keep the waiters asleep.
        drop(displaced);
    }

    /// Forgets a waiter that left before its computation ended (a dropped
    /// future).
    fn leave(&self, hash: u64, id: u64) {
        let Some(mut locked) = self.lock() else {
            return;
        };
        let flights = &mut locked.state().flights;
        if let Some(flight) = flights.get(hash, id) {
            flight.waiting = flight.waiting.saturating_sub(1);
            if flight.failed && flight.waiting == 0 {
                flights.remove(hash, id);
            }
        }
    }
}

enum Step<'a, C: Shardable, V> {
    Done(Claim<'a, C, V>),
    Wait,
}

/// A computation a caller owes after `Shard::claim`: finishing
/// it stores the value and wakes the callers waiting for it; dropping it
/// unfinished (a panic, a cancelled future, an error) wakes them to compute
/// for themselves.
pub struct Ticket<'a, C: Shardable> {
    kind: TicketKind<'a, C>,
}

enum TicketKind<'a, C: Shardable> {
    /// This caller computes the key for everyone waiting.
    Owner {
        shard: &'a Shard<C>,
        hash: u64,
        id: u64,
    },
    /// This caller computes for itself and stores the value if it can.
    Free(&'a Shard<C>, u64, C::Key),
    /// This caller computes for itself and stores nothing.
    Unstored,
}

impl<'a, C: Shardable> Ticket<'a, C> {
    fn unstored() -> Self {
        Ticket {
            kind: TicketKind::Unstored,
        }
    }

    fn free(shard: &'a Shard<C>, hash: u64, key: Option<C::Key>) -> Self {
        match key {
            Some(key) => Ticket {
                kind: TicketKind::Free(shard, hash, key),
            },
            None => Ticket::unstored(),
        }
    }

    /// Stores the computed value (unless `None`: a result that is not
    /// cached) and wakes the callers waiting for it.
    pub fn finish<V>(mut self, value: Option<V>)
    where
        C: Cache<C::Key, V>,
    {
        match core::mem::replace(&mut self.kind, TicketKind::Unstored) {
            TicketKind::Owner { shard, hash, id } => shard.end(hash, id, value),
            TicketKind::Free(shard, hash, key) => {
                if let Some(value) = value {
                    let hash = shard.own(Some(hash));
                    let _ = shard.write(|cache| Shard::store(cache, hash, key, value));
                }
            }
            TicketKind::Unstored => {}
        }
    }
}

impl<C: Shardable> Drop for Ticket<'_, C> {
    fn drop(&mut self) {
        if let TicketKind::Owner { shard, hash, id } = self.kind {
            // Unfinished: a panic or a cancelled future. Mark it failed for
            // its waiters; no value, so the cache is not touched.
            let mut locked = shard.gate.lock();
            let flights = &mut locked.state().flights;
            let wakers = match flights.get(hash, id) {
                Some(flight) if flight.waiting > 0 => {
                    flight.failed = true;
                    flight.key = None;
                    core::mem::take(&mut flight.wakers)
                }
                _ => {
                    flights.remove(hash, id);
                    Vec::new()
                }
            };
            drop(locked);
            shard.ready.notify_all();
            wakers.into_iter().for_each(core::task::Waker::wake);
        }
    }
}

/// The future of `Shard::claim_async`.
pub struct ClaimAsync<'a, C: Shardable, V> {
    shard: &'a Shard<C>,
    hash: u64,
    key: Option<C::Key>,
    /// The computation this future waits for, once it waits.
    waited: Option<u64>,
    types: core::marker::PhantomData<fn() -> V>,
}

impl<C: Shardable, V> Unpin for ClaimAsync<'_, C, V> {}

impl<'a, C, V> Future for ClaimAsync<'a, C, V>
where
    C: Cache<C::Key, V> + Shardable,
    C::Key: Hash + Eq,
    V: Clone,
{
    type Output = Claim<'a, C, V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let shard = this.shard;
        let Some(mut locked) = shard.lock_to_write() else {
            this.key = None;
            shard.count_miss();
            return Poll::Ready(Claim::Compute(Ticket::unstored()));
        };
        let me = this_thread::number();
        match shard.step(
            &mut locked,
            this.hash,
            &mut this.key,
            &mut this.waited,
            me,
            Some(cx.waker()),
        ) {
            Step::Done(claim) => Poll::Ready(claim),
            Step::Wait => Poll::Pending,
        }
    }
}

impl<C: Shardable, V> Drop for ClaimAsync<'_, C, V> {
    fn drop(&mut self) {
        if let Some(id) = self.waited {
            self.shard.leave(self.hash, id);
        }
    }
}

/// Whether an entry of age `age` (none: its age is unknown) is due for a
/// refresh after `refresh`.
#[inline]
fn is_stale(age: Option<core::time::Duration>, refresh: core::time::Duration) -> bool {
    age.is_some_and(|age| age >= refresh)
}
