//! The Redis tier on a Redis Cluster (`RedisCache::cluster_builder`),
//! against a three-node cluster the tests start on loopback ports: entries
//! routed by key, one hash slot per function, leases across "processes".

#[path = "common/at_once.rs"]
mod at_once;
#[path = "common/redis_cluster.rs"]
mod redis_cluster;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use at_once::at_once;
use cachekit::redis::RedisCache;
use cachekit::{cached, Cache};
use redis_cluster::RedisCluster;

fn nodes() -> Vec<String> {
    static CLUSTER: OnceLock<Mutex<RedisCluster>> = OnceLock::new();
    let cluster = CLUSTER.get_or_init(|| Mutex::new(RedisCluster::start()));
    cluster.lock().unwrap().urls()
}

fn builder<K, V>(function: &str) -> cachekit::redis::RedisBuilder<K, V> {
    let nodes = nodes();
    let nodes: Vec<&str> = nodes.iter().map(String::as_str).collect();
    RedisCache::cluster_builder(&nodes).function(function)
}

/// `CLUSTER KEYSLOT key`, asked of one node.
fn slot_of(key: &str) -> i64 {
    let mut c = redis::Client::open(nodes()[0].as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(key)
        .query(&mut c)
        .unwrap()
}

#[test]
fn entries_round_trip_and_one_functions_keys_share_a_slot() {
    let mut cache: RedisCache<u32, String> = builder("cluster_round_trip").build();
    for n in 0..50 {
        cache.insert(n, format!("value {n}"));
    }
    assert_eq!(cache.get(&7).map(String::as_str), Some("value 7"));
    assert!(cache.contains_key(&49));
    assert_eq!(cache.remove(&49).as_deref(), Some("value 49"));
    assert_eq!(cache.len(), 49, "SCAN on the slot's node finds every key");
    let slots: std::collections::BTreeSet<i64> =
        (0..49u32).map(|n| slot_of(&cache.redis_key(&n))).collect();
    assert_eq!(slots.len(), 1, "{slots:?}");
    // Another client, as another process, reads them.
    let mut other: RedisCache<u32, String> = builder("cluster_round_trip").build();
    assert_eq!(other.get(&3).map(String::as_str), Some("value 3"));
    cache.clear();
    assert_eq!(other.len(), 0);
    assert_eq!(cache.redis_stats().errors, 0);
    assert_eq!(other.redis_stats().errors, 0);
}

#[test]
fn each_function_hashes_to_its_own_slot() {
    let a: RedisCache<u32, u32> = builder("cluster_spread_a").build();
    let b: RedisCache<u32, u32> = builder("cluster_spread_b").build();
    assert_ne!(slot_of(&a.redis_key(&1u32)), slot_of(&b.redis_key(&1u32)));
}

static REPORTS: AtomicUsize = AtomicUsize::new(0);

fn report_cache() -> RedisCache<u32, String> {
    builder("cluster_report")
        .lease(Duration::from_secs(10))
        .build()
}

macro_rules! report_process {
    ($name:ident) => {
        #[cached(cache = report_cache())]
        fn $name(day: u32) -> String {
            REPORTS.fetch_add(1, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(300));
            format!("report {day}")
        }
    };
}

report_process!(report_a);
report_process!(report_b);
report_process!(report_c);

#[test]
fn processes_on_a_cluster_compute_a_key_once() {
    let functions: [fn(u32) -> String; 3] = [report_a, report_b, report_c];
    let results: Vec<String> = at_once(&functions, 11);
    assert_eq!(results, ["report 11"; 3]);
    assert_eq!(REPORTS.load(Ordering::SeqCst), 1);
    let leases: u64 = [
        report_a::cache_info(),
        report_b::cache_info(),
        report_c::cache_info(),
    ]
    .iter()
    .map(|info| info.redis.unwrap().leases)
    .sum();
    assert_eq!(leases, 1);
}
