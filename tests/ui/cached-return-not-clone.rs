use cachekit::cached;

struct Report {
    lines: Vec<String>,
}

#[cached]
fn report(id: u32) -> Report {
    Report { lines: vec![id.to_string()] }
}

fn main() {}
