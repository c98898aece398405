use cachekit::cached;

// Options of the `cached` crate get the cachekit spelling.
#[cached(size = 100, time = 60, sync_writes)]
fn price(id: u64) -> u64 {
    id
}

fn main() {}
