use cachekit::cached;

struct Repo;

// An error in one function is reported at its token; the others expand.
#[cached]
impl Repo {
    #[cached(maxsize = 16)]
    fn lookup(&self, id: u64) -> String {
        format!("item {id}")
    }

    #[cached(capacity = 4)]
    fn find(id: u64) -> String {
        format!("item {id}")
    }

    #[cached]
    fn fine(id: u64) -> u64 {
        id
    }
}

fn main() {
    let _ = Repo::fine(1);
    let _ = Repo::fine_contains(1);
}
