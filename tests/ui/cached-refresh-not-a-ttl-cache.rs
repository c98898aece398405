use cachekit::{cached, LruCache};

#[cached(cache = LruCache::new(64), refresh = 30)]
fn rate(pair: &str) -> f64 {
    pair.len() as f64
}

fn main() {}
