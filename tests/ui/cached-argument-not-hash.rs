use cachekit::cached;

#[cached]
fn area(radius: f64) -> f64 {
    radius * radius * 3.14
}

fn main() {}
