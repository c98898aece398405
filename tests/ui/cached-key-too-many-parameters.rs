use cachekit::cached;

#[cached(key = |a: u32, b: u32, c: u32| (a, b, c))]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

fn main() {}
