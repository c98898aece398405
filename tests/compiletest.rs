//! Every misuse of the caching macros is a compile error at the offending
//! token, with a clear message: trybuild compiles each `tests/ui/*.rs` and
//! compares the compiler's output with the `.stderr` beside it.
//!
//! The expected output depends on the compiler's wording, so the files are
//! checked with the toolchain they were generated with ([`TOOLCHAIN`]);
//! with another compiler the test says so and checks nothing. After a
//! toolchain upgrade, regenerate them with
//! `TRYBUILD=overwrite cargo test --test compiletest`, review the diff, and
//! update [`TOOLCHAIN`].

/// The `rustc --version` prefix the `.stderr` files were generated with.
const TOOLCHAIN: &str = "rustc 1.95.";

#[test]
#[cfg_attr(miri, ignore)]
fn ui() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if !version.starts_with(TOOLCHAIN) {
        eprintln!("ui/*.stderr were generated with {TOOLCHAIN}x, not {version}: not checked");
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
