use cachekit::cached;

struct Repo;

impl Repo {
    #[cached(maxsize = 16)]
    fn lookup(id: u64) -> String {
        Self::label(id)
    }

    fn label(id: u64) -> String {
        format!("item {id}")
    }
}

fn main() {}
