//! The protocol description's types: each `#[task]` and `#[answer]` struct's JSON
//! fields and their Rust types as written, for generators in other languages
//! (`cargo xtask python`). A type whose JSON shape the field list would not tell (an
//! enum, a tuple struct, any `#[serde(...)]` attribute that renames or reshapes) is
//! described as `None` rather than wrongly.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Fields, Ident, Item, ItemMod};

use crate::model::SubnetDef;

/// `&[("Add", Some(&[("a", "i64"), ...])), ...]`, tasks then answers.
pub(super) fn types(def: &SubnetDef) -> TokenStream {
    let entries = def.tasks.iter().chain(&def.answers).map(|ty| {
        let name = ty.to_string();
        match named_fields(&def.module, ty) {
            Some(fields) => {
                let pairs = fields.iter().map(|(f, t)| quote!((#f, #t)));
                quote!((#name, ::core::option::Option::Some(&[#(#pairs),*])))
            }
            None => quote!((#name, ::core::option::Option::None)),
        }
    });
    quote!(&[#(#entries),*])
}

/// The struct `ty`'s (field, type) pairs, if it is a plain struct of named fields.
fn named_fields(module: &ItemMod, ty: &Ident) -> Option<Vec<(String, String)>> {
    let (_, items) = module.content.as_ref()?;
    let item = items.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == *ty => Some(s),
        _ => None,
    })?;
    let Fields::Named(fields) = &item.fields else { return None };
    let has_serde = |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("serde"));
    if has_serde(&item.attrs) || fields.named.iter().any(|f| has_serde(&f.attrs)) {
        return None;
    }
    fields
        .named
        .iter()
        .map(|f| {
            let name = f.ident.as_ref()?.to_string();
            let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
            let ty = &f.ty;
            Some((name, quote!(#ty).to_string().replace(' ', "")))
        })
        .collect()
}
