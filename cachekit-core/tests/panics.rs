//! Panics from every kind of user code a cache calls (a key's `Hash` and
//! `Eq`, a value's `Drop`, the weigher, the listener, a TLRU's time-to-use)
//! at random points of random operations, on every policy. After each
//! operation, caught or not, the cache's invariants hold: `len` is the
//! number of entries iterated, `currsize` their total weight and at most
//! `maxsize`, every stored key can be read, and at the end every value
//! ever made was dropped exactly once. Runs under Miri too, with fewer
//! cases (`cargo +nightly miri test -p cachekit-core`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use cachekit_core::{
    ArcCache, Builder, DefaultHashBuilder, FifoCache, LfuCache, LruCache, ManualClock, MruCache,
    Policy, PolicyCache, RemovalCause, RrCache, TinyLfuCache, TlruCache, TtlCache, UnboundedCache,
};
use proptest::prelude::*;

thread_local! {
    /// User callbacks left before one panics; 0: none panics.
    static COUNTDOWN: Cell<u32> = const { Cell::new(0) };
    /// Values alive, by id: made once, dropped once.
    static ALIVE: RefCell<BTreeMap<u64, ()>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// A value dropped twice, or one never made, was seen.
    static DOUBLE_DROP: Cell<bool> = const { Cell::new(false) };
    /// The countdown fired (so a caught panic was an injected one).
    static INJECTED: Cell<bool> = const { Cell::new(false) };
}

/// Called by every user callback: panics when the countdown reaches it.
fn callback() {
    COUNTDOWN.with(|c| match c.get() {
        0 => {}
        1 => {
            c.set(0);
            if !std::thread::panicking() {
                INJECTED.with(|i| i.set(true));
                panic!("injected panic");
            }
        }
        n => c.set(n - 1),
    });
}

/// A key whose `Hash` and `Eq` may panic.
#[derive(Clone, Debug)]
struct Key(u8);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        callback();
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        callback();
        self.0 == other.0
    }
}

impl Eq for Key {}

/// A value of some weight whose `Drop` may panic, counted alive.
#[derive(Debug)]
struct Value {
    id: u64,
    weight: usize,
}

impl Value {
    fn new(weight: usize) -> Self {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        ALIVE.with(|a| a.borrow_mut().insert(id, ()));
        Value { id, weight }
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        if ALIVE.with(|a| a.borrow_mut().remove(&self.id)).is_none() {
            DOUBLE_DROP.with(|d| d.set(true));
        }
        callback();
    }
}

type Weigher = fn(&Key, &Value) -> usize;

fn weigh(_: &Key, value: &Value) -> usize {
    callback();
    value.weight
}

type Tested<P> = PolicyCache<Key, Value, P, DefaultHashBuilder, Weigher>;

#[derive(Clone, Debug)]
enum Op {
    Insert(u8, usize),
    TryInsert(u8, usize),
    GetOrInsert(u8, usize),
    Get(u8),
    Peek(u8),
    Remove(u8),
    PopVictim,
    SetMaxsize(usize),
    Retain(u8),
    Clear,
    Advance(u64),
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..12;
    let weight = prop_oneof![4 => 0usize..4, 1 => Just(usize::MAX / 2), 1 => Just(usize::MAX)];
    prop_oneof![
        6 => (key.clone(), weight.clone()).prop_map(|(k, w)| Op::Insert(k, w)),
        2 => (key.clone(), weight.clone()).prop_map(|(k, w)| Op::TryInsert(k, w)),
        2 => (key.clone(), weight).prop_map(|(k, w)| Op::GetOrInsert(k, w)),
        4 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::Peek),
        2 => key.prop_map(Op::Remove),
        1 => Just(Op::PopVictim),
        1 => prop_oneof![0usize..16, Just(usize::MAX)].prop_map(Op::SetMaxsize),
        1 => (1u8..5).prop_map(Op::Retain),
        1 => Just(Op::Clear),
        1 => (0u64..3).prop_map(Op::Advance),
        1 => Just(Op::Expire),
    ]
}

fn apply<P: Policy<Key, Value>>(
    cache: &mut Tested<P>,
    clock: &ManualClock,
    op: &Op,
    expire: fn(&mut Tested<P>),
) {
    match *op {
        Op::Insert(k, w) => drop(cache.insert(Key(k), Value::new(w))),
        Op::TryInsert(k, w) => drop(cache.try_insert(Key(k), Value::new(w))),
        Op::GetOrInsert(k, w) => drop(cache.get_or_insert_with(Key(k), || Value::new(w))),
        Op::Get(k) => drop(cache.get(&Key(k))),
        Op::Peek(k) => drop(cache.peek(&Key(k))),
        Op::Remove(k) => drop(cache.remove(&Key(k))),
        Op::PopVictim => drop(cache.pop_victim()),
        Op::SetMaxsize(n) => cache.set_maxsize(n),
        Op::Retain(m) => cache.retain(|k, _| {
            callback();
            k.0 % m != 0
        }),
        Op::Clear => cache.clear(),
        Op::Advance(s) => clock.advance(Duration::from_secs(s)),
        Op::Expire => expire(cache),
    }
}

/// The invariants, checked with no panic armed.
fn check<P: Policy<Key, Value>>(cache: &Tested<P>) {
    COUNTDOWN.with(|c| c.set(0));
    let entries: Vec<(&Key, &Value)> = cache.iter().collect();
    assert_eq!(cache.len(), entries.len(), "len");
    let total = entries
        .iter()
        .try_fold(0usize, |sum, (_, v)| sum.checked_add(v.weight))
        .expect("the weights overflow usize");
    assert_eq!(cache.currsize(), total, "currsize is the weights' sum");
    assert!(
        cache.currsize() <= cache.maxsize(),
        "currsize within maxsize"
    );
    for (key, value) in &entries {
        let found = cache.peek(*key).expect("a stored key reads back");
        assert_eq!(found.id, value.id);
    }
}

/// Runs `ops`, each with a panic armed the given number of callbacks in,
/// on the cache `build` makes with the test's clock.
fn run<P: Policy<Key, Value>>(
    build: impl FnOnce(&ManualClock) -> Tested<P>,
    expire: fn(&mut Tested<P>),
    ops: &[(Op, u32)],
) {
    DOUBLE_DROP.with(|d| d.set(false));
    let clock = ManualClock::new();
    let mut cache = build(&clock);
    for (op, countdown) in ops {
        COUNTDOWN.with(|c| c.set(*countdown));
        INJECTED.with(|i| i.set(false));
        let outcome = catch_unwind(AssertUnwindSafe(|| apply(&mut cache, &clock, op, expire)));
        if outcome.is_err() {
            assert!(INJECTED.with(Cell::get), "{op:?} panicked by itself");
        }
        check(&cache);
    }
    COUNTDOWN.with(|c| c.set(0));
    drop(cache);
    assert!(!DOUBLE_DROP.with(Cell::get), "a value was dropped twice");
    ALIVE.with(|a| assert!(a.borrow().is_empty(), "values leaked: {:?}", a.borrow()));
}

/// Builds with the panicking weigher and a listener that may panic too.
fn weighted<P: Policy<Key, Value>>(builder: Builder<Key, Value, P>) -> Tested<P> {
    builder
        .weigher(weigh as Weigher)
        .listener(|_key: Key, _value: Value, _cause: RemovalCause| callback())
        .build()
}

fn no_expiry<P: Policy<Key, Value>>(_: &mut Tested<P>) {}

fn expire_all<P: Policy<Key, Value> + cachekit_core::Timed>(cache: &mut Tested<P>) {
    drop(cache.expire());
}

/// A TLRU time-to-use that may panic: an entry lives its weight in seconds
/// (weight 0: dead on arrival).
fn ttu(_: &Key, value: &Value, now: Instant) -> Instant {
    callback();
    now + Duration::from_secs(value.weight.min(3) as u64)
}

const CASES: u32 = if cfg!(miri) { 2 } else { 200 };
const LEN: usize = if cfg!(miri) { 20 } else { 120 };

fn ops() -> impl Strategy<Value = Vec<(Op, u32)>> {
    proptest::collection::vec((op(), prop_oneof![2 => Just(0u32), 3 => 1u32..6]), 1..LEN)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn lru(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(LruCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn lfu(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(LfuCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn fifo(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(FifoCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn mru(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(MruCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn rr(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(RrCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn unbounded(ops in ops()) {
        run(|_| weighted(UnboundedCache::builder(usize::MAX)), no_expiry, &ops);
    }

    #[test]
    fn arc(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(ArcCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn tinylfu(maxsize in 0usize..12, ops in ops()) {
        run(|_| weighted(TinyLfuCache::builder(maxsize)), no_expiry, &ops);
    }

    #[test]
    fn ttl(maxsize in 0usize..12, ops in ops()) {
        run(
            |clock| weighted(TtlCache::builder_with_clock(maxsize, Duration::from_secs(2), clock.clone())),
            expire_all,
            &ops,
        );
    }

    #[test]
    fn tlru(maxsize in 0usize..12, ops in ops()) {
        run(
            |clock| weighted(TlruCache::builder_with_clock(maxsize, ttu as fn(&Key, &Value, Instant) -> Instant, clock.clone())),
            expire_all,
            &ops,
        );
    }
}
