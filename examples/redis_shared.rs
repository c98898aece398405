//! Two processes sharing one cached function through Redis.
//!
//! `cargo run --features redis --example redis_shared [-- redis://host:port/]`
//!
//! Without a URL, a throwaway `redis-server` is started. The first process
//! computes a slow quote; it then starts a second process (itself, with
//! `--child`), whose identical call is served from Redis.

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cachekit::{cached, RedisCache};

static URL: OnceLock<String> = OnceLock::new();
static COMPUTED: AtomicUsize = AtomicUsize::new(0);

/// A slow external call, cached for every process that uses this Redis.
#[cached(lock, cache = RedisCache::builder(URL.get().map_or("", String::as_str))
    .ttl(Duration::from_secs(60))
    .build())]
fn get_quote(symbol: &str) -> f64 {
    COMPUTED.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    symbol.bytes().map(f64::from).sum::<f64>() / 10.0
}

fn timed_quote(who: &str) {
    let start = Instant::now();
    let quote = get_quote("ACME");
    let how = if COMPUTED.load(Ordering::SeqCst) > 0 {
        "computed"
    } else {
        "served from Redis"
    };
    println!("{who}: ACME = {quote} ({how} in {:?})", start.elapsed());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        URL.set(args[1].clone()).unwrap();
        timed_quote("process 2");
        return;
    }
    let _server;
    let url = match args.first() {
        Some(url) => url.clone(),
        None => {
            let server = redis_server::RedisServer::start();
            let url = server.url();
            _server = server;
            url
        }
    };
    println!("sharing {url}");
    URL.set(url.clone()).unwrap();
    get_quote::clear(); // start from an empty namespace
    timed_quote("process 1");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--child", &url])
        .status()
        .expect("cannot start the second process");
    assert!(status.success());
}
