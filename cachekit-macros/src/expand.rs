//! Code generation for `#[cached]`.
//!
//! A cached `fn name(args) -> R` becomes:
//! - `fn name(args) -> R`, which forwards to a dispatch function;
//! - `struct name { .. }` (type namespace only, so it does not clash with the
//!   function) whose associated functions are the cache handle:
//!   `name::clear()`, `name::invalidate(args)`, `name::cache_info()`, ...;
//! - `name::__cachekit_dispatch(op)`, the one function that holds the cache
//!   slot, the `cache = ...` expression, the key function and the original
//!   body, so that type inference sees them together (the cache's type is
//!   never written down).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Ident, ItemFn};

use crate::args::{Args, Attr};
use crate::ast::{Function, OutputKind};
use crate::errors::Errors;

/// Expands `#[cached(attr)] item`.
pub fn cached(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::parse_attr(Attr::Cached, attr.clone(), &mut errors);
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => {
            if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
                return crate::impl_block::cached_impl(attr, block);
            }
            errors.push(syn::Error::new_spanned(
                &item,
                "`#[cached]` applies to functions (`fn`, `async fn`) and to `impl` blocks \
                 holding cached functions",
            ));
            return errors.with_item(item);
        }
    };
    let function = Function::from_item(
        &item_fn,
        Attr::Cached,
        args.cache_failures.is_some(),
        &mut errors,
    );
    check_key_closure(&args, &function, &mut errors);
    check_generics(&args, &function, None, &mut errors);
    // (A method has its own error, above; its receiver's type is `Self`.)
    let self_type = item_fn
        .sig
        .receiver()
        .is_none()
        .then(|| crate::ast::find_self_type(&item_fn))
        .flatten();
    if let Some(self_type) = self_type {
        // Only an associated function can name `Self`: this one is in an
        // impl block whose attribute is missing.
        errors.push(syn::Error::new(
            self_type,
            "`Self` says this function is in an `impl` block: put `#[cached]` on the block \
             as well (`#[cached] impl Type { .. }`), which memoizes its associated functions; \
             the handle is then `Type::NAME_invalidate(..)`, `Type::NAME_cache_info()`, ...",
        ));
    }
    if !errors.is_empty() {
        // Keep the user's function so that the rest of the crate (and IDEs)
        // still see it.
        return errors.with_item(item);
    }
    expand(&args, &function, &Place::Free).item
}

/// Where a cached function is defined.
pub enum Place<'a> {
    /// A free function: the handle is a type of the function's name.
    Free,
    /// An associated function of an `impl` block under `#[cached]`: the
    /// handle is associated functions `NAME_invalidate`, ... of the type.
    Assoc {
        /// The impl's self type, to name the function (`Repo::lookup`).
        self_ty: &'a syn::Type,
        /// The impl's parameters.
        impl_generics: &'a syn::Generics,
        /// Whether the impl is of a trait (the handle then goes into an
        /// inherent impl beside it).
        trait_impl: bool,
    },
}

/// What a cached function expands to.
pub struct Expansion {
    /// Stands where the function stood.
    pub item: TokenStream,
    /// Associated functions for an inherent impl of the same type: the
    /// hidden machinery and the handle (empty for a free function, whose
    /// `item` holds everything).
    pub beside: TokenStream,
}

/// Options that a generic function cannot have: one cache per
/// instantiation is kept in a process-wide slot, so not per thread; and an
/// impl's const parameters, like the function's, have no `TypeId`.
pub fn check_generics(
    args: &Args,
    function: &Function,
    impl_generics: Option<&syn::Generics>,
    errors: &mut Errors,
) {
    let mut type_params = function.item.sig.generics.type_params().peekable();
    let impl_type_param = impl_generics.and_then(|g| g.type_params().next());
    if let (Some(span), Some(first)) = (
        args.thread_local,
        type_params
            .peek()
            .map(|p| &p.ident)
            .or(impl_type_param.map(|p| &p.ident)),
    ) {
        errors.push(syn::Error::new(
            span,
            format!(
                "`thread_local` is not supported with type parameters (`{first}`): a \
                 generic function keeps one shared cache per instantiation; drop \
                 `thread_local`"
            ),
        ));
    }
    if let Some(param) = impl_generics.and_then(|g| g.const_params().next()) {
        errors.push(syn::Error::new_spanned(
            param,
            "`#[cached]` functions cannot be in an impl with const parameters: one cache is \
             kept per instantiation of the type parameters, and a const value has no type to \
             tell them apart",
        ));
    }
}

/// A key closure must take exactly the function's arguments, and return an
/// owned key: a parameter the function takes by reference, returned as it
/// is (alone or in a tuple), is caught here with the fix, where the
/// compiler would say "lifetime may not live long enough".
pub fn check_key_closure(args: &Args, function: &Function, errors: &mut Errors) {
    let arity = function.args.len();
    if let Some(Expr::Closure(closure)) = &args.key {
        if closure.inputs.len() == arity {
            let borrowed: Vec<&syn::Ident> = closure
                .inputs
                .iter()
                .zip(&function.args)
                .filter_map(|(input, arg)| match input {
                    syn::Pat::Ident(p) if arg.is_ref => Some(&p.ident),
                    syn::Pat::Type(t) if arg.is_ref => match &*t.pat {
                        syn::Pat::Ident(p) => Some(&p.ident),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            let returned: Vec<&Expr> = match &*closure.body {
                Expr::Tuple(tuple) => tuple.elems.iter().collect(),
                body => vec![body],
            };
            for part in returned {
                let Expr::Path(path) = part else { continue };
                let Some(ident) = path.path.get_ident() else {
                    continue;
                };
                if borrowed.contains(&ident) {
                    errors.push(syn::Error::new_spanned(
                        part,
                        format!(
                            "the key must be owned: `{ident}` is borrowed for the call only, \
                             and the key outlives it; return `{ident}.to_owned()`"
                        ),
                    ));
                }
            }
        }
        if closure.inputs.len() != arity {
            let message = format!(
                "the key closure takes {} argument{} but the function has {}: it receives \
                 the function's arguments in order (use `_` for those the key ignores)",
                closure.inputs.len(),
                if closure.inputs.len() == 1 { "" } else { "s" },
                arity,
            );
            let error = if closure.inputs.is_empty() {
                syn::Error::new(closure.or1_token.span, message)
            } else {
                syn::Error::new_spanned(&closure.inputs, message)
            };
            errors.push(error);
        }
    }
}

pub fn expand(args: &Args, function: &Function, place: &Place) -> Expansion {
    let item = function.item;
    let sig = &item.sig;
    let vis = &item.vis;
    let name = &sig.ident;
    let attrs = &item.attrs;
    let lint_attrs = item.attrs.iter().filter(|a| {
        ["allow", "warn", "deny", "expect", "forbid"]
            .iter()
            .any(|lint| a.path().is_ident(lint))
    });
    let private = quote!(::cachekit::__private);
    // Lifetimes and type parameters get this far (see
    // `ast::check_signature`). A function with type parameters (its own or
    // its impl's) keeps one cache per instantiation, told apart by the
    // `TypeId` of the parameters, which must therefore be `'static`.
    let type_params: Vec<&Ident> = match place {
        Place::Assoc { impl_generics, .. } => {
            impl_generics.type_params().map(|p| &p.ident).collect()
        }
        Place::Free => Vec::new(),
    }
    .into_iter()
    .chain(sig.generics.type_params().map(|p| &p.ident))
    .collect();
    let generic = !type_params.is_empty();
    let params_tuple = quote!((#(#type_params,)*));
    // The function's own parameters get the bound where they are declared,
    // the impl's in a `where` clause.
    let bounded = {
        let mut bounded = sig.generics.clone();
        for param in bounded.type_params_mut() {
            param.bounds.push(syn::parse_quote!('static));
        }
        if let Place::Assoc { impl_generics, .. } = place {
            if impl_generics.type_params().next().is_some() {
                let where_clause = bounded.make_where_clause();
                for param in impl_generics.type_params() {
                    let ident = &param.ident;
                    where_clause
                        .predicates
                        .push(syn::parse_quote!(#ident: 'static));
                }
            }
        }
        bounded
    };
    let generics = &bounded;
    let where_clause = &bounded.where_clause;
    // A trait's function may not add bounds to the trait's: there, the
    // parameters must be `'static` as written.
    let main_generics = match place {
        Place::Assoc {
            trait_impl: true, ..
        } => &sig.generics,
        _ => &bounded,
    };
    let main_where = &main_generics.where_clause;
    let output = &function.output;
    let kind = match function.output_kind {
        OutputKind::Always => quote!(#private::Always),
        OutputKind::Fallible => quote!(#private::Fallible),
    };
    // Spanned on the return type so that "not `Clone`" points there.
    let output_trait = quote_spanned!(output.span()=> #private::Output<#kind>);
    let value = quote_spanned!(output.span()=> <#output as #output_trait>::Value);

    let idents: Vec<&Ident> = function.args.iter().map(|a| &a.ident).collect();
    let tys: Vec<_> = function.args.iter().map(|a| a.ty).collect();
    let inputs = quote!(#(#idents: #tys),*);
    let args_tuple = quote!((#(#idents,)*));
    let args_tuple_ty = quote!((#(#tys,)*));

    // The original function, renamed, inside the dispatch function.
    let assoc = matches!(place, Place::Assoc { .. });
    let original_name = if assoc {
        format_ident!("__cachekit_original_{}", name)
    } else {
        format_ident!("__cachekit_original")
    };
    let dispatch_name = if assoc {
        format_ident!("__cachekit_dispatch_{}", name)
    } else {
        format_ident!("__cachekit_dispatch")
    };
    let slot_name = if assoc {
        format_ident!("__cachekit_slot_{}", name)
    } else {
        format_ident!("__cachekit_slot")
    };
    let slot_path = if assoc {
        quote!(Self::#slot_name)
    } else {
        quote!(#name::#slot_name)
    };
    // The function's own type parameters are passed on explicitly: they
    // need not appear in the arguments or the result.
    let fn_type_params: Vec<&Ident> = sig.generics.type_params().map(|p| &p.ident).collect();
    let turbofish = (!fn_type_params.is_empty()).then(|| quote!(::<#(#fn_type_params),*>));
    let dispatch_path = if assoc {
        quote!(Self::#dispatch_name #turbofish)
    } else {
        quote!(#name::#dispatch_name #turbofish)
    };
    let original = {
        let mut original_sig = sig.clone();
        original_sig.ident = original_name.clone();
        for (input, arg) in original_sig.inputs.iter_mut().zip(&function.args) {
            if let syn::FnArg::Typed(typed) = input {
                if matches!(*typed.pat, syn::Pat::Wild(_)) {
                    let ident = &arg.ident;
                    *typed.pat = syn::parse_quote!(#ident);
                }
            }
        }
        let block = &item.block;
        let hidden = assoc.then(|| quote!(#[doc(hidden)] #[allow(clippy::all)]));
        quote! {
            #hidden
            #(#lint_attrs)*
            #original_sig #block
        }
    };
    let dot_await = function.is_async.then(|| quote!(.await));
    let asyncness = &sig.asyncness;
    let call_original = if assoc {
        quote!(Self::#original_name #turbofish(#(#idents),*) #dot_await)
    } else {
        quote!(#original_name #turbofish(#(#idents),*) #dot_await)
    };

    let key = Key::new(args.key.as_ref(), function);
    let key_prelude = &key.prelude;
    let probe = &key.probe;
    let owned_key = &key.owned;

    // `maxsize = N` and `ttl = T` are shorthands for the two caches a
    // cachetools user reaches for first.
    let cache_expr = match (&args.cache, &args.maxsize, &args.ttl, &args.idle) {
        (Some(expr), ..) => expr.to_token_stream(),
        (None, Some(maxsize), None, None) => quote!(::cachekit::LruCache::new(#maxsize)),
        (None, maxsize, ttl, idle) if ttl.is_some() || idle.is_some() => {
            let maxsize = maxsize.as_ref().map_or(
                quote!(::core::primitive::usize::MAX),
                ToTokens::to_token_stream,
            );
            let ttl = ttl.as_ref().map_or(
                quote!(::core::time::Duration::MAX),
                |ttl| quote!(#private::ttl(#ttl)),
            );
            match idle {
                Some(idle) => {
                    quote!(::cachekit::TtlCache::with_idle(#maxsize, #ttl, #private::ttl(#idle)))
                }
                None => quote!(::cachekit::TtlCache::new(#maxsize, #ttl)),
            }
        }
        (None, ..) => quote!(::cachekit::UnboundedCache::new()),
    };
    let cache_span = args
        .cache
        .as_ref()
        .or(args.maxsize.as_ref())
        .or(args.ttl.as_ref())
        .or(args.idle.as_ref())
        .map_or(Span::call_site(), |e| e.span());
    let function_path = match place {
        Place::Free => quote!(::core::concat!(
            ::core::module_path!(),
            "::",
            ::core::stringify!(#name)
        )),
        Place::Assoc { self_ty, .. } => quote!(::core::concat!(
            ::core::module_path!(),
            "::",
            ::core::stringify!(#self_ty),
            "::",
            ::core::stringify!(#name)
        )),
    };
    // Instantiations of a generic function are named apart (a Redis tier
    // keeps each in its own namespace).
    let function_name = if generic {
        quote!(&::std::format!(
            "{}::<{}>",
            #function_path,
            ::core::any::type_name::<#params_tuple>()
        ))
    } else {
        function_path
    };
    let init = quote_spanned! {cache_span=>
        let __cachekit_init = || {
            let mut __cachekit_cache = #cache_expr;
            {
                #[allow(unused_imports)]
                use #private::{NameAny as _, NameRedis as _};
                (&mut #private::Namer(&mut __cachekit_cache)).name(#function_name);
            }
            __cachekit_cache
        };
    };

    let returned = quote!(#private::Done::Returned);
    let from_cached = quote_spanned!(output.span()=> <#output as #output_trait>::from_cached);
    let cacheable = quote_spanned!(output.span()=> <#output as #output_trait>::cacheable);

    let body = if args.thread_local.is_none() {
        let slot = if generic {
            quote_spanned! {cache_span=>
                let __cachekit_memo = #slot_path()
                    .memo::<#params_tuple, _, _, _>(__cachekit_init);
            }
        } else {
            quote_spanned! {cache_span=>
                static __CACHEKIT_SLOT: #private::SharedSlot = #private::SharedSlot::new();
                let __cachekit_memo = __CACHEKIT_SLOT.memo(__cachekit_init);
            }
        };
        let claim = if function.is_async {
            quote!(
                __cachekit_memo
                    .claim_async(__cachekit_missed, __cachekit_key)
                    .await
            )
        } else {
            quote!(__cachekit_memo.claim(__cachekit_missed, __cachekit_key))
        };
        let value_check = quote_spanned!(output.span()=> #private::check_shared_value::<#value>(););
        // Only a cache the user built can have a key type other than the
        // one the arguments make (the shorthands' is inferred from them).
        let probe_check = args
            .cache
            .is_some()
            .then(|| quote!(#private::check_memo_probe(__cachekit_memo, #probe);));
        let claim_value = quote! {
            match #claim {
                #private::Claim::Value(__cachekit_value) => {
                    return #returned(#from_cached(__cachekit_value));
                }
                #private::Claim::Compute(__cachekit_ticket) => __cachekit_ticket,
            }
        };
        let (lookup, ticket) = match &args.refresh {
            None => (
                quote! {
                    let __cachekit_missed = match __cachekit_memo.begin(#probe) {
                        ::core::result::Result::Ok(__cachekit_value) => {
                            return #returned(#from_cached(__cachekit_value));
                        }
                        ::core::result::Result::Err(__cachekit_missed) => __cachekit_missed,
                    };
                },
                quote!(let __cachekit_ticket = #claim_value;),
            ),
            // Stale-while-revalidate: a hit on an entry `refresh` old is
            // served unless this caller is the first to see it stale; that
            // one recomputes (and returns the new value) while the others
            // keep the old one. Past the TTL it is a miss, and callers wait.
            Some(refresh) => (
                quote_spanned! {refresh.span()=>
                    let (__cachekit_missed, __cachekit_stale) =
                        match __cachekit_memo.begin_aged(#probe, #private::ttl(#refresh)) {
                            ::core::result::Result::Ok((__cachekit_value, ::core::option::Option::None)) => {
                                return #returned(#from_cached(__cachekit_value));
                            }
                            ::core::result::Result::Ok((__cachekit_value, ::core::option::Option::Some(__cachekit_missed))) => {
                                (__cachekit_missed, ::core::option::Option::Some(__cachekit_value))
                            }
                            ::core::result::Result::Err(__cachekit_missed) => {
                                (__cachekit_missed, ::core::option::Option::None)
                            }
                        };
                },
                quote! {
                    let __cachekit_ticket = match __cachekit_stale {
                        ::core::option::Option::Some(__cachekit_value) => {
                            match __cachekit_memo.claim_refresh(__cachekit_missed, __cachekit_key) {
                                ::core::option::Option::Some(__cachekit_ticket) => __cachekit_ticket,
                                ::core::option::Option::None => {
                                    return #returned(#from_cached(__cachekit_value));
                                }
                            }
                        }
                        ::core::option::Option::None => #claim_value,
                    };
                },
            ),
        };
        // Other processes (a Redis tier). A synchronous function's caller
        // that owes the computation takes the key's lease, or waits for
        // another process's value. An `async fn` never waits on a lease (the
        // wait would block) but reaches an async tier: looked up after the
        // local miss, written after the computation. Neither for a refresh
        // (the stale value is still there to be read).
        let when_missed = |key: TokenStream| match &args.refresh {
            None => key,
            Some(_) => quote! {
                if __cachekit_stale.is_none() {
                    #key
                } else {
                    ::core::option::Option::None
                }
            },
        };
        let cached_return = quote! {
            __cachekit_ticket.finish(::core::option::Option::Some(
                ::core::clone::Clone::clone(&__cachekit_value),
            ));
            return #returned(#from_cached(__cachekit_value));
        };
        let (peer_key, peer_turn, finish) = if function.is_async {
            let key = when_missed(quote!(__cachekit_memo.remote_key::<_, #value>(&__cachekit_key)));
            (
                quote!(let __cachekit_remote = #key;),
                quote! {
                    if let ::core::option::Option::Some(__cachekit_remote_key) = &__cachekit_remote {
                        if let ::core::option::Option::Some(__cachekit_value) =
                            __cachekit_memo.remote_get::<_, #value>(__cachekit_remote_key).await
                        {
                            #cached_return
                        }
                    }
                },
                quote! {
                    let __cachekit_stored = #cacheable(&__cachekit_result);
                    let __cachekit_copy = match (&__cachekit_remote, &__cachekit_stored) {
                        (::core::option::Option::Some(_), ::core::option::Option::Some(__cachekit_value)) => {
                            ::core::option::Option::Some(::core::clone::Clone::clone(__cachekit_value))
                        }
                        _ => ::core::option::Option::None,
                    };
                    __cachekit_ticket.finish(__cachekit_stored);
                    if let (
                        ::core::option::Option::Some(__cachekit_remote_key),
                        ::core::option::Option::Some(__cachekit_value),
                    ) = (&__cachekit_remote, &__cachekit_copy)
                    {
                        __cachekit_memo
                            .remote_set::<_, #value>(__cachekit_remote_key, __cachekit_value)
                            .await;
                    }
                },
            )
        } else {
            let key = when_missed(quote!(__cachekit_memo.peer_key::<_, #value>(&__cachekit_key)));
            (
                quote!(let __cachekit_peer = #key;),
                quote! {
                    let __cachekit_turn = match __cachekit_memo.turn::<_, #value>(__cachekit_peer) {
                        #private::Turn::Value(__cachekit_value) => {
                            #cached_return
                        }
                        __cachekit_turn => __cachekit_turn,
                    };
                },
                // The lease is released once the value is stored.
                quote! {
                    __cachekit_ticket.finish(#cacheable(&__cachekit_result));
                    ::core::mem::drop(__cachekit_turn);
                },
            )
        };
        quote! {
            #value_check
            #init
            #slot
            match __cachekit_op {
                #private::Op::Call(#args_tuple) => {
                    #key_prelude
                    #probe_check
                    #lookup
                    let __cachekit_key = #owned_key;
                    #peer_key
                    #ticket
                    #peer_turn
                    let __cachekit_result: #output = #call_original;
                    #finish
                    #returned(__cachekit_result)
                }
                #private::Op::Keyed(__cachekit_request, #args_tuple) => {
                    #key_prelude
                    __cachekit_memo.keyed(__cachekit_request, #probe)
                }
                #private::Op::Keyless(__cachekit_request) => __cachekit_memo.keyless(__cachekit_request),
            }
        }
    } else {
        let slot = quote! {
            #private::thread_local! {
                static __CACHEKIT_SLOT: #private::LocalSlot = const { #private::LocalSlot::new() };
            }
        };
        let call = if function.is_async {
            quote! {
                let __cachekit_hit = #private::local(&__CACHEKIT_SLOT, &__cachekit_init, |__cachekit_memo| {
                    __cachekit_memo.and_then(|__cachekit_memo| __cachekit_memo.lookup(#probe))
                });
                if let ::core::option::Option::Some(__cachekit_value) = __cachekit_hit {
                    return #returned(#from_cached(__cachekit_value));
                }
                let __cachekit_key = #owned_key;
                let __cachekit_result: #output = #call_original;
                let __cachekit_value = #cacheable(&__cachekit_result);
                #private::local(&__CACHEKIT_SLOT, &__cachekit_init, |__cachekit_memo| {
                    if let ::core::option::Option::Some(__cachekit_memo) = __cachekit_memo {
                        __cachekit_memo.store(__cachekit_key, __cachekit_value);
                    }
                });
                #returned(__cachekit_result)
            }
        } else {
            quote! {
                #private::local(&__CACHEKIT_SLOT, &__cachekit_init, |__cachekit_memo| {
                    if let ::core::option::Option::Some(__cachekit_memo) = __cachekit_memo {
                        if let ::core::option::Option::Some(__cachekit_value) = __cachekit_memo.lookup(#probe) {
                            return #returned(#from_cached(__cachekit_value));
                        }
                    }
                    let __cachekit_key = #owned_key;
                    let __cachekit_result: #output = #call_original;
                    if let ::core::option::Option::Some(__cachekit_memo) = __cachekit_memo {
                        __cachekit_memo.store(__cachekit_key, #cacheable(&__cachekit_result));
                    }
                    #returned(__cachekit_result)
                })
            }
        };
        quote! {
            #slot
            #init
            match __cachekit_op {
                #private::Op::Call(#args_tuple) => {
                    #key_prelude
                    #call
                }
                #private::Op::Keyed(__cachekit_request, #args_tuple) => {
                    #key_prelude
                    #private::local(&__CACHEKIT_SLOT, &__cachekit_init, |__cachekit_memo| match __cachekit_memo {
                        ::core::option::Option::Some(__cachekit_memo) => __cachekit_memo.keyed(__cachekit_request, #probe),
                        ::core::option::Option::None => #private::Done::Unit,
                    })
                }
                #private::Op::Keyless(__cachekit_request) => {
                    #private::local(&__CACHEKIT_SLOT, &__cachekit_init, |__cachekit_memo| match __cachekit_memo {
                        ::core::option::Option::Some(__cachekit_memo) => __cachekit_memo.keyless(__cachekit_request),
                        ::core::option::Option::None => #private::Done::Unit,
                    })
                }
            }
        }
    };

    let dispatch = |op: TokenStream| {
        if function.is_async {
            quote!(#private::now(#dispatch_path(#op)))
        } else {
            quote!(#dispatch_path(#op))
        }
    };
    let call_dispatch = quote!(#dispatch_path(#private::Op::Call(#args_tuple)) #dot_await);
    let invalidate =
        dispatch(quote!(#private::Op::Keyed(#private::Request::Invalidate, #args_tuple)));
    let peek = dispatch(quote!(#private::Op::Keyed(#private::Request::Peek, #args_tuple)));
    let contains = dispatch(quote!(#private::Op::Keyed(#private::Request::Contains, #args_tuple)));
    let expires_in =
        dispatch(quote!(#private::Op::Keyed(#private::Request::ExpiresIn, #args_tuple)));
    let clear = dispatch(quote!(#private::Op::Keyless(#private::Request::Clear)));
    let info = dispatch(quote!(#private::Op::Keyless(#private::Request::Info)));
    let lend = dispatch(quote!(#private::Op::Keyless(__cachekit_request)));

    let (lent, lend_fn, send, send_bound) = if function.is_async {
        (
            quote!(#private::LentSend<'_>),
            quote!(#private::lend_send),
            quote!(+ ::core::marker::Send),
            quote!(: ::core::marker::Send),
        )
    } else {
        (
            quote!(#private::Lent<'_>),
            quote!(#private::lend),
            quote!(),
            quote!(),
        )
    };
    let scope = if args.thread_local.is_none() {
        "shared by all threads"
    } else {
        "of the calling thread (with `thread_local`, each thread has its own cache)"
    };
    let handle_name = |op: &str| match place {
        Place::Free => format_ident!("{}", op),
        Place::Assoc { .. } => format_ident!("{}_{}", name, op),
    };
    let h_expires_in = handle_name("expires_in");
    let (h_invalidate, h_peek, h_contains, h_clear, h_info, h_with) = (
        handle_name("invalidate"),
        handle_name("peek"),
        handle_name("contains"),
        handle_name("clear"),
        handle_name("cache_info"),
        handle_name("with_cache"),
    );
    // A trait impl's functions take the trait's visibility; the handle of
    // one lives in an inherent impl, public like the trait's functions.
    let handle_vis = match (place, vis) {
        (
            Place::Assoc {
                trait_impl: true, ..
            },
            syn::Visibility::Inherited,
        ) => {
            quote!(pub)
        }
        _ => vis.to_token_stream(),
    };
    // A free function's original body is nested in the dispatch function;
    // an associated one's is a hidden sibling, so that `Self` and the
    // impl's parameters keep their meaning in it.
    let nested_original = (!assoc).then_some(&original);
    let (slot_fn, clear_body, info_body, clear_doc, info_doc) = if generic {
        (
            quote! {
                #[doc(hidden)]
                fn #slot_name() -> &'static #private::GenericSlot {
                    static __CACHEKIT_SLOT: #private::GenericSlot = #private::GenericSlot::new();
                    &__CACHEKIT_SLOT
                }
            },
            quote!(#slot_path().clear_all()),
            quote!(#slot_path().info_all()),
            " Empties the cache of every instantiation and resets their hit and miss counts.",
            " Hits, misses, `maxsize` and `currsize` (cachetools' `cache_info()`), summed over \
             every instantiation.",
        )
    } else {
        (
            TokenStream::new(),
            quote!(let _ = #clear;),
            quote!(#info.info()),
            " Empties the cache and resets the hit and miss counts.",
            " Hits, misses, `maxsize` and `currsize` (cachetools' `cache_info()`).",
        )
    };
    let with_generics = {
        let mut with = bounded.clone();
        with.params.push(syn::parse_quote!(__CachekitT #send_bound));
        with
    };
    let with_where = &with_generics.where_clause;
    let handle_fns = quote! {
        #[doc(hidden)]
        #[inline]
        #[allow(clippy::all)]
        #asyncness fn #dispatch_name #generics (
            __cachekit_op: #private::Op<'_, #args_tuple_ty, #lent>,
        ) -> #private::Done<#output, #value> #where_clause {
            #nested_original
            #body
        }

        /// Removes the cached result of a call with these arguments (the key
        /// function applies), returning it.
        #handle_vis fn #h_invalidate #generics (#inputs) -> ::core::option::Option<#value> #where_clause {
            #invalidate.value()
        }

        /// The cached result of a call with these arguments, without
        /// counting a use or a hit.
        #handle_vis fn #h_peek #generics (#inputs) -> ::core::option::Option<#value> #where_clause {
            #peek.value()
        }

        /// Whether a call with these arguments would be a hit.
        #handle_vis fn #h_contains #generics (#inputs) -> bool #where_clause {
            #contains.bool()
        }

        /// How long the cached result of these arguments has left to live
        /// (a cache with expiry, such as `TtlCache`); `None` if there is
        /// none, or it never expires.
        #handle_vis fn #h_expires_in #generics (#inputs) -> ::core::option::Option<::core::time::Duration> #where_clause {
            #expires_in.remaining()
        }

        #slot_fn

        #[doc = #clear_doc]
        #handle_vis fn #h_clear() {
            #clear_body
        }

        #[doc = #info_doc]
        #handle_vis fn #h_info() -> ::cachekit::CacheInfo {
            #info_body
        }

        /// Runs `f` on the cache, locked (calling the function from `f`
        /// computes without caching); `None` if the cache is in use by
        /// this very thread (from inside its own weigher, listener or a
        /// value's `Clone`) or the thread is exiting.
        #handle_vis fn #h_with #with_generics (
            f: impl ::core::ops::FnOnce(&mut dyn ::cachekit::CacheView) -> __CachekitT #send,
        ) -> ::core::option::Option<__CachekitT> #with_where {
            #lend_fn(f, |__cachekit_request| {
                let _ = #lend;
            })
        }
    };
    let main_fn = quote! {
        #(#attrs)*
        #vis #asyncness fn #name #main_generics (#inputs) -> #output #main_where {
            #call_dispatch.returned()
        }
    };

    match place {
        Place::Free => {
            let handle_doc = format!(
                " The cache of [`{name}()`](fn@{name}), {scope}.\n\n Generated by `#[cached]`: \
                 `{name}::clear()`, `{name}::invalidate(..)`, `{name}::peek(..)`, \
                 `{name}::contains(..)`, `{name}::cache_info()` and `{name}::with_cache(..)`."
            );
            let item = quote! {
                #main_fn

                #[doc = #handle_doc]
                #[allow(non_camel_case_types, dead_code)]
                #vis struct #name {
                    _private: (),
                }

                #[allow(dead_code, clippy::all)]
                impl #name {
                    #handle_fns
                }
            };
            Expansion {
                item,
                beside: TokenStream::new(),
            }
        }
        Place::Assoc { .. } => Expansion {
            item: main_fn,
            beside: quote! {
                #original
                #handle_fns
            },
        },
    }
}

/// How the key is derived from the arguments (bound as locals of the same
/// names).
pub struct Key {
    /// Statements run before the lookup.
    pub prelude: TokenStream,
    /// A reference to look the key up with.
    pub probe: TokenStream,
    /// The owned key, built on a miss.
    pub owned: TokenStream,
}

impl Key {
    pub fn new(key_fn: Option<&Expr>, function: &Function) -> Key {
        let private = quote!(::cachekit::__private);
        match key_fn {
            Some(key_fn) => {
                let span = key_fn.span();
                let tys = function.args.iter().map(|a| a.ty);
                let passed = function.args.iter().map(|a| {
                    let ident = &a.ident;
                    if a.is_ref {
                        quote!(#ident)
                    } else {
                        quote!(::core::clone::Clone::clone(&#ident))
                    }
                });
                Key {
                    prelude: quote_spanned! {span=>
                        let __cachekit_key_fn: fn(#(#tys),*) -> _ = #key_fn;
                        let __cachekit_key = #private::check_key(__cachekit_key_fn(#(#passed),*));
                    },
                    probe: quote!(&__cachekit_key),
                    owned: quote!(__cachekit_key),
                }
            }
            None => {
                let parts: Vec<_> = function
                    .args
                    .iter()
                    .map(|a| {
                        let ident = &a.ident;
                        let probe = if a.is_ref {
                            quote!(#ident)
                        } else {
                            quote_spanned!(a.ty.span()=> &#ident)
                        };
                        let owned = if a.is_ref {
                            quote_spanned!(a.ty.span()=> #private::check_key(::std::borrow::ToOwned::to_owned(#ident)))
                        } else {
                            quote_spanned!(a.ty.span()=> #private::check_key(::core::clone::Clone::clone(&#ident)))
                        };
                        (probe, owned)
                    })
                    .collect();
                // Each part is checked where the user wrote its type, so that
                // "not `Hash`" points at the argument rather than the macro.
                let checks = function.args.iter().zip(&parts).map(|(a, (probe, _))| {
                    quote_spanned!(a.ty.span()=> #private::check_key_part(#probe);)
                });
                let inputs_span = function
                    .item
                    .sig
                    .inputs
                    .first()
                    .map_or(Span::call_site(), |first| first.span());
                let (probe, owned) = match parts.as_slice() {
                    [] => (quote!(&()), quote!(())),
                    [(probe, owned)] => (quote_spanned!(inputs_span=> #probe), owned.clone()),
                    parts => {
                        let probes = parts.iter().map(|p| &p.0);
                        let owneds = parts.iter().map(|p| &p.1);
                        (
                            quote_spanned!(inputs_span=> &#private::KeyRef((#(#probes,)*))),
                            quote!((#(#owneds,)*)),
                        )
                    }
                };
                Key {
                    prelude: quote!(#(#checks)*),
                    probe,
                    owned,
                }
            }
        }
    }
}
