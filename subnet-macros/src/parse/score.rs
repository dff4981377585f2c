//! `#[score] fn score(task: &MyTask, answer: &MyAnswer) -> f64`: how a validator scores
//! an answer, a streamed answer's chunks, or a whole round at once.

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType};

use super::shapes::{answered_slice_type, ref_type_ident, returned_ident, slice_type, vec_of_f64};
use super::Known;
use crate::ctxt::Ctxt;
use crate::model::{ScoreDef, ScoreShape};

const USAGE: &str = "a #[score] function is `fn score(task: &MyTask, answer: &MyAnswer) -> f64` (optionally a third argument, \
                     `&MinerContext`), scores a streamed answer: `fn score(task: &MyTask, chunks: &[MyChunk]) -> f64`, \
                     or scores a round: `fn rank(task: &MyTask, answers: &[Answered<MyAnswer>]) -> Vec<f64>`";

/// A score function's task, answer and shape.
pub(super) fn parse(cx: &Ctxt, known: &Known, f: &ItemFn) -> Option<ScoreDef> {
    let args: Vec<&FnArg> = f.sig.inputs.iter().collect();
    let typed = |i: usize| match args.get(i) {
        Some(FnArg::Typed(a)) => Some(&*a.ty),
        _ => None,
    };
    let task = typed(0).and_then(ref_type_ident).filter(|t| known.is_task(t));
    let round_answer = typed(1).and_then(answered_slice_type);
    let chunk_slice = typed(1).and_then(slice_type).filter(|c| known.is_answer(c));
    let whole_answer = typed(1).and_then(ref_type_ident).filter(|a| known.is_answer(a));
    let returns_f64 = returned_ident(&f.sig.output).is_some_and(|i| i == "f64");
    let returns_scores = matches!(&f.sig.output, ReturnType::Type(_, t) if vec_of_f64(t));
    let with_context = args.len() == 3;
    let per_answer = matches!(args.len(), 2 | 3) && returns_f64;
    let shape = match (round_answer, chunk_slice, whole_answer) {
        (Some(a), _, _) if known.is_answer(&a) && args.len() == 2 && returns_scores => Some((a, ScoreShape::Round)),
        (None, Some(c), _) if per_answer => Some((c, ScoreShape::Chunks { with_context })),
        (None, None, Some(a)) if per_answer => Some((a, ScoreShape::Answer { with_context })),
        _ => None,
    };
    match (task, shape) {
        (Some(task), Some((answer, shape))) => Some(ScoreDef { func: f.sig.ident.clone(), task, answer, shape }),
        _ => {
            cx.error(f.sig.span(), USAGE);
            None
        }
    }
}
