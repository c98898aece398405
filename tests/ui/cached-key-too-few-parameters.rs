use cachekit::cached;

#[cached(key = |query: &str| query.to_lowercase())]
fn search(query: &str, page: u32) -> String {
    format!("{query}{page}")
}

fn main() {}
