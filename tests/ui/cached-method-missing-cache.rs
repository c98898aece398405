use cachekit::cached_method;

struct Repo;

impl Repo {
    #[cached_method]
    fn get(&self, id: u32) -> u32 {
        id
    }
}

fn main() {}
