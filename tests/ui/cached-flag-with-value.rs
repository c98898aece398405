use cachekit::cached;

#[cached(lock = true)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
