//! `#[cached]` on impl blocks: associated functions memoized like free
//! ones, with handles as associated functions, in inherent and trait impls.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cachekit::{cached, ConcurrentCache, LruCache};

static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

struct Repo;

#[cached]
impl Repo {
    /// Doc comments stay on the function.
    #[cached(maxsize = 16)]
    pub fn lookup(id: u64) -> String {
        LOOKUPS.fetch_add(1, Ordering::SeqCst);
        Self::label(id)
    }

    fn label(id: u64) -> String {
        format!("item {id}")
    }

    #[cachekit::cached(key = |name: &str, _page: u32| name.to_lowercase())]
    fn by_name(name: &str, page: u32) -> Result<String, String> {
        if name.is_empty() {
            Err("empty".into())
        } else {
            Ok(format!("{name}:{page}"))
        }
    }

    #[cached(thread_local)]
    fn per_thread(x: u32) -> u32 {
        x * 2
    }

    #[cached]
    async fn fetch(id: u64) -> u64 {
        id + 1
    }

    // A plain method beside them is left alone.
    fn plain(&self) -> u32 {
        7
    }
}

#[test]
fn an_associated_function_is_memoized_with_its_handle() {
    let before = LOOKUPS.load(Ordering::SeqCst);
    assert_eq!(Repo::lookup(1), "item 1");
    assert_eq!(Repo::lookup(1), "item 1");
    assert_eq!(LOOKUPS.load(Ordering::SeqCst) - before, 1);
    assert!(Repo::lookup_contains(1));
    assert_eq!(Repo::lookup_peek(1).as_deref(), Some("item 1"));
    let info = Repo::lookup_cache_info();
    assert_eq!((info.hits, info.maxsize), (1, 16));
    assert_eq!(Repo::lookup_invalidate(1).as_deref(), Some("item 1"));
    assert!(!Repo::lookup_contains(1));
    assert_eq!(Repo::lookup_with_cache(|c| c.len()), Some(0));
    Repo::lookup(2);
    Repo::lookup_clear();
    assert_eq!(Repo::lookup_cache_info().currsize, 0);
    assert_eq!(Repo.plain(), 7);
}

#[test]
fn the_cache_is_shared_by_threads() {
    Repo::lookup(40);
    std::thread::spawn(|| assert!(Repo::lookup_contains(40)))
        .join()
        .unwrap();
    std::thread::spawn(|| Repo::lookup_invalidate(40))
        .join()
        .unwrap();
    assert!(!Repo::lookup_contains(40));
}

#[test]
fn keys_failures_thread_local_and_async_work_as_for_free_functions() {
    assert_eq!(Repo::by_name("Ann", 1), Ok("Ann:1".into()));
    // Same key (lowercased name, page ignored): the stored value.
    assert_eq!(Repo::by_name("ANN", 2), Ok("Ann:1".into()));
    assert!(Repo::by_name("", 1).is_err());
    assert_eq!(Repo::by_name_cache_info().currsize, 1);

    assert_eq!(Repo::per_thread(3), 6);
    assert!(Repo::per_thread_contains(3));
    std::thread::spawn(|| assert!(!Repo::per_thread_contains(3)))
        .join()
        .unwrap();

    assert_eq!(futures::executor::block_on(Repo::fetch(1)), 2);
    assert!(Repo::fetch_contains(1));
}

struct Generic<T>(T);

#[cached]
impl<T> Generic<T> {
    /// The impl's type parameter is not in the key or value: one cache.
    #[cached]
    fn double(x: u32) -> u32 {
        x * 2
    }

    fn get(&self) -> &T {
        &self.0
    }
}

#[test]
fn a_generic_impl_with_a_function_that_does_not_use_its_parameters() {
    assert_eq!(Generic::<u8>::double(2), 4);
    assert!(Generic::<u8>::double_contains(2));
    assert_eq!(*Generic(5u8).get(), 5);
}

trait Store {
    fn load(id: u64) -> String;
    fn fetch(&self, id: u64) -> String;
}

static LOADS: AtomicUsize = AtomicUsize::new(0);

struct Disk {
    cache: Mutex<LruCache<u64, String>>,
}

#[cached]
impl Store for Disk {
    #[cached(maxsize = 8)]
    fn load(id: u64) -> String {
        LOADS.fetch_add(1, Ordering::SeqCst);
        format!("disk {id}")
    }

    // No `no_handle` needed: the handle goes into an inherent impl.
    #[cached_method(cache = self.cache)]
    fn fetch(&self, id: u64) -> String {
        format!("fetched {id}")
    }
}

#[test]
fn a_trait_impl_gets_its_handles_beside_it() {
    let before = LOADS.load(Ordering::SeqCst);
    assert_eq!(Disk::load(3), "disk 3");
    assert_eq!(<Disk as Store>::load(3), "disk 3");
    assert_eq!(LOADS.load(Ordering::SeqCst) - before, 1);
    assert!(Disk::load_contains(3));
    assert_eq!(Disk::load_cache_info().maxsize, 8);

    let disk = Disk {
        cache: Mutex::new(LruCache::new(4)),
    };
    assert_eq!(disk.fetch(1), "fetched 1");
    assert!(disk.fetch_contains(1));
    assert_eq!(disk.fetch_invalidate(1).as_deref(), Some("fetched 1"));
    assert_eq!(disk.fetch_cache_info().currsize, 0);
}

struct Counter {
    cache: ConcurrentCache<LruCache<u32, u32>>,
}

#[cached]
impl Counter {
    // In an inherent impl `#[cached_method]` expands as it does alone.
    #[cached_method(cache = self.cache)]
    fn square(&self, x: u32) -> u32 {
        x * x
    }
}

#[test]
fn cached_methods_in_an_inherent_impl_keep_their_handles() {
    let counter = Counter {
        cache: ConcurrentCache::new(8, LruCache::new),
    };
    assert_eq!(counter.square(3), 9);
    assert!(counter.square_contains(3));
}

trait Source {
    fn read(id: u32) -> String;
}

struct Tagged<T>(std::marker::PhantomData<T>);

trait Tag {
    const TAG: &'static str;
}
struct Red;
impl Tag for Red {
    const TAG: &'static str = "red";
}
struct Blue;
impl Tag for Blue {
    const TAG: &'static str = "blue";
}

// A trait impl's function cannot add bounds: `T: 'static` is on the impl.
#[cached]
impl<T: Tag + 'static> Source for Tagged<T> {
    #[cached]
    fn read(id: u32) -> String {
        format!("{}-{id}", T::TAG)
    }
}

#[test]
fn a_generic_trait_impl_keeps_one_cache_per_instantiation() {
    assert_eq!(Tagged::<Red>::read(1), "red-1");
    assert_eq!(Tagged::<Blue>::read(1), "blue-1");
    assert!(Tagged::<Red>::read_contains(1));
    Tagged::<Blue>::read_invalidate(1);
    assert!(Tagged::<Red>::read_contains(1));
    assert!(!Tagged::<Blue>::read_contains(1));
}

/// A `Self` inside an item nested in a free function's body is that item's
/// own: the function is memoized as usual (a `Self` of the function itself
/// is an error asking for `#[cached]` on its impl block).
#[cached]
fn nested_self(id: u64) -> String {
    struct Label(u64);
    impl Label {
        fn new(id: u64) -> Self {
            Label(id)
        }
    }
    format!("item {}", Label::new(id).0)
}

#[test]
fn a_nested_items_self_is_not_the_functions() {
    assert_eq!(nested_self(1), "item 1");
    assert!(nested_self::contains(1));
}
