use cachekit::cached;

#[cached]
fn repeat<const N: usize>(text: &str) -> String {
    text.repeat(N)
}

fn main() {}
