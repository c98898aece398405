//! `#[cached]` on an `impl` block: expands the `#[cached]` and
//! `#[cached_method]` functions inside it.
//!
//! An attribute on a function cannot tell whether the function is free or
//! associated, nor whether its impl is of a trait; the attribute on the
//! block sees both. So inside it:
//! - a `#[cached]` associated function keeps its place and signature, and
//!   its machinery (the original body, renamed, and the dispatch function
//!   that holds the cache) and its handle (`NAME_invalidate`, `NAME_peek`,
//!   `NAME_contains`, `NAME_clear`, `NAME_cache_info`, `NAME_with_cache`)
//!   become associated functions of the type;
//! - a `#[cached_method]` of a trait impl gets its handle methods too;
//! - in a trait impl, which may hold only the trait's items, all of these
//!   go into an inherent impl of the same type beside it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{ImplItem, ItemFn, ItemImpl};

use crate::args::{Args, Attr};
use crate::ast::Function;
use crate::errors::Errors;
use crate::expand::{check_generics, check_key_closure, Expansion, Place};
use crate::method;

/// Expands `#[cached(attr)] impl ... { ... }`.
pub fn cached_impl(attr: TokenStream, mut block: ItemImpl) -> TokenStream {
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.push(syn::Error::new_spanned(
            &attr,
            "`#[cached]` on an `impl` block takes no arguments: it expands the functions \
             inside; put the arguments on each of them (`#[cached(maxsize = 64)] fn ..`)",
        ));
    }
    let trait_impl = block.trait_.is_some();
    let self_ty = block.self_ty.clone();
    let impl_generics = block.generics.clone();
    let mut beside = TokenStream::new();
    let mut found = false;
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else { continue };
        let Some((position, attr)) = marked(&method.attrs) else {
            continue;
        };
        found = true;
        let attribute = method.attrs.remove(position);
        let tokens = match &attribute.meta {
            syn::Meta::Path(_) => TokenStream::new(),
            syn::Meta::List(list) => list.tokens.clone(),
            syn::Meta::NameValue(name_value) => {
                errors.push(syn::Error::new_spanned(
                    name_value,
                    format!(
                        "write `#[{}(..)]`, with the arguments in parentheses",
                        attr.name()
                    ),
                ));
                continue;
            }
        };
        let mut local = Errors::default();
        let args = Args::parse_attr(attr, tokens, &mut local);
        let item_fn = ItemFn {
            attrs: method.attrs.clone(),
            vis: method.vis.clone(),
            sig: method.sig.clone(),
            block: Box::new(method.block.clone()),
        };
        let function =
            Function::from_item(&item_fn, attr, args.cache_failures.is_some(), &mut local);
        let expansion = match attr {
            Attr::Cached => {
                check_key_closure(&args, &function, &mut local);
                check_generics(&args, &function, Some(&impl_generics), &mut local);
                local.is_empty().then(|| {
                    crate::expand::expand(
                        &args,
                        &function,
                        &Place::Assoc {
                            self_ty: &self_ty,
                            impl_generics: &impl_generics,
                            trait_impl,
                        },
                    )
                })
            }
            Attr::CachedMethod => {
                method::check(&args, &function, attribute_span(&attribute), &mut local);
                local
                    .is_empty()
                    .then(|| method::expand(&args, &function, trait_impl))
            }
        };
        match expansion {
            Some(Expansion {
                item: expanded,
                beside: more,
            }) => {
                *item = ImplItem::Verbatim(expanded);
                beside.extend(more);
            }
            // The function stays as written (without the attribute), so
            // that the rest of the crate still sees it.
            None => errors.push_all(local),
        }
    }
    if !found && errors.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`#[cached]` on an `impl` block expands the `#[cached]` and `#[cached_method]` \
             functions inside it, and this one has none: mark the functions to cache",
        ));
    }
    let errors = errors.into_compile_errors();
    let sibling = if beside.is_empty() {
        TokenStream::new()
    } else if trait_impl {
        let (impl_generics, _, where_clause) = block.generics.split_for_impl();
        quote! {
            #[allow(dead_code, clippy::all)]
            impl #impl_generics #self_ty #where_clause {
                #beside
            }
        }
    } else {
        block.items.push(ImplItem::Verbatim(beside));
        TokenStream::new()
    };
    let block = block.into_token_stream();
    quote!(#block #sibling #errors)
}

/// The first `#[cached]` or `#[cached_method]` attribute (by its last path
/// segment, so `#[cachekit::cached]` counts), and which it is.
fn marked(attrs: &[syn::Attribute]) -> Option<(usize, Attr)> {
    attrs.iter().enumerate().find_map(|(i, attr)| {
        let last = attr.path().segments.last()?;
        if last.ident == "cached" {
            Some((i, Attr::Cached))
        } else if last.ident == "cached_method" {
            Some((i, Attr::CachedMethod))
        } else {
            None
        }
    })
}

fn attribute_span(attr: &syn::Attribute) -> Span {
    syn::spanned::Spanned::span(attr)
}
