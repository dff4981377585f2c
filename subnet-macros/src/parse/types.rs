//! `#[task]` and `#[answer]`: the types a miner is asked and answers with.

use proc_macro2::Span;
use syn::{Ident, Item};

use super::items::Marker;
use crate::ctxt::Ctxt;

/// The name of the struct or enum a `#[task]`/`#[answer]` is on.
pub(super) fn ident(cx: &Ctxt, marker: Marker, item: &Item, span: Span) -> Option<Ident> {
    match item {
        Item::Struct(s) => Some(s.ident.clone()),
        Item::Enum(e) => Some(e.ident.clone()),
        _ => {
            cx.error(span, format!("#[{}] goes on a struct or an enum", marker.name()));
            None
        }
    }
}
