use cachekit::cached;

#[cached]
fn identity<T: Clone>(value: T) -> T {
    value
}

fn main() {}
