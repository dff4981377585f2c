//! Errors collected while reading a `#[subnet]` module, so the author sees all of them
//! at once, each at the span of the code it concerns (serde_derive's `Ctxt`).

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use proc_macro2::Span;

/// Collects errors; [`Ctxt::check`] hands them over. Dropping it unchecked with errors
/// inside is a bug of this crate (they would be lost), caught in its own tests.
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt { errors: RefCell::new(Some(Vec::new())) }
    }

    /// Record a problem at `span`.
    pub(crate) fn error(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Record a problem syn found.
    pub(crate) fn syn_error(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// Every error recorded, combined in the order found.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut all) = errors.next() else { return Ok(()) };
        all.extend(errors);
        Err(all)
    }
}

impl Default for Ctxt {
    fn default() -> Self {
        Ctxt::new()
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        let unchecked = self.errors.get_mut().as_ref().is_some_and(|e| !e.is_empty());
        if unchecked && !thread::panicking() {
            panic!("#[subnet] errors were collected but never reported: call Ctxt::check");
        }
    }
}
