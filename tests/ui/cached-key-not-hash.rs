use cachekit::cached;

#[cached(key = |price: f64| price * 100.0)]
fn cents(price: f64) -> i64 {
    (price * 100.0) as i64
}

fn main() {}
