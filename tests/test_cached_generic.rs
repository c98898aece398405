//! Generic `#[cached]` functions: one cache per instantiation of the type
//! parameters (cachetools' `typedkey`, by type rather than by value).

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use cachekit::cached;

static PARSES: AtomicUsize = AtomicUsize::new(0);

#[cached(maxsize = 32)]
fn parse<T: FromStr + Clone + Send + Sync>(text: &str) -> Option<T> {
    PARSES.fetch_add(1, Ordering::SeqCst);
    text.parse().ok()
}

#[test]
fn each_instantiation_has_its_own_entries() {
    let before = PARSES.load(Ordering::SeqCst);
    assert_eq!(parse::<u32>("5"), Some(5));
    assert_eq!(parse::<u64>("5"), Some(5));
    assert_eq!(parse::<u32>("5"), Some(5));
    assert_eq!(PARSES.load(Ordering::SeqCst) - before, 2);
    assert!(parse::contains::<u32>("5"));
    assert_eq!(parse::invalidate::<u64>("5"), Some(5));
    assert!(!parse::contains::<u64>("5"));
    assert!(parse::contains::<u32>("5"));
    assert_eq!(parse::peek::<u32>("5"), Some(5));
    // A failed parse (None) is not stored.
    assert_eq!(parse::<u8>("300"), None);
    assert!(!parse::contains::<u8>("300"));
    assert_eq!(parse::with_cache::<u32, _>(|c| c.len()), Some(1));
}

/// The type parameter is in neither the key nor the value: the
/// instantiations are still kept apart.
trait Named {
    const NAME: &'static str;
}
struct Ann;
struct Bob;
impl Named for Ann {
    const NAME: &'static str = "ann";
}
impl Named for Bob {
    const NAME: &'static str = "bob";
}

#[cached]
fn greet<T: Named>(greeting: &str) -> String {
    format!("{greeting}, {}", T::NAME)
}

#[test]
fn a_parameter_outside_key_and_value_still_separates_the_caches() {
    assert_eq!(greet::<Ann>("hi"), "hi, ann");
    assert_eq!(greet::<Bob>("hi"), "hi, bob");
    assert_eq!(greet::<Ann>("hi"), "hi, ann");
    let info = greet::cache_info();
    // Summed over both instantiations.
    assert_eq!((info.hits, info.misses, info.currsize), (1, 2, 2));
    greet::clear();
    assert_eq!(greet::cache_info().currsize, 0);
    assert!(!greet::contains::<Bob>("hi"));
}

#[test]
fn instantiations_are_shared_by_threads_and_computed_once() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    fn slow<T: Default + Clone + Send + Sync + 'static>(n: u32) -> (u32, T) {
        RUNS.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(50));
        (n, T::default())
    }
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| slow::<String>(1)))
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), (1, String::new()));
    }
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);
    assert_eq!(slow::<u8>(1), (1, 0));
    assert_eq!(RUNS.load(Ordering::SeqCst), 2);
}

#[test]
fn async_generic_functions() {
    #[cached]
    async fn twice<T: Clone + std::ops::Add<Output = T> + Send + Sync + std::hash::Hash + Eq>(
        x: T,
    ) -> T {
        x.clone() + x
    }
    futures::executor::block_on(async {
        assert_eq!(twice(2u8).await, 4);
        assert_eq!(twice(2u16).await, 4);
        assert!(twice::contains::<u8>(2));
        assert_eq!(twice::cache_info().currsize, 2);
    });
}

struct Codec<T>(std::marker::PhantomData<T>);

#[cached]
impl<T: FromStr + Clone + Send + Sync + 'static> Codec<T> {
    /// The impl's parameter selects the cache: `Codec::<u8>` and
    /// `Codec::<i64>` have their own.
    #[cached(maxsize = 8)]
    fn decode(text: &str) -> Option<T> {
        text.parse().ok()
    }
}

#[test]
fn a_generic_impl_keeps_one_cache_per_instantiation() {
    assert_eq!(Codec::<u8>::decode("7"), Some(7));
    assert_eq!(Codec::<i64>::decode("-7"), Some(-7));
    assert!(Codec::<u8>::decode_contains("7"));
    assert!(!Codec::<i64>::decode_contains("7"));
    assert_eq!(Codec::<u8>::decode_cache_info().currsize, 2);
}
