//! `#[subnet]`: turns a module declaring a subnet's task, answer, miner, challenge,
//! score and incentive mechanism into a subnet the framework can run.
//!
//! A pipeline, as FRAME's `#[pallet]`: `parse` reads the module (one file per marker),
//! `check` applies the rules that span several items and yields the one
//! `model::SubnetDef`, `expand` generates code from it (one file per generated piece).
//! Errors are collected with their spans in a `ctxt::Ctxt`, all reported at once.

mod check;
mod ctxt;
mod expand;
mod model;
mod parse;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;
use proc_macro2::Span;

/// Declare a subnet. See `subnet_core::dsl` for the full description and an example.
#[proc_macro_attribute]
pub fn subnet(attr: TokenStream, item: TokenStream) -> TokenStream {
    match define(attr.into(), item.into()) {
        Ok(def) => expand::expand(&def),
        Err(failed) => expand::module_with_errors(failed.authored, failed.errors),
    }
    .into()
}

/// Every error found, and what is still worth emitting of the author's module.
struct Failed {
    authored: Option<model::Authored>,
    errors: syn::Error,
}

/// Parse, then check: the definition, or why there is none.
fn define(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Result<model::SubnetDef, Box<Failed>> {
    let cx = ctxt::Ctxt::new();
    let parsed = parse::parse(&cx, attr, item);
    let authored = parsed.as_ref().map(parse::Parsed::authored);
    let def = parsed.and_then(|p| check::check(&cx, p));
    let def = cx.check().and_then(|()| def.ok_or_else(|| syn::Error::new(Span::call_site(), "#[subnet] found no subnet to generate")));
    def.map_err(|errors| Box::new(Failed { authored, errors }))
}
