//! A future that is pending once, so that concurrent tasks interleave.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pending on the first poll (waking itself), ready on the second.
pub struct YieldOnce(pub bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
