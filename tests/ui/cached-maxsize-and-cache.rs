use cachekit::cached;

#[cached(cache = cachekit::LruCache::new(10), maxsize = 20)]
fn price(id: u64) -> u64 {
    id
}

fn main() {}
