//! Every misuse of the caching macros is a compile error at the offending
//! token, with a clear message: trybuild compiles each `tests/ui/*.rs` and
//! compares the compiler's output with the `.stderr` beside it.
//!
//! The expected output depends on the compiler's wording; regenerate it
//! after a toolchain upgrade with
//! `TRYBUILD=overwrite cargo test --test compiletest` and review the diff.

#[test]
#[cfg_attr(miri, ignore)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
