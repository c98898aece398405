//! The index-linked arena every policy stores its entries in; the one
//! module of the crate with `unsafe` (unchecked indexing, see `Index`).
//!
//! Entries live in one `Vec` of slots; a removed entry's slot joins a free
//! list and is reused by the next insertion, so a full cache that evicts one
//! entry per insert never reallocates. Entries refer to each other through
//! [`Handle`]s (slot index + 1 in a `NonZeroU32`), which makes
//! `Option<Handle>` four bytes and keeps the hash table of handles small.
//!
//! [`List`] is a doubly linked list threaded through any arena whose items
//! are [`Linked`]: LRU, FIFO and MRU order their entries with one, LFU keeps
//! one per use count.

use core::marker::PhantomData;
use core::num::NonZeroU32;

/// A stable reference to an occupied arena slot.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Handle(NonZeroU32);

impl Handle {
    /// The handle as a non-zero `u32`, for code that stores handles in
    /// atomics (a concurrent cache's buffer of recorded hits).
    #[inline]
    pub fn raw(self) -> u32 {
        self.0.get()
    }

    #[inline]
    pub(crate) fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    #[inline]
    fn from_index(index: usize) -> Self {
        // A cache holds at most `u32::MAX - 1` entries; the arena checks the
        // bound before it grows, so this conversion cannot fail.
        let raw = u32::try_from(index + 1).expect("arena index fits in u32");
        Handle(NonZeroU32::new(raw).expect("index + 1 is non-zero"))
    }
}

#[derive(Clone, Debug)]
enum Slot<T> {
    Occupied(T),
    Vacant { next_free: Option<Handle> },
}

/// A slab of `T` addressed by [`Handle`], with a free list of vacant slots.
#[derive(Clone, Debug)]
pub struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: Option<Handle>,
    len: usize,
}

impl<T> Arena<T> {
    /// The largest number of items an arena can hold.
    pub const MAX_LEN: usize = u32::MAX as usize - 1;

    /// An empty arena; allocates nothing. Crate-private, like every way to
    /// obtain an arena: only this crate's caches hold one, so every handle
    /// ever used to index an arena came from that arena (see the safety
    /// argument on [`Index`](core::ops::Index)).
    pub(crate) const fn new() -> Self {
        Arena {
            slots: Vec::new(),
            free: None,
            len: 0,
        }
    }

    /// An empty arena with room for `capacity` items.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Arena {
            slots: Vec::with_capacity(capacity.min(Self::MAX_LEN)),
            free: None,
            len: 0,
        }
    }

    /// Number of occupied slots.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Number of slots, occupied or not: every handle's index is below it.
    #[inline]
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Whether no slot is occupied.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `item`, reusing a vacant slot when there is one.
    ///
    /// Returns `Err(item)` when the arena already holds [`Self::MAX_LEN`] items.
    #[inline]
    pub fn insert(&mut self, item: T) -> Result<Handle, T> {
        if let Some(handle) = self.free {
            let slot = &mut self.slots[handle.index()];
            let Slot::Vacant { next_free } = *slot else {
                unreachable!("free list points at an occupied slot")
            };
            self.free = next_free;
            *slot = Slot::Occupied(item);
            self.len += 1;
            Ok(handle)
        } else if self.slots.len() >= Self::MAX_LEN {
            Err(item)
        } else {
            let handle = Handle::from_index(self.slots.len());
            self.slots.push(Slot::Occupied(item));
            self.len += 1;
            Ok(handle)
        }
    }

    /// Takes the item out of `handle`'s slot and puts the slot on the free list.
    #[inline]
    pub fn remove(&mut self, handle: Handle) -> T {
        let slot = &mut self.slots[handle.index()];
        let old = core::mem::replace(
            slot,
            Slot::Vacant {
                next_free: self.free,
            },
        );
        let Slot::Occupied(item) = old else {
            unreachable!("removing a vacant arena slot")
        };
        self.free = Some(handle);
        self.len -= 1;
        item
    }

    /// Drops every item; keeps the allocation.
    pub fn clear(&mut self) {
        // Reset the free list first: dropping an item may panic, and the
        // free list must not point into the emptied vector.
        self.free = None;
        self.len = 0;
        self.slots.clear();
    }

    /// Iterates over the occupied slots in slot order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            slots: self.slots.iter().enumerate(),
        }
    }

    /// Iterates mutably over the occupied slots in slot order.
    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut {
            slots: self.slots.iter_mut().enumerate(),
        }
    }

    /// The handle whose [`raw`](Handle::raw) value is `raw`, if that slot
    /// is occupied now: the checked way back from a stored `u32`, which
    /// may be stale (its entry gone, its slot reused or freed).
    #[inline]
    pub fn occupied(&self, raw: u32) -> Option<Handle> {
        let handle = Handle(NonZeroU32::new(raw)?);
        match self.slots.get(handle.index()) {
            Some(Slot::Occupied(_)) => Some(handle),
            _ => None,
        }
    }

    /// Handles of all occupied slots (a snapshot, for removal while walking).
    pub fn handles(&self) -> Vec<Handle> {
        self.iter().map(|(handle, _)| handle).collect()
    }

    /// Bytes of heap memory the slot vector holds.
    pub fn allocated_bytes(&self) -> usize {
        self.slots.capacity() * core::mem::size_of::<Slot<T>>()
    }
}

// Indexing is the hot path of every cache operation (a hit relinks three
// to five entries), and it is unchecked: measured on `benches/policies`,
// an LRU hit went from 15.6 to 11.1 ns and the Zipf mix from 33.9 to 29.0
// ns per operation. The checks are kept in debug builds.
//
// The invariant that makes this sound: a handle indexes only the arena
// that issued it, while its slot is occupied. Arenas exist only inside
// this crate's caches (no public constructor, no `Default`), a cache
// forgets a handle in its hash table and its policy before the slot is
// freed (`PolicyCache::remove_handle`, `clear`), a policy passed to a new
// cache is cleared first (`Builder::build`), and user code (`Hash`, `Eq`,
// weighers, listeners, clocks, `Drop`) only runs while no table or policy
// holds a freed handle. The tests of this crate run under Miri
// (`cargo +nightly miri test -p cachekit-core`).

impl<T> core::ops::Index<Handle> for Arena<T> {
    type Output = T;

    #[inline]
    fn index(&self, handle: Handle) -> &T {
        debug_assert!(
            matches!(self.slots.get(handle.index()), Some(Slot::Occupied(_))),
            "stale arena handle"
        );
        // SAFETY: by the invariant above, `handle` was issued by this arena
        // and its slot is still occupied: in bounds, `Occupied`.
        match unsafe { self.slots.get_unchecked(handle.index()) } {
            Slot::Occupied(item) => item,
            // SAFETY: as above, the slot is occupied.
            Slot::Vacant { .. } => unsafe { core::hint::unreachable_unchecked() },
        }
    }
}

impl<T> core::ops::IndexMut<Handle> for Arena<T> {
    #[inline]
    fn index_mut(&mut self, handle: Handle) -> &mut T {
        debug_assert!(
            matches!(self.slots.get(handle.index()), Some(Slot::Occupied(_))),
            "stale arena handle"
        );
        // SAFETY: by the invariant above, `handle` was issued by this arena
        // and its slot is still occupied: in bounds, `Occupied`.
        match unsafe { self.slots.get_unchecked_mut(handle.index()) } {
            Slot::Occupied(item) => item,
            // SAFETY: as above, the slot is occupied.
            Slot::Vacant { .. } => unsafe { core::hint::unreachable_unchecked() },
        }
    }
}

/// Owning iterator over an arena's items, in slot order.
#[derive(Debug)]
pub struct IntoIter<T> {
    slots: std::vec::IntoIter<Slot<T>>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        self.slots.by_ref().find_map(|slot| match slot {
            Slot::Occupied(item) => Some(item),
            Slot::Vacant { .. } => None,
        })
    }
}

impl<T> IntoIterator for Arena<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            slots: self.slots.into_iter(),
        }
    }
}

/// Iterator over an arena's occupied slots.
#[derive(Debug)]
pub struct Iter<'a, T> {
    slots: core::iter::Enumerate<core::slice::Iter<'a, Slot<T>>>,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            slots: self.slots.clone(),
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (Handle, &'a T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.slots.by_ref().find_map(|(index, slot)| match slot {
            Slot::Occupied(item) => Some((Handle::from_index(index), item)),
            Slot::Vacant { .. } => None,
        })
    }
}

/// Mutable iterator over an arena's occupied slots.
#[derive(Debug)]
pub struct IterMut<'a, T> {
    slots: core::iter::Enumerate<core::slice::IterMut<'a, Slot<T>>>,
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = (Handle, &'a mut T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.slots.by_ref().find_map(|(index, slot)| match slot {
            Slot::Occupied(item) => Some((Handle::from_index(index), item)),
            Slot::Vacant { .. } => None,
        })
    }
}

/// The two neighbours of an item in a [`List`].
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Links {
    prev: Option<Handle>,
    next: Option<Handle>,
}

/// Marks an item's first set of [`Links`] (the only one for most policies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Primary;

/// Marks an item's second set of [`Links`] (TTL threads its entries on an
/// LRU list and an expiry list at once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Secondary;

/// Items that can be threaded on a [`List<F>`]; `F` names which of the
/// item's links that list uses.
pub trait Linked<F = Primary> {
    /// The item's list links.
    fn links(&self) -> &Links;
    /// The item's list links, mutably.
    fn links_mut(&mut self) -> &mut Links;
}

impl Linked for Links {
    #[inline]
    fn links(&self) -> &Links {
        self
    }
    #[inline]
    fn links_mut(&mut self) -> &mut Links {
        self
    }
}

/// Implements [`Linked`] for list `F` (default [`Primary`]) through a field
/// of the item that holds its [`Links`].
macro_rules! linked_by {
    ($item:ty, $field:ident) => {
        $crate::arena::linked_by!($item, $field, $crate::arena::Primary);
    };
    ($item:ty, $field:ident, $list:ty) => {
        impl $crate::arena::Linked<$list> for $item {
            #[inline]
            fn links(&self) -> &$crate::arena::Links {
                &self.$field
            }
            #[inline]
            fn links_mut(&mut self) -> &mut $crate::arena::Links {
                &mut self.$field
            }
        }
    };
}
pub(crate) use linked_by;

/// A doubly linked list of arena items threaded through their `F` links;
/// O(1) push, unlink and move.
#[derive(Debug, PartialEq, Eq)]
pub struct List<F = Primary> {
    head: Option<Handle>,
    tail: Option<Handle>,
    field: PhantomData<F>,
}

impl<F> Clone for List<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for List<F> {}

impl<F> Default for List<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F> List<F> {
    /// An empty list.
    pub const fn new() -> Self {
        List {
            head: None,
            tail: None,
            field: PhantomData,
        }
    }

    /// The first item.
    #[inline]
    pub fn front(&self) -> Option<Handle> {
        self.head
    }

    /// The last item.
    #[inline]
    pub fn back(&self) -> Option<Handle> {
        self.tail
    }

    /// Whether the list has no items.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// The item after `handle`.
    #[inline]
    pub fn next<T: Linked<F>>(arena: &Arena<T>, handle: Handle) -> Option<Handle> {
        Linked::<F>::links(&arena[handle]).next
    }

    /// The item before `handle`.
    #[inline]
    pub fn prev<T: Linked<F>>(arena: &Arena<T>, handle: Handle) -> Option<Handle> {
        Linked::<F>::links(&arena[handle]).prev
    }

    /// Appends an unlinked item.
    #[inline]
    pub fn push_back<T: Linked<F>>(&mut self, arena: &mut Arena<T>, handle: Handle) {
        *Linked::<F>::links_mut(&mut arena[handle]) = Links {
            prev: self.tail,
            next: None,
        };
        match self.tail {
            Some(tail) => Linked::<F>::links_mut(&mut arena[tail]).next = Some(handle),
            None => self.head = Some(handle),
        }
        self.tail = Some(handle);
    }

    /// Inserts an unlinked item right after `anchor`, or at the front when
    /// `anchor` is `None`.
    #[inline]
    pub fn insert_after<T: Linked<F>>(
        &mut self,
        arena: &mut Arena<T>,
        anchor: Option<Handle>,
        handle: Handle,
    ) {
        let next = match anchor {
            Some(anchor) => Linked::<F>::links(&arena[anchor]).next,
            None => self.head,
        };
        *Linked::<F>::links_mut(&mut arena[handle]) = Links { prev: anchor, next };
        match anchor {
            Some(anchor) => Linked::<F>::links_mut(&mut arena[anchor]).next = Some(handle),
            None => self.head = Some(handle),
        }
        match next {
            Some(next) => Linked::<F>::links_mut(&mut arena[next]).prev = Some(handle),
            None => self.tail = Some(handle),
        }
    }

    /// Removes a linked item from the list (the item stays in the arena).
    #[inline]
    pub fn unlink<T: Linked<F>>(&mut self, arena: &mut Arena<T>, handle: Handle) {
        let Links { prev, next } = *Linked::<F>::links(&arena[handle]);
        match prev {
            Some(prev) => Linked::<F>::links_mut(&mut arena[prev]).next = next,
            None => self.head = next,
        }
        match next {
            Some(next) => Linked::<F>::links_mut(&mut arena[next]).prev = prev,
            None => self.tail = prev,
        }
    }

    /// Moves a linked item to the back.
    #[inline]
    pub fn move_to_back<T: Linked<F>>(&mut self, arena: &mut Arena<T>, handle: Handle) {
        if self.tail != Some(handle) {
            self.unlink(arena, handle);
            self.push_back(arena, handle);
        }
    }

    /// Forgets every item (the arena is cleared separately).
    #[inline]
    pub fn clear(&mut self) {
        *self = List::new();
    }

    /// Walks the list front to back.
    pub fn iter<'a, T: Linked<F>>(&self, arena: &'a Arena<T>) -> ListIter<'a, T, F> {
        ListIter {
            arena,
            next: self.head,
            field: PhantomData,
        }
    }
}

/// Front-to-back iterator over a [`List`]'s handles.
pub struct ListIter<'a, T, F = Primary> {
    arena: &'a Arena<T>,
    next: Option<Handle>,
    field: PhantomData<F>,
}

impl<T: Linked<F>, F> Iterator for ListIter<'_, T, F> {
    type Item = Handle;

    fn next(&mut self) -> Option<Handle> {
        let handle = self.next?;
        self.next = Linked::<F>::links(&self.arena[handle]).next;
        Some(handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default)]
    struct Item(u32, Links);
    impl Linked for Item {
        fn links(&self) -> &Links {
            &self.1
        }
        fn links_mut(&mut self) -> &mut Links {
            &mut self.1
        }
    }

    fn values(list: &List, arena: &Arena<Item>) -> Vec<u32> {
        list.iter(arena).map(|h| arena[h].0).collect()
    }

    #[test]
    fn free_slots_are_reused_last_freed_first() {
        let mut arena = Arena::new();
        let a = arena.insert(1).unwrap();
        let b = arena.insert(2).unwrap();
        assert_eq!(arena.remove(a), 1);
        assert_eq!(arena.remove(b), 2);
        assert_eq!(arena.insert(3).unwrap(), b);
        assert_eq!(arena.insert(4).unwrap(), a);
        assert_eq!(arena.len(), 2);
        assert_eq!(arena.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [4, 3]);
    }

    #[test]
    fn list_push_unlink_move_insert_after() {
        let mut arena = Arena::new();
        let mut list = List::new();
        let h: Vec<Handle> = (0..4)
            .map(|i| arena.insert(Item(i, Links::default())).unwrap())
            .collect();
        for &x in &h[..3] {
            list.push_back(&mut arena, x);
        }
        assert_eq!(values(&list, &arena), [0, 1, 2]);
        list.move_to_back(&mut arena, h[0]);
        assert_eq!(values(&list, &arena), [1, 2, 0]);
        list.unlink(&mut arena, h[2]);
        assert_eq!(values(&list, &arena), [1, 0]);
        list.insert_after(&mut arena, None, h[3]);
        assert_eq!(values(&list, &arena), [3, 1, 0]);
        list.insert_after(&mut arena, Some(h[1]), h[2]);
        assert_eq!(values(&list, &arena), [3, 1, 2, 0]);
        assert_eq!(list.front(), Some(h[3]));
        assert_eq!(list.back(), Some(h[0]));
        assert_eq!(List::prev(&arena, h[0]), Some(h[2]));
        for &x in &h {
            list.unlink(&mut arena, x);
        }
        assert!(list.is_empty());
        assert_eq!(list.back(), None);
    }
}
