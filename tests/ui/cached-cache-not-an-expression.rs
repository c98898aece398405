use cachekit::cached;

#[cached(cache = , lock)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
