use cachekit::cached;

#[cached]
fn push(items: &mut Vec<u32>) -> usize {
    items.push(1);
    items.len()
}

fn main() {}
