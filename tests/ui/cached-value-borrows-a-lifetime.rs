use cachekit::cached;

// Lifetime parameters are fine; a value that borrows from one is not.
#[cached]
fn first_word<'a>(text: &'a str) -> &'a str {
    text.split(' ').next().unwrap_or("")
}

fn main() {}
