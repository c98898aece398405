//! What the concurrent cache needs to know about the calling thread: a
//! number (which stripe of a shard it reads through, who computes a key)
//! and whether it is inside one of cachekit's critical sections.
//!
//! Both live in one `const`-initialized thread-local without a destructor,
//! so reading them costs a thread-pointer offset and never fails, not even
//! while the thread is being torn down.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering};

struct ThisThread {
    /// 0 until first asked for; then unique for the life of the process.
    number: Cell<u64>,
    /// Critical sections (a read of a shard, its lock) this thread is in.
    depth: Cell<u32>,
}

thread_local! {
    static THIS: ThisThread = const {
        ThisThread {
            number: Cell::new(0),
            depth: Cell::new(0),
        }
    };
}

/// The calling thread's number: unique for the life of the process, like
/// [`ThreadId`](std::thread::ThreadId), but read in about a nanosecond
/// where `thread::current().id()` takes a reference count up and down.
#[inline]
pub(crate) fn number() -> u64 {
    THIS.with(|this| match this.number.get() {
        0 => {
            static NEXT: AtomicU64 = AtomicU64::new(1);
            let number = NEXT.fetch_add(1, Ordering::Relaxed);
            this.number.set(number);
            number
        }
        number => number,
    })
}

/// Whether the calling thread is inside a critical section of some
/// concurrent cache: then user code (a key's `Eq`, a value's `Clone`, a
/// listener) is calling back into a cache, and anything that could wait
/// for another thread must not (that thread may be waiting for this one).
#[inline]
pub(crate) fn busy() -> bool {
    THIS.with(|this| this.depth.get() != 0)
}

/// How many critical sections the calling thread is inside (the caller's
/// own included: a holder of a lock that finds more than one must not wait
/// for readers, one of which may be itself).
#[inline]
pub(crate) fn depth() -> u32 {
    THIS.with(|this| this.depth.get())
}

/// Marks the calling thread as inside a critical section until dropped
/// (also when user code inside it panics).
pub(crate) struct Section(());

impl Section {
    #[inline]
    pub(crate) fn enter() -> Self {
        THIS.with(|this| this.depth.set(this.depth.get() + 1));
        Section(())
    }

    /// [`enter`](Section::enter), and the thread's [`number`] (one
    /// thread-local access for both, on the hit path).
    #[inline]
    pub(crate) fn enter_numbered() -> (Self, u64) {
        let number = THIS.with(|this| {
            this.depth.set(this.depth.get() + 1);
            this.number.get()
        });
        let number = if number == 0 { self::number() } else { number };
        (Section(()), number)
    }
}

impl Drop for Section {
    #[inline]
    fn drop(&mut self) {
        THIS.with(|this| this.depth.set(this.depth.get() - 1));
    }
}
