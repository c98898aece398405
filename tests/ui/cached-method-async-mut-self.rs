use cachekit::{cached_method, LruCache};

struct Repo {
    cache: LruCache<u32, u32>,
}

impl Repo {
    #[cached_method(cache = self.cache)]
    async fn get(&mut self, id: u32) -> u32 {
        id
    }
}

fn main() {}
