use cachekit::cached;

#[cached(capacity = 10)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
