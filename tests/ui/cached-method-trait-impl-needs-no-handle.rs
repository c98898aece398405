use cachekit::{cached_method, LruCache};
use std::cell::RefCell;

trait Lookup {
    fn lookup(&self, id: u32) -> String;
}

struct Directory {
    cache: RefCell<LruCache<u32, String>>,
}

impl Lookup for Directory {
    #[cached_method(cache = self.cache)]
    fn lookup(&self, id: u32) -> String {
        format!("entry {id}")
    }
}

fn main() {}
