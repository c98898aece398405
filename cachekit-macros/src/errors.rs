//! Collects every error of one expansion so that the user sees them all at
//! once (serde's `Ctxt`).

use proc_macro2::TokenStream;

#[derive(Default)]
pub struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Adds every error of `other`.
    pub fn push_all(&mut self, other: Errors) {
        if let Some(error) = other.combined {
            self.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// The user's item unchanged, followed by the errors: the rest of the
    /// crate (and IDEs) still see the item.
    pub fn with_item(self, item: TokenStream) -> TokenStream {
        let errors = self.into_compile_errors();
        quote::quote!(#item #errors)
    }

    /// The errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.combined
            .map(syn::Error::into_compile_error)
            .unwrap_or_default()
    }
}
