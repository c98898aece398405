use std::sync::Mutex;

use cachekit::{cached_method, TtlCache};

struct Weather {
    cache: Mutex<TtlCache<u64, f64>>,
}

impl Weather {
    // A `&str` argument makes a `String` key; the cache is keyed by `u64`.
    #[cached_method(cache = self.cache)]
    fn temperature(&self, city: &str) -> f64 {
        city.len() as f64
    }
}

fn main() {}
