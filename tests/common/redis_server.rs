//! A throwaway `redis-server` on a free loopback port, for tests, the
//! example and the benchmark. Without the binary it says how to get one.

#![allow(dead_code)] // each includer uses a part

#[path = "tied.rs"]
mod tied;

use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use tied::Tied;

/// A running server, stopped when dropped or when this process ends.
pub struct RedisServer {
    child: Option<Tied>,
    pub port: u16,
}

impl RedisServer {
    /// Starts `redis-server` (from `$CACHEKIT_REDIS_SERVER` or `PATH`) on a
    /// free port and waits until it accepts connections.
    pub fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("no free loopback port");
        let binary =
            std::env::var("CACHEKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        tied::require(
            &binary,
            "the Redis tests need a Redis server binary; install one (`apt-get install \
             redis-server`, as .ci/run does) or point CACHEKIT_REDIS_SERVER at it",
        );
        let mut command = Command::new(&binary);
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--enable-debug-command",
                "yes",
            ]);
        let child = Tied::spawn(&command).unwrap_or_else(|e| panic!("cannot start sh: {e}"));
        let server = RedisServer {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server now (to test a server going away).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.stop();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
