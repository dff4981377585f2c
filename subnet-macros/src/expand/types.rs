//! Serde derives on the `#[task]` and `#[answer]` types, through the framework's own
//! serde so the author's crate needs no serde dependency.

use syn::{parse_quote, Item, ItemMod};

use crate::model::SubnetDef;

/// Add the derives to every task and answer type of `module`.
pub fn derive_serde(def: &SubnetDef, module: &mut ItemMod) {
    let Some((_, items)) = module.content.as_mut() else { return };
    for item in items.iter_mut() {
        let (attrs, ident) = match item {
            Item::Struct(s) => (&mut s.attrs, &s.ident),
            Item::Enum(e) => (&mut e.attrs, &e.ident),
            _ => continue,
        };
        if def.tasks.contains(ident) || def.answers.contains(ident) {
            attrs.push(parse_quote!(#[derive(::subnet_core::__private::serde::Serialize, ::subnet_core::__private::serde::Deserialize)]));
            attrs.push(parse_quote!(#[serde(crate = "::subnet_core::__private::serde")]));
        }
    }
}
