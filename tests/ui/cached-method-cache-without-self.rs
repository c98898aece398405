use cachekit::{cached_method, LruCache};
use std::cell::RefCell;

thread_local! {
    static CACHE: RefCell<LruCache<u32, u32>> = RefCell::new(LruCache::new(10));
}

struct Repo;

impl Repo {
    #[cached_method(cache = CACHE)]
    fn get(&self, id: u32) -> u32 {
        id
    }
}

fn main() {}
