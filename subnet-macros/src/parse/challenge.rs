//! `#[challenge] fn make(rng: &mut Rng) -> MyTask`: how a validator makes a task.

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn};

use super::shapes::{mut_ref_type_ident, returned_ident};
use super::Known;
use crate::ctxt::Ctxt;
use crate::model::{ChallengeArg, ChallengeDef};

/// A challenge function's task and arguments.
pub(super) fn parse(cx: &Ctxt, known: &Known, f: &ItemFn) -> Option<ChallengeDef> {
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let mut_ref = match input {
            FnArg::Typed(a) => mut_ref_type_ident(&a.ty),
            FnArg::Receiver(_) => None,
        };
        match mut_ref {
            Some(t) if t == "Rng" => args.push(ChallengeArg::Rng),
            Some(t) if Some(&t) == known.validator_state => args.push(ChallengeArg::State),
            _ => cx.error(input.span(), "a #[challenge] argument is `&mut Rng` or `&mut` the #[validator_state] type"),
        }
    }
    match returned_ident(&f.sig.output).filter(|t| known.is_task(t)) {
        Some(task) => Some(ChallengeDef { func: f.sig.ident.clone(), task, args }),
        None => {
            cx.error(f.sig.output.span(), "a #[challenge] function returns a #[task] type");
            None
        }
    }
}
