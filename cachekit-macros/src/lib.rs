//! Procedural macros of cachekit. Depend on the `cachekit` crate, which
//! re-exports them with their documentation, rather than on this crate.

mod args;
mod ast;
mod errors;
mod expand;

use proc_macro::TokenStream;

/// Memoizes a function; documented in the `cachekit` crate.
#[proc_macro_attribute]
pub fn cached(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::cached(attr.into(), item.into()).into()
}
