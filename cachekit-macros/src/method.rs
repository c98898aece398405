//! Code generation for `#[cached_method]`.
//!
//! The method keeps its signature; its body looks the key up in the cache
//! the `cache = self.FIELD` expression names, runs the original body (as a
//! closure, so `return` and `?` keep their meaning) on a miss, and stores
//! the result. Sibling methods `NAME_invalidate`, `NAME_peek`,
//! `NAME_contains`, `NAME_clear` and `NAME_cache_info` form the handle.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, ImplItemFn, ItemFn};

use crate::args::{Args, Attr};
use crate::ast::{Function, OutputKind};
use crate::errors::Errors;
use crate::expand::{check_key_closure, Expansion, Key};

/// Expands `#[cached_method(attr)] item`.
pub fn cached_method(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::parse_attr(Attr::CachedMethod, attr, &mut errors);
    let method: ImplItemFn = match syn::parse2(item.clone()) {
        Ok(method) => method,
        Err(_) => {
            errors.push(syn::Error::new_spanned(
                &item,
                "`#[cached_method]` applies to methods in an `impl` block",
            ));
            return errors.with_item(item);
        }
    };
    let item_fn = ItemFn {
        attrs: method.attrs.clone(),
        vis: method.vis.clone(),
        sig: method.sig.clone(),
        block: Box::new(method.block.clone()),
    };
    let function = Function::from_item(
        &item_fn,
        Attr::CachedMethod,
        args.cache_failures.is_some(),
        &mut errors,
    );
    check(&args, &function, Span::call_site(), &mut errors);
    if !errors.is_empty() {
        return errors.with_item(item);
    }
    let expansion = expand(&args, &function, false);
    let (method, handle) = (expansion.item, expansion.beside);
    quote!(#method #handle)
}

/// Checks what the signature alone does not tell: the `cache` field and
/// the key closure. A missing `cache` is reported at `missing_span`.
pub fn check(args: &Args, function: &Function, missing_span: Span, errors: &mut Errors) {
    match &args.cache {
        None => errors.push(syn::Error::new(
            missing_span,
            "`#[cached_method]` needs `cache = self.FIELD`, the field holding this instance's cache",
        )),
        Some(expr) if !mentions_self(expr.to_token_stream()) => {
            errors.push(syn::Error::new_spanned(
                expr,
                "`cache` must reach the instance's cache through `self`, e.g. `cache = self.cache`",
            ))
        }
        Some(_) => {}
    }
    check_key_closure(args, function, errors);
}

fn mentions_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(ident) => ident == "self",
        TokenTree::Group(group) => mentions_self(group.stream()),
        _ => false,
    })
}

/// Expands a checked method: `item` is the method, `beside` its handle
/// methods (for the same impl, or an inherent one beside a trait impl,
/// where they are public).
pub fn expand(args: &Args, function: &Function, trait_impl: bool) -> Expansion {
    let item = function.item;
    let sig = &item.sig;
    let vis = &item.vis;
    let name = &sig.ident;
    let attrs = &item.attrs;
    let block = &item.block;
    let private = quote!(::cachekit::__private);
    // Only lifetimes get this far (see `ast::check_signature`).
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    let output = &function.output;
    let kind = match function.output_kind {
        OutputKind::Always => quote!(#private::Always),
        OutputKind::Fallible => quote!(#private::Fallible),
    };
    let output_trait = quote_spanned!(output.span()=> #private::Output<#kind>);
    let value = quote_spanned!(output.span()=> <#output as #output_trait>::Value);
    let from_cached = quote!(<#output as #output_trait>::from_cached);
    let cacheable = quote!(<#output as #output_trait>::cacheable);

    // The signature, with `_` arguments named so the key can see them.
    let mut method_sig = sig.clone();
    let mut typed = function.args.iter();
    for input in method_sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pat_type) = input {
            if let Some(arg) = typed.next() {
                if matches!(*pat_type.pat, syn::Pat::Wild(_)) {
                    let ident = &arg.ident;
                    *pat_type.pat = syn::parse_quote!(#ident);
                }
            }
        }
    }
    let receiver = sig.inputs.first();
    let idents: Vec<_> = function.args.iter().map(|a| &a.ident).collect();
    let tys: Vec<_> = function.args.iter().map(|a| a.ty).collect();
    let inputs = quote!(#(#idents: #tys),*);

    let cache_expr = args.cache.as_ref().map(Expr::to_token_stream);
    let cache_span = args.cache.as_ref().map_or(Span::call_site(), |e| e.span());
    let field = if function.mut_receiver {
        quote_spanned!(cache_span=> &#private::Exclusive::new(&mut #cache_expr))
    } else {
        quote_spanned!(cache_span=> &#cache_expr)
    };

    let key = Key::new(args.key.as_ref(), function);
    let key_prelude = &key.prelude;
    let probe = &key.probe;
    let owned_key = &key.owned;

    let begin = if function.is_async {
        quote!(__CACHEKIT_FLIGHTS.begin_async(#field, #probe).await)
    } else {
        quote!(__CACHEKIT_FLIGHTS.begin(#field, #probe))
    };
    let run_body = if function.is_async {
        quote!(async move #block.await)
    } else {
        quote!((|| -> #output #block)())
    };

    let vis = if trait_impl && matches!(vis, syn::Visibility::Inherited) {
        quote!(pub)
    } else {
        vis.to_token_stream()
    };
    let method_vis = &item.vis;
    let handle = args.no_handle.is_none().then(|| {
        let invalidate = format_ident!("{}_invalidate", name);
        let peek = format_ident!("{}_peek", name);
        let contains = format_ident!("{}_contains", name);
        let clear = format_ident!("{}_clear", name);
        let info = format_ident!("{}_cache_info", name);
        let doc = |what: &str| {
            format!(" {what} of [`{name}`](Self::{name}) (generated by `#[cached_method]`).")
        };
        let invalidate_doc = doc("Removes and returns the cached result for these arguments");
        let peek_doc = doc("The cached result for these arguments, without counting a use,");
        let contains_doc = doc("Whether a call with these arguments would be a hit,");
        let clear_doc = doc("Empties the cache and resets its statistics,");
        let info_doc = doc("Hits, misses, `maxsize` and `currsize` of the cache");
        quote! {
            #[doc = #invalidate_doc]
            #[allow(dead_code)]
            #vis fn #invalidate #generics (#receiver, #inputs) -> ::core::option::Option<#value> #where_clause {
                #key_prelude
                #private::method_invalidate(#field, #probe)
            }

            #[doc = #peek_doc]
            #[allow(dead_code)]
            #vis fn #peek #generics (#receiver, #inputs) -> ::core::option::Option<#value> #where_clause {
                #key_prelude
                #private::method_peek(#field, #probe)
            }

            #[doc = #contains_doc]
            #[allow(dead_code)]
            #vis fn #contains #generics (#receiver, #inputs) -> bool #where_clause {
                #key_prelude
                #private::method_contains(#field, #probe)
            }

            #[doc = #clear_doc]
            #[allow(dead_code)]
            #vis fn #clear #generics (#receiver) #where_clause {
                #private::method_clear(#field)
            }

            #[doc = #info_doc]
            #[allow(dead_code)]
            #vis fn #info #generics (#receiver) -> ::cachekit::CacheInfo #where_clause {
                #private::method_info(#field)
            }
        }
    });

    let method = quote! {
        #(#attrs)*
        #method_vis #method_sig {
            static __CACHEKIT_FLIGHTS: #private::MethodFlights = #private::MethodFlights::new();
            #key_prelude
            #private::check_field_probe(#field, #probe);
            let __cachekit_ticket = match #begin {
                #private::Begin::Hit(__cachekit_value) => return #from_cached(__cachekit_value),
                #private::Begin::Miss(__cachekit_ticket) => __cachekit_ticket,
            };
            let __cachekit_key = #owned_key;
            #[allow(clippy::redundant_closure_call)]
            let __cachekit_result: #output = #run_body;
            __cachekit_ticket.finish(#field, __cachekit_key, #cacheable(&__cachekit_result));
            __cachekit_result
        }
    };
    Expansion {
        item: method,
        beside: handle.unwrap_or_default(),
    }
}
