use cachekit::{cached_method, LruCache};
use std::cell::RefCell;

struct Repo {
    cache: RefCell<LruCache<u32, u32>>,
}

impl Repo {
    #[cached_method(cache = self.cache)]
    fn get(id: u32) -> u32 {
        id
    }
}

fn main() {}
