//! Runtime support for `#[cached_method]`: single flight across the
//! instances of one method, and the handle operations on a field.

use core::future::Future;
use core::hash::Hash;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};

use core::task::Waker;

use crate::cell::Busy;
use crate::{CacheCell, CacheInfo, Equivalent};
use parking_lot::{Condvar, Mutex};

/// The outcome of a single-flight lookup.
pub enum Begin<T, V> {
    /// The cached value.
    Hit(V),
    /// The caller computes, then calls the ticket's `finish`.
    Miss(T),
}

struct Flight {
    /// The computing thread, for a synchronous computation.
    owner: Option<u64>,
    /// Tasks waiting for the result.
    wakers: Vec<Waker>,
}

/// Who asks: a thread that can block, or a task to wake later.
#[derive(Clone, Copy)]
enum Caller<'a> {
    /// A thread, which blocks on a condition variable.
    Thread,
    /// A task, woken through its waker.
    Task(&'a Waker),
}

/// The computations in progress, by hash (of the field's address and the
/// key), with the tasks waiting for them. (Two keys whose hashes collide
/// wait for each other: a 2^-64 chance with honest hashes.)
struct Flights {
    map: hashbrown::HashMap<u64, Flight, ahash::RandomState>,
}

fn current_thread() -> u64 {
    cachekit_core::concurrent::current_thread_number()
}

impl Flights {
    const fn new() -> Self {
        // The keys are already hashes: fixed seeds are as good as random ones
        // and keep this constructible in a `static`.
        Flights {
            map: hashbrown::HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)),
        }
    }

    /// Whether `caller` must wait for a computation of `hash` (a task's
    /// waker is registered to be woken when it ends). A thread never waits
    /// for its own computation.
    fn must_wait(&mut self, hash: u64, caller: Caller<'_>) -> bool {
        let Some(flight) = self.map.get_mut(&hash) else {
            return false;
        };
        match caller {
            Caller::Thread => flight.owner != Some(current_thread()),
            Caller::Task(waker) => {
                if !flight.wakers.iter().any(|w| w.will_wake(waker)) {
                    flight.wakers.push(waker.clone());
                }
                true
            }
        }
    }

    /// Marks `hash` as being computed by `caller`; whether the mark is new
    /// (and so is the caller's to finish).
    fn start(&mut self, hash: u64, caller: Caller<'_>) -> bool {
        match self.map.entry(hash) {
            hashbrown::hash_map::Entry::Occupied(_) => false,
            hashbrown::hash_map::Entry::Vacant(entry) => {
                entry.insert(Flight {
                    owner: match caller {
                        Caller::Thread => Some(current_thread()),
                        Caller::Task(_) => None,
                    },
                    wakers: Vec::new(),
                });
                true
            }
        }
    }

    /// Ends the computation of `hash`, waking the tasks waiting for it (the
    /// caller notifies waiting threads).
    fn finish(&mut self, hash: u64) {
        if let Some(flight) = self.map.remove(&hash) {
            flight.wakers.into_iter().for_each(Waker::wake);
        }
    }
}

/// The computations in progress of one `#[cached_method]`, across all
/// instances (keyed by the field's address and the key's hash), so that a
/// thread-safe field computes each key once at a time.
///
/// Hits do not touch it while nothing is being computed (`active == 0`).
/// Each call makes exactly one counted lookup (`get`); re-checks after
/// waiting use `peek`, so a call that waited for another's computation
/// counts as a miss in the cache's statistics.
pub struct MethodFlights {
    flights: Mutex<Flights>,
    ready: Condvar,
    active: AtomicUsize,
    hasher: ahash::RandomState,
}

/// A pending computation of a `#[cached_method]`: dropping it without
/// [`finish`](MethodTicket::finish) lets a waiter take over.
pub struct MethodTicket<'a> {
    flights: &'a MethodFlights,
    hash: u64,
    owns: bool,
}

impl MethodFlights {
    /// No computation in progress.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        MethodFlights {
            flights: parking_lot::const_mutex(Flights::new()),
            ready: Condvar::new(),
            active: AtomicUsize::new(0),
            hasher: ahash::RandomState::with_seeds(5, 6, 7, 8),
        }
    }

    fn ticket(&self, hash: u64, owns: bool) -> MethodTicket<'_> {
        if owns {
            self.active.fetch_add(1, Ordering::AcqRel);
        }
        MethodTicket {
            flights: self,
            hash,
            owns,
        }
    }

    /// The lock-free part of a lookup: `Ok` when it decided the call.
    #[inline]
    fn fast<F, K, V, Q>(&self, field: &F, probe: &Q) -> Result<Begin<MethodTicket<'_>, V>, bool>
    where
        F: CacheCell<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if F::SHARED && self.active.load(Ordering::Acquire) != 0 {
            return Err(false);
        }
        match field.cell_get(probe) {
            Ok(Some(value)) => Ok(Begin::Hit(value)),
            // Busy (re-entrant): computed, and not stored if still busy.
            Err(Busy) => Ok(Begin::Miss(self.ticket(0, false))),
            Ok(None) if !F::SHARED => Ok(Begin::Miss(self.ticket(0, false))),
            Ok(None) => Err(true),
        }
    }

    fn hash<F, Q: ?Sized + Hash>(&self, field: &F, probe: &Q) -> u64 {
        let address = field as *const F as *const () as usize;
        self.hasher.hash_one((address, probe))
    }

    /// One attempt under the flights lock: `None` means wait.
    fn step<F, K, V, Q>(
        &self,
        flights: &mut Flights,
        field: &F,
        probe: &Q,
        hash: u64,
        counted: &mut bool,
        caller: Caller<'_>,
    ) -> Option<Begin<MethodTicket<'_>, V>>
    where
        F: CacheCell<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        if flights.must_wait(hash, caller) {
            return None;
        }
        let found = if std::mem::replace(counted, true) {
            field.cell_peek(probe)
        } else {
            field.cell_get(probe).ok().flatten()
        };
        if let Some(value) = found {
            return Some(Begin::Hit(value));
        }
        let owns = flights.start(hash, caller);
        Some(Begin::Miss(self.ticket(hash, owns)))
    }

    /// Looks `probe` up in `field`'s cache, blocking while another thread
    /// computes it.
    pub fn begin<F, K, V, Q>(&self, field: &F, probe: &Q) -> Begin<MethodTicket<'_>, V>
    where
        F: CacheCell<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        let mut counted = match self.fast(field, probe) {
            Ok(begin) => return begin,
            Err(counted) => counted,
        };
        let hash = self.hash(field, probe);
        let mut flights = self.flights.lock();
        loop {
            if let Some(begin) = self.step(
                &mut flights,
                field,
                probe,
                hash,
                &mut counted,
                Caller::Thread,
            ) {
                return begin;
            }
            self.ready.wait(&mut flights);
        }
    }

    /// Looks `probe` up in `field`'s cache, waiting (without blocking the
    /// thread) while another caller computes it.
    pub fn begin_async<'m, 'p, F, K, V, Q>(
        &'m self,
        field: &'p F,
        probe: &'p Q,
    ) -> MethodBeginAsync<'m, 'p, F, Q, K, V>
    where
        F: CacheCell<K, V>,
        V: Clone,
        Q: ?Sized + Hash + Equivalent<K>,
    {
        MethodBeginAsync {
            flights: self,
            field,
            probe,
            counted: None,
            types: core::marker::PhantomData,
        }
    }
}

impl MethodTicket<'_> {
    /// Stores the computed value (unless `None`, too large, or the cache is
    /// busy) and wakes the callers waiting for it.
    pub fn finish<F, K, V>(self, field: &F, key: K, value: Option<V>)
    where
        F: CacheCell<K, V>,
    {
        if let Some(value) = value {
            field.cell_store(key, value);
        }
        // Dropping releases the mark.
    }
}

impl Drop for MethodTicket<'_> {
    fn drop(&mut self) {
        if self.owns {
            let mut flights = self.flights.flights.lock();
            flights.finish(self.hash);
            self.flights.active.fetch_sub(1, Ordering::AcqRel);
            self.flights.ready.notify_all();
        }
    }
}

/// The future of [`MethodFlights::begin_async`].
pub struct MethodBeginAsync<'m, 'p, F, Q: ?Sized, K, V> {
    flights: &'m MethodFlights,
    field: &'p F,
    probe: &'p Q,
    /// `None` before the first poll; then whether the counted lookup is done.
    counted: Option<bool>,
    types: core::marker::PhantomData<fn() -> (K, V)>,
}

impl<'m, F, Q, K, V> Future for MethodBeginAsync<'m, '_, F, Q, K, V>
where
    F: CacheCell<K, V>,
    V: Clone,
    Q: ?Sized + Hash + Equivalent<K>,
{
    type Output = Begin<MethodTicket<'m>, V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let flights = this.flights;
        let mut counted = match this.counted {
            Some(counted) => counted,
            None => match flights.fast(this.field, this.probe) {
                Ok(begin) => return Poll::Ready(begin),
                Err(counted) => counted,
            },
        };
        let hash = flights.hash(this.field, this.probe);
        let mut guard = flights.flights.lock();
        let step = flights.step(
            &mut guard,
            this.field,
            this.probe,
            hash,
            &mut counted,
            Caller::Task(cx.waker()),
        );
        this.counted = Some(counted);
        match step {
            Some(begin) => Poll::Ready(begin),
            None => Poll::Pending,
        }
    }
}

/// Removes the entry of `probe` from a method's cache.
pub fn method_invalidate<F, K, V, Q>(field: &F, probe: &Q) -> Option<V>
where
    F: CacheCell<K, V>,
    Q: ?Sized + Hash + Equivalent<K>,
{
    field.cell_remove(probe)
}

/// The entry of `probe` in a method's cache, without a use.
pub fn method_peek<F, K, V, Q>(field: &F, probe: &Q) -> Option<V>
where
    F: CacheCell<K, V>,
    V: Clone,
    Q: ?Sized + Hash + Equivalent<K>,
{
    field.cell_peek(probe)
}

/// Whether a method's cache holds `probe`.
pub fn method_contains<F, K, V, Q>(field: &F, probe: &Q) -> bool
where
    F: CacheCell<K, V>,
    Q: ?Sized + Hash + Equivalent<K>,
{
    field.cell_contains(probe)
}

/// Empties a method's cache and resets its statistics.
pub fn method_clear<F, K, V>(field: &F)
where
    F: CacheCell<K, V>,
{
    field.cell_clear()
}

/// A method's cache counters (the cache's own statistics).
pub fn method_info<F, K, V>(field: &F) -> CacheInfo
where
    F: CacheCell<K, V>,
{
    field.cell_info()
}
