use std::rc::Rc;

use cachekit::cached;

// The default cache is shared by all threads: an `Rc` cannot be.
#[cached]
fn name(id: u32) -> Rc<str> {
    Rc::from(format!("user {id}"))
}

fn main() {}
