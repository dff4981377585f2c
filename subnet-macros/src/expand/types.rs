//! Serde derives on the `#[task]` and `#[answer]` types, through the framework's own
//! serde so the author's crate needs no serde dependency.

use syn::{parse_quote, Ident, Item, ItemMod};

/// Add the derives to the types of `module` named in `serde_types`.
pub(super) fn derive_serde(module: &mut ItemMod, serde_types: &[Ident]) {
    let Some((_, items)) = module.content.as_mut() else { return };
    for item in items.iter_mut() {
        let (attrs, ident) = match item {
            Item::Struct(s) => (&mut s.attrs, &s.ident),
            Item::Enum(e) => (&mut e.attrs, &e.ident),
            _ => continue,
        };
        if serde_types.contains(ident) {
            attrs.push(parse_quote!(#[derive(::subnet_core::__private::serde::Serialize, ::subnet_core::__private::serde::Deserialize)]));
            attrs.push(parse_quote!(#[serde(crate = "::subnet_core::__private::serde")]));
        }
    }
}
