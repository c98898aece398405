//! What the crate's tests share.

use proptest::test_runner::Config as ProptestConfig;

/// Settings for a property test that Miri runs too: `cases` cases, but 4
/// under Miri (which runs a thousand times slower), and no failure file
/// there (Miri has no file system; elsewhere a failing case is kept in
/// `proptest-regressions/` and tried first next time).
pub(crate) fn proptest_config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(if cfg!(miri) { 4 } else { cases });
    if cfg!(miri) {
        config.failure_persistence = None;
    }
    config
}
