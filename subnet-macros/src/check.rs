//! The rules that span several items (serde_derive's `check.rs`): one miner and one
//! score per task, every task challenged, a streamed answer scored by its chunks,
//! exactly one incentive mechanism. Turns what `parse` read into a [`SubnetDef`].

use crate::ctxt::Ctxt;
use crate::model::{MinerDef, ScoreDef, StateDef, SubnetDef};
use crate::parse::Parsed;

/// The definition; each broken rule goes to `cx`, and the definition is only for
/// `expand` when `cx` holds no error. `None` when there is no incentive to build on.
pub(crate) fn check(cx: &Ctxt, parsed: Parsed) -> Option<SubnetDef> {
    let miner_state = one_state(cx, parsed.miner_states, "miner_state");
    let validator_state = one_state(cx, parsed.validator_states, "validator_state");
    let miners = one_miner_per_task(cx, parsed.miners);
    let scores = one_score_per_task(cx, parsed.scores);
    for task in &parsed.tasks {
        if !miners.iter().any(|m| &m.task == task) {
            cx.error(task.span(), format!("task `{task}` has no #[miner] function"));
        }
        if !scores.iter().any(|s| &s.task == task) {
            cx.error(task.span(), format!("task `{task}` has no #[score] function"));
        }
        if !parsed.challenges.iter().any(|c| &c.task == task) {
            cx.error(task.span(), format!("task `{task}` has no #[challenge] function"));
        }
    }
    if parsed.tasks.is_empty() {
        cx.error(parsed.module.ident.span(), "a subnet declares at least one #[task] type");
    }
    for s in &scores {
        score_fits_miner(cx, s, &miners);
    }
    let incentive = match parsed.incentives.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            cx.error(parsed.module.ident.span(), "a subnet declares its incentive mechanism: `#[incentive] const MECHANISM: Incentive = …;`");
            None
        }
        [_, second, ..] => {
            cx.error(second.span(), "only one #[incentive] per subnet");
            None
        }
    };
    if let Some(second) = parsed.accesses.get(1) {
        cx.error(second.span(), "only one #[access] per subnet");
    }
    Some(SubnetDef {
        name: parsed.name,
        version: parsed.version,
        incentive: incentive?,
        access: parsed.accesses.into_iter().next(),
        module: parsed.module,
        tasks: parsed.tasks,
        answers: parsed.answers,
        miners,
        challenges: parsed.challenges,
        scores,
        miner_state,
        validator_state,
    })
}

/// At most one `#[miner_state]` / `#[validator_state]`: the first, the others reported.
fn one_state(cx: &Ctxt, states: Vec<StateDef>, marker: &str) -> Option<StateDef> {
    for extra in states.iter().skip(1) {
        cx.error(extra.func.span(), format!("only one #[{marker}] per subnet"));
    }
    states.into_iter().next()
}

/// The first miner of each task; a second one for the same task is reported.
fn one_miner_per_task(cx: &Ctxt, miners: Vec<MinerDef>) -> Vec<MinerDef> {
    let mut kept: Vec<MinerDef> = Vec::new();
    for m in miners {
        match kept.iter().find(|k| k.task == m.task) {
            Some(first) => cx.error(m.func.span(), format!("task `{}` already has a miner, `{}`: one miner per task", m.task, first.func)),
            None => kept.push(m),
        }
    }
    kept
}

/// The first score of each task; a second one for the same task is reported.
fn one_score_per_task(cx: &Ctxt, scores: Vec<ScoreDef>) -> Vec<ScoreDef> {
    let mut kept: Vec<ScoreDef> = Vec::new();
    for s in scores {
        if kept.iter().any(|k| k.task == s.task) {
            cx.error(s.func.span(), format!("task `{}` already has a #[score] function", s.task));
        } else {
            kept.push(s);
        }
    }
    kept
}

/// A score takes what its task's miner answers: the same type, and chunks exactly
/// when the miner streams.
fn score_fits_miner(cx: &Ctxt, s: &ScoreDef, miners: &[MinerDef]) {
    let Some(m) = miners.iter().find(|m| m.task == s.task) else { return };
    let (task, answer) = (&s.task, &s.answer);
    if m.answer != s.answer {
        cx.error(s.answer.span(), format!("`{}` answers task `{task}` with `{}`, not `{answer}`", m.func, m.answer));
    } else if m.streamed && !s.shape.streamed() {
        let message = format!("`{}` streams its answer: score the chunks, `fn {}(task: &{task}, chunks: &[{answer}]) -> f64`", m.func, s.func);
        cx.error(s.func.span(), message);
    } else if s.shape.streamed() && !m.streamed {
        let message = format!("`{}` scores chunks, but `{}` does not stream: take `&{answer}`, or stream with `Chunks<{answer}>`", s.func, m.func);
        cx.error(s.func.span(), message);
    }
}
