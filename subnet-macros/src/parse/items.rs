//! Walk the module's items and take the marker attributes off them: which items are
//! tasks, answers, miners, challenges, scores, states, incentive and access.
//!
//! Markers are a typed grammar ([`Marker`]); attributes that are not markers
//! (`#[derive]`, doc comments, `#[allow]`, …) stay where they are, and a misspelt
//! marker is left to rustc, which reports it as an unknown attribute.

use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Item, ItemFn};

use super::{consts, types};
use crate::ctxt::Ctxt;

mod kw {
    syn::custom_keyword!(task);
    syn::custom_keyword!(answer);
    syn::custom_keyword!(miner);
    syn::custom_keyword!(challenge);
    syn::custom_keyword!(score);
    syn::custom_keyword!(incentive);
    syn::custom_keyword!(access);
    syn::custom_keyword!(miner_state);
    syn::custom_keyword!(validator_state);
}

/// A marker attribute the author puts on an item inside the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    Task,
    Answer,
    Miner,
    Challenge,
    Score,
    Incentive,
    Access,
    MinerState,
    ValidatorState,
}

impl Parse for Marker {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        macro_rules! markers {
            ($($kw:ident => $marker:ident),*) => {
                $(if lookahead.peek(kw::$kw) {
                    input.parse::<kw::$kw>()?;
                    return Ok(Marker::$marker);
                })*
            };
        }
        markers!(
            task => Task, answer => Answer, miner => Miner, challenge => Challenge, score => Score,
            incentive => Incentive, access => Access, miner_state => MinerState, validator_state => ValidatorState
        );
        Err(lookahead.error())
    }
}

impl Marker {
    /// The marker an attribute is, if it is one: a bare name that parses as a marker.
    pub(crate) fn of(attr: &Attribute) -> Option<Marker> {
        let name = attr.path().get_ident()?;
        syn::parse2(name.to_token_stream()).ok()
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Marker::Task => "task",
            Marker::Answer => "answer",
            Marker::Miner => "miner",
            Marker::Challenge => "challenge",
            Marker::Score => "score",
            Marker::Incentive => "incentive",
            Marker::Access => "access",
            Marker::MinerState => "miner_state",
            Marker::ValidatorState => "validator_state",
        }
    }
}

/// The marked items, in the module's order, markers removed.
#[derive(Default)]
pub(super) struct Marked {
    pub tasks: Vec<Ident>,
    pub answers: Vec<Ident>,
    pub miners: Vec<ItemFn>,
    pub challenges: Vec<ItemFn>,
    pub scores: Vec<ItemFn>,
    pub miner_states: Vec<ItemFn>,
    pub validator_states: Vec<ItemFn>,
    pub incentives: Vec<Ident>,
    pub accesses: Vec<Ident>,
}

/// Take the markers off every item; a marker on the wrong kind of item is an error.
pub(super) fn take_marked(cx: &Ctxt, items: &mut [Item]) -> Marked {
    let mut marked = Marked::default();
    for item in items.iter_mut() {
        let Some(attrs) = item_attrs(item) else { continue };
        for (marker, span) in take_markers(attrs) {
            match marker {
                Marker::Task => marked.tasks.extend(types::ident(cx, marker, item, span)),
                Marker::Answer => marked.answers.extend(types::ident(cx, marker, item, span)),
                Marker::Incentive => marked.incentives.extend(consts::ident(cx, marker, item, span)),
                Marker::Access => marked.accesses.extend(consts::ident(cx, marker, item, span)),
                Marker::Miner => marked.miners.extend(function(cx, marker, item, span)),
                Marker::Challenge => marked.challenges.extend(function(cx, marker, item, span)),
                Marker::Score => marked.scores.extend(function(cx, marker, item, span)),
                Marker::MinerState => marked.miner_states.extend(function(cx, marker, item, span)),
                Marker::ValidatorState => marked.validator_states.extend(function(cx, marker, item, span)),
            }
        }
    }
    marked
}

/// The function a function marker is on.
fn function(cx: &Ctxt, marker: Marker, item: &Item, span: Span) -> Option<ItemFn> {
    match item {
        Item::Fn(f) => Some(f.clone()),
        _ => {
            cx.error(span, format!("#[{}] goes on a function", marker.name()));
            None
        }
    }
}

/// The attributes of the kinds of item a marker can be put on (or misplaced on).
fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Struct(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Const(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        _ => return None,
    })
}

/// Remove the marker attributes, returning them with their spans.
fn take_markers(attrs: &mut Vec<Attribute>) -> Vec<(Marker, Span)> {
    let mut found = Vec::new();
    attrs.retain(|a| match Marker::of(a) {
        Some(marker) => {
            found.push((marker, a.span()));
            false
        }
        None => true,
    });
    found
}
