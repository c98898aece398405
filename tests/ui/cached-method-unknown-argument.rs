use cachekit::{cached_method, LruCache};
use std::cell::RefCell;

struct Repo {
    cache: RefCell<LruCache<u32, u32>>,
}

impl Repo {
    #[cached_method(cache = self.cache, lock)]
    fn get(&self, id: u32) -> u32 {
        id
    }
}

fn main() {}
