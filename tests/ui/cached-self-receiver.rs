use cachekit::cached;

struct Repo;

impl Repo {
    #[cached]
    fn get(&self, id: u32) -> u32 {
        id
    }
}

fn main() {}
