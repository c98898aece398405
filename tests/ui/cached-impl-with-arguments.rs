use cachekit::cached;

struct Repo;

#[cached(maxsize = 16)]
impl Repo {
    #[cached]
    fn lookup(id: u64) -> String {
        format!("item {id}")
    }
}

fn main() {}
