//! Size and membership invariants any policy must keep under random
//! operations, with weights, refusals, `set_maxsize`, `pop_victim` and
//! `clear`: the model is the set of keys that must be present. A key is
//! present right after it is stored, absent after removal, and otherwise
//! may only disappear by eviction, which the listener reports.

use std::collections::HashSet;

use cachekit::{Policy, PolicyCache};
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub enum Op {
    Insert(u8, usize),
    Get(u8),
    Remove(u8),
    PopVictim,
    SetMaxsize(usize),
    Clear,
}

fn op(maxsize: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..24, 0..=maxsize + 1).prop_map(|(k, w)| Op::Insert(k, w)),
        6 => (0u8..24).prop_map(Op::Get),
        2 => (0u8..24).prop_map(Op::Remove),
        1 => Just(Op::PopVictim),
        1 => (0..=maxsize + 1).prop_map(Op::SetMaxsize),
        1 => Just(Op::Clear),
    ]
}

/// A `maxsize` of 0 to 12 and up to 200 operations on keys `0..24` with
/// weights up to `maxsize + 1`.
pub fn maxsize_and_ops() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (0usize..=12).prop_flat_map(|m| (Just(m), prop::collection::vec(op(m), 0..200)))
}

/// Runs `ops` on a cache of policy `P` and checks the invariants after
/// each.
pub fn check<P: Policy<u8, usize> + Default>(
    maxsize: usize,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let evicted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = evicted.clone();
    let mut cache = PolicyCache::<u8, usize, P>::builder(maxsize)
        .weigher(|_: &u8, w: &usize| *w)
        .listener(move |k, _, cause| {
            if cause == cachekit::RemovalCause::Evicted {
                sink.lock().unwrap().push(k)
            }
        })
        .build();
    let mut present: HashSet<u8> = HashSet::new();
    let (mut gets, mut hits) = (0u64, 0u64);
    for op in ops {
        evicted.lock().unwrap().clear();
        match op {
            Op::Insert(k, w) => {
                let stored = w <= cache.maxsize();
                cache.insert(k, w);
                for gone in evicted.lock().unwrap().iter() {
                    present.remove(gone);
                }
                if stored {
                    present.insert(k);
                    prop_assert!(cache.contains_key(&k));
                    prop_assert_eq!(cache.peek(&k), Some(&w));
                }
            }
            Op::Get(k) => {
                gets += 1;
                let found = cache.get(&k).is_some();
                hits += u64::from(found);
                prop_assert_eq!(found, present.contains(&k));
            }
            Op::Remove(k) => {
                prop_assert_eq!(cache.remove(&k).is_some(), present.remove(&k));
            }
            Op::PopVictim => match cache.pop_victim() {
                Some((k, _)) => prop_assert!(present.remove(&k)),
                None => prop_assert!(present.is_empty()),
            },
            Op::SetMaxsize(n) => {
                cache.set_maxsize(n);
                for gone in evicted.lock().unwrap().iter() {
                    present.remove(gone);
                }
            }
            Op::Clear => {
                cache.clear();
                present.clear();
            }
        }
        prop_assert!(cache.currsize() <= cache.maxsize());
        prop_assert_eq!(cache.len(), present.len());
        let keys: HashSet<u8> = cache.keys().copied().collect();
        prop_assert_eq!(&keys, &present);
        let stats = cache.stats();
        prop_assert_eq!((stats.hits, stats.hits + stats.misses), (hits, gets));
    }
    // Draining visits every entry once.
    let mut drained = HashSet::new();
    while let Some((k, _)) = cache.pop_victim() {
        prop_assert!(drained.insert(k));
    }
    prop_assert_eq!(drained, present);
    Ok(())
}
