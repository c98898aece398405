//! A throwaway three-node Redis Cluster on loopback ports, for tests:
//! `redis-server --cluster-enabled yes` per node, joined by
//! `redis-cli --cluster create`.

#![allow(dead_code)]

#[path = "tied.rs"]
mod tied;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tied::Tied;

/// A running cluster, stopped (and its files removed) when dropped; its
/// servers also end when this process does.
pub struct RedisCluster {
    children: Vec<Tied>,
    pub ports: Vec<u16>,
    dir: PathBuf,
}

fn free_ports(n: usize) -> Vec<u16> {
    // Held together, so that they differ.
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("no free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

impl RedisCluster {
    /// Starts three masters (no replicas) and waits until the cluster
    /// serves every slot.
    pub fn start() -> RedisCluster {
        let ports = free_ports(6);
        let (ports, bus) = ports.split_at(3);
        let dir = std::env::temp_dir().join(format!(
            "cachekit-cluster-{}-{}",
            std::process::id(),
            ports[0]
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let binary =
            std::env::var("CACHEKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        tied::require(&binary, "the cluster tests need redis-server");
        let mut cluster = RedisCluster {
            children: Vec::new(),
            ports: ports.to_vec(),
            dir: dir.clone(),
        };
        for (port, bus) in ports.iter().zip(bus) {
            let mut command = Command::new(&binary);
            command
                .args([
                    "--port",
                    &port.to_string(),
                    "--cluster-port",
                    &bus.to_string(),
                ])
                .args(["--bind", "127.0.0.1", "--cluster-enabled", "yes"])
                .arg("--cluster-config-file")
                .arg(dir.join(format!("nodes-{port}.conf")))
                .arg("--dir")
                .arg(&dir)
                .args(["--save", "", "--appendonly", "no"]);
            let child = Tied::spawn(&command).unwrap_or_else(|e| panic!("cannot start sh: {e}"));
            cluster.children.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for &port in ports {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "node {port} did not start");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let status = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("redis-cli (package redis-tools) creates the cluster");
        assert!(status.success(), "redis-cli --cluster create failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        for url in cluster.urls() {
            let client = redis::Client::open(url.as_str()).unwrap();
            loop {
                let info: String = client
                    .get_connection()
                    .and_then(|mut c| redis::cmd("CLUSTER").arg("INFO").query(&mut c))
                    .unwrap_or_default();
                if info.contains("cluster_state:ok") {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the cluster did not come up: {info}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        cluster
    }

    /// `redis://127.0.0.1:PORT` of each node.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect()
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            child.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
