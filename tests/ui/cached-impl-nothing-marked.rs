use cachekit::cached;

struct Repo;

#[cached]
impl Repo {
    fn lookup(id: u64) -> String {
        format!("item {id}")
    }
}

fn main() {}
