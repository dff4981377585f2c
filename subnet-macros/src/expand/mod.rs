//! Generate a subnet from its [`SubnetDef`]: the author's module, with serde derives on
//! the task and answer types, plus `Subnet` implementing the framework's traits:
//! `SubnetSpec` (name, version, mechanism, protocol description), `MinerSpec` (decode a
//! request, call the miner, encode the answer) and `JudgeSpec` (make a challenge,
//! score an answer). This file only splices the pieces; generated code names its
//! dependencies through `::subnet_core::__private` alone.

mod judge;
mod miner;
mod protocol;
mod state;
mod subnet;
mod types;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Ident, Item};

use crate::model::{Authored, SubnetDef};

pub(crate) fn expand(def: &SubnetDef) -> TokenStream {
    let mut module = def.module.clone();
    let serde_types: Vec<Ident> = def.tasks.iter().chain(&def.answers).cloned().collect();
    types::derive_serde(&mut module, &serde_types);
    let generated = [subnet::expand(def), miner::expand(def), judge::expand(def)];
    if let Some((_, items)) = module.content.as_mut() {
        items.push(Item::Verbatim(quote!(#(#generated)*)));
    }
    quote!(#module)
}

/// On errors, the author's module still comes out, markers removed and its task and
/// answer types serde-able, so an IDE keeps seeing its items and rustc adds no
/// follow-on errors (tokio-macros' habit), followed by every error. Unused-item
/// warnings would only add noise to the errors.
pub(crate) fn module_with_errors(authored: Option<Authored>, errors: syn::Error) -> TokenStream {
    let module = authored.map(|Authored { mut module, serde_types }| {
        types::derive_serde(&mut module, &serde_types);
        module.attrs.push(parse_quote!(#[allow(unused)]));
        module
    });
    let errors = errors.to_compile_error();
    quote!(#module #errors)
}

#[cfg(test)]
mod tests;
