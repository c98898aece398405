//! A typed view of the function being cached, validated on construction.

use proc_macro2::Span;
use quote::format_ident;
use syn::visit::Visit;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Signature, Type};

use crate::args::Attr;
use crate::errors::Errors;

/// One argument of the cached function.
pub struct Arg<'a> {
    /// The name it is bound to (a fresh name for `_`).
    pub ident: Ident,
    /// Its declared type.
    pub ty: &'a Type,
    /// Whether it is a shared reference `&T` (looked up as `T`, owned via
    /// `ToOwned`) rather than a value (looked up as itself, owned via
    /// `Clone`).
    pub is_ref: bool,
}

/// How the return value is cached.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// Every result.
    Always,
    /// Only `Ok`/`Some`.
    Fallible,
}

/// The function as the expansion sees it.
pub struct Function<'a> {
    pub item: &'a ItemFn,
    pub args: Vec<Arg<'a>>,
    /// The return type (`()` when omitted).
    pub output: Type,
    pub output_kind: OutputKind,
    pub is_async: bool,
    /// `#[cached_method]`: whether the receiver is `&mut self`.
    pub mut_receiver: bool,
}

impl<'a> Function<'a> {
    /// Builds the view of a free function, reporting what `#[cached]` cannot
    /// handle.
    pub fn from_item(
        item: &'a ItemFn,
        attr: Attr,
        cache_failures: bool,
        errors: &mut Errors,
    ) -> Function<'a> {
        let sig = &item.sig;
        check_signature(sig, attr, errors);
        let mut args = Vec::new();
        let mut mut_receiver = false;
        let mut has_receiver = false;
        for (i, input) in sig.inputs.iter().enumerate() {
            match input {
                FnArg::Receiver(receiver) => {
                    has_receiver = true;
                    mut_receiver = receiver.mutability.is_some();
                    if attr == Attr::Cached {
                        errors.push(syn::Error::new_spanned(
                            receiver,
                            "`#[cached]` cannot cache a method: use `#[cached_method]` on methods \
                             taking `self`, which keeps one cache per instance",
                        ));
                    } else if receiver.reference.is_none() || receiver.colon_token.is_some() {
                        errors.push(syn::Error::new_spanned(
                            receiver,
                            "`#[cached_method]` caches methods taking `&self` or `&mut self`: \
                             the cache lives in a field of the instance",
                        ));
                    } else if mut_receiver && sig.asyncness.is_some() {
                        errors.push(syn::Error::new_spanned(
                            receiver,
                            "`#[cached_method]` does not support `async fn` with `&mut self`: \
                             take `&self` and keep the cache in a `Mutex` (or `RefCell`) field",
                        ));
                    }
                }
                FnArg::Typed(typed) => {
                    if let Some(arg) = arg(i, &typed.pat, &typed.ty, errors) {
                        args.push(arg);
                    }
                }
            }
        }
        if attr == Attr::CachedMethod && !has_receiver {
            errors.push(syn::Error::new_spanned(
                &sig.ident,
                "`#[cached_method]` needs a `&self` or `&mut self` receiver, whose field holds \
                 the cache; for a function without `self`, use `#[cached]` (in an `impl` block, \
                 with `#[cached]` on the block too)",
            ));
        }
        let (output, output_kind) = match &sig.output {
            ReturnType::Default => (syn::parse_quote!(()), OutputKind::Always),
            ReturnType::Type(_, ty) => {
                if let Some(span) = find_impl_trait(ty) {
                    errors.push(syn::Error::new(
                        span,
                        "a cached function cannot return `impl Trait`: the cache must name the \
                         type of the values it keeps; return a concrete type",
                    ));
                }
                let kind = if !cache_failures && is_fallible(ty) {
                    OutputKind::Fallible
                } else {
                    OutputKind::Always
                };
                ((**ty).clone(), kind)
            }
        };
        Function {
            item,
            args,
            output,
            output_kind,
            is_async: sig.asyncness.is_some(),
            mut_receiver,
        }
    }
}

fn check_signature(sig: &Signature, attr: Attr, errors: &mut Errors) {
    let name = attr.name();
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            format!("`#[{name}]` cannot cache a `const fn`: a cache lookup is not a constant"),
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            format!("`#[{name}]` does not support `unsafe fn`: wrap the unsafe call in a safe function and cache that"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            format!("`#[{name}]` does not support `extern` functions"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            format!("`#[{name}]` does not support variadic functions"),
        ));
    }
    // Lifetime parameters are fine as long as the cached value does not
    // borrow from them (the key is owned, checked where it is built).
    // A `#[cached]` function keeps one cache per instantiation of its type
    // parameters; const parameters have no `TypeId` to tell theirs apart.
    for param in &sig.generics.params {
        let message = match (param, attr) {
            (syn::GenericParam::Const(_), Attr::Cached) => {
                "`#[cached]` does not support const parameters: one cache is kept per \
                 instantiation of the type parameters, and a const value has no type to tell \
                 them apart; take the value as an argument instead"
            }
            (syn::GenericParam::Type(_) | syn::GenericParam::Const(_), Attr::CachedMethod) => {
                "`#[cached_method]` does not support type or const \
                 parameters: the instance's cache has one key and one value type; use the \
                 impl's type parameters instead (lifetime parameters are fine)"
            }
            _ => continue,
        };
        errors.push(syn::Error::new_spanned(param, message));
    }
    let lifetimes: Vec<&syn::Lifetime> = sig
        .generics
        .lifetimes()
        .map(|param| &param.lifetime)
        .collect();
    if let ReturnType::Type(_, ty) = &sig.output {
        if let Some(borrowed) = find_lifetime(ty, &lifetimes) {
            errors.push(syn::Error::new_spanned(
                borrowed,
                format!(
                    "a cached value cannot borrow `{borrowed}`: it outlives the call that \
                     computed it; return an owned type (`String` rather than `&{} str`)",
                    borrowed
                ),
            ));
        }
    }
}

/// The first use of one of `lifetimes` in `ty`.
fn find_lifetime<'t>(ty: &'t Type, lifetimes: &[&syn::Lifetime]) -> Option<&'t syn::Lifetime> {
    struct Find<'l, 't> {
        lifetimes: &'l [&'l syn::Lifetime],
        found: Option<&'t syn::Lifetime>,
    }
    impl<'t> Visit<'t> for Find<'_, 't> {
        fn visit_lifetime(&mut self, lifetime: &'t syn::Lifetime) {
            if self.found.is_none() && self.lifetimes.iter().any(|l| l.ident == lifetime.ident) {
                self.found = Some(lifetime);
            }
        }
    }
    let mut find = Find {
        lifetimes,
        found: None,
    };
    find.visit_type(ty);
    find.found
}

fn arg<'a>(i: usize, pat: &'a Pat, ty: &'a Type, errors: &mut Errors) -> Option<Arg<'a>> {
    let ident = match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
        Pat::Wild(_) => format_ident!("__cachekit_arg{}", i),
        _ => {
            errors.push(syn::Error::new_spanned(
                pat,
                "argument patterns are not supported by the caching macros: bind the argument \
                 to a name and destructure it in the body",
            ));
            return None;
        }
    };
    let mut ok = true;
    if let Some(span) = find_impl_trait(ty) {
        errors.push(syn::Error::new(
            span,
            "`impl Trait` arguments are not supported: the cache key needs a concrete type; \
             take a concrete type or a reference (`&str`, `&[T]`, `&MyType`)",
        ));
        ok = false;
    }
    let is_ref = match ty {
        Type::Reference(r) if r.mutability.is_some() => {
            errors.push(syn::Error::new_spanned(
                r,
                "a cached function cannot take `&mut` arguments: a cache hit would skip the \
                 mutation; take `&T` or a value",
            ));
            ok = false;
            true
        }
        Type::Reference(_) => true,
        _ => false,
    };
    ok.then_some(Arg { ident, ty, is_ref })
}

/// Whether the return type is a `Result` or `Option`, by its last path
/// segment (so `io::Result<T>` and `anyhow::Result<T>` count).
fn is_fallible(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Result" || s.ident == "Option"),
        Type::Paren(p) => is_fallible(&p.elem),
        Type::Group(g) => is_fallible(&g.elem),
        _ => false,
    }
}

/// The span of an `impl Trait` anywhere in `ty`.
fn find_impl_trait(ty: &Type) -> Option<Span> {
    struct Find(Option<Span>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            if self.0.is_none() {
                self.0 = Some(syn::spanned::Spanned::span(t));
            }
        }
    }
    let mut find = Find(None);
    find.visit_type(ty);
    find.0
}

/// The first `Self` in a function's signature or body, outside nested
/// items (which have their own `Self`) but inside macro calls.
pub fn find_self_type(item: &ItemFn) -> Option<Span> {
    struct Finder(Option<Span>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_ident(&mut self, ident: &'ast Ident) {
            if self.0.is_none() && ident == "Self" {
                self.0 = Some(ident.span());
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            fn scan(tokens: proc_macro2::TokenStream, found: &mut Option<Span>) {
                for tt in tokens {
                    match tt {
                        proc_macro2::TokenTree::Ident(ident) if ident == "Self" => {
                            found.get_or_insert(ident.span());
                        }
                        proc_macro2::TokenTree::Group(group) => scan(group.stream(), found),
                        _ => {}
                    }
                }
            }
            self.visit_path(&mac.path);
            scan(mac.tokens.clone(), &mut self.0);
        }
    }
    let mut finder = Finder(None);
    finder.visit_signature(&item.sig);
    finder.visit_block(&item.block);
    finder.0
}
