//! Least frequently used, in O(1).

use crate::arena::{linked_by, Arena, Handle, Links, List};
use crate::policy::{Entries, EntryMeta, Policy, Sealed};
use crate::{DefaultHashBuilder, PolicyCache, UnitWeigher};

/// Entries that have been used `count` times, least recently counted first.
#[derive(Clone, Debug)]
struct Bucket {
    count: u64,
    members: List,
    links: Links,
}

linked_by!(Bucket, links);

/// Per-entry state of [`Lfu`]: position in its bucket and the bucket.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LfuMeta {
    links: Links,
    bucket: Option<Handle>,
}

impl EntryMeta for LfuMeta {}

linked_by!(LfuMeta, links);

/// The LFU policy: evicts the entry with the fewest uses; among equal
/// counts, the one that reached that count first.
///
/// A new key starts at one use; a `get`/`get_mut` hit or a re-insert adds
/// one. Entries are kept in buckets of equal count, linked in ascending
/// count order (the O(1) LFU of Shah, Mitra and Matani, 2010), so every
/// operation is O(1).
#[derive(Clone, Debug)]
pub struct Lfu {
    buckets: Arena<Bucket>,
    /// Buckets in ascending count order.
    order: List,
}

impl Default for Lfu {
    fn default() -> Self {
        Lfu {
            buckets: Arena::new(),
            order: List::new(),
        }
    }
}

impl Lfu {
    /// Unlinks `handle` from `bucket`, dropping the bucket when it empties.
    #[inline]
    fn leave<K, V>(
        &mut self,
        entries: &mut Entries<K, V, LfuMeta>,
        bucket: Handle,
        handle: Handle,
    ) {
        let members = &mut self.buckets[bucket].members;
        members.unlink(entries, handle);
        if members.is_empty() {
            self.order.unlink(&mut self.buckets, bucket);
            self.buckets.remove(bucket);
        }
    }

    /// A new bucket for `count` placed after `anchor` (front when `None`).
    #[inline]
    fn new_bucket(&mut self, anchor: Option<Handle>, count: u64) -> Handle {
        let bucket = Bucket {
            count,
            members: List::new(),
            links: Links::default(),
        };
        // There are never more buckets than entries, and the entry arena
        // already enforces the size limit.
        let handle = self
            .buckets
            .insert(bucket)
            .unwrap_or_else(|_| unreachable!("more buckets than entries"));
        self.order.insert_after(&mut self.buckets, anchor, handle);
        handle
    }

    /// Adds one use to the entry at `handle`.
    #[inline]
    fn touch<K, V>(&mut self, entries: &mut Entries<K, V, LfuMeta>, handle: Handle) {
        let bucket = entries[handle].meta.bucket.expect("entry has a bucket");
        let count = self.buckets[bucket].count;
        let next = List::next(&self.buckets, bucket);
        let target = match next {
            Some(next) if self.buckets[next].count == count + 1 => next,
            _ => {
                let members = &self.buckets[bucket].members;
                if members.front() == members.back() {
                    // Sole member: bump the bucket in place.
                    self.buckets[bucket].count = count + 1;
                    return;
                }
                self.new_bucket(Some(bucket), count + 1)
            }
        };
        self.leave(entries, bucket, handle);
        self.buckets[target].members.push_back(entries, handle);
        entries[handle].meta.bucket = Some(target);
    }

    /// The use count of the entry at `handle`.
    fn count_of<K, V>(&self, entries: &Entries<K, V, LfuMeta>, handle: Handle) -> u64 {
        entries[handle]
            .meta
            .bucket
            .map_or(0, |bucket| self.buckets[bucket].count)
    }
}

impl Sealed for Lfu {}

impl<K, V> Policy<K, V> for Lfu {
    type Meta = LfuMeta;

    #[inline]
    fn on_insert(&mut self, entries: &mut Entries<K, V, LfuMeta>, handle: Handle) {
        let target = match self.order.front() {
            Some(first) if self.buckets[first].count == 1 => first,
            _ => self.new_bucket(None, 1),
        };
        self.buckets[target].members.push_back(entries, handle);
        entries[handle].meta.bucket = Some(target);
    }

    #[inline]
    fn on_hit(&mut self, entries: &mut Entries<K, V, LfuMeta>, handle: Handle) {
        self.touch(entries, handle);
    }

    #[inline]
    fn on_update(
        &mut self,
        entries: &mut Entries<K, V, LfuMeta>,
        handle: Handle,
        _old_weight: usize,
    ) {
        self.touch(entries, handle);
    }

    #[inline]
    fn on_remove(&mut self, entries: &mut Entries<K, V, LfuMeta>, handle: Handle) {
        let bucket = entries[handle].meta.bucket.expect("entry has a bucket");
        self.leave(entries, bucket, handle);
    }

    #[inline]
    fn victim(&mut self, _entries: &mut Entries<K, V, LfuMeta>) -> Option<Handle> {
        let first = self.order.front()?;
        self.buckets[first].members.front()
    }

    fn clear(&mut self) {
        self.buckets.clear();
        self.order.clear();
    }

    fn allocated_bytes(&self) -> usize {
        self.buckets.allocated_bytes()
    }
}

/// A least-frequently-used cache (cachetools' `LFUCache`).
///
/// When full, inserting a new key evicts the entry with the lowest use
/// count; among equal counts, the one that reached that count first (the
/// least recently used of them). Insertion counts as one use, each
/// `get`/`get_mut` hit or re-insert adds one; `peek` and `contains_key`
/// do not count. All operations are O(1). See [`PolicyCache`] for the
/// shared API.
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::LfuCache;
///
/// let mut cache = LfuCache::new(2);
/// cache.insert("hot", 1);
/// cache.insert("cold", 2);
/// cache.get("hot");
/// cache.get("hot");
/// cache.insert("new", 3); // evicts "cold": 1 use against 3
/// assert!(cache.contains_key("hot") && !cache.contains_key("cold"));
/// assert_eq!(cache.use_count("hot"), Some(3));
/// ```
pub type LfuCache<K, V, S = DefaultHashBuilder, W = UnitWeigher> = PolicyCache<K, V, Lfu, S, W>;

impl<K, V> LfuCache<K, V> {
    /// An LFU cache holding at most `maxsize` entries.
    pub fn new(maxsize: usize) -> Self {
        Self::with_policy(maxsize, Lfu::default())
    }
}

impl<K, V, S, W> LfuCache<K, V, S, W>
where
    K: core::hash::Hash + Eq,
    S: core::hash::BuildHasher,
    W: crate::Weigher<K, V>,
{
    /// How many uses `key` has had, or `None` if it is not cached; not a use.
    pub fn use_count<Q>(&self, key: &Q) -> Option<u64>
    where
        Q: ?Sized + core::hash::Hash + equivalent::Equivalent<K>,
    {
        let handle = self.handle_of(key)?;
        Some(self.policy().count_of(self.entries(), handle))
    }
}
