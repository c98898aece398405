use cachekit::{cached, LruCache};

// A `&str` argument makes a `String` key; the cache is keyed by `u64`.
#[cached(cache = LruCache::<u64, f64>::new(64))]
fn temperature(city: &str) -> f64 {
    city.len() as f64
}

fn main() {}
