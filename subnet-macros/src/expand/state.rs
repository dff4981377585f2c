//! The miner's and the judge's state: the `#[miner_state]`/`#[validator_state]` type
//! and its constructor, or `()` without one.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::StateDef;

/// The state's type.
pub(super) fn ty(state: Option<&StateDef>) -> TokenStream {
    match state {
        Some(StateDef { ty, .. }) => quote!(#ty),
        None => quote!(()),
    }
}

/// How to build the state: the author's `fn load()`, called once at start-up.
pub(super) fn init(state: Option<&StateDef>) -> TokenStream {
    match state {
        Some(StateDef { func, .. }) => quote!(#func()),
        None => quote!(()),
    }
}
