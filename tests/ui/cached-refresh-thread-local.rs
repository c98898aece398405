use cachekit::cached;

#[cached(ttl = 60, refresh = 30, thread_local)]
fn rate(pair: &str) -> f64 {
    pair.len() as f64
}

fn main() {}
