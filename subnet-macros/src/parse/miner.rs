//! `#[miner] async fn solve(task: MyTask, …) -> Result<MyAnswer>`: how a miner answers a
//! task, whole or streamed in chunks.

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn};

use super::shapes::{generic_arg_of, ref_type_ident, result_ok_type, returns_unit_result, type_ident};
use super::Known;
use crate::ctxt::Ctxt;
use crate::model::{MinerArg, MinerDef};

/// A miner function's task, answer and arguments.
pub(super) fn parse(cx: &Ctxt, known: &Known, f: &ItemFn) -> Option<MinerDef> {
    if f.sig.asyncness.is_none() {
        cx.error(f.sig.fn_token.span(), "a #[miner] function must be `async fn`");
    }
    let mut task = None;
    let mut chunk_type = None;
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let FnArg::Typed(arg) = input else {
            cx.error(input.span(), "a #[miner] function is a free function, without `self`");
            continue;
        };
        if let Some(t) = type_ident(&arg.ty).filter(|t| known.is_task(t)) {
            task = Some(t);
            args.push(MinerArg::Task);
        } else if ref_type_ident(&arg.ty).is_some_and(|t| Some(&t) == known.miner_state) {
            args.push(MinerArg::State);
        } else if ref_type_ident(&arg.ty).is_some_and(|t| t == "RequestContext") {
            args.push(MinerArg::Context);
        } else if let Some(chunk) = generic_arg_of(&arg.ty, "Chunks").filter(|a| known.is_answer(a)) {
            chunk_type = Some(chunk);
            args.push(MinerArg::Chunks);
        } else {
            cx.error(
                arg.ty.span(),
                "a #[miner] argument is the #[task] (by value), `&` the #[miner_state] type, `&RequestContext`, \
                 or `Chunks<A>` (A an #[answer] type) to stream the answer",
            );
        }
    }
    let count = |kind: MinerArg| args.iter().filter(|a| **a == kind).count();
    let Some(task) = task.filter(|_| count(MinerArg::Task) == 1) else {
        cx.error(f.sig.inputs.span(), "a #[miner] function takes one #[task] argument: `async fn solve(task: MyTask)`");
        return None;
    };
    let streamed = chunk_type.is_some();
    let answer = match chunk_type {
        Some(chunk) if count(MinerArg::Chunks) == 1 && returns_unit_result(&f.sig.output) => chunk,
        Some(_) => {
            cx.error(f.sig.output.span(), "a streaming #[miner] takes one `Chunks<A>` and returns `Result<()>`");
            return None;
        }
        None => match result_ok_type(&f.sig.output).filter(|a| known.is_answer(a)) {
            Some(answer) => answer,
            None => {
                cx.error(f.sig.output.span(), "a #[miner] function returns `Result<A>` where A is an #[answer] type");
                return None;
            }
        },
    };
    Some(MinerDef { func: f.sig.ident.clone(), task, answer, args, streamed })
}
