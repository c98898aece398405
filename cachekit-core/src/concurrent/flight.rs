//! Single-flight bookkeeping: which keys are being computed, so that
//! concurrent callers of one key compute it once. Shared by
//! [`ConcurrentCache`](crate::ConcurrentCache) and the caching macros.

use core::sync::atomic::{AtomicU64, Ordering};
use core::task::Waker;

/// The calling thread's number: unique for the life of the process, like
/// [`ThreadId`](std::thread::ThreadId), but read from a thread-local in
/// about a nanosecond where `thread::current().id()` takes a reference
/// count up and down (20 ns a miss on the machine the README's figures
/// come from).
fn current_thread() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static THIS: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    THIS.with(|id| *id)
}

struct Flight {
    /// The computing thread, for a synchronous computation.
    owner: Option<u64>,
    /// Tasks waiting for the result.
    wakers: Vec<Waker>,
}

/// Who asks: a thread that can block, or a task to wake later.
#[derive(Clone, Copy)]
pub enum Caller<'a> {
    /// A thread, which blocks on a condition variable.
    Thread,
    /// A task, woken through its waker.
    Task(&'a Waker),
}

/// The keys being computed, by hash, with the tasks waiting for them.
pub struct Flights {
    map: hashbrown::HashMap<u64, Flight, ahash::RandomState>,
}

impl Flights {
    /// No computation in progress.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        // The keys are already hashes: fixed seeds are as good as random ones
        // and keep this constructible in a `static`.
        Flights {
            map: hashbrown::HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)),
        }
    }

    /// Whether nothing is being computed.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether `caller` must wait for a computation of `hash` (a task's
    /// waker is registered to be woken when it ends). A thread never waits
    /// for its own computation.
    pub fn must_wait(&mut self, hash: u64, caller: Caller<'_>) -> bool {
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
    pub fn start(&mut self, hash: u64, caller: Caller<'_>) -> bool {
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
    pub fn finish(&mut self, hash: u64) {
        if let Some(flight) = self.map.remove(&hash) {
            flight.wakers.into_iter().for_each(Waker::wake);
        }
    }
}
