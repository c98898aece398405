//! Single flight: the keys a shard's callers are computing, so that
//! concurrent callers of one key compute it once. Kept under the shard's
//! lock.
//!
//! A computation is found by its key's hash *and* the key itself, so
//! callers of two keys whose hashes collide never wait for each other.

use core::task::Waker;

use equivalent::Equivalent;
use hashbrown::HashTable;

/// Who computes a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The thread that started the computation (for a task, the thread it
    /// was polled on then).
    pub(crate) thread: u64,
    /// Whether a task (an `async` caller) computes: it may move to other
    /// threads, and waits for it must not block its first thread.
    pub(crate) task: bool,
}

/// One computation in progress.
pub(crate) struct Flight<K> {
    pub(crate) id: u64,
    pub(crate) hash: u64,
    /// The key, held here while it is computed (so that waiters can compare
    /// theirs), and taken back to store the value.
    pub(crate) key: Option<K>,
    pub(crate) owner: Owner,
    /// Callers waiting for this computation to end.
    pub(crate) waiting: usize,
    /// The tasks among them.
    pub(crate) wakers: Vec<Waker>,
    /// The computation ended without storing a value (it failed, panicked,
    /// was cancelled, or its value could not be stored): its waiters
    /// compute for themselves, all at once, rather than one after another.
    pub(crate) failed: bool,
}

impl<K> Flight<K> {
    /// Registers a waiting task's waker (once per task).
    pub(crate) fn wake_me(&mut self, waker: &Waker) {
        if !self.wakers.iter().any(|w| w.will_wake(waker)) {
            self.wakers.push(waker.clone());
        }
    }
}

/// The computations in progress of one shard.
pub(crate) struct Flights<K> {
    table: HashTable<Flight<K>>,
    next_id: u64,
}

impl<K> Flights<K> {
    pub(crate) const fn new() -> Self {
        Flights {
            table: HashTable::new(),
            next_id: 1,
        }
    }

    /// The computation of `key` in progress (failed ones are over).
    pub(crate) fn find<Q>(&mut self, hash: u64, key: &Q) -> Option<&mut Flight<K>>
    where
        Q: ?Sized + Equivalent<K>,
    {
        self.table.find_mut(hash, |flight| {
            !flight.failed && flight.key.as_ref().is_some_and(|k| key.equivalent(k))
        })
    }

    /// The computation `id`, failed or not.
    pub(crate) fn get(&mut self, hash: u64, id: u64) -> Option<&mut Flight<K>> {
        self.table.find_mut(hash, |flight| flight.id == id)
    }

    /// Starts computing `key`; returns the computation's id.
    pub(crate) fn start(&mut self, hash: u64, key: K, owner: Owner) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let flight = Flight {
            id,
            hash,
            key: Some(key),
            owner,
            waiting: 0,
            wakers: Vec::new(),
            failed: false,
        };
        self.table.insert_unique(hash, flight, |flight| flight.hash);
        id
    }

    /// Removes the computation `id`.
    pub(crate) fn remove(&mut self, hash: u64, id: u64) -> Option<Flight<K>> {
        match self.table.find_entry(hash, |flight| flight.id == id) {
            Ok(entry) => Some(entry.remove().0),
            Err(_) => None,
        }
    }
}
