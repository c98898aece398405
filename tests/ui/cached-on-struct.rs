use cachekit::cached;

#[cached]
struct NotAFunction;

fn main() {}
