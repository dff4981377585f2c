//! Read a `#[subnet]` module: the arguments, then the marked items, then each marked
//! function's signature. One file per marker family; cross-item rules are `check`'s.

mod args;
mod challenge;
mod consts;
mod items;
mod miner;
mod score;
mod shapes;
mod state;
mod types;

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Ident, ItemMod};

use crate::ctxt::Ctxt;
use crate::model::{Authored, ChallengeDef, MinerDef, ScoreDef, StateDef};
pub(crate) use items::Marker;

/// Every declaration read, before the cross-item rules: several of a kind where the
/// author wrote several, so `check` can say which one is too many.
pub(crate) struct Parsed {
    pub name: String,
    pub version: u64,
    /// The module, marker attributes removed.
    pub module: ItemMod,
    pub tasks: Vec<Ident>,
    pub answers: Vec<Ident>,
    pub miners: Vec<MinerDef>,
    pub challenges: Vec<ChallengeDef>,
    pub scores: Vec<ScoreDef>,
    pub incentives: Vec<Ident>,
    pub accesses: Vec<Ident>,
    pub miner_states: Vec<StateDef>,
    pub validator_states: Vec<StateDef>,
}

impl Parsed {
    /// The module and its task and answer types, for the error path.
    pub(crate) fn authored(&self) -> Authored {
        Authored { module: self.module.clone(), serde_types: self.tasks.iter().chain(&self.answers).cloned().collect() }
    }
}

/// What a marked function's signature is read against: the declared types.
pub(crate) struct Known<'a> {
    tasks: &'a [Ident],
    answers: &'a [Ident],
    miner_state: Option<&'a Ident>,
    validator_state: Option<&'a Ident>,
}

impl Known<'_> {
    fn is_task(&self, ty: &Ident) -> bool {
        self.tasks.contains(ty)
    }
    fn is_answer(&self, ty: &Ident) -> bool {
        self.answers.contains(ty)
    }
}

/// Parse `#[subnet(name = "...", version = N)] mod … { … }`. Problems go to `cx`;
/// `None` only when there is no inline module to read.
pub(crate) fn parse(cx: &Ctxt, attr: TokenStream, item: TokenStream) -> Option<Parsed> {
    let args = args::parse(cx, attr);
    let mut module: ItemMod = match syn::parse2(item) {
        Ok(module) => module,
        Err(e) => {
            cx.error(e.span(), "#[subnet] goes on a module: `mod my_subnet { … }`");
            return None;
        }
    };
    let Some((_, items)) = &mut module.content else {
        cx.error(module.span(), "#[subnet] needs the module's items inline: `mod my_subnet { … }`");
        return None;
    };
    let marked = items::take_marked(cx, items);

    let miner_states: Vec<StateDef> = marked.miner_states.iter().filter_map(|f| state::parse(cx, Marker::MinerState, f)).collect();
    let validator_states: Vec<StateDef> = marked.validator_states.iter().filter_map(|f| state::parse(cx, Marker::ValidatorState, f)).collect();
    let known = Known {
        tasks: &marked.tasks,
        answers: &marked.answers,
        miner_state: miner_states.first().map(|s| &s.ty),
        validator_state: validator_states.first().map(|s| &s.ty),
    };
    let miners = marked.miners.iter().filter_map(|f| miner::parse(cx, &known, f)).collect();
    let challenges = marked.challenges.iter().filter_map(|f| challenge::parse(cx, &known, f)).collect();
    let scores = marked.scores.iter().filter_map(|f| score::parse(cx, &known, f)).collect();
    Some(Parsed {
        name: args.name,
        version: args.version,
        module,
        tasks: marked.tasks,
        answers: marked.answers,
        miners,
        challenges,
        scores,
        incentives: marked.incentives,
        accesses: marked.accesses,
        miner_states,
        validator_states,
    })
}
