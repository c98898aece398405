//! The `ttl = ...` shorthand: seconds, as cachetools counts them, or a
//! `Duration`.

use std::time::Duration;

/// What `#[cached(ttl = ...)]` accepts.
#[diagnostic::on_unimplemented(
    message = "`ttl = ...` takes seconds (an integer or a float) or a `std::time::Duration`, not `{Self}`",
    label = "the time to live"
)]
pub trait IntoTtl {
    /// The time to live.
    fn into_ttl(self) -> Duration;
}

impl IntoTtl for Duration {
    #[inline]
    fn into_ttl(self) -> Duration {
        self
    }
}

impl IntoTtl for u64 {
    #[inline]
    fn into_ttl(self) -> Duration {
        Duration::from_secs(self)
    }
}

/// Fractional seconds; a negative or NaN time to live is zero (nothing is
/// ever visible), one too large for a `Duration` never expires.
impl IntoTtl for f64 {
    #[inline]
    fn into_ttl(self) -> Duration {
        Duration::try_from_secs_f64(self).unwrap_or(if self > 0.0 {
            Duration::MAX
        } else {
            Duration::ZERO
        })
    }
}

/// The time to live `ttl = ...` means.
#[inline]
pub fn ttl(ttl: impl IntoTtl) -> Duration {
    ttl.into_ttl()
}
