//! `#[incentive]` and `#[access]`: the consts naming the subnet's incentive mechanism
//! and who its miners serve.

use proc_macro2::Span;
use syn::{Ident, Item};

use super::items::Marker;
use crate::ctxt::Ctxt;

/// The name of the const an `#[incentive]`/`#[access]` is on.
pub(super) fn ident(cx: &Ctxt, marker: Marker, item: &Item, span: Span) -> Option<Ident> {
    if let Item::Const(c) = item {
        return Some(c.ident.clone());
    }
    let usage = match marker {
        Marker::Access => "`const ACCESS: AccessRules = AccessRules::validators_only();`",
        _ => "`const MECHANISM: Incentive = Incentive::moving_average(0.1);`",
    };
    cx.error(span, format!("#[{}] goes on a const: {usage}", marker.name()));
    None
}
