//! Runs a test body on its own thread and fails it if it takes longer than
//! a generous bound: a deadlock becomes a failure, never a stuck test run.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// `f()` on another thread; panics if it has not returned (or if it
/// panicked) within `seconds`.
pub fn within<T: Send + 'static>(seconds: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(f());
    });
    match result.recv_timeout(Duration::from_secs(seconds)) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("not done after {seconds} s: deadlocked")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test body panicked"),
    }
}
