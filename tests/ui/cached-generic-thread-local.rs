use cachekit::cached;

#[cached(thread_local)]
fn parse<T: std::str::FromStr + Clone>(text: &str) -> Option<T> {
    text.parse().ok()
}

fn main() {}
