//! A server process tied to the process that started it: it runs under
//! `sh`, which kills it once its standard input closes. That happens when
//! the owner stops it, and also when the owner exits however it exits (a
//! server kept in a `static` is never dropped), so a test run leaves no
//! servers behind.

#![allow(dead_code)] // each includer uses a part

use std::io;
use std::process::{Child, ChildStdin, Command, Stdio};

/// The shell watching the server; stopping it (or dropping it, or this
/// process ending) ends the server.
pub struct Tied {
    shell: Child,
    stdin: Option<ChildStdin>,
}

impl Tied {
    /// Runs `command` (its program and arguments; output discarded) under
    /// a watching shell.
    pub fn spawn(command: &Command) -> io::Result<Tied> {
        // `read` returns at end of input: the pipe from this process closed.
        const SCRIPT: &str = r#""$0" "$@" </dev/null & pid=$!; read _; kill $pid; wait $pid"#;
        let mut shell = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg(command.get_program())
            .args(command.get_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = shell.stdin.take();
        Ok(Tied { shell, stdin })
    }

    /// Ends the server and waits until it is gone.
    pub fn stop(&mut self) {
        if self.stdin.take().is_some() {
            let _ = self.shell.wait();
        }
    }
}

impl Drop for Tied {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Panics with `hint` unless `binary` can be run at all (a missing binary
/// would otherwise only show as a server that never starts).
pub fn require(binary: &str, hint: &str) {
    if let Err(e) = Command::new(binary)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        panic!("cannot start {binary:?} ({e}): {hint}");
    }
}
