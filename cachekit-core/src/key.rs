//! Borrowed lookups of tuple keys.

use core::borrow::Borrow;
use core::hash::{Hash, Hasher};

use equivalent::Equivalent;

/// A tuple of borrowed parts that looks up an owned tuple key without
/// building it.
///
/// A cache keyed by `(String, u32)` is looked up with
/// `KeyRef((&str, &u32))`: each part `&Q` matches an owned part `K` with
/// `K: Borrow<Q>`, and the hash is the owned tuple's hash, so a hit
/// allocates nothing. Tuples of 1 to 12 parts are supported. (A plain tuple
/// of references cannot play this role: `Equivalent`'s blanket impl for
/// `Borrow` already covers tuples, so a wrapper is needed.)
///
/// # Examples
///
/// ```
/// # extern crate cachekit_core as cachekit;
/// use cachekit::{KeyRef, LruCache};
///
/// let mut cache: LruCache<(String, u32), &str> = LruCache::new(10);
/// cache.insert(("shoes".to_string(), 2), "page 2 of shoes");
/// let query: &str = "shoes";
/// assert_eq!(cache.get(&KeyRef((query, &2))), Some(&"page 2 of shoes"));
/// assert_eq!(cache.get(&KeyRef((query, &3))), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyRef<T>(pub T);

impl<T: Hash> Hash for KeyRef<T> {
    // Exactly the tuple's own hash: `(&Q, ..)` hashes each `Q`, and
    // `K: Borrow<Q>` promises `K` hashes like `Q`.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

macro_rules! key_ref_tuple {
    ($($Q:ident $K:ident $i:tt),+) => {
        impl<'a, $($Q: ?Sized + Eq,)+ $($K: Borrow<$Q>,)+> Equivalent<($($K,)+)> for KeyRef<($(&'a $Q,)+)> {
            #[inline]
            fn equivalent(&self, key: &($($K,)+)) -> bool {
                $( *self.0.$i == *key.$i.borrow() )&&+
            }
        }
    };
}

key_ref_tuple!(Q0 K0 0);
key_ref_tuple!(Q0 K0 0, Q1 K1 1);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6, Q7 K7 7);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6, Q7 K7 7, Q8 K8 8);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6, Q7 K7 7, Q8 K8 8, Q9 K9 9);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6, Q7 K7 7, Q8 K8 8, Q9 K9 9, Q10 K10 10);
key_ref_tuple!(Q0 K0 0, Q1 K1 1, Q2 K2 2, Q3 K3 3, Q4 K4 4, Q5 K5 5, Q6 K6 6, Q7 K7 7, Q8 K8 8, Q9 K9 9, Q10 K10 10, Q11 K11 11);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_the_owned_tuple() {
        let s = ahash::RandomState::new();
        let owned = ("abc".to_string(), 7u32, vec![1u8, 2]);
        let borrowed = KeyRef(("abc", &7u32, &[1u8, 2][..]));
        assert_eq!(s.hash_one(&owned), s.hash_one(borrowed));
        assert!(borrowed.equivalent(&owned));
        assert!(!KeyRef(("abd", &7u32, &[1u8, 2][..])).equivalent(&owned));
        assert!(!KeyRef(("abc", &7u32, &[1u8][..])).equivalent(&owned));
    }
}
