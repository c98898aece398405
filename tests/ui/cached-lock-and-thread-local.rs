use cachekit::cached;

#[cached(lock, thread_local)]
fn double(x: u32) -> u32 {
    x * 2
}

fn main() {}
