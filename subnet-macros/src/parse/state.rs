//! `#[miner_state]` / `#[validator_state]`: `fn load() -> MyState`, called once at
//! start-up, its value lent to every miner call / challenge.

use syn::spanned::Spanned;
use syn::ItemFn;

use super::items::Marker;
use super::shapes::returned_ident;
use crate::ctxt::Ctxt;
use crate::model::StateDef;

/// The state a `fn load() -> MyState` builds.
pub(super) fn parse(cx: &Ctxt, marker: Marker, f: &ItemFn) -> Option<StateDef> {
    match returned_ident(&f.sig.output) {
        Some(ty) if f.sig.inputs.is_empty() && f.sig.asyncness.is_none() => Some(StateDef { func: f.sig.ident.clone(), ty }),
        _ => {
            cx.error(f.sig.span(), format!("a #[{}] function is `fn load() -> MyState`, called once at start-up", marker.name()));
            None
        }
    }
}
