//! Procedural macros of cachekit. Depend on the `cachekit` crate, which
//! re-exports them, rather than on this crate: the generated code refers to
//! `::cachekit`.

mod args;
mod ast;
mod errors;
mod expand;
mod impl_block;
mod method;

use proc_macro::TokenStream;

/// Memoizes a function: Python cachetools' `@cached(cache, key, lock)`.
///
/// ```
/// use cachekit::{cached, LruCache};
///
/// #[cached(cache = LruCache::new(256))]
/// fn fibonacci(n: u64) -> u64 {
///     if n < 2 { n } else { fibonacci(n - 1) + fibonacci(n - 2) }
/// }
///
/// assert_eq!(fibonacci(90), 2_880_067_194_370_816_120);
/// assert_eq!(fibonacci::cache_info().misses, 91); // each n computed once
/// ```
///
/// # Arguments
///
/// | argument | meaning | default |
/// | --- | --- | --- |
/// | `cache = EXPR` | builds the cache, on first use: one of cachekit's caches (`LruCache::new(256)`, `TtlCache::new(64, ttl)`, a weighted cache, ...), a `hashbrown::HashMap`, or a `ConcurrentCache` | `UnboundedCache::new()` |
/// | `maxsize = N` | shorthand: `cache = LruCache::new(N)` | |
/// | `ttl = SECONDS` | shorthand: `cache = TtlCache::new(maxsize, ttl)`, the time to live in seconds (integer or float) or a `Duration`; unbounded without `maxsize` | |
/// | `idle = SECONDS` | shorthand: a `TtlCache` whose entries also expire this long after their last read (time to idle), with `ttl` as the cap if given | |
/// | `refresh = SECONDS` | with a TTL cache: an entry this old is recomputed by its next caller while every other caller gets the stored value (see "Refreshing") | |
/// | `key = CLOSURE` | derives the key from the arguments | all arguments |
/// | `thread_local` | one cache **per thread** instead of one for the process | one cache, shared |
/// | `lock` | states the default (cachetools' `lock=`): one cache for the process, one computation per key | |
/// | `cache_failures` | also cache `Err(_)` / `None` results | not cached |
///
/// ```
/// use cachekit::cached;
///
/// #[cached(maxsize = 256)] // cachetools: @cached(LRUCache(maxsize=256))
/// fn square(x: u64) -> u64 {
///     x * x
/// }
///
/// #[cached(maxsize = 64, ttl = 60)] // @cached(TTLCache(maxsize=64, ttl=60))
/// fn rate(pair: &str) -> f64 {
///     if pair == "USD/EUR" { 0.92 } else { 1.0 }
/// }
///
/// assert_eq!(square(12), 144);
/// assert_eq!(rate("USD/EUR"), 0.92);
/// assert_eq!(rate::cache_info().maxsize, 64);
/// ```
///
/// The `cached` crate's option names (`size`, `time`, `sync_writes`, ...)
/// are answered with the cachekit spelling.
///
/// By default a function has **one cache for the whole process**, shared by
/// every thread and task: `name::invalidate(..)`, `name::clear()` and
/// `name::cache_info()` act on it from anywhere, and concurrent calls with
/// the same key compute once. A hit takes no lock: it reads the cache
/// alongside other threads' hits (see `ConcurrentCache`), at about the cost
/// of a thread-local hit. `thread_local` keeps one cache per thread
/// instead, nothing shared or synchronized: a little faster still, for
/// values that need not be shared or cannot be (`Rc`, `RefCell`; a shared
/// cache needs `Send + Sync` keys and values).
///
/// # Keys
///
/// By default the key is the tuple of all arguments, owned: a `&str`
/// argument is stored as a `String`, `&[T]` as `Vec<T>`, `&T` as `T`
/// (through `ToOwned`), values by `Clone`. A hit looks the key up with the
/// borrowed arguments and **never allocates or clones**; only a miss builds
/// the owned key. Key parts must be `Hash + Eq`.
///
/// `key = |..| ..` receives the arguments in order (references as
/// references, values as clones) and returns an owned key; parameter types
/// may be written or left out, and `_` ignores an argument. Calls that map to
/// the same key share one entry:
///
/// ```
/// use cachekit::cached;
///
/// #[cached(key = |query: &str, page: u32, _timestamp: f64| (query.trim().to_lowercase(), page))]
/// fn search_products(query: &str, page: u32, timestamp: f64) -> Vec<String> {
///     vec![format!("results for {query} page {page} at {timestamp}")]
/// }
///
/// let first = search_products("Shoes", 1, 1.0);
/// assert_eq!(search_products(" shoes ", 1, 2.0), first); // same key, cached
/// ```
///
/// Rust's types already separate `f(1u8)` from `f(1u16)` (cachetools'
/// `typedkey`): every argument has one static type.
///
/// # Values
///
/// Hits return a clone of the cached value, so the return type must be
/// `Clone`; wrap large values in `std::sync::Arc`. A function returning
/// `Result<T, E>` caches only `Ok(T)`, and one returning `Option<T>` only
/// `Some(T)`, as cachetools never caches an exception: the return type is
/// recognised by its last path segment (`Result`, `io::Result`,
/// `anyhow::Result`, `Option`). `cache_failures` caches every result.
///
/// ```
/// use cachekit::cached;
///
/// #[cached]
/// fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
///     text.parse()
/// }
///
/// assert!(parse_port("http").is_err());
/// assert_eq!(parse_port("8080"), Ok(8080));
/// assert_eq!(parse_port::cache_info().currsize, 1); // the error was not stored
/// ```
///
/// A value too large for a weighted cache is returned and not stored.
///
/// # Concurrency
///
/// No lock is ever held while the function body runs, so the function may
/// call itself (recursion) or other cached functions. Concurrent calls with
/// the same key compute once: the others wait and then return the stored
/// value (cachetools' `condition`), while calls with other keys proceed in
/// parallel. If the computing call fails (`Err`, `None`), panics, or (for
/// an `async fn`) its future is dropped, the callers waiting for it compute
/// for themselves, all at once rather than one after another; nothing is
/// poisoned and nobody hangs.
///
/// Hits never lock. Misses store under one lock per cache; for a function
/// with many concurrent misses, give it a sharded
/// `cache = ConcurrentCache::new(maxsize, LruCache::new)`, whose shards
/// store independently. A value's `Clone` (on a hit), a key's `Eq` and the
/// cache's listener or weigher run inside the cache's critical sections: if
/// they call the function, that call is computed and not stored, and never
/// waits (no deadlock).
///
/// # `async fn`
///
/// Works the same way with any executor (the generated code uses no
/// runtime). No lock is held across an `.await`; tasks waiting for a key
/// being computed are woken when it is done, without blocking their thread.
/// The future is `Send` when the function's body is.
///
/// ```
/// use cachekit::{cached, TtlCache};
/// use std::time::Duration;
///
/// #[cached(cache = TtlCache::new(1024, Duration::from_secs(60)))]
/// async fn exchange_rate(from: &str, to: &str) -> Result<f64, String> {
///     // an HTTP request in real code
///     Ok(if from == to { 1.0 } else { 0.92 })
/// }
///
/// # futures::executor::block_on(async {
/// assert_eq!(exchange_rate("USD", "EUR").await, Ok(0.92));
/// assert!(exchange_rate::contains("USD", "EUR"));
/// # });
/// ```
///
/// # The cache handle
///
/// Next to `fn name`, the macro generates a type `name` (it lives in the
/// type namespace, so it does not clash with the function) whose associated
/// functions reach the cache. The handle functions take the same arguments
/// as the function and apply the key function (cachetools' `cache_key`):
///
/// | call | does |
/// | --- | --- |
/// | `name::invalidate(args..)` | removes the entry of these arguments, returning its value |
/// | `name::peek(args..)` | the cached value, without counting a use or a hit |
/// | `name::contains(args..)` | whether the call would be a hit |
/// | `name::expires_in(args..)` | the entry's time left to live (caches with expiry), or `None` |
/// | `name::clear()` | empties the cache and resets the counts (`cache_clear()`) |
/// | `name::cache_info()` | hits, misses, maxsize, currsize (`cache_info()`) |
/// | `name::with_cache(\|c\| ..)` | runs a closure on the cache (under its lock) as a `&mut dyn CacheView` |
///
/// With `thread_local`, the handle reaches the calling thread's cache.
///
/// ```
/// use cachekit::{cached, LruCache};
///
/// #[cached(cache = LruCache::new(100))]
/// fn get_user(id: u64) -> String {
///     format!("user {id}")
/// }
///
/// get_user(7);
/// get_user(7);
/// assert_eq!(get_user::peek(7).as_deref(), Some("user 7"));
/// assert_eq!(get_user::invalidate(7).as_deref(), Some("user 7"));
/// let info = get_user::cache_info();
/// assert_eq!((info.hits, info.misses, info.currsize), (1, 1, 0));
/// ```
///
/// # Refreshing (stale-while-revalidate)
///
/// With `refresh = R` and a TTL of `T` (`ttl = T`, or a `TtlCache` as the
/// `cache`), an entry older than `R` is still served, and the first caller
/// to find it so recomputes it: that caller waits for (and returns) the new
/// value, while every other caller meanwhile gets the stored one at once.
/// Exactly one computation per key runs at a time. If it fails (`Err`,
/// `None`, a panic), the stored value stays and the next caller tries
/// again. Past `T` the entry is gone and callers wait for a computation as
/// on any miss, so `T` bounds how stale a value can be. The age is read on
/// the cache's clock (a `ManualClock` makes it testable), as the time since
/// the value was stored.
///
/// ```
/// use cachekit::cached;
///
/// // Fresh for 50 s, served stale while refreshing until 60 s.
/// #[cached(ttl = 60, refresh = 50, maxsize = 1024)]
/// fn exchange_rate(pair: &str) -> f64 {
///     if pair == "USD/EUR" { 0.92 } else { 1.0 } // an HTTP request in real code
/// }
///
/// assert_eq!(exchange_rate("USD/EUR"), 0.92);
/// ```
///
/// # In `impl` blocks
///
/// Put `#[cached]` on the `impl` block too: it expands the `#[cached]` and
/// `#[cached_method]` functions inside it (an attribute on one function
/// cannot tell a free function from an associated one, the block's can).
/// An associated function keeps its name and signature, and its handle is
/// associated functions of the type named after it: `Type::NAME_invalidate`,
/// `NAME_peek`, `NAME_contains`, `NAME_clear`, `NAME_cache_info` and
/// `NAME_with_cache`. The body may use `Self` as usual.
///
/// ```
/// use cachekit::cached;
///
/// struct Catalog;
///
/// #[cached]
/// impl Catalog {
///     #[cached(maxsize = 1024)]
///     pub fn price(sku: &str) -> u64 {
///         Self::list_price(sku) // a database query in real code
///     }
///
///     fn list_price(sku: &str) -> u64 {
///         sku.len() as u64 * 100
///     }
/// }
///
/// assert_eq!(Catalog::price("ABC-1"), 500);
/// assert!(Catalog::price_contains("ABC-1"));
/// Catalog::price_invalidate("ABC-1");
/// assert_eq!(Catalog::price_cache_info().currsize, 0);
/// ```
///
/// In a trait impl, which may hold only the trait's items, the handles
/// (of `#[cached]` functions and of `#[cached_method]`s alike, so no
/// `no_handle` is needed) go into an inherent impl of the type beside it,
/// public; the type must be local to the crate.
///
/// ```
/// use cachekit::cached;
///
/// trait Geocoder {
///     fn locate(city: &str) -> (i32, i32);
/// }
///
/// struct Offline;
///
/// #[cached]
/// impl Geocoder for Offline {
///     #[cached(maxsize = 64)]
///     fn locate(city: &str) -> (i32, i32) {
///         (city.len() as i32, 0)
///     }
/// }
///
/// assert_eq!(<Offline as Geocoder>::locate("Oslo"), (4, 0));
/// assert!(Offline::locate_contains("Oslo"));
/// ```
///
/// # Generic functions
///
/// A function with type parameters (its own, or its impl's) keeps **one
/// cache per instantiation**: `parse::<u32>("5")` and `parse::<u64>("5")`
/// are separate entries, even when a parameter appears in neither the key
/// nor the value. The instantiations are told apart by the `TypeId` of the
/// parameters, so the macro adds `T: 'static` to the function's bounds (a
/// trait impl's function may not add bounds: write `T: 'static` on the
/// impl). The keyed handles reach one instantiation, named like the
/// function (`parse::invalidate::<u32>("5")`); `clear()` and
/// `cache_info()` act on all of them (the counts are summed). Finding an
/// instantiation's cache costs a read lock and a short scan on each call,
/// a few nanoseconds more than a non-generic function's hit. Const
/// parameters and `thread_local` are not supported with type parameters.
///
/// ```
/// use cachekit::cached;
/// use std::str::FromStr;
///
/// #[cached(maxsize = 256)]
/// fn parse<T: FromStr + Clone + Send + Sync>(text: &str) -> Option<T> {
///     text.parse().ok()
/// }
///
/// assert_eq!(parse::<u32>("5"), Some(5));
/// assert_eq!(parse::<f64>("5"), Some(5.0));
/// assert!(parse::contains::<u32>("5"));
/// assert_eq!(parse::cache_info().currsize, 2); // one entry in each cache
/// ```
///
/// # Limits
///
/// Each of these is a compile error at the offending token: methods taking
/// `self` (use `#[cached_method]`), const parameters, `&mut` or `impl
/// Trait` arguments, argument patterns other than a name or `_`, a cached
/// value borrowing one of the function's lifetimes (lifetime parameters
/// are otherwise fine), a key closure returning a borrowed argument (the
/// key must be owned), `const`/`unsafe`/`extern` functions, and `impl
/// Trait` return types. A `#[cached]` associated function in an `impl`
/// block without `#[cached]` on the block is told so when it names `Self`;
/// otherwise it fails with the compiler's "struct is not supported in
/// `trait`s or `impl`s", pointing at the attribute: add `#[cached]` to the
/// block.
#[proc_macro_attribute]
pub fn cached(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::cached(attr.into(), item.into()).into()
}

/// Memoizes a method with one cache per instance: Python cachetools'
/// `@cachedmethod(lambda self: self.cache)`.
///
/// ```
/// use cachekit::{cached_method, LruCache};
/// use std::cell::RefCell;
///
/// struct ProductRepository {
///     cache: RefCell<LruCache<u64, String>>,
/// }
///
/// impl ProductRepository {
///     #[cached_method(cache = self.cache)]
///     fn get_product(&self, product_id: u64) -> String {
///         format!("product {product_id}") // a database query in real code
///     }
///
///     fn invalidate(&self, product_id: u64) {
///         self.get_product_invalidate(product_id);
///     }
/// }
///
/// let repo = ProductRepository { cache: RefCell::new(LruCache::new(100)) };
/// repo.get_product(1);
/// repo.get_product(1);
/// assert_eq!(repo.get_product_cache_info().hits, 1);
/// repo.invalidate(1);
/// assert!(!repo.get_product_contains(1));
/// ```
///
/// # Arguments
///
/// | argument | meaning |
/// | --- | --- |
/// | `cache = EXPR` | required: the instance's cache, an expression over `self` (`self.cache`, `self.caches.products`) |
/// | `key = CLOSURE` | derives the key from the arguments other than `self`, as in `#[cached]` |
/// | `cache_failures` | also cache `Err(_)` / `None` results |
/// | `no_handle` | generate no handle methods (in a trait impl, unless the impl block has `#[cached]`, which puts them beside it) |
///
/// The key never includes `self` (cachetools' `methodkey`); by default it is
/// the other arguments, looked up borrowed so that a hit never allocates.
/// Results, failures, `async fn` and the lock discipline work as in
/// [`macro@cached`].
///
/// # The field
///
/// A `&self` method's field holds the cache behind interior mutability
/// (see `cachekit::CacheCell`): a `ConcurrentCache<C>` to share the
/// instance between threads with hits that take no lock (the fast choice);
/// `std::sync::Mutex<C>`, `parking_lot::Mutex<C>` or an `RwLock` to share
/// it behind one lock; `RefCell<C>` for one thread. With a shared field,
/// concurrent calls with the same key compute once (the others wait; a
/// panic hands over to a waiter). A `&mut self` method's field is the
/// cache itself. No lock is held while the method body runs.
///
/// # The handle
///
/// For a method `name`, sibling methods with the same receiver:
/// `name_invalidate(args..) -> Option<V>`, `name_peek(args..) -> Option<V>`,
/// `name_contains(args..) -> bool`, `name_clear()` and
/// `name_cache_info() -> CacheInfo`; the arguments go through the key
/// function. Statistics are the cache's own (`hits`, `misses`); a plain
/// `HashMap` cache keeps none.
///
/// # Limits
///
/// Compile errors at the offending token: no `&self`/`&mut self` receiver,
/// `cache` not mentioning `self`, `async fn` with `&mut self`, and the
/// argument restrictions of [`macro@cached`]. In a trait impl, put
/// `#[cached]` on the impl block, which moves the handle methods into an
/// inherent impl beside it (see [`macro@cached`], "In `impl` blocks"), or
/// add `no_handle`: an attribute on the method alone cannot tell a trait
/// impl from an inherent one, and the compiler rejects its handle methods
/// with "method `NAME_invalidate` is not a member of trait".
#[proc_macro_attribute]
pub fn cached_method(attr: TokenStream, item: TokenStream) -> TokenStream {
    method::cached_method(attr.into(), item.into()).into()
}
