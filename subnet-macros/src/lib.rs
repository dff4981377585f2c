//! `#[subnet]`: turns a module declaring a subnet's task, answer, miner, challenge,
//! score and incentive mechanism into a subnet the framework can run.
//!
//! This crate stays thin: `model` parses the module into a `model::SubnetDef`
//! (collecting every error with its span), `expand` generates code from it. Both are
//! plain functions that unit and snapshot tests call.

mod expand;
mod model;

use proc_macro::TokenStream;

/// Declare a subnet. See `subnet_core::dsl` for the full description and an example.
#[proc_macro_attribute]
pub fn subnet(attr: TokenStream, item: TokenStream) -> TokenStream {
    match model::parse(attr.into(), item.into()) {
        Ok(def) => expand::expand(&def).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
