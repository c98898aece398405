use cachekit::cached;

#[cached(cache = cachekit::LruCache::new(1), lock, cache = cachekit::LruCache::new(2), lock)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
