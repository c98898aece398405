//! Other processes sharing a memoized function's entries (a Redis tier
//! with leases): of the processes missing one key at once, one computes
//! it while the others wait for its value.

use core::any::Any;
use core::marker::PhantomData;

/// What a caller that owes a computation does about other processes.
pub enum Turn<V> {
    /// No other process to agree with, or no agreement reached in time:
    /// compute.
    Alone,
    /// This process holds the key's lease: compute, store, then drop the
    /// guard (which releases the lease).
    Lead(Box<dyn Send>),
    /// Another process computed the value meanwhile.
    Value(V),
}

/// The name another process knows a key by, built before the key moves
/// into the local computation's ticket.
pub struct PeerKey<K> {
    /// Where the entry lives.
    pub name: String,
    /// The key, encoded: what the stored entry must start with.
    pub encoded: Vec<u8>,
    /// The key type, so that the memo finds the peers of its keys.
    pub key: PhantomData<fn(&K)>,
}

/// Processes sharing entries, for keys `K` with values `V`.
pub trait Peers<K, V>: Send + Sync {
    /// The name of `key` among the processes (`None`: it has none, and
    /// is computed alone).
    fn key(&self, key: &K) -> Option<PeerKey<K>>;
    /// Takes the lease of `key` or waits for another process's value, up
    /// to a bound. Blocks; called with no lock held.
    fn turn(&self, key: PeerKey<K>) -> Turn<V>;
}

/// A memo's peers, type-erased so that the memo need not name `K` and `V`
/// (a `Box<dyn Peers<K, V>>` inside).
pub(crate) type AnyPeers = Box<dyn Any + Send + Sync>;

/// The peers of `any`, if they are of keys `K` and values `V`.
pub(crate) fn peers<K: 'static, V: 'static>(any: &AnyPeers) -> Option<&dyn Peers<K, V>> {
    any.downcast_ref::<Box<dyn Peers<K, V>>>()
        .map(|peers| &**peers)
}

/// A boxed future, as the remote tier's object-safe methods return.
pub type RemoteFuture<'a, T> =
    core::pin::Pin<Box<dyn core::future::Future<Output = T> + Send + 'a>>;

/// A tier an `async fn` reaches without blocking its executor (Redis
/// through an async connection): looked up after a local miss, written
/// after a computation.
pub trait Remote<K, V>: Send + Sync {
    /// The name of `key` in the tier (`None`: the key is not kept there).
    fn key(&self, key: &K) -> Option<PeerKey<K>>;
    /// The stored value of `key`, if any (faults count as none).
    fn get<'a>(&'a self, key: &'a PeerKey<K>) -> RemoteFuture<'a, Option<V>>;
    /// Stores `value` for `key` (faults are counted, never returned).
    fn set<'a>(&'a self, key: &'a PeerKey<K>, value: &'a V) -> RemoteFuture<'a, ()>;
}

/// The remote tier of `any`, if it is of keys `K` and values `V`.
pub(crate) fn remote<K: 'static, V: 'static>(any: &AnyPeers) -> Option<&dyn Remote<K, V>> {
    any.downcast_ref::<Box<dyn Remote<K, V>>>()
        .map(|remote| &**remote)
}
