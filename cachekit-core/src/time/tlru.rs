//! Time-aware LRU: each entry gets its own deadline from a user function.

use std::time::Instant;

use crate::arena::{linked_by, Handle, Links, List};
use crate::policy::{Entries, EntryMeta, Policy, Sealed, Timed};
use crate::time::frozen::Frozen;
use crate::{Clock, CoarseClock, DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Per-entry state of [`Tlru`]: LRU links, deadline and heap position.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TlruMeta {
    lru: Links,
    deadline: Option<Instant>,
    heap_index: u32,
}

linked_by!(TlruMeta, lru);

impl EntryMeta for TlruMeta {
    #[inline]
    fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
    #[inline]
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
}

/// The TLRU policy: each entry expires at the instant `ttu(key, value,
/// now)` returns; among live entries eviction is LRU.
///
/// Deadlines are kept in an indexed binary min-heap (each entry knows its
/// heap slot), so expiring, updating or removing an entry is O(log n).
#[derive(Clone, Debug)]
pub struct Tlru<F, C = CoarseClock> {
    ttu: F,
    clock: C,
    frozen: Option<Frozen>,
    lru: List,
    /// Entries with a deadline, earliest at index 0.
    heap: Vec<Handle>,
}

impl<F, C> Tlru<F, C> {
    /// A policy computing deadlines with `ttu`, reading time from `clock`.
    pub fn new(ttu: F, clock: C) -> Self {
        Tlru {
            ttu,
            clock,
            frozen: None,
            lru: List::new(),
            heap: Vec::new(),
        }
    }

    /// The deadline function.
    pub fn ttu(&self) -> &F {
        &self.ttu
    }

    #[inline]
    fn key<K, V>(entries: &Entries<K, V, TlruMeta>, handle: Handle) -> Instant {
        entries[handle]
            .meta
            .deadline
            .expect("only entries with a deadline are in the heap")
    }

    #[inline]
    fn place<K, V>(&mut self, entries: &mut Entries<K, V, TlruMeta>, index: usize, handle: Handle) {
        self.heap[index] = handle;
        // The arena caps entries below u32::MAX, so the index fits.
        entries[handle].meta.heap_index = index as u32;
    }

    fn sift_up<K, V>(&mut self, entries: &mut Entries<K, V, TlruMeta>, mut index: usize) {
        let handle = self.heap[index];
        let deadline = Self::key(entries, handle);
        while index > 0 {
            let parent = (index - 1) / 2;
            let above = self.heap[parent];
            if Self::key(entries, above) <= deadline {
                break;
            }
            self.place(entries, index, above);
            index = parent;
        }
        self.place(entries, index, handle);
    }

    fn sift_down<K, V>(&mut self, entries: &mut Entries<K, V, TlruMeta>, mut index: usize) {
        let handle = self.heap[index];
        let deadline = Self::key(entries, handle);
        let len = self.heap.len();
        loop {
            let left = 2 * index + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len
                && Self::key(entries, self.heap[right]) < Self::key(entries, self.heap[left])
            {
                right
            } else {
                left
            };
            let below = self.heap[child];
            if deadline <= Self::key(entries, below) {
                break;
            }
            self.place(entries, index, below);
            index = child;
        }
        self.place(entries, index, handle);
    }

    fn heap_push<K, V>(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        if entries[handle].meta.deadline.is_some() {
            self.heap.push(handle);
            self.sift_up(entries, self.heap.len() - 1);
        }
    }

    fn heap_remove<K, V>(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        let index = entries[handle].meta.heap_index as usize;
        if self.heap.get(index) != Some(&handle) {
            return; // never expires, so never was in the heap
        }
        let last = self.heap.pop().expect("heap holds the handle");
        if last != handle {
            self.place(entries, index, last);
            self.sift_down(entries, index);
            let index = entries[last].meta.heap_index as usize;
            self.sift_up(entries, index);
        }
    }
}

impl<F, C> Sealed for Tlru<F, C> {}

impl<F, C: Clock> Timed for Tlru<F, C> {
    type Clock = C;

    fn clock(&self) -> &C {
        &self.clock
    }

    fn frozen_mut(&mut self) -> &mut Option<Frozen> {
        &mut self.frozen
    }
}

impl<K, V, F, C> Policy<K, V> for Tlru<F, C>
where
    F: Fn(&K, &V, Instant) -> Instant,
    C: Clock,
{
    type Meta = TlruMeta;
    const EXPIRY_BEFORE_WEIGHT: bool = true;
    const EXPIRES: bool = true;

    #[inline]
    fn now(&self) -> Option<Instant> {
        Some(
            self.frozen
                .as_ref()
                .and_then(Frozen::instant)
                .unwrap_or_else(|| self.clock.now()),
        )
    }

    #[inline]
    fn deadline(&self, key: &K, value: &V, now: Instant) -> Option<Instant> {
        Some((self.ttu)(key, value, now))
    }

    fn on_insert(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.push_back(entries, handle);
        self.heap_push(entries, handle);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.move_to_back(entries, handle);
    }

    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, TlruMeta>,
        handle: Handle,
        _old_weight: usize,
    ) {
        self.lru.move_to_back(entries, handle);
        // The new deadline is already in the entry: re-seat it in the heap.
        let index = entries[handle].meta.heap_index as usize;
        self.sift_down(entries, index);
        let index = entries[handle].meta.heap_index as usize;
        self.sift_up(entries, index);
    }

    fn on_remove(&mut self, entries: &mut Entries<K, V, TlruMeta>, handle: Handle) {
        self.lru.unlink(entries, handle);
        self.heap_remove(entries, handle);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, TlruMeta>) -> Option<Handle> {
        self.lru.front()
    }

    #[inline]
    fn next_expired(&self, entries: &Entries<K, V, TlruMeta>, now: Instant) -> Option<Handle> {
        let &first = self.heap.first()?;
        (!entries[first].meta.is_live(Some(now))).then_some(first)
    }

    fn for_each_expired(
        &self,
        entries: &Entries<K, V, TlruMeta>,
        now: Instant,
        mut f: impl FnMut(Handle),
    ) {
        // Depth-first over the heap, pruning at the first live entry of
        // each branch: O(expired).
        let mut stack = Vec::new();
        if !self.heap.is_empty() {
            stack.push(0);
        }
        while let Some(index) = stack.pop() {
            let handle = self.heap[index];
            if entries[handle].meta.is_live(Some(now)) {
                continue;
            }
            f(handle);
            for child in [2 * index + 1, 2 * index + 2] {
                if child < self.heap.len() {
                    stack.push(child);
                }
            }
        }
    }

    fn clear(&mut self) {
        self.lru.clear();
        self.heap.clear();
    }

    fn allocated_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Handle>()
    }
}

/// An LRU cache where each entry has its own deadline (cachetools'
/// `TLRUCache`, "time-aware least recently used").
///
/// - `ttu(&key, &value, now)` returns the instant the entry expires; it is
///   live while `now < deadline`. A deadline that is not after `now` means
///   the entry is not stored, and any entry already stored for its key is
///   removed (and returned by `insert`).
/// - Expired entries are invisible at once (`get`, `peek`, `contains_key`,
///   iteration, `len`, `currsize`); the entry with the earliest deadline
///   expires first; eviction among live entries is LRU.
/// - Expiry is lazy plus [`expire`](PolicyCache::expire), O(log n) per
///   expired entry.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use std::time::{Duration, Instant};
/// use cachekit::{ManualClock, TlruCache};
///
/// // Sessions live as long as they say; guests get a minute.
/// let ttu = |_id: &u32, ttl: &Option<Duration>, now: Instant| {
///     now + ttl.unwrap_or(Duration::from_secs(60))
/// };
/// let clock = ManualClock::new();
/// let mut sessions = TlruCache::with_clock(100, ttu, clock.clone());
/// sessions.insert(1, Some(Duration::from_secs(3600)));
/// sessions.insert(2, None);
/// sessions.insert(3, Some(Duration::ZERO)); // dead on arrival: not stored
/// assert_eq!(sessions.len(), 2);
/// clock.advance(Duration::from_secs(61));
/// assert!(sessions.contains_key(&1) && !sessions.contains_key(&2));
/// ```
pub type TlruCache<K, V, F, C = CoarseClock, S = DefaultHashBuilder, W = UnitWeigher> =
    PolicyCache<K, V, Tlru<F, C>, S, W>;

impl<K, V, F> TlruCache<K, V, F>
where
    F: Fn(&K, &V, Instant) -> Instant,
{
    /// A TLRU cache of at most `maxsize` entries whose deadlines `ttu`
    /// computes, on the [`CoarseClock`] (deadlines met within about 1 ms).
    pub fn new(maxsize: usize, ttu: F) -> Self {
        Self::with_policy(maxsize, Tlru::new(ttu, CoarseClock))
    }

    /// A builder for a TLRU cache on the [`CoarseClock`], for adding a
    /// weigher, hasher or listener.
    pub fn builder(maxsize: usize, ttu: F) -> crate::Builder<K, V, Tlru<F>> {
        crate::Builder::new(maxsize, Tlru::new(ttu, CoarseClock))
    }
}

impl<K, V, F, C> TlruCache<K, V, F, C>
where
    F: Fn(&K, &V, Instant) -> Instant,
    C: Clock,
{
    /// A TLRU cache reading time from `clock`.
    pub fn with_clock(maxsize: usize, ttu: F, clock: C) -> Self {
        Self::with_policy(maxsize, Tlru::new(ttu, clock))
    }

    /// A builder for a TLRU cache reading time from `clock`.
    pub fn builder_with_clock(
        maxsize: usize,
        ttu: F,
        clock: C,
    ) -> crate::Builder<K, V, Tlru<F, C>> {
        crate::Builder::new(maxsize, Tlru::new(ttu, clock))
    }
}
