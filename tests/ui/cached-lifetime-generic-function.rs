use cachekit::cached;

#[cached]
fn first<'a>(text: &'a str) -> usize {
    text.len()
}

fn main() {}
