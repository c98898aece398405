//! Runtime support for the code the caching macros generate. Not public
//! API: everything here may change in any release.
//!
//! The macros cannot name a cache's type (it is inferred from the
//! `cache = ...` expression and may hold closures), so a function's cache
//! lives in an untyped slot and is recovered by a downcast in the one
//! generated function that builds it; every operation on the cache is a
//! variant of [`Op`] dispatched inside that function.

mod handle;
mod key;
mod local;
mod method;
mod naming;
mod output;
mod peers;
mod shared;
#[allow(unsafe_code)] // one pointer cast after a type check; argued in the module
mod slot;
mod state;
mod ttl;

pub use self::handle::{lend, lend_send, now, Done, Lent, LentSend, Op, Request};
pub use self::key::{
    check_field_probe, check_key, check_key_part, check_memo_probe, Key, KeyPart, ProbeOf,
};
pub use self::local::{local, LocalMemo, LocalSlot};
pub use self::method::*;
pub use self::naming::{NameAny, NameRedis, Namer};
pub use self::output::{check_shared_value, Always, Fallible, Output, SharedValue};
pub use self::peers::{PeerKey, Peers, Remote, RemoteFuture, Turn};
pub use self::shared::{
    Claim, ClaimAsync, GenericSlot, Refreshable, Shareable, SharedMemo, SharedSlot, Ticket,
};
pub use self::ttl::{ttl, IntoTtl};
pub use crate::cell::Exclusive;
pub use crate::KeyRef;
pub use std::thread_local;
