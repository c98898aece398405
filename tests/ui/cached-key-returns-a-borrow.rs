use cachekit::cached;

#[cached(key = |query: &str, _page: u32| query)]
fn search(query: &str, page: u32) -> Vec<String> {
    vec![format!("{query} {page}")]
}

#[cached(key = |query, page| (query, page))]
fn search_pages(query: &str, page: u32) -> Vec<String> {
    vec![format!("{query} {page}")]
}

fn main() {}
