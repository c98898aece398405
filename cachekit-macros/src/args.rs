//! The attribute's arguments: `cache = EXPR, key = EXPR, lock, cache_failures`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Token};

use crate::errors::Errors;

/// Which attribute is being parsed: the options differ slightly.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    Cached,
    CachedMethod,
}

impl Attr {
    pub fn name(self) -> &'static str {
        match self {
            Attr::Cached => "cached",
            Attr::CachedMethod => "cached_method",
        }
    }
}

/// The parsed options.
#[derive(Default)]
pub struct Args {
    /// `cache = EXPR`: builds the cache (default: an unbounded cache).
    pub cache: Option<Expr>,
    /// `key = EXPR`: the key function (default: all arguments).
    pub key: Option<Expr>,
    /// `lock`: one cache shared by all threads (the default; accepted for
    /// readers of cachetools' `lock=`).
    pub lock: Option<Span>,
    /// `thread_local`: one cache per thread instead.
    pub thread_local: Option<Span>,
    /// `cache_failures`: cache `Err`/`None` results too.
    pub cache_failures: Option<Span>,
    /// `maxsize = N`: an LRU cache of N entries (with `ttl`, a TTL cache).
    pub maxsize: Option<Expr>,
    /// `ttl = SECONDS` (or a `Duration`): a TTL cache.
    pub ttl: Option<Expr>,
    /// `idle = SECONDS` (or a `Duration`): a TTL cache whose entries also
    /// expire this long after their last read (time to idle).
    pub idle: Option<Expr>,
    /// `refresh = SECONDS` (or a `Duration`): an entry this old is served
    /// while one caller recomputes it (stale-while-revalidate).
    pub refresh: Option<Expr>,
    /// `no_handle` (`#[cached_method]`): generate no handle methods, as a
    /// trait impl may not add methods.
    pub no_handle: Option<Span>,
}

/// One `name` or `name = value` item, before validation.
struct Item {
    name: syn::Ident,
    value: Option<(Token![=], Expr)>,
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.call(syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            let eq: Token![=] = input.parse()?;
            let expr: Expr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected an expression after `{name} =`: {e}"),
                )
            })?;
            Some((eq, expr))
        } else {
            None
        };
        Ok(Item { name, value })
    }
}

impl Args {
    /// Parses an attribute's whole token stream, collecting every error.
    pub fn parse_attr(attr: Attr, tokens: proc_macro2::TokenStream, errors: &mut Errors) -> Args {
        let parsed = syn::parse::Parser::parse2(
            |input: ParseStream| Ok(Args::parse(attr, input, errors)),
            tokens,
        );
        parsed.unwrap_or_else(|e| {
            errors.push(e);
            Args::default()
        })
    }

    /// Parses the attribute's tokens, collecting every error.
    pub fn parse(attr: Attr, input: ParseStream, errors: &mut Errors) -> Args {
        let items = match Punctuated::<Item, Token![,]>::parse_terminated(input) {
            Ok(items) => items,
            Err(e) => {
                errors.push(e);
                // Drop what is left, so that the error above is the only one.
                let _ = input.parse::<proc_macro2::TokenStream>();
                return Args::default();
            }
        };
        let mut args = Args::default();
        for item in items {
            let name = item.name.to_string();
            let slot_span = item.name.span();
            match (name.as_str(), item.value) {
                ("cache", Some((_, expr))) => set(&mut args.cache, expr, &item.name, errors),
                ("key", Some((_, expr))) => set(&mut args.key, expr, &item.name, errors),
                ("maxsize", Some((_, expr))) if attr == Attr::Cached => {
                    set(&mut args.maxsize, expr, &item.name, errors)
                }
                ("ttl", Some((_, expr))) if attr == Attr::Cached => {
                    set(&mut args.ttl, expr, &item.name, errors)
                }
                ("idle", Some((_, expr))) if attr == Attr::Cached => {
                    set(&mut args.idle, expr, &item.name, errors)
                }
                ("refresh", Some((_, expr))) if attr == Attr::Cached => {
                    set(&mut args.refresh, expr, &item.name, errors)
                }
                ("lock", None) if attr == Attr::Cached => {
                    set(&mut args.lock, slot_span, &item.name, errors)
                }
                ("thread_local", None) if attr == Attr::Cached => {
                    set(&mut args.thread_local, slot_span, &item.name, errors)
                }
                ("cache_failures", None) => {
                    set(&mut args.cache_failures, slot_span, &item.name, errors)
                }
                ("no_handle", None) if attr == Attr::CachedMethod => {
                    set(&mut args.no_handle, slot_span, &item.name, errors)
                }
                ("maxsize" | "ttl" | "idle" | "refresh", Some(_)) => {
                    errors.push(syn::Error::new_spanned(
                        &item.name,
                        format!(
                            "`{name}` does not apply to `#[cached_method]`: its cache is the \
                         instance's field, built where the instance is (e.g. \
                         `ConcurrentCache::unsharded(LruCache::new(256))`)"
                        ),
                    ))
                }
                ("cache" | "key" | "maxsize" | "ttl" | "idle" | "refresh", None) => {
                    errors.push(syn::Error::new_spanned(
                        &item.name,
                        format!("`{name}` needs a value: `{name} = ...`"),
                    ))
                }
                ("lock" | "thread_local" | "cache_failures", Some((eq, expr))) => {
                    errors.push(syn::Error::new(
                        eq.span().join(expr.span()).unwrap_or(eq.span),
                        format!("`{name}` takes no value: write just `{name}`"),
                    ))
                }
                ("lock" | "thread_local", None) => errors.push(syn::Error::new_spanned(
                    &item.name,
                    format!(
                        "`{name}` does not apply to `#[cached_method]`: the field's type decides \
                         (a `ConcurrentCache` or `Mutex` field is shared between threads, a \
                         `RefCell` field is not)"
                    ),
                )),
                _ => {
                    let expected = match attr {
                        Attr::Cached => {
                            "`cache = ...`, `maxsize = N`, `ttl = SECONDS`, \
                             `idle = SECONDS`, `refresh = SECONDS`, `key = ...`, \
                             `thread_local`, `lock` or `cache_failures`"
                        }
                        Attr::CachedMethod => {
                            "`cache = self.FIELD`, `key = ...`, `cache_failures` or `no_handle` \
                             (in a trait impl)"
                        }
                    };
                    let mut message = format!(
                        "unknown `#[{}]` argument `{name}`; expected {expected}",
                        attr.name()
                    );
                    if let Some(hint) = cached_crate_hint(&name) {
                        message = format!("{message}\nhelp: {hint}");
                    }
                    errors.push(syn::Error::new_spanned(&item.name, message));
                }
            }
        }
        if let Some(cache) = &args.cache {
            for (name, given) in [
                ("maxsize", &args.maxsize),
                ("ttl", &args.ttl),
                ("idle", &args.idle),
            ] {
                if let Some(given) = given {
                    let mut error = syn::Error::new_spanned(
                        given,
                        format!(
                            "`{name}` builds the cache, and `cache = ...` gives one already: \
                             put the bound in the cache expression (`LruCache::new(N)`, \
                             `TtlCache::new(N, ttl)`), or drop `cache`"
                        ),
                    );
                    error.combine(syn::Error::new_spanned(cache, "the cache given here"));
                    errors.push(error);
                }
            }
        }
        if let Some(refresh) = &args.refresh {
            if let Some(thread_local) = args.thread_local {
                let mut error = syn::Error::new(
                    thread_local,
                    "`refresh` serves a stale value while one caller recomputes it, which \
                     needs the shared cache: drop `thread_local`",
                );
                error.combine(syn::Error::new_spanned(refresh, "`refresh` given here"));
                errors.push(error);
            } else if args.ttl.is_none() && args.cache.is_none() {
                errors.push(syn::Error::new_spanned(
                    refresh,
                    "`refresh` needs a time to live, after which callers wait for the new \
                     value: add `ttl = SECONDS` (longer than `refresh`)",
                ));
            }
        }
        if let (Some(lock), Some(thread_local)) = (args.lock, args.thread_local) {
            let message = "`lock` and `thread_local` contradict each other: a `#[cached]` \
                           function's cache is shared by all threads (the default, which \
                           `lock` states), or one per thread with `thread_local`; keep one";
            let mut error = syn::Error::new(thread_local, message);
            error.combine(syn::Error::new(lock, "`lock` given here"));
            errors.push(error);
        }
        args
    }
}

/// What to write instead of an option of the `cached` crate's `#[cached]`.
fn cached_crate_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "size" | "max_size" | "capacity" => "cachekit spells a bound `maxsize = N` (an LRU cache of N entries)",
        "time" | "ttl_secs" | "time_secs" | "lifespan" => {
            "cachekit spells a time-to-live `ttl = SECONDS` (a `TtlCache`; add `maxsize = N` to bound it too)"
        }
        "sync_writes" => {
            "cachekit computes each key once by default (concurrent callers of a key wait for it): remove `sync_writes`"
        }
        "result" | "option" => {
            "cachekit recognises `Result` and `Option` return types by itself: only `Ok`/`Some` is cached (`cache_failures` caches the others too)"
        }
        "convert" => "give the key as a closure of the arguments: `key = |name: &str| name.to_lowercase()`",
        "unbound" => "the default cache is unbounded: remove `unbound`",
        "ty" | "type" | "create" => "give the cache as an expression: `cache = LruCache::new(100)`",
        "name" => "the cache's handle is named after the function: `name::clear()`, `name::cache_info()`",
        _ => return None,
    })
}

/// Stores an option, reporting a repeated one at its second occurrence.
fn set<T>(slot: &mut Option<T>, value: T, name: &syn::Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.push(syn::Error::new_spanned(
            name,
            format!("duplicate `{name}` argument"),
        ));
    } else {
        *slot = Some(value);
    }
}
