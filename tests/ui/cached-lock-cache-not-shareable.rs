use cachekit::cached;
use std::cell::RefCell;

#[cached(lock, cache = RefCell::new(cachekit::LruCache::new(10)))]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
